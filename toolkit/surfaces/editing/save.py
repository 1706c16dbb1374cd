"""Saving one library item: find its file, refuse a change made on top of an older version,
run the gate, write the file atomically, record the audit entry and the git commit.

Saves into one posts folder take turns (a lock on the folder), so two at once cannot both read
the same old file; the second then finds the item changed and is refused with the other's version.
"""

from __future__ import annotations

import fcntl
import os
import re
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from toolkit.core.atomic import write_atomic
from toolkit.core.config import Config
from toolkit.core.errors import InputError
from toolkit.core.problems import Problem, display_path
from toolkit.library.loader import library_files
from toolkit.library.writer import (
    content_hash,
    find,
    item_source,
    parse,
    plain,
    read_text,
    updated_text,
)
from toolkit.surfaces.editing.gate import judge


class Conflict(InputError):
    """The item changed since the form was loaded; `theirs` is its version now."""

    def __init__(self, message: str, theirs: str) -> None:
        super().__init__(message)
        self.theirs = theirs


class Refused(InputError):
    """`toolkit check` finds errors in the change; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        lines = "\n".join(str(p) for p in problems[:10])
        super().__init__(f"not saved: toolkit check finds {len(problems)} error"
                         f"{'s' * (len(problems) != 1)} in it:\n{lines}")
        self.problems = problems


@dataclass
class Change:
    """One change: `item_id` None adds `item`; `item` None deletes `item_id`."""

    section: str
    item_id: str | None
    item: dict | None
    actor: str
    #: the item's content hash when the form was loaded ("" for a new item)
    base: str = ""
    action: str = "edit"


@dataclass
class Saved:
    """What a save did: the file, the item before and after, its warnings, the commit."""

    path: Path
    item_id: str
    before: str
    after: str
    warnings: list[Problem] = field(default_factory=list)
    commit: str | None = None
    #: why the git commit was not made ("" when it was, or git is not in use)
    commit_problem: str = ""


#: the posts folders this thread holds the lock of (a save inside a held lock takes no second)
_held = threading.local()


@contextmanager
def posts_lock(posts_dir: Path) -> Iterator[None]:
    """Hold the posts folder's lock (an flock on the folder itself: no file is created).
    A thread that holds it already goes on (a save and its git commit share one hold)."""
    held: set[str] = _held.__dict__.setdefault("folders", set())
    key = os.path.realpath(posts_dir)
    if key in held:
        yield
        return
    fd = os.open(posts_dir, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        held.add(key)
        yield
    finally:
        held.discard(key)
        os.close(fd)


def locate(config: Config, section: str, item_id: str) -> tuple[Path, str] | None:
    """The file holding item `item_id` of `section`, and its text; None when no file does."""
    for path in library_files(config.posts_dir):
        text = read_text(path)
        if item_id not in text:
            continue
        data = parse(text)
        if find(data, section, item_id) is not None:
            return path, text
    return None


def item_hash(text: str, section: str, item_id: str) -> str:
    """The content hash of an item as its file has it (the editor's form carries it)."""
    return content_hash(item_source(text, section, item_id))


def loaded(config: Config, section: str, item_id: str) -> tuple[Path, dict, str] | None:
    """An item as the editor loads it: its file, its data and its content hash."""
    found = locate(config, section, item_id)
    if found is None:
        return None
    path, text = found
    data = parse(text)
    return path, plain(data[section][find(data, section, item_id)]), \
        item_hash(text, section, item_id)


def target_file(config: Config, section: str) -> Path:
    """The file a new item of `section` goes into: the first that has that section."""
    for path in library_files(config.posts_dir):
        if re.search(rf"^{section}:", read_text(path), flags=re.MULTILINE):
            return path
    return config.posts_dir / f"{section}.yaml"


def save(config: Config, change: Change, today: date | None = None) -> Saved:
    """Write `change` into its posts/ file, or refuse it (`Conflict`, `Refused`,
    `InputError`) with nothing written."""
    with posts_lock(config.posts_dir):
        if change.item_id is None:
            new_id = str((change.item or {}).get("id", ""))
            if locate(config, change.section, new_id) is not None:
                raise InputError(f"id: '{new_id}' is already used; choose another id")
            path = target_file(config, change.section)
            text, item_id, before = read_text(path), new_id, ""
        else:
            found = locate(config, change.section, change.item_id)
            if found is None:
                raise InputError(f"no {change.section[:-1]} '{change.item_id}' in "
                                 f"{display_path(config.posts_dir)} (removed meanwhile?)")
            path, text = found
            item_id, before = change.item_id, item_source(text, change.section, change.item_id)
            if change.base and change.base != content_hash(before):
                raise Conflict(f"not saved: someone changed {change.section[:-1]} "
                               f"'{item_id}' in {display_path(path)} since you opened it; "
                               "here is their version. Copy your words, reload and edit again.",
                               before)
        new_text = updated_text(text, change.section, change.item_id, change.item)
        verdict = judge(config, path, new_text, change.section, item_id, today)
        if verdict.blocking:
            raise Refused(verdict.blocking)
        try:
            write_atomic(path, new_text)
        except OSError as exc:
            raise InputError(f"{display_path(path)} cannot be written ({exc.strerror}: is the "
                             "posts folder read-only?); nothing was changed") from None
    after = item_source(new_text, change.section, item_id) if change.item is not None else ""
    return Saved(path, item_id, before, after,
                 [p for p in verdict.problems if p.level == "warning"])


def record(saved: Saved, change: Change, now: datetime, store: Any = None,
           email: str | None = None) -> Saved:
    """The audit entry (when there is a store) and the git commit of a save."""
    from toolkit.surfaces.editing.gitcommit import commit_file

    if store is not None:
        from toolkit.store.library_log import LibraryEdit, record_edit

        record_edit(store, LibraryEdit(now, change.actor, change.action, change.section,
                                       saved.item_id, display_path(saved.path),
                                       saved.before or None, saved.after or None))
    what = {"new": "Add", "edit": "Edit", "delete": "Delete", "propose": "Propose",
            "verify": "Verify"}.get(change.action, "Change")
    try:
        saved.commit = commit_file(saved.path, f"{what} {change.section[:-1]} {saved.item_id}"
                                   f"\n\nSaved by {change.actor} with the toolkit's editor.",
                                   change.actor, email)
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        saved.commit_problem = f"saved, but not committed to git: {exc}"
    return saved
