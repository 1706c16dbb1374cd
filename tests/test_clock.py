"""`toolkit.core.clock`: the real time, or the instant a test pins, in this process and its
children;
never pinned outside pytest."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from toolkit.core import clock

PINNED = datetime(2031, 2, 3, 4, 5, tzinfo=UTC)
SHOW = "from toolkit.core import clock; print(clock.now().isoformat())"


def test_the_real_time_when_nothing_is_pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(clock.PIN_VARIABLE, raising=False)
    before = datetime.now(UTC)
    now = clock.now()
    assert now.tzinfo is UTC and before <= now <= datetime.now(UTC)


def test_a_pinned_instant_in_this_process_and_its_children(pin_clock) -> None:
    pin_clock(PINNED.astimezone(ZoneInfo("America/Chicago")))  # any offset; read back as UTC
    assert clock.now() == PINNED and clock.now().tzinfo is UTC
    assert clock.today(ZoneInfo("America/Chicago")) == date(2031, 2, 2)  # 22:05 the day before
    child = subprocess.run([sys.executable, "-c", SHOW], capture_output=True, text=True,
                           check=True, timeout=60)
    assert child.stdout.strip() == PINNED.isoformat()


def test_never_pinned_outside_pytest(pin_clock) -> None:
    """A stray TOOLKIT_TEST_NOW in a production environment is ignored: pytest's own variable
    must be there too."""
    pin_clock(PINNED)
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    child = subprocess.run([sys.executable, "-c", SHOW], capture_output=True, text=True,
                           check=True, timeout=60, env=env)
    shown = datetime.fromisoformat(child.stdout.strip())
    assert abs(shown - datetime.now(UTC)) < timedelta(minutes=5)


def test_a_pin_without_an_offset_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(clock.PIN_VARIABLE, "2031-02-03T04:05")
    with pytest.raises(ValueError, match="needs an offset"):
        clock.now()


def test_check_and_approval_agree_on_the_day(project, pin_clock, monkeypatch) -> None:
    """At 03:00 UTC it is still yesterday in the campaign's timezone (America/Chicago): a claim
    due for review that day is not yet past it for `toolkit check` either, whatever the
    machine's own zone (found by an adversarial review: check read the machine's day)."""
    import time as _time

    from conftest import edit

    from toolkit.surfaces.validate import run_checks

    monkeypatch.setenv("TZ", "UTC")
    _time.tzset()
    try:
        edit(project.parent.parent / "posts" / "claims.yaml",
             "    as_of: 2025-01-21\n    max_age_days: 90\n",
             "    as_of: 2026-11-05\n    max_age_days: 30\n")  # review by 2026-12-05
        pin_clock(datetime(2026, 12, 6, 3, 0, tzinfo=UTC))  # 21:00 on Dec 5 in Chicago
        assert not [p for p in run_checks(project) if "past its review date" in p.message]
        pin_clock(datetime(2026, 12, 6, 7, 0, tzinfo=UTC))  # 01:00 on Dec 6 in Chicago
        assert [p for p in run_checks(project) if "past its review date" in p.message]
    finally:
        monkeypatch.delenv("TZ")
        _time.tzset()
