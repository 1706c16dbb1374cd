"""The review web app's records in the store: users, sessions, login attempts, comments and
settings (the calendar feed's token hash). Created by the migration "005_web".

Only hashes of secrets are kept: argon2 for passwords (hashed by `toolkit.store.users`), SHA-256 for
session ids and the feed token, which are random and long.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    delete,
    func,
    insert,
    select,
    text,
    update,
)

from toolkit.core.errors import NotFound
from toolkit.store.models import Post
from toolkit.store.tables import audit, comments, login_attempts, posts, sessions, settings, users

FEED_TOKEN = "feed_token_sha256"
KEEP_ATTEMPTS = timedelta(days=1)


#: any number, the same in every process: sign-in attempts on PostgreSQL run under this lock
LOGIN_LOCK = 0x5A7E_10C4


@dataclass(frozen=True)
class LoginRules:
    """When sign-in attempts are throttled (see `WebStore.begin_attempt`)."""

    max_failures: int
    window: timedelta
    name_failures: int
    name_spacing: timedelta


def digest(secret: str) -> str:
    """SHA-256 hex of a random secret (session id, feed token): what the store keeps."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class User:
    """A person who may sign in to the review app."""

    name: str
    role: str
    password_hash: str
    created_at: datetime
    email: str | None = None


@dataclass(frozen=True)
class Session:
    """A signed-in browser: whose it is, its CSRF token and when it ends."""

    user: str
    csrf: str
    expires_at: datetime


@dataclass(frozen=True)
class Comment:
    """A comment on a post."""

    post_id: str
    author: str
    body: str
    at: datetime


class WebStore:
    """Queries for the review app's tables, over a `Store`'s engine."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.engine = store.engine

    def _write(self):  # a context manager yielding a Connection
        return self.store._write()

    # -- users ---------------------------------------------------------------------------------

    def user(self, name: str) -> User | None:
        """The user called `name`, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.name == name)).first()
        return User(row.name, row.role, row.password_hash, row.created_at, row.email) \
            if row else None

    def users(self) -> list[User]:
        """Every user, by name."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(users).order_by(users.c.name)).all()
        return [User(r.name, r.role, r.password_hash, r.created_at, r.email) for r in rows]

    def user_count(self) -> int:
        """How many users there are."""
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(users)).scalar_one()

    def add_user(self, name: str, role: str, password_hash: str, now: datetime) -> bool:
        """Add a user; False if the name is taken."""
        with self._write() as conn:
            if conn.execute(select(users.c.name).where(users.c.name == name)).first():
                return False
            conn.execute(insert(users).values(name=name, role=role, password_hash=password_hash,
                                              created_at=now, updated_at=now))
        return True

    def set_email(self, name: str, email: str | None, now: datetime) -> bool:
        """Set the address a user's library edits are committed under; False if no such user."""
        with self._write() as conn:
            return bool(conn.execute(update(users).where(users.c.name == name).values(
                email=email, updated_at=now)).rowcount)

    def set_password(self, name: str, password_hash: str, now: datetime) -> bool:
        """Change a password and end the user's sessions; False if there is no such user."""
        with self._write() as conn:
            done = conn.execute(update(users).where(users.c.name == name).values(
                password_hash=password_hash, updated_at=now)).rowcount
            conn.execute(delete(sessions).where(sessions.c.user == name))
        return bool(done)

    def remove_user(self, name: str) -> bool:
        """Remove a user and their sessions (their audit entries and comments stay)."""
        with self._write() as conn:
            done = conn.execute(delete(users).where(users.c.name == name)).rowcount
            conn.execute(delete(sessions).where(sessions.c.user == name))
        return bool(done)

    # -- sessions ------------------------------------------------------------------------------

    def open_session(self, session_id: str, user: str, csrf: str, now: datetime,
                     expires_at: datetime) -> None:
        """Record a new session (only the hash of its id is kept)."""
        with self._write() as conn:
            conn.execute(delete(sessions).where(sessions.c.expires_at <= now))
            conn.execute(insert(sessions).values(id_hash=digest(session_id), user=user,
                                                 csrf=csrf, created_at=now,
                                                 expires_at=expires_at))

    def session(self, session_id: str, now: datetime) -> Session | None:
        """The live session with this id (None when unknown, expired or its user is gone)."""
        q = (select(sessions.c.user, sessions.c.csrf, sessions.c.expires_at)
             .join(users, users.c.name == sessions.c.user)
             .where(sessions.c.id_hash == digest(session_id), sessions.c.expires_at > now))
        with self.engine.connect() as conn:
            row = conn.execute(q).first()
        return Session(row.user, row.csrf, row.expires_at) if row else None

    def close_session(self, session_id: str) -> None:
        """Sign out: forget the session."""
        with self._write() as conn:
            conn.execute(delete(sessions).where(sessions.c.id_hash == digest(session_id)))

    # -- login throttling ----------------------------------------------------------------------

    def begin_attempt(self, name: str, address: str, now: datetime, rules: LoginRules
                      ) -> int | None:
        """Check the throttle and record the attempt in one write transaction, so parallel
        tries cannot all pass the check: None when it is throttled, else the id of the attempt,
        recorded as failed until `finish_attempt` says it succeeded.

        Throttled: `rules.max_failures` failures for this name from this address, or from this
        address for any name, within the window; and, for a name under attack from many
        addresses, after `rules.name_failures` failures one try per `rules.name_spacing`."""
        name, address, since = name[:64], address[:64], now - rules.window
        failed = select(func.count()).select_from(login_attempts).where(
            login_attempts.c.ok == 0, login_attempts.c.at >= since)
        with self._write() as conn:
            if conn.dialect.name == "postgresql":  # sign-ins are rare: one at a time
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOGIN_LOCK})
            by_pair = conn.execute(failed.where(login_attempts.c.name == name,
                                                login_attempts.c.address == address)).scalar_one()
            by_addr = conn.execute(failed.where(login_attempts.c.address == address)).scalar_one()
            if max(by_pair, by_addr) >= rules.max_failures:
                return None
            by_name = conn.execute(failed.where(login_attempts.c.name == name)).scalar_one()
            if by_name >= rules.name_failures:
                last = conn.execute(select(func.max(login_attempts.c.at)).where(
                    login_attempts.c.name == name)).scalar_one()
                if last is not None and now - last < rules.name_spacing:
                    return None
            conn.execute(delete(login_attempts).where(login_attempts.c.at < now - KEEP_ATTEMPTS))
            return conn.execute(insert(login_attempts).values(
                name=name, address=address, at=now, ok=0)).inserted_primary_key[0]

    def finish_attempt(self, attempt: int, ok: bool) -> None:
        """Record the outcome of an attempt `begin_attempt` let through."""
        if ok:
            with self._write() as conn:
                conn.execute(update(login_attempts).where(login_attempts.c.id == attempt)
                             .values(ok=1))

    # -- comments ------------------------------------------------------------------------------

    def add_comment(self, post_id: str, author: str, body: str, now: datetime) -> None:
        """Add a comment to a post, and an audit entry (status unchanged) saying who did."""
        with self._write() as conn:
            row = conn.execute(select(posts.c.status).where(posts.c.id == post_id)).first()
            if row is None:
                raise NotFound(f"no post with id '{post_id}'")
            conn.execute(insert(comments).values(post_id=post_id, author=author, body=body,
                                                 at=now))
            conn.execute(insert(audit).values(post_id=post_id, from_status=row.status,
                                              to_status=row.status, actor=author, at=now,
                                              detail="commented"))

    def comments(self, post_id: str) -> list[Comment]:
        """A post's comments, oldest first."""
        q = select(comments).where(comments.c.post_id == post_id).order_by(comments.c.id)
        with self.engine.connect() as conn:
            return [Comment(r.post_id, r.author, r.body, r.at) for r in conn.execute(q)]

    def comment_counts(self, post_ids: list[str]) -> dict[str, int]:
        """How many comments each of `post_ids` has (posts without any are left out)."""
        counts: dict[str, int] = {}
        with self.engine.connect() as conn:
            for i in range(0, len(post_ids), 900):
                q = (select(comments.c.post_id, func.count()).group_by(comments.c.post_id)
                     .where(comments.c.post_id.in_(post_ids[i:i + 900])))
                counts.update({pid: n for pid, n in conn.execute(q)})
        return counts

    # -- the schedule's views -------------------------------------------------------------------

    def find_posts(self, start: datetime | None = None, end: datetime | None = None,
                   statuses: list[str] | None = None, platforms: list[str] | None = None,
                   accounts: list[str] | None = None, langs: list[str] | None = None,
                   message_ids: list[str] | None = None, limit: int | None = None,
                   offset: int = 0, text: str | None = None) -> list[Post]:
        """Posts in time order, filtered in the database (only the rows a page shows); `text`:
        only posts whose text contains it (case-insensitive)."""
        q = select(posts).order_by(posts.c.scheduled_at, posts.c.id)
        for column, wanted in ((posts.c.status, statuses), (posts.c.platform, platforms),
                               (posts.c.account, accounts), (posts.c.lang, langs),
                               (posts.c.message_id, message_ids)):
            if wanted:
                q = q.where(column.in_(wanted))
        if text:
            escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            q = q.where(posts.c.text.ilike(f"%{escaped}%", escape="\\"))
        if start is not None:
            q = q.where(posts.c.scheduled_at >= start)
        if end is not None:
            q = q.where(posts.c.scheduled_at < end)
        if limit is not None:
            q = q.limit(limit).offset(offset)
        with self.engine.connect() as conn:
            return [Post.from_row(r) for r in conn.execute(q)]

    def pending_message_ids(self, statuses: list[str], since: datetime) -> list[str]:
        """Distinct messages used by posts in `statuses` from `since` (for the fact gate)."""
        q = (select(posts.c.message_id).distinct()
             .where(posts.c.status.in_(statuses), posts.c.scheduled_at >= since))
        with self.engine.connect() as conn:
            return [r[0] for r in conn.execute(q)]

    def media_of(self, post_id: str) -> list[dict]:
        """The media entries recorded for one post (empty when there is no such post)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(posts.c.media).where(posts.c.id == post_id)).first()
        return json.loads(row.media or "[]") if row else []

    # -- settings ------------------------------------------------------------------------------

    def setting(self, key: str) -> str | None:
        """A stored setting, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(select(settings.c.value).where(settings.c.key == key)).first()
        return row.value if row else None

    def set_setting(self, key: str, value: str) -> None:
        """Store a setting (replacing the old value)."""
        with self._write() as conn:
            if not conn.execute(update(settings).where(settings.c.key == key)
                                .values(value=value)).rowcount:
                conn.execute(insert(settings).values(key=key, value=value))
