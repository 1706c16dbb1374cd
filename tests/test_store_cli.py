"""`toolkit store migrate` and `toolkit store copy` on SQLite files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from toolkit.config import load_config
from toolkit.store import Store
from toolkit.store.schema import MIGRATIONS


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
