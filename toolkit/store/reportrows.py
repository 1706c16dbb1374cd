"""What a report of engagement reads from the store, as plain SQL (no SQLAlchemy): the
SQLAlchemy-free path (`toolkit.store.quickread.read_rows`) runs these very queries."""

from __future__ import annotations

from datetime import datetime

from toolkit.store.models import PUBLISHED

#: the columns of `posts` a report reads
REPORT_COLUMNS = ("id", "message_id", "lang", "platform", "account", "text", "facts", "url",
                  "scheduled_at", "published_at")


def report_queries(since: datetime | None, skip: tuple[str, ...] = ()
                   ) -> list[tuple[str, tuple]]:
    """The two SQL queries a report reads, as `(sql, params)`: the published posts (since
    `since`; the columns in `skip` read as NULL) and the samples (those taken since `since`: a
    sample is taken after its post was published; samples of other posts are left out by
    whoever joins them to the posts)."""
    cond, params = "status = ?", [PUBLISHED]
    taken, since_param = "", ()
    if since is not None:
        from toolkit.store.quickread import sqlite_time

        cond += " AND published_at >= ?"
        params.append(sqlite_time(since))
        taken, since_param = " WHERE taken_at >= ?", (sqlite_time(since),)
    cols = ", ".join(f"NULL AS {c}" if c in skip else c for c in REPORT_COLUMNS)
    return [(f"SELECT {cols} FROM posts WHERE {cond}", tuple(params)),
            ("SELECT post_id, offset_s, state, likes, reposts, replies, quotes FROM samples"
             + taken, since_param)]
