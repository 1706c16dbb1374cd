"""Where a SQLite store's file is, read from its URL without importing SQLAlchemy.

Folders that belong beside the store (frozen media, publisher sessions) and the quick read path
all find the file through `sqlite_path`.
"""

from __future__ import annotations

from pathlib import Path


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL (None for other databases, in-memory or URI forms)."""
    if not url.startswith("sqlite"):
        return None
    path = url.split(":///", 1)[1].split("?", 1)[0] if ":///" in url else ""
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    return Path(path)
