"""The store: the single source of truth for the queue.

Every change of state is one conditional update (`… WHERE id=? AND status=?`) committed in the
same transaction as its audit entry. Nothing here knows about platforms or APScheduler.
`Store` opens and migrates the database and adds posts; its queries are in `reads.py`, its
changes of state in `changes.py` and the dispatcher's claims in `claims.py`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Connection, insert
from sqlalchemy.exc import SQLAlchemyError

from toolkit.core import clock
from toolkit.core.errors import StoreError
from toolkit.core.storefile import check_same_file, check_writable, file_identity, sqlite_path
from toolkit.store import models, sqlite_bulk
from toolkit.store.changes import StateChanges
from toolkit.store.claims import Claims
from toolkit.store.engine import make_engine
from toolkit.store.failures import describe
from toolkit.store.migrations import migrate, missing_columns, pending
from toolkit.store.models import NewPost
from toolkit.store.reads import Reads
from toolkit.store.tables import audit, posts


class Store(Reads, StateChanges, Claims):
    """The queue's database: posts, their audit log and per-account holds.

    Opening, migrating and write transactions live here; the queries in `Reads`, the changes
    of state in `StateChanges`, the dispatcher's claims in `Claims`.
    """

    def __init__(self, url: str, now: datetime | None = None) -> None:
        self.url = url
        self.path = sqlite_path(url)
        self._identity: tuple[int, int] | None = None
        _refuse_raw_at(url)
        try:
            self.engine = make_engine(url)
            self._writer = self.engine.execution_options(write=True)
            self.applied_migrations = self._open(now or clock.now())
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
                self._identity = file_identity(self.path)
        applied: list[str] = []
        if todo:
            with self._write() as conn:
                applied = migrate(conn, now)
                missing = missing_columns(conn)
            if self.path is not None and self._identity is None:
                self._identity = file_identity(self.path)
        if missing:
            raise StoreError(f"the store {safe_url(self.url)} is damaged: missing column(s) "
                             f"{', '.join(missing)}; restore it from a backup")
        return applied

    def check_file(self) -> None:
        """Raise `StoreGone` when the SQLite file was removed or replaced since it was opened
        (a process must never go on writing to a deleted file)."""
        if self.path is not None and self._identity is not None:
            check_same_file(self.path, self._identity)

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A write transaction (on SQLite: BEGIN IMMEDIATE, so writers wait, never deadlock),
        after checking that the SQLite file is still the one opened and may be written, and
        again once the lock is held (it may have been replaced meanwhile)."""
        if self.path is not None:
            self.check_file()
            check_writable(self.path)
        with self._writer.begin() as conn:
            self.check_file()
            yield conn

    def write_transaction(self):  # a context manager yielding a Connection
        """A write transaction for bulk work outside the state changes (e.g. `store copy`)."""
        return self._write()

    @property
    def _sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def add(self, new: Iterable[NewPost], actor: str, now: datetime,
            status: str = "draft") -> list[str]:
        """Insert posts in one transaction (all or none); return their ids."""
        new = list(new)
        if self._sqlite:
            if not new:
                return []
            with self._write() as conn:
                return sqlite_bulk.add_posts(conn.connection.driver_connection, new, actor, now,
                                             status)
        rows, entries = [], []
        for p, pid in zip(new, models.new_post_ids(len(new)), strict=True):
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


def safe_url(url: str) -> str:
    """A store URL without its password (in its user info or its query), for logs and errors."""
    from sqlalchemy.engine import make_url

    from toolkit.core.redact import redact

    try:
        return redact(make_url(url).render_as_string(hide_password=True))
    except Exception:  # an error message must never fail
        return "(store)"


def _refuse_raw_at(url: str) -> None:
    """A URL whose user info holds a second `@` (a password with an unencoded `@`) is parsed
    with part of the password as the host, which error lines would then show: refused first."""
    from toolkit.core.redact import register, url_password

    authority = url.split("://", 1)[-1].split("/", 1)[0]
    if authority.count("@") > 1:
        register([url_password(url)])
        raise StoreError("the store URL's password holds '@': write it as %40 (e.g. "
                         "postgresql://user:p%40ss@host/name)")
