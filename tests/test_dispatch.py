"""The dispatcher with an injected clock: due, not due, late, rate limits, failure kinds."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from toolkit.core.errors import (
    AuthError,
    DuplicateError,
    PermanentError,
    RateLimited,
    TransientError,
)
from toolkit.publishers.base import OutgoingPost, PublishResult, Reconciliation
from toolkit.publishers.outbox import OutboxPublisher
from toolkit.scheduler.dispatch import Dispatcher
from toolkit.store import NewPost, Store

T0 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


class ScriptedPlatform:
    """A fake platform: answers publish/reconcile from a script, remembers what it got."""

    def __init__(self, platform: str = "x") -> None:
        self.platform = platform
        self.publish_script: list[object] = []
        self.reconcile_answer: str | Exception = "absent"
        self.reconciles = 0
        self.published: list[OutgoingPost] = []

    def publish(self, post: OutgoingPost) -> PublishResult:
        step = self.publish_script.pop(0) if self.publish_script else None
        if isinstance(step, Exception):
            raise step
        self.published.append(post)
        return PublishResult(f"id-{post.id}", f"https://x.com/demo/status/id-{post.id}")

    def reconcile(self, post: OutgoingPost) -> Reconciliation:
        self.reconciles += 1
        if isinstance(self.reconcile_answer, Exception):
            raise self.reconcile_answer
        if self.reconcile_answer == "published":
            return Reconciliation("published", PublishResult("found", "https://x.com/d/status/f"))
        return Reconciliation(self.reconcile_answer)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(f"sqlite:///{tmp_path / 'store.db'}", now=T0)
    yield s
    s.close()


def queue(store: Store, *offsets_s: float, account: str = "x-campaign",
          platform: str = "x") -> list[str]:
    ids = store.add([NewPost("m", "en", platform, account, f"post {i} #SaveAsylum",
                             T0 + timedelta(seconds=o)) for i, o in enumerate(offsets_s)],
                    "test", T0 - timedelta(days=1))
    store.transition_many([(i, "draft", {}) for i in ids], "approved", "lead", T0)
    return ids


def status(store: Store, post_id: str) -> str:
    return store.get(post_id).status


def test_due_published_and_not_due_left(store: Store) -> None:
    x = ScriptedPlatform()
    due, later = queue(store, 0, 60)
    out = Dispatcher(store, {"x-campaign": x}).dispatch_due(T0 + timedelta(seconds=1))
    assert [o.post_id for o in out] == [due]
    assert status(store, due) == "published" and status(store, later) == "approved"
    post = store.get(due)
    assert post.url == f"https://x.com/demo/status/id-{due}" and post.platform_post_id
    assert post.published_at == T0 + timedelta(seconds=1)
    trail = [(a.from_status, a.to_status) for a in store.audit_log(due)]
    assert trail == [(None, "draft"), ("draft", "approved"), ("approved", "publishing"),
                     ("publishing", "published")]


def test_late_post_becomes_missed_and_is_not_published(store: Store) -> None:
    x = ScriptedPlatform()
    (pid,) = queue(store, 0)
    out = Dispatcher(store, {"x-campaign": x}, max_lateness=timedelta(hours=1)).dispatch_due(
        T0 + timedelta(hours=1, seconds=1))
    assert [o.status for o in out] == ["missed"] and status(store, pid) == "missed"
    assert x.published == []


def test_rate_limit_holds_only_that_account(store: Store) -> None:
    x, outbox = ScriptedPlatform(), ScriptedPlatform("outbox")
    reset = T0 + timedelta(minutes=15)
    x.publish_script = [RateLimited("429 Too Many Requests", retry_after=reset)]
    a, b = queue(store, 0, 1)
    (c,) = queue(store, 0, account="outbox", platform="outbox")
    d = Dispatcher(store, {"x-campaign": x, "outbox": outbox})
    d.dispatch_due(T0 + timedelta(seconds=2))
    assert status(store, a) == "approved" and status(store, b) == "approved"
    assert status(store, c) == "published"
    assert store.holds(T0 + timedelta(seconds=2)) == {"x-campaign": reset}
    assert store.next_wake(T0 + timedelta(seconds=2)) == reset
    d.dispatch_due(reset - timedelta(seconds=1))
    assert status(store, a) == "approved"
    d.dispatch_due(reset)
    assert status(store, a) == "published" and status(store, b) == "published"


def test_permanent_and_auth_errors_fail_with_reason(store: Store) -> None:
    x = ScriptedPlatform()
    x.publish_script = [PermanentError("X says: text is invalid"),
                        AuthError("reconnect the account")]
    a, b = queue(store, 0, 0)
    Dispatcher(store, {"x-campaign": x}).dispatch_due(T0)
    assert {status(store, a), status(store, b)} == {"failed"}
    assert {store.get(a).last_error, store.get(b).last_error} == {
        "X says: text is invalid", "reconnect the account"}


def test_transient_error_then_reconcile_found_is_published_without_retry(store: Store) -> None:
    x = ScriptedPlatform()
    x.publish_script = [TransientError("503")]
    x.reconcile_answer = "published"
    (pid,) = queue(store, 0)
    Dispatcher(store, {"x-campaign": x}).dispatch_due(T0)
    assert status(store, pid) == "published" and x.published == []
    assert store.get(pid).url == "https://x.com/d/status/f"


def test_transient_error_then_absent_retries_after_backoff(store: Store) -> None:
    x = ScriptedPlatform()
    x.publish_script = [TransientError("timeout")]
    (pid,) = queue(store, 0)
    d = Dispatcher(store, {"x-campaign": x})
    d.dispatch_due(T0)
    post = store.get(pid)
    assert post.status == "approved" and post.not_before == T0 + timedelta(seconds=30)
    d.dispatch_due(T0 + timedelta(seconds=10))
    assert status(store, pid) == "approved" and x.published == []
    d.dispatch_due(T0 + timedelta(seconds=30))
    assert status(store, pid) == "published" and len(x.published) == 1


def test_transient_error_and_undecidable_is_needs_check(store: Store) -> None:
    x = ScriptedPlatform()
    x.publish_script = [TransientError("500")]
    x.reconcile_answer = "unknown"
    (pid,) = queue(store, 0)
    Dispatcher(store, {"x-campaign": x}).dispatch_due(T0)
    assert status(store, pid) == "needs_check"


def test_duplicate_reported_is_recorded_as_published(store: Store) -> None:
    x = ScriptedPlatform()
    x.publish_script = [DuplicateError("duplicate content")]
    x.reconcile_answer = "published"
    (pid,) = queue(store, 0)
    Dispatcher(store, {"x-campaign": x}).dispatch_due(T0)
    assert status(store, pid) == "published"


def test_stale_claim_is_reconciled_before_any_retry(store: Store, tmp_path: Path) -> None:
    outbox = OutboxPublisher(tmp_path / "outbox")
    a, b = queue(store, 0, 0, account="outbox", platform="outbox")
    crashed = Dispatcher(store, {"outbox": outbox}, owner="elsewhere:1:dead")
    claimed = store.claim_due(T0, crashed.owner, crashed.lease, 10)
    assert {p.id for p in claimed} == {a, b}
    from toolkit.scheduler.dispatch import outgoing

    outbox.publish(outgoing(claimed[0]))  # went out, then the process "crashed"
    d = Dispatcher(store, {"outbox": outbox})
    assert d.dispatch_due(T0 + timedelta(seconds=1)) == []  # claim still fresh: hands off
    d.dispatch_due(T0 + crashed.lease + timedelta(seconds=1))
    assert status(store, a) == "published" and status(store, b) == "published"
    assert not (tmp_path / "outbox" / "duplicates.jsonl").exists()
    files = sorted(p.name for p in (tmp_path / "outbox").glob("*.json"))
    assert files == sorted([f"{a}.json", f"{b}.json"])


def test_two_dispatchers_never_claim_the_same_post(store: Store, tmp_path: Path) -> None:
    outbox = OutboxPublisher(tmp_path / "outbox")
    ids = queue(store, *([0] * 30), account="outbox", platform="outbox")
    one = Dispatcher(store, {"outbox": outbox})
    two = Dispatcher(store, {"outbox": outbox})
    claimed_one = store.claim_due(T0, one.owner, one.lease, 20)
    claimed_two = store.claim_due(T0, two.owner, two.lease, 20)
    assert not {p.id for p in claimed_one} & {p.id for p in claimed_two}
    assert len(claimed_one) + len(claimed_two) == 30 == len(ids)


def test_outbox_file_contract(store: Store, tmp_path: Path) -> None:
    outbox = OutboxPublisher(tmp_path / "outbox")
    (pid,) = queue(store, 0, account="outbox", platform="outbox")
    Dispatcher(store, {"outbox": outbox}).dispatch_due(T0 + timedelta(seconds=3))
    doc = json.loads((tmp_path / "outbox" / f"{pid}.json").read_text())
    assert doc["post_id"] == pid and doc["platform"] == "outbox"
    assert doc["text"] == "post 0 #SaveAsylum" and doc["media"] == []
    assert doc["scheduled_at"] == "2026-12-01T15:00:00Z"
    assert doc["published_at"].endswith("Z")
    from toolkit.scheduler.dispatch import outgoing

    with pytest.raises(DuplicateError):
        outbox.publish(outgoing(store.get(pid)))
    dup = (tmp_path / "outbox" / "duplicates.jsonl").read_text().splitlines()
    assert len(dup) == 1 and json.loads(dup[0])["post_id"] == pid
    assert json.loads((tmp_path / "outbox" / f"{pid}.json").read_text()) == doc


def test_stop_finishes_the_publish_in_flight_and_releases_the_rest(store: Store) -> None:
    import threading

    stop = threading.Event()

    class StopsDuringPublish(ScriptedPlatform):
        def publish(self, post: OutgoingPost) -> PublishResult:
            stop.set()  # SIGTERM arrives while this publish is in flight
            return super().publish(post)

    x = StopsDuringPublish()
    ids = queue(store, 0, 0, 0)
    d = Dispatcher(store, {"x-campaign": x}, stop_requested=stop)
    d.dispatch_due(T0)
    statuses = sorted(status(store, i) for i in ids)
    assert statuses == ["approved", "approved", "published"]
    assert len(x.published) == 1
    released = [p for p in store.list(ids=ids) if p.status == "approved"]
    assert all(p.claim_owner is None and p.attempts == 0 for p in released)


def test_rate_limited_reconcile_asks_again_after_the_reset(store: Store) -> None:
    x = ScriptedPlatform()
    reset = T0 + timedelta(minutes=15)
    x.publish_script = [TransientError("503")]

    calls = {"n": 0}
    real = x.reconcile

    def reconcile(post: OutgoingPost) -> Reconciliation:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RateLimited("429 on the timeline", retry_after=reset)
        return real(post)

    x.reconcile = reconcile  # type: ignore[method-assign]
    x.reconcile_answer = "published"
    (pid,) = queue(store, 0)
    d = Dispatcher(store, {"x-campaign": x})
    d.dispatch_due(T0)
    post = store.get(pid)
    assert post.status == "publishing" and post.claim_expires_at == reset
    assert store.next_wake(T0) == reset
    d.dispatch_due(reset)
    assert status(store, pid) == "published" and x.published == []


def test_dry_run_changes_nothing_in_the_store(store: Store) -> None:
    from toolkit.publishers.dryrun import DryRunPublisher

    (pid,) = queue(store, 0)
    before = store.get(pid)
    out = Dispatcher(store, {"x-campaign": DryRunPublisher("x")}, dry_run=True).dispatch_due(
        T0 + timedelta(seconds=1))
    assert [o.status for o in out] == ["dry_run"]
    assert store.get(pid) == before


def test_reset_time_already_past_does_not_spin(store: Store) -> None:
    x = ScriptedPlatform()
    x.publish_script = [RateLimited("429", retry_after=T0 - timedelta(seconds=1))] * 50
    (pid,) = queue(store, 0)
    Dispatcher(store, {"x-campaign": x}).dispatch_due(T0)
    assert len(x.publish_script) == 49  # one call, then the account is held
    assert store.holds(T0)["x-campaign"] == T0 + timedelta(seconds=30)
    assert status(store, pid) == "approved"


def test_unexpected_exception_is_reconciled_like_a_transient_error(store: Store) -> None:
    x = ScriptedPlatform()
    x.publish_script = [OSError("disk full")]
    x.reconcile_answer = "absent"
    (pid,) = queue(store, 0)
    Dispatcher(store, {"x-campaign": x}).dispatch_due(T0)
    post = store.get(pid)
    assert post.status == "approved" and post.not_before == T0 + timedelta(seconds=30)
    assert "OSError" in post.last_error


def test_a_dispatcher_that_lost_its_claim_changes_nothing(store: Store) -> None:
    (pid,) = queue(store, 0)
    first = Dispatcher(store, {"x-campaign": ScriptedPlatform()}, owner="one:1:a")
    (post,) = store.claim_due(T0, first.owner, first.lease, 10)
    second = Dispatcher(store, {"x-campaign": ScriptedPlatform()}, owner="two:2:b")
    assert store.take_over_claim(post, second.owner, T0, second.lease)
    out = first._publish(post, T0)  # first's publish "returns" after losing the claim
    assert out.status == "claim_lost"
    fresh = store.get(pid)
    assert fresh.status == "publishing" and fresh.claim_owner == "two:2:b"
