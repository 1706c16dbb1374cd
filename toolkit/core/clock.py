"""The one clock every command, the scheduler and the web app read: the real time, UTC.

Tests pin it so that a command started in-process (click's `CliRunner`) and one started as a
process of its own (`toolkit …`, `python scheduler.py`) see the same instant: they set
`TOOLKIT_TEST_NOW` to an ISO 8601 time with an offset. It is honoured **only while pytest runs**
(pytest sets `PYTEST_CURRENT_TEST` for the test in progress and a child process inherits it), so
a stray variable in a production environment can never stop the clock: there it is ignored.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, tzinfo

#: the pinned instant (tests only; see the module's docstring)
PIN_VARIABLE = "TOOLKIT_TEST_NOW"


def _pinned() -> datetime | None:
    text = os.environ.get(PIN_VARIABLE)
    if not text or "PYTEST_CURRENT_TEST" not in os.environ:
        return None
    pinned = datetime.fromisoformat(text)
    if pinned.tzinfo is None:
        raise ValueError(f"{PIN_VARIABLE}={text!r} needs an offset (e.g. Z or +00:00)")
    return pinned.astimezone(UTC)


def now() -> datetime:
    """The current time, timezone-aware UTC (the pinned instant while a test pins it)."""
    return _pinned() or datetime.now(UTC)


def today(tz: tzinfo | None = None) -> date:
    """Today's date in `tz` (default: the machine's local time zone), by `now()`. Anything
    about a campaign passes the campaign's timezone, so every command agrees on the day."""
    return now().astimezone(tz).date()
