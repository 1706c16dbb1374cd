"""Secrets come only from the environment or a git-ignored `.env` file, never from config."""

from __future__ import annotations

import os
from pathlib import Path


def load_dotenv_file(config_root: Path) -> Path | None:
    """Load `.env` from the working directory or the config's parent folder, if present.

    Variables already set in the environment win; returns the file loaded, if any.
    """
    from dotenv import load_dotenv

    from toolkit.core.redact import register_environment

    candidate = dotenv_file(config_root)
    if candidate is not None:
        load_dotenv(candidate, override=False)
    register_environment(os.environ)
    return candidate


def dotenv_candidates(config_root: Path) -> tuple[Path, Path]:
    """Where a `.env` file may be, in order: the working directory, then beside the config
    folder."""
    return Path.cwd() / ".env", config_root.parent / ".env"


def dotenv_file(config_root: Path) -> Path | None:
    """The `.env` file that applies: in the working directory, else beside the config folder."""
    for candidate in dotenv_candidates(config_root):
        if candidate.is_file():
            return candidate
    return None


def env_or_dotenv(name: str, config_root: Path) -> str | None:
    """One variable from the environment, else from the `.env` file (nothing else is loaded)."""
    if os.environ.get(name):
        return os.environ[name]
    candidate = dotenv_file(config_root)
    if candidate is None:
        return None
    from dotenv import dotenv_values

    return dotenv_values(candidate).get(name)
