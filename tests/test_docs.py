"""The docs site builds with `mkdocs build --strict` (a broken link or anchor fails it), and its
generated reference lists every command, subcommand and config key."""

from __future__ import annotations

import html
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def build(config: Path, out: Path) -> subprocess.CompletedProcess:
    """`python -m mkdocs build --strict` (run from the repository, so `scheduler` imports)."""
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict",
                           "-f", str(config), "-d", str(out)], cwd=ROOT, capture_output=True,
                          text=True, env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"})


def test_the_docs_build_strict_and_list_every_command_and_key(tmp_path: Path) -> None:
    from toolkit.core.config import SCHEMA
    from toolkit.core.options import walk
    from toolkit.surfaces.cli import cli

    done = build(ROOT / "mkdocs.yml", tmp_path / "site")
    assert done.returncode == 0, done.stderr
    cli_page = (tmp_path / "site" / "reference" / "cli" / "index.html").read_text()
    for name in cli.list_commands(None):
        command = cli.get_command(None, name)
        assert f'id="toolkit-{name}"' in cli_page
        for sub in getattr(command, "commands", {}):
            assert f'id="toolkit-{name}-{sub}"' in cli_page
    config_page = html.unescape(
        (tmp_path / "site" / "reference" / "configuration" / "index.html").read_text())
    for key, option in walk(SCHEMA):
        assert f"<code>{key}</code>" in config_page, key
        assert option.help.split("`")[0][:20] in config_page, key


def test_a_broken_link_fails_the_build(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    page = tmp_path / "docs" / "guide" / "status.md"
    page.write_text(page.read_text() + "\nSee [the old page](no-such-page.md).\n")
    done = build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert done.returncode != 0
    assert "no-such-page.md" in done.stderr
