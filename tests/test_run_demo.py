"""`make run` (toolkit/surfaces/run_demo.py) on any date: dated data past its review date is named
in one
line and the demo goes on, building the share kit marked as possibly out of date; any other
`check` error stops it."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
import yaml
from conftest import ROOT
from receivers import free_port

from toolkit.core.config import load_config
from toolkit.pages.congress.loader import load_roster
from toolkit.store import Store
from toolkit.store.web import WebStore

REVIEW_BY = load_roster(ROOT / "members" / "congress.yaml").review_by
#: 400 days after the shipped member data's review date: long past it
LATE = datetime.combine(REVIEW_BY + timedelta(days=400), time(15), tzinfo=UTC)
FRESH = datetime.combine(REVIEW_BY - timedelta(days=60), time(15), tzinfo=UTC)


@pytest.fixture
def kit(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The project copy with members/ and its folder as the working directory (as `make run`
    is started from the checkout); returns the config path."""
    root = project.parent.parent
    shutil.copytree(ROOT / "members", root / "members")
    monkeypatch.chdir(root)
    monkeypatch.delenv("TOOLKIT_CONFIG", raising=False)
    return project


def test_outdated_member_data_is_one_line_and_the_demo_goes_on(kit: Path, pin_clock,
                                                              capsys) -> None:
    from toolkit.surfaces.run_demo import check_step

    pin_clock(LATE)
    assert check_step(kit) is True
    err = capsys.readouterr().err
    (line,) = [x for x in err.splitlines() if x.startswith("stale data")]
    assert line.startswith("stale data, make run goes on: members/congress.yaml:")
    assert f"review_by {REVIEW_BY} has passed" in line
    assert "`toolkit congress update DIR`" in line


def test_fresh_data_says_nothing_of_staleness(kit: Path, pin_clock, capsys) -> None:
    from toolkit.surfaces.run_demo import check_step

    pin_clock(FRESH)
    assert check_step(kit) is False
    assert "stale data" not in capsys.readouterr().err


def test_any_other_check_error_stops_the_demo(kit: Path, pin_clock) -> None:
    from toolkit.surfaces.run_demo import check_step

    pin_clock(LATE)  # outdated data as well: it does not excuse the broken file
    (kit.parent.parent / "posts" / "broken.yaml").write_text("statistics: [oops\n")
    with pytest.raises(SystemExit) as stopped:
        check_step(kit)
    assert stopped.value.code == 1


@pytest.mark.slow  # the whole `make run` in a process of its own
def test_make_run_starts_long_after_the_member_data_aged(kit: Path, pin_clock) -> None:
    pin_clock(LATE)
    root = kit.parent.parent
    env = {**os.environ, "TOOLKIT_WEB_PORT": str(free_port())}
    env = {k: v for k, v in env.items() if not k.startswith(("X_", "BLUESKY_", "MASTODON_"))}
    proc = subprocess.Popen([sys.executable, "-m", "toolkit.surfaces.run_demo"], cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seen: list[str] = []
    try:
        for line in proc.stdout:  # bounded: the process ends or reaches the scheduler
            seen.append(line)
            if "sign in as demo-staff" in line or proc.poll() is not None:
                break
    finally:
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=60)
    out = "".join(seen) + rest
    assert "scheduler running on" in out, out[-3000:]
    assert sum(x.startswith("stale data, make run goes on") for x in out.splitlines()) == 1
    assert "toolkit site build --allow-stale-members" in out
    assert "scheduler stopped" in out and "Traceback" not in out
    # the sign-ins come last, after the scheduler's start-up output
    lines = out.splitlines()
    running = next(i for i, x in enumerate(lines) if "scheduler running on" in x)
    signs = [i for i, x in enumerate(lines) if "sign in as demo-" in x]
    assert len(signs) == 2 and min(signs) > running
    assert re.search(r"Review app: http://127\.0\.0\.1:\d+/", lines[min(signs) - 1])
    store = Store(load_config(kit).store_url)
    try:
        drafts = store.list(["draft"])
        assert len(drafts) == 3
        threads = sorted(len(WebStore(store).comments(p.id)) for p in drafts)
        assert threads == [0, 0, 2]  # one of them with a comment thread
    finally:
        store.close()
    words = yaml.safe_load((root / "members" / "content.yaml").read_text(encoding="utf-8"))
    stale = " ".join(words["labels"]["stale"]["en"].split())  # the pages' may-be-outdated notice
    assert stale in (root / "site" / "members" / "fl.html").read_text(encoding="utf-8")
