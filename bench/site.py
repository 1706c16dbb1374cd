"""Benchmark of the supporters' share kit: build times, first-view weight, Lighthouse scores.

    .venv/bin/python bench/site.py [--rounds N] [--no-lighthouse]

Builds run the whole command (`toolkit site build`, start-up included) on a copy of the shipped
config and library whose `site.base_url` is the local server (as on a real host, the canonical
and Open Graph addresses are the site's own):
  cold        no graphics and no site yet (the build renders the graphics it needs first)
  cold-site   graphics already built, empty site folder
  warm        nothing changed
  message     a comment added to posts/messages.yaml: the language pages again, the state pages
              of "Call your members" kept
  members     a comment added to members/content.yaml: the state pages made again too
The site is then served from 127.0.0.1. First view: bytes transferred by headless Chromium
loading each language page at a phone's size (390 × 844), nothing scrolled; page height: the
page's full height at that size, in screens of 844 px (JavaScript on, folded sections closed).
Lighthouse 12.2.3 (mobile, its default) runs on both language pages and a state page (Texas) from
bench/.lighthouse (git ignores it) with CHROME_PATH=/usr/bin/chromium; install it once with
INSTALL below.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLKIT = ROOT / ".venv" / "bin" / "toolkit"
#: the commands run as a person's shell runs them: with Python's bytecode cache (this machine sets
#: PYTHONDONTWRITEBYTECODE; the cache goes to a temporary PYTHONPYCACHEPREFIX, never the repo)
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
LIGHTHOUSE = ROOT / "bench" / ".lighthouse" / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
FLAGS = "--headless=new --no-sandbox --disable-background-networking --disable-component-update"
GOALS = {"performance": 95, "accessibility": 100, "best-practices": 95, "seo": 95}
MAX_FIRST_VIEW = 150_000
SCREEN = 844
#: the pages measured: both language pages, the ready posts and a state page
PAGES = (("en", ""), ("es", "es/"), ("en posts", "posts.html"), ("tx", "members/tx.html"))
#: its own package.json, so that npm does not add lighthouse to the project's package.json
INSTALL = ("mkdir -p bench/.lighthouse && echo '{\"private\": true}' > "
           "bench/.lighthouse/package.json && npm i -E --prefix bench/.lighthouse "
           "lighthouse@12.2.3")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def timed(config: Path) -> tuple[float, float]:
    """Wall time and CPU time (user + system, worker processes included) of one
    `toolkit site build` in a new process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([str(TOOLKIT), "--config", str(config), "site", "build"], check=True,
                   capture_output=True, env=ENV)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def build_times(config: Path, rounds: int) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) seconds of cold, cold-site and warm builds."""
    work = config.parent.parent
    runs: dict[str, list[tuple[float, float]]] = {"cold": [], "cold-site": [], "warm": [],
                                                  "message": [], "members": []}
    for _ in range(rounds):
        shutil.rmtree(work / "graphics", ignore_errors=True)
        shutil.rmtree(work / "site", ignore_errors=True)
        runs["cold"].append(timed(config))
        shutil.rmtree(work / "site")
        runs["cold-site"].append(timed(config))
    for _ in range(rounds * 2):
        runs["warm"].append(timed(config))
    for i in range(rounds):
        for kind, path in (("message", work / "posts" / "messages.yaml"),
                           ("members", work / "members" / "content.yaml")):
            with path.open("a", encoding="utf-8") as f:
                f.write(f"# bench edit {i}\n")
            runs[kind].append(timed(config))
    return {k: (statistics.median(r[0] for r in v), statistics.median(r[1] for r in v))
            for k, v in runs.items()}


def first_view_bytes(url: str) -> tuple[int, int]:
    """Bytes transferred (headers and bodies) loading `url` at 390 × 844, nothing scrolled,
    and the page's height there in CSS pixels."""
    sys.path.insert(0, str(ROOT / "tests"))
    from browser import ARGS, CHROMIUM
    from playwright.sync_api import sync_playwright

    total = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        sizes: list[float] = []
        cdp.on("Network.loadingFinished", lambda e: sizes.append(e["encodedDataLength"]))
        page.goto(url, wait_until="networkidle")
        page.wait_for_timeout(500)
        total = int(sum(sizes))
        height = page.evaluate("document.documentElement.scrollHeight")
        browser.close()
    return total, height


def lighthouse(url: str) -> dict[str, float] | None:
    """Lighthouse mobile scores (0-100) and its total byte weight; None if not installed."""
    if not LIGHTHOUSE.exists():
        return None
    out = subprocess.run(
        ["node", str(LIGHTHOUSE), url, "--output=json", "--output-path=stdout", "--quiet",
         f"--chrome-flags={FLAGS}",
         "--only-categories=performance,accessibility,best-practices,seo"],
        capture_output=True, text=True, env={**os.environ, "CHROME_PATH": CHROME}, check=True)
    report = json.loads(out.stdout)
    scores = {k: round(v["score"] * 100) for k, v in report["categories"].items()}
    scores["bytes"] = report["audits"]["total-byte-weight"]["numericValue"]
    scores["lcp_ms"] = report["audits"]["largest-contentful-paint"]["numericValue"]
    scores["cls"] = report["audits"]["cumulative-layout-shift"]["numericValue"]
    failing = [a for a, v in report["audits"].items()
               if v.get("score") is not None and v["score"] < 1
               and v.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")]
    scores["not_perfect"] = ", ".join(sorted(failing)[:8])  # type: ignore[assignment]
    return scores


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-lighthouse", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-site-") as tmp:
        work = Path(tmp)
        ENV["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
        start = time.perf_counter()
        for _ in range(5):
            subprocess.run([sys.executable, "-c", "pass"], check=True, env=ENV)
        bare = (time.perf_counter() - start) / 5
        shutil.copytree(ROOT / "config", work / "config")
        shutil.copytree(ROOT / "posts", work / "posts")
        shutil.copytree(ROOT / "members", work / "members")
        config = work / "config" / "campaign.yaml"
        handler = functools.partial(_Quiet, directory=str(work / "site"))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        text = config.read_text(encoding="utf-8")
        config.write_text(re.sub(r"(?m)^  base_url: .*", f"  base_url: {base}", text),
                          encoding="utf-8")

        times = build_times(config, args.rounds)
        print(f"site build, whole command, median of {args.rounds} (wall / CPU): "
              f"cold {times['cold'][0]:.2f} / {times['cold'][1]:.2f} s (graphics rendered too), "
              f"cold-site {times['cold-site'][0]:.2f} / {times['cold-site'][1]:.2f} s (graphics "
              f"already built), warm {times['warm'][0] * 1000:.0f} / "
              f"{times['warm'][1] * 1000:.0f} ms")
        print(f"after an edit (wall / CPU): a message {times['message'][0] * 1000:.0f} / "
              f"{times['message'][1] * 1000:.0f} ms (member pages kept), the members' words "
              f"{times['members'][0] * 1000:.0f} / {times['members'][1] * 1000:.0f} ms (member "
              "pages made again)")
        for i, what in ((0, "wall"), (1, "CPU")):
            print(f"warm = {times['warm'][i] / times['cold'][i] * 100:.1f}% of cold, "
                  f"{times['warm'][i] / times['cold-site'][i] * 100:.1f}% of cold-site "
                  f"({what}; goal <= 5%)")
        warm, cold = times["warm"][0] - bare, times["cold"][0] - bare
        print(f"net of bare interpreter start-up ({bare * 1000:.0f} ms): warm = "
              f"{warm / cold * 100:.1f}% of cold (wall; goal <= 5%)")

        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            for lang, path in PAGES:
                url = base + path
                weight, height = first_view_bytes(url)
                flag = "ok" if weight <= MAX_FIRST_VIEW else "OVER"
                print(f"[{lang}] first view at 390 px: {weight / 1000:.0f} KB transferred "
                      f"(goal <= {MAX_FIRST_VIEW // 1000} KB: {flag}); page height {height} px "
                      f"= {height / SCREEN:.1f} screens")
                if args.no_lighthouse:
                    continue
                scores = lighthouse(url)
                if scores is None:
                    print(f"lighthouse not installed: {INSTALL}")
                    continue
                shown = ", ".join(f"{k} {scores[k]} (goal {'>=' if g < 100 else ''}{g})"
                                  for k, g in GOALS.items())
                print(f"[{lang}] lighthouse mobile: {shown}; total byte weight "
                      f"{scores['bytes'] / 1000:.0f} KB; LCP {scores['lcp_ms']:.0f} ms; "
                      f"CLS {scores['cls']:.3f}")
                if scores["not_perfect"]:
                    print(f"[{lang}]   audits below 1: {scores['not_perfect']}")
        finally:
            server.shutdown()
            server.server_close()


if __name__ == "__main__":
    main()
