"""Opening the store's database: SQLite by default (WAL, busy timeout), or PostgreSQL.

For SQLite every transaction starts with `BEGIN IMMEDIATE`, so two processes never deadlock on
a read-then-write upgrade: the second writer waits (busy timeout) instead of failing. A
`postgresql://` URL uses psycopg 3 (the `postgres` extra).
"""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from toolkit.core.errors import StoreError
from toolkit.core.storefile import configure_connection, lock_timeout_s, sqlite_path

POSTGRES_HINT = "install the postgres extra: pip install -e '.[postgres]'"


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
        configure_connection(dbapi_conn, timeout)  # we issue BEGIN ourselves

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        # writers take the lock up front; readers never block anyone (WAL)
        write = conn.get_execution_options().get("write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine
