"""Scheduler figures: lateness at the publisher call, and start-up with 10,000 queued posts.

1. Lateness: 200 outbox posts due within one minute, 50 of them in the same second; the real
   `SchedulerService` (APScheduler + dispatcher) runs in this process and the outbox publisher
   records when it is called. Goal: p99 ≤ 100 ms.
2. Start-up: `python scheduler.py` on a store holding 10,000 approved posts, from spawn to
   "scheduler running"; and the process's peak memory (VmHWM). Goal: ≤ 1 s.
"""

from __future__ import annotations

import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit.core.config import load_config  # noqa: E402
from toolkit.publishers.outbox import OutboxPublisher  # noqa: E402
from toolkit.scheduler.dispatch import Dispatcher  # noqa: E402
from toolkit.store import NewPost, Store  # noqa: E402


def make_project(tmp: Path) -> Path:
    """A copy of the project's config and posts in `tmp`; returns the config path."""
    shutil.copytree(ROOT / "config", tmp / "config")
    shutil.copytree(ROOT / "posts", tmp / "posts")
    return tmp / "config" / "campaign.yaml"


def seed(store: Store, times: list[datetime]) -> list[str]:
    """Approved outbox posts at the given times."""
    now = datetime.now(UTC)
    ids = store.add([NewPost("demo", "en", "outbox", "outbox", f"Post {i} #SaveAsylum", t)
                     for i, t in enumerate(times)], "bench", now)
    store.transition_many([(i, "draft", {}) for i in ids], "approved", "bench", now)
    return ids


class TimedOutbox(OutboxPublisher):
    """The outbox publisher, noting how late each call comes."""

    lateness: list[float] = []

    def publish(self, post):
        self.lateness.append((datetime.now(UTC) - post.scheduled_at).total_seconds())
        return super().publish(post)


def bench_lateness(tmp: Path) -> list[float]:
    """Run the daemon over a minute of 200 posts; return lateness in seconds per post."""
    from toolkit.scheduler.daemon import SchedulerService

    config = load_config(make_project(tmp))
    store = Store(config.store_url)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=4)
    rnd = random.Random(1)
    burst = start + timedelta(seconds=30)
    times = [burst] * 50 + [start + timedelta(seconds=rnd.uniform(0, 60)) for _ in range(150)]
    ids = seed(store, times)
    publisher = TimedOutbox(config.outbox_dir)
    service = SchedulerService(Dispatcher(store, {"outbox": publisher}))

    def stop_when_done() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if len(store.list(["published"], ids=ids)) == len(ids):
                break
            time.sleep(0.5)
        service.stop()

    threading.Thread(target=stop_when_done, daemon=True).start()
    service.run()
    store.close()
    return publisher.lateness


def bench_start(tmp: Path) -> tuple[float, int]:
    """Seconds from spawn to 'scheduler running' with 10,000 queued posts, and peak KiB."""
    cfg = make_project(tmp)
    config = load_config(cfg)
    store = Store(config.store_url)
    later = datetime.now(UTC) + timedelta(days=1)
    seed(store, [later + timedelta(minutes=i) for i in range(10_000)])
    store.close()
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(ROOT / "scheduler.py"), "--config", str(cfg)],
                            stderr=subprocess.PIPE, text=True, cwd=tmp)
    for line in proc.stderr:
        if "scheduler running" in line:
            break
    started = time.perf_counter() - t0
    time.sleep(1.5)  # let it run a watch cycle or two before reading its peak memory
    status = Path(f"/proc/{proc.pid}/status").read_text()
    peak_kib = int(next(ln for ln in status.splitlines() if ln.startswith("VmHWM")).split()[1])
    proc.terminate()
    proc.wait(timeout=30)
    return started, peak_kib


def main() -> None:
    """Print the figures."""
    with tempfile.TemporaryDirectory() as a:
        started, peak = bench_start(Path(a))
    print(f"scheduler start with 10,000 queued posts: {started * 1000:.0f} ms "
          f"(goal ≤ 1000 ms: {'OK' if started <= 1 else 'MISSED'}); peak memory "
          f"{peak / 1024:.0f} MiB")
    with tempfile.TemporaryDirectory() as b:
        late = sorted(bench_lateness(Path(b)))
    p = lambda q: late[min(len(late) - 1, int(q * len(late)))] * 1000  # noqa: E731
    print(f"lateness at the publisher call, {len(late)} posts (50 in one second): "
          f"median {statistics.median(late) * 1000:.1f} ms, p95 {p(0.95):.1f} ms, "
          f"p99 {p(0.99):.1f} ms, max {late[-1] * 1000:.1f} ms "
          f"(goal p99 ≤ 100 ms: {'OK' if p(0.99) <= 100 else 'MISSED'})")


if __name__ == "__main__":
    main()
