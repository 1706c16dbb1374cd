"""Claims: the dispatcher takes due posts (`approved -> publishing`) before it publishes, takes
stale claims over after a crash, and holds rate-limited accounts back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, insert, or_, select, update

from toolkit.store.models import APPROVED, PUBLISHING, Post
from toolkit.store.tables import account_holds, audit, posts


class Claims:
    """Claiming due posts for a dispatcher (`Store` provides the rest)."""

    engine: Engine
    _sqlite: bool
    _write: Callable[[], Any]
    _apply: Callable[..., bool]
    list: Callable[..., list[Post]]

    def claim_due(self, now: datetime, owner: str, lease: timedelta, limit: int,
                  not_accounts: Sequence[str] = ()) -> list[Post]:
        """Claim up to `limit` due approved posts for `owner`, committed before any publish.

        Each claim is the conditional update `… WHERE id=? AND status='approved'`, so two
        dispatchers on one store never claim the same post. On PostgreSQL the candidates are
        locked with `FOR UPDATE SKIP LOCKED`: schedulers split due posts without waiting on
        each other (SQLite has one writer at a time anyway).
        """
        q = (select(posts.c.id).where(
            posts.c.status == APPROVED, posts.c.scheduled_at <= now,
            or_(posts.c.not_before.is_(None), posts.c.not_before <= now))
            .order_by(posts.c.scheduled_at, posts.c.id).limit(limit))
        if not_accounts:
            q = q.where(posts.c.account.not_in(list(not_accounts)))
        if not self._sqlite:
            q = q.with_for_update(skip_locked=True)
        claimed: list[str] = []
        with self._write() as conn:
            for (post_id,) in conn.execute(q).all():
                values = {"claim_owner": owner, "claim_expires_at": now + lease,
                          "attempts": posts.c.attempts + 1}
                if self._apply(conn, post_id, APPROVED, PUBLISHING, owner, now, "claimed",
                               values):
                    claimed.append(post_id)
        return self.list(ids=claimed) if claimed else []

    def stale_claims(self, now: datetime, dead_owner: Any = None) -> list[Post]:
        """Posts in `publishing` whose claim expired, or whose owner `dead_owner(owner)` says
        is gone (a crashed process on this host)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(posts).where(posts.c.status == PUBLISHING)).all()
        out = []
        for r in rows:
            p = Post.from_row(r)
            expired = p.claim_expires_at is not None and p.claim_expires_at <= now
            if expired or (dead_owner is not None and p.claim_owner and dead_owner(p.claim_owner)):
                out.append(p)
        return out

    def take_over_claim(self, post: Post, owner: str, now: datetime, lease: timedelta) -> bool:
        """Take a stale claim over (conditional on the old owner still holding it)."""
        with self._write() as conn:
            result = conn.execute(
                update(posts).where(and_(posts.c.id == post.id, posts.c.status == PUBLISHING,
                                         posts.c.claim_owner == post.claim_owner))
                .values(claim_owner=owner, claim_expires_at=now + lease, updated_at=now,
                        version=posts.c.version + 1))
            if result.rowcount != 1:
                return False
            conn.execute(insert(audit).values(
                post_id=post.id, from_status=PUBLISHING, to_status=PUBLISHING, actor=owner,
                at=now, detail=f"took over stale claim of {post.claim_owner}"))
        return True

    def remember_publish_ref(self, post_id: str, owner: str, ref: Mapping[str, Any]) -> bool:
        """Write what a publisher must remember of a post before its platform call (`ref`, as
        JSON in `posts.publish_ref`): one committed update, made only while `owner` holds the
        post's claim (`publishing`). False when the claim was lost meanwhile."""
        with self._write() as conn:
            return conn.execute(
                update(posts).where(and_(posts.c.id == post_id, posts.c.status == PUBLISHING,
                                         posts.c.claim_owner == owner))
                .values(publish_ref=json.dumps(dict(ref), sort_keys=True))).rowcount == 1

    def publish_ref(self, post_id: str) -> dict | None:
        """What the post's publisher remembered on an earlier attempt (any scheduler), or None.
        Kept through reschedules and resolutions, so a record already made is found again."""
        with self.engine.connect() as conn:
            value = conn.execute(select(posts.c.publish_ref)
                                 .where(posts.c.id == post_id)).scalar()
        try:
            ref = json.loads(value) if value else None
        except ValueError:
            return None
        return ref if isinstance(ref, dict) else None

    def hold_account(self, account: str, until: datetime, reason: str) -> None:
        """Hold an account back until `until` (rate limited); other accounts go on."""
        with self._write() as conn:
            done = conn.execute(update(account_holds).where(account_holds.c.account == account)
                                .values(until=until, reason=reason)).rowcount
            if not done:
                conn.execute(insert(account_holds).values(account=account, until=until,
                                                          reason=reason))
