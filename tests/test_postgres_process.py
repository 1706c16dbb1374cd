"""The real `scheduler.py` on a real PostgreSQL server: SIGKILLed during a burst, three at once,
and re-armed by a change notice. Every post published once, none twice (the outbox proves it)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from test_scheduler_process import (
    ROOT,
    assert_exactly_once,
    kill_during_burst,
    seed,
    start,
    wait_all_published,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def pg_project(project: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The project with its store on a fresh PostgreSQL database (`TOOLKIT_STORE_URL`)."""
    monkeypatch.setenv("TOOLKIT_STORE_URL", pg_url)
    return project


def stop_all(procs: list[subprocess.Popen]) -> list[str]:
    for p in procs:
        p.send_signal(signal.SIGTERM)
    return [p.communicate(timeout=30)[0] for p in procs]


def test_sigkill_during_a_burst_on_postgres(pg_project: Path) -> None:
    ids = seed(pg_project, 80, spread_s=10)
    kill_during_burst(pg_project, ids, 4, random.Random(11), (0.8, 2.5))


def test_three_schedulers_on_one_postgres_database(pg_project: Path) -> None:
    ids = seed(pg_project, 90, spread_s=5)
    procs = [start(pg_project) for _ in range(3)]
    try:
        statuses = wait_all_published(pg_project, ids, timeout_s=60)
    finally:
        outs = stop_all(procs)
    assert all(p.returncode == 0 for p in procs), outs
    assert_exactly_once(pg_project, ids, statuses)
    lines = [[ln for ln in out.splitlines() if "published post" in ln] for out in outs]
    assert sum(map(len, lines)) == len(ids)


def test_a_change_notice_rearms_the_scheduler(pg_project: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("X_", "BLUESKY_",
                                                                     "MASTODON_"))}
    proc = subprocess.Popen([sys.executable, str(ROOT / "scheduler.py"), "--config",
                             str(pg_project), "-v"], cwd=pg_project.parent.parent, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for line in proc.stdout:
            if "scheduler running" in line:
                break
        ids = seed(pg_project, 2, spread_s=0.5, start_s=1.0)
        statuses = wait_all_published(pg_project, ids, timeout_s=20)
    finally:
        (out,) = stop_all([proc])
    assert set(statuses.values()) == {"published"}, out
    assert "change notice from the store; re-arming" in out
