"""Finding a post's text among an account's recent posts (reconcile without idempotency keys).

Platforms rewrite what they show (links shortened or marked up, entities escaped, LinkedIn's
escaping of reserved characters), so both sides are compared in one normal form.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from toolkit.publishers.base import OutgoingPost, PublishResult, Reconciliation

#: how far before the due time reconcile looks (clock skew between us and the platform)
RECONCILE_MARGIN = timedelta(hours=1)


def comparable(text: str) -> str:
    """Text in a form both sides share: NFC, case-folded, links as one token, remote mentions
    by user only (as Mastodon displays them), and only letters, digits and `#@` kept."""
    text = re.sub(r"https?://\S+", " URL ", unicodedata.normalize("NFC", text))
    text = re.sub(r"(?<![\w@])@(\w+)@[\w.-]+\w", r"@\1", text)
    return " ".join(re.findall(r"[\w#@]+", text.casefold()))


def window_start(scheduled_at: datetime) -> datetime:
    """The earliest creation time a match may have: shortly before the post was due."""
    if scheduled_at.tzinfo is None:
        scheduled_at = scheduled_at.replace(tzinfo=UTC)
    return scheduled_at - RECONCILE_MARGIN


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 time (Graph's `+0000` offsets too), epoch milliseconds, or None."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    text = str(value or "")
    text = re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", text.replace("Z", "+00:00"))
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def find_post(text: str, items: Iterable[Mapping[str, Any]], since: datetime, *,
              text_key: str, time_key: str) -> Mapping[str, Any] | None:
    """The first item created since `since` whose text is `text` (compared as `comparable`)."""
    mine = comparable(text)
    for item in items:
        created = parse_time(item.get(time_key))
        if created is not None and created < since:
            continue  # the same words posted earlier are another post
        if comparable(str(item.get(text_key) or "")) == mine:
            return item
    return None


def reaches_back(items: Iterable[Mapping[str, Any]], since: datetime, time_key: str) -> bool:
    """Whether the page of posts read reaches back before `since` (so absence is proven)."""
    times = [t for t in (parse_time(i.get(time_key)) for i in items) if t is not None]
    return bool(times) and min(times) < since


def settle(post: OutgoingPost, items: list[Mapping[str, Any]], page: int, *, text_key: str,
           time_key: str, result: Callable[[Mapping[str, Any]], PublishResult]
           ) -> Reconciliation:
    """Published (with `result(item)`) if the post's text is among `items` since shortly before
    it was due; absent if the page read was not full or reaches back past that time; unknown."""
    since = window_start(post.scheduled_at)
    match = find_post(post.text, items, since, text_key=text_key, time_key=time_key)
    if match is not None:
        return Reconciliation("published", result(match))
    if len(items) < page or reaches_back(items, since, time_key):
        return Reconciliation("absent")
    return Reconciliation("unknown")
