"""Import and approve 10,000 posts (goal: ≤ 1 s in all), against a plain baseline.

Baseline, in the same run: one APScheduler `SQLAlchemyJobStore` job added per post (the way a
scheduler that keeps posts in APScheduler's own job store would queue them).
"""

from __future__ import annotations

import csv
import shutil
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
N = 10_000
BASELINE_N = 2_000  # the baseline is slow: measured on fewer posts and scaled per post


def noop(post_id: str) -> None:
    """The baseline's job function."""


def make_project(tmp: Path) -> Path:
    """A copy of the project's config and posts in `tmp`; returns the config path."""
    shutil.copytree(ROOT / "config", tmp / "config")
    shutil.copytree(ROOT / "posts", tmp / "posts")
    return tmp / "config" / "campaign.yaml"


def write_csv(path: Path, messages: list[str], now: datetime, rows: int = N) -> None:
    """`rows` rows every 43 minutes from tomorrow, cycling messages, platforms and languages."""
    platforms, langs = ("x", "mastodon", "bluesky"), ("en", "es")
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["message_id", "at", "platform", "lang"])
        for i in range(rows):
            at = (now + timedelta(days=1, minutes=43 * i)).strftime("%Y-%m-%dT%H:%M:%SZ")
            w.writerow([messages[i % len(messages)], at, platforms[i % 3], langs[i % 2]])


def bench_toolkit(tmp: Path) -> tuple[float, float]:
    """Seconds to import and to approve N posts through the toolkit's own code."""
    from toolkit.core.config import load_config
    from toolkit.library import load_library
    from toolkit.planning.queue import Planner
    from toolkit.store import Store
    from toolkit.surfaces.cli import cli

    cfg_path = make_project(tmp)
    cli.main(["--config", str(cfg_path), "graphics", "build"], standalone_mode=False)
    config = load_config(cfg_path)
    library = load_library(config)
    from toolkit.library.gate import blocking_facts  # the fact gate approval applies

    today = date.today()
    usable = [m.id for m in library.messages.values() if not blocking_facts(library, m, today)
              and {"x", "mastodon", "bluesky"} <= set(m.platforms)]
    now = datetime.now(UTC)
    csv_path = tmp / "posts.csv"
    write_csv(csv_path, usable, now)
    store = Store(config.store_url)
    planner = Planner(config, library, store)
    from toolkit.compose.lengths import x_length

    tw = time.perf_counter()
    x_length("warm-up")  # twitter-text compiles its regexes on first import (once a process)
    print(f"one-time twitter-text import, not counted below: "
          f"{(time.perf_counter() - tw) * 1000:.0f} ms")
    t0 = time.perf_counter()
    ids = planner.import_csv(csv_path, now, "bench")
    t1 = time.perf_counter()
    result = planner.approve(None, "bench", now)
    t2 = time.perf_counter()
    assert len(ids) == N and len(result.approved) == N, (len(ids), len(result.approved))
    store.close()
    return t1 - t0, t2 - t1


def bench_baseline(tmp: Path) -> float:
    """Seconds per post to add one SQLAlchemyJobStore job per post."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    sched = BackgroundScheduler(jobstores={"default": SQLAlchemyJobStore(
        url=f"sqlite:///{tmp / 'jobs.db'}")}, timezone=UTC)
    sched.start(paused=True)
    now = datetime.now(UTC)
    t0 = time.perf_counter()
    for i in range(BASELINE_N):
        sched.add_job(noop, "date", run_date=now + timedelta(days=1, minutes=i), args=[str(i)],
                      id=f"post-{i}")
    elapsed = time.perf_counter() - t0
    sched.shutdown(wait=False)
    return elapsed / BASELINE_N


def main() -> None:
    """Print the figures."""
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        t_import, t_approve = bench_toolkit(Path(a))
        per_post = bench_baseline(Path(b))
    total = t_import + t_approve
    print(f"toolkit: import {N:,} posts {t_import:.2f} s + approve {t_approve:.2f} s = "
          f"{total:.2f} s ({total / N * 1e6:.0f} µs/post); goal ≤ 1 s: "
          f"{'OK' if total <= 1 else 'MISSED'}")
    print(f"baseline (one SQLAlchemyJobStore job per post, {BASELINE_N:,} measured): "
          f"{per_post * 1e3:.2f} ms/post → {per_post * N:.1f} s for {N:,}")
    print(f"speed-up: {per_post * N / total:.0f}×")


if __name__ == "__main__":
    main()
