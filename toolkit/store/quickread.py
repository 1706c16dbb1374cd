"""Listing posts from a SQLite store without importing SQLAlchemy (~0.1 s of every command).

`toolkit queue list` only reads, yet opening the store through `Store` imports SQLAlchemy and
checks the schema (pending migrations, missing columns). That check needs facts of the code -
the migration names and every table's columns - which only SQLAlchemy's metadata knows. So the
first full open records them (`remember_shape`) in a small JSON file keyed by the store code's
files (name, size, mtime); later reads (`list_posts`) make the very same checks with `sqlite3`
in the same read transaction as the query, and give up (None: use `Store`) whenever anything
differs: other store code, a migration not recorded, a missing column or table, another
database, any SQLite error. So the fast path returns exactly what `Store.list` would, or
nothing.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from toolkit.core.atomic import write_atomic
from toolkit.core.storefile import sqlite_path
from toolkit.store.models import Post

STORE_CODE = Path(__file__).resolve().parent


def utc_from_store(value: Any) -> datetime | None:
    """A stored time as an aware UTC datetime (SQLite text, or a driver's datetime)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def sqlite_time(value: datetime) -> str:
    """An aware datetime as the store's SQLite text (`2026-12-01 15:00:00.000000`, UTC)."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the store; times must be timezone-aware")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def code_stamp() -> list[list]:
    """(name, size, mtime) of every file of the store's code: any edit or upgrade changes it."""
    stamp = []
    for entry in sorted(os.scandir(STORE_CODE), key=lambda e: e.name):
        if entry.name.endswith(".py"):
            st = entry.stat()
            stamp.append([entry.name, st.st_size, st.st_mtime_ns])
    return stamp


#: the store code's stamp when this process loaded it, by folder
_LOADED: dict[Path, list[list]] = {}


def loaded_stamp() -> list[list]:
    """The stamp of the store code this process runs (taken when it was first imported)."""
    return _LOADED.setdefault(STORE_CODE, code_stamp())


loaded_stamp()  # now, as the store's modules are loaded


def remember_shape(shape_file: Path, migrations: Sequence[str],
                   tables: dict[str, list[str]], time_columns: Sequence[str]) -> None:
    """Record the code's migration names, tables' columns and `posts`' time columns (as the
    full `Store` open checked them) for this code stamp; best effort (a read-only folder
    just keeps the slow path). Nothing is recorded when the code on disk is no longer the
    code running (an upgrade landed meanwhile): its shape may differ."""
    stamp = code_stamp()
    if stamp != loaded_stamp():
        return
    shape = {"code": stamp, "migrations": list(migrations), "tables": tables,
             "time_columns": list(time_columns)}
    try:
        if shape_file.exists() and json.loads(shape_file.read_text("utf-8")) == shape:
            return
        shape_file.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(shape_file, json.dumps(shape))
    except (OSError, ValueError):
        pass


@contextmanager
def _checked(url: str, shape_file: Path
             ) -> Iterator[tuple[sqlite3.Connection, dict] | tuple[None, None]]:
    """A read-only connection in a read transaction on the store file of `url` and the
    recorded shape, once the schema checks `Store` makes have passed; (None, None) when that
    cannot be shown to be safe."""
    path = plain_sqlite_file(url)
    shape = recorded_shape(shape_file)
    if path is None or shape is None:
        yield None, None
        return
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        yield None, None
        return
    try:
        conn.execute("BEGIN")
        yield (conn, shape) if schema_matches(conn, shape) else (None, None)
    finally:
        conn.close()


def list_posts(url: str, shape_file: Path,
               statuses: Sequence[str] | None = None) -> list[Post] | None:
    """`Store(url).list(statuses)` read with sqlite3, or None when that cannot be shown to be
    the same (the caller then opens the store as usual)."""
    try:
        with _checked(url, shape_file) as (conn, shape):
            if conn is None:
                return None
            sql = "SELECT * FROM posts"
            if statuses:
                sql += f" WHERE status IN ({', '.join('?' * len(statuses))})"
            cursor = conn.execute(sql + " ORDER BY scheduled_at, id", tuple(statuses or ()))
            times = set(shape["time_columns"])
            return [Post.from_mapping(row) for row in _dicts(cursor, times)]
    except (sqlite3.Error, ValueError, TypeError):
        return None


def _dicts(cursor: sqlite3.Cursor, time_columns: Sequence[str] | set[str]) -> list[dict]:
    """The cursor's rows as dicts, the named time columns as aware UTC datetimes."""
    names = [d[0] for d in cursor.description]
    times = [i for i, n in enumerate(names) if n in time_columns]
    rows = []
    for row in cursor:
        values = list(row)
        for i in times:
            values[i] = utc_from_store(values[i])
        rows.append(dict(zip(names, values, strict=True)))
    return rows


def read_rows(url: str, shape_file: Path, queries: Sequence[tuple[str, tuple]],
              time_columns: Sequence[str] = ()) -> list[list[Any]] | None:
    """The rows of each `(sql, params)` query, read with sqlite3 in one read transaction
    after the same schema checks as `list_posts`: as dicts with the columns named in
    `time_columns` as aware UTC datetimes, or (none named) as `sqlite3.Row`s, times as the
    store's text; None when that cannot be shown to be safe."""
    try:
        with _checked(url, shape_file) as (conn, _):
            if conn is None:
                return None
            out = []
            for sql, params in queries:
                cursor = conn.execute(sql, params)
                if time_columns:
                    out.append(_dicts(cursor, time_columns))
                else:  # rows read by name, built in C
                    cursor.row_factory = sqlite3.Row
                    out.append(cursor.fetchall())
            return out
    except (sqlite3.Error, ValueError, TypeError):
        return None


def plain_sqlite_file(url: str) -> Path | None:
    """The existing database file of a plain `sqlite:///path` URL, else None."""
    path = sqlite_path(url)
    if path is None or not url.startswith("sqlite:///") or any(c in url for c in "?%"):
        return None  # only a plain file URL: a driver name, query or escape needs SQLAlchemy
    return path if path.is_file() else None


def recorded_shape(shape_file: Path) -> dict | None:
    """The recorded shape if it was recorded by this very store code."""
    try:
        shape = json.loads(shape_file.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(shape, dict) or shape.get("code") != code_stamp() or not _well_formed(
            shape):
        return None
    return shape


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _well_formed(shape: dict) -> bool:
    """The recorded shape has the form `remember_shape` writes (a damaged file: the full
    open, which records it again)."""
    tables = shape.get("tables")
    return (_strings(shape.get("migrations")) and _strings(shape.get("time_columns"))
            and isinstance(tables, dict)
            and all(isinstance(k, str) and _strings(v) for k, v in tables.items()))


def schema_matches(conn: sqlite3.Connection, shape: dict) -> bool:
    """The checks `Store` makes when opening: the file in WAL mode, no migration pending, no
    expected column missing in any table that exists (and `posts` exists)."""
    if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        return False  # `Store` would switch it to WAL first (a write)
    have = {r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    if "migrations" not in have or "posts" not in have:
        return False
    done = {r[0] for r in conn.execute("SELECT name FROM migrations")}
    if any(name not in done for name in shape["migrations"]):
        return False
    for table, columns in shape["tables"].items():
        if table in have:
            found = {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')}
            if any(c not in found for c in columns):
                return False
    return True
