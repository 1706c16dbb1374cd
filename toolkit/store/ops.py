"""The store's operations tables: scheduler heartbeats, marks, and the notification outbox.

Kept apart from `store.py` (the queue): these queries serve `toolkit status`, `/healthz` and
the notifier, which read the queue but never change a post.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from toolkit.store.models import APPROVED
from toolkit.store.store import Store
from toolkit.store.tables import audit, heartbeats, notify_events, notify_outbox, ops_marks, posts

#: heartbeats of schedulers gone this long are forgotten
HEARTBEAT_KEEP = timedelta(days=7)


@dataclass(frozen=True)
class AuditRow:
    """One audit entry with its id (the notifier's scan position)."""

    id: int
    post_id: str
    from_status: str | None
    to_status: str
    at: datetime
    detail: str | None


@dataclass(frozen=True)
class Pending:
    """One notification waiting to be sent."""

    id: int
    channel: str
    title: str
    body: str
    attempts: int
    next_try: datetime
    last_error: str | None


# -- heartbeats ---------------------------------------------------------------------------------

def write_heartbeat(store: Store, beat: dict[str, Any]) -> None:
    """Insert or update one scheduler's heartbeat (`beat["id"]`); forget long-gone ones."""
    from toolkit.core.redact import redact

    if beat.get("last_error"):
        beat = {**beat, "last_error": redact(beat["last_error"])}
    with store._write() as conn:
        done = conn.execute(update(heartbeats).where(heartbeats.c.id == beat["id"])
                            .values(**beat)).rowcount
        if not done:
            conn.execute(insert(heartbeats).values(**beat))
        conn.execute(delete(heartbeats).where(
            heartbeats.c.beat_at < beat["beat_at"] - HEARTBEAT_KEEP))


def read_heartbeats(store: Store) -> list[dict[str, Any]]:
    """Every recorded scheduler heartbeat, the freshest first."""
    with store.engine.connect() as conn:
        rows = conn.execute(select(heartbeats).order_by(heartbeats.c.beat_at.desc()))
        return [dict(r._mapping) for r in rows]


# -- marks --------------------------------------------------------------------------------------

def get_mark(store: Store, name: str) -> str | None:
    """A named position (e.g. the last audit id notified), or None."""
    with store.engine.connect() as conn:
        return conn.execute(select(ops_marks.c.value).where(ops_marks.c.name == name)).scalar()


def move_mark(store: Store, name: str, old: str | None, new: str) -> bool:
    """Set a mark from `old` to `new`; False if another process moved it meanwhile."""
    if old is None:
        try:
            with store._write() as conn:
                conn.execute(insert(ops_marks).values(name=name, value=new))
        except IntegrityError:
            return False
        return True
    with store._write() as conn:
        return conn.execute(update(ops_marks).where(ops_marks.c.name == name,
                                                    ops_marks.c.value == old)
                            .values(value=new)).rowcount == 1


def set_mark(store: Store, name: str, value: str) -> None:
    """Set a mark to `value` whatever it was (one committed write)."""
    with store._write() as conn:
        if not conn.execute(update(ops_marks).where(ops_marks.c.name == name)
                            .values(value=value)).rowcount:
            conn.execute(insert(ops_marks).values(name=name, value=value))


def signout_mark(account: str) -> str:
    """The mark `toolkit accounts disconnect` sets for `account` (within the 64 characters a
    mark's name has: a long account name is named by its hash)."""
    name = f"signout:{account}"
    if len(name) <= 64:
        return name
    return f"signout#{hashlib.sha256(account.encode()).hexdigest()[:48]}"


def mark_signed_out(store: Store, account: str, at: datetime) -> None:
    """Record that `account` was disconnected at `at`: saved sessions signed in before it are
    not used again by any scheduler sharing the store."""
    set_mark(store, signout_mark(account), at.astimezone(UTC).isoformat())


def signed_out_at(store: Store, account: str) -> datetime | None:
    """When `account` was last disconnected (`mark_signed_out`), or None."""
    value = get_mark(store, signout_mark(account))
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


# -- reading the queue for people ---------------------------------------------------------------

def audit_since(store: Store, after_id: int, statuses: Sequence[str],
                limit: int = 20_000) -> tuple[list[AuditRow], int]:
    """Audit entries after `after_id` that moved a post into one of `statuses` (not entries
    that leave the status as it was), and the last
    audit id looked at (the next scan starts after it)."""
    with store.engine.connect() as conn:
        ids = conn.execute(select(audit.c.id).where(audit.c.id > after_id)
                           .order_by(audit.c.id).limit(limit)).scalars().all()
        if not ids:
            return [], after_id
        rows = conn.execute(select(audit).where(audit.c.id > after_id, audit.c.id <= ids[-1],
                                                audit.c.to_status.in_(list(statuses)),
                                                # a comment or a link's use moves nothing
                                                audit.c.from_status.is_distinct_from(
                                                    audit.c.to_status))
                            .order_by(audit.c.id))
        found = [AuditRow(r.id, r.post_id, r.from_status, r.to_status, r.at, r.detail)
                 for r in rows]
    return found, ids[-1]


def last_audit(store: Store, statuses: Sequence[str]) -> AuditRow | None:
    """The latest audit entry into one of `statuses` (e.g. the last error)."""
    with store.engine.connect() as conn:
        r = conn.execute(select(audit).where(audit.c.to_status.in_(list(statuses)))
                         .order_by(audit.c.id.desc()).limit(1)).first()
    return None if r is None else AuditRow(r.id, r.post_id, r.from_status, r.to_status, r.at,
                                           r.detail)


def status_counts(store: Store) -> dict[str, int]:
    """How many posts are in each status."""
    with store.engine.connect() as conn:
        rows = conn.execute(select(posts.c.status, func.count()).group_by(posts.c.status))
        return {status: n for status, n in rows}


def next_due(store: Store) -> tuple[datetime, str, str] | None:
    """(time, platform, account) of the earliest approved post, or None."""
    with store.engine.connect() as conn:
        r = conn.execute(select(posts.c.scheduled_at, posts.c.platform, posts.c.account)
                         .where(posts.c.status == APPROVED)
                         .order_by(posts.c.scheduled_at).limit(1)).first()
    return None if r is None else (r[0], r[1], r[2])


# -- the notification outbox --------------------------------------------------------------------

def unsent_keys(store: Store, channel: str, keys: Sequence[str]) -> list[str]:
    """The event keys not yet notified on `channel` (each event is sent once)."""
    if not keys:
        return []
    with store.engine.connect() as conn:
        seen = set(conn.execute(select(notify_events.c.key).where(
            notify_events.c.channel == channel,
            notify_events.c.key.in_(list(keys)))).scalars())
    return [k for k in keys if k not in seen]


def enqueue(store: Store, channel: str, keys: Sequence[str], title: str, body: str,
            now: datetime) -> bool:
    """Record the events `keys` as notified on `channel` and queue their one message, in one
    transaction; False (nothing queued) if another process already recorded one of them.
    Secrets in the title and body are masked (`toolkit.core.redact`)."""
    from toolkit.core.redact import redact

    title, body = redact(title), redact(body)
    try:
        with store._write() as conn:
            if keys:
                conn.execute(insert(notify_events), [
                    {"channel": channel, "key": k, "at": now} for k in keys])
            conn.execute(insert(notify_outbox).values(
                channel=channel, title=title, body=body, created_at=now, next_try=now,
                attempts=0))
    except IntegrityError:
        return False
    return True


def pending(store: Store, now: datetime, limit: int = 20) -> list[Pending]:
    """Unsent notifications due for a (re)try at `now`, oldest first."""
    c = notify_outbox.c
    with store.engine.connect() as conn:
        rows = conn.execute(select(notify_outbox).where(c.sent_at.is_(None), c.next_try <= now)
                            .order_by(c.id).limit(limit))
        return [Pending(r.id, r.channel, r.title, r.body, r.attempts, r.next_try, r.last_error)
                for r in rows]


def claim_notification(store: Store, item: Pending, until: datetime) -> bool:
    """Take one notification for sending (another process skips it until `until`)."""
    c = notify_outbox.c
    with store._write() as conn:
        return conn.execute(update(notify_outbox).where(
            c.id == item.id, c.sent_at.is_(None), c.next_try == item.next_try)
            .values(next_try=until)).rowcount == 1


def record_delivery(store: Store, item: Pending, now: datetime, error: str | None = None,
                    retry_at: datetime | None = None) -> None:
    """Mark a notification sent, or failed with `error` and retried at `retry_at`."""
    from toolkit.core.redact import redact

    values: dict[str, Any] = ({"sent_at": now, "last_error": None} if error is None else
                              {"attempts": item.attempts + 1, "last_error": redact(error),
                               "next_try": retry_at or now})
    with store._write() as conn:
        conn.execute(update(notify_outbox).where(notify_outbox.c.id == item.id).values(**values))


def prune_notifications(store: Store, before: datetime) -> None:
    """Forget messages sent, and events notified, before `before` (the outbox stays small)."""
    with store._write() as conn:
        conn.execute(delete(notify_outbox).where(notify_outbox.c.sent_at < before))
        conn.execute(delete(notify_events).where(notify_events.c.at < before))


def unsent_count(store: Store) -> int:
    """How many notifications wait to be sent (a channel down keeps them here)."""
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(notify_outbox).where(
            notify_outbox.c.sent_at.is_(None))).scalar_one()
