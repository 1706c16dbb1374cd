"""The queue's bulk work on a SQLite store without importing SQLAlchemy: `queue import` and
`queue approve` (about 0.13 s of each command is SQLAlchemy's import alone).

`LiteStore` offers what `Planner` uses for that work (`brief`, `add`, `transition_many`,
`queued_by`, `account_times`) and nothing else. Its SQL is `sqlite_bulk`'s, the very functions
`Store` runs on SQLite, in the same kind of transactions (`BEGIN IMMEDIATE` to write) on a
connection set up the same way. Opening a store through `Store` would also check its schema and
migrate it; here the same checks are made with sqlite3 against the shape the last full open
recorded (`quickread`), at opening and again inside every transaction. Whenever they cannot be
shown to hold (another database, other store code, a migration pending, a column missing)
`open` gives None and the caller opens the full `Store`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from toolkit.core.errors import StoreError
from toolkit.core.storefile import (
    check_same_file,
    check_writable,
    configure_connection,
    file_identity,
    lock_timeout_s,
)
from toolkit.store import sqlite_bulk
from toolkit.store.blobs import Blobs
from toolkit.store.models import Detail, NewPost
from toolkit.store.quickread import plain_sqlite_file, recorded_shape, schema_matches


class LiteStore:
    """A SQLite store opened with the standard library, for the queue's bulk work only."""

    def __init__(self, url: str, path: Path, db: sqlite3.Connection, shape: dict,
                 identity: tuple[int, int]) -> None:
        self.url, self.path, self._db, self._shape = url, path, db, shape
        self._identity = identity

    @classmethod
    def open(cls, url: str, shape_file: Path) -> LiteStore | None:
        """The store at `url` if it is an existing SQLite file that `Store` would open as it is
        (no migration to apply, no column missing); else None."""
        path = plain_sqlite_file(url)
        shape = recorded_shape(shape_file)
        if path is None or shape is None:
            return None
        identity = file_identity(path)
        try:
            db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True,
                                 timeout=lock_timeout_s())
        except sqlite3.Error:
            return None
        try:
            configure_connection(db, lock_timeout_s())
            db.execute("BEGIN")
            try:
                usable = schema_matches(db, shape)
            finally:
                db.execute("COMMIT")
        except sqlite3.Error:
            usable = False
        if not usable or identity is None:
            db.close()
            return None
        return cls(url, path, db, shape, identity)

    def close(self) -> None:
        """Release the connection."""
        self._db.close()

    @contextmanager
    def _transaction(self, write: bool = False) -> Iterator[sqlite3.Connection]:
        """A transaction (`BEGIN IMMEDIATE` to write, after checking that the file is still the
        one opened and may be written) in which the schema is checked again first."""
        if write:
            check_same_file(self.path, self._identity)
            check_writable(self.path)
        self._db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            if write:  # it may have been replaced while this waited for the lock
                check_same_file(self.path, self._identity)
            if not schema_matches(self._db, self._shape):
                raise StoreError(f"the store {self.path} was changed by another version of the "
                                 "toolkit while in use; run the command again")
            yield self._db
        except BaseException:
            if self._db.in_transaction:  # SQLite may have rolled back itself (disk full)
                self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def brief(self, statuses: Sequence[str] | None = None,
              ids: Sequence[str] | None = None) -> list[sqlite_bulk.Brief]:
        """As `Store.brief`: light rows in time order."""
        with self._transaction() as db:
            return sqlite_bulk.brief(db, statuses, ids)

    def add(self, new: Iterable[NewPost], actor: str, now: datetime,
            status: str = "draft") -> list[str]:
        """As `Store.add`: insert posts in one transaction (all or none); return their ids."""
        new = list(new)
        if not new:
            return []
        with self._transaction(write=True) as db:
            return sqlite_bulk.add_posts(db, new, actor, now, status)

    def transition_many(self, changes: Sequence[tuple[str, str, dict]], to: str, actor: str,
                        now: datetime, detail: Detail = None,
                        revisions: dict[str, int] | None = None,
                        media: Blobs | None = None) -> list[str]:
        """As `Store.transition_many` (without claims): move the posts still in their expected
        status (and revision) in one transaction, with the images `media` holds that they
        name; return the ids that moved."""
        if not changes:
            return []
        with self._transaction(write=True) as db:
            return sqlite_bulk.transition(db, changes, to, actor, now, detail, revisions,
                                          media)

    def queued_by(self, ids: Sequence[str]) -> dict[str, str]:
        """As `Store.queued_by`: who queued each post (its first audit entry's actor)."""
        with self._transaction() as db:
            return sqlite_bulk.queued_by(db, ids)

    def account_times(self, statuses: Sequence[str], start: datetime,
                      accounts: Sequence[str]) -> list[tuple[str, datetime]]:
        """As `Store.account_times`: (account, time) of posts counted by quotas."""
        with self._transaction() as db:
            return sqlite_bulk.account_times(db, statuses, start, accounts)
