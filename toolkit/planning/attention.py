"""Posts that wait for a person: missed, needs_check, failed or sent back with changes
requested; held by the fact gate; over
their platform's length; and accounts over a quota. The schedule page shows them first."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from types import SimpleNamespace

from toolkit.compose.text import measure
from toolkit.core.config import Config
from toolkit.core.errors import ComposeError
from toolkit.library import Library
from toolkit.library.checks import check_errors
from toolkit.library.facts import post_problems
from toolkit.library.gate import blocking_facts
from toolkit.planning.quotas import quota_warnings
from toolkit.store import (
    APPROVED,
    CHANGES_REQUESTED,
    DRAFT,
    FAILED,
    MISSED,
    NEEDS_CHECK,
    Post,
    Store,
)
from toolkit.store.web import WebStore

WAITING = [MISSED, NEEDS_CHECK, FAILED, CHANGES_REQUESTED]
REASONS = {CHANGES_REQUESTED: "changes requested: edit its message, or resubmit it with a reply",
           MISSED: "missed its time: reschedule, resolve or cancel it",
           NEEDS_CHECK: "may or may not have gone out: check the account, then resolve it",
           FAILED: "failed: see its history, then reschedule or cancel it"}


@dataclass
class Attention:
    """What needs a person: (post, reason) pairs, whether there are more, quota warnings."""

    posts: list[tuple[Post, str]] = field(default_factory=list)
    more: bool = False
    warnings: list[str] = field(default_factory=list)
    blocked: dict[str, str] = field(default_factory=dict)


def blocked_messages(library: Library, message_ids: list[str], now: datetime,
                     config: Config) -> dict[str, str]:
    """Message id -> why the fact gate holds it, for the messages given."""
    today = now.astimezone(config.timezone).date()
    out = {}
    for mid in message_ids:
        message = library.messages.get(mid)
        if message is None:
            out[mid] = f"message '{mid}' is no longer in the library"
            continue
        reasons = blocking_facts(library, message, today)
        if reasons:
            out[mid] = "; ".join(reasons)
    return out


@dataclass
class _Verdicts:
    """The fact gate's verdicts for one library on one day (kept between requests: they
    change only with the library, replaced on reload, or the day)."""

    config: Config
    library: Library
    today: date
    errors: list[str] | None = None
    verdicts: dict[tuple, str] = field(default_factory=dict)


_last: _Verdicts | None = None


def _verdicts_for(config: Config, library: Library, today: date) -> _Verdicts:
    global _last
    memo = _last
    if memo is None or memo.config is not config or memo.library is not library \
            or memo.today != today:
        memo = _last = _Verdicts(config, library, today)
    return memo


def held_by_facts(config: Config, library: Library, store: Store, now: datetime) -> list[Post]:
    """Approved posts the fact gate will hold (their recorded facts no longer hold), each with
    the reason in `last_error`. Posts resting on the same record are judged once (10⁴ queued
    posts share a few dozen), and a record's verdict is kept while the library and the day
    stay the same (the schedule page asks on every load)."""
    memo = _verdicts_for(config, library, now.astimezone(config.timezone).date())
    why: dict[str, str] = {}
    for group in store.approved_fact_groups():
        key = (group.message_id, group.lang,
               group.facts if group.facts is not None else (group.text, group.media))
        verdict = memo.verdicts.get(key)
        if verdict is None:
            if memo.errors is None:
                memo.errors = check_errors(config, library, memo.today)
            post = SimpleNamespace(message_id=group.message_id, lang=group.lang,
                                   text=group.text, media=group.media,
                                   facts=json.loads(group.facts) if group.facts else None)
            verdict = memo.verdicts[key] = "; ".join(post_problems(library, post, memo.today,
                                                                   memo.errors))
        if verdict:
            why.update(dict.fromkeys(store.approved_resting_on(group),
                                     "the fact gate will hold it: " + verdict))
    held = store.list(ids=list(why)) if why else []
    for post in held:
        post.last_error = why[post.id]
    return held


def length_problem(config: Config, post: Post) -> str | None:
    """Why a post's text no longer fits its platform, or None."""
    try:
        composed = measure(config, post.text, post.platform)
    except ComposeError as exc:
        return exc.message
    if composed.fits:
        return None
    return f"{composed.length} characters, over {post.platform}'s limit of {composed.limit}"


def find_attention(config: Config, library: Library, store: Store, now: datetime,
                   limit: int = 30) -> Attention:
    """Everything that waits for a person, most urgent first (at most `limit` posts)."""
    web = WebStore(store)
    result = Attention(warnings=quota_warnings(config, store, now))
    waiting = web.find_posts(statuses=WAITING, limit=limit + 1)
    result.posts = [(p, REASONS[p.status]) for p in waiting[:limit]]
    pending = web.pending_message_ids([DRAFT, APPROVED], now)
    result.blocked = blocked_messages(library, pending, now, config)
    room = limit - len(result.posts)
    if result.blocked and room > 0:
        held = web.find_posts(start=now, statuses=[DRAFT, APPROVED],
                              message_ids=list(result.blocked), limit=room + 1)
        result.posts += [(p, result.blocked[p.message_id]) for p in held[:room]]
        result.more = len(held) > room
    listed = {p.id for p, _ in result.posts}
    for post in held_by_facts(config, library, store, now):  # what the record no longer allows
        if post.id not in listed and len(result.posts) < limit:
            result.posts.append((post, post.last_error or ""))
    result.more = result.more or len(waiting) > limit
    return result
