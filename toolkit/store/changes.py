"""Changes of state: every one a conditional update (`… WHERE id=? AND status=?`) committed in
the same transaction as its audit entry, one post at a time or in executemany batches.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, insert, select, update
from sqlalchemy.sql import ClauseElement, Insert

from toolkit.core.errors import InvalidTransition, NotFound, StaleRevision
from toolkit.store import blobs, pgbulk, sqlite_bulk
from toolkit.store.blobs import Blobs
from toolkit.store.models import CHANGED, Detail, Post, detail_for, scrubbed
from toolkit.store.tables import UTCDateTime, audit, comments, posts

#: from this many changes on, `transition_many` sends executemany batches
BULK_MIN = 50


class StateChanges:
    """Moving posts between states (`Store` provides `engine`, `_write`, `_sqlite` and `get`)."""

    engine: Engine
    _sqlite: bool
    _write: Callable[[], Any]
    get: Callable[[str], Post]

    def transition(self, post_id: str, allowed_from: Sequence[str], to: str, actor: str,
                   now: datetime, detail: str | None = None, comment: str | None = None,
                   revision: int | None = None, **values: Any) -> Post:
        """Move one post to `to` if it is in one of `allowed_from`; audit it; return it.
        With `comment`, the actor's comment joins the post's thread in the same transaction;
        with `revision`, the post must still be at that revision (else `StaleRevision`)."""
        with self._write() as conn:
            row = conn.execute(select(posts.c.status).where(posts.c.id == post_id)).first()
            if row is None:
                raise NotFound(f"no post with id '{post_id}'")
            if row.status not in allowed_from:
                raise InvalidTransition(f"post {post_id} is {row.status}; cannot make it {to} "
                                        f"(only from {', '.join(allowed_from)})")
            if not self._apply(conn, post_id, row.status, to, actor, now, detail, values,
                               revision=revision):
                if revision is not None:
                    raise StaleRevision(f"post {post_id}: {CHANGED}")
                raise InvalidTransition(f"post {post_id} changed while being updated; try again")
            if comment is not None:
                conn.execute(insert(comments).values(post_id=post_id, author=actor,
                                                     body=comment, at=now))
        return self.get(post_id)

    def transition_many(self, changes: Sequence[tuple[str, str, dict]], to: str, actor: str,
                        now: datetime, detail: Detail = None,
                        owner: str | None = None,
                        revisions: dict[str, int] | None = None,
                        media: Blobs | None = None) -> list[str]:
        """Move many posts in one transaction: (id, expected status, values) each, audited
        with `detail` (one text, or one per post id).

        Returns the ids that moved; a post whose status changed meanwhile is left alone, and
        so is one whose revision (`version`) is no longer the one given in `revisions`.
        `media` (sha256 -> (bytes, suffix)): images an approval froze; those the moved posts
        name are stored in the same transaction (`toolkit.store.blobs`).
        """
        revisions = revisions or {}
        if len(changes) < BULK_MIN or owner is not None:
            moved: list[str] = []
            with self._write() as conn:
                for post_id, expected, values in changes:
                    if self._apply(conn, post_id, expected, to, actor, now,
                                   detail_for(detail, post_id), values,
                                   owner, revisions.get(post_id)):
                        moved.append(post_id)
                blobs.put(conn, blobs.needed(changes, moved, media), now)
            return moved
        return self._transition_bulk(changes, to, actor, now, detail, revisions, media)

    def _transition_bulk(self, changes: Sequence[tuple[str, str, dict]], to: str, actor: str,
                         now: datetime, detail: Detail,
                         revisions: dict[str, int] | None = None,
                         media: Blobs | None = None) -> list[str]:
        """The same conditional updates as `_apply`, sent as executemany batches.

        Inside one write transaction the rows still in their expected status are found first
        (SQLite: under BEGIN IMMEDIATE, in `sqlite_bulk.transition`; elsewhere they are locked
        with SELECT … FOR UPDATE), so the audit is written for exactly the posts that moved
        (and, with `revisions`, only those still at the revision given).
        """
        revisions = revisions or {}
        if self._sqlite:
            with self._write() as conn:
                return sqlite_bulk.transition(conn.connection.driver_connection, changes, to,
                                              actor, now, detail, revisions, media)
        expected_of = {pid: exp for pid, exp, _ in changes}
        moved: list[str] = []
        media_json: dict[int, tuple[Any, str]] = {}  # approval shares one media list per card
        with self._write() as conn:
            current = self._locked_statuses(conn, list(expected_of))  # id -> (status, version)
            groups: dict[tuple[str, ...], list[dict]] = {}
            for pid, exp, values in changes:
                status, version = current.get(pid, (None, None))
                if status != exp or (pid in revisions and version != revisions[pid]):
                    continue
                vals = scrubbed(values)
                if "media" in vals and not isinstance(vals["media"], str):
                    listed = vals["media"]
                    known = media_json.get(id(listed))
                    if known is None or known[0] is not listed:
                        known = media_json[id(listed)] = (listed, json.dumps(list(listed)))
                    vals["media"] = known[1]
                groups.setdefault(tuple(sorted(vals)), []).append(
                    {"id": pid, "expected": exp, **vals})
                moved.append(pid)
            for rows in groups.values():  # one UPDATE over unnest arrays (rows locked above)
                pgbulk.update_rows(conn, posts, "id", "status", rows,
                                   {"status": to, "updated_at": now}, bump="version")
            if moved:
                self._executemany(conn, insert(audit), [
                    {"post_id": pid, "from_status": expected_of[pid], "to_status": to,
                     "actor": actor, "at": now, "detail": detail_for(detail, pid)}
                    for pid in moved])
            blobs.put(conn, blobs.needed(changes, moved, media), now)
        return moved

    def _locked_statuses(self, conn: Connection, ids: list[str]) -> dict[str, tuple[str, int]]:
        """The status and revision of each of `ids`, its row locked until the transaction
        ends (not SQLite, where `BEGIN IMMEDIATE` already keeps other writers out)."""
        current: dict[str, tuple[str, int]] = {}
        for i in range(0, len(ids), 900):
            q = select(posts.c.id, posts.c.status, posts.c.version).where(
                posts.c.id.in_(ids[i:i + 900])).with_for_update()
            current.update({r.id: (r.status, r.version) for r in conn.execute(q)})
        return current

    def _apply(self, conn: Connection, post_id: str, expected: str, to: str, actor: str,
               now: datetime, detail: str | None, values: dict,
               owner: str | None = None, revision: int | None = None) -> bool:
        """One post's conditional update (`… WHERE id=? AND status=?`) plus its audit entry:
        `transition`, small `transition_many` calls and claims go through it; large batches
        take `_transition_bulk`, a stale claim `take_over_claim`.

        With `owner`, the post must also still be claimed by that owner (a dispatcher that
        lost its claim changes nothing); with `revision`, it must still be at that revision
        (its `version`: a person approves exactly what they saw)."""
        vals = scrubbed(values)
        if detail:
            detail = detail_for(detail, post_id)
        if "media" in vals and not isinstance(vals["media"], str):
            vals["media"] = json.dumps(list(vals["media"]))
        if any(isinstance(v, ClauseElement) for v in vals.values()):
            where = [posts.c.id == post_id, posts.c.status == expected]
            if owner is not None:
                where.append(posts.c.claim_owner == owner)
            if revision is not None:
                where.append(posts.c.version == revision)
            result = conn.execute(
                update(posts).where(*where)
                .values(status=to, updated_at=now, version=posts.c.version + 1, **vals))
        else:  # the hot path: one prepared statement per set of columns
            params = {"b_id": post_id, "b_expected": expected, "b_owner": owner, "b_to": to,
                      "b_now": now, "b_rev": revision, **{f"v_{k}": v for k, v in vals.items()}}
            result = conn.execute(_update_statement(tuple(sorted(vals)), owner is not None,
                                                    revision is not None),
                                  params)
        if result.rowcount != 1:
            return False
        conn.execute(_AUDIT_INSERT, {"post_id": post_id, "from_status": expected,
                                     "to_status": to, "actor": actor, "at": now,
                                     "detail": detail})
        return True

    def _executemany(self, conn: Connection, stmt: Any, rows: list[dict]) -> None:
        """Run `stmt` for many rows on a database other than SQLite (whose bulk work is in
        `sqlite_bulk`): a bare INSERT goes through `pgbulk`, anything else SQLAlchemy's
        executemany."""
        if not rows:
            return
        table = getattr(stmt, "table", None)
        if isinstance(stmt, Insert) and str(stmt) == str(insert(table)):  # a bare INSERT
            pgbulk.insert_rows(conn, table, rows)
        else:
            conn.execute(stmt, rows)


_AUDIT_INSERT = insert(audit)


@lru_cache(maxsize=64)
def _update_statement(keys: tuple[str, ...], check_owner: bool,
                      check_revision: bool = False) -> Any:
    """The conditional state-change UPDATE for one set of columns, built once."""
    where = [posts.c.id == bindparam("b_id"), posts.c.status == bindparam("b_expected")]
    if check_owner:
        where.append(posts.c.claim_owner == bindparam("b_owner"))
    if check_revision:
        where.append(posts.c.version == bindparam("b_rev"))
    return (update(posts).where(*where)
            .values(status=bindparam("b_to"), updated_at=bindparam("b_now", type_=UTCDateTime),
                    version=posts.c.version + 1, **{k: bindparam(f"v_{k}") for k in keys}))
