"""The cost of SQLite `synchronous=FULL` against `NORMAL`, measured A/B in one run.

1. `dispatch_due` of 200 due outbox posts (claim, publish, record: two commits per post), as in
   `bench/scheduler.py`; ms per post.
2. Import and approval of 10,000 posts in-process, as in `bench/queue_import.py`.

The two settings alternate (`--rounds N`, default 2), so a busy machine weighs on both alike.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import queue_import  # noqa: E402

import toolkit.core.storefile as location  # noqa: E402
from toolkit.publishers.outbox import OutboxPublisher  # noqa: E402
from toolkit.scheduler.dispatch import Dispatcher  # noqa: E402
from toolkit.store import NewPost, Store  # noqa: E402

POSTS = 200


def dispatch_ms_per_post(tmp: Path) -> float:
    """Publish `POSTS` due outbox posts with one `dispatch_due`; ms per post."""
    store = Store(f"sqlite:///{tmp}/toolkit.db")
    now = datetime.now(UTC)
    ids = store.add([NewPost("m", "en", "outbox", "outbox", f"post {i}",
                             now - timedelta(seconds=1)) for i in range(POSTS)],
                    "bench", now - timedelta(minutes=1))
    store.transition_many([(i, "draft", {}) for i in ids], "approved", "lead",
                          now - timedelta(seconds=30))
    dispatcher = Dispatcher(store, {"outbox": OutboxPublisher(tmp / "outbox")})
    start = time.perf_counter()
    outcomes = dispatcher.dispatch_due(now)
    took = time.perf_counter() - start
    assert len(outcomes) == POSTS
    store.close()
    return took / POSTS * 1000


def main() -> None:
    """Print one line per setting and round."""
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 2
    for _ in range(rounds):
        for mode in ("NORMAL", "FULL"):
            location.SYNCHRONOUS = mode
            with tempfile.TemporaryDirectory() as a:
                per_post = dispatch_ms_per_post(Path(a))
            with tempfile.TemporaryDirectory() as b:
                imported, approved = queue_import.bench_toolkit(Path(b))
            print(f"synchronous={mode}: dispatch {per_post:.1f} ms per post; import + approve "
                  f"10,000: {imported * 1000:.0f} + {approved * 1000:.0f} ms", flush=True)


if __name__ == "__main__":
    main()
