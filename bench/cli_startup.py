"""How long `toolkit --help` takes to start (goal: under 0.3 s), median of several runs.

Heavy libraries (Pillow, SQLAlchemy, twitter-text, tweepy, APScheduler) are imported lazily;
the second figure shows what importing them eagerly would cost, for comparison.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 7


def median_seconds(args: list[str]) -> float:
    """Median wall time of running `args` RUNS times (after one warm-up)."""
    subprocess.run(args, cwd=ROOT, capture_output=True, check=True)
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(args, cwd=ROOT, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    """Print the figures."""
    help_s = median_seconds([sys.executable, "-m", "toolkit", "--help"])
    eager = ("import toolkit.surfaces.cli, twitter_text, sqlalchemy, PIL.Image, tweepy, "
             "apscheduler.schedulers.blocking")
    eager_s = median_seconds([sys.executable, "-c", eager])
    print(f"toolkit --help: {help_s * 1000:.0f} ms median of {RUNS} (goal < 300 ms): "
          f"{'OK' if help_s < 0.3 else 'SLOW'}")
    print(f"baseline, heavy libraries imported eagerly: {eager_s * 1000:.0f} ms")


if __name__ == "__main__":
    main()
