"""Bulk writes on PostgreSQL: `COPY` instead of 10⁴ round trips.

psycopg's executemany sends one INSERT/UPDATE per row; importing and approving 10,000 posts
that way takes seconds. Here rows travel with `COPY … FROM STDIN` (formatted in C by psycopg):
straight into the table for inserts, or into a temporary table that one conditional
`UPDATE … FROM` applies (`WHERE id = … AND status = …`, the same condition as row by row).
All of it inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table


def _copy(conn: Connection, target: str, columns: Sequence[str], rows: Sequence[dict]) -> None:
    """COPY rows (dicts with `columns`) into `target` on this transaction's connection."""
    cursor = conn.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {target} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[name] for name in columns])


def _sql_type(conn: Connection, table: Table, column: str) -> str:
    return table.c[column].type.compile(dialect=conn.dialect)


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict]) -> None:
    """Insert rows (all with the same keys)."""
    _copy(conn, table.name, list(rows[0]), rows)


def update_rows(conn: Connection, table: Table, key: str, guard: str, rows: Sequence[dict],
                fixed: dict[str, Any], bump: str | None = None) -> int:
    """`UPDATE table SET fixed…, each row's own columns WHERE key = row[key] AND guard =
    row["expected"]`, for many rows at once; `bump` names an integer column to add 1 to.
    Rows carry `key`, `expected` and the same other columns. Returns the rows changed."""
    own = [c for c in rows[0] if c not in (key, "expected")]
    columns = [f"{key} {_sql_type(conn, table, key)}",
               f"expected_ {_sql_type(conn, table, guard)}",
               *(f"{name} {_sql_type(conn, table, name)}" for name in own)]
    conn.exec_driver_sql("DROP TABLE IF EXISTS bulk_change")
    conn.exec_driver_sql(f"CREATE TEMPORARY TABLE bulk_change ({', '.join(columns)}) "
                         "ON COMMIT DROP")
    _copy(conn, "bulk_change", [key, "expected_", *own],
          [{**row, "expected_": row["expected"]} for row in rows])
    sets = [f"{name} = %s" for name in fixed] + [f"{name} = u.{name}" for name in own]
    if bump:
        sets.append(f"{bump} = {table.name}.{bump} + 1")
    sql = (f"UPDATE {table.name} SET {', '.join(sets)} FROM bulk_change AS u "
           f"WHERE {table.name}.{key} = u.{key} AND {table.name}.{guard} = u.expected_")
    return conn.exec_driver_sql(sql, tuple(fixed.values())).rowcount
