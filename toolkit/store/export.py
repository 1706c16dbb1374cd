"""Posts as JSON-ready dicts straight from the rows (for `schedule --json` with 10⁴ posts):
the same keys and values as `Post.as_dict()`, without building `Post` objects.

On SQLite the stored time text (`2026-12-01 15:00:00.000000`, UTC) becomes ISO 8601 with a Z by
string operations, skipping the datetime round trip; other databases take `Store.list`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from toolkit.store.models import _field_names
from toolkit.store.schema import UTCDateTime, posts, sqlite_time

TIME_COLUMNS = frozenset(c.name for c in posts.columns if isinstance(c.type, UTCDateTime))


def _sqlite_iso(text: str | None) -> str | None:
    """`2026-12-01 15:00:00.000000` -> `2026-12-01T15:00:00Z` (as `isoformat` writes it)."""
    if not text:
        return None
    text = text.replace(" ", "T", 1)
    return (text[:-7] if text.endswith(".000000") else text) + "Z"


def _sqlite_rows(conn, names: list[str], statuses: Sequence[str] | None,  # noqa: ANN001
                 start: datetime | None, end: datetime | None) -> list[tuple]:
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
    sql = (f"SELECT {', '.join(names)} FROM posts"
           + (f" WHERE {' AND '.join(where)}" if where else "")
           + " ORDER BY scheduled_at, id")
    return conn.exec_driver_sql(sql, tuple(params)).all()


def post_dicts(store, statuses: Sequence[str] | None = None,  # noqa: ANN001 - a Store
               start: datetime | None = None, end: datetime | None = None) -> list[dict]:
    """Posts in time order as `Post.as_dict()` gives them (times ISO 8601 UTC with a Z)."""
    if store.engine.dialect.name != "sqlite":
        return [p.as_dict() for p in store.list(statuses, start=start, end=end)]
    names = list(_field_names())
    times = [i for i, n in enumerate(names) if n in TIME_COLUMNS]
    media = names.index("media")
    out = []
    with store.engine.connect() as conn:
        for row in _sqlite_rows(conn, names, statuses, start, end):
            values = list(row)
            for i in times:
                values[i] = _sqlite_iso(values[i])
            values[media] = json.loads(values[media] or "[]")
            out.append(dict(zip(names, values, strict=True)))
    return out
