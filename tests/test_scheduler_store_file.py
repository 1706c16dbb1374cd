"""The real `scheduler.py` notices when its SQLite file is removed or replaced, and stops with
one clear error instead of writing on to a deleted file (posts queued in the new file would
otherwise never be published, and nothing would say so)."""

from __future__ import annotations

import os
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from test_scheduler_process import seed, start

from toolkit.core.config import load_config
from toolkit.store import NewPost, Store

pytestmark = pytest.mark.slow


def wait_running(proc) -> list[str]:
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if "scheduler running" in line:
            return lines
    raise AssertionError("".join(lines))


@pytest.mark.parametrize("how", ["removed", "replaced"])
def test_scheduler_stops_when_its_store_file_goes(project: Path, how: str) -> None:
    seed(project, 2, spread_s=1, start_s=3600)
    db = Path(load_config(project).store_url.split(":///", 1)[1])
    proc = start(project)
    try:
        head = wait_running(proc)
        if how == "replaced":  # e.g. a backup restored over it: a new file at the same path
            fresh = db.with_name("restored.db")
            other = Store(f"sqlite:///{fresh}")
            now = datetime.now(UTC)
            other.add([NewPost("demo", "en", "outbox", "outbox", "New #SaveAsylum",
                               now + timedelta(seconds=1))], "test", now)
            other.close()
            os.replace(fresh, db)
        else:
            db.unlink()
        out, _ = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
    out = "".join(head) + out
    assert proc.returncode == 1, out
    assert "Traceback" not in out, out
    errors = [ln for ln in out.splitlines() if ln.startswith("Error: ")]
    assert errors == [f"Error: the store file {db} was {how} while in use"], out
    if how == "replaced":  # the new file is untouched, ready for a restarted scheduler
        store = Store(load_config(project).store_url)
        assert [p.text for p in store.list()] == ["New #SaveAsylum"]
        store.close()
