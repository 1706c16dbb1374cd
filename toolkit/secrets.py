"""Secrets come only from the environment or a git-ignored `.env` file, never from config."""

from __future__ import annotations

from pathlib import Path


def load_dotenv_file(config_root: Path) -> Path | None:
    """Load `.env` from the working directory or the config's parent folder, if present.

    Variables already set in the environment win; returns the file loaded, if any.
    """
    from dotenv import load_dotenv

    for folder in (Path.cwd(), config_root.parent):
        candidate = folder / ".env"
        if candidate.is_file():
            load_dotenv(candidate, override=False)
            return candidate
    return None
