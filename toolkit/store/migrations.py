"""The store's named migrations, applied in order and each recorded once in `migrations` (like
sqlite-utils), and the checks of a store's shape against them: the migrations still pending, the
columns missing, and the shape recorded for the quick SQLite paths (`toolkit.store.quickread`).
The tables they make are those of `toolkit.store.tables`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, func, inspect, select, text

from toolkit.store.quickread import remember_shape
from toolkit.store.tables import (
    STATUS_WIDTH,
    UTCDateTime,
    account_holds,
    audit,
    comments,
    frozen_media,
    heartbeats,
    library_edits,
    login_attempts,
    metadata,
    migrations_table,
    notify_events,
    notify_outbox,
    ops_marks,
    posts,
    review_link_posts,
    review_links,
    samples,
    sessions,
    settings,
    signoffs,
    users,
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
