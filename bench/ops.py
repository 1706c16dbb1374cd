"""Running it: `toolkit status` with 10,000 posts in the store, and the notifier's pass over a
burst of 1,000 missed posts (the messages queued for two channels; sending is not timed).

`status` is timed as a whole command (start-up included), median of several runs; the
notifier pass as one `Notifier.collect` call in this process.
"""

from __future__ import annotations

import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
N = 10_000
BURST = 1_000
RUNS = 5


def make_project(tmp: Path) -> Path:
    """A copy of the project's config and posts in `tmp`, with two notification channels."""
    shutil.copytree(ROOT / "config", tmp / "config")
    shutil.copytree(ROOT / "posts", tmp / "posts")
    cfg = tmp / "config" / "campaign.yaml"
    with cfg.open("a", encoding="utf-8") as f:
        f.write("notify:\n  channels:\n    a:\n      url_env: BENCH_A\n"
                "    b:\n      url_env: BENCH_B\n      lang: es\n")
    return cfg


def seed(cfg: Path) -> None:
    """N approved posts over the coming months, BURST of them already two hours late."""
    from toolkit.core.config import load_config
    from toolkit.store import NewPost, Store

    store = Store(load_config(cfg).store_url)
    now = datetime.now(UTC)
    times = [now - timedelta(hours=2, seconds=i) for i in range(BURST)]
    times += [now + timedelta(hours=1, minutes=20 * i) for i in range(N - BURST)]
    ids = store.add([NewPost("courts-suspended", "en", "x", "x-campaign",
                             f"Post {i} #SaveAsylum", at) for i, at in enumerate(times)],
                    "bench", now)
    store.transition_many([(i, "draft", {}) for i in ids], "approved", "bench", now)
    store.close()


def time_status(cfg: Path) -> float:
    """Median seconds of `toolkit status` as a whole command."""
    args = [sys.executable, "-m", "toolkit", "--config", str(cfg), "status"]
    subprocess.run(args, capture_output=True)
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(args, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def time_burst(cfg: Path) -> tuple[float, int]:
    """Seconds for the notifier to turn the burst into messages, and how many it queued."""
    from toolkit.core.config import load_config
    from toolkit.operations.notify.notifier import Notifier
    from toolkit.scheduler.dispatch import Dispatcher
    from toolkit.store import Store

    os.environ.update(BENCH_A="json://127.0.0.1:9/a", BENCH_B="json://127.0.0.1:9/b")
    # one line per missed post
    logging.getLogger("toolkit.scheduler.dispatch").setLevel(logging.ERROR)
    config = load_config(cfg)
    store = Store(config.store_url)
    now = datetime.now(UTC)
    Dispatcher(store, {}, max_lateness=config.max_lateness).mark_missed(now)
    notifier = Notifier(config, store)
    start = time.perf_counter()
    queued = notifier.collect(notifier.channels(), now)
    took = time.perf_counter() - start
    store.close()
    return took, queued


def main() -> None:
    """Print the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        cfg = make_project(Path(tmp))
        seed(cfg)
        status_s = time_status(cfg)
        burst_s, queued = time_burst(cfg)
    print(f"toolkit status with {N:,} posts: {status_s * 1000:.0f} ms median of {RUNS} "
          f"(goal ≤ 1000 ms: {'OK' if status_s <= 1 else 'SLOW'})")
    print(f"notifier pass over {BURST:,} missed posts, 2 channels: {burst_s * 1000:.0f} ms, "
          f"{queued} message(s) queued (goal: one per channel)")


if __name__ == "__main__":
    main()
