"""Database failures as one clear line: locked, read-only, damaged, missing column, gone.

The store raises `StoreError`s for what it checks itself; anything the database driver raises
later (a page damaged in a table not yet read, a lock held past the timeout) is turned into one
here, so the command line and `scheduler.py` print `Error: …` instead of a traceback.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable

from toolkit.core.errors import StoreError

MAX_DETAIL = 160


def _cut(text: str) -> str:
    text = text.strip().splitlines()[0] if text.strip() else text
    return text if len(text) <= MAX_DETAIL else text[:MAX_DETAIL - 1] + "…"


def describe(exc: BaseException, where: str = "the store") -> StoreError | None:
    """The one-line `StoreError` for a database driver error, or None for anything else."""
    exc_mod = sys.modules.get("sqlalchemy.exc")
    if isinstance(exc, StoreError):
        return exc
    is_db = exc_mod is not None and isinstance(exc, exc_mod.SQLAlchemyError)
    if not is_db and exc.__class__.__module__ not in ("sqlite3", "psycopg.errors"):
        return None
    detail = _cut(str(getattr(exc, "orig", None) or exc))
    low = detail.lower()
    if "locked" in low or "lock timeout" in low:
        from toolkit.core.storefile import lock_timeout_s

        return StoreError(f"{where} is locked by another process (waited {lock_timeout_s():g} s); "
                          "try again when it has finished")
    if "readonly" in low or "read-only" in low:
        return StoreError(f"{where} is read-only ({detail}); nothing was changed")
    if "malformed" in low or "not a database" in low or "disk i/o" in low:
        return StoreError(f"{where} is damaged ({detail}); restore it from a backup")
    if re.search(r"no such (column|table)|(column|relation) \S+ does not exist", low):
        return StoreError(f"{where} does not match this version of the toolkit ({detail}); "
                          "run `toolkit store migrate` or restore a backup")
    return StoreError(f"{where} failed: {detail}")


def exit_on_store_failure(main: Callable[[], object]) -> None:
    """Run a click entry point; a database error escaping it becomes one `Error:` line, exit 1."""
    try:
        main()
    except Exception as exc:
        error = describe(exc)
        if error is None:
            raise
        error.show()
        sys.exit(error.exit_code)
