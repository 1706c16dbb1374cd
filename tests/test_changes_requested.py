"""`changes_requested`: a post sent back with a comment is in its own state, which no approval
covers (not `approve --all`, not an approval by id); it returns to draft when its message is
edited or when staff resubmit it, and its thread of comments stays on the post."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import edit
from webapp import NO_CARD

from toolkit.store import NewPost, Store
from toolkit.store.web import WebStore
from toolkit.surfaces.cli.context import actor_name

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock_at_now(pin_clock) -> None:
    pin_clock(NOW)


def _add(run_cli, hours: int) -> str:
    at = (NOW + timedelta(days=2, hours=hours)).isoformat()
    result = run_cli("queue", "add", NO_CARD, "--at", at, "--by", "sam")
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def _listed(run_cli) -> dict[str, dict]:
    result = run_cli("queue", "list", "--json")
    assert result.exit_code == 0, result.output
    return {p["id"]: p for p in json.loads(result.stdout)}


def _thread(project: Path, pid: str) -> list[tuple[str, str]]:
    from toolkit.core.config import load_config

    store = Store(load_config(project).store_url)
    try:
        return [(c.author, c.body) for c in WebStore(store).comments(pid)]
    finally:
        store.close()


def test_a_post_sent_back_is_left_out_of_every_approval_until_resubmitted(
        run_cli, project: Path) -> None:
    sent, other = _add(run_cli, 0), _add(run_cli, 1)
    done = run_cli("queue", "send-back", sent, "--comment", "Say 'paused', not 'ended'.",
                   "--by", "maria")
    assert done.exit_code == 0, done.output
    assert f"{sent} is now changes_requested" in done.stderr
    assert _listed(run_cli)[sent]["status"] == "changes_requested"
    assert run_cli("queue", "list", "--status", "changes_requested").stdout.count(sent) == 1

    by_id = run_cli("queue", "approve", sent, "--by", "ana")
    assert by_id.exit_code == 1
    assert f"refused {sent}: is sent back with changes requested, not a draft" in by_id.stderr
    every = run_cli("queue", "approve", "--all", "--by", "ana")
    assert f"approved {other}" in every.stderr and sent not in every.stderr
    listed = _listed(run_cli)
    assert (listed[sent]["status"], listed[other]["status"]) == ("changes_requested", "approved")

    back = run_cli("queue", "resubmit", sent, "--reply", "Changed the wording.", "--by", "sam")
    assert back.exit_code == 0 and f"{sent} is now draft" in back.stderr
    # the command line records who ran it beside `--by` (issue 29), in the thread as in the audit
    assert _thread(project, sent) == [(actor_name("maria"), "Say 'paused', not 'ended'."),
                                      (actor_name("sam"), "Changed the wording.")]
    again = run_cli("queue", "approve", "--all", "--by", "ana")
    assert f"approved {sent}" in again.stderr
    shown = run_cli("queue", "show", sent).stdout
    assert "changes requested: Say 'paused', not 'ended'." in shown
    assert "resubmitted: Changed the wording." in shown


def test_an_approved_post_sent_back_loses_its_approval(run_cli) -> None:
    pid = _add(run_cli, 0)
    assert run_cli("queue", "approve", pid, "--by", "maria").exit_code == 0
    assert run_cli("queue", "send-back", pid, "--comment", "Wrong week.",
                   "--by", "ana").exit_code == 0
    post = _listed(run_cli)[pid]
    assert (post["status"], post["approved_by"], post["approved_at"]) == (
        "changes_requested", None, None)


def test_send_back_needs_a_comment_and_resubmit_a_post_sent_back(run_cli) -> None:
    pid = _add(run_cli, 0)
    blank = run_cli("queue", "send-back", pid, "--comment", "  ", "--by", "maria")
    assert blank.exit_code != 0 and "a comment is required" in blank.stderr
    early = run_cli("queue", "resubmit", pid, "--by", "sam")
    assert early.exit_code != 0 and "cannot make it draft" in early.stderr
    assert _listed(run_cli)[pid]["status"] == "draft"


def test_rescheduling_keeps_the_request_and_cancelling_ends_it(run_cli) -> None:
    pid, other = _add(run_cli, 0), _add(run_cli, 1)
    for post in (pid, other):
        run_cli("queue", "send-back", post, "--comment", "Later, please.", "--by", "maria")
    moved = run_cli("queue", "reschedule", pid, "--at", (NOW + timedelta(days=5)).isoformat())
    assert moved.exit_code == 0 and "is now changes_requested" in moved.stderr
    assert run_cli("queue", "cancel", other).exit_code == 0
    listed = _listed(run_cli)
    assert (listed[pid]["status"], listed[other]["status"]) == ("changes_requested", "cancelled")


def test_editing_the_message_returns_it_to_draft_with_the_new_text(planner, project) -> None:
    pid = planner.add(NO_CARD, "x", "en", NOW + timedelta(days=2), NOW, "sam")
    untouched = planner.add(NO_CARD, "x", "es", NOW + timedelta(days=2), NOW, "sam")
    for post in (pid, untouched):
        planner.send_back(post, "Say it was a pause.", "maria", NOW)
    assert planner.return_edited("library", NOW) == []  # nothing edited yet
    edit(project.parent.parent / "posts" / "messages.yaml", "It was a pause, not an end",
         "It was only a pause, not an end")
    from toolkit.library import load_library
    from toolkit.planning.queue import Planner

    fresh = Planner(planner.config, load_library(planner.config), planner.store)
    assert fresh.return_edited("library", NOW) == [pid]
    post = planner.store.get(pid)
    assert post.status == "draft" and "It was only a pause" in post.text
    assert planner.store.get(untouched).status == "changes_requested"
    assert [c.body for c in WebStore(planner.store).comments(pid)] == ["Say it was a pause."]
    assert planner.store.audit_log(pid)[-1].detail == "its message was edited: back to draft"


def test_the_command_line_approval_covers_a_post_whose_message_was_edited(run_cli,
                                                                        project) -> None:
    """`queue approve` does what the review app does before any action: a post sent back whose
    message was edited since is a draft again with the new text, so the approval covers it;
    one whose message was not edited stays left out (also on the SQLAlchemy-free store)."""
    edited = _add(run_cli, 0)
    untouched = run_cli("queue", "add", NO_CARD, "--lang", "es", "--at",  # its Spanish text
                        (NOW + timedelta(days=2)).isoformat()).stdout.strip()
    run_cli("queue", "list")  # the store is known: `queue approve` runs without SQLAlchemy
    for pid in (edited, untouched):
        assert run_cli("queue", "send-back", pid, "--comment", "Say it was a pause.",
                       "--by", "maria").exit_code == 0
    edit(project.parent.parent / "posts" / "messages.yaml", "It was a pause, not an end",
         "It was only a pause, not an end")
    run_cli("queue", "approve", "--all", "--by", "ana")
    listed = _listed(run_cli)
    assert listed[edited]["status"] == "approved" and "only a pause" in listed[edited]["text"]
    assert listed[untouched]["status"] == "changes_requested"


def test_a_resubmitted_post_carries_its_message_as_edited(planner, project) -> None:
    pid = planner.add(NO_CARD, "x", "en", NOW + timedelta(days=2), NOW, "sam")
    planner.send_back(pid, "Say it was a pause.", "maria", NOW)
    edit(project.parent.parent / "posts" / "messages.yaml", "It was a pause, not an end",
         "It was only a pause, not an end")
    from toolkit.library import load_library
    from toolkit.planning.queue import Planner

    fresh = Planner(planner.config, load_library(planner.config), planner.store)
    post = fresh.resubmit(pid, "sam", NOW, "Reworded.")
    assert post.status == "draft" and "It was only a pause" in post.text


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_state_and_its_thread_in_both_stores(backend: str, request, tmp_path) -> None:
    url = (request.getfixturevalue("pg_url") if backend == "postgresql"
           else f"sqlite:///{tmp_path / 'toolkit.db'}")
    store = Store(url)
    try:
        pid = store.add([NewPost("m", "en", "x", "x-main", "A #SaveAsylum",
                                 NOW + timedelta(days=1))], "sam", NOW)[0]
        store.transition(pid, ("draft",), "changes_requested", "maria", NOW,
                         "changes requested: shorter", comment="shorter")
        assert store.get(pid).status == "changes_requested"
        assert [p.id for p in store.brief(["changes_requested"])] == [pid]
        assert store.brief(["draft"]) == []
        entry = store.audit_log(pid)[-1]
        assert (entry.from_status, entry.to_status, entry.actor) == (
            "draft", "changes_requested", "maria")
        assert [(c.author, c.body) for c in WebStore(store).comments(pid)] == [
            ("maria", "shorter")]
    finally:
        store.close()


def test_the_migration_widens_the_status_columns_on_postgresql(pg_url: str) -> None:
    """A store made before `010_changes_requested` had VARCHAR(16) statuses, too short for
    `changes_requested`: the migration widens them."""
    from sqlalchemy import text

    from toolkit.store.migrations import POSTS_TRIGGER

    store = Store(pg_url)
    with store.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER posts_notify ON posts"))
        for table, column in (("posts", "status"), ("audit", "from_status"),
                              ("audit", "to_status")):
            conn.execute(text(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE VARCHAR(16)"))
        conn.execute(text(POSTS_TRIGGER))
        conn.execute(text("DELETE FROM migrations WHERE name = '010_changes_requested'"))
    store.close()
    store = Store(pg_url)  # opening migrates
    try:
        assert "010_changes_requested" in store.applied_migrations
        pid = store.add([NewPost("m", "en", "x", "x-main", "A #SaveAsylum",
                                 NOW + timedelta(days=1))], "sam", NOW)[0]
        store.transition(pid, ("draft",), "changes_requested", "maria", NOW)
        assert store.get(pid).status == "changes_requested"
        with store.engine.connect() as conn:  # the change notice's trigger is still there
            assert conn.execute(text("SELECT count(*) FROM pg_trigger WHERE tgname = "
                                     "'posts_notify'")).scalar() == 1
    finally:
        store.close()
