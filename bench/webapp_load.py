"""The review app under load (issue 30), on loopback, from a running `toolkit serve` (waitress):

- 10,000 posts in the store (half approved with frozen cards, half drafts; bench/webapp.py's
  project);
- 50 signed-in sessions at once, each making 20 requests over `/` (the schedule), a post's page
  and `/library`, one after another with a person's pause between them (`--think`, seconds,
  drawn uniformly from half to one and a half times it);
- meanwhile 5 approvals a second of distinct drafts from a lead's own session, every tenth sent
  twice at the same moment (a double click, or two leads at once).

Prints p50, p95 and max latency per page and over all, errors (any answer other than the one
expected, or no answer), the server's threads (waitress workers, and the process's threads at
their most), and checks the store afterwards: every approval answered "done" is approved with
exactly one audit entry, every double submission approved once. Goal: p95 ≤ 300 ms, 0 errors.

Run: `.venv/bin/python bench/webapp_load.py` (options: --sessions, --requests, --think,
--approvals-per-s, --threads, --workers)
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import webapp  # noqa: E402 - bench/webapp.py: the 10,000-post project and its lead

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def start_server(cfg: Path, threads: int, workers: int) -> tuple[subprocess.Popen, str]:
    """`toolkit serve` on a free loopback port, once it answers."""
    import requests

    port = webapp.free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "toolkit", "--config", str(cfg), "serve",
                               "--port", str(port), "--threads", str(threads),
                               "--workers", str(workers)],
                              stderr=subprocess.DEVNULL, cwd=cfg.parent.parent)
    for _ in range(300):
        try:
            requests.get(base + "/login", timeout=5)
            return server, base
        except requests.ConnectionError:
            time.sleep(0.1)
    raise SystemExit("the review app did not start")


SIGN_IN = threading.Lock()  # one at a time: attempts in flight count as failures until done


def signed_in(base: str):
    """A requests session signed in as the bench's lead, and its CSRF token."""
    with SIGN_IN:
        return _signed_in(base)


def _signed_in(base: str):
    import requests

    session = requests.Session()
    token = TOKEN.findall(session.get(base + "/login").text)[-1]
    answer = session.post(base + "/login", data={"username": "lead", "password":
                                                 webapp.PASSWORD, "csrf_token": token},
                          allow_redirects=False)
    assert answer.status_code == 303, answer.status_code
    return session, TOKEN.search(session.get(base + "/library").text).group(1)


class Recorder:
    """Latencies per kind of request, and the errors, from many threads."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.lock = threading.Lock()

    def timed(self, kind: str, call, expect: tuple[int, ...]):
        start = time.perf_counter()
        try:
            answer = call()
        except Exception as exc:  # no answer (reset, timeout): an error, counted
            with self.lock:
                self.errors.append(f"{kind}: {exc.__class__.__name__}")
            return None
        took = time.perf_counter() - start
        with self.lock:
            self.times[kind].append(took)
            if answer.status_code not in expect:
                self.errors.append(f"{kind}: HTTP {answer.status_code}")
        return answer


def reader(base: str, requests_n: int, think: float, post_ids: list[str], rec: Recorder,
           ready: threading.Barrier, seed: int) -> None:
    """One signed-in person: `requests_n` pages, a pause between them."""
    rnd = random.Random(seed)
    try:
        session, _ = signed_in(base)
    except Exception as exc:  # counted, and the others still start
        with rec.lock:
            rec.errors.append(f"sign-in: {exc.__class__.__name__} {exc}")
        ready.wait()
        return
    ready.wait()
    pages = ["/", "/posts/{}", "/library"]
    for i in range(requests_n):
        page = pages[(i + seed) % 3]
        path = page.format(rnd.choice(post_ids)) if "{}" in page else page
        kind = page.replace("{}", "<id>")
        rec.timed(kind, lambda p=path: session.get(base + p, timeout=60), (200,))
        time.sleep(rnd.uniform(think / 2, think * 1.5))


def approver(base: str, drafts: list[str], per_s: float, stop: threading.Event,
             rec: Recorder, done: list[str], doubles: list[tuple[str, list[int]]]) -> None:
    """A lead approving distinct drafts at `per_s` a second; every tenth sent twice at once."""
    session, token = signed_in(base)
    twin, _ = signed_in(base)  # the second lead (or the second click)
    twin_token = TOKEN.search(twin.get(base + "/library").text).group(1)
    start = time.perf_counter()
    for n, pid in enumerate(drafts):
        if stop.is_set():
            break
        form = {"csrf_token": token, "revision": "1"}
        if n % 10 == 9:
            codes: list[int] = []

            def send(s, t, codes=codes, pid=pid) -> None:
                answer = rec.timed("approve (double)", lambda: s.post(
                    f"{base}/posts/{pid}/approve", data={"csrf_token": t, "revision": "1"},
                    allow_redirects=False, timeout=60), (303, 409))  # one of them is refused
                codes.append(answer.status_code if answer is not None else 0)

            pair = [threading.Thread(target=send, args=(session, token)),
                    threading.Thread(target=send, args=(twin, twin_token))]
            for t in pair:
                t.start()
            for t in pair:
                t.join()
            doubles.append((pid, codes))
        else:
            answer = rec.timed("approve", lambda pid=pid, form=form: session.post(
                f"{base}/posts/{pid}/approve", data=form, allow_redirects=False, timeout=60),
                (303,))
            if answer is not None and answer.status_code == 303:
                done.append(pid)
        delay = start + (n + 1) / per_s - time.perf_counter()
        if delay > 0:
            time.sleep(delay)


def tree(pid: int) -> list[int]:
    """The server process and its workers (`--workers`), from /proc."""
    found = [pid]
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            if re.search(rf"^PPid:\s+{pid}$", status.read_text(), re.M):
                found.append(int(status.parent.name))
        except OSError:
            continue
    return found


def server_threads(pids: list[int]) -> int:
    """The server's threads now, over its processes (from /proc)."""
    total = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        total += int(re.search(r"^Threads:\s+(\d+)", status, re.M).group(1))
    return total


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds the server's processes have used (from /proc)."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def check_store(cfg: Path, done: list[str], doubles: list[tuple[str, list[int]]]) -> str:
    """Lost or doubled approvals, as the store's audit shows them ('' when none)."""
    from sqlalchemy import func, select

    from toolkit.core.config import load_config
    from toolkit.store import Store
    from toolkit.store.tables import audit

    store = Store(load_config(cfg).store_url)
    wanted = done + [pid for pid, _ in doubles]
    with store.engine.connect() as conn:
        counts = dict(conn.execute(
            select(audit.c.post_id, func.count()).where(
                audit.c.to_status == "approved", audit.c.actor == "lead",
                audit.c.post_id.in_(wanted)).group_by(audit.c.post_id)).all())
    statuses = {p.id: p.status for p in store.brief(ids=wanted)}
    store.close()
    problems = [f"{pid} lost" for pid in wanted if counts.get(pid, 0) == 0
                or statuses.get(pid) != "approved"]
    problems += [f"{pid} approved {counts[pid]} times" for pid in wanted
                 if counts.get(pid, 0) > 1]
    problems += [f"{pid} double submission answered {codes}" for pid, codes in doubles
                 if codes.count(303) != 1]
    return "; ".join(problems)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--think", type=float, default=2.0)
    parser.add_argument("--approvals-per-s", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=None,
                        help="waitress threads (default: `toolkit serve`'s own)")
    parser.add_argument("--workers", type=int, default=1,
                        help="`toolkit serve --workers`: processes on the one port")
    args = parser.parse_args()
    from toolkit.surfaces.web.server import DEFAULT_THREADS

    threads = args.threads or DEFAULT_THREADS
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        os.environ.pop("TOOLKIT_STORE_URL", None)
        cfg = webapp.make_project(Path(tmp))
        from toolkit.core.config import load_config
        from toolkit.store import Store

        store = Store(load_config(cfg).store_url)
        briefs = store.brief()
        store.close()
        post_ids = [p.id for p in briefs]
        drafts = [p.id for p in briefs if p.status == "draft"]
        server, base = start_server(cfg, threads, args.workers)
        try:
            rec, done, doubles = Recorder(), [], []
            ready = threading.Barrier(args.sessions + 1)
            readers = [threading.Thread(target=reader, args=(
                base, args.requests, args.think, post_ids, rec, ready, i))
                for i in range(args.sessions)]
            for t in readers:
                t.start()
            ready.wait()  # everyone signed in: the load starts now
            began = time.perf_counter()
            pids = tree(server.pid)
            server_cpu, client_cpu = cpu_seconds(pids), time.process_time()
            stop = threading.Event()
            approving = threading.Thread(target=approver, args=(
                base, drafts, args.approvals_per_s, stop, rec, done, doubles))
            approving.start()
            most = 0
            while any(t.is_alive() for t in readers):
                most = max(most, server_threads(pids))
                time.sleep(0.2)
            stop.set()
            approving.join()
            took = time.perf_counter() - began
            server_cpu = cpu_seconds(pids) - server_cpu
            client_cpu = time.process_time() - client_cpu
        finally:
            server.terminate()
            server.wait(10)
        everything = [t for kind in rec.times.values() for t in kind]
        print(f"{args.sessions} signed-in sessions × {args.requests} requests (think "
              f"{args.think:g} s) + {args.approvals_per_s:g} approvals/s over {took:.1f} s, "
              f"10,000 posts; {args.workers} worker process(es) × {threads} waitress threads, "
              f"server threads at most {most}; load average {os.getloadavg()[0]:.1f} on "
              f"{os.cpu_count()} cores")
        print(f"  CPU: server {server_cpu:.1f} s ({server_cpu / took * 100:.0f}% of one core, "
              f"{server_cpu / len(everything) * 1000:.0f} ms a request), this load generator "
              f"{client_cpu:.1f} s")
        for kind, times in sorted(rec.times.items()):
            print(f"  {kind:18} n={len(times):5}  p50 {statistics.median(times) * 1000:6.0f} ms"
                  f"  p95 {pct(times, 0.95) * 1000:6.0f} ms  max {max(times) * 1000:6.0f} ms")
        print(f"  {'all':18} n={len(everything):5}  p50 "
              f"{statistics.median(everything) * 1000:6.0f} ms  p95 "
              f"{pct(everything, 0.95) * 1000:6.0f} ms  max {max(everything) * 1000:6.0f} ms"
              "  (goal p95 ≤ 300 ms)")
        print(f"  errors: {len(rec.errors)}" + (f" ({', '.join(sorted(set(rec.errors)))})"
                                                 if rec.errors else ""))
        problems = check_store(cfg, done, doubles)
        print(f"  approvals: {len(done)} single + {len(doubles)} sent twice at once; "
              + (f"PROBLEMS: {problems}" if problems else
                 "none lost, none doubled (each approved exactly once in the audit)"))


if __name__ == "__main__":
    main()
