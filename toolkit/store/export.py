"""The schedule as JSON text straight from the rows (for `schedule --json` with 10⁴ posts): the
same keys and values as `Post.as_dict()`, one post per line.

On SQLite the database encodes each row itself (`json_object`), turning the stored time text
(`2026-12-01 15:00:00.000000`, UTC) into ISO 8601 with a Z exactly as `isoformat` writes it;
other databases go through `Store.list` and `Post.as_dict`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from toolkit.store.models import _field_names
from toolkit.store.quickread import sqlite_time
from toolkit.store.tables import UTCDateTime, posts

TIME_COLUMNS = frozenset(c.name for c in posts.columns if isinstance(c.type, UTCDateTime))


def _iso_sql(column: str) -> str:
    """SQL for a stored time column as `iso_utc` writes it (no `.000000`, a trailing Z)."""
    return (f"CASE WHEN {column} IS NULL THEN NULL WHEN {column} LIKE '%.000000' "
            f"THEN replace(substr({column}, 1, 19), ' ', 'T') || 'Z' "
            f"ELSE replace({column}, ' ', 'T') || 'Z' END")


def _sqlite_items(store, statuses: Sequence[str] | None,  # a Store
                  start: datetime | None, end: datetime | None) -> list[str]:
    fields = []
    for name in _field_names():  # fixed identifiers from the Post dataclass, never user input
        value = (_iso_sql(name) if name in TIME_COLUMNS
                 else f"json(coalesce({name}, '[]'))" if name == "media"
                 else f"json({name})" if name == "facts" else name)
        fields.append(f"'{name}', {value}")
    where, params = [], []
    if statuses:
        where.append(f"status IN ({', '.join('?' * len(statuses))})")
        params += list(statuses)
    if start is not None:
        where.append("scheduled_at >= ?")
        params.append(sqlite_time(start))
    if end is not None:
        where.append("scheduled_at < ?")
        params.append(sqlite_time(end))
    sql = (f"SELECT json_object({', '.join(fields)}) FROM posts"
           + (f" WHERE {' AND '.join(where)}" if where else "")
           + " ORDER BY scheduled_at, id")
    with store.engine.connect() as conn:
        return [r[0] for r in conn.exec_driver_sql(sql, tuple(params))]


def posts_json(store, statuses: Sequence[str] | None = None,  # a Store
               start: datetime | None = None, end: datetime | None = None) -> str:
    """The JSON array `[post.as_dict(), …]` as text, one post per line, in time order."""
    if store.engine.dialect.name == "sqlite":
        items = _sqlite_items(store, statuses, start, end)
    else:
        items = [json.dumps(p.as_dict(), ensure_ascii=False, default=str)
                 for p in store.list(statuses, start=start, end=end)]
    return "[\n" + ",\n".join(items) + "\n]\n" if items else "[]\n"
