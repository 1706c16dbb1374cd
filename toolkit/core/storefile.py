"""A SQLite store's file, without importing SQLAlchemy: where it is (from its URL), how a
connection to it is set up, whether it may be written and whether it is still the file opened.

Folders that belong beside the store (frozen media, publisher sessions), the engine and the
SQLAlchemy-free paths (`quickread`, `lite`) all go through these.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from toolkit.core.errors import StoreError

#: how long a writer waits for another process's write lock ($TOOLKIT_LOCK_TIMEOUT, seconds)
SQLITE_BUSY_TIMEOUT_S = 30


class StoreGone(StoreError):
    """The SQLite file was removed or replaced under a running process."""


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL (None for other databases, in-memory or URI forms)."""
    if not url.startswith("sqlite"):
        return None
    path = url.split(":///", 1)[1].split("?", 1)[0] if ":///" in url else ""
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    return Path(path)


def lock_timeout_s() -> float:
    """Seconds a writer waits for a lock held by another process before giving up."""
    try:
        return max(float(os.environ.get("TOOLKIT_LOCK_TIMEOUT", SQLITE_BUSY_TIMEOUT_S)), 0.0)
    except ValueError:
        return SQLITE_BUSY_TIMEOUT_S


#: SQLite's durability level for every connection of the store (see `configure_connection`)
SYNCHRONOUS = "FULL"


def configure_connection(dbapi_conn: Any, timeout: float) -> None:
    """Set up a new sqlite3 connection the store's way: transactions begun by the store itself
    (`BEGIN IMMEDIATE` to write), a busy timeout, WAL, synchronous=FULL, foreign keys on.

    FULL: every commit (a claim, a publication's outcome, an approval) is on disk when it
    returns; NORMAL in WAL mode may lose the last commits on a power cut or kernel crash, so a
    post that went out could be claimed and published again (docs/explanation/exactly-once.md,
    Durability)."""
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
    if cur.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA synchronous={SYNCHRONOUS}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def file_identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of a file, or None when it does not exist."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino)


def check_writable(path: Path) -> None:
    """Refuse to write a store whose file or folder is read-only (by its mode bits too, so a
    read-only store stays unchanged even for root)."""
    for target, what in ((path, "file"), (path.parent, "folder")):
        try:
            mode = target.stat().st_mode
        except FileNotFoundError:
            continue
        if not mode & 0o222 or not os.access(target, os.W_OK):
            raise StoreError(f"the store {what} {target} is read-only; nothing was changed")


def check_same_file(path: Path, identity: tuple[int, int]) -> None:
    """Raise `StoreGone` when the file at `path` is no longer the one opened (`identity`): a
    process must never go on writing to a deleted or replaced store."""
    now_id = file_identity(path)
    if now_id is None:
        raise StoreGone(f"the store file {path} was removed while in use")
    if now_id != identity:
        raise StoreGone(f"the store file {path} was replaced while in use")
