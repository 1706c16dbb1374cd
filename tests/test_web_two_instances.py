"""Two `toolkit serve` processes on one PostgreSQL store (issue 30): a session, a CSRF token, the
sign-in throttle and the thumbnails one instance hands out are honoured by the other; nothing
the app relies on is kept in one process's memory."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from conftest import edit
from webapp import PASSWORDS, ROLES, TOKEN, csrf_of, password_hash

from toolkit.core.config import load_config
from toolkit.graphics.build import build
from toolkit.library import load_library
from toolkit.planning.queue import Planner
from toolkit.store import Store
from toolkit.store.web import WebStore

pytestmark = pytest.mark.slow

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
AT = datetime(2027, 1, 5, 15, tzinfo=UTC)
THUMB = re.compile(r'/thumbs/[0-9a-f]{64}\.webp')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(project: Path, port: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "toolkit", "--config", str(project), "serve",
                             "--port", str(port)], cwd=project.parent.parent,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait_up(proc: subprocess.Popen, base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"serve ended: {proc.stderr.read().decode()}")
        try:
            requests.get(f"{base}/login", timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise AssertionError(f"{base} did not answer")


@pytest.fixture
def two_apps(project: Path, pg_url: str, pin_clock) -> Iterator[tuple[str, str, str]]:
    """(url of A, url of B, a draft's id with a card) on one PostgreSQL store."""
    pin_clock(NOW)
    edit(project, "url: sqlite:///../data/toolkit.db", f"url: {pg_url}")
    config = load_config(project)
    build(config, load_library(config), cards=["stat-attacks"], jobs=1)
    store = Store(pg_url)
    web = WebStore(store)
    for name in PASSWORDS:
        web.add_user(name, ROLES[name], password_hash(name), NOW)
    planner = Planner(config, load_library(config), store)
    pid = planner.add("violence-attacks", "x", "en", AT, NOW, "sam")
    store.close()
    ports = [_free_port(), _free_port()]
    procs = [_serve(project, port) for port in ports]
    try:
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for proc, base in zip(procs, bases, strict=True):
            _wait_up(proc, base)
        yield bases[0], bases[1], pid
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)


def _sign_in(form_from: str, post_to: str, name: str, password: str) -> requests.Response:
    """Sign in with the form (and its login cookie) of one instance, posted to another."""
    session = requests.Session()
    token = TOKEN.findall(session.get(f"{form_from}/login").text)[-1]  # the sign-in form's
    answer = session.post(f"{post_to}/login", data={"username": name, "password": password,
                                                    "csrf_token": token},
                          allow_redirects=False)
    answer.session = session  # type: ignore[attr-defined]
    return answer


def test_sessions_csrf_throttle_and_thumbnails_hold_across_two_instances(two_apps) -> None:
    a, b, pid = two_apps
    signed = _sign_in(a, b, "maria", PASSWORDS["maria"])  # the form of A, posted to B
    assert signed.status_code == 303
    maria = signed.session  # type: ignore[attr-defined]
    page = maria.get(f"{a}/posts/{pid}", allow_redirects=False)  # B's session, on A
    assert page.status_code == 200 and "maria" in page.text
    token = csrf_of(page.text)  # A's page: the session's CSRF token
    form = {"csrf_token": token, "revision": re.search(
        r'name="revision" value="(\d+)"', page.text).group(1)}
    shown = re.search(r'name="card_sha256" value="([0-9a-f]*)"', page.text)
    if shown:
        form["card_sha256"] = shown.group(1)
    forged = maria.post(f"{b}/posts/{pid}/approve", data={**form, "csrf_token": "x" * 43},
                        allow_redirects=False)
    assert forged.status_code == 400
    approved = maria.post(f"{b}/posts/{pid}/approve", data=form, allow_redirects=False)
    assert approved.status_code == 303  # A's token accepted by B
    thumb = THUMB.search(maria.get(f"{a}/?week={AT.date()}").text).group(0)
    assert maria.get(f"{b}{thumb}").status_code == 200  # A handed it out; B serves it too
    assert maria.get(f"{b}/media/{pid}/0").content[:4] == b"\x89PNG"  # from the store

    for _ in range(5):  # five failures for ana on A ...
        assert _sign_in(a, a, "ana", "wrong").status_code == 401
    throttled = _sign_in(b, b, "ana", PASSWORDS["ana"])  # ... lock her out on B as well
    assert throttled.status_code == 429 and "Too many failed sign-ins" in throttled.text

    out = maria.post(f"{a}/logout", data={"csrf_token": token}, allow_redirects=False)
    assert out.status_code == 303  # signed out on A ...
    gone = requests.get(f"{b}/", cookies={"toolkit_session": signed.cookies["toolkit_session"]},
                        allow_redirects=False)
    assert gone.status_code == 303 and "/login" in gone.headers["Location"]  # ... and on B


def _children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{pid}$", text, re.M):
            found.append(int(status.parent.name))
    return found


def test_serve_with_workers_shares_one_port_and_stops_together(project: Path) -> None:
    """`toolkit serve --workers 2`: two processes on one port (one CPU core each), a session
    signed in through one honoured by whichever answers; stopping the server stops both."""
    from toolkit.store import Store

    config = load_config(project)
    store = Store(config.store_url)
    WebStore(store).add_user("maria", "lead", password_hash("maria"), NOW)
    store.close()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "toolkit", "--config", str(project), "serve",
                             "--port", str(port), "--workers", "2"], cwd=project.parent.parent,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_up(proc, base)
        workers = _children(proc.pid)
        assert len(workers) == 2
        signed = _sign_in(base, base, "maria", PASSWORDS["maria"])
        assert signed.status_code == 303
        maria = signed.session  # type: ignore[attr-defined]
        answers = [maria.get(f"{base}/library", allow_redirects=False).status_code
                   for _ in range(20)]
        assert answers == [200] * 20
    finally:
        proc.terminate()
        stopped = proc.wait(timeout=20)
    assert stopped == 0  # the parent stopped its workers, then itself
    time.sleep(0.5)
    alive = [pid for pid in workers if Path(f"/proc/{pid}").exists()
             and "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]]
    assert alive == []  # no worker left behind


WORKERS = """
import sys
from toolkit.surfaces.web.server import serve_workers

def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]

def make():
    if sys.argv[2] == "broken":
        raise RuntimeError("the store cannot be reached")
    return app

serve_workers(make, "127.0.0.1", int(sys.argv[1]), 2)
"""


def test_workers_that_die_end_the_server_with_a_failure(tmp_path: Path) -> None:
    """systemd restarts the review app `on-failure` only: workers that all fail at start, or
    one killed (out of memory), must end the server with a non-zero status, never a silent 0
    with nobody (or half the workers) serving."""
    import os
    import signal

    script = tmp_path / "workers.py"
    script.write_text(WORKERS)
    broken = subprocess.run([sys.executable, str(script), str(_free_port()), "broken"],
                            capture_output=True, timeout=60)
    assert broken.returncode != 0
    port = _free_port()
    proc = subprocess.Popen([sys.executable, str(script), str(port), "ok"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while len(_children(proc.pid)) < 2 or not _answers(f"http://127.0.0.1:{port}/"):
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.1)
        workers = _children(proc.pid)
        os.kill(workers[0], signal.SIGKILL)
        assert proc.wait(timeout=20) != 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    time.sleep(0.5)
    alive = [pid for pid in workers if Path(f"/proc/{pid}").exists()
             and "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]]
    assert alive == []  # the other worker was stopped too


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False
