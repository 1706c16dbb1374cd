"""`toolkit store migrate` and `toolkit store copy` on SQLite files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from toolkit.core.config import load_config
from toolkit.store import Store
from toolkit.store.migrations import MIGRATIONS


def test_store_migrate_applies_what_is_pending_once(run_cli, project: Path) -> None:
    db = Path(load_config(project).store_url.split(":///", 1)[1])
    Store(f"sqlite:///{db}").close()
    con = sqlite3.connect(db)
    con.execute("DELETE FROM migrations WHERE name = ?", (MIGRATIONS[-1][0],))
    con.commit()
    con.close()
    first = run_cli("store", "migrate")
    assert first.exit_code == 0, first.output
    assert first.output.strip().endswith(f"applied {MIGRATIONS[-1][0]}")
    second = run_cli("store", "migrate")
    assert second.output.strip().endswith(": up to date")


def test_store_copy_refuses_a_target_that_holds_posts(run_cli, project: Path,
                                                      tmp_path: Path) -> None:
    added = run_cli("queue", "add", "courts-suspended", "--at", "2099-01-05T09:00",
                    "--platform", "outbox")
    assert added.exit_code == 0, added.output
    target = f"sqlite:///{tmp_path / 'target.db'}"
    assert run_cli("store", "copy", "--to", target).exit_code == 0
    before = (tmp_path / "target.db").read_bytes()
    again = run_cli("store", "copy", "--to", target)
    assert again.exit_code == 1
    assert again.output.strip().splitlines() == [
        f"Error: the target store {target} is not empty (1 posts, 1 audit entries); "
        "copy only into an empty store"]
    assert (tmp_path / "target.db").read_bytes() == before


def _approved_with_an_image(run_cli, project: Path) -> str:
    """A post approved with its card frozen into the store's media folder; returns its id."""
    from toolkit.graphics.build import build
    from toolkit.library import load_library

    config = load_config(project)
    build(config, load_library(config), cards=["stat-attacks"], jobs=1)
    pid = run_cli("queue", "add", "violence-attacks", "--at", "2099-01-05T09:00").stdout.strip()
    assert run_cli("queue", "approve", pid, "--by", "lead").exit_code == 0
    return pid


def test_store_copy_takes_the_approved_images_along(run_cli, project: Path,
                                                    tmp_path: Path) -> None:
    import hashlib

    from toolkit.publishers.base import MediaItem, read_media

    pid = _approved_with_an_image(run_cli, project)  # `queue approve`: the sqlite3-only path
    source = Store(load_config(project).store_url)
    (before,) = source.get(pid).media
    assert source.frozen_images([before["sha256"]])  # approval stored the image itself
    source.close()
    target_dir = tmp_path / "elsewhere"
    target = f"sqlite:///{target_dir / 'toolkit.db'}"
    copied = run_cli("store", "copy", "--to", target)
    assert copied.exit_code == 0, copied.output
    assert "1 posts, 2 audit entries, 1 frozen images" in copied.stdout
    assert not (target_dir / "media").exists()  # the images are in the store, not beside it
    moved = Store(target)
    (after,) = moved.get(pid).media
    data = moved.frozen_images([after["sha256"]])[after["sha256"]]
    moved.close()
    assert after == before
    assert hashlib.sha256(read_media(MediaItem(after["path"], after["alt"], after["sha256"],
                                               data))).hexdigest() == before["sha256"]
    exported = tmp_path / "export"  # --media also writes them out as files
    copied = run_cli("store", "copy", "--to", f"sqlite:///{tmp_path / 'third.db'}",
                     "--media", str(exported))
    assert copied.exit_code == 0, copied.output
    assert "1 frozen images, 1 images exported" in copied.stdout
    third = Store(f"sqlite:///{tmp_path / 'third.db'}")
    (item,) = third.get(pid).media
    third.close()
    assert item["path"] == str((exported / f"{before['sha256']}.png").resolve())
    assert Path(item["path"]).read_bytes() == data


