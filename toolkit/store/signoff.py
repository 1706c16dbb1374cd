"""Sign-off links for reviewers outside the team, and the sign-offs they give. Created by the
migration "008_signoff".

A link is a random token (256 bits) of which only the SHA-256 is kept; it names the posts it
grants, expires, and can be revoked. A sign-off records a name (e.g. "Legal"), the person who
gave it, approved or changes requested, and the post's revision it was given at: it is written
only if the post is still at that revision, in the same transaction as its audit entry.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from toolkit.core.errors import InputError, NotFound
from toolkit.store.models import CHANGED
from toolkit.store.tables import audit, comments, posts, review_link_posts, review_links, signoffs
from toolkit.store.web import digest

APPROVE, CHANGES = "approved", "changes_requested"
DECISIONS = (APPROVE, CHANGES)
#: what a person is told when the post moved on since the page they acted on was shown
#: the longest a link may work, in days
MAX_DAYS = 90

@dataclass(frozen=True)
class Link:
    """A sign-off link: its id, the sign-off name, who made it, until when, and its posts."""

    id: str
    name: str
    created_by: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    post_ids: tuple[str, ...]

    def live(self, now: datetime) -> bool:
        """True while the link is neither expired nor revoked."""
        return self.revoked_at is None and now < self.expires_at


@dataclass(frozen=True)
class Signoff:
    """One outside reviewer's decision on a post at one revision."""

    post_id: str
    link_id: str
    name: str
    reviewer: str
    decision: str
    revision: int
    comment: str
    at: datetime


class SignoffStore:
    """Sign-off links and sign-offs, over a `Store`'s engine."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.engine = store.engine

    def _audit(self, conn: Connection, post_id: str, actor: str, now: datetime,
               detail: str) -> None:
        status = conn.execute(select(posts.c.status).where(posts.c.id == post_id)).scalar()
        conn.execute(insert(audit).values(post_id=post_id, from_status=status,
                                          to_status=status or "draft", actor=actor[:120],
                                          at=now, detail=detail))

    # -- links ---------------------------------------------------------------------------------

    def create_link(self, post_ids: Sequence[str], name: str, by: str, now: datetime,
                    expires_at: datetime) -> tuple[Link, str]:
        """Make a link for `post_ids` (all must exist); return it and its token (shown once,
        never stored: only its hash is)."""
        ids = list(dict.fromkeys(post_ids))
        if not ids:
            raise InputError("give at least one post id")
        name = name.strip()
        if not name or len(name) > 64:
            raise InputError("a sign-off name must be 1 to 64 characters")
        token = secrets.token_urlsafe(32)
        link_id = secrets.token_hex(5)
        with self.store.write_transaction() as conn:
            found = {r[0] for r in conn.execute(select(posts.c.id).where(posts.c.id.in_(ids)))}
            missing = [i for i in ids if i not in found]
            if missing:
                raise NotFound(f"no post with id '{missing[0]}'")
            conn.execute(insert(review_links).values(
                id=link_id, token_hash=digest(token), name=name, created_by=by,
                created_at=now, expires_at=expires_at))
            conn.execute(insert(review_link_posts), [{"link_id": link_id, "post_id": i}
                                                     for i in ids])
            for pid in ids:
                self._audit(conn, pid, by, now, f"sign-off link {link_id} ({name}) made, "
                            f"valid until {expires_at.isoformat(timespec='minutes')}")
        return self.link(link_id), token

    def _links(self, where: Any = None) -> list[Link]:
        q = select(review_links).order_by(review_links.c.created_at, review_links.c.id)
        if where is not None:
            q = q.where(where)
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
            grants: dict[str, list[str]] = {}
            if rows:
                for r in conn.execute(select(review_link_posts).where(
                        review_link_posts.c.link_id.in_([r.id for r in rows]))
                        .order_by(review_link_posts.c.post_id)):
                    grants.setdefault(r.link_id, []).append(r.post_id)
        return [Link(r.id, r.name, r.created_by, r.created_at, r.expires_at, r.revoked_at,
                     tuple(grants.get(r.id, ()))) for r in rows]

    def links(self, post_id: str | None = None) -> list[Link]:
        """Every link, oldest first (or those granting `post_id`)."""
        found = self._links()
        return [k for k in found if post_id is None or post_id in k.post_ids]

    def link(self, link_id: str) -> Link:
        """One link by id; `NotFound` if there is none."""
        found = self._links(review_links.c.id == link_id)
        if not found:
            raise NotFound(f"no sign-off link with id '{link_id}'")
        return found[0]

    def by_token(self, token: str, now: datetime) -> Link | None:
        """The live link with this token, or None (unknown, expired or revoked alike)."""
        if not token or len(token) > 200:
            return None
        found = self._links(review_links.c.token_hash == digest(token))
        return found[0] if found and found[0].live(now) else None

    def revoke(self, link_id: str, by: str, now: datetime) -> Link:
        """Revoke a link at once (its audit entries and sign-offs stay)."""
        link = self.link(link_id)
        with self.store.write_transaction() as conn:
            conn.execute(update(review_links).where(review_links.c.id == link_id,
                                                    review_links.c.revoked_at.is_(None))
                         .values(revoked_at=now))
            for pid in link.post_ids:
                self._audit(conn, pid, by, now, f"sign-off link {link_id} ({link.name}) revoked")
        return self.link(link_id)

    def record_use(self, link: Link, post_ids: Sequence[str], now: datetime) -> None:
        """The audit entry of an opening of a link, on each post it shows: at most one per
        link, post and day (UTC), however often the page is opened or reloaded."""
        actor, detail = f"link {link.id}", f"opened through sign-off link {link.id} ({link.name})"
        day = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        with self.store.write_transaction() as conn:
            done = {r[0] for r in conn.execute(select(audit.c.post_id).where(
                audit.c.actor == actor, audit.c.detail == detail, audit.c.at >= day,
                audit.c.post_id.in_(list(post_ids))))}
            for pid in post_ids:
                if pid not in done:
                    self._audit(conn, pid, actor, now, detail)

    # -- sign-offs -----------------------------------------------------------------------------

    def sign(self, link: Link, post_id: str, reviewer: str, decision: str, revision: int,
             comment: str, now: datetime) -> Signoff:
        """Record a decision at `revision`; `InputError(CHANGED)` if the post moved on (checked
        inside the write transaction, so a change landing meanwhile is never signed off)."""
        if post_id not in link.post_ids:
            raise NotFound(f"no post with id '{post_id}'")
        if decision not in DECISIONS:
            raise InputError("choose approve or request changes")
        with self.store.write_transaction() as conn:
            q = select(posts.c.version).where(posts.c.id == post_id)
            if conn.dialect.name != "sqlite":  # SQLite's BEGIN IMMEDIATE already locks
                q = q.with_for_update()
            current = conn.execute(q).scalar()
            if current is None:
                raise NotFound(f"no post with id '{post_id}'")
            if current != revision:
                raise InputError(CHANGED)
            found = Signoff(post_id, link.id, link.name, reviewer, decision, revision, comment,
                            now)
            conn.execute(insert(signoffs).values(
                post_id=post_id, link_id=link.id, name=link.name, reviewer=reviewer,
                decision=decision, revision=revision, comment=comment, at=now))
            if comment:
                conn.execute(insert(comments).values(
                    post_id=post_id, author=f"{reviewer} ({link.name})"[:64], body=comment,
                    at=now))
            what = "approved" if decision == APPROVE else "requested changes"
            self._audit(conn, post_id, f"{reviewer} ({link.name}, link {link.id})", now,
                        f"sign-off {link.name}: {what} at revision {revision}")
        return found

    def signoffs(self, post_id: str) -> list[Signoff]:
        """A post's sign-offs, oldest first."""
        q = select(signoffs).where(signoffs.c.post_id == post_id).order_by(signoffs.c.id)
        with self.engine.connect() as conn:
            return [Signoff(r.post_id, r.link_id, r.name, r.reviewer, r.decision, r.revision,
                            r.comment, r.at) for r in conn.execute(q)]

    def approved_names(self, post_id: str, revision: int,
                       not_through_links_of: str | None = None) -> set[str]:
        """The sign-off names whose latest decision at `revision` is an approval; with
        `not_through_links_of`, sign-offs given through links that person made do not count
        (a lead cannot sign off their own post through a link of their own: four eyes)."""
        own: set[str] = set()
        if not_through_links_of is not None:
            from toolkit.library.four_eyes import person

            me = person(not_through_links_of)
            with self.engine.connect() as conn:
                own = {r.id for r in conn.execute(select(review_links.c.id,
                                                         review_links.c.created_by))
                       if person(r.created_by) == me}
        latest: dict[str, str] = {}
        for s in self.signoffs(post_id):
            if s.revision == revision and s.link_id not in own:
                latest[s.name] = s.decision
        return {name for name, decision in latest.items() if decision == APPROVE}
