"""Copying a whole store into another, empty one (e.g. a campaign's SQLite file to PostgreSQL).

Every table the schema knows is copied row for row, ids included (posts, the audit log, account
holds, and any table later migrations add), in one transaction on the target: all or nothing.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete, func, insert, select, text

from toolkit.core.errors import StoreError
from toolkit.store.media import refreeze
from toolkit.store.migrations import SEEDED_BY_MIGRATIONS
from toolkit.store.store import Store, safe_url
from toolkit.store.tables import frozen_media, metadata, migrations_table

CHUNK = 2000
IMAGE_CHUNK = 20


def copy_store(source: Store, target: Store, media: Path | None = None) -> dict[str, int]:
    """Copy every row of `source` into `target`, which must hold none; return rows per table
    (the approved images included: they are the `frozen_media` table's rows). With `media`,
    each approved image is also exported as a file there and the copied posts name it
    (`images exported`: how many).

    Raises `StoreError` (and commits nothing) when the target already holds rows."""
    tables = [t for t in metadata.sorted_tables if t is not migrations_table]
    counts: dict[str, int] = {}
    with source.engine.connect() as src, target.write_transaction() as dst:
        held = {t.name: dst.execute(select(func.count()).select_from(t)).scalar_one()
                for t in tables if t.name not in SEEDED_BY_MIGRATIONS}
        if any(held.values()):
            raise StoreError(f"the target store {safe_url(target.url)} is not empty "
                             f"({summary(held)}); copy only into an empty store")
        for table in tables:
            if table.name in SEEDED_BY_MIGRATIONS:  # the source's marks replace the new ones
                dst.execute(delete(table))
            counts[table.name] = 0
            size = IMAGE_CHUNK if table is frozen_media else CHUNK  # images: a few MB at once
            result = src.execution_options(yield_per=size).execute(
                select(table).order_by(*table.primary_key.columns))
            for chunk in result.mappings().partitions(size):
                rows = [dict(r) for r in chunk]
                if table.name == "posts" and media is not None:
                    for row in rows:
                        row["media"], n = refreeze(row["media"], media,
                                                   lambda d: source.frozen_images([d]).get(d))
                        counts[IMAGES] = counts.get(IMAGES, 0) + n
                dst.execute(insert(table), rows)
                counts[table.name] += len(chunk)
        if dst.dialect.name == "postgresql":
            _reset_sequences(dst, tables)
    return counts


#: the count of approved images exported as files with `--media` (not a table)
IMAGES = "images exported"
#: how rows of each table are counted to a person (other tables by their own name)
LABELS = {"posts": "posts", "audit": "audit entries", "account_holds": "account holds",
          "frozen_media": "frozen images", IMAGES: IMAGES}


def summary(counts: dict[str, int]) -> str:
    """`6 posts, 12 audit entries, 1 account holds`: posts first, empty tables left out."""
    order = [*[t for t in LABELS if t in counts], *sorted(t for t in counts if t not in LABELS)]
    return ", ".join(f"{counts[t]} {LABELS.get(t, t)}" for t in order if counts[t]) or "nothing"


def _reset_sequences(conn, tables) -> None:
    """Serial ids continue after the copied ones (PostgreSQL keeps a separate counter)."""
    for table in tables:
        for col in table.primary_key.columns:
            if col.autoincrement is True or (col.autoincrement == "auto"
                                             and col.type.python_type is int):
                conn.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', '{col.name}'), "
                    f"COALESCE((SELECT MAX({col.name}) FROM {table.name}), 0) + 1, false)"))
