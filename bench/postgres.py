"""PostgreSQL figures, on a throwaway server (tests/pg.py: initdb + pg_ctl in a temp folder).

1. Dispatch throughput: 2,000 outbox posts all due at the same moment, published by 1, 2 and 4
   real `scheduler.py` processes on one database (spawned a few seconds before the posts fall
   due): posts per second from the due time to the last publication, and lateness p99 (the
   outbox record's `published_at` minus `scheduled_at`). Each run checks exactly-once.
2. Import + approve of 10,000 posts through the toolkit's own code (bench/queue_import.py) with
   the store on PostgreSQL. Goal: ≤ 2 s.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import queue_import  # noqa: E402
from pg import TempPostgres, skip_reason  # noqa: E402
from queue_import import N as IMPORT_N  # noqa: E402
from queue_import import bench_toolkit  # noqa: E402

from toolkit.compose.text import compose_message  # noqa: E402
from toolkit.core.config import load_config  # noqa: E402
from toolkit.library import load_library  # noqa: E402
from toolkit.store import NewPost, Store  # noqa: E402

#: bench/queue_import.py's project (main() points that module at `make_project` below)
BASE_PROJECT = queue_import.make_project
POSTS = 2_000
MESSAGE = "courts-suspended"
LEAD_S = 8.0  # the schedulers start this long before the posts fall due


def make_project(tmp: Path) -> Path:
    """The project's config and posts in `tmp`, with the frozen-media folder that a store
    without a folder of its own (PostgreSQL) needs named in `store.media`."""
    cfg = BASE_PROJECT(tmp)
    text = cfg.read_text(encoding="utf-8")
    cfg.write_text(text.replace("\nstore:\n", "\nstore:\n  media: ../data/media\n", 1),
                   encoding="utf-8")
    return cfg


def _iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def bench_dispatch(server: TempPostgres, schedulers: int) -> tuple[float, float]:
    """(posts/s from the due time to the last publication, lateness p99 in seconds)."""
    url = server.new_url()
    os.environ["TOOLKIT_STORE_URL"] = url
    with tempfile.TemporaryDirectory() as tmp:
        cfg = make_project(Path(tmp))
        config = load_config(cfg)
        store = Store(url)
        now = datetime.now(UTC)
        due = now + timedelta(seconds=LEAD_S)
        # a real message, free to publish: the schedulers check its facts again before each post
        text = compose_message(config, load_library(config), MESSAGE, "en", "outbox").text
        ids = store.add([NewPost(MESSAGE, "en", "outbox", "outbox", text, due)
                         for _ in range(POSTS)], "bench", now)
        store.transition_many([(i, "draft", {}) for i in ids], "approved", "bench", now)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("X_", "BLUESKY_", "MASTODON_"))}
        procs = [subprocess.Popen([sys.executable, str(ROOT / "scheduler.py"), "--config",
                                   str(cfg)], cwd=tmp, env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL) for _ in range(schedulers)]
        deadline = time.monotonic() + 300
        while len(store.list(["published"], ids=ids)) < POSTS and time.monotonic() < deadline:
            time.sleep(0.5)
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(timeout=60)
        store.close()
        records = [json.loads(p.read_text()) for p in config.outbox_dir.glob("*.json")]
        dup = config.outbox_dir / "duplicates.jsonl"
        assert len(records) == POSTS and not (dup.exists() and dup.read_text()), "not once"
    published = sorted(_iso(r["published_at"]) for r in records)
    late = sorted((_iso(r["published_at"]) - _iso(r["scheduled_at"])).total_seconds()
                  for r in records)
    span = (published[-1] - due).total_seconds()
    return POSTS / span, late[min(len(late) - 1, int(0.99 * len(late)))]


def main() -> None:
    """Print the figures."""
    reason = skip_reason()
    if reason:
        print(f"skipped: {reason}")
        return
    server = TempPostgres()
    try:
        for n in (1, 2, 4):
            rate, p99 = bench_dispatch(server, n)
            print(f"dispatch, {POSTS:,} posts due at once, {n} scheduler(s): {rate:.0f} posts/s, "
                  f"lateness p99 {p99:.2f} s → {rate * 86400:,.0f} posts a day "
                  f"({rate * 86400 / n:,.0f} per scheduler)")
        os.environ["TOOLKIT_STORE_URL"] = server.new_url()
        queue_import.make_project = make_project
        with tempfile.TemporaryDirectory() as tmp:
            t_import, t_approve = bench_toolkit(Path(tmp))
        total = t_import + t_approve
        print(f"PostgreSQL: import {IMPORT_N:,} posts {t_import:.2f} s + approve "
              f"{t_approve:.2f} s = {total:.2f} s; goal ≤ 2 s: "
              f"{'OK' if total <= 2 else 'MISSED'}")
    finally:
        os.environ.pop("TOOLKIT_STORE_URL", None)
        server.stop()


if __name__ == "__main__":
    main()
