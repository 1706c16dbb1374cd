"""Problems found by checks, reported as `path:line: error|warning: message`."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

Level = Literal["error", "warning"]


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

    `notes` holds remarks that are neither errors nor warnings (never fail a check).
    """

    def __init__(self) -> None:
        super().__init__()
        self.notes: list[str] = []

    def error(self, path: Path | str, line: int, message: str) -> None:
        """Record an error."""
        self.append(Problem(display_path(path), line, "error", message))

    def warning(self, path: Path | str, line: int, message: str) -> None:
        """Record a warning."""
        self.append(Problem(display_path(path), line, "warning", message))

    @property
    def errors(self) -> list[Problem]:
        """Only the errors."""
        return [p for p in self if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Only the warnings."""
        return [p for p in self if p.level == "warning"]
