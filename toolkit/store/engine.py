"""Opening the store's database: SQLite by default (WAL, busy timeout), or PostgreSQL.

For SQLite every transaction starts with `BEGIN IMMEDIATE`, so two processes never deadlock on
a read-then-write upgrade: the second writer waits (busy timeout) instead of failing. A
`postgresql://` URL uses psycopg 3 (the `postgres` extra).
"""

from __future__ import annotations

import os

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from toolkit.errors import StoreError
from toolkit.store.location import sqlite_path

#: how long a writer waits for another process's write lock ($TOOLKIT_LOCK_TIMEOUT, seconds)
SQLITE_BUSY_TIMEOUT_S = 30
POSTGRES_HINT = "install the postgres extra: pip install -e '.[postgres]'"


def lock_timeout_s() -> float:
    """Seconds a writer waits for a lock held by another process before giving up."""
    try:
        return max(float(os.environ.get("TOOLKIT_LOCK_TIMEOUT", SQLITE_BUSY_TIMEOUT_S)), 0.0)
    except ValueError:
        return SQLITE_BUSY_TIMEOUT_S


def driver_url(url: str) -> str:
    """`postgresql://` and `postgres://` mean psycopg 3; every other URL is kept as given."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str) -> Engine:
    """Create the engine for `url`, creating the SQLite file's folder when needed."""
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    url = driver_url(url)
    if make_url(url).get_backend_name() == "postgresql":
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise StoreError(f"the store is PostgreSQL but its driver is missing; "
                             f"{POSTGRES_HINT}") from None
    return create_engine(url, pool_pre_ping=True)


def _sqlite_engine(url: str) -> Engine:
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    timeout = lock_timeout_s()
    engine = create_engine(url, connect_args={"timeout": timeout})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
        if cur.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        # writers take the lock up front; readers never block anyone (WAL)
        write = conn.get_execution_options().get("write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine
