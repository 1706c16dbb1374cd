"""Plain-text tables for the terminal (no dependency, stable for tests and pipes)."""

from __future__ import annotations

from collections.abc import Sequence

import click


def format_table(headers: Sequence[str], rows: Sequence[Sequence[object]],
                 max_width: int = 60) -> str:
    """Left-aligned columns separated by two spaces; cells cut at `max_width` with '…'."""

    def cell(v: object) -> str:
        s = "" if v is None else str(v).replace("\n", " ")
        return s if len(s) <= max_width else s[: max_width - 1] + "…"

    cells = [[cell(h) for h in headers]] + [[cell(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Print a table to stdout."""
    click.echo(format_table(headers, rows))
