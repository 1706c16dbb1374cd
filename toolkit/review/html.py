"""The schedule as one static HTML page: posts grouped by day, with status and full text."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from html import escape
from itertools import groupby
from zoneinfo import ZoneInfo

from toolkit.store import Post
from toolkit.urls import safe_href

STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#13294b}
h1{font-size:1.5rem} h2{font-size:1.1rem;border-bottom:2px solid #f4b63f;padding-bottom:.2rem}
.post{border:1px solid #c9d3e3;border-radius:6px;padding:.6rem .8rem;margin:.5rem 0}
.meta{font-size:.85rem;color:#3b4a66}
.status{font-weight:700;padding:0 .4rem;border-radius:4px;background:#e8edf5}
.status-approved{background:#d7f0dd}.status-published{background:#bfe3c8}
.status-failed,.status-missed,.status-needs_check{background:#f9d6d5}
.text{white-space:pre-wrap;margin:.4rem 0 0}
.warn{background:#fff3cd;padding:.5rem .8rem;border-radius:6px}
"""


def to_html(posts: Iterable[Post], title: str, tz: ZoneInfo,
            warnings: Iterable[str] = ()) -> str:
    """Render posts as a self-contained page (no scripts, no external assets)."""
    parts = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
             f"<h1>{escape(title)}</h1>",
             f"<p class=meta>Times in {escape(tz.key)}.</p>"]
    for w in warnings:
        parts.append(f'<p class="warn">⚠ {escape(w)}</p>')
    ordered = sorted(posts, key=lambda p: p.scheduled_at)
    if not ordered:
        parts.append("<p>Nothing scheduled.</p>")
    for day, group in groupby(ordered, key=lambda p: p.scheduled_at.astimezone(tz).date()):
        parts.append(f"<section><h2>{escape(day.strftime('%A %d %B %Y'))}</h2>")
        for p in group:
            parts.append(_post(p, tz))
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _post(p: Post, tz: ZoneInfo) -> str:
    when: datetime = p.scheduled_at.astimezone(tz)
    href = safe_href(p.url)
    link = (f' · <a href="{escape(href)}">published</a>' if href else
            f" · published at <code>{escape(p.url)}</code>" if p.url else "")
    media = "".join(f'<div class=meta>image: {escape(m.get("alt", ""))}</div>' for m in p.media)
    return (f'<article class="post" id="post-{escape(p.id)}" lang="{escape(p.lang)}">'
            f'<div class="meta">{when:%H:%M} · {escape(p.platform)} · {escape(p.lang)} · '
            f'<span class="status status-{escape(p.status)}">{escape(p.status)}</span> · '
            f'{escape(p.message_id)} · <code>{escape(p.id)}</code>{link}</div>'
            f'<p class="text">{escape(p.text)}</p>{media}</article>')
