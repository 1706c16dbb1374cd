"""The library's write operations, one call each, for the review app and the command line alike:
a message added, edited or deleted, a fact proposed or verified. Each checks its fields, saves
through `toolkit.surfaces.editing.save` (gate, atomic write) and records the audit entry and git
commit."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from toolkit.core.errors import InputError
from toolkit.library.four_eyes import person
from toolkit.store import APPROVED, CHANGES_REQUESTED, DRAFT, PUBLISHING, Post
from toolkit.surfaces.app import Toolkit
from toolkit.surfaces.editing.facts import proposed_item, verification
from toolkit.surfaces.editing.fields import FieldProblems, message_item
from toolkit.surfaces.editing.save import Change, Saved, loaded, posts_lock, record, save

#: a message with posts in these states is not deleted (they would lose their text's source)
LIVE = (DRAFT, CHANGES_REQUESTED, APPROVED, PUBLISHING)


class FormError(InputError):
    """The form's fields have problems; nothing was written."""

    def __init__(self, problems: FieldProblems) -> None:
        super().__init__("not saved: " + "; ".join(problems.lines()))
        self.problems = problems


def _taken(tk: Toolkit) -> set[str]:
    from toolkit.core.problems import Problems
    from toolkit.library import read_library

    lib = read_library(tk.config, Problems())  # as the files are now, even with errors
    return {*lib.messages, *lib.statistics, *lib.claims, *lib.cards}


def save_message(tk: Toolkit, form: Mapping[str, Any], message_id: str | None, actor: str,
                 now: datetime, base: str = "", email: str | None = None,
                 store: Any = None) -> Saved:
    """Add a message (`message_id` None) or edit one, from form fields (`text_<lang>`, `id`,
    `theme`, `link`, `card`, `claims`, `platforms`)."""
    old = None
    if message_id is not None:
        found = loaded(tk.config, "messages", message_id)
        if found is None:
            raise InputError(f"no message '{message_id}'")
        old = found[1]
    item, problems = message_item(tk.config, form, old, _taken(tk))
    if problems:
        raise FormError(problems)
    change = Change("messages", message_id, item, person(actor) or actor, base,
                    "new" if message_id is None else "edit")
    with posts_lock(tk.config.posts_dir):  # the commit holds this save's change only
        saved = save(tk.config, change, now.astimezone(tk.config.timezone).date())
        return record(saved, change, now, store, email)


def live_posts(tk: Toolkit, message_id: str) -> list[Post]:
    """The queued or approved posts of a message."""
    return [p for p in tk.store.list(list(LIVE)) if p.message_id == message_id]


def delete_message(tk: Toolkit, message_id: str, actor: str, now: datetime, base: str = "",
                   email: str | None = None) -> Saved:
    """Remove a message from its file; refused while it has queued or approved posts."""
    live = live_posts(tk, message_id)
    if live:
        names = ", ".join(f"{p.id} ({p.status}, {p.platform}, {p.lang})" for p in live[:20])
        raise InputError(f"not deleted: message '{message_id}' has {len(live)} queued or "
                         f"approved post{'s' * (len(live) != 1)}: {names}; cancel them first")
    change = Change("messages", message_id, None, person(actor) or actor, base, "delete")
    with posts_lock(tk.config.posts_dir):  # the commit holds this save's change only
        saved = save(tk.config, change, now.astimezone(tk.config.timezone).date())
        return record(saved, change, now, tk.store, email)


def propose_fact(tk: Toolkit, section: str, form: Mapping[str, Any], actor: str,
                 now: datetime, email: str | None = None, store: Any = None) -> Saved:
    """Save a new statistic or claim as `verified: false`, proposed by `actor`."""
    who = person(actor) or actor
    item, problems = proposed_item(tk.config, section, form, who, _taken(tk))
    if problems:
        raise FormError(problems)
    change = Change(section, None, item, who, "", "propose")
    with posts_lock(tk.config.posts_dir):  # the commit holds this save's change only
        saved = save(tk.config, change, now.astimezone(tk.config.timezone).date())
        return record(saved, change, now, store, email)


def verify_fact(tk: Toolkit, fact_id: str, actor: str, now: datetime, lead: bool = True,
                email: str | None = None, store: Any = None) -> Saved:
    """Mark a statistic or claim verified by `actor` (a lead, not its proposer)."""
    change = verification(tk.config, fact_id, person(actor) or actor, now, lead)
    with posts_lock(tk.config.posts_dir):  # the commit holds this save's change only
        saved = save(tk.config, change, now.astimezone(tk.config.timezone).date())
        return record(saved, change, now, store, email)
