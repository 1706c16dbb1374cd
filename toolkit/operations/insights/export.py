"""The report's rows as CSV (for a spreadsheet) and the posts a report reads from the store."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime, time, tzinfo
from typing import TYPE_CHECKING

from toolkit.core.errors import InputError
from toolkit.operations.insights.report import PostStats, load_posts

if TYPE_CHECKING:
    from toolkit.library.models import Library
    from toolkit.surfaces.app import Toolkit

FIELDS = ("group", "posts", "likes", "reposts", "replies", "quotes", "sampled",
          "median_per_post", "per_post_24h")


def _cell(value: object) -> object:
    """A cell a spreadsheet shows as text: no formula from a name starting with = + - @."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return "" if value is None else value


def to_csv(rows: Sequence[dict], by: str) -> str:
    """The rows as CSV, headed by the grouping's name then the report's fields."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow((by, *FIELDS[1:]))
    for row in rows:
        writer.writerow([_cell(row.get(f)) for f in FIELDS])
    return out.getvalue()


def since_start(text: str | None, tz: tzinfo) -> datetime | None:
    """The start of day `text` (YYYY-MM-DD) in the campaign's timezone; None when not given."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"--since {text!r}: give a date as YYYY-MM-DD") from None
    return datetime.combine(day, time(0), tz)


def skipped(by: str) -> tuple[str, ...]:
    """The post columns a report grouped `by` does not need (`report_posts`'s `skip`)."""
    unused = ("text", "published_at")
    return unused if by in ("statistic", "claim", "card") else (*unused, "facts")


def report_posts(toolkit: Toolkit, since: datetime | None = None, cards: bool = True,
                 skip: tuple[str, ...] = ()) -> list[PostStats]:
    """The published posts (since `since`) with their samples, ready for `report`: read with
    sqlite3 when the store's recorded shape allows (no SQLAlchemy), else through the store;
    the library is loaded only when posts need it (a card, a post without a fact record) and
    counts as absent when it does not load. Columns in `skip` (`text`, `facts`,
    `published_at`) are not read from a SQLite store: None, where a report needs none."""
    from toolkit.store.quickread import read_rows
    from toolkit.store.reportrows import report_queries

    rows = read_rows(toolkit.config.store_url, toolkit.store_shape_file,
                     report_queries(since, skip))
    if rows is None:
        from toolkit.store.samples import published_with_samples

        rows = list(published_with_samples(toolkit.existing_store(), since))
    return load_posts(rows[0], rows[1], lambda: _library(toolkit), cards, "facts" not in skip)


def _library(toolkit: Toolkit) -> Library | None:
    from toolkit.core.errors import ToolkitError

    try:
        return toolkit.library
    except ToolkitError:
        return None
