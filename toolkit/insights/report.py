"""Rolling samples up: per group of posts (message, statistic, claim, card, language, platform,
account, weekday, slot), the number of posts, the sums of their latest samples, the median
engagement per post, and engagement per post at +24 h.

A post resting on two statistics counts in both groups. Counts are public counts at the times
sampled: likes, reposts (boosts, retweets), replies and quotes (none on Mastodon: `null`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from statistics import median
from typing import Any

from toolkit.library.models import Library
from toolkit.store.models import SAMPLE_DELETED, SAMPLE_OK

GROUPINGS = ("message", "statistic", "claim", "card", "lang", "platform", "account", "weekday",
             "slot")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
COUNTS = ("likes", "reposts", "replies", "quotes")
#: the sample engagement per post is compared at
AT_24H = int(timedelta(hours=24).total_seconds())
NONE = "(none)"


@dataclass
class PostStats:
    """One published post with what the report needs: its groups and its samples' counts."""

    id: str
    message_id: str
    lang: str
    platform: str
    account: str
    text: str
    url: str | None
    published_at: datetime | None
    scheduled_at: datetime
    statistics: tuple[str, ...]
    claims: tuple[str, ...]
    card: str | None
    #: the latest `ok` sample's counts (None before any), and the +24 h sample's
    latest: tuple[int | None, ...] | None = None
    latest_offset: int = -1
    at_24h: tuple[int | None, ...] | None = None
    deleted: bool = False

    def groups(self, by: str, tz: tzinfo) -> Sequence[str]:
        """The groups this post falls in under a grouping."""
        if by == "statistic":
            return self.statistics or (NONE,)
        if by == "claim":
            return self.claims or (NONE,)
        if by == "card":
            return (self.card or NONE,)
        if by == "message":
            return (self.message_id,)
        if by in ("lang", "platform", "account"):
            return (getattr(self, by),)
        local = self.scheduled_at.astimezone(tz)
        return (WEEKDAYS[local.weekday()],) if by == "weekday" else (f"{local:%H:%M}",)

    @property
    def engagement(self) -> int | None:
        """Likes + reposts + replies + quotes at the latest sample (None before any)."""
        return total(self.latest)


def total(counts: tuple[int | None, ...] | None) -> int | None:
    """The sum of a sample's counts (a count the platform lacks adds nothing)."""
    return None if counts is None else sum(c or 0 for c in counts)


def load_posts(post_rows: Iterable[Mapping[str, Any]],
               sample_rows: Iterable[Mapping[str, Any]],
               library: Callable[[], Library | None], cards: bool = True) -> list[PostStats]:
    """`PostStats` from the store's rows as mappings (`published_rows`): statistics and claims
    from what approval recorded, else from the message as it reads now; the card (when
    `cards`) from the message. `library()` is asked for only when the rows need it."""
    out: dict[str, PostStats] = {}
    lib: list[Library | None] = []
    parsed: dict[str, Any] = {}

    def messages() -> Library | None:
        if not lib:
            lib.append(library())
        return lib[0]

    for r in post_rows:
        facts = r["facts"]
        if isinstance(facts, str):
            facts = parsed[facts] if facts in parsed else parsed.setdefault(
                facts, json.loads(facts) if facts else None)
        stats: tuple[str, ...] = ()
        claims: tuple[str, ...] = ()
        card = None
        message = None
        recorded = isinstance(facts, dict) and ("statistics" in facts or "claims" in facts)
        if not recorded or cards:
            found = messages()
            message = found.messages.get(r["message_id"]) if found is not None else None
            card = message.card if message is not None and cards else None
        if recorded:
            stats = tuple(facts.get("statistics") or ())
            claims = tuple(facts.get("claims") or ())
        elif message is not None:
            stats = tuple(lib[0].statistic_ids_of(message))  # type: ignore[union-attr]
            claims = tuple(message.claims)
        out[r["id"]] = PostStats(r["id"], r["message_id"], r["lang"], r["platform"],
                                 r["account"], r["text"], r["url"], r["published_at"],
                                 r["scheduled_at"], stats, claims, card)
    for s in sample_rows:
        post = out.get(s["post_id"])
        if post is None:
            continue
        if s["state"] != SAMPLE_OK:
            post.deleted = post.deleted or s["state"] == SAMPLE_DELETED
            continue
        counts = (s["likes"], s["reposts"], s["replies"], s["quotes"])
        offset = s["offset_s"]
        if offset > post.latest_offset:
            post.latest, post.latest_offset = counts, offset
        if offset == AT_24H:
            post.at_24h = counts
    return list(out.values())


@dataclass
class Group:
    """One row of a report."""

    group: str
    posts: int = 0
    sums: list[int | None] = field(default_factory=lambda: [None] * len(COUNTS))
    engagements: list[int] = field(default_factory=list)
    day_one: list[int] = field(default_factory=list)

    def add(self, post: PostStats) -> None:
        """Count one post in."""
        self.posts += 1
        if post.latest is not None:
            for i, c in enumerate(post.latest):
                if c is not None:
                    self.sums[i] = (self.sums[i] or 0) + c
            self.engagements.append(total(post.latest) or 0)
        if post.at_24h is not None:
            self.day_one.append(total(post.at_24h) or 0)

    def as_dict(self) -> dict:
        """`group`, `posts`, `likes`, `reposts`, `replies`, `quotes` (null where no post of the
        group has that count), `median_per_post` (latest engagement), `per_post_24h`."""
        d: dict = {"group": self.group, "posts": self.posts}
        d.update(zip(COUNTS, self.sums, strict=True))
        d["sampled"] = len(self.engagements)
        d["median_per_post"] = median(self.engagements) if self.engagements else None
        d["per_post_24h"] = (round(sum(self.day_one) / len(self.day_one), 2)
                             if self.day_one else None)
        return d


def report(posts: Iterable[PostStats], by: str, tz: tzinfo) -> list[dict]:
    """Per group under `by`: its row (`Group.as_dict`), the most engaging groups first."""
    groups: dict[str, Group] = {}
    for post in posts:
        for name in post.groups(by, tz):
            groups.setdefault(name, Group(name)).add(post)
    rows = [g.as_dict() for g in groups.values()]
    rows.sort(key=lambda r: (-(r["per_post_24h"] or -1), -(r["median_per_post"] or -1),
                             r["group"]))
    return rows


def ranked(posts: Iterable[PostStats], n: int = 5) -> tuple[list[PostStats], list[PostStats]]:
    """(top, bottom): the `n` posts with the most and the fewest engagements at their latest
    sample (only posts with a sample)."""
    sampled = sorted((p for p in posts if p.latest is not None),
                     key=lambda p: (-(p.engagement or 0), p.id))
    return sampled[:n], list(reversed(sampled[-n:])) if len(sampled) > n else []


def best_between(posts: Iterable[PostStats], start: datetime, end: datetime) -> PostStats | None:
    """The post published in [start, end) with the most engagements so far, or None."""
    found = [p for p in posts if p.latest is not None and p.published_at is not None
             and start <= p.published_at < end]
    return max(found, key=lambda p: (p.engagement or 0, p.id), default=None)
