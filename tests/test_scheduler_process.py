"""The real `scheduler.py` as subprocesses: SIGKILL at random moments, two at once, SIGTERM.

At the end every post is `published`, its outbox file exists and `duplicates.jsonl` is empty:
none lost, none doubled. These tests wait on the wall clock (real processes), polling the
store with a deadline; the dispatcher's own logic is tested with an injected clock elsewhere.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from toolkit.core.config import load_config
from toolkit.store import NewPost, Store
from toolkit.store.ops import read_heartbeats

ROOT = Path(__file__).resolve().parent.parent
#: the figures its message (courts-suspended) shows: the scheduler's last fact check finds them
FIGURES = "January 20, 2021 … June 1, 2021 #SaveAsylum"
pytestmark = pytest.mark.slow


def seed(config_path: Path, n: int, spread_s: float, start_s: float = 2.0) -> list[str]:
    """Add `n` approved outbox posts due between now+start_s and now+start_s+spread_s."""
    config = load_config(config_path)
    store = Store(config.store_url)
    now = datetime.now(UTC)
    rnd = random.Random(n)
    new = [NewPost("courts-suspended", "en", "outbox", "outbox", f"Post {i}: {FIGURES}",
                   now + timedelta(seconds=start_s + rnd.uniform(0, spread_s)))
           for i in range(n)]
    ids = store.add(new, "test", now)
    store.transition_many([(i, "draft", {}) for i in ids], "approved", "lead", now)
    store.close()
    return ids


def start(config_path: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("X_", "BLUESKY_",
                                                                     "MASTODON_"))}
    return subprocess.Popen([sys.executable, str(ROOT / "scheduler.py"), "--config",
                             str(config_path)], cwd=config_path.parent.parent, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wait_all_published(config_path: Path, ids: list[str], timeout_s: float) -> dict:
    config = load_config(config_path)
    store = Store(config.store_url)
    deadline = time.monotonic() + timeout_s
    try:
        while True:
            statuses = {p.id: p.status for p in store.list(ids=ids)}
            if all(s == "published" for s in statuses.values()) or time.monotonic() > deadline:
                return statuses
            time.sleep(0.2)
    finally:
        store.close()


def assert_exactly_once(config_path: Path, ids: list[str], statuses: dict) -> None:
    config = load_config(config_path)
    stuck = {i: s for i, s in statuses.items() if s != "published"}
    assert not stuck, f"{len(stuck)} posts not published: {stuck}"
    outbox = config.outbox_dir
    files = {p.stem for p in outbox.glob("*.json")}
    assert files == set(ids)
    for pid in ids:
        assert json.loads((outbox / f"{pid}.json").read_text())["post_id"] == pid
    dup = outbox / "duplicates.jsonl"
    assert not dup.exists() or dup.read_text() == "", dup.read_text()
    store = Store(config.store_url)
    published = [a.post_id for a in store.audit_log() if a.to_status == "published"]
    store.close()
    assert sorted(published) == sorted(ids), "a post was recorded as published twice"


def kill_during_burst(config_path: Path, ids: list[str], kills: int, rnd: random.Random,
                      alive_s: tuple[float, float]) -> None:
    """SIGKILL `kills` schedulers in turn, each after a random time alive, then let a last
    one finish the burst; assert every post published once, none twice."""
    for _ in range(kills):
        proc = start(config_path)
        time.sleep(rnd.uniform(*alive_s))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    final = start(config_path)
    try:
        statuses = wait_all_published(config_path, ids, timeout_s=60)
    finally:
        final.send_signal(signal.SIGTERM)
        out, _ = final.communicate(timeout=30)
    assert final.returncode == 0, out
    assert "scheduler stopped" in out
    assert_exactly_once(config_path, ids, statuses)


def test_sigkill_at_random_moments_loses_and_doubles_nothing(project: Path) -> None:
    ids = seed(project, 120, spread_s=18)
    kill_during_burst(project, ids, 6, random.Random(7), (0.6, 3.0))


def test_two_schedulers_on_one_store_publish_each_post_once(project: Path) -> None:
    ids = seed(project, 100, spread_s=8)
    procs = [start(project), start(project)]
    try:
        statuses = wait_all_published(project, ids, timeout_s=60)
    finally:
        outs = []
        for p in procs:
            p.send_signal(signal.SIGTERM)
            outs.append(p.communicate(timeout=30)[0])
    assert all(p.returncode == 0 for p in procs), outs
    assert_exactly_once(project, ids, statuses)
    lines = [ln for out in outs for ln in out.splitlines() if "published post" in ln]
    assert len(lines) == len(ids)


def test_scheduler_notices_posts_added_by_another_process(project: Path) -> None:
    proc = start(project)
    try:
        time.sleep(1.5)  # the scheduler is up with an empty store
        ids = seed(project, 3, spread_s=0.5, start_s=1.0)
        statuses = wait_all_published(project, ids, timeout_s=15)
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    assert set(statuses.values()) == {"published"}, out
    assert proc.returncode == 0
    published_lines = [ln for ln in out.splitlines() if "published post" in ln]
    assert len(published_lines) == 3
    assert all(" to outbox " in ln and " late " in ln for ln in published_lines)


def test_scheduler_publishes_nothing_while_the_library_cannot_be_read(project: Path) -> None:
    broken = project.parent.parent / "posts" / "broken.yaml"
    broken.write_text("statistics: [oops\n", encoding="utf-8")
    ids = seed(project, 2, spread_s=0.2, start_s=0.5)
    proc = start(project)
    try:
        store = Store(load_config(project).store_url)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not any(
                b["last_error"] for b in read_heartbeats(store)):
            time.sleep(0.2)  # polling the real process's heartbeat, not waiting for time
        assert {p.status for p in store.list(ids=ids)} == {"approved"}
        store.close()
        broken.unlink()
        statuses = wait_all_published(project, ids, timeout_s=20)
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    assert set(statuses.values()) == {"published"}, out
    errors = [ln for ln in out.splitlines() if "post library cannot be loaded" in ln]
    assert len(errors) == 1 and "broken.yaml" in errors[0], out
    assert "post library loads again; publishing resumes" in out
