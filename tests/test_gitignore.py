"""No folder of the package is ignored by git: a new module or template added anywhere under
`toolkit/` shows up in `git status` (the `site/` rule for the share kit's build output must not
hide the share kit's code, wherever the package keeps it)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_no_folder_of_the_package_is_ignored() -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    folders = sorted({p.parent for p in (ROOT / "toolkit").rglob("*")
                      if p.is_file() and "__pycache__" not in p.parts})
    probes = [str((f / "new_file.py").relative_to(ROOT)) for f in folders]
    found = subprocess.run(["git", "check-ignore", "--no-index", "--stdin"], cwd=ROOT,
                           input="\n".join(probes), capture_output=True, text=True)
    assert found.stdout.split() == []
