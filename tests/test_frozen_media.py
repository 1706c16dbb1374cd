"""Frozen media: approval keeps each image in the store itself (optionally also as a file in
`store.media`); what goes out is what was approved."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import edit

from toolkit.core.config import load_config
from toolkit.graphics.build import build
from toolkit.library import load_library
from toolkit.planning.queue import Planner
from toolkit.publishers.outbox import OutboxPublisher
from toolkit.scheduler.dispatch import Dispatcher
from toolkit.store import Store
from toolkit.store.media import freeze_image, media_folder
from toolkit.store.tables import frozen_media

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock_at_now(pin_clock) -> None:
    """Every command these tests run (in-process or as a process) reasons about NOW."""
    pin_clock(NOW)
CARD_MESSAGE = "violence-attacks"  # its card is stat-attacks (statistic hrf-attacks-2021)


def _planner(project: Path) -> Planner:
    config = load_config(project)
    return Planner(config, load_library(config), Store(config.store_url))


def _build_card(project: Path) -> None:
    config = load_config(project)
    build(config, load_library(config), cards=["stat-attacks"], jobs=1)


def _stored(store: Store, digest: str) -> bytes:
    return store.frozen_images([digest])[digest]


def test_rebuilt_or_deleted_graphics_never_change_an_approved_post(project: Path) -> None:
    _build_card(project)
    planner = _planner(project)
    pid = planner.add(CARD_MESSAGE, "x", "es", datetime(2099, 1, 5, 15, tzinfo=UTC), NOW, "c")
    assert planner.approve([pid], "lead", NOW).approved == [pid]
    (media,) = planner.store.get(pid).media
    approved = _stored(planner.store, media["sha256"])
    assert media["path"] == f"{media['sha256']}.png"  # no store.media: no file, just its name
    assert not (project.parent.parent / "data" / "media").exists()
    assert hashlib.sha256(approved).hexdigest() == media["sha256"]
    built = planner.config.graphics_dir / "stat-attacks-x-es.png"
    assert built.read_bytes() == approved

    # the statistic's wording changes and the graphics are rebuilt, then deleted
    edit(project.parent.parent / "posts" / "statistics.yaml", "otros ataques violentos",
         "otras agresiones violentas")
    _build_card(project)
    assert built.read_bytes() != approved
    shutil.rmtree(planner.config.graphics_dir)

    config = planner.config
    Dispatcher(planner.store, {"x-campaign": OutboxPublisher(config.outbox_dir, "x")}) \
        .dispatch_due(datetime(2099, 1, 5, 15, tzinfo=UTC))
    assert planner.store.get(pid).status == "published"
    doc = json.loads((config.outbox_dir / f"{pid}.json").read_text(encoding="utf-8"))
    copy = (config.outbox_dir / "media" / media["path"]).resolve()  # the outbox's own copy
    assert doc["media"] == [{"path": str(copy), "alt": media["alt"], "sha256": media["sha256"]}]
    assert copy.read_bytes() == approved
    planner.store.close()


def test_a_changed_frozen_copy_is_never_published(project: Path) -> None:
    _build_card(project)
    planner = _planner(project)
    at = datetime(2099, 1, 5, 15, tzinfo=UTC)
    pid = planner.add(CARD_MESSAGE, "x", "en", at, NOW, "c")
    planner.approve([pid], "lead", NOW)
    (media,) = planner.store.get(pid).media
    with planner.store.write_transaction() as conn:  # someone edits the stored bytes
        conn.execute(frozen_media.update().values(data=b"not the approved image"))
    outbox = planner.config.outbox_dir
    Dispatcher(planner.store, {"x-campaign": OutboxPublisher(outbox, "x")}).dispatch_due(at)
    post = planner.store.get(pid)
    assert post.status == "failed" and "does not match the approved image" in post.last_error
    assert not (outbox / f"{pid}.json").exists()
    planner.store.close()


def test_freezing_is_atomic_and_idempotent(tmp_path: Path) -> None:
    src = tmp_path / "card.png"
    src.write_bytes(b"\x89PNG fake")
    folder = tmp_path / "media"
    path, digest = freeze_image(src, folder)
    assert path == folder / f"{digest}.png" and path.read_bytes() == src.read_bytes()
    path.write_bytes(b"damaged")  # a damaged copy is replaced by the right bytes
    assert freeze_image(src, folder) == (path, digest) and path.read_bytes() == b"\x89PNG fake"
    assert sorted(p.name for p in folder.iterdir()) == [path.name]  # no temporary files left


def test_store_media_is_optional_and_only_a_copy(project: Path, tmp_path: Path) -> None:
    assert media_folder(f"sqlite:///{tmp_path}/x/toolkit.db") is None
    assert media_folder("postgresql+psycopg://u@h/db") is None
    assert media_folder("postgresql://u@h/db", tmp_path / "m") == tmp_path / "m"
    edit(project, "url: sqlite:///../data/toolkit.db",
         "url: sqlite:///../data/toolkit.db\n  media: ../frozen")
    assert load_config(project).media_dir == project.parent.parent / "frozen"
    _build_card(project)
    planner = _planner(project)
    pid = planner.add(CARD_MESSAGE, "x", "en", datetime(2099, 1, 5, 15, tzinfo=UTC), NOW, "c")
    planner.approve([pid], "lead", NOW)
    (media,) = planner.store.get(pid).media
    exported = project.parent.parent / "frozen" / f"{media['sha256']}.png"
    assert media["path"] == str(exported)
    assert exported.read_bytes() == _stored(planner.store, media["sha256"])
    exported.unlink()  # the cache is gone: the store still has the image
    outbox = planner.config.outbox_dir
    Dispatcher(planner.store, {"x-campaign": OutboxPublisher(outbox, "x")}).dispatch_due(
        datetime(2099, 1, 5, 15, tzinfo=UTC))
    assert planner.store.get(pid).status == "published"
    planner.store.close()


def test_an_image_over_a_platforms_limit_is_frozen_platform_ready_at_approval(
        project: Path) -> None:
    from PIL import Image

    _build_card(project)
    planner = _planner(project)
    noise = Image.effect_noise((1400, 1400), 120).convert("RGB")
    for fmt in ("link", "x"):  # a large PNG in both formats
        noise.save(planner.config.graphics_dir / f"stat-attacks-{fmt}-en.png", "PNG")
    large = (planner.config.graphics_dir / "stat-attacks-x-en.png").read_bytes()
    assert len(large) > 1_000_000
    manifest = planner.config.graphics_dir / "manifest.json"  # as a build records them
    entries = json.loads(manifest.read_text())
    for entry in entries:
        if entry["file"] in ("stat-attacks-x-en.png", "stat-attacks-link-en.png"):
            entry["sha256"] = hashlib.sha256(large).hexdigest()
    manifest.write_text(json.dumps(entries))
    at = datetime(2099, 1, 5, 15, tzinfo=UTC)
    sky = planner.add(CARD_MESSAGE, "bluesky", "en", at, NOW, "c")
    box = planner.add(CARD_MESSAGE, "outbox", "en", at, NOW, "c")
    assert sorted(planner.approve([sky, box], "lead", NOW).approved) == sorted([sky, box])
    (media,) = planner.store.get(sky).media
    frozen = _stored(planner.store, media["sha256"])
    assert len(frozen) <= 1_000_000 and frozen[:3] == b"\xff\xd8\xff"  # the JPEG Bluesky takes
    assert Path(media["path"]).name == f"{media['sha256']}.jpg"
    assert hashlib.sha256(frozen).hexdigest() == media["sha256"]
    (plain,) = planner.store.get(box).media  # no limit of its own: the built PNG as it is
    assert _stored(planner.store, plain["sha256"]) == large
    planner.store.close()
