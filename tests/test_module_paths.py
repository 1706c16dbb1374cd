"""Every module path written as a string resolves: the checks `toolkit check` runs (a wrong one
is skipped silently, as a layer left out of a build), the platform table's publishers, the
command line's subcommands, the `toolkit` script and the package data folders."""

from __future__ import annotations

import importlib
import tomllib
from pathlib import Path

from toolkit.core.platforms import PLATFORMS
from toolkit.surfaces.cli import COMMANDS
from toolkit.surfaces.validate import EXTRA_CHECKS

ROOT = Path(__file__).resolve().parent.parent


def resolve(spec: str) -> object:
    module, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module), attr)


def test_every_string_module_path_resolves() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    specs = [*EXTRA_CHECKS, *(i.publisher for i in PLATFORMS.values() if i.publisher),
             *(f"toolkit.surfaces.cli.{s}" for s, _ in COMMANDS.values()),
             *project["project"]["scripts"].values()]
    assert all(callable(resolve(s)) for s in specs)
    for package, globs in project["tool"]["setuptools"]["package-data"].items():
        folder = ROOT / package.replace(".", "/")
        assert (folder / "__init__.py").is_file(), package
        assert all(list(folder.glob(g)) for g in globs), package
