"""The store on a real, throwaway PostgreSQL server (tests/pg.py): environment URL, claims that
skip each other's locks, migrations run once, change notices, `store copy` round trip."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from toolkit.core.config import load_config
from toolkit.store import NewPost, Store
from toolkit.store.migrations import MIGRATIONS
from toolkit.store.notify import ChangeListener, libpq_url

#: a throwaway PostgreSQL server: `make test-fast` skips them
pytestmark = pytest.mark.slow

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock_at_now(pin_clock) -> None:
    """Every command these tests run (in-process or as a process) reasons about NOW."""
    pin_clock(NOW)


def approved(store: Store, n: int, at: datetime = NOW) -> list[str]:
    ids = store.add([NewPost("m", "en", "outbox", "outbox", f"Post {i} #SaveAsylum",
                             at + timedelta(seconds=i)) for i in range(n)], "test", NOW)
    store.transition_many([(i, "draft", {}) for i in ids], "approved", "lead", NOW)
    return ids


def test_store_url_from_the_environment_with_its_password_hidden(run_cli, pg_url: str,
                                                                 monkeypatch) -> None:
    with_password = pg_url.replace("postgres@", "postgres:s3cret@")
    monkeypatch.setenv("TOOLKIT_STORE_URL", with_password)
    migrated = run_cli("store", "migrate")
    assert migrated.exit_code == 0, migrated.output
    assert "***" in migrated.output and "s3cret" not in migrated.output
    added = run_cli("queue", "add", "courts-suspended", "--at", "2099-01-05T09:00",
                    "--platform", "outbox")
    assert added.exit_code == 0, added.output
    listed = run_cli("queue", "list", "--json")
    assert added.stdout.strip() in listed.stdout
    store = Store(pg_url)
    assert [p.id for p in store.list()] == [added.stdout.strip()]
    store.close()
    assert run_cli("store", "migrate").output.strip().endswith(": up to date")


def test_migrations_run_once_when_processes_start_together(pg_url: str) -> None:
    barrier = threading.Barrier(6)
    opened: list[Store] = []
    errors: list[BaseException] = []

    def open_store() -> None:
        barrier.wait()
        try:
            opened.append(Store(pg_url))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    applied = [s.applied_migrations for s in opened if s.applied_migrations]
    assert applied == [[name for name, _ in MIGRATIONS]]
    import psycopg

    with psycopg.connect(libpq_url(pg_url)) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM migrations ORDER BY name")]
    assert names == sorted(name for name, _ in MIGRATIONS)
    for s in opened:
        s.close()


def test_claims_skip_posts_another_scheduler_holds(pg_url: str) -> None:
    import psycopg

    store = Store(pg_url)
    ids = approved(store, 10)
    other = psycopg.connect(libpq_url(pg_url))  # another scheduler, mid-claim
    locked = [r[0] for r in other.execute(
        "SELECT id FROM posts ORDER BY scheduled_at, id LIMIT 4 FOR UPDATE")]
    claimed: list[str] = []
    worker = threading.Thread(target=lambda: claimed.extend(
        p.id for p in store.claim_due(NOW + timedelta(minutes=1), "b", timedelta(minutes=5),
                                      10)))
    worker.start()
    worker.join(timeout=20)
    blocked = worker.is_alive()
    other.rollback()
    other.close()
    worker.join()
    assert not blocked, "the claim waited for the other scheduler's locks"
    assert sorted(claimed) == sorted(set(ids) - set(locked))
    store.close()


def test_an_approval_sends_a_change_notice(pg_url: str) -> None:
    store = Store(pg_url)
    ids = store.add([NewPost("m", "en", "outbox", "outbox", "Hi #SaveAsylum", NOW)], "t", NOW)
    noticed = threading.Event()
    listener = ChangeListener(pg_url, noticed.set).start()
    try:
        assert listener.ready.wait(20)
        other = Store(pg_url)  # another machine's CLI or web app
        other.transition(ids[0], ["draft"], "approved", "lead", NOW)
        other.close()
        assert noticed.wait(20), "no change notice after an approval"
    finally:
        listener.stop()
        store.close()


def test_the_listener_reconnects_after_the_server_restarts(monkeypatch, caplog) -> None:
    """The server restarts (every connection cut): the listener logs it, connects again and
    still wakes on the next approval."""
    from pg import TempPostgres, skip_reason

    if skip_reason():
        pytest.skip(skip_reason())
    monkeypatch.setattr("toolkit.store.notify.RETRY_S", 0.2)
    server = TempPostgres()  # its own server: restarting it disturbs no other test
    try:
        url = server.new_url()
        store = Store(url)
        ids = store.add([NewPost("m", "en", "outbox", "outbox", f"Hi {i} #SaveAsylum", NOW)
                         for i in range(2)], "t", NOW)
        store.close()
        noticed = threading.Event()
        listener = ChangeListener(url, noticed.set).start()
        try:
            assert listener.ready.wait(20)
            server.restart()
            deadline = time.monotonic() + 30
            while "change notices interrupted" not in caplog.text \
                    and time.monotonic() < deadline:
                time.sleep(0.05)  # the listener finds its connection gone (ready cleared) ...
            assert "change notices interrupted" in caplog.text
            assert listener.ready.wait(30), "the listener did not connect again"  # ... and back
            other = Store(url)
            other.transition(ids[0], ["draft"], "approved", "lead", NOW)
            other.close()
            assert noticed.wait(20), "no change notice after the restart"
        finally:
            listener.stop()
    finally:
        server.stop()


def test_store_copy_round_trip_keeps_every_row(run_cli, project: Path, pg_url: str,
                                               tmp_path: Path, monkeypatch) -> None:
    source_url = load_config(project).store_url
    store = Store(source_url)
    ids = approved(store, 5)
    store.add([NewPost("m", "es", "outbox", "outbox", "Borrador #SaveAsylum", NOW)], "t", NOW)
    store.transition(ids[0], ["approved"], "cancelled", "lead", NOW, "no longer true")
    store.hold_account("outbox", NOW + timedelta(hours=1), "rate limited")
    store.close()

    copied = run_cli("store", "copy", "--to", pg_url)
    assert copied.exit_code == 0, copied.output
    assert "6 posts" in copied.output and "12 audit entries, 1 account holds" in copied.output
    again = run_cli("store", "copy", "--to", pg_url)
    assert again.exit_code == 1
    assert again.output.startswith("Error: the target store") and "not empty" in again.output
    assert len(again.output.strip().splitlines()) == 1

    pg = Store(pg_url)  # the audit log goes on after the copied entries
    pg.transition(ids[1], ["approved"], "cancelled", "lead", NOW)
    pg.close()
    back = tmp_path / "back.db"
    monkeypatch.setenv("TOOLKIT_STORE_URL", pg_url)
    returned = run_cli("store", "copy", "--to", f"sqlite:///{back}")
    assert returned.exit_code == 0, returned.output

    def rows(path: str, table: str) -> list[tuple]:
        con = sqlite3.connect(path)
        try:
            return con.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
        finally:
            con.close()

    original = source_url.split(":///", 1)[1]
    for table in ("audit", "account_holds"):
        expected = rows(original, table)
        got = rows(str(back), table)
        assert got[:len(expected)] == expected
    assert len(rows(str(back), "audit")) == len(rows(original, "audit")) + 1
    post_rows = {r[0]: r for r in rows(original, "posts")}
    for row in rows(str(back), "posts"):
        if row[0] != ids[1]:
            assert row == post_rows[row[0]]
    assert set(post_rows) == {r[0] for r in rows(str(back), "posts")}


@pytest.mark.parametrize("url", ["postgresql://u:pw@/x?host=/nonexistent"])
def test_unreachable_postgres_is_one_line(run_cli, url: str, monkeypatch, pg_server) -> None:
    monkeypatch.setenv("TOOLKIT_STORE_URL", url)
    result = run_cli("queue", "list")
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "pw" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_bulk_changes_on_postgres_are_conditional_and_audited(pg_url: str) -> None:
    store = Store(pg_url)
    ids = store.add([NewPost("m", "en", "outbox", "outbox", f"P{i} #SaveAsylum", NOW)
                     for i in range(80)], "t", NOW)
    store.transition(ids[0], ["draft"], "cancelled", "lead", NOW)  # changed meanwhile
    later = NOW + timedelta(minutes=1)
    moved = store.transition_many([(i, "draft", {"approved_by": "lead", "approved_at": later})
                                   for i in ids], "approved", "lead", later, "approved")
    assert sorted(moved) == sorted(ids[1:])
    posts = {p.id: p for p in store.list()}
    assert posts[ids[0]].status == "cancelled"
    assert all(posts[i].status == "approved" and posts[i].version == 2
               and posts[i].approved_at == later and posts[i].updated_at == later
               for i in ids[1:])
    approvals = [a.post_id for a in store.audit_log() if a.to_status == "approved"]
    assert sorted(approvals) == sorted(ids[1:])
    store.close()


def test_store_url_from_dotenv_overrides_the_config(project: Path, tmp_path: Path,
                                                    monkeypatch) -> None:
    monkeypatch.delenv("TOOLKIT_STORE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(f"TOOLKIT_STORE_URL=sqlite:///{tmp_path / 'other.db'}\n"
                                   "X_API_KEY=not-loaded-here\n")
    assert load_config(project).store_url == f"sqlite:///{tmp_path / 'other.db'}"
    import os

    assert "X_API_KEY" not in os.environ


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_who_queued_each_post_is_its_first_audit_entry(backend: str, pg_url: str,
                                                       tmp_path: Path) -> None:
    url = pg_url if backend == "postgresql" else f"sqlite:///{tmp_path / 'toolkit.db'}"
    store = Store(url)
    ids = [*store.add([NewPost("m", "en", "x", "x-main", "A #SaveAsylum", NOW)], "maria", NOW),
           *store.add([NewPost("m", "en", "x", "x-main", "B #SaveAsylum", NOW)], "ana", NOW)]
    store.transition(ids[0], ("draft",), "cancelled", "ana", NOW)
    many = store.add([NewPost("m", "es", "x", "x-main", f"{i} #SaveAsylum", NOW)
                      for i in range(950)], "luis", NOW)  # more than one chunk of ids
    found = store.queued_by([*ids, *many, "no-such-id"])
    assert found == {ids[0]: "maria", ids[1]: "ana", **dict.fromkeys(many, "luis")}
    store.close()


def test_store_copy_to_postgres_carries_the_approved_images(run_cli, project: Path,
                                                           pg_url: str) -> None:
    from test_store_cli import _approved_with_an_image

    pid = _approved_with_an_image(run_cli, project)
    copied = run_cli("store", "copy", "--to", pg_url)  # no folder every machine sees
    assert copied.exit_code == 0, copied.output
    assert "1 posts, 2 audit entries, 1 frozen images" in copied.stdout
    pg = Store(pg_url)
    (item,) = pg.get(pid).media
    assert item["sha256"] in pg.frozen_images([item["sha256"]])
    pg.close()
