"""The queue's bulk work on SQLite, in plain SQL on a sqlite3 connection: adding posts, reading
light rows, moving many posts between states, and the times quotas count.

`Store` runs these on its SQLAlchemy connection's driver connection, inside its own write
transaction; `toolkit.store.lite` runs the very same functions on a connection of its own, so a
command that only does this work never imports SQLAlchemy. One implementation, two ways in.
Every function runs inside a transaction its caller opened (`BEGIN IMMEDIATE` to write).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from toolkit.store import models
from toolkit.store.blobs import Blobs, needed, put_sqlite
from toolkit.store.models import Detail, NewPost, detail_for
from toolkit.store.quickread import sqlite_time, utc_from_store

#: ids per `IN (…)`: SQLite's historical limit on parameters is 999
CHUNK = 900

_NEW_POST_COLUMNS = ("id", "message_id", "lang", "platform", "account", "text", "media",
                     "scheduled_at", "status", "attempts", "version", "created_at", "updated_at")
_AUDIT_COLUMNS = ("post_id", "from_status", "to_status", "actor", "at", "detail")


class Brief(NamedTuple):
    """A light row of `posts` for bulk work (no full `Post` built)."""

    id: str
    message_id: str
    lang: str
    platform: str
    account: str
    status: str
    scheduled_at: datetime
    version: int
    text: str


def _insert(table: str, columns: Sequence[str]) -> str:
    return (f"INSERT INTO {table} ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' * len(columns))})")


def add_posts(db: Any, new: Iterable[NewPost], actor: str, now: datetime,
              status: str) -> list[str]:
    """Insert posts (status `status`, revision 1) with their audit entries; return their ids."""
    at = sqlite_time(now)
    new = list(new)
    rows, entries = [], []
    for p, pid in zip(new, models.new_post_ids(len(new)), strict=True):
        rows.append((pid, p.message_id, p.lang, p.platform, p.account, p.text,
                     json.dumps(list(p.media)) if p.media else "[]",
                     sqlite_time(p.scheduled_at), status, 0, 1, at, at))
        entries.append((pid, None, status, actor, at, "queued"))
    if rows:
        db.executemany(_insert("posts", _NEW_POST_COLUMNS), rows)
        db.executemany(_insert("audit", _AUDIT_COLUMNS), entries)
    return [r[0] for r in rows]


def brief(db: Any, statuses: Sequence[str] | None = None,
          ids: Sequence[str] | None = None) -> list[Brief]:
    """Light rows in time order (then id), optionally only in `statuses` or among `ids`."""
    sql = f"SELECT {', '.join(Brief._fields)} FROM posts"
    where, params = [], []
    if statuses:
        where.append(f"status IN ({', '.join('?' * len(statuses))})")
        params += list(statuses)
    if ids is None:
        chunks: list[list[str]] = [[]]
    else:
        chunks = [list(ids[i:i + CHUNK]) for i in range(0, len(ids), CHUNK)]
    rows = []
    for chunk in chunks:
        clauses = where + ([f"id IN ({', '.join('?' * len(chunk))})"] if ids is not None else [])
        q = sql + (f" WHERE {' AND '.join(clauses)}" if clauses else "")
        rows += db.execute(q, (*params, *chunk)).fetchall()
    rows.sort(key=lambda r: (r[6], r[0]))  # the stored text sorts as the times do
    return [Brief(r[0], r[1], r[2], r[3], r[4], r[5], utc_from_store(r[6]), r[7], r[8])
            for r in rows]


def statuses(db: Any, ids: Sequence[str]) -> dict[str, tuple[str, int]]:
    """The status and revision (`version`) of each of `ids` that exists."""
    current: dict[str, tuple[str, int]] = {}
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i:i + CHUNK]
        rows = db.execute(f"SELECT id, status, version FROM posts WHERE id IN "
                          f"({', '.join('?' * len(chunk))})", tuple(chunk))
        current.update({pid: (status, version) for pid, status, version in rows})
    return current


def transition(db: Any, changes: Sequence[tuple[str, str, dict]], to: str, actor: str,
               now: datetime, detail: Detail,
               revisions: dict[str, int] | None = None,
               media: Blobs | None = None) -> list[str]:
    """Move posts to `to`: (id, expected status, values) each; return the ids that moved.

    Run inside a write transaction (`BEGIN IMMEDIATE`: no other writer until it ends), so the
    rows still in their expected status (and, with `revisions`, still at the revision given)
    are found first and exactly those are updated, each with its audit entry. Each post's
    revision goes up by one. `media` (sha256 -> (bytes, suffix)): the images an approval froze;
    those the moved posts name are stored in the same transaction (`toolkit.store.blobs`)."""
    revisions = revisions or {}
    current = statuses(db, [pid for pid, _, _ in changes])
    at = sqlite_time(now)
    media_json: dict[int, tuple[Any, str]] = {}  # approval shares one media list per card
    times: dict[datetime, str] = {}
    groups: dict[tuple[str, ...], list[tuple]] = {}
    moved: list[tuple[str, str]] = []
    for pid, expected, values in changes:
        status, version = current.get(pid, (None, None))
        if status != expected or (pid in revisions and version != revisions[pid]):
            continue
        if "last_error" in values:
            values = models.scrubbed(values)
        keys = tuple(sorted(values))
        row = []
        for k in keys:
            v = values[k]
            if k == "media" and not isinstance(v, str):
                known = media_json.get(id(v))
                if known is None or known[0] is not v:
                    known = media_json[id(v)] = (v, json.dumps(list(v)))
                v = known[1]
            elif isinstance(v, datetime):  # one `now` for 10⁴ rows: converted once
                text = times.get(v)
                if text is None:
                    text = times[v] = sqlite_time(v)
                v = text
            row.append(v)
        groups.setdefault(keys, []).append((to, at, *row, pid, expected))
        moved.append((pid, expected))
    for keys, rows in groups.items():
        sets = "".join(f', "{k}" = ?' for k in keys)
        db.executemany(f"UPDATE posts SET status = ?, updated_at = ?, version = version + 1"
                       f"{sets} WHERE id = ? AND status = ?", rows)
    if moved:
        db.executemany(_insert("audit", _AUDIT_COLUMNS),
                       [(pid, expected, to, actor, at, detail_for(detail, pid))
                        for pid, expected in moved])
        if media:
            put_sqlite(db, needed(changes, [pid for pid, _ in moved], media), now)
    return [pid for pid, _ in moved]


def queued_by(db: Any, ids: Sequence[str]) -> dict[str, str]:
    """Who queued each of `ids`: the actor of its first audit entry."""
    found: dict[str, str] = {}
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i:i + CHUNK]
        found.update(db.execute(
            "SELECT audit.post_id, audit.actor FROM audit JOIN (SELECT MIN(id) AS first FROM "
            f"audit WHERE post_id IN ({', '.join('?' * len(chunk))}) GROUP BY post_id) AS f "
            "ON audit.id = f.first", tuple(chunk)).fetchall())
    return found


def account_times(db: Any, statuses: Sequence[str], start: datetime,
                  accounts: Sequence[str]) -> list[tuple[str, datetime]]:
    """(account, scheduled_at) of the posts in `statuses` from `start` (for quotas)."""
    rows = db.execute(
        f"SELECT account, scheduled_at FROM posts WHERE status IN "
        f"({', '.join('?' * len(statuses))}) AND scheduled_at >= ? AND account IN "
        f"({', '.join('?' * len(accounts))})", (*statuses, sqlite_time(start), *accounts))
    return [(account, utc_from_store(at)) for account, at in rows]
