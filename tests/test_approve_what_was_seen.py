"""What the lead approves is what goes out: approval never freezes a text the lead was not shown.

A draft stores the text composed when it was queued; `queue show` and the review app show that
text. If the message was edited in posts/ afterwards, approving must not silently freeze the new
wording: the draft is refreshed to the new text and refused, so it is shown again first.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import edit

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock_at_now(pin_clock) -> None:
    """Every command these tests run (in-process or as a process) reasons about NOW."""
    pin_clock(NOW)
AT = datetime(2099, 1, 5, 15, tzinfo=UTC)
MESSAGE = "courts-suspended"  # no card: nothing to render


def _planner(project: Path):
    from toolkit.core.config import load_config
    from toolkit.library import load_library
    from toolkit.planning.queue import Planner
    from toolkit.store import Store

    config = load_config(project)
    return Planner(config, load_library(config), Store(config.store_url))


def test_approval_refuses_a_text_that_changed_since_the_draft_was_shown(project: Path) -> None:
    first = _planner(project)
    pid = first.add(MESSAGE, "x", "en", AT, NOW, "staff")
    shown = first.store.get(pid).text
    assert "It was a pause, not an end" in shown
    first.store.close()

    edit(project.parent.parent / "posts" / "messages.yaml", "It was a pause, not an end",
         "It was only a pause")
    planner = _planner(project)
    result = planner.approve([pid], "lead", NOW)
    assert result.approved == []
    assert "changed since" in result.refused[pid]
    post = planner.store.get(pid)
    assert post.status == "draft"
    assert "It was only a pause" in post.text  # the draft now shows what approval would freeze

    # approved once seen: exactly the text the draft shows goes out
    again = planner.approve([pid], "lead", NOW)
    assert again.approved == [pid]
    assert planner.store.get(pid).text == post.text
    planner.store.close()


def test_approve_all_leaves_unchanged_drafts_alone(project: Path) -> None:
    planner = _planner(project)
    pid = planner.add(MESSAGE, "x", "es", AT, NOW, "staff")
    text = planner.store.get(pid).text
    assert planner.approve(None, "lead", NOW).approved == [pid]
    assert planner.store.get(pid).text == text
    planner.store.close()
