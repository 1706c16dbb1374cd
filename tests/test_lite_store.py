"""`queue import` and `queue approve` without SQLAlchemy (toolkit/store/lite.py): the same rows
as the full `Store` writes, taken only when the store is shown to be one `Store` would open as
it is, and the same one-line failures."""

from __future__ import annotations

import csv
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import ROOT, edit

from toolkit.store import CANCELLED, Store, models
from toolkit.store.lite import LiteStore
from toolkit.surfaces.app import build

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock_at_now(pin_clock) -> None:
    """Every command these tests run (in-process or as a process) reasons about NOW."""
    pin_clock(NOW)
#: free to publish; the last two share one card (`stat-attacks`), built once for the whole file
MESSAGES = ("courts-suspended", "violence-attacks", "courts-first-returns")


def _csv(path: Path, rows: int, messages: tuple[str, ...] = MESSAGES) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["message_id", "at", "platform", "lang"])
        for i in range(rows):
            at = (NOW + timedelta(days=1, minutes=43 * i)).strftime("%Y-%m-%dT%H:%M:%SZ")
            w.writerow([messages[i % len(messages)], at, ("x", "mastodon", "bluesky")[i % 3],
                        ("en", "es")[i % 2]])
    return path


def _dump(db_file: Path) -> dict[str, list[tuple]]:
    """Every row of the tables import and approve write (the audit without its row ids)."""
    with sqlite3.connect(db_file) as db:
        return {"posts": db.execute("SELECT * FROM posts ORDER BY id").fetchall(),
                "audit": db.execute("SELECT post_id, from_status, to_status, actor, at, detail "
                                    "FROM audit ORDER BY id").fetchall()}


def _ids(monkeypatch: pytest.MonkeyPatch) -> None:
    counter = iter(range(1, 10**6))
    monkeypatch.setattr(models, "new_post_ids", lambda n: [f"p{next(counter):09d}"
                                                          for _ in range(n)])


def _run_queue(project: Path, lite: bool, rows: int) -> None:
    """Import `rows` posts, cancel one, edit one message's text, approve all (on the lite store
    or the full one), then approve two by id at a revision one of them is no longer at."""
    kit = build(project)
    kit.store.close()  # creates the store and records its shape
    kit._store = None
    store = kit.bulk_store() if lite else kit.store
    assert isinstance(store, LiteStore) is lite
    ids = _planner(kit, store).import_csv(_csv(project.parent / "rows.csv", rows), NOW, "comms")
    full = Store(kit.config.store_url)
    full.transition(ids[1], ("draft",), CANCELLED, "someone", NOW, "cancelled")
    full.close()
    library_file = project.parent.parent / "posts" / "messages.yaml"
    text = library_file.read_text("utf-8")
    library_file.write_text(text.replace("It was a pause, not an end", "It was only a pause",
                                         1), "utf-8")
    kit._library = None
    planner = _planner(kit, store)
    planner.approve(None, "lead", NOW)
    planner.approve([ids[0], ids[2]], "lead", NOW, seen={ids[0]: 1, ids[2]: 1})
    kit.close()


def _planner(kit, store):
    from toolkit.planning.queue import Planner

    return Planner(kit.config, kit.library, store)


@pytest.fixture(scope="module")
def cards(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `stat-attacks` card rendered once (approval freezes a message's card image)."""
    from toolkit.graphics.build import build as build_graphics

    root = tmp_path_factory.mktemp("cards")
    kit = build(_copy_project(root))
    build_graphics(kit.config, kit.library, cards=["stat-attacks"], jobs=1)
    return root / "graphics"


@pytest.mark.parametrize("rows", [7, 120])  # the full store's row-by-row path, and its batches
def test_the_lite_store_writes_exactly_what_the_full_store_writes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cards: Path, rows: int) -> None:
    import shutil

    dumps = []
    for lite in (False, True):
        root = tmp_path / ("lite" if lite else "full")
        project = _copy_project(root)
        shutil.copytree(cards, root / "graphics")
        monkeypatch.chdir(root)
        _ids(monkeypatch)
        _run_queue(project, lite, rows)
        dump = _dump(root / "data" / "toolkit.db")
        dumps.append(repr(dump).replace(str(root.resolve()), "ROOT"))
    full, lite_rows = dumps
    assert lite_rows == full
    for status in ("'approved'", "'cancelled'", "'draft'"):  # approved, refused, recomposed
        assert status in full
    assert "text recomposed: its message changed in the library" in full


def _copy_project(root: Path) -> Path:
    import shutil

    shutil.copytree(ROOT / "config", root / "config", ignore=shutil.ignore_patterns(".cache"))
    shutil.copytree(ROOT / "posts", root / "posts")
    return root / "config" / "campaign.yaml"


def _toolkit(project: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """The real command line in a process of its own, saying at the end whether SQLAlchemy
    was imported."""
    code = ("import sys\nfrom toolkit.surfaces.cli import cli\n"
            "try:\n    cli.main(sys.argv[1:], prog_name='toolkit')\n"
            "except SystemExit as exc:\n    code = exc.code\nelse:\n    code = 0\n"
            "print('sqlalchemy imported' if 'sqlalchemy' in sys.modules else 'plain sqlite3',"
            " file=sys.stderr)\nsys.exit(code)\n")
    return subprocess.run([sys.executable, "-c", code, "--config", str(project), *args],
                          cwd=project.parent.parent, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)


@pytest.mark.slow  # real toolkit processes: `make test-fast` skips it
def test_import_and_approve_run_without_sqlalchemy_once_the_store_is_known(
        project: Path, cards: Path) -> None:
    import shutil

    shutil.copytree(cards, project.parent.parent / "graphics")
    rows = _csv(project.parent / "rows.csv", 12)
    first = _toolkit(project, "queue", "import", str(rows))
    assert first.returncode == 0, first.stderr
    assert "sqlalchemy imported" in first.stderr  # a new store: created and migrated by `Store`
    approve = _toolkit(project, "queue", "approve", "--all", "--by", "lead")
    assert approve.returncode == 0, approve.stderr
    assert "approved 12, refused 0, changed meanwhile 0" in approve.stderr
    assert approve.stderr.rstrip().endswith("plain sqlite3")
    again = _toolkit(project, "queue", "import", str(rows))
    assert "warning: " in again.stderr and again.stderr.rstrip().endswith("plain sqlite3")
    listed = _toolkit(project, "queue", "list", "--status", "approved")
    assert listed.stdout.count("approved") == 12


def test_a_store_the_code_has_not_seen_as_it_is_gets_the_full_open(project: Path) -> None:
    kit = build(project)
    assert not isinstance(kit.bulk_store(), LiteStore)  # no store yet: created by `Store`
    kit.close()
    kit = build(project)
    assert isinstance(kit.bulk_store(), LiteStore)
    kit.close()
    db_file = project.parent.parent / "data" / "toolkit.db"
    with sqlite3.connect(db_file) as db:  # as if an older toolkit made it: a migration pending
        db.execute("DELETE FROM migrations WHERE name = '008_signoff'")
    kit = build(project)
    store = kit.bulk_store()
    assert not isinstance(store, LiteStore) and "008_signoff" in store.applied_migrations
    kit.close()
    (project.parent / ".cache" / "store-shape.json").unlink()  # nothing recorded
    kit = build(project)
    assert not isinstance(kit.bulk_store(), LiteStore)
    kit.close()


def test_signoffs_are_read_by_the_full_store(project: Path) -> None:
    build(project).store.close()
    edit(project, "  second_person: false", "  second_person: false\n  require_signoff: [Legal]")
    kit = build(project)
    assert not isinstance(kit.bulk_store(), LiteStore)
    kit.close()


def _known_store(project: Path, run_cli) -> str:
    """A store the code has opened (shape recorded) with one draft; returns its id."""
    out = run_cli("queue", "add", "courts-suspended", "--at", "2099-01-05T09:00")
    assert out.exit_code == 0, out.output
    return out.stdout.strip()


def test_a_replaced_store_file_is_never_written(project: Path, run_cli) -> None:
    pid = _known_store(project, run_cli)
    kit = build(project)
    store = kit.bulk_store()
    assert isinstance(store, LiteStore)
    db_file = project.parent.parent / "data" / "toolkit.db"
    copy = db_file.with_name("copy.db")
    copy.write_bytes(db_file.read_bytes())
    os.replace(copy, db_file)
    from toolkit.core.errors import StoreError

    with pytest.raises(StoreError, match="was replaced while in use"):
        _planner(kit, store).approve(None, "lead", NOW)
    kit.close()
    assert run_cli("queue", "show", pid, "--json").stdout.count('"status": "draft"') == 1


def test_a_read_only_store_gives_one_line_and_stays_unchanged(project: Path, run_cli) -> None:
    _known_store(project, run_cli)
    db_file = project.parent.parent / "data" / "toolkit.db"
    before = _dump(db_file)
    db_file.chmod(0o444)
    try:
        out = run_cli("queue", "approve", "--all", "--by", "lead")
    finally:
        db_file.chmod(0o644)
    assert out.exit_code == 1
    assert out.output.strip().splitlines()[-1].startswith("Error: the store file ")
    assert "read-only; nothing was changed" in out.output and "Traceback" not in out.output
    assert _dump(db_file) == before


def test_a_held_lock_gives_one_line_and_changes_nothing(project: Path, run_cli,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    _known_store(project, run_cli)
    db_file = project.parent.parent / "data" / "toolkit.db"
    before = _dump(db_file)
    monkeypatch.setenv("TOOLKIT_LOCK_TIMEOUT", "0.2")
    holder = sqlite3.connect(db_file, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        out = run_cli("queue", "approve", "--all", "--by", "lead")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert out.exit_code == 1
    assert out.output.strip() == ("Error: the store is locked by another process (waited 0.2 s); "
                                  "try again when it has finished")
    assert _dump(db_file) == before


class RacingLite(LiteStore):
    """A lite store where someone cancels some posts between approve's read and its write."""

    cancel_first: list[str] = []
    url_for_others = ""

    def transition_many(self, changes, to, actor, now, detail=None, revisions=None,
                        media=None):
        if to == "approved" and self.cancel_first:
            other = Store(self.url_for_others)
            for pid in self.cancel_first:
                other.transition(pid, ("draft",), CANCELLED, "someone", now, "cancelled")
            other.close()
            self.cancel_first = []
        return super().transition_many(changes, to, actor, now, detail, revisions, media)


@pytest.mark.parametrize("n", [3, 30])
def test_approve_racing_cancel_on_the_lite_store_gives_every_id_a_line(project: Path,
                                                                      n: int) -> None:
    kit = build(project)
    rows = _csv(project.parent / "rows.csv", n, ("courts-suspended",))  # a message with no card
    ids = kit.planner().import_csv(rows, NOW, "comms")
    kit.close()
    kit = build(project)
    lite = kit.bulk_store()
    assert isinstance(lite, LiteStore)
    lite.__class__ = RacingLite
    lite.url_for_others = kit.config.store_url
    lite.cancel_first = ids[1:n:2]
    result = _planner(kit, lite).approve([*ids, "no-such-id"], "lead", NOW)
    kit.close()
    assert result.refused == {"no-such-id": "no post with this id"}
    assert result.changed == dict.fromkeys(ids[1:n:2], "cancelled")
    assert sorted(result.approved) == sorted(ids[0:n:2])


def test_a_shape_is_not_recorded_for_code_that_changed_on_disk_since_it_was_loaded(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from toolkit.store import quickread
    from toolkit.store.migrations import record_shape

    code = tmp_path / "code"
    shutil.copytree(quickread.STORE_CODE, code, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(quickread, "STORE_CODE", code)
    monkeypatch.setattr(quickread, "_LOADED", {})
    quickread.loaded_stamp()  # this process "loads" the code
    with (code / "migrations.py").open("a", encoding="utf-8") as f:
        f.write("# an upgrade lands on disk while the process runs\n")
    record_shape(tmp_path / "shape.json")
    assert not (tmp_path / "shape.json").exists()
    monkeypatch.setattr(quickread, "_LOADED", {})  # a process started after the upgrade
    record_shape(tmp_path / "shape.json")
    assert quickread.recorded_shape(tmp_path / "shape.json") is not None


@pytest.mark.parametrize("damage", [
    lambda shape: shape.pop("migrations"),
    lambda shape: shape.update(tables=["posts"]),
    lambda shape: shape.update(time_columns=None),
    lambda shape: shape["tables"].update(posts="id"),
])
def test_a_damaged_shape_file_means_the_full_open_which_records_it_again(
        project: Path, run_cli, damage) -> None:
    import json

    _known_store(project, run_cli)
    shape_file = project.parent / ".cache" / "store-shape.json"
    shape = json.loads(shape_file.read_text("utf-8"))
    damage(shape)
    shape_file.write_text(json.dumps(shape), "utf-8")
    kit = build(project)
    assert not isinstance(kit.bulk_store(), LiteStore)
    kit.close()
    listed = run_cli("queue", "list")
    assert listed.exit_code == 0 and "courts-suspended" in listed.stdout
    kit = build(project)
    assert isinstance(kit.bulk_store(), LiteStore)  # recorded again by the full open
    kit.close()


def test_a_full_disk_shows_the_database_error_and_stores_nothing(project: Path,
                                                                 run_cli) -> None:
    _known_store(project, run_cli)
    db_file = project.parent.parent / "data" / "toolkit.db"
    before = _dump(db_file)
    kit = build(project)
    lite = kit.bulk_store()
    assert isinstance(lite, LiteStore)
    pages = lite._db.execute("PRAGMA page_count").fetchone()[0]
    lite._db.execute(f"PRAGMA max_page_count = {pages + 2}")
    new = [models.NewPost("courts-suspended", "en", "x", "x-main", "t" * 2000 + f" {i}",
                          NOW + timedelta(days=1, minutes=i)) for i in range(200)]
    with pytest.raises(sqlite3.OperationalError, match="full"):
        lite.add(new, "comms", NOW)
    kit.close()
    assert _dump(db_file) == before


class _ReplaceOnBegin:
    """A connection that, as a writer starts waiting for the lock, sees its file replaced."""

    def __init__(self, db: sqlite3.Connection, replace) -> None:
        self._db, self._replace = db, replace

    def execute(self, sql: str, *args):
        if sql == "BEGIN IMMEDIATE":
            self._replace()
        return self._db.execute(sql, *args)

    def __getattr__(self, name: str):
        return getattr(self._db, name)


def test_a_file_replaced_while_waiting_for_the_lock_is_never_written(project: Path,
                                                                     run_cli) -> None:
    from toolkit.core.errors import StoreError

    pid = _known_store(project, run_cli)
    db_file = project.parent.parent / "data" / "toolkit.db"

    def replace() -> None:
        copy = db_file.with_name("copy.db")
        copy.write_bytes(db_file.read_bytes())
        os.replace(copy, db_file)

    kit = build(project)
    lite = kit.bulk_store()
    assert isinstance(lite, LiteStore)
    lite._db = _ReplaceOnBegin(lite._db, replace)
    with pytest.raises(StoreError, match="was replaced while in use"):
        _planner(kit, lite).approve(None, "lead", NOW)
    kit.close()
    assert run_cli("queue", "show", pid, "--json").stdout.count('"status": "draft"') == 1
