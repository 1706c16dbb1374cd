"""Frozen images in the store itself (issue 30): approval and image commit together, a
PostgreSQL store needs no `store.media`, `store copy` carries the images, and migration
012_frozen_media moves the frozen files of an older store in (idempotent, crash-safe)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import edit
from sqlalchemy import delete, func, select

from toolkit.core.config import load_config
from toolkit.graphics.build import build
from toolkit.library import load_library
from toolkit.planning.queue import Planner
from toolkit.publishers.outbox import OutboxPublisher
from toolkit.scheduler.dispatch import Dispatcher
from toolkit.store import Store, blobs
from toolkit.store.changes import BULK_MIN
from toolkit.store.tables import frozen_media, migrations_table

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
AT = datetime(2099, 1, 5, 15, tzinfo=UTC)
CARD_MESSAGE = "violence-attacks"  # its card is stat-attacks


@pytest.fixture(autouse=True)
def _clock_at_now(pin_clock) -> None:
    pin_clock(NOW)


def _store_url(backend: str, project: Path, request: pytest.FixtureRequest) -> str:
    """The project's store on `backend`: its SQLite file, or a fresh PostgreSQL database."""
    if backend == "sqlite":
        return load_config(project).store_url
    url = request.getfixturevalue("pg_url")
    edit(project, "url: sqlite:///../data/toolkit.db", f"url: {url}")
    return url


def _planner(project: Path) -> Planner:
    config = load_config(project)
    build(config, load_library(config), cards=["stat-attacks"], jobs=1)
    return Planner(config, load_library(config), Store(config.store_url))


def _images(store: Store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(frozen_media)).scalar_one()


def _publish(planner: Planner) -> None:
    publishers = {name: OutboxPublisher(planner.config.outbox_dir, account.platform)
                  for name, account in planner.config.accounts.items()}
    Dispatcher(planner.store, publishers).dispatch_due(AT)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_store_without_store_media_approves_and_publishes_posts_with_cards(
        backend: str, project: Path, request: pytest.FixtureRequest) -> None:
    _store_url(backend, project, request)
    planner = _planner(project)
    assert planner.config.media_dir is None
    many = planner.store.add([planner.new_post(CARD_MESSAGE, "x", ("en", "es")[i % 2], AT)
                              for i in range(BULK_MIN)], "c", NOW)
    assert len(planner.approve(many, "lead", NOW).approved) == BULK_MIN  # the bulk path
    assert _images(planner.store) == 2  # one per language's card, in the store itself
    ids = [planner.add(CARD_MESSAGE, "bluesky", lang, AT, NOW, "c") for lang in ("en", "es")]
    assert sorted(planner.approve(ids, "lead", NOW).approved) == sorted(ids)  # one by one
    named = {m["sha256"] for p in planner.store.list(ids=[*ids, *many]) for m in p.media}
    assert _images(planner.store) == len(named) == 4  # each stored once
    _publish(planner)
    for pid in [*ids, *many]:
        assert planner.store.get(pid).status == "published"
        doc = json.loads((planner.config.outbox_dir / f"{pid}.json").read_text())
        (item,) = doc["media"]
        stored = planner.store.frozen_images([item["sha256"]])[item["sha256"]]
        assert hashlib.sha256(stored).hexdigest() == item["sha256"]
    planner.store.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_approval_and_its_image_commit_together(backend: str, project: Path,
                                                request: pytest.FixtureRequest) -> None:
    _store_url(backend, project, request)
    planner = _planner(project)
    pid = planner.add(CARD_MESSAGE, "x", "en", AT, NOW, "c")
    version = planner.store.get(pid).version
    stale = planner.approve([pid], "lead", NOW, seen={pid: version + 7})  # not what is stored
    assert stale.stale == {pid: version} and _images(planner.store) == 0  # nothing moved

    calls = []

    def put_then_fail(*args, **kwargs):  # the approval's transaction fails after its images
        real_put(*args, **kwargs)
        calls.append(1)
        raise RuntimeError("disk full")

    real_put = blobs.put
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("toolkit.store.blobs.put", put_then_fail)
        with pytest.raises(RuntimeError, match="disk full"):
            planner.approve([pid], "lead", NOW)
    assert calls == [1]
    assert planner.store.get(pid).status == "draft" and _images(planner.store) == 0
    assert planner.approve([pid], "lead", NOW).approved == [pid]  # the bytes were kept
    assert planner.store.get(pid).status == "approved" and _images(planner.store) == 1
    planner.store.close()


def test_store_copy_carries_the_images_to_postgresql_without_a_folder(
        run_cli, project: Path, pg_url: str, tmp_path: Path) -> None:
    planner = _planner(project)
    pid = planner.add(CARD_MESSAGE, "x", "en", AT, NOW, "c")
    planner.approve([pid], "lead", NOW)
    (before,) = planner.store.get(pid).media
    planner.store.close()
    copied = run_cli("store", "copy", "--to", pg_url)
    assert copied.exit_code == 0, copied.output
    assert "1 posts, 2 audit entries, 1 frozen images" in copied.stdout
    edit(project, "url: sqlite:///../data/toolkit.db", f"url: {pg_url}")
    (project.parent.parent / "data" / "toolkit.db").unlink()  # only the new store is left
    config = load_config(project)
    moved = Planner(config, load_library(config), Store(pg_url))
    assert moved.store.get(pid).media == [before]
    _publish(moved)
    assert moved.store.get(pid).status == "published"
    moved.store.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_migration_moves_frozen_files_in_once_and_all_or_nothing(
        backend: str, project: Path, request: pytest.FixtureRequest) -> None:
    url = _store_url(backend, project, request)
    edit(project, "\nstore:\n", "\nstore:\n  media: ../frozen\n")
    planner = _planner(project)
    ids = [planner.add(CARD_MESSAGE, "x", lang, AT, NOW, "c") for lang in ("en", "es")]
    planner.approve(ids, "lead", NOW)
    planner.store.close()
    # the store as it was before 012_frozen_media: its images only as files
    old = Store(url)
    with old.write_transaction() as conn:
        frozen_media.drop(conn)
        conn.execute(delete(migrations_table).where(migrations_table.c.name ==
                                                    "012_frozen_media"))
    old.close()

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    with pytest.MonkeyPatch.context() as mp:  # a crash half-way: nothing of it is kept
        mp.setattr("toolkit.store.blobs.put", crash)
        with pytest.raises(RuntimeError, match="power cut"):
            Store(url)
    reopened = Store(url)
    assert reopened.applied_migrations == ["012_frozen_media"]
    assert _images(reopened) == 2
    with reopened.write_transaction() as conn:  # run again: nothing more to move
        assert blobs.import_files(conn, NOW) == 0
    assert _images(reopened) == 2
    reopened.close()
    for frozen in (project.parent.parent / "frozen").iterdir():
        frozen.unlink()  # the old folder may go now: the store has every image
    edit(project, "  media: ../frozen\n", "")
    config = load_config(project)
    planner = Planner(config, load_library(config), Store(url))
    _publish(planner)
    assert [planner.store.get(pid).status for pid in ids] == ["published", "published"]
    planner.store.close()


def test_store_migrate_moves_in_what_a_machine_without_the_files_left_out(
        project: Path, run_cli) -> None:
    """Two machines share a store: the one without the old frozen files applied 012 first (its
    files missing: nothing moved). `store migrate` on the machine that has them moves them in,
    and says so; where they cannot be read it says which images the store still lacks, so
    nobody deletes the old folder on the strength of "up to date"."""
    edit(project, "\nstore:\n", "\nstore:\n  media: ../frozen\n")
    planner = _planner(project)
    ids = [planner.add(CARD_MESSAGE, "x", lang, AT, NOW, "c") for lang in ("en", "es")]
    planner.approve(ids, "lead", NOW)
    with planner.store.write_transaction() as conn:  # as the other machine left it
        conn.execute(delete(frozen_media))
    planner.store.close()
    frozen = project.parent.parent / "frozen"
    hidden = frozen.with_name("elsewhere")
    frozen.rename(hidden)
    lacking = run_cli("store", "migrate")
    assert "2 frozen image(s) of posts still to publish are not in the store" in lacking.output
    hidden.rename(frozen)
    moved = run_cli("store", "migrate")
    assert "moved 2 frozen image(s) into the store" in moved.output
    assert "not in the store" not in moved.output
    store = Store(load_config(project).store_url)
    assert _images(store) == 2
    store.close()


def test_a_card_approved_without_a_media_folder_goes_out_on_bluesky(project: Path,
                                                                    tmp_path: Path) -> None:
    """The default config (no `store.media`): the approved image lives only in the store and
    its recorded path is a bare file name; the real publisher checks and uploads the stored
    bytes (a fake PDS), it never looks for that file."""
    import respx
    from test_publish_bluesky import FakePds, publisher

    planner = _planner(project)
    pid = planner.add(CARD_MESSAGE, "bluesky", "en", AT, NOW, "c")
    assert planner.approve([pid], "lead", NOW).approved == [pid]
    item = planner.store.get(pid).media[0]
    assert not Path(item["path"]).exists()  # only in the store
    with respx.mock(assert_all_called=False) as router:
        pds = FakePds(router)
        account = planner.store.get(pid).account
        Dispatcher(planner.store, {account: publisher(tmp_path)}).dispatch_due(AT)
    post = planner.store.get(pid)
    assert post.status == "published", post.last_error
    assert hashlib.sha256(pds.blobs[0]).hexdigest() == item["sha256"]
    planner.store.close()
