"""The schedule as one static HTML page (`toolkit schedule --html`), rendered from the same
templates as the web app: self-contained (styles inline), no scripts, no external assets."""

from __future__ import annotations

from collections.abc import Iterable
from zoneinfo import ZoneInfo

from toolkit.pages.review.view import STATIC, by_day, environment, items_of
from toolkit.store import Post


def to_html(posts: Iterable[Post], title: str, tz: ZoneInfo,
            warnings: Iterable[str] = ()) -> str:
    """Render posts as a self-contained page, grouped by day in `tz`."""
    return environment().get_template("schedule.html").render(
        standalone=True, css=(STATIC / "review.css").read_text(encoding="utf-8"),
        title=title, tz=tz.key, warnings=list(warnings), agenda=by_day(items_of(posts, tz)))
