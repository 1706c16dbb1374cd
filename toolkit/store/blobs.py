"""Frozen images kept in the store itself: the `frozen_media` table, keyed by sha256.

An approval writes the bytes of the images its posts froze in the approval's own transaction
(`BLOB` on SQLite, `bytea` on PostgreSQL), so the approval and its images commit together and a
scheduler on any machine needs nothing but the store's URL. Rows are content-addressed and never
changed: writing one that is there already does nothing. Publishers read them through
`toolkit.publishers.base.read_media`, which checks the hash.

Two ways in, one table: plain sqlite3 (`put_sqlite`, for `sqlite_bulk`'s transactions, so
`toolkit.store.lite` still never imports SQLAlchemy) and SQLAlchemy (`put`, `load`: SQLite and
PostgreSQL).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.store.quickread import sqlite_time

if TYPE_CHECKING:
    from sqlalchemy import Connection

log = logging.getLogger("toolkit.store")


def _tables() -> tuple[Any, Any]:
    """`frozen_media` and the posts' `media` column as light table clauses (the schema's tables
    are defined in `toolkit.store.tables`, and `toolkit.store.migrations`, whose migration calls
    `import_files`, imports them: no circle)."""
    from sqlalchemy import LargeBinary, String, column, table

    media = table("frozen_media", column("sha256", String), column("suffix", String),
                  column("size"), column("data", LargeBinary), column("created_at"))
    return media, table("posts", column("media", String), column("status", String))

#: sha256 -> (bytes, suffix such as ".png"): images frozen by an approval, not yet stored
Blobs = Mapping[str, tuple[bytes, str]]
CHUNK = 500


def needed(changes: Sequence[tuple[str, str, dict]], moved: Iterable[str],
           blobs: Blobs | None) -> list[tuple[str, bytes, str]]:
    """(sha256, bytes, suffix) of the images that the posts which moved name (each once)."""
    if not blobs:
        return []
    moved = set(moved)
    rows: dict[str, tuple[str, bytes, str]] = {}
    seen: set[int] = set()
    for pid, _, values in changes:
        media = values.get("media")
        if pid not in moved or not media or isinstance(media, str) or id(media) in seen:
            continue
        seen.add(id(media))  # approval shares one media list per card
        for item in media:
            digest = item.get("sha256") if isinstance(item, dict) else None
            if digest in blobs and digest not in rows:
                data, suffix = blobs[digest]
                rows[digest] = (digest, data, suffix)
    return list(rows.values())


def put_sqlite(db: Any, rows: Sequence[tuple[str, bytes, str]], now: datetime) -> None:
    """Store images on a sqlite3 connection, inside its caller's write transaction."""
    if rows:
        at = sqlite_time(now)
        db.executemany("INSERT OR IGNORE INTO frozen_media (sha256, suffix, size, data, "
                       "created_at) VALUES (?, ?, ?, ?, ?)",
                       [(sha, suffix, len(data), data, at) for sha, data, suffix in rows])


def put(conn: Connection, rows: Sequence[tuple[str, bytes, str]], now: datetime) -> None:
    """Store images through SQLAlchemy (SQLite or PostgreSQL), in the caller's transaction;
    an image that is there already (another approval, even at the same moment) is kept."""
    from sqlalchemy import insert, select

    frozen_media, _ = _tables()
    if not rows:
        return
    if conn.dialect.name == "sqlite":
        put_sqlite(conn.connection.driver_connection, rows, now)
        return
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        statement = pg_insert(frozen_media).on_conflict_do_nothing(index_elements=["sha256"])
    else:
        have = set(conn.execute(select(frozen_media.c.sha256).where(
            frozen_media.c.sha256.in_([r[0] for r in rows]))).scalars())
        rows = [r for r in rows if r[0] not in have]
        statement = insert(frozen_media)
    if rows:
        conn.execute(statement, [{"sha256": sha, "suffix": suffix, "size": len(data),
                                  "data": data, "created_at": now}
                                 for sha, data, suffix in rows])


def load(conn: Connection, digests: Iterable[str]) -> dict[str, bytes]:
    """The stored bytes of each of `digests` that the store holds."""
    from sqlalchemy import select

    frozen_media, _ = _tables()
    wanted = sorted({d for d in digests if d})
    found: dict[str, bytes] = {}
    for i in range(0, len(wanted), CHUNK):
        for sha, data in conn.execute(select(frozen_media.c.sha256, frozen_media.c.data).where(
                frozen_media.c.sha256.in_(wanted[i:i + CHUNK]))):
            found[sha] = bytes(data)
    return found


def import_files(conn: Connection, now: datetime) -> int:
    """Move the frozen files that posts name into the table (migration 012_frozen_media):
    each file whose bytes still match its recorded sha256 and is not stored yet. Files stay
    where they are (a cache, or to delete by hand); a missing or changed one is left out and
    logged (its post fails at publishing, as it would have). Returns how many were stored."""
    from sqlalchemy import select

    frozen_media, posts = _tables()
    stored = set(conn.execute(select(frozen_media.c.sha256)).scalars())
    rows: list[tuple[str, bytes, str]] = []
    moved = 0
    found = conn.execute(select(posts.c.media).where(posts.c.media.like('%"sha256"%'))).all()
    for (media,) in found:
        for item in json.loads(media or "[]"):
            digest = item.get("sha256") if isinstance(item, dict) else None
            if not digest or digest in stored:
                continue
            path = Path(str(item.get("path", "")))
            try:
                data = path.read_bytes()
            except OSError as exc:
                log.warning("frozen image %s cannot be read (%s): not moved into the store",
                            path, exc.strerror or exc.__class__.__name__)
                continue
            if hashlib.sha256(data).hexdigest() != digest:
                log.warning("frozen image %s does not match its sha256: not moved into the "
                            "store", path)
                continue
            stored.add(digest)
            moved += 1
            rows.append((digest, data, path.suffix or ".png"))
            if len(rows) >= 50:  # bounded memory: a few MB at a time
                put(conn, rows, now)
                rows = []
    put(conn, rows, now)
    return moved


def unstored(conn: Connection) -> int:
    """How many frozen images named by posts that may still be published (approved, publishing,
    missed, failed, needs checking) the store lacks (their files were missing or changed where
    `import_files` ran)."""
    from sqlalchemy import select

    from toolkit.store.models import APPROVED, FAILED, MISSED, NEEDS_CHECK, PUBLISHING

    frozen_media, posts = _tables()
    stored = set(conn.execute(select(frozen_media.c.sha256)).scalars())
    wanted = set()
    for (media,) in conn.execute(select(posts.c.media).where(
            posts.c.media.like('%"sha256"%'),
            posts.c.status.in_([APPROVED, PUBLISHING, MISSED, FAILED, NEEDS_CHECK]))):
        wanted |= {item.get("sha256") for item in json.loads(media or "[]")
                   if isinstance(item, dict) and item.get("sha256")}
    return len(wanted - stored)
