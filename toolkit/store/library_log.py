"""The library's own audit log: every change the message editor (or `toolkit library
new|edit|verify`) writes into `posts/`, with who, when, which item and the text before and after.

Posts keep their audit in `audit`; library items are not posts, so they get this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select

from toolkit.store.tables import library_edits  # made by the migration "011_library_edits"


@dataclass(frozen=True)
class LibraryEdit:
    """One recorded change of a library item (its YAML before and after)."""

    at: datetime
    actor: str
    action: str
    section: str
    item_id: str
    file: str
    before: str | None
    after: str | None


def record_edit(store: Any, edit: LibraryEdit) -> None:
    """Add one change to the library's audit log."""
    with store._write() as conn:
        conn.execute(insert(library_edits).values(
            at=edit.at, actor=edit.actor[:120], action=edit.action, section=edit.section,
            item_id=edit.item_id[:100], file=edit.file, before=edit.before, after=edit.after))


def edits_of(store: Any, item_id: str) -> list[LibraryEdit]:
    """The recorded changes of one item, oldest first."""
    with store.engine.connect() as conn:
        rows = conn.execute(select(library_edits).where(library_edits.c.item_id == item_id)
                            .order_by(library_edits.c.id)).all()
    return [LibraryEdit(r.at, r.actor, r.action, r.section, r.item_id, r.file, r.before,
                        r.after) for r in rows]
