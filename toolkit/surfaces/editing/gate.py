"""The editor's gate: `toolkit check` run on the library as it would be after a change (the
changed file's new text stands in for it while it is read), so the editor and `check` can never
disagree. A change is refused when it brings an error that was not there before, or leaves one
in the edited item; warnings are shown and saved."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from toolkit.core.config import Config
from toolkit.core.problems import Problem, Problems, display_path
from toolkit.core.yamlload import pending_texts
from toolkit.library.writer import item_span
from toolkit.surfaces.validate import check_config


@dataclass
class Verdict:
    """What `check` says about an item after a change."""

    #: the problems of the item itself (errors and warnings), as `check` words them
    problems: list[Problem] = field(default_factory=list)
    #: the errors that keep the change from being saved
    blocking: list[Problem] = field(default_factory=list)


def check_pending(config: Config, texts: dict[Path, str], today: date | None = None) -> Problems:
    """Every problem `toolkit check` would report with `texts` written into their files."""
    with pending_texts(texts):
        return check_config(config, today=today)


def _key(p: Problem) -> tuple[str, str, str]:
    return p.path, p.level, p.message


def item_problems(after: Problems, path: Path, text: str, section: str,
                  item_id: str) -> list[Problem]:
    """The problems among `after` that belong to item `item_id` of `section` in file `path`
    written as `text`: on its lines, or naming it."""
    shown = display_path(path)
    span = item_span(text, section, item_id) or (0, -1)
    named = f"'{item_id}'"
    return [p for p in after if (p.path == shown and span[0] <= p.line <= span[1])
            or named in p.message]


def judge(config: Config, path: Path, text: str, section: str, item_id: str,
          today: date | None = None, before: Problems | None = None) -> Verdict:
    """The verdict on file `path` written as `text`, for item `item_id` of `section`
    (`before`: the problems of the library as it is, when already known)."""
    before = check_config(config, today=today) if before is None else before
    after = check_pending(config, {path: text}, today)
    mine = item_problems(after, path, text, section, item_id)
    old = {_key(p) for p in before.errors}
    blocking = [p for p in after.errors if p in mine or _key(p) not in old]
    return Verdict(mine, blocking)
