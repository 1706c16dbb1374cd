"""What a report of engagement reads from the store, as plain SQL (no SQLAlchemy): the
SQLAlchemy-free path (`toolkit.store.quickread.read_rows`) runs these very queries."""

from __future__ import annotations

from datetime import datetime

from toolkit.store.models import PUBLISHED

#: the columns of `posts` a report reads
REPORT_COLUMNS = ("id", "message_id", "lang", "platform", "account", "text", "facts", "url",
                  "scheduled_at", "published_at")


def report_queries(since: datetime | None) -> list[tuple[str, tuple]]:
    """The two SQL queries (posts, then their samples) a report reads, as `(sql, params)`
    (plain SQL: the SQLAlchemy-free path runs them too)."""
    cond, params = "status = ?", [PUBLISHED]
    if since is not None:
        from toolkit.store.quickread import sqlite_time

        cond += " AND published_at >= ?"
        params.append(sqlite_time(since))
    cols = ", ".join(REPORT_COLUMNS)
    return [(f"SELECT {cols} FROM posts WHERE {cond}", tuple(params)),
            ("SELECT s.post_id, s.offset_s, s.state, s.likes, s.reposts, s.replies, s.quotes "
             f"FROM samples s JOIN posts ON posts.id = s.post_id WHERE {cond}", tuple(params))]
