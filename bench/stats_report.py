"""What worked, over 10,000 published posts with 3 samples each (+1 h, +24 h, +7 days):

- `toolkit stats report --by statistic|message|slot --json` as a whole command (start-up,
  config, library and store included): median of 5 (goal ≤ 0.3 s);
- `GET /insights` (every grouping's table and chart, top and bottom posts) from a running
  `toolkit serve` (waitress), signed in: first request and median of the next 7 (goal ≤ 0.5 s).

Run: `.venv/bin/python bench/stats_report.py`
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from webapp import PASSWORD, cpu_of_children, signed_in, timed_get  # noqa: E402  (bench/webapp.py)

N = 10_000
TOOLKIT = str(Path(sys.executable).with_name("toolkit"))
OFFSETS = (3600, 86400, 7 * 86400)
#: posting slots, minutes after 15:00 UTC (09:00, 13:00 and 18:30 in Chicago in winter)
SLOTS = (0, 240, 570)


def make_project(tmp: Path) -> Path:
    """A copy of config/ and posts/ whose store holds N published posts (every platform and
    language, composed texts and fact records) and 3 samples each."""
    from toolkit.compose.text import compose_message
    from toolkit.library.facts import fact_record
    from toolkit.store import NewPost
    from toolkit.store.users import add_user
    from toolkit.store.web import WebStore
    from toolkit.surfaces.app import build

    shutil.copytree(ROOT / "config", tmp / "config")
    shutil.copytree(ROOT / "posts", tmp / "posts")
    cfg = tmp / "config" / "campaign.yaml"
    toolkit = build(cfg)
    config, lib, store = toolkit.config, toolkit.library, toolkit.store
    messages = sorted(lib.messages)
    platforms = (("x", "x-campaign"), ("mastodon", "mastodon-campaign"),
                 ("bluesky", "bluesky-campaign"))
    start = datetime.now(UTC).replace(hour=15, minute=0, second=0, microsecond=0) \
        - timedelta(days=N // 9 + 8)
    texts, facts, new = {}, {}, []
    for i in range(N):
        m, (p, a), lang = messages[i % len(messages)], platforms[i % 3], ("en", "es")[i % 2]
        if (m, p, lang) not in texts:
            texts[m, p, lang] = compose_message(config, lib, m, lang, p).text
            facts[m, lang] = json.dumps(fact_record(lib, lib.messages[m], lang))
        at = start + timedelta(days=i // 9, minutes=SLOTS[i % 9 // 3])  # 3 a slot, 3 slots
        new.append(NewPost(m, lang, p, a, texts[m, p, lang], at))
    ids = store.add(new, "bench", start)
    add_user(WebStore(store), "lead", "lead", PASSWORD, start)
    path = store.path
    toolkit.close()
    rnd = random.Random(26)
    with sqlite3.connect(path) as db:
        db.executemany(
            "UPDATE posts SET status='published', published_at=scheduled_at, "
            "platform_post_id=id, facts=? WHERE id=?",
            [(facts[p.message_id, p.lang], pid) for p, pid in zip(new, ids, strict=True)])
        rows = []
        for p, pid in zip(new, ids, strict=True):
            base = rnd.randint(0, 80)
            for k, offset in enumerate(OFFSETS, 1):
                taken = (p.scheduled_at + timedelta(seconds=offset)).astimezone(UTC)
                rows.append((pid, offset, taken.strftime("%Y-%m-%d %H:%M:%S.%f"), "ok",
                             base * k, base * k // 4, base * k // 9,
                             None if p.platform == "mastodon" else base * k // 12))
        db.executemany("INSERT INTO samples VALUES (?,?,?,?,?,?,?,?)", rows)
    return cfg


def bench_report(cfg: Path) -> None:
    for by in ("statistic", "message", "slot"):
        times, cpu = [], []
        for _ in range(5):
            began, began_cpu = time.perf_counter(), cpu_of_children()
            out = subprocess.run([TOOLKIT, "--config", str(cfg), "stats", "report", "--by", by,
                                  "--json"], capture_output=True, check=True).stdout
            times.append(time.perf_counter() - began)
            cpu.append(cpu_of_children() - began_cpu)
        rows = json.loads(out)
        print(f"toolkit stats report --by {by} --json, {N} posts × {len(OFFSETS)} samples "
              f"({len(rows)} groups, {sum(r['posts'] for r in rows)} post-rows), whole command: "
              f"median {statistics.median(times) * 1000:.0f} ms wall, max "
              f"{max(times) * 1000:.0f} ms (goal ≤ 300 ms); CPU "
              f"{statistics.median(cpu) * 1000:.0f} ms (load average "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


def bench_page(cfg: Path) -> None:
    with signed_in(cfg, "lead", PASSWORD) as (opener, base):
        first, body, sent = timed_get(opener, base + "/insights")
        times = [timed_get(opener, base + "/insights")[0] for _ in range(7)]
        print(f"GET /insights with {N} posts × {len(OFFSETS)} samples: first "
              f"{first * 1000:.0f} ms, median {statistics.median(times) * 1000:.0f} ms, max "
              f"{max(times) * 1000:.0f} ms (goal ≤ 500 ms); {len(body) / 1024:.0f} KB HTML, "
              f"{sent / 1024:.0f} KB sent")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.pop("TOOLKIT_STORE_URL", None)
        cfg = make_project(Path(tmp))
        bench_report(cfg)
        bench_page(cfg)


if __name__ == "__main__":
    main()
