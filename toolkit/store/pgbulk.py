"""Bulk writes on PostgreSQL: one statement over `unnest` arrays instead of 10⁴ round trips.

psycopg's executemany sends one INSERT/UPDATE per row; importing and approving 10,000 posts
that way takes seconds. Here each column travels as one typed array and the server unpacks it:
`INSERT … SELECT * FROM unnest(…)` and `UPDATE … FROM unnest(…) WHERE id = … AND status = …`
(the same conditional update as one row at a time).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table


def _arrays(conn: Connection, table: Table, columns: Sequence[str],
            rows: Sequence[dict]) -> tuple[list[str], list[list[Any]]]:
    """Each column's array cast (`%s::VARCHAR(16)[]`) and its values, in order."""
    casts = [f"%s::{table.c[name].type.compile(dialect=conn.dialect)}[]" for name in columns]
    values = [[_plain(row[name]) for row in rows] for name in columns]
    return casts, values


def _plain(value: Any) -> Any:
    return value.astimezone(UTC) if isinstance(value, datetime) else value


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict]) -> None:
    """Insert rows (all with the same keys) in one statement."""
    columns = list(rows[0])
    casts, values = _arrays(conn, table, columns, rows)
    conn.exec_driver_sql(
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"SELECT * FROM unnest({', '.join(casts)})", tuple(values))


def update_rows(conn: Connection, table: Table, key: str, guard: str, rows: Sequence[dict],
                fixed: dict[str, Any], bump: str | None = None) -> int:
    """`UPDATE table SET fixed…, each row's own columns WHERE key = row[key] AND guard =
    row["expected"]`, for many rows at once; `bump` names an integer column to add 1 to.
    Rows carry `key`, `expected` and the same other columns. Returns the rows changed."""
    own = [c for c in rows[0] if c not in (key, "expected")]
    casts, values = _arrays(conn, table, [key, *own], rows)
    casts.insert(1, f"%s::{table.c[guard].type.compile(dialect=conn.dialect)}[]")
    values.insert(1, [row["expected"] for row in rows])
    sets = [f"{name} = %s" for name in fixed] + [f"{name} = u.{name}" for name in own]
    if bump:
        sets.append(f"{bump} = {table.name}.{bump} + 1")
    sql = (f"UPDATE {table.name} SET {', '.join(sets)} "
           f"FROM unnest({', '.join(casts)}) AS u({', '.join([key, 'expected_', *own])}) "
           f"WHERE {table.name}.{key} = u.{key} AND {table.name}.{guard} = u.expected_")
    params = tuple(_plain(v) for v in fixed.values()) + tuple(values)
    return conn.exec_driver_sql(sql, params).rowcount
