"""The dispatcher re-checks the facts a post rests on just before publishing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import ROOT, edit

from toolkit.core.config import load_config
from toolkit.library import load_library
from toolkit.planning.queue import Planner
from toolkit.scheduler.dispatch import HELD_BY_FACTS, FactsUnavailable
from toolkit.scheduler.runner import LibraryFactCheck, build_dispatcher
from toolkit.store import NewPost, Store

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
AT = NOW + timedelta(hours=1)
MSG = "courts-suspended"  # rests on the verified statistics mpp-suspended and mpp-terminated
VERIFIED = "as_of: 2021-01-20\n    verified: true"


def _approved(project: Path) -> tuple[Store, str]:
    config = load_config(project)
    store = Store(config.store_url)
    planner = Planner(config, load_library(config), store)
    pid = planner.add(MSG, "outbox", "en", AT, NOW, "comms")
    assert planner.approve([pid], "lead", NOW).approved == [pid]
    return store, pid


def test_post_is_held_when_its_statistic_is_unverified_after_approval(project: Path) -> None:
    store, pid = _approved(project)
    dispatcher = build_dispatcher(config=load_config(project))
    edit(project.parent.parent / "posts" / "statistics.yaml", VERIFIED,
         VERIFIED.replace("true", "false"))
    (outcome,) = dispatcher.dispatch_due(AT + timedelta(seconds=1))
    assert outcome.status == HELD_BY_FACTS
    post = store.get(pid)
    assert post.status == "draft" and "mpp-suspended" in post.last_error
    assert "fact gate" in store.audit_log(pid)[-1].detail
    assert not list(load_config(project).outbox_dir.glob("*.json"))


def test_post_with_verified_facts_is_published(project: Path) -> None:
    store, pid = _approved(project)
    (outcome,) = build_dispatcher(config=load_config(project)).dispatch_due(AT)
    assert outcome.status == "published" and store.get(pid).status == "published"


def test_fact_check_reloads_the_library_when_posts_change(project: Path) -> None:
    store, pid = _approved(project)
    check = LibraryFactCheck(load_config(project))
    post = store.get(pid)
    assert check(post, AT) is None
    edit(project.parent.parent / "posts" / "statistics.yaml", VERIFIED,
         VERIFIED.replace("true", "false"))
    assert "mpp-suspended" in check(post, AT)
    # a library that stops loading is never replaced by the last good one: nothing goes out
    (project.parent.parent / "posts" / "broken.yaml").write_text("statistics: [oops\n")
    with pytest.raises(FactsUnavailable, match="broken.yaml"):
        check(post, AT)
    assert "broken.yaml" in check.unavailable(AT)


def _break_library(project: Path) -> Path:
    """A YAML typo made together with `verified: false` (the review's hole)."""
    stats = project.parent.parent / "posts" / "statistics.yaml"
    edit(stats, VERIFIED, VERIFIED.replace("true", "false") + "\n    oops: [")
    return stats


def test_nothing_is_published_while_the_library_cannot_be_read(project: Path) -> None:
    store, pid = _approved(project)
    config = load_config(project)
    dispatcher = build_dispatcher(config=config)
    stats = _break_library(project)
    before = len(store.audit_log(pid))
    assert dispatcher.dispatch_due(AT + timedelta(seconds=1)) == []
    assert dispatcher.facts_unavailable and "statistics.yaml" in dispatcher.facts_unavailable
    post = store.get(pid)
    assert post.status == "approved" and post.claim_owner is None
    assert len(store.audit_log(pid)) == before  # not even claimed
    assert not list(config.outbox_dir.glob("*.json"))
    # the typo fixed, the unverified figure still there: the fact gate holds it
    edit(stats, "\n    oops: [", "")
    (outcome,) = dispatcher.dispatch_due(AT + timedelta(seconds=2))
    assert outcome.status == HELD_BY_FACTS and dispatcher.facts_unavailable is None
    assert not list(config.outbox_dir.glob("*.json"))


def test_a_post_waits_for_the_library_then_goes_out_or_is_missed(project: Path) -> None:
    store, pid = _approved(project)
    config = load_config(project)
    dispatcher = build_dispatcher(config=config)
    broken = project.parent.parent / "posts" / "broken.yaml"
    broken.write_text("statistics: [oops\n")
    assert dispatcher.dispatch_due(AT) == [] and store.get(pid).status == "approved"
    broken.unlink()
    (outcome,) = dispatcher.dispatch_due(AT + timedelta(seconds=5))
    assert outcome.status == "published"
    # a second post whose outage outlasts max_lateness becomes missed, through the usual path
    store2, pid2 = _approved(project)
    broken.write_text("statistics: [oops\n")
    late = AT + config.max_lateness + timedelta(seconds=1)
    (outcome,) = dispatcher.dispatch_due(late)
    assert outcome.post_id == pid2 and outcome.status == "missed"


def test_a_library_that_breaks_during_a_run_releases_the_claimed_posts(project: Path) -> None:
    store, pid = _approved(project)
    dispatcher = build_dispatcher(config=load_config(project))
    check = dispatcher.fact_check
    check.unavailable = lambda now: None  # broken only after the posts were claimed
    (project.parent.parent / "posts" / "broken.yaml").write_text("statistics: [oops\n")
    assert dispatcher.dispatch_due(AT) == []
    post = store.get(pid)
    assert post.status == "approved" and post.claim_owner is None and post.attempts == 0
    assert "post library cannot be loaded" in store.audit_log(pid)[-1].detail


@pytest.mark.slow  # real toolkit processes: `make test-fast` skips it
def test_scheduler_once_reports_counts_per_outcome(project: Path) -> None:
    import os
    import subprocess
    import sys

    config = load_config(project)
    store = Store(config.store_url)
    now = datetime.now(UTC)
    text = "January 20, 2021 … June 1, 2021 #SaveAsylum"  # the figures its message shows
    ids = store.add([NewPost(MSG, "en", "outbox", "outbox", f"post {i}: {text}", at)
                     for i, at in enumerate((now - timedelta(minutes=1),
                                             now - timedelta(hours=3)))], "test", now)
    store.transition_many([(i, "draft", {}) for i in ids], "approved", "lead", now)
    store.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("X_", "BLUESKY_",
                                                                     "MASTODON_"))}
    # a process of its own: scheduler.py sets up logging for the whole process
    done = subprocess.run([sys.executable, str(ROOT / "scheduler.py"), "--config", str(project),
                           "--once"], cwd=project.parent.parent, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        "published 1, missed 1, failed 0, needs_check 0, held by rate limit 0")


@pytest.mark.slow  # real toolkit processes: `make test-fast` skips it
def test_scheduler_once_exits_1_while_the_library_cannot_be_read(project: Path) -> None:
    import os
    import subprocess
    import sys

    config = load_config(project)
    store = Store(config.store_url)
    now = datetime.now(UTC)
    (pid,) = store.add([NewPost(MSG, "en", "outbox", "outbox", "January 20, 2021 … June 1, "
                                "2021 #SaveAsylum", now - timedelta(minutes=1))], "test", now)
    store.transition_many([(pid, "draft", {})], "approved", "lead", now)
    (project.parent.parent / "posts" / "broken.yaml").write_text("statistics: [oops\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("X_", "BLUESKY_",
                                                                     "MASTODON_"))}
    done = subprocess.run([sys.executable, str(ROOT / "scheduler.py"), "--config", str(project),
                           "--once"], cwd=project.parent.parent, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: the post library cannot be loaded: ") and "broken.yaml" in last
    assert last.endswith("; nothing was published") and "Traceback" not in done.stderr
    assert store.get(pid).status == "approved" and not list(config.outbox_dir.glob("*.json"))
    store.close()


def test_the_scheduler_looks_again_every_few_seconds_not_in_a_loop(project: Path) -> None:
    from toolkit.scheduler.daemon import _SERVICES, FACTS_RETRY, SchedulerService

    store, pid = _approved(project)
    now = AT + timedelta(seconds=1)
    service = SchedulerService(build_dispatcher(config=load_config(project)), clock=lambda: now)
    broken = project.parent.parent / "posts" / "broken.yaml"
    broken.write_text("statistics: [oops\n")
    service.dispatch()
    assert service._armed == now + FACTS_RETRY  # not at once: the due post is still approved
    service.rearm()  # the watch job's run every second does not bring it forward
    assert service._armed == now + FACTS_RETRY
    assert "broken.yaml" in service.heartbeat.last_error
    broken.unlink()
    service.dispatch()
    assert store.get(pid).status == "published" and service.heartbeat.last_error is None
    _SERVICES.pop(service.id, None)


def test_a_stop_asked_while_the_scheduler_starts_is_honoured(project: Path) -> None:
    """Ctrl-C right at start-up (before APScheduler is running, when `stop` cannot shut it
    down) stops the daemon instead of leaving it blocked for good."""
    import threading

    from toolkit.scheduler.daemon import SchedulerService

    service = SchedulerService(build_dispatcher(config=load_config(project)))
    service.stop()  # as the signal handler would, before `scheduler.start()` has run
    assert not service.scheduler.running
    started = threading.Thread(target=service.scheduler.start, daemon=True)
    started.start()  # what `run` would reach if the signal came just after its own check
    started.join(timeout=30)
    assert not started.is_alive() and not service.scheduler.running
    service.run()  # and `run` itself returns at once
