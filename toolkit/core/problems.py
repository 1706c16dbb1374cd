"""Problems found by checks, reported as `path:line: error|warning: message`."""

from __future__ import annotations

import reprlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

Level = Literal["error", "warning"]

#: longest value an error message shows; longer ones are cut, with an ellipsis
SHOWN_MAX = 80
#: longest message one problem or error line carries
MESSAGE_MAX = 400


class _ShortRepr(reprlib.Repr):
    """`reprlib` that also abbreviates the YAML loader's `Node`/`NodeList` (dict/list)."""

    def repr_Node(self, x: dict, level: int) -> str:  # reprlib's naming
        return self.repr_dict(x, level)

    def repr_NodeList(self, x: list, level: int) -> str:
        return self.repr_list(x, level)


_REPR = _ShortRepr()
_REPR.maxlevel, _REPR.maxlist, _REPR.maxdict = 3, 8, 6
_REPR.maxstring = _REPR.maxother = _REPR.maxlong = SHOWN_MAX


def cut(text: str, limit: int = MESSAGE_MAX) -> str:
    """`text` if it is at most `limit` characters, else its start and an ellipsis."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def shown(value: object, limit: int = SHOWN_MAX) -> str:
    """A value as an error message shows it: its repr, cut to `limit` characters (a large
    list or mapping is abbreviated first, never written out whole)."""
    return cut(_REPR.repr(value), limit)


@dataclass(frozen=True, order=True)
class Problem:
    """One finding of a check, anchored at a file and line."""

    path: str
    line: int
    level: Level
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.level}: {self.message}"

    def as_dict(self) -> dict:
        """The problem as a JSON-ready dict."""
        return asdict(self)


def display_path(path: Path | str) -> str:
    """A path relative to the working directory when it lies below it, else as given."""
    p = Path(path).resolve()
    try:
        return str(p.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)


class Problems(list[Problem]):
    """A list of problems that knows how to add one from a path and line.

    `notes` holds remarks that are neither errors nor warnings (never fail a check);
    `outdated` the errors that only say dated data has aged past its review date (see
    `outdated_error`): `make run` names them in one line and goes on, `check` fails on them.
    """

    def __init__(self) -> None:
        super().__init__()
        self.notes: list[str] = []
        self.outdated: list[Problem] = []

    def error(self, path: Path | str, line: int, message: str) -> None:
        """Record an error."""
        self.append(Problem(display_path(path), line, "error", cut(message)))

    def outdated_error(self, path: Path | str, line: int, message: str) -> None:
        """Record an error that says dated data is past its review date (the message names
        what to run to refresh it)."""
        self.error(path, line, message)
        self.outdated.append(self[-1])

    def warning(self, path: Path | str, line: int, message: str) -> None:
        """Record a warning."""
        self.append(Problem(display_path(path), line, "warning", cut(message)))

    @property
    def errors(self) -> list[Problem]:
        """Only the errors."""
        return [p for p in self if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Only the warnings."""
        return [p for p in self if p.level == "warning"]
