"""`toolkit queue show ID`: one post with everything a reviewer needs to judge it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from toolkit.core.config import Config
from toolkit.core.errors import ToolkitError
from toolkit.planning.slots import show_time
from toolkit.store.models import iso_utc


def _statistics(library: Any, message_id: str) -> tuple[list[dict], str | None]:
    message = library.messages.get(message_id)
    if message is None:
        return [], f"message '{message_id}' is no longer in the library"
    out = []
    for sid in library.statistic_ids_of(message):
        stat = library.statistics.get(sid)
        if stat is None:
            out.append({"id": sid, "missing": True})
            continue
        out.append({"id": sid, "display": stat.display, "source": stat.source_name,
                    "source_url": stat.source_url, "as_of": stat.as_of_text,
                    "verified": stat.verified, "verified_by": stat.review.verified_by or None,
                    "verified_at": stat.review.verified_at or None})
    return out, None


def post_details(config: Config, store: Any, post_id: str,
                 library: Callable[[], Any]) -> dict:
    """The post as a dict: its stored fields, the statistics its message rests on (with source
    and as-of date, from the current library) and its audit history."""
    post = store.get(post_id)
    details = post.as_dict()
    details["revision"] = post.version
    try:
        details["statistics"], note = _statistics(library(), post.message_id)
    except ToolkitError as exc:  # the post is still worth showing
        details["statistics"], note = [], f"the library cannot be loaded: {exc.message}"
    details["note"] = note
    details["history"] = [{"at": iso_utc(a.at), "from": a.from_status, "to": a.to_status,
                           "actor": a.actor, "detail": a.detail}
                          for a in store.audit_log(post_id)]
    details["timezone"] = config.timezone.key
    details["scheduled_local"] = show_time(post.scheduled_at, config.timezone)
    return details


def print_details(d: dict) -> None:
    """The details as readable text."""
    click.echo(f"post {d['id']}: {d['message_id']} ({d['lang']}) on {d['platform']} "
               f"as {d['account']}")
    click.echo(f"status: {d['status']}   at: {d['scheduled_local']} ({d['timezone']})   "
               f"revision: {d['revision']}")
    if d.get("url"):
        click.echo(f"url: {d['url']}")
    if d.get("last_error"):
        click.echo(f"last error: {d['last_error']}")
    click.echo("\ntext:")
    click.echo(d["text"])
    for m in d.get("media") or []:
        click.echo(f"\nimage: {m.get('path')}")
        click.echo(f"alt text: {m.get('alt', '')}")
    click.echo("\nstatistics:")
    for s in d["statistics"]:
        if s.get("missing"):
            click.echo(f"  {s['id']}: no longer in the library")
            continue
        mark = (f"  (verified by {s['verified_by']})" if s.get("verified_by") else "") \
            if s["verified"] else "  [NOT VERIFIED]"
        click.echo(f"  {s['id']}: {s['display'].get(d['lang'], '')} — {s['source']}, as of "
                   f"{s['as_of']} <{s['source_url']}>{mark}")
    if not d["statistics"]:
        click.echo(f"  {d['note'] or 'none'}")
    click.echo("\nhistory:")
    for h in d["history"]:
        click.echo(f"  {h['at']}  {h['from'] or '-'} -> {h['to']}  by {h['actor']}"
                   f"{': ' + h['detail'] if h['detail'] else ''}")
