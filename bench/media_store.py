"""Frozen media in the store (issue 30): 1,000 posts with cards on SQLite and on PostgreSQL.

For each store: queue 1,000 posts whose messages have a card (X, Mastodon and Bluesky, English
and Spanish, cycling the messages), then time

- the approval of all 1,000 (text, facts and card frozen, the images written into the store in
  the approval's transaction), through `Planner.approve`, as `queue approve` and the web app do;
- a publish pass: the dispatcher claims and publishes all 1,000 to the outbox, each image read
  from the store through `read_media` (hash checked);

and the store's size growth per 1,000 posts (queued + approved), with how much of it is image
bytes. PostgreSQL is a throwaway server (tests/pg.py: initdb + pg_ctl in a temporary folder).

Run: `.venv/bin/python bench/media_store.py`
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

N = 1_000
PLATFORMS = ("x", "mastodon", "bluesky")


def make_project(tmp: Path, graphics: Path | None) -> Path:
    """config/ and posts/ in `tmp` with the cards built (copied from `graphics` when given)."""
    from toolkit.surfaces.cli import cli

    shutil.copytree(ROOT / "config", tmp / "config")
    shutil.copytree(ROOT / "posts", tmp / "posts")
    cfg = tmp / "config" / "campaign.yaml"
    if graphics is not None:
        shutil.copytree(graphics, tmp / "graphics")
    else:
        cli.main(["--config", str(cfg), "graphics", "build"], standalone_mode=False)
    return cfg


def store_bytes(url: str) -> int:
    """The store's size on disk: the SQLite file (WAL checkpointed), or the PostgreSQL
    database's size."""
    from toolkit.core.storefile import sqlite_path

    path = sqlite_path(url)
    if path is not None:
        with sqlite3.connect(path) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return path.stat().st_size
    import psycopg

    from toolkit.store.notify import libpq_url

    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute("VACUUM")
        return conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]


def run(label: str, cfg: Path, url: str) -> None:
    """Queue, approve and publish N posts with cards on the store at `url`; print figures."""
    from sqlalchemy import func, select

    from toolkit.core.config import load_config
    from toolkit.library import load_library
    from toolkit.library.gate import blocking_facts
    from toolkit.planning.queue import Planner
    from toolkit.publishers.outbox import OutboxPublisher
    from toolkit.scheduler.dispatch import Dispatcher
    from toolkit.store import Store
    from toolkit.store.tables import frozen_media

    text = cfg.read_text(encoding="utf-8")
    cfg.write_text(text.replace("url: sqlite:///../data/toolkit.db", f"url: {url}"),
                   encoding="utf-8")
    config = load_config(cfg)
    assert config.media_dir is None, "the bench measures a store without store.media"
    library = load_library(config)
    store = Store(url)
    planner = Planner(config, library, store)
    usable = [m.id for m in library.messages.values() if m.card and not blocking_facts(
        library, m, date.today()) and set(PLATFORMS) <= set(m.platforms)]
    empty = store_bytes(url)
    now = datetime.now(UTC)
    first = now + timedelta(hours=1)
    new = [planner.new_post(usable[i % len(usable)], PLATFORMS[i % 3], ("en", "es")[i % 2],
                            first + timedelta(seconds=10 * i)) for i in range(N)]
    ids = store.add(new, "bench", now)

    start = time.perf_counter()
    approval = planner.approve(ids, "bench", now)
    approve_s = time.perf_counter() - start
    assert len(approval.approved) == N, (approval.refused, approval.stale)
    with store.engine.connect() as conn:
        images, image_bytes = conn.execute(select(func.count(), func.sum(frozen_media.c.size))
                                           ).one()
    grown = store_bytes(url) - empty

    outbox = cfg.parent.parent / "outbox"
    publishers = {name: OutboxPublisher(outbox, account.platform)
                  for name, account in config.accounts.items()}
    dispatcher = Dispatcher(store, publishers, max_lateness=timedelta(days=1))
    start = time.perf_counter()
    outcomes = dispatcher.dispatch_due(first + timedelta(seconds=10 * N))
    publish_s = time.perf_counter() - start
    published = sum(o.status == "published" for o in outcomes)
    assert published == N, f"published {published} of {N}"
    named = [p.media[0]["sha256"] for p in store.list(ids=ids)]
    start = time.perf_counter()
    for digest in named:  # what the dispatcher adds per post: one read of its image
        store.frozen_images([digest])
    read_ms = (time.perf_counter() - start) / N * 1000
    store.close()
    print(f"{label}: approve {N:,} posts with cards {approve_s:.2f} s "
          f"({N / approve_s:,.0f} posts/s); publish pass {publish_s:.2f} s "
          f"({N / publish_s:,.0f} posts/s, each image read from the store, hash checked); "
          f"reading a post's image from the store {read_ms:.2f} ms")
    print(f"{label}: store growth per {N:,} posts (queued + approved) {grown / 1e6:.2f} MB, "
          f"of which {images} distinct images {image_bytes / 1e6:.2f} MB "
          f"(images are stored once per sha256, however many posts name them)")


def main() -> None:
    from pg import TempPostgres, skip_reason

    with tempfile.TemporaryDirectory(prefix="bench-media-") as tmp:
        tmp = Path(tmp)
        cfg = make_project(tmp / "sqlite", None)
        run("SQLite", cfg, f"sqlite:///{tmp / 'sqlite' / 'data' / 'toolkit.db'}")
        reason = skip_reason()
        if reason:
            print(f"PostgreSQL: skipped ({reason})")
            return
        server = TempPostgres()
        try:
            cfg = make_project(tmp / "pg", tmp / "sqlite" / "graphics")
            run("PostgreSQL", cfg, server.new_url())
        finally:
            server.stop()


if __name__ == "__main__":
    main()
