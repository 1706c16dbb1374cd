"""The site build removes only files it wrote inside its own folder: a `.site-build.json` that
names paths outside the folder (tampered, or copied from elsewhere) never deletes them."""

from __future__ import annotations

import json
from pathlib import Path


def test_state_file_cannot_delete_outside_the_site(run_cli, project: Path) -> None:
    root = project.parent.parent
    out = root / "kit"
    out.mkdir()
    victim = root / "victim.txt"
    victim.write_text("keep me\n", encoding="utf-8")
    (out / ".site-build.json").write_text(json.dumps({"stamp": "old", "files": {
        "../victim.txt": "x", str(victim): "x", "index.html": "x"}}), encoding="utf-8")
    result = run_cli("site", "build", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert victim.read_text(encoding="utf-8") == "keep me\n"
    assert (out / "index.html").is_file()
