"""`queue list`'s SQLAlchemy-free read (toolkit/store/quickread.py): exactly `Store.list`, or
None (the full open) whenever the schema check it repeats could differ."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from toolkit.store import NewPost, Store, quickread
from toolkit.store.migrations import record_shape
from toolkit.store.quickread import list_posts

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock_at_now(pin_clock) -> None:
    """Every command these tests run (in-process or as a process) reasons about NOW."""
    pin_clock(NOW)


@pytest.fixture
def store(tmp_path: Path):
    """A SQLite store with drafts, an approved and a cancelled post; its shape recorded."""
    url = f"sqlite:///{tmp_path / 'data' / 'toolkit.db'}"
    s = Store(url, now=NOW)
    ids = s.add([NewPost("m", "en", "x", "x-main", f"text {i}", NOW + timedelta(hours=i % 3),
                         ({"path": f"card{i}.png", "alt": "a card"},)) for i in range(6)],
                "tester", NOW)
    s.transition(ids[0], ["draft"], "approved", "lead", NOW, approved_by="lead",
                 approved_at=NOW)
    s.transition(ids[1], ["draft"], "cancelled", "lead", NOW)
    record_shape(tmp_path / "shape.json")
    yield s
    s.close()


def _shape(store: Store) -> Path:
    return Path(store.path).parent.parent / "shape.json"


@pytest.mark.parametrize("statuses", [(), ("draft",), ("approved", "cancelled"), ("failed",)])
def test_same_posts_as_the_store(store: Store, statuses: tuple[str, ...]) -> None:
    fast = list_posts(store.url, _shape(store), statuses)
    assert fast == store.list(list(statuses) or None)
    assert fast is not None and all(p.scheduled_at.tzinfo is UTC for p in fast)


def test_nothing_recorded_or_a_damaged_record_means_the_full_open(store: Store) -> None:
    _shape(store).write_text("{not json", "utf-8")
    assert list_posts(store.url, _shape(store)) is None
    _shape(store).unlink()
    assert list_posts(store.url, _shape(store)) is None


def test_other_store_code_is_noticed(store: Store, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    code = tmp_path / "code"
    shutil.copytree(quickread.STORE_CODE, code, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(quickread, "STORE_CODE", code)
    record_shape(_shape(store))
    assert list_posts(store.url, _shape(store)) is not None
    schema = code / "migrations.py"
    schema.write_text(schema.read_text("utf-8") + "\n# a new migration\n", "utf-8")
    assert list_posts(store.url, _shape(store)) is None


def test_a_migration_not_applied_is_noticed(store: Store) -> None:
    with sqlite3.connect(store.path) as conn:
        conn.execute("DELETE FROM migrations WHERE name = (SELECT max(name) FROM migrations)")
    assert list_posts(store.url, _shape(store)) is None


@pytest.mark.parametrize("damage", [
    "ALTER TABLE audit DROP COLUMN detail",  # a missing column
    "DROP TABLE migrations",  # no record of migrations
    "PRAGMA journal_mode=DELETE",  # `Store` would switch it to WAL first
])
def test_a_store_the_full_open_would_change_or_refuse_is_left_to_it(store: Store,
                                                                    damage: str) -> None:
    store.close()
    with sqlite3.connect(store.path) as conn:
        conn.execute(damage)
    assert list_posts(store.url, _shape(store)) is None


def test_only_an_existing_plain_sqlite_file(store: Store, tmp_path: Path) -> None:
    assert list_posts(f"sqlite:///{tmp_path / 'none.db'}", _shape(store)) is None
    assert list_posts("sqlite:///:memory:", _shape(store)) is None
    assert list_posts("postgresql://u@h/db", _shape(store)) is None


def test_queue_list_on_a_damaged_store_still_says_so(run_cli, project: Path) -> None:
    assert run_cli("queue", "add", "violence-attacks", "--at", "2027-01-05T09:00").exit_code == 0
    first = run_cli("queue", "list")
    assert first.exit_code == 0 and (project.parent / ".cache" / "store-shape.json").exists()
    assert run_cli("queue", "list").stdout == first.stdout  # the recorded shape's fast read
    db = next((project.parent.parent / "data").glob("*.db"))
    with sqlite3.connect(db) as conn:
        conn.execute("ALTER TABLE posts DROP COLUMN last_error")
    result = run_cli("queue", "list")
    assert result.exit_code == 1
    assert "is damaged: missing column(s) posts.last_error" in result.output
