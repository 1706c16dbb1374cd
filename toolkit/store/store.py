"""The store: the single source of truth for the queue.

Every change of state is one conditional update (`… WHERE id=? AND status=?`) committed in the
same transaction as its audit entry. Nothing here knows about platforms or APScheduler.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, insert, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql import ClauseElement, Insert

from toolkit.errors import InvalidTransition, NotFound, StoreError
from toolkit.store import pgbulk
from toolkit.store.engine import make_engine, sqlite_path
from toolkit.store.failures import StoreGone, describe
from toolkit.store.models import APPROVED, PUBLISHING, AuditEntry, NewPost, Post
from toolkit.store.schema import (
    UTCDateTime,
    account_holds,
    audit,
    migrate,
    missing_columns,
    pending,
    posts,
    sqlite_time,
)

#: from this many changes on, `transition_many` sends executemany batches
BULK_MIN = 50


def new_post_id() -> str:
    """A short random id (10 base32 characters, 50 bits): unique across stores and resets."""
    return base64.b32encode(secrets.token_bytes(7)).decode()[:10].lower()


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class Store:
    """The queue's database: posts, their audit log and per-account holds."""

    def __init__(self, url: str, now: datetime | None = None) -> None:
        self.url = url
        self.path = sqlite_path(url)
        self._identity: tuple[int, int] | None = None
        try:
            self.engine = make_engine(url)
            self._writer = self.engine.execution_options(write=True)
            self.applied_migrations = self._open(now or utcnow())
        except StoreError:
            raise
        except (OSError, SQLAlchemyError) as exc:
            raise (describe(exc, f"the store {safe_url(url)}")
                   or StoreError(f"cannot open the store {safe_url(url)}")) from None
        except ValueError:  # e.g. a port that is not a number (its text may hold a secret)
            raise StoreError("the store URL is not valid: check its form, e.g. "
                             "postgresql://user@host:5432/name") from None
        except ImportError as exc:
            raise StoreError(f"the store {safe_url(url)} needs a database driver that is not "
                             f"installed ({exc.name or exc})") from None

    def _open(self, now: datetime) -> list[str]:
        """Check the schema version reading only; take the write lock only to migrate."""
        with self.engine.connect() as conn:
            todo = pending(conn)
            missing = [] if todo else missing_columns(conn)
            if self.path is not None:
                self._identity = _file_identity(self.path)
        applied: list[str] = []
        if todo:
            with self._write() as conn:
                applied = migrate(conn, now)
                missing = missing_columns(conn)
            if self.path is not None and self._identity is None:
                self._identity = _file_identity(self.path)
        if missing:
            raise StoreError(f"the store {safe_url(self.url)} is damaged: missing column(s) "
                             f"{', '.join(missing)}; restore it from a backup")
        return applied

    def check_file(self) -> None:
        """Raise `StoreGone` when the SQLite file was removed or replaced since it was opened
        (a process must never go on writing to a deleted file)."""
        if self.path is None or self._identity is None:
            return
        now_id = _file_identity(self.path)
        if now_id is None:
            raise StoreGone(f"the store file {self.path} was removed while in use")
        if now_id != self._identity:
            raise StoreGone(f"the store file {self.path} was replaced while in use")

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()

    # -- reading -------------------------------------------------------------------------------

    def get(self, post_id: str) -> Post:
        """One post; `NotFound` if there is no such id."""
        with self.engine.connect() as conn:
            row = conn.execute(select(posts).where(posts.c.id == post_id)).first()
        if row is None:
            raise NotFound(f"no post with id '{post_id}'")
        return Post.from_row(row)

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
        """Light rows (id, message_id, lang, platform, account, status, scheduled_at, text) for
        bulk work, without building full `Post`s."""
        c = posts.c
        q = (select(c.id, c.message_id, c.lang, c.platform, c.account, c.status,
                    c.scheduled_at, c.text).order_by(c.scheduled_at, c.id))
        if statuses:
            q = q.where(c.status.in_(list(statuses)))
        if ids is not None:
            q = q.where(c.id.in_(list(ids)))
        with self.engine.connect() as conn:
            return conn.execute(q).all()

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

    def _executemany(self, conn: Connection, stmt: Any, rows: list[dict]) -> None:
        """Run `stmt` for many rows. On SQLite the statement is compiled once and the rows go
        straight to the driver's executemany (SQLAlchemy's per-row parameter processing costs
        more than the insert itself at 10⁴ rows); elsewhere SQLAlchemy's executemany."""
        if not rows:
            return
        if not self._sqlite:
            table = getattr(stmt, "table", None)
            if isinstance(stmt, Insert) and str(stmt) == str(insert(table)):  # a bare INSERT
                pgbulk.insert_rows(conn, table, rows)
            else:
                conn.execute(stmt, rows)
            return
        compiled = stmt.compile(dialect=conn.dialect, column_keys=list(rows[0]))
        names = compiled.positiontup
        fixed = {k: _sqlite_value(v) for k, v in compiled.params.items()}
        cache: dict[datetime, str] = {}

        def value(v: Any) -> Any:
            if not isinstance(v, datetime):
                return v
            text = cache.get(v)
            if text is None:
                text = cache[v] = _sqlite_value(v)
            return text

        params = [tuple([value(row[n]) if n in row else fixed[n] for n in names])
                  for row in rows]
        conn.exec_driver_sql(compiled.string, params)

    def _write(self):  # noqa: ANN202 - a context manager yielding a Connection
        """A write transaction (on SQLite: BEGIN IMMEDIATE, so writers wait, never deadlock),
        after checking that the SQLite file is still the one opened and may be written."""
        if self.path is not None:
            self.check_file()
            _check_writable(self.path)
        return self._writer.begin()

    def write_transaction(self):  # noqa: ANN201 - a context manager yielding a Connection
        """A write transaction for bulk work outside the state changes (e.g. `store copy`)."""
        return self._write()

    @property
    def _sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    # -- writing -------------------------------------------------------------------------------

    def add(self, new: Iterable[NewPost], actor: str, now: datetime,
            status: str = "draft") -> list[str]:
        """Insert posts in one transaction (all or none); return their ids."""
        rows, entries = [], []
        for p in new:
            pid = new_post_id()
            rows.append({
                "id": pid, "message_id": p.message_id, "lang": p.lang, "platform": p.platform,
                "account": p.account, "text": p.text, "media": json.dumps(list(p.media)),
                "scheduled_at": p.scheduled_at, "status": status, "attempts": 0, "version": 1,
                "created_at": now, "updated_at": now,
            })
            entries.append({"post_id": pid, "from_status": None, "to_status": status,
                            "actor": actor, "at": now, "detail": "queued"})
        if rows:
            with self._write() as conn:
                self._executemany(conn, insert(posts), rows)
                self._executemany(conn, insert(audit), entries)
        return [r["id"] for r in rows]

    def transition(self, post_id: str, allowed_from: Sequence[str], to: str, actor: str,
                   now: datetime, detail: str | None = None, **values: Any) -> Post:
        """Move one post to `to` if it is in one of `allowed_from`; audit it; return it."""
        with self._write() as conn:
            row = conn.execute(select(posts.c.status).where(posts.c.id == post_id)).first()
            if row is None:
                raise NotFound(f"no post with id '{post_id}'")
            if row.status not in allowed_from:
                raise InvalidTransition(f"post {post_id} is {row.status}; cannot make it {to} "
                                        f"(only from {', '.join(allowed_from)})")
            if not self._apply(conn, post_id, row.status, to, actor, now, detail, values):
                raise InvalidTransition(f"post {post_id} changed while being updated; try again")
        return self.get(post_id)

    def transition_many(self, changes: Sequence[tuple[str, str, dict]], to: str, actor: str,
                        now: datetime, detail: str | None = None,
                        owner: str | None = None) -> list[str]:
        """Move many posts in one transaction: (id, expected status, values) each.

        Returns the ids that moved; a post whose status changed meanwhile is left alone.
        """
        if len(changes) < BULK_MIN or owner is not None:
            moved: list[str] = []
            with self._write() as conn:
                for post_id, expected, values in changes:
                    if self._apply(conn, post_id, expected, to, actor, now, detail, values,
                                   owner):
                        moved.append(post_id)
            return moved
        return self._transition_bulk(changes, to, actor, now, detail)

    def _transition_bulk(self, changes: Sequence[tuple[str, str, dict]], to: str, actor: str,
                         now: datetime, detail: str | None) -> list[str]:
        """The same conditional updates as `_apply`, sent as executemany batches.

        Inside one write transaction (SQLite: BEGIN IMMEDIATE; elsewhere rows are locked
        with SELECT … FOR UPDATE) the rows still in their expected status are found first, so
        the audit is written for exactly the posts that moved.
        """
        expected_of = {pid: exp for pid, exp, _ in changes}
        moved: list[str] = []
        with self._write() as conn:
            ids = list(expected_of)
            current: dict[str, str] = {}
            for i in range(0, len(ids), 900):
                chunk = ids[i:i + 900]
                q = select(posts.c.id, posts.c.status).where(posts.c.id.in_(chunk))
                if not self._sqlite:
                    q = q.with_for_update()
                current.update({r.id: r.status for r in conn.execute(q)})
            groups: dict[tuple[str, ...], list[dict]] = {}
            for pid, exp, values in changes:
                if current.get(pid) != exp:
                    continue
                vals = dict(values)
                if "media" in vals and not isinstance(vals["media"], str):
                    vals["media"] = json.dumps(list(vals["media"]))
                groups.setdefault(tuple(sorted(vals)), []).append(
                    {"b_id": pid, "b_expected": exp, **{f"v_{k}": v for k, v in vals.items()}})
                moved.append(pid)
            for keys, rows in groups.items():
                if not self._sqlite:  # one UPDATE over unnest arrays (rows locked above)
                    pgbulk.update_rows(conn, posts, "id", "status", [
                        {"id": r["b_id"], "expected": r["b_expected"],
                         **{k: r[f"v_{k}"] for k in keys}} for r in rows],
                        {"status": to, "updated_at": now}, bump="version")
                    continue
                stmt = (update(posts)
                        .where(posts.c.id == bindparam("b_id"),
                               posts.c.status == bindparam("b_expected"))
                        .values(status=to, updated_at=now, version=posts.c.version + 1,
                                **{k: bindparam(f"v_{k}") for k in keys}))
                self._executemany(conn, stmt, rows)
            if moved:
                self._executemany(conn, insert(audit), [
                    {"post_id": pid, "from_status": expected_of[pid], "to_status": to,
                     "actor": actor, "at": now, "detail": detail} for pid in moved])
        return moved

    def _apply(self, conn: Connection, post_id: str, expected: str, to: str, actor: str,
               now: datetime, detail: str | None, values: dict,
               owner: str | None = None) -> bool:
        """The one conditional update every change of state goes through, plus its audit.

        With `owner`, the post must also still be claimed by that owner (a dispatcher that
        lost its claim changes nothing)."""
        vals = dict(values)
        if "media" in vals and not isinstance(vals["media"], str):
            vals["media"] = json.dumps(list(vals["media"]))
        if any(isinstance(v, ClauseElement) for v in vals.values()):
            where = [posts.c.id == post_id, posts.c.status == expected]
            if owner is not None:
                where.append(posts.c.claim_owner == owner)
            result = conn.execute(
                update(posts).where(*where)
                .values(status=to, updated_at=now, version=posts.c.version + 1, **vals))
        else:  # the hot path: one prepared statement per set of columns
            params = {"b_id": post_id, "b_expected": expected, "b_owner": owner, "b_to": to,
                      "b_now": now, **{f"v_{k}": v for k, v in vals.items()}}
            result = conn.execute(_update_statement(tuple(sorted(vals)), owner is not None),
                                  params)
        if result.rowcount != 1:
            return False
        conn.execute(_AUDIT_INSERT, {"post_id": post_id, "from_status": expected,
                                     "to_status": to, "actor": actor, "at": now,
                                     "detail": detail})
        return True

    def claim_due(self, now: datetime, owner: str, lease: timedelta, limit: int,
                  not_accounts: Sequence[str] = ()) -> list[Post]:
        """Claim up to `limit` due approved posts for `owner`, committed before any publish.

        Each claim is the conditional update `… WHERE id=? AND status='approved'`, so two
        dispatchers on one store never claim the same post. On PostgreSQL the candidates are
        locked with `FOR UPDATE SKIP LOCKED`: schedulers split due posts without waiting on
        each other (SQLite has one writer at a time anyway).
        """
        q = (select(posts.c.id).where(
            posts.c.status == APPROVED, posts.c.scheduled_at <= now,
            or_(posts.c.not_before.is_(None), posts.c.not_before <= now))
            .order_by(posts.c.scheduled_at, posts.c.id).limit(limit))
        if not_accounts:
            q = q.where(posts.c.account.not_in(list(not_accounts)))
        if not self._sqlite:
            q = q.with_for_update(skip_locked=True)
        claimed: list[str] = []
        with self._write() as conn:
            for (post_id,) in conn.execute(q).all():
                values = {"claim_owner": owner, "claim_expires_at": now + lease,
                          "attempts": posts.c.attempts + 1}
                if self._apply(conn, post_id, APPROVED, PUBLISHING, owner, now, "claimed",
                               values):
                    claimed.append(post_id)
        return self.list(ids=claimed) if claimed else []

    def stale_claims(self, now: datetime, dead_owner: Any = None) -> list[Post]:
        """Posts in `publishing` whose claim expired, or whose owner `dead_owner(owner)` says
        is gone (a crashed process on this host)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(posts).where(posts.c.status == PUBLISHING)).all()
        out = []
        for r in rows:
            p = Post.from_row(r)
            expired = p.claim_expires_at is not None and p.claim_expires_at <= now
            if expired or (dead_owner is not None and p.claim_owner and dead_owner(p.claim_owner)):
                out.append(p)
        return out

    def take_over_claim(self, post: Post, owner: str, now: datetime, lease: timedelta) -> bool:
        """Take a stale claim over (conditional on the old owner still holding it)."""
        with self._write() as conn:
            result = conn.execute(
                update(posts).where(and_(posts.c.id == post.id, posts.c.status == PUBLISHING,
                                         posts.c.claim_owner == post.claim_owner))
                .values(claim_owner=owner, claim_expires_at=now + lease, updated_at=now,
                        version=posts.c.version + 1))
            if result.rowcount != 1:
                return False
            conn.execute(insert(audit).values(
                post_id=post.id, from_status=PUBLISHING, to_status=PUBLISHING, actor=owner,
                at=now, detail=f"took over stale claim of {post.claim_owner}"))
        return True

    def hold_account(self, account: str, until: datetime, reason: str) -> None:
        """Hold an account back until `until` (rate limited); other accounts go on."""
        with self._write() as conn:
            done = conn.execute(update(account_holds).where(account_holds.c.account == account)
                                .values(until=until, reason=reason)).rowcount
            if not done:
                conn.execute(insert(account_holds).values(account=account, until=until,
                                                          reason=reason))


_AUDIT_INSERT = insert(audit)


@lru_cache(maxsize=64)
def _update_statement(keys: tuple[str, ...], check_owner: bool) -> Any:
    """The conditional state-change UPDATE for one set of columns, built once."""
    where = [posts.c.id == bindparam("b_id"), posts.c.status == bindparam("b_expected")]
    if check_owner:
        where.append(posts.c.claim_owner == bindparam("b_owner"))
    return (update(posts).where(*where)
            .values(status=bindparam("b_to"), updated_at=bindparam("b_now", type_=UTCDateTime),
                    version=posts.c.version + 1, **{k: bindparam(f"v_{k}") for k in keys}))


def safe_url(url: str) -> str:
    """A store URL without its password, for logs and errors."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an error message must never fail
        return "(store)"


def _file_identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of a file, or None when it does not exist."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino)


def _check_writable(path: Path) -> None:
    """Refuse to write a store whose file or folder is read-only (by its mode bits too, so a
    read-only store stays unchanged even for root)."""
    for target, what in ((path, "file"), (path.parent, "folder")):
        try:
            mode = target.stat().st_mode
        except FileNotFoundError:
            continue
        if not mode & 0o222 or not os.access(target, os.W_OK):
            raise StoreError(f"the store {what} {target} is read-only; nothing was changed")


def _sqlite_value(value: Any) -> Any:
    """A Python value as the SQLite driver should get it (times as UTCDateTime stores them)."""
    return sqlite_time(value) if isinstance(value, datetime) else value


def _aware(value: datetime) -> datetime:
    if isinstance(value, str):  # SQLite aggregates come back as text
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
