"""Opening the store's database: SQLite by default (WAL, busy timeout), any SQLAlchemy URL.

For SQLite every transaction starts with `BEGIN IMMEDIATE`, so two processes never deadlock on
a read-then-write upgrade: the second writer waits (busy timeout) instead of failing.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event

SQLITE_BUSY_TIMEOUT_S = 30


def make_engine(url: str) -> Engine:
    """Create the engine for `url`, creating the SQLite file's folder when needed."""
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True)


def _sqlite_engine(url: str) -> Engine:
    path = url.split(":///", 1)[1] if ":///" in url else ""
    if path and path != ":memory:" and not path.startswith("file:"):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # noqa: ANN001
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # noqa: ANN001
        # writers take the lock up front; readers never block anyone (WAL)
        write = conn.get_execution_options().get("write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine
