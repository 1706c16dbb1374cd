"""The `queue list`, `schedule` and `library` tables, byte for byte.

Captured from the commands' output before the start-up work of issue 9 and kept unchanged since
(tests/fixtures/exact-output/*.txt): a frozen copy of part of the library (its posts/), post ids
and `now` injected, so every column is fixed.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import Result

EXPECTED = Path(__file__).resolve().parent / "fixtures" / "exact-output"
NOW = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)  # a Monday, 09:00 in America/Chicago


@pytest.fixture
def frozen(project: Path, run_cli, monkeypatch: pytest.MonkeyPatch,
           pin_clock: Callable[[datetime], datetime]) -> Callable[..., Result]:
    """`run_cli` over the frozen library, with post ids p000000001… and the clock at NOW."""
    import toolkit.store.models

    posts = project.parent.parent / "posts"
    shutil.rmtree(posts)
    shutil.copytree(EXPECTED / "posts", posts)
    counter = itertools.count(1)
    monkeypatch.setattr(toolkit.store.models, "new_post_ids",
                        lambda n: [f"p{next(counter):09d}" for _ in range(n)])
    pin_clock(NOW)
    return run_cli


def expected(name: str) -> str:
    """The captured output `tests/fixtures/exact-output/NAME.txt`."""
    return (EXPECTED / f"{name}.txt").read_text(encoding="utf-8")


def _queue(run: Callable[..., Result]) -> None:
    for args in (["violence-attacks", "--at", "2026-12-01T09:00"],
                 ["courts-suspended", "--at", "2026-12-01T13:00", "--lang", "es"],
                 ["violence-attacks", "--at", "2026-12-02T18:30", "--platform", "mastodon",
                  "--lang", "es"],
                 ["courts-suspended", "--platform", "bluesky"],
                 ["violence-first-year", "--at", "2026-12-29T09:00"]):
        result = run("queue", "add", *args)
        assert result.exit_code == 0, result.output
    assert run("queue", "approve", "p000000002", "--by", "lead").exit_code == 0
    assert run("queue", "cancel", "p000000003", "--by", "lead").exit_code == 0


def test_library_table(frozen) -> None:
    result = frozen("library")
    assert result.exit_code == 0
    assert result.stdout == expected("library")


def test_queue_list_table(frozen) -> None:
    _queue(frozen)
    assert frozen("queue", "list").stdout == expected("queue-list")
    assert frozen("queue", "list", "--status", "draft").stdout == expected("queue-list-drafts")


def test_schedule_table(frozen) -> None:
    _queue(frozen)
    assert frozen("schedule").stdout == expected("schedule")
    approved = frozen("schedule", "--days", "2", "--status", "approved")
    assert approved.stdout == expected("schedule-approved")
