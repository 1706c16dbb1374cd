"""Everyday commands timed as whole commands, the way a person runs them (issue 9's goals).

    .venv/bin/python bench/commands.py [--runs N] [--graphics-only]

Each command runs as its own process (`.venv/bin/toolkit …`, interpreter start-up included) on a
copy of the shipped config and posts in a temporary folder; each figure is the median of N runs
after one warm-up run (which fills the length cache, `config/.cache/lengths.json`, as any first
run does). `python -c pass` is measured in the same run: the machine is shared, so each figure
is printed raw and net of that bare interpreter start-up. The first run on an empty length
cache (a new checkout, or after upgrading twitter-text-parser) is printed too, for comparison.
A warm `graphics build` (nothing changed) right after a cold one is answered by its up-to-date
check from the stamp the cold build wrote (`toolkit/graphics/uptodate.py`); it is printed with
that check off too.

Python's bytecode cache is on, as in a person's shell, even where the environment sets
PYTHONDONTWRITEBYTECODE: it goes to a temporary PYTHONPYCACHEPREFIX, never into the repository.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TOOLKIT = str(BIN / "toolkit")
N = 10_000  # posts imported and approved
QUEUE = 300  # posts in the store for `queue list` (about two months of a busy campaign)
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(*args: str) -> float:
    """Seconds one command takes as a whole process (it must succeed)."""
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, env=ENV)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(args)}\n{done.stderr.strip()}")
    return elapsed


def median(runs: int, step: Callable[[], float]) -> float:
    """Median of `runs` calls of `step` after one warm-up call."""
    step()
    return statistics.median(step() for _ in range(runs))


def make_project(tmp: Path) -> Path:
    """A copy of the project's config and posts in `tmp`; returns the config path."""
    shutil.copytree(ROOT / "config", tmp / "config", ignore=shutil.ignore_patterns(".cache"))
    shutil.copytree(ROOT / "posts", tmp / "posts")
    return tmp / "config" / "campaign.yaml"


def write_csv(path: Path, cfg: Path, rows: int) -> None:
    """`rows` posts of the messages free to publish (`bench/queue_import.py`'s CSV)."""
    sys.path.insert(0, str(ROOT))
    from queue_import import write_csv as write_rows

    from toolkit.core.config import load_config
    from toolkit.library import load_library

    library = load_library(load_config(cfg))
    from toolkit.library.gate import blocking_facts  # the fact gate approval applies

    today = date.today()
    usable = [m.id for m in library.messages.values() if not blocking_facts(library, m, today)
              and {"x", "mastodon", "bluesky"} <= set(m.platforms)]
    write_rows(path, usable, datetime.now(UTC), rows)


def stamps(cfg: Path) -> list[Path]:
    """The up-to-date stamps of `graphics build` beside the config (`toolkit.graphics.uptodate`)."""
    return sorted((cfg.parent / ".cache").glob("graphics-build-*.json"))


def fresh_store(cfg: Path) -> None:
    """Remove the project's store (SQLite file, media) so the next import starts empty."""
    shutil.rmtree(cfg.parent.parent / "data", ignore_errors=True)


def report(what: str, raw: float, base: float, goal: str, ok: bool) -> None:
    """One line: the figure raw and net of interpreter start-up, against its goal."""
    print(f"{what:<44} {raw * 1000:6.0f} ms raw, {(raw - base) * 1000:6.0f} ms net   "
          f"goal {goal}: {'OK' if ok else 'MISSED'}")


def graphics_build(tk: tuple[str, ...], cfg: Path, out: Path, base: float, runs: int) -> None:
    """`graphics build` cold (into an empty folder, no stamp) and the very next run, a warm one
    (nothing changed) answered by the up-to-date check from the stamp the cold build wrote
    (`toolkit.graphics.uptodate`), in pairs; then warm with that check off, for comparison."""
    build = (*tk, "graphics", "build", "--out", str(out))
    colds, firsts, replayed = [], [], True
    for _ in range(max(3, runs)):
        shutil.rmtree(out, ignore_errors=True)
        for path in stamps(cfg):
            path.unlink()
        colds.append(run(*build))
        stamp = {p: p.stat().st_ino for p in stamps(cfg)}  # written by the cold build
        firsts.append(run(*build))
        replayed &= bool(stamp) and stamp == {p: p.stat().st_ino for p in stamps(cfg)}
    cold, first = statistics.median(colds), statistics.median(firsts)
    share = (first - base) / (cold - base)
    print(f"graphics build: cold (empty folder) {cold:.2f} s, the first warm run right after it "
          f"{first:.3f} s raw; net of start-up first warm = {share:.1%} of cold   goal ≤ 5%: "
          f"{'OK' if share <= 0.05 else 'MISSED'}"
          f"{'' if replayed else '  (the up-to-date check did NOT answer every time)'}")

    def without_stamp() -> float:
        for path in stamps(cfg):
            path.unlink()
        return run(*build)

    full = median(runs, without_stamp)
    print(f"{'':<16}for comparison, warm with the up-to-date check off (its stamp removed "
          f"before each run): {full:.3f} s raw, net {(full - base) / (cold - base):.1%} of cold")


def main() -> None:
    """Print every figure against its goal."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per figure")
    parser.add_argument("--graphics-only", action="store_true",
                        help="only the graphics build figures (and the bare start-up)")
    args = parser.parse_args()
    runs = args.runs
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        ENV["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
        cfg = make_project(tmp)
        tk = (TOOLKIT, "--config", str(cfg))
        base = median(runs, lambda: run(sys.executable, "-c", "pass"))
        print(f"bare interpreter start-up (python -c pass): {base * 1000:.0f} ms, median of "
              f"{runs}")
        if args.graphics_only:
            graphics_build(tk, cfg, tmp / "graphics-bench", base, runs)
            return

        cold = run(*tk, "check")  # empty length cache: every text measured, twitter-text loaded
        check = median(runs, lambda: run(*tk, "check"))
        report("toolkit check", check, base, "≤ 300 ms", check <= 0.3)
        compose = median(runs, lambda: run(*tk, "compose", "violence-attacks"))
        report("toolkit compose violence-attacks", compose, base, "≤ 300 ms", compose <= 0.3)

        run(*tk, "graphics", "build")  # approval freezes the card images
        small = tmp / "queue.csv"
        write_csv(small, cfg, QUEUE)
        run(*tk, "queue", "import", str(small))
        listed = median(runs, lambda: run(*tk, "queue", "list"))
        report(f"toolkit queue list ({QUEUE} posts)", listed, base, "≤ 300 ms", listed <= 0.3)

        big = tmp / "posts.csv"
        write_csv(big, cfg, N)
        for existing in (False, True):
            totals: list[tuple[float, float]] = []
            for _ in range(max(3, runs // 2)):
                fresh_store(cfg)
                if existing:  # the store is there (any earlier command made it), empty
                    run(*tk, "queue", "list")
                totals.append((run(*tk, "queue", "import", str(big)),
                               run(*tk, "queue", "approve", "--all", "--by", "bench")))
            imp, appr = min(totals,
                            key=lambda t: abs(sum(t) - statistics.median(map(sum, totals))))
            where = ("an existing store" if existing else
                     "a new store (import creates it through SQLAlchemy)")
            report(f"queue import + approve --all, {N:,} posts", imp + appr, 2 * base, "≤ 1 s",
                   imp + appr <= 1)
            print(f"{'':<44} into {where}: import {imp * 1000:.0f} ms + approve "
                  f"{appr * 1000:.0f} ms, two commands")

        graphics_build(tk, cfg, tmp / "graphics-bench", base, runs)

        shutil.rmtree(cfg.parent / ".cache")
        first = run(*tk, "check")
        print(f"for comparison, toolkit check on an empty length cache: {first * 1000:.0f} ms "
              f"(the very first run above: {cold * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
