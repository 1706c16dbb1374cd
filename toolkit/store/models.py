"""The store's records as plain dataclasses, and the post life cycle (a design contract)."""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

DRAFT, APPROVED, PUBLISHING, PUBLISHED = "draft", "approved", "publishing", "published"
CANCELLED, FAILED, MISSED, NEEDS_CHECK = "cancelled", "failed", "missed", "needs_check"
#: sent back with a comment: no bulk approval covers it; back to draft when edited or resubmitted
CHANGES_REQUESTED = "changes_requested"
STATUSES = (DRAFT, CHANGES_REQUESTED, APPROVED, PUBLISHING, PUBLISHED, CANCELLED, FAILED, MISSED,
            NEEDS_CHECK)
#: states a person may still change the schedule of (back to draft on reschedule)
EDITABLE = (DRAFT, APPROVED, MISSED, FAILED)
#: states that count against an account's quota
COUNTED = (APPROVED, PUBLISHING, PUBLISHED)
#: an engagement sample's states: counts read, post deleted on the platform, time long past
SAMPLE_OK, SAMPLE_DELETED, SAMPLE_MISSED = "ok", "deleted", "missed"
#: why an approval or sign-off of a post at a revision it is no longer at is refused
CHANGED = "this post changed since you opened it"


#: an audit entry's detail: one text for every post, or one per post id
Detail = str | Mapping[str, str] | None


def detail_for(detail: Detail, post_id: str) -> str | None:
    """The audit detail of one post (its own when `detail` maps ids to texts), secrets masked."""
    from toolkit.core.redact import redact

    text = detail.get(post_id) if isinstance(detail, Mapping) else detail
    return redact(text) if text else text


def scrubbed(values: Mapping[str, Any]) -> dict[str, Any]:
    """A post's new column values with secrets masked in its error text (`last_error`)."""
    vals = dict(values)
    if isinstance(vals.get("last_error"), str):
        from toolkit.core.redact import redact

        vals["last_error"] = redact(vals["last_error"])
    return vals


def new_post_ids(n: int) -> list[str]:
    """`n` short random ids (10 base32 characters, 50 random bits each): unique across stores
    and resets. Drawn and encoded at once: a bulk import makes 10⁴."""
    groups = -(-n // 4)  # 4 ids (40 characters) per 25 random bytes
    text = base64.b32encode(secrets.token_bytes(25 * groups)).decode().lower()
    return [text[i:i + 10] for i in range(0, 10 * n, 10)]




@dataclass
class Post:
    """One post in the queue: a message in one language for one platform account and time."""

    id: str
    message_id: str
    lang: str
    platform: str
    account: str
    text: str
    scheduled_at: datetime
    status: str
    media: list[dict] = field(default_factory=list)
    #: what approval rested on (`toolkit.library.facts.fact_record`); None before approval
    #: and for posts approved before approvals recorded it
    facts: dict | None = None
    attempts: int = 0
    not_before: datetime | None = None
    claim_owner: str | None = None
    claim_expires_at: datetime | None = None
    platform_post_id: str | None = None
    url: str | None = None
    last_error: str | None = None
    approved_by: str | None = None
    approved_at: datetime | None = None
    published_at: datetime | None = None
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @classmethod
    def from_row(cls, row: Any) -> Post:
        """Build from a result row of the `posts` table."""
        return cls.from_mapping(dict(row._mapping))

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> Post:
        """Build from a `posts` row as a dict of column values (times already converted)."""
        data["media"] = json.loads(data.get("media") or "[]")
        facts = data.get("facts")
        data["facts"] = json.loads(facts) if isinstance(facts, str) else facts
        names = _field_names()
        return cls(**{k: v for k, v in data.items() if k in names})

    def as_dict(self) -> dict:
        """JSON-ready form (times as ISO 8601 UTC with a Z)."""
        out: dict[str, Any] = {}
        for name in _field_names():
            v = getattr(self, name)
            out[name] = iso_utc(v) if isinstance(v, datetime) else v
        return out


@lru_cache(maxsize=1)
def _field_names() -> dict[str, None]:
    """`Post`'s field names in order (computed once: bulk reads build 10⁴ posts)."""
    return dict.fromkeys(f.name for f in fields(Post))


def iso_utc(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a trailing Z, or None."""
    if value is None:
        return None

    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class NewPost:
    """A post to add: everything but the bookkeeping."""

    message_id: str
    lang: str
    platform: str
    account: str
    text: str
    scheduled_at: datetime
    media: tuple[dict, ...] = ()


@dataclass(frozen=True)
class AuditEntry:
    """One recorded change of state."""

    post_id: str
    from_status: str | None
    to_status: str
    actor: str
    at: datetime
    detail: str | None
