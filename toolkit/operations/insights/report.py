"""Rolling samples up: per group of posts (message, statistic, claim, card, language, platform,
account, weekday, slot), the number of posts, the sums of their latest samples, the median
engagement per post, and engagement per post at +24 h.

A post resting on two statistics counts in both groups. Counts are public counts at the times
sampled: likes, reposts (boosts, retweets), replies and quotes (none on Mastodon: `null`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from statistics import median
from typing import Any

from toolkit.library.models import Library
from toolkit.store.models import SAMPLE_DELETED, SAMPLE_OK
from toolkit.store.quickread import utc_from_store

GROUPINGS = ("message", "statistic", "claim", "card", "lang", "platform", "account", "weekday",
             "slot")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
COUNTS = ("likes", "reposts", "replies", "quotes")
#: the sample engagement per post is compared at
AT_24H = int(timedelta(hours=24).total_seconds())
NONE = "(none)"
#: the fact record of a post whose statistics and claims a report does not ask for
NOT_ASKED: dict = {"statistics": {}, "claims": []}


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

    #: likes + reposts + replies + quotes at the latest sample and at +24 h (None before)
    engagement: int | None = None
    engagement_24h: int | None = None
    _local: datetime | None = None

    def local(self, tz: tzinfo) -> datetime:
        """Its scheduled time in the campaign's timezone (computed once)."""
        if self._local is None:
            self._local = self.scheduled_at.astimezone(tz)
        return self._local


def group_key(by: str, tz: tzinfo) -> Callable[[PostStats], Sequence[str]]:
    """The groups a post falls in under a grouping."""
    if by == "statistic":
        return lambda p: p.statistics or (NONE,)
    if by == "claim":
        return lambda p: p.claims or (NONE,)
    if by == "card":
        return lambda p: (p.card or NONE,)
    if by == "weekday":
        return lambda p: (WEEKDAYS[p.local(tz).weekday()],)
    if by == "slot":
        return lambda p: (f"{p.local(tz):%H:%M}",)
    name = {"message": "message_id"}.get(by, by)
    return lambda p: (getattr(p, name),)


def total(counts: tuple[int | None, ...] | None) -> int | None:
    """The sum of a sample's counts (a count the platform lacks adds nothing)."""
    if counts is None:
        return None
    likes, reposts, replies, quotes = counts
    return (likes or 0) + (reposts or 0) + (replies or 0) + (quotes or 0)


def load_posts(post_rows: Iterable[Mapping[str, Any]],
               sample_rows: Iterable[Mapping[str, Any]],
               library: Callable[[], Library | None], cards: bool = True,
               read_facts: bool = True) -> list[PostStats]:
    """`PostStats` from the store's rows read by name (`toolkit.store.reportrows`; times as
    datetimes or the store's text), samples of other posts left out: statistics and claims
    from what approval recorded, else from the message as it reads now; the card (when
    `cards`) from the message. `library()` is asked for only when the rows need it; without
    `read_facts` (a grouping that needs no statistics or claims) neither is looked up."""
    out: dict[str, PostStats] = {}
    lib: list[Library | None] = []
    parsed: dict[str, Any] = {}

    def messages() -> Library | None:
        if not lib:
            lib.append(library())
        return lib[0]

    for r in post_rows:
        facts = r["facts"] if read_facts else NOT_ASKED
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
                                 r["account"], r["text"] or "", r["url"],
                                 utc_from_store(r["published_at"]),
                                 utc_from_store(r["scheduled_at"]), stats, claims, card)
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
    for post in out.values():
        post.engagement, post.engagement_24h = total(post.latest), total(post.at_24h)
    return list(out.values())


def row(name: str, members: Sequence[PostStats]) -> dict:
    """One group's row: `group`, `posts`, the latest samples' `likes`, `reposts`, `replies`,
    `quotes` (null where no post of the group has that count), `sampled` (posts with a
    sample), `median_per_post` (latest engagement) and `per_post_24h`."""
    latest = [p.latest for p in members if p.latest is not None]
    out: dict[str, Any] = {"group": name, "posts": len(members)}
    for key, column in zip(COUNTS, zip(*latest, strict=True) if latest else [()] * 4,
                           strict=True):
        present = [v for v in column if v is not None]
        out[key] = sum(present) if present else None
    engaged = [p.engagement for p in members if p.engagement is not None]
    day_one = [p.engagement_24h for p in members if p.engagement_24h is not None]
    out["sampled"] = len(engaged)
    out["median_per_post"] = median(engaged) if engaged else None
    out["per_post_24h"] = round(sum(day_one) / len(day_one), 2) if day_one else None
    return out


def report(posts: Iterable[PostStats], by: str, tz: tzinfo) -> list[dict]:
    """Per group under `by`: its row (`row`), the most engaging groups first."""
    key = group_key(by, tz)
    groups: dict[str, list[PostStats]] = {}
    for post in posts:
        for name in key(post):
            if name in groups:
                groups[name].append(post)
            else:
                groups[name] = [post]
    rows = [row(name, members) for name, members in groups.items()]
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
