"""Reading the build's `manifest.json`: which graphic exists for a card, format and language.

This module imports only the standard library (no Pillow), so the scheduler and the site can
look graphics up cheaply. The manifest is a JSON list of entries, one per PNG:

    {"file": "stat-attacks-x-en.png", "card": "stat-attacks", "layout": "statistic",
     "format": "x", "lang": "en", "width": 1600, "height": 900, "alt": "Graphic: 1,544 — …",
     "sha256": "…", "bytes": 43895, "source": {"name": …, "url": …, "as_of": "2021-02-19"},
     "statistic": "hrf-attacks-2021", "verified": true, "input_hash": "…"}

`source` and `statistic` are null for a message card without a statistic.
"""

from __future__ import annotations

import json
from pathlib import Path

MANIFEST = "manifest.json"


def manifest_path(out_dir: Path | str) -> Path:
    """The manifest file of a build folder."""
    return Path(out_dir) / MANIFEST


def load_manifest(out_dir: Path | str) -> list[dict]:
    """The entries of `out_dir/manifest.json`; an empty list if there is none or it is unreadable
    (a broken manifest only means the next build renders everything again)."""
    try:
        data = json.loads(manifest_path(out_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(data, list):
        return []
    return [e for e in data if isinstance(e, dict) and _plain_name(e.get("file"))]


def _plain_name(file: object) -> bool:
    """Whether `file` names a file in the build folder itself (never a path out of it)."""
    return (isinstance(file, str) and file not in ("", ".", "..") and "/" not in file
            and "\\" not in file and "\0" not in file)


def find_graphic(out_dir: Path | str, card: str, fmt: str, lang: str) -> dict | None:
    """The manifest entry of `card` in format `fmt` and language `lang`, with `path` (absolute)
    added; None if the build has no such graphic or its file is gone."""
    out = Path(out_dir).resolve()
    for entry in load_manifest(out):
        if (entry.get("card"), entry.get("format"), entry.get("lang")) == (card, fmt, lang):
            path = out / entry["file"]
            if not path.is_file():
                return None
            return {**entry, "path": str(path)}
    return None
