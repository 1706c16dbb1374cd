"""Reading the store: posts, the audit log, account holds and the dispatcher's next wake-up.

Nothing here writes; `Store` brings these together with the state changes and claims.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, case, func, select

from toolkit.core.errors import NotFound
from toolkit.store import sqlite_bulk
from toolkit.store.models import APPROVED, PUBLISHING, AuditEntry, Post
from toolkit.store.tables import account_holds, audit, posts


class Reads:
    """The store's queries (`Store` provides `engine` and `_sqlite`)."""

    engine: Engine
    _sqlite: bool

    def get(self, post_id: str) -> Post:
        """One post; `NotFound` if there is no such id."""
        with self.engine.connect() as conn:
            row = conn.execute(select(posts).where(posts.c.id == post_id)).first()
        if row is None:
            raise NotFound(f"no post with id '{post_id}'")
        return Post.from_row(row)

    def frozen_images(self, digests: Sequence[str]) -> dict[str, bytes]:
        """The bytes of the frozen images the store holds among `digests` (sha256 -> bytes)."""
        from toolkit.store.blobs import load

        with self.engine.connect() as conn:
            return load(conn, digests)

    def list(self, statuses: Sequence[str] | None = None, start: datetime | None = None,
             end: datetime | None = None, ids: Sequence[str] | None = None) -> list[Post]:
        """Posts ordered by time, optionally filtered by status, time window or ids."""
        q = select(posts).order_by(posts.c.scheduled_at, posts.c.id)
        if statuses:
            q = q.where(posts.c.status.in_(list(statuses)))
        if start is not None:
            q = q.where(posts.c.scheduled_at >= start)
        if end is not None:
            q = q.where(posts.c.scheduled_at < end)
        if ids is not None:
            q = q.where(posts.c.id.in_(list(ids)))
        with self.engine.connect() as conn:
            return [Post.from_row(r) for r in conn.execute(q)]

    def brief(self, statuses: Sequence[str] | None = None,
              ids: Sequence[str] | None = None) -> list[Any]:
        """Light rows (id, message_id, lang, platform, account, status, scheduled_at, version,
        text) for bulk work, without building full `Post`s."""
        if self._sqlite:
            with self.engine.connect() as conn, conn.begin():
                return sqlite_bulk.brief(conn.connection.driver_connection, statuses, ids)
        c = posts.c
        q = (select(c.id, c.message_id, c.lang, c.platform, c.account, c.status,
                    c.scheduled_at, c.version, c.text).order_by(c.scheduled_at, c.id))
        if statuses:
            q = q.where(c.status.in_(list(statuses)))
        if ids is not None:
            q = q.where(c.id.in_(list(ids)))
        with self.engine.connect() as conn:
            return conn.execute(q).all()

    def approved_facts(self, missing_only: bool = False) -> list[Any]:
        """Approved posts as light rows (id, message_id, lang, text, and media and facts as
        their JSON text, facts None when absent), for the fact gate; `missing_only`: only those
        without a record (approved before approvals recorded one)."""
        c = posts.c
        q = select(c.id, c.message_id, c.lang, c.text, c.media, c.facts).where(
            c.status == APPROVED)
        if missing_only:
            q = q.where(c.facts.is_(None))
        with self.engine.connect() as conn:
            return conn.execute(q.order_by(c.id)).all()

    def approved_fact_groups(self) -> list[Any]:
        """The distinct records approved posts rest on, for the fact gate: rows of
        (message_id, lang, facts, text, media), text and media only for posts without a
        facts record (judged on their frozen text). 10⁴ approved posts share a few dozen,
        grouped by the database rather than read one by one."""
        c = posts.c
        text = case((c.facts.is_(None), c.text), else_=None).label("text")
        media = case((c.facts.is_(None), c.media), else_=None).label("media")
        q = select(c.message_id, c.lang, c.facts, text, media).where(c.status == APPROVED)
        with self.engine.connect() as conn:
            return conn.execute(q.group_by(c.message_id, c.lang, c.facts, text, media)).all()

    def approved_resting_on(self, group: Any) -> list[str]:
        """The ids of the approved posts resting on one of `approved_fact_groups`' records."""
        c = posts.c
        q = select(c.id).where(c.status == APPROVED, c.message_id == group.message_id,
                               c.lang == group.lang)
        if group.facts is None:
            q = q.where(c.facts.is_(None), c.text == group.text, c.media == group.media)
        else:
            q = q.where(c.facts == group.facts)
        with self.engine.connect() as conn:
            return list(conn.execute(q.order_by(c.id)).scalars())

    def count(self) -> int:
        """How many posts the store holds."""
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(posts)).scalar_one()

    def audit_log(self, post_id: str | None = None) -> list[AuditEntry]:
        """The audit entries, oldest first, optionally for one post."""
        q = select(audit).order_by(audit.c.id)
        if post_id:
            q = q.where(audit.c.post_id == post_id)
        with self.engine.connect() as conn:
            return [AuditEntry(r.post_id, r.from_status, r.to_status, r.actor, r.at, r.detail)
                    for r in conn.execute(q)]

    def queued_by(self, ids: Sequence[str]) -> dict[str, str]:
        """Who queued each of `ids`: the actor of its first audit entry (the four-eyes rule)."""
        with self.engine.connect() as conn, conn.begin():
            if self._sqlite:
                return sqlite_bulk.queued_by(conn.connection.driver_connection, ids)
            found: dict[str, str] = {}
            for i in range(0, len(ids), 900):
                first = (select(func.min(audit.c.id).label("first"))
                         .where(audit.c.post_id.in_(list(ids[i:i + 900])))
                         .group_by(audit.c.post_id).subquery())
                rows = conn.execute(select(audit.c.post_id, audit.c.actor)
                                    .join(first, audit.c.id == first.c.first))
                found.update({r.post_id: r.actor for r in rows})
            return found

    def taken_times(self, account: str, start: datetime, end: datetime,
                    statuses: Sequence[str]) -> set[datetime]:
        """Scheduled times already used by `account` in a window (for slot picking)."""
        q = select(posts.c.scheduled_at).where(
            posts.c.account == account, posts.c.scheduled_at >= start,
            posts.c.scheduled_at < end, posts.c.status.in_(list(statuses)))
        with self.engine.connect() as conn:
            return {r[0] for r in conn.execute(q)}

    def account_times(self, statuses: Sequence[str], start: datetime,
                      accounts: Sequence[str]) -> list[tuple[str, datetime]]:
        """(account, scheduled_at) of the posts in `statuses` from `start` (for quotas)."""
        if self._sqlite:
            with self.engine.connect() as conn, conn.begin():
                return sqlite_bulk.account_times(conn.connection.driver_connection, statuses,
                                                 start, accounts)
        q = select(posts.c.account, posts.c.scheduled_at).where(
            posts.c.status.in_(list(statuses)), posts.c.scheduled_at >= start,
            posts.c.account.in_(list(accounts)))
        with self.engine.connect() as conn:
            return [(r[0], r[1]) for r in conn.execute(q)]

    def holds(self, now: datetime) -> dict[str, datetime]:
        """Accounts held back (rate limited) at `now`, with the time each hold ends."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(account_holds).where(account_holds.c.until > now))
            return {r.account: r.until for r in rows}

    def next_wake(self, now: datetime) -> datetime | None:
        """The earliest time the dispatcher has something to do, or None."""
        with self.engine.connect() as conn:
            held = {r.account: r.until for r in conn.execute(
                select(account_holds).where(account_holds.c.until > now))}
            due = func.coalesce(
                func.max(posts.c.scheduled_at, posts.c.not_before) if self._sqlite
                else func.greatest(posts.c.scheduled_at, posts.c.not_before),
                posts.c.scheduled_at)
            q = select(func.min(due)).where(posts.c.status == APPROVED)
            if held:
                q = q.where(posts.c.account.not_in(list(held)))
            candidates = [conn.execute(q).scalar()]
            candidates.append(conn.execute(select(func.min(posts.c.claim_expires_at)).where(
                posts.c.status == PUBLISHING)).scalar())
            if held:
                for account, until in held.items():
                    n = conn.execute(select(func.count()).select_from(posts).where(
                        posts.c.status == APPROVED, posts.c.account == account)).scalar_one()
                    if n:
                        candidates.append(until)
        found = [_aware(c) for c in candidates if c is not None]
        return min(found) if found else None


def _aware(value: datetime) -> datetime:
    if isinstance(value, str):  # SQLite aggregates come back as text
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
