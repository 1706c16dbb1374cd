"""The store's tables (SQLAlchemy Core), one `metadata` for them all; the migrations that make
them live in `toolkit.store.migrations`.

Times are timezone-aware in Python and stored as UTC: `UTCDateTime` refuses naive datetimes on
the way in and hands back aware UTC ones on the way out, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeEngine

from toolkit.store.quickread import sqlite_time, utc_from_store


class UTCDateTime(TypeDecorator):
    """A timezone-aware datetime stored as UTC.

    PostgreSQL and others get `TIMESTAMP WITH TIME ZONE`; SQLite gets text in SQLAlchemy's own
    sortable format (`2026-12-01 15:00:00.000000`), converted with C-speed `isoformat` /
    `fromisoformat` rather than per-field formatting (bulk queue operations convert 10⁴ values).
    """

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(26))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> object:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return sqlite_time(value)
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; times must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: object, dialect: Dialect) -> datetime | None:
        return utc_from_store(value)


metadata = MetaData()
#: room for a status's name (`changes_requested` has 17 characters; the first stores had 16)
STATUS_WIDTH = 32

migrations_table = Table(
    "migrations", metadata,
    Column("name", String(100), primary_key=True),
    Column("applied_at", UTCDateTime, nullable=False),
)

posts = Table(
    "posts", metadata,
    Column("id", String(16), primary_key=True),
    Column("message_id", String(100), nullable=False),
    Column("lang", String(8), nullable=False),
    Column("platform", String(32), nullable=False),
    Column("account", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("media", Text, nullable=False, default="[]"),
    #: JSON: the statistics (with the display each showed) and claims approval rested on
    Column("facts", Text),
    #: what the post's publisher remembered before its platform call (JSON, e.g. a container id
    #: or a record key), for any scheduler sharing the store (`Claims.remember_publish_ref`)
    Column("publish_ref", Text),
    Column("scheduled_at", UTCDateTime, nullable=False),
    Column("status", String(STATUS_WIDTH), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("not_before", UTCDateTime),
    Column("claim_owner", String(120)),
    Column("claim_expires_at", UTCDateTime),
    Column("platform_post_id", String(64)),
    Column("url", Text),
    Column("last_error", Text),
    Column("approved_by", String(64)),
    Column("approved_at", UTCDateTime),
    Column("published_at", UTCDateTime),
    Column("version", Integer, nullable=False, default=1),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
Index("ix_posts_status_scheduled", posts.c.status, posts.c.scheduled_at)
Index("ix_posts_account_scheduled", posts.c.account, posts.c.scheduled_at)

audit = Table(
    "audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("post_id", String(16), nullable=False, index=True),
    Column("from_status", String(STATUS_WIDTH)),
    Column("to_status", String(STATUS_WIDTH), nullable=False),
    Column("actor", String(120), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("detail", Text),
)

account_holds = Table(
    "account_holds", metadata,
    Column("account", String(64), primary_key=True),
    Column("until", UTCDateTime, nullable=False),
    Column("reason", Text),
)

heartbeats = Table(
    "heartbeats", metadata,
    Column("id", String(64), primary_key=True),
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("version", String(32), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("beat_at", UTCDateTime, nullable=False),
    Column("last_wake", UTCDateTime),
    Column("last_dispatch", UTCDateTime),
    Column("next_wake", UTCDateTime),
    Column("last_error", Text),
)

ops_marks = Table(
    "ops_marks", metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

notify_events = Table(
    "notify_events", metadata,
    Column("channel", String(64), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("at", UTCDateTime, nullable=False),
)

notify_outbox = Table(
    "notify_outbox", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("channel", String(64), nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("next_try", UTCDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("sent_at", UTCDateTime),
    Column("last_error", Text),
)
Index("ix_notify_outbox_pending", notify_outbox.c.sent_at, notify_outbox.c.next_try)

#: frozen images, content-addressed (see `toolkit.store.blobs`): BLOB on SQLite, bytea on
#: PostgreSQL; written in the approval's transaction, never changed
frozen_media = Table(
    "frozen_media", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("suffix", String(8), nullable=False),
    Column("size", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

#: public engagement counts of a published post, one row per post and sample time after
#: publishing (`offset_s`, seconds): the key makes a sample written twice count once.
#: `state`: `ok` (counts read), `deleted` (gone on the platform: never asked again),
#: `missed` (its time passed long ago: not taken). Counts a platform lacks stay NULL.
samples = Table(
    "samples", metadata,
    Column("post_id", String(16), primary_key=True),
    Column("offset_s", Integer, primary_key=True, autoincrement=False),
    Column("taken_at", UTCDateTime, nullable=False),
    Column("state", String(16), nullable=False),
    Column("likes", Integer),
    Column("reposts", Integer),
    Column("replies", Integer),
    Column("quotes", Integer),
)


# the review app's tables (migration "005_web"; `toolkit.store.web` reads and writes them)
users = Table(
    "users", metadata,
    Column("name", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    #: the address the user's library edits are committed under (migration 011)
    Column("email", String(254)),
)

sessions = Table(
    "sessions", metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("user", String(64), nullable=False, index=True),
    Column("csrf", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)

login_attempts = Table(
    "login_attempts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, index=True),
    Column("address", String(64), nullable=False, index=True),
    Column("at", UTCDateTime, nullable=False),
    Column("ok", Integer, nullable=False),
)

comments = Table(
    "comments", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("post_id", String(16), nullable=False, index=True),
    Column("author", String(64), nullable=False),
    Column("body", Text, nullable=False),
    Column("at", UTCDateTime, nullable=False),
)

settings = Table(
    "settings", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# sign-off links and decisions (migration "008_signoff"; `toolkit.store.signoff`)
review_links = Table(
    "review_links", metadata,
    Column("id", String(16), primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("name", String(64), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
)

review_link_posts = Table(
    "review_link_posts", metadata,
    Column("link_id", String(16), primary_key=True),
    Column("post_id", String(16), primary_key=True),
)

signoffs = Table(
    "signoffs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("post_id", String(16), nullable=False, index=True),
    Column("link_id", String(16), nullable=False),
    Column("name", String(64), nullable=False),
    Column("reviewer", String(64), nullable=False),
    Column("decision", String(20), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("comment", Text, nullable=False),
    Column("at", UTCDateTime, nullable=False),
)


#: the library's own audit log (`toolkit.store.library_log`): every change the message editor or
#: `toolkit library new|edit|delete|propose|verify` wrote into posts/, with the item before/after
library_edits = Table(
    "library_edits", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(120), nullable=False),
    #: new, edit, delete, propose, verify
    Column("action", String(16), nullable=False),
    Column("section", String(16), nullable=False),
    Column("item_id", String(100), nullable=False, index=True),
    Column("file", Text, nullable=False),
    Column("before", Text),
    Column("after", Text),
)
