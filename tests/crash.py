"""A crash between the platform call and the record, replayed through the real dispatcher."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from toolkit.dispatch import Dispatcher, outgoing
from toolkit.publish.base import Publisher, PublishResult
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
        first = new_publisher().publish(outgoing(claimed[ids[0]]))  # out, then the crash
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
