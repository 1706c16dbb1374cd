"""The store's tables and its named migrations (recorded in `migrations`, like sqlite-utils).

Times are timezone-aware in Python and stored as UTC: `UTCDateTime` refuses naive datetimes on
the way in and hands back aware UTC ones on the way out, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeEngine

from toolkit.store.quickread import remember_shape, sqlite_time, utc_from_store


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


def _m001_initial(conn: Connection) -> None:
    for table in (posts, audit):
        table.create(conn, checkfirst=True)


def _m002_account_holds(conn: Connection) -> None:
    account_holds.create(conn, checkfirst=True)


def _m003_published_at(conn: Connection) -> None:
    kind = UTCDateTime().dialect_impl(conn.dialect).compile(dialect=conn.dialect)
    _add_column(conn, "posts", "published_at", kind)


def _add_column(conn: Connection, table: str, name: str, kind: str) -> None:
    """`ALTER TABLE … ADD COLUMN` unless the column is there (SQLite and PostgreSQL alike)."""
    if name not in {c["name"] for c in inspect(conn).get_columns(table)}:
        conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {name} {kind}"))


def _m005_web(conn: Connection) -> None:
    for table in (users, sessions, login_attempts, comments, settings):
        table.create(conn, checkfirst=True)


def _m006_ops(conn: Connection) -> None:
    for table in (heartbeats, ops_marks, notify_events, notify_outbox):
        table.create(conn, checkfirst=True)
    # notifications start from now: an upgraded store's old history is not announced again
    last = conn.execute(select(func.max(audit.c.id))).scalar() or 0
    conn.execute(ops_marks.insert().values(name="notify_audit", value=str(last)))


#: PostgreSQL channel on which every change to posts or account holds is announced
NOTIFY_CHANNEL = "toolkit_posts"


#: the trigger of "007_store" on posts (its condition reads `status`)
POSTS_TRIGGER = ("CREATE TRIGGER posts_notify AFTER INSERT OR UPDATE ON posts FOR EACH ROW "
                 "WHEN (NEW.status = 'approved') EXECUTE FUNCTION toolkit_notify()")


def _m007_store(conn: Connection) -> None:
    """On PostgreSQL, a transaction that makes a post `approved` (approval, reschedule, release,
    retry) or changes an account hold sends one `NOTIFY toolkit_posts`, so schedulers on other
    machines re-arm at once, whoever writes (CLI, web app, scheduler). Claims and publications
    send nothing: the schedulers' own work does not wake the others."""
    if conn.dialect.name != "postgresql":
        return
    conn.execute(text(
        "CREATE OR REPLACE FUNCTION toolkit_notify() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN PERFORM pg_notify('{NOTIFY_CHANNEL}', TG_TABLE_NAME); RETURN NULL; END $$"))
    conn.execute(text(POSTS_TRIGGER))
    conn.execute(text(
        "CREATE TRIGGER account_holds_notify AFTER INSERT OR UPDATE OR DELETE ON account_holds "
        "FOR EACH STATEMENT EXECUTE FUNCTION toolkit_notify()"))


def _m008_signoff(conn: Connection) -> None:
    for table in (review_links, review_link_posts, signoffs):
        table.create(conn, checkfirst=True)


def _m009_frozen_facts(conn: Connection) -> None:
    """`posts.facts`: what an approval rested on. Posts approved before it have none; the fact
    gate derives their record from the frozen text (`toolkit.library.facts.derived_record`)."""
    _add_column(conn, "posts", "facts", "TEXT")


def _m010_changes_requested(conn: Connection) -> None:
    """Room for the status `changes_requested` in `posts.status` and the audit's statuses:
    PostgreSQL enforces a VARCHAR's length (SQLite does not, and keeps its columns). The
    trigger that reads `posts.status` is dropped meanwhile and made again as it was."""
    if conn.dialect.name != "postgresql":
        return
    conn.execute(text("DROP TRIGGER IF EXISTS posts_notify ON posts"))
    for table, column in (("posts", "status"), ("audit", "from_status"),
                          ("audit", "to_status")):
        conn.execute(text(f"ALTER TABLE {table} ALTER COLUMN {column} "
                          f"TYPE VARCHAR({STATUS_WIDTH})"))
    conn.execute(text(POSTS_TRIGGER))


def _m011_library_edits(conn: Connection) -> None:
    """The library's audit log (`toolkit.store.library_log`) and the e-mail address a user's
    library edits are committed under (`users.email`)."""
    library_edits.create(conn, checkfirst=True)
    _add_column(conn, "users", "email", "VARCHAR(254)")


def _m012_frozen_media(conn: Connection) -> None:
    """Frozen images in the store itself (`frozen_media`), and the frozen files posts name moved
    in: the files are read, checked against their sha256 and stored in this migration's
    transaction (all or nothing, so a crash leaves it to run again; rows already stored are
    skipped). The files are left where they were."""
    from toolkit.core import clock
    from toolkit.store.blobs import import_files

    frozen_media.create(conn, checkfirst=True)
    import_files(conn, clock.now())


def _m013_samples(conn: Connection) -> None:
    """`samples`: engagement counts per published post at +1 h, +24 h, +7 days (issue 26)."""
    samples.create(conn, checkfirst=True)


def _m014_publish_ref(conn: Connection) -> None:
    """`posts.publish_ref`: what a publisher remembers of a post before its platform call (a
    Threads/Instagram container, a Bluesky record key), in the store so every scheduler sharing
    it sees it. Posts published before have none (containers recorded in a machine's
    `containers/` folder are still read there)."""
    _add_column(conn, "posts", "publish_ref", "TEXT")


#: tables whose first rows a migration writes (bookkeeping, not campaign data): a freshly
#: migrated store counts as empty with them, and `store copy` replaces them with the source's
SEEDED_BY_MIGRATIONS = ("ops_marks",)


#: named migrations, applied in order, each once; never rename or reorder, only append
MIGRATIONS: list[tuple[str, Callable[[Connection], None]]] = [
    ("001_initial", _m001_initial),
    ("002_account_holds", _m002_account_holds),
    ("003_published_at", _m003_published_at),
    ("005_web", _m005_web),
    ("006_ops", _m006_ops),
    ("007_store", _m007_store),
    ("008_signoff", _m008_signoff),
    ("009_frozen_facts", _m009_frozen_facts),
    ("010_changes_requested", _m010_changes_requested),
    ("011_library_edits", _m011_library_edits),
    ("012_frozen_media", _m012_frozen_media),
    ("013_samples", _m013_samples),
    ("014_publish_ref", _m014_publish_ref),
]

#: any number, the same in every process: migrations on PostgreSQL run under this advisory lock
MIGRATION_LOCK = 0x5A7E_A5F1


def pending(conn: Connection) -> list[str]:
    """The migrations not yet recorded (reads only: no write lock is taken)."""
    if not inspect(conn).has_table("migrations"):
        return [name for name, _ in MIGRATIONS]
    done = {r[0] for r in conn.execute(select(migrations_table.c.name))}
    return [name for name, _ in MIGRATIONS if name not in done]


def missing_columns(conn: Connection) -> list[str]:
    """`table.column` for each column the schema expects but the database lacks (a damaged or
    hand-edited store), for every table that exists."""
    insp = inspect(conn)
    missing = []
    for table in metadata.sorted_tables:
        if not insp.has_table(table.name):
            continue
        have = {c["name"] for c in insp.get_columns(table.name)}
        missing += [f"{table.name}.{c.name}" for c in table.columns if c.name not in have]
    return missing


def migrate(conn: Connection, now: datetime) -> list[str]:
    """Apply the migrations not yet recorded; return the names applied."""
    if conn.dialect.name == "postgresql":  # two processes starting at once: one migrates
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    migrations_table.create(conn, checkfirst=True)
    done = {r[0] for r in conn.execute(migrations_table.select().with_only_columns(
        migrations_table.c.name))}
    applied = []
    for name, step in MIGRATIONS:
        if name not in done:
            step(conn)
            conn.execute(migrations_table.insert().values(name=name, applied_at=now))
            applied.append(name)
    return applied


def record_shape(shape_file: Path) -> None:
    """Record for `quickread` what opening a store checks: the migrations, every table's columns
    (as this process's metadata has them) and the time columns of `posts`."""
    remember_shape(shape_file, [name for name, _ in MIGRATIONS],
                   {t.name: [c.name for c in t.columns] for t in metadata.sorted_tables},
                   [c.name for c in posts.columns if isinstance(c.type, UTCDateTime)])
