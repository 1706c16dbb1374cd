"""A store that cannot be used gives one clear `Error:` line, exit 1, and changes nothing.

Locked by another process, read-only, damaged pages, a missing column, a PostgreSQL URL without
its driver; reads never wait for a writer (the schema version is checked read-only first).
"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from toolkit.core.config import load_config
from toolkit.store import NewPost, Store

ROOT = Path(__file__).resolve().parent.parent


def db_path(project: Path) -> Path:
    return Path(load_config(project).store_url.split(":///", 1)[1])


def seed(project: Path, n: int, status: str = "draft", at: datetime | None = None) -> list[str]:
    store = Store(load_config(project).store_url)
    now = datetime.now(UTC)
    at = at or now + timedelta(days=2)
    ids = store.add([NewPost("demo", "en", "outbox", "outbox", f"Post {i} #SaveAsylum", at)
                     for i in range(n)], "test", now)
    if status == "approved":
        store.transition_many([(i, "draft", {}) for i in ids], "approved", "lead", now)
    store.close()
    return ids


def one_error_line(output: str, *needles: str) -> str:
    lines = [ln for ln in output.splitlines() if ln.strip()]
    assert "Traceback" not in output, output
    errors = [ln for ln in lines if ln.startswith("Error: ")]
    assert len(errors) == 1, output
    for needle in needles:
        assert needle in errors[0], errors[0]
    return errors[0]


def snapshot(project: Path) -> list[tuple]:
    con = sqlite3.connect(db_path(project))
    try:
        return con.execute("SELECT id, status, version FROM posts ORDER BY id").fetchall()
    finally:
        con.close()


def test_reads_do_not_wait_for_a_writer(run_cli, project: Path, monkeypatch) -> None:
    seed(project, 3)
    monkeypatch.setenv("TOOLKIT_LOCK_TIMEOUT", "3")
    writer = sqlite3.connect(db_path(project), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        result = run_cli("queue", "list", "--json")
        waited = time.monotonic() - started
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert result.exit_code == 0, result.output
    assert waited < 2.5, f"the read waited {waited:.1f} s for the writer"


def test_postgres_url_without_its_driver_is_one_line(run_cli, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if the extra were not installed
    monkeypatch.setenv("TOOLKIT_STORE_URL", "postgresql://campaign:s3cret@db.example/toolkit")
    result = run_cli("queue", "list")
    assert result.exit_code == 1
    line = one_error_line(result.output, "install the postgres extra",
                          "pip install -e '.[postgres]'")
    assert "s3cret" not in result.output, line


@pytest.mark.parametrize("what", ["file", "folder"])
def test_queue_add_on_a_read_only_store(run_cli, project: Path, what: str) -> None:
    seed(project, 2)
    db = db_path(project)
    target = db if what == "file" else db.parent
    before = snapshot(project)
    mode = target.stat().st_mode
    target.chmod(stat.S_IMODE(mode) & ~0o222)
    try:
        result = run_cli("queue", "add", "courts-suspended", "--at", "2099-01-05T09:00",
                         "--platform", "outbox")
    finally:
        target.chmod(stat.S_IMODE(mode))
    assert result.exit_code == 1
    one_error_line(result.output, "read-only", "nothing was changed")
    assert snapshot(project) == before


def test_a_store_with_damaged_pages_is_one_line(run_cli, project: Path) -> None:
    seed(project, 300)
    db = db_path(project)
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0
    data = bytearray(db.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    for offset in range(page * 2, len(data), page):  # keep page 1 (the schema) intact
        data[offset:offset + 64] = b"\xa5" * 64
    db.write_bytes(bytes(data))
    result = run_cli("queue", "list")
    assert result.exit_code == 1
    one_error_line(result.output, "damaged", "restore it from a backup")
    assert db.read_bytes() == bytes(data)


def test_a_store_with_a_missing_column_is_one_line(run_cli, project: Path) -> None:
    seed(project, 2)
    con = sqlite3.connect(db_path(project))
    con.execute("ALTER TABLE posts DROP COLUMN url")
    con.commit()
    con.close()
    before = snapshot(project)
    result = run_cli("queue", "list")
    assert result.exit_code == 1
    one_error_line(result.output, "missing column(s) posts.url")
    result = run_cli("queue", "add", "courts-suspended", "--at", "2099-01-05T09:00",
                         "--platform", "outbox")
    assert result.exit_code == 1
    one_error_line(result.output, "posts.url")
    assert snapshot(project) == before


@pytest.mark.slow  # a real scheduler process waiting out a lock
def test_scheduler_once_waits_a_bounded_time_for_a_lock(project: Path) -> None:
    ids = seed(project, 2, "approved", at=datetime.now(UTC) - timedelta(seconds=5))
    before = snapshot(project)
    writer = sqlite3.connect(db_path(project), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    env = {**os.environ, "TOOLKIT_LOCK_TIMEOUT": "1"}
    try:
        started = time.monotonic()
        done = subprocess.run([sys.executable, str(ROOT / "scheduler.py"), "--config",
                               str(project), "--once"], capture_output=True, text=True,
                              env=env, timeout=60, check=False)
        waited = time.monotonic() - started
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert done.returncode == 1, done.stderr
    one_error_line(done.stderr, "locked by another process", "waited 1 s")
    assert waited < 20
    assert snapshot(project) == before
    assert not any(load_config(project).outbox_dir.glob(f"{ids[0]}.json"))
