"""A failure that cannot have created the post is retried without asking; a platform that
cannot be asked is asked again with backoff before a person is (the record key decides)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from test_dispatch import T0, ScriptedPlatform, queue

from toolkit.core.errors import AuthError, NotCreatedError, TransientError
from toolkit.scheduler.dispatch import RECONCILE_BACKOFF, Dispatcher, outcome_summary
from toolkit.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(f"sqlite:///{tmp_path / 'store.db'}", now=T0)
    yield s
    s.close()


def test_not_created_is_retried_after_backoff_without_asking(store: Store) -> None:
    x = ScriptedPlatform()
    x.publish_script = [NotCreatedError("no connection to Bluesky for the upload of a.png "
                                        "(ConnectError); nothing was sent")]
    (pid,) = queue(store, 0)
    d = Dispatcher(store, {"x-campaign": x})
    d.dispatch_due(T0)
    post = store.get(pid)
    assert post.status == "approved" and post.not_before == T0 + timedelta(seconds=30)
    assert post.last_error.startswith("not created: no connection to Bluesky")
    assert x.reconciles == 0  # nothing could have been created: nothing to ask
    d.dispatch_due(T0 + timedelta(seconds=30))
    post = store.get(pid)
    assert post.status == "published" and len(x.published) == 1 and post.last_error is None


def test_unanswered_reconcile_is_asked_again_with_backoff(store: Store) -> None:
    """A timeout (the outcome unknown), then the platform down: the post stays `publishing`
    with its reason; once the platform answers "absent", it goes out once."""
    x = ScriptedPlatform()
    x.publish_script = [TransientError("no answer from Bluesky for the post (ReadTimeout)")]
    x.reconcile_answer = TransientError("no connection to Bluesky (ConnectError)")
    (pid,) = queue(store, 0)
    d = Dispatcher(store, {"x-campaign": x})
    out = d.dispatch_due(T0)
    post = store.get(pid)
    assert post.status == "publishing" and x.reconciles == 1
    assert post.claim_expires_at == T0 + RECONCILE_BACKOFF[0]
    assert post.last_error.startswith("reconcile unanswered (1 of 5)")
    assert "to reconcile later 1" in outcome_summary(out)
    d.dispatch_due(T0 + RECONCILE_BACKOFF[0] - timedelta(seconds=1))
    assert x.reconciles == 1  # not before its time
    d.dispatch_due(T0 + RECONCILE_BACKOFF[0])
    post = store.get(pid)
    assert post.status == "publishing" and x.reconciles == 2
    assert post.last_error.startswith("reconcile unanswered (2 of 5)")
    x.reconcile_answer = "absent"
    now = T0 + RECONCILE_BACKOFF[0] + RECONCILE_BACKOFF[1]
    d.dispatch_due(now)
    post = store.get(pid)
    assert post.status == "published" and len(x.published) == 1 and x.reconciles == 3


def test_a_person_is_asked_after_the_last_wait(store: Store) -> None:
    x = ScriptedPlatform()
    x.publish_script = [TransientError("503")]
    x.reconcile_answer = TransientError("no connection to Bluesky (ConnectError)")
    (pid,) = queue(store, 0)
    d = Dispatcher(store, {"x-campaign": x})
    now = T0
    d.dispatch_due(now)
    for wait in RECONCILE_BACKOFF:
        now += wait
        d.dispatch_due(now)
    post = store.get(pid)
    assert post.status == "needs_check" and x.reconciles == len(RECONCILE_BACKOFF) + 1
    assert "could not be asked 6 times" in post.last_error and x.published == []


def test_a_refused_reconcile_asks_a_person_at_once(store: Store) -> None:
    x = ScriptedPlatform()
    x.publish_script = [TransientError("503")]
    x.reconcile_answer = AuthError("reconnect the account")
    (pid,) = queue(store, 0)
    Dispatcher(store, {"x-campaign": x}).dispatch_due(T0)
    post = store.get(pid)
    assert post.status == "needs_check" and "reconnect the account" in post.last_error


def test_a_reconcile_that_breaks_unexpectedly_is_asked_again_and_blocks_no_other_post(
        store: Store) -> None:
    """A publisher bug or an answer of an unexpected shape while reconciling (not a toolkit
    error) must not stop the run: the other accounts' posts still go out, and the post is
    asked again with backoff, then a person, never left `publishing` run after run."""
    x, y = ScriptedPlatform(), ScriptedPlatform()
    x.publish_script = [TransientError("no answer from Threads (ReadTimeout)")]
    x.reconcile_answer = KeyError("data")
    (broken,) = queue(store, 0)
    (other,) = queue(store, 1, account="y-campaign")
    d = Dispatcher(store, {"x-campaign": x, "y-campaign": y})
    d.dispatch_due(T0 + timedelta(seconds=1))
    post = store.get(broken)
    assert post.status == "publishing" and "reconcile unanswered (1 of 5)" in post.last_error
    assert "KeyError" in post.last_error
    assert store.get(other).status == "published"
    now = T0 + timedelta(seconds=1)
    for wait in RECONCILE_BACKOFF:
        now += wait
        d.dispatch_due(now)
    assert store.get(broken).status == "needs_check" and x.published == []
