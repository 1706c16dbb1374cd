"""The review app with 10,000 queued posts:

- `GET /` (the schedule: what waits for a person + this week on a time axis), the month view and
  the agenda from a running `toolkit serve` (waitress), signed in; first request and median of
  the next ones (goal ≤ 0.3 s median), and each page's weight with its assets (≤ 300 KB);
- `toolkit schedule --json --days 400` as a whole command (start-up included), all 10,000 posts;
"""

from __future__ import annotations

import gzip
import http.cookiejar
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
N = 10_000
PASSWORD = "bench-lead-password"
TOOLKIT = str(Path(sys.executable).with_name("toolkit"))


def make_project(tmp: Path) -> Path:
    """A copy of config/ and posts/ with N posts queued (half approved, with frozen cards)."""
    from toolkit.store.users import add_user
    from toolkit.store.web import WebStore
    from toolkit.surfaces.app import build
    from toolkit.surfaces.cli import cli

    shutil.copytree(ROOT / "config", tmp / "config")
    shutil.copytree(ROOT / "posts", tmp / "posts")
    cfg = tmp / "config" / "campaign.yaml"
    cli.main(["--config", str(cfg), "graphics", "build"], standalone_mode=False)
    toolkit = build(cfg)
    lib, planner = toolkit.library, toolkit.planner()
    from toolkit.library.gate import blocking_facts  # the fact gate approval applies

    usable = [m.id for m in lib.messages.values() if not blocking_facts(lib, m, date.today())
              and {"x", "mastodon", "bluesky"} <= set(m.platforms)]
    now = datetime.now(UTC)
    platforms, langs = ("x", "mastodon", "bluesky"), ("en", "es")
    new = [planner.new_post(usable[i % len(usable)], platforms[i % 3], langs[i % 2],
                            now + timedelta(hours=1, minutes=43 * i)) for i in range(N)]
    ids = toolkit.store.add(new, "bench", now)
    planner.approve(ids[::2], "bench", now)
    add_user(WebStore(toolkit.store), "lead", "lead", PASSWORD, now)
    toolkit.close()
    return cfg


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed_get(opener, url: str) -> tuple[float, bytes, int]:
    """Seconds, the body and the bytes sent (compressed when the app compresses it), asking
    for gzip as browsers do."""
    start = time.perf_counter()
    with opener.open(urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})) as r:
        sent = r.read()
        body = gzip.decompress(sent) if r.headers.get("Content-Encoding") == "gzip" else sent
    return time.perf_counter() - start, body, len(sent)


def measure_page(opener, base: str, path: str, label: str) -> None:
    """First and median time of one page, and its weight with every asset it loads."""
    first, body, weight = timed_get(opener, base + path)
    times = [timed_get(opener, base + path)[0] for _ in range(7)]
    html = body.decode()
    assets = re.findall(r'(?:src|href)="(/(?:static|media|cards|thumbs)/[^"]+)"', html)
    for asset in sorted(set(assets)):
        weight += timed_get(opener, base + asset.replace("&amp;", "&"))[2]
    shown = len(set(re.findall(r'<article class="(?:post|mini)[^"]*" id="[a-z]+-(\w+)"', html)))
    print(f"GET {path} ({label}) with {N} queued posts ({shown} shown): first "
          f"{first * 1000:.0f} ms, median {statistics.median(times) * 1000:.0f} ms, max "
          f"{max(times) * 1000:.0f} ms (goal ≤ 300 ms median); weight {weight / 1024:.0f} KB "
          f"as sent ({len(body) / 1024:.0f} KB HTML before gzip + {len(set(assets))} assets; "
          "goal ≤ 300 KB)")


@contextmanager
def signed_in(cfg: Path, name: str = "lead", password: str = PASSWORD):
    """A running `toolkit serve` on a free port: (an opener signed in as `name`, base URL);
    the server is stopped afterwards."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([TOOLKIT, "--config", str(cfg), "serve", "--port", str(port)],
                              stderr=subprocess.DEVNULL)
    try:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        for _ in range(100):
            try:
                login = opener.open(base + "/login").read().decode()
                break
            except OSError:
                time.sleep(0.1)
        token = re.findall(r'name="csrf_token" value="([^"]+)"', login)[-1]
        opener.open(base + "/login", urllib.parse.urlencode(
            {"username": name, "password": password, "csrf_token": token}).encode())
        yield opener, base
    finally:
        server.terminate()
        server.wait(10)


def bench_page(cfg: Path) -> None:
    with signed_in(cfg) as (opener, base):
        full = (date.today() + timedelta(days=7)).isoformat()  # a week full of posts
        for path, label in (("/", "this week, time axis"), (f"/?week={full}", "next week"),
                            (f"/?view=month&week={full}", "month"),
                            (f"/?view=agenda&week={full}", "agenda")):
            measure_page(opener, base, path, label)


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bench_json(cfg: Path) -> None:
    times, cpu = [], []
    for _ in range(5):
        start, start_cpu = time.perf_counter(), cpu_of_children()
        out = subprocess.run([TOOLKIT, "--config", str(cfg), "schedule", "--json", "--days",
                              "400"], capture_output=True, check=True).stdout
        times.append(time.perf_counter() - start)
        cpu.append(cpu_of_children() - start_cpu)
    count = out.count(b'"message_id"')
    print(f"toolkit schedule --json, {count} posts, whole command: median "
          f"{statistics.median(times) * 1000:.0f} ms wall, max {max(times) * 1000:.0f} ms "
          f"(goal ≤ 1000 ms); CPU time {statistics.median(cpu) * 1000:.0f} ms "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.pop("TOOLKIT_STORE_URL", None)
        cfg = make_project(Path(tmp))
        bench_page(cfg)
        bench_json(cfg)


if __name__ == "__main__":
    main()
