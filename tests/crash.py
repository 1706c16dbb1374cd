"""A crash between the platform call and the record, replayed through the real dispatcher."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import datetime, timedelta
from pathlib import Path

from toolkit.core.errors import PublishError
from toolkit.publishers.base import Publisher, PublishResult
from toolkit.scheduler.dispatch import Dispatcher, outgoing
from toolkit.store import NewPost, Post, Store


def crash_then_recover(tmp_path: Path, now: datetime, platform: str, account: str,
                       texts: list[str], new_publisher: Callable[[], Publisher]
                       ) -> tuple[list[Post], PublishResult]:
    """Queue and approve one post per text; a scheduler claims them all, publishes the first
    and dies; after its lease a new scheduler (with a new publisher, as a new process would)
    dispatches. Returns the posts as stored afterwards and the first publish's result."""
    store = Store(f"sqlite:///{tmp_path / 'store.db'}", now=now)
    try:
        ids = store.add([NewPost("m", "en", platform, account, text, now) for text in texts],
                        "test", now - timedelta(days=1))
        store.transition_many([(i, "draft", {}) for i in ids], "approved", "lead", now)
        crashed = Dispatcher(store, {}, owner="elsewhere:1:dead")
        claimed = {p.id: p for p in store.claim_due(now, crashed.owner, crashed.lease, 10)}
        first = new_publisher().publish(outgoing(claimed[ids[0]], store, crashed.owner))
        # out, then the crash
        later = now + crashed.lease + timedelta(seconds=1)
        Dispatcher(store, {account: new_publisher()}).dispatch_due(later)
        by_id = {p.id: p for p in store.list(ids=ids)}
        return [by_id[i] for i in ids], first
    finally:
        store.close()


def dispatch_one(tmp_path: Path, now: datetime, platform: str, account: str, text: str,
                 publisher: Publisher, media: tuple[dict, ...] = ()) -> Post:
    """Queue, approve and dispatch one post due at `now` through the real dispatcher; the post
    as stored afterwards."""
    store = Store(f"sqlite:///{tmp_path / 'store.db'}", now=now)
    try:
        [pid] = store.add([NewPost("m", "en", platform, account, text, now, media)], "test",
                          now - timedelta(days=1))
        store.transition_many([(pid, "draft", {})], "approved", "lead", now)
        Dispatcher(store, {account: publisher}).dispatch_due(now)
        return store.get(pid)
    finally:
        store.close()


def lost_on_one_machine(tmp_path: Path, now: datetime, platform: str, account: str, text: str,
                        on_a: Publisher, on_b: Publisher, media: tuple[dict, ...] = ()
                        ) -> Post:
    """Two schedulers on two machines share one store (each its own connection and state
    folder): A claims the due post, its publish call's answer is lost and A dies before recording
    anything; after A's lease, B dispatches. The post as stored afterwards."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    store_a, store_b = Store(url, now=now), Store(url, now=now)
    try:
        [pid] = store_a.add([NewPost("m", "en", platform, account, text, now, media)], "test",
                            now - timedelta(days=1))
        store_a.transition_many([(pid, "draft", {})], "approved", "lead", now)
        machine_a = Dispatcher(store_a, {}, owner="machine-a:1:0:dead")  # another host
        [claimed] = store_a.claim_due(now, machine_a.owner, machine_a.lease, 1)
        with suppress(PublishError):  # the answer is lost; then machine A is gone
            on_a.publish(outgoing(claimed, store_a, machine_a.owner))
        later = now + machine_a.lease + timedelta(seconds=1)
        Dispatcher(store_b, {account: on_b}).dispatch_due(later)
        return store_b.get(pid)
    finally:
        store_a.close()
        store_b.close()


def two_dispatchers_at_once(tmp_path: Path, now: datetime, platform: str, account: str,
                            texts: list[str], new_publisher: Callable[[], Publisher]
                            ) -> list[Post]:
    """Queue and approve one post per text; two dispatchers (two schedulers, each with its own
    store connection and publisher) dispatch at the same moment in two threads. Returns the
    posts as stored afterwards."""
    import threading

    url = f"sqlite:///{tmp_path / 'store.db'}"
    store = Store(url, now=now)
    ids = store.add([NewPost("m", "en", platform, account, text, now) for text in texts],
                    "test", now - timedelta(days=1))
    store.transition_many([(i, "draft", {}) for i in ids], "approved", "lead", now)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        own = Store(url, now=now)
        try:
            start.wait()
            Dispatcher(own, {account: new_publisher()}).dispatch_due(now)
        except BaseException as exc:  # reported by the caller
            errors.append(exc)
        finally:
            own.close()

    workers = [threading.Thread(target=run) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    try:
        assert not errors, errors
        by_id = {p.id: p for p in store.list(ids=ids)}
        return [by_id[i] for i in ids]
    finally:
        store.close()
