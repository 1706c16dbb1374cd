"""A graphics manifest entry that names a file outside the build folder is ignored: approval
never freezes (and so never publishes) it, and the review app never shows it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from toolkit.graphics.manifest import find_graphic, load_manifest

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock_at_now(pin_clock) -> None:
    """Every command these tests run (in-process or as a process) reasons about NOW."""
    pin_clock(NOW)


def _entry(file: str) -> dict:
    return {"file": file, "card": "stat-attacks", "format": "x", "lang": "en", "alt": "a",
            "sha256": "0" * 64, "verified": True}


def test_entries_outside_the_build_folder_are_ignored(tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not for publishing")
    out = tmp_path / "graphics"
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps(
        [_entry("../secret.png"), _entry(str(secret)), {**_entry("ok.png"), "card": "other"}]),
        encoding="utf-8")
    (out / "ok.png").write_bytes(b"png")
    assert [e["file"] for e in load_manifest(out)] == ["ok.png"]
    assert find_graphic(out, "stat-attacks", "x", "en") is None
    assert find_graphic(out, "other", "x", "en")["path"] == str((out / "ok.png").resolve())


def test_approval_never_freezes_a_file_outside_the_build(planner, tmp_path: Path) -> None:
    out = planner.config.graphics_dir
    out.mkdir(parents=True, exist_ok=True)
    secret = out.parent / "secret.png"
    secret.write_bytes(b"not for publishing")
    (out / "manifest.json").write_text(json.dumps([_entry("../secret.png")]), encoding="utf-8")
    pid = planner.add("violence-attacks", "x", "en", NOW + timedelta(days=1), NOW, "sam")
    result = planner.approve([pid], "lead", NOW)
    assert result.approved == [] and "no rendered" in result.refused[pid]
