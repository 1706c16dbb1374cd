"""Who owns a claim: a process on this host that died (or whose pid was reused) is dead; a
claim made on another machine is never judged by this host's process table, only its lease."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from toolkit.publishers.outbox import OutboxPublisher
from toolkit.scheduler.dispatch import Dispatcher, _start_time, owner_is_dead, process_owner
from toolkit.store import NewPost, Store


def test_owner_names_host_pid_and_start_time() -> None:
    host, pid, started, token = process_owner().split(":")
    assert host == socket.gethostname() and int(pid) == os.getpid()
    assert started.isdigit() and len(token) == 8
    assert not owner_is_dead(process_owner())


def test_a_process_that_exited_is_dead_and_a_reused_pid_too() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        started = _start_time(child.pid)
        host = socket.gethostname()
        assert not owner_is_dead(f"{host}:{child.pid}:{started}:abcd1234")
        # same pid, another start time: the pid now belongs to a different process
        assert owner_is_dead(f"{host}:{child.pid}:{int(started) + 1}:abcd1234")
    finally:
        child.kill()
        child.wait()
    assert owner_is_dead(f"{host}:{child.pid}:{started}:abcd1234")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_claim_from_another_host_waits_for_its_lease(tmp_path: Path, backend: str,
                                                        request: pytest.FixtureRequest) -> None:
    url = (f"sqlite:///{tmp_path / 's.db'}" if backend == "sqlite"
           else request.getfixturevalue("pg_url"))
    store = Store(url)
    now = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    (pid,) = store.add([NewPost("m", "en", "outbox", "outbox", "Hi #SaveAsylum", now)], "t", now)
    store.transition_many([(pid, "draft", {})], "approved", "lead", now)
    # a scheduler on another machine claimed it with a pid that does not exist here, then died
    elsewhere = f"other-machine:{os.getpid() + 99999}:12345:deadbeef"
    assert not owner_is_dead(elsewhere)
    assert [p.id for p in store.claim_due(now, elsewhere, timedelta(minutes=5), 10)] == [pid]
    dispatcher = Dispatcher(store, {"outbox": OutboxPublisher(tmp_path / "outbox")})
    assert dispatcher.dispatch_due(now + timedelta(minutes=1)) == []
    assert store.get(pid).status == "publishing"
    outcomes = dispatcher.dispatch_due(now + timedelta(minutes=6))  # its lease has run out
    assert [o.status for o in outcomes][-1] == "published"
    assert store.get(pid).status == "published"
    assert (tmp_path / "outbox" / f"{pid}.json").exists()
    store.close()
