"""`posts.publish_ref` (migration 014_publish_ref) and the accounts' sign-out marks, on SQLite and
PostgreSQL: what a publisher remembers before its platform call, for every scheduler sharing the
store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from toolkit.store import NewPost, Store
from toolkit.store.ops import mark_signed_out, signed_out_at, signout_mark

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def older_store(url: str) -> None:
    """The store as a toolkit before 014_publish_ref left it (no `posts.publish_ref`)."""
    Store(url, now=NOW).close()
    store = Store(url, now=NOW)
    with store.engine.begin() as conn:
        conn.execute(text("ALTER TABLE posts DROP COLUMN publish_ref"))
        conn.execute(text("DELETE FROM migrations WHERE name = '014_publish_ref'"))
    store.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_migration_adds_publish_ref_written_only_under_the_claim(
        tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> None:
    url = (f"sqlite:///{tmp_path / 's.db'}" if backend == "sqlite"
           else request.getfixturevalue("pg_url"))
    older_store(url)
    store = Store(url, now=NOW)
    try:
        assert store.applied_migrations == ["014_publish_ref"]
        (pid,) = store.add([NewPost("m", "en", "threads", "threads-es", "Hi #SaveAsylum", NOW)],
                           "t", NOW)
        ref = {"container": "c1", "digest": "d" * 64}
        assert store.publish_ref(pid) is None
        assert not store.remember_publish_ref(pid, "me", ref)  # not claimed: nothing written
        store.transition_many([(pid, "draft", {})], "approved", "lead", NOW)
        store.claim_due(NOW, "me", timedelta(minutes=5), 1)
        assert not store.remember_publish_ref(pid, "someone-else", ref)
        assert store.publish_ref(pid) is None
        assert store.remember_publish_ref(pid, "me", ref)
        assert Store(url, now=NOW).publish_ref(pid) == ref  # committed: any connection sees it
        assert store.get(pid).status == "publishing"
    finally:
        store.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_sign_out_marks(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> None:
    url = (f"sqlite:///{tmp_path / 's.db'}" if backend == "sqlite"
           else request.getfixturevalue("pg_url"))
    store = Store(url, now=NOW)
    try:
        long_name = "bluesky-" + "x" * 56
        assert signed_out_at(store, "bluesky-es") is None
        mark_signed_out(store, "bluesky-es", NOW)
        mark_signed_out(store, "bluesky-es", NOW + timedelta(minutes=1))  # moved, not added
        mark_signed_out(store, long_name, NOW)
        assert signed_out_at(store, "bluesky-es") == NOW + timedelta(minutes=1)
        assert signed_out_at(store, long_name) == NOW
        assert len(signout_mark(long_name)) <= 64
    finally:
        store.close()
