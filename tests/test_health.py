"""Health: the heartbeat, `toolkit status` and its exit codes, /healthz 200/503, sd_notify,
and the systemd units in deploy/."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from toolkit.core.config import Config, load_config
from toolkit.operations.health import (
    EXIT_DOWN,
    EXIT_OK,
    EXIT_WAITING,
    health,
    healthz_response,
    healthz_wsgi,
)
from toolkit.operations.heartbeat import Heartbeat
from toolkit.operations.sdnotify import sd_notify
from toolkit.store import NewPost, Store

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def config(project: Path) -> Config:
    return load_config(project)


@pytest.fixture
def store(config: Config) -> Iterator[Store]:
    s = Store(config.store_url)
    yield s
    s.close()


def add_post(store: Store, at: datetime, status: str = "approved",
             text: str = "Private draft words #SaveAsylum") -> str:
    (pid,) = store.add([NewPost("asylum-safety", "en", "x", "x-campaign", text, at)], "test",
                       at - timedelta(days=1))
    if status != "draft":
        store.transition_many([(pid, "draft", {})], status, "test", at - timedelta(days=1))
    return pid


def test_status_exit_codes_follow_heartbeat_and_waiting_posts(
        run_cli, store: Store) -> None:
    result = run_cli("status")
    assert result.exit_code == EXIT_DOWN
    assert result.output.startswith("Scheduler: DOWN (no heartbeat recorded)")

    now = datetime.now(UTC)
    beat = Heartbeat(store, "a" * 32, now - timedelta(minutes=1))
    beat.woke(now - timedelta(seconds=20))
    beat.dispatched(now - timedelta(seconds=19), moved=1)
    beat.beat(now)
    nxt = add_post(store, now + timedelta(hours=2))
    result = run_cli("status")
    assert result.exit_code == EXIT_OK, result.output
    assert "Scheduler: alive" in result.output
    assert f"pid {os.getpid()} v0.1.0: alive" in result.output
    assert "Next post due: " in result.output and "on x (x-campaign)" in result.output
    assert "Waiting for a person: 0" in result.output

    failed = add_post(store, now - timedelta(hours=1), status="failed")
    result = run_cli("status")
    assert result.exit_code == EXIT_WAITING
    assert "Waiting for a person: 1" in result.output and f"  {failed} failed x" in result.output
    report = json.loads(run_cli("status", "--json").output)
    assert report["waiting"][0]["id"] == failed and report["counts"]["approved"] == 1
    assert report["next_post"]["platform"] == "x" and nxt not in json.dumps(report["next_post"])

    Heartbeat(store, "a" * 32, now).beat(now - timedelta(minutes=10))  # gone silent
    result = run_cli("status")
    assert result.exit_code == EXIT_DOWN and "Scheduler: DOWN" in result.output


def test_health_summary_has_no_private_data_and_healthz_is_200_or_503(
        config: Config, store: Store) -> None:
    now = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    add_post(store, now - timedelta(hours=2), status="needs_check")
    Heartbeat(store, "b" * 32, now).beat(now - timedelta(seconds=30))
    summary, ok = health(store, config, now)
    assert ok and summary["waiting_for_person"] == 1 and summary["counts"]["needs_check"] == 1
    text = json.dumps(summary)
    assert "Private draft" not in text and socket.gethostname() not in text
    assert healthz_response(store, config, now)[0] == 200
    code, body = healthz_response(store, config, now + config.heartbeat_max_age)
    assert code == 503 and body["scheduler"]["alive"] is False

    statuses: list[str] = []
    app = healthz_wsgi(lambda: store, config, clock=lambda: now)
    data = b"".join(app({}, lambda status, headers: statuses.append(status)))
    assert statuses == ["200 OK"] and json.loads(data)["ok"] is True


def test_healthz_blueprint_for_flask(config: Config, store: Store) -> None:
    flask = pytest.importorskip("flask")
    from toolkit.operations.health import healthz_blueprint

    now = datetime.now(UTC)
    clock = {"now": now}
    app = flask.Flask(__name__)
    app.register_blueprint(healthz_blueprint(lambda: store, config, lambda: clock["now"]))
    Heartbeat(store, "c" * 32, now).beat(now)
    assert app.test_client().get("/healthz").status_code == 200
    clock["now"] = now + timedelta(hours=1)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["ok"] is False


def test_sd_notify_sends_to_the_socket_systemd_names(tmp_path: Path) -> None:
    path = tmp_path / "notify.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(path))
        assert sd_notify("READY=1", {"NOTIFY_SOCKET": str(path)})
        assert sock.recv(100) == b"READY=1"
    assert sd_notify("READY=1", {}) is False
    abstract = f"saveasylum-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + abstract)
        assert sd_notify("WATCHDOG=1", {"NOTIFY_SOCKET": "@" + abstract})
        assert sock.recv(100) == b"WATCHDOG=1"


def test_a_hung_dispatch_stops_the_watchdog(store: Store, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "notify.sock"
    now = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(path))
        sock.settimeout(0.2)
        monkeypatch.setenv("NOTIFY_SOCKET", str(path))
        beat = Heartbeat(store, "d" * 32, now)
        beat.woke(now)
        assert beat.beat(now + timedelta(minutes=1))
        assert sock.recv(100) == b"WATCHDOG=1"
        assert beat.beat(now + timedelta(minutes=16))  # dispatch hung for 16 minutes
        with pytest.raises(TimeoutError):
            sock.recv(100)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd not installed")
def test_systemd_units_verify(tmp_path: Path) -> None:
    if not (ROOT / ".venv" / "bin" / "toolkit").exists():
        pytest.skip("the units' ExecStart needs the project's .venv (make test builds it)")
    units = []
    for unit in sorted((ROOT / "deploy").glob("*.service")):
        target = tmp_path / unit.name
        target.write_text(unit.read_text(encoding="utf-8").replace("/opt/saveasylum",
                                                                   str(ROOT)))
        units.append(str(target))
    assert [Path(u).name for u in units] == ["saveasylum-alert@.service",
                                             "saveasylum-scheduler.service",
                                             "saveasylum-web.service"]
    # the alert instance that OnFailure= starts for the scheduler
    instance = tmp_path / "saveasylum-alert@saveasylum-scheduler.service"
    instance.write_text(Path(units[0]).read_text(encoding="utf-8"))
    units.append(str(instance))
    result = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr


def test_the_review_app_serves_healthz_without_a_session(project: Path) -> None:
    from webapp import make_webapp

    webapp = make_webapp(project)
    client = webapp.client()
    down = client.get("/healthz")  # no session, no heartbeat yet
    assert down.status_code == 503 and down.json["scheduler"]["alive"] is False
    Heartbeat(webapp.toolkit.store, "d" * 32, webapp.clock.now).beat(webapp.clock.now)
    up = client.get("/healthz")
    assert up.status_code == 200 and up.json["ok"] is True
    assert client.get("/").status_code in (302, 303)  # every other page still needs a session


def test_a_library_that_cannot_be_read_shows_in_status_and_healthz(
        run_cli, project: Path, config: Config, store: Store) -> None:
    now = datetime.now(UTC)
    Heartbeat(store, "c" * 32, now).beat(now)
    assert run_cli("status").exit_code == EXIT_OK
    (project.parent.parent / "posts" / "broken.yaml").write_text("statistics: [oops\n",
                                                                 encoding="utf-8")
    result = run_cli("status")
    assert result.exit_code == EXIT_DOWN
    assert "Post library: CANNOT BE LOADED, so nothing is published" in result.output
    assert "broken.yaml" in result.output
    code, body = healthz_response(store, config, now)
    assert code == 503 and body["library"] == {"ok": False} and body["ok"] is False
