"""What the schedule pages show, shared by `toolkit schedule --html` and the web app:
posts grouped by day in the campaign's timezone, a week grid, and the template environment."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from itertools import groupby
from pathlib import Path
from zoneinfo import ZoneInfo

from toolkit.compose.urls import safe_href
from toolkit.store import Post

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
EXCERPT = 120


@dataclass
class Item:
    """One post as a page lists it."""

    post: Post
    when: datetime
    thumb: str | None = None
    flags: list[str] = field(default_factory=list)

    @property
    def excerpt(self) -> str:
        """The start of the text."""
        text = self.post.text
        return text if len(text) <= EXCERPT else text[:EXCERPT - 1].rstrip() + "…"


@dataclass
class Day:
    """A day in the campaign's timezone and its posts."""

    day: date
    items: list[Item]


def items_of(posts: Iterable[Post], tz: ZoneInfo,
             thumb: Callable[[Post], str | None] | None = None) -> list[Item]:
    """Posts as page items, times in `tz`."""
    return [Item(p, p.scheduled_at.astimezone(tz), thumb(p) if thumb else None) for p in posts]


def by_day(items: Iterable[Item]) -> list[Day]:
    """Items grouped by local day (only days that have posts)."""
    ordered = sorted(items, key=lambda i: i.when)
    return [Day(d, list(g)) for d, g in groupby(ordered, key=lambda i: i.when.date())]


def iso_seconds(value: datetime) -> str:
    """A valid HTML `<time datetime>`: UTC to the second with a Z (no microseconds)."""
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _redacted(value: object) -> object:
    """A value a template shows, secrets masked (markup stays markup)."""
    from markupsafe import Markup

    from toolkit.core.redact import redact

    if isinstance(value, Markup):
        return Markup(redact(str(value)))
    return redact(value) if isinstance(value, str) else value


def add_filters(env) -> None:  # a jinja2.Environment
    """The template filters both renderers share; every value a page shows has secrets
    masked (`toolkit.core.redact`)."""
    env.finalize = _redacted
    env.filters["safe_href"] = safe_href
    env.filters["isotime"] = iso_seconds
    env.filters["hhmm"] = lambda value: value.strftime("%H:%M")
    env.filters["dayname"] = lambda value: value.strftime("%a %d %b")
    env.filters["longday"] = lambda value: value.strftime("%A %d %B %Y")


@lru_cache(maxsize=1)
def environment():  # jinja2.Environment
    """The Jinja environment of the review templates, for pages rendered outside the app."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(),
                      trim_blocks=True, lstrip_blocks=True)
    add_filters(env)
    return env
