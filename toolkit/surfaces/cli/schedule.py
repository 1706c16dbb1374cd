"""`toolkit schedule`: the coming schedule for review, as a table, ICS, HTML or JSON."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click

from toolkit.core import clock
from toolkit.store import STATUSES
from toolkit.surfaces.cli.context import get_config, get_store, print_json
from toolkit.surfaces.cli.table import print_table


@click.command()
@click.option("--days", default=14, show_default=True, type=click.IntRange(1, 3660),
              help="How many days ahead.")
@click.option("--status", "-s", type=click.Choice(STATUSES), multiple=True,
              help="Only these statuses (default: all but cancelled).")
@click.option("--ics", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write an iCalendar file.")
@click.option("--html", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write an HTML calendar page.")
@click.option("--json", "as_json", is_flag=True, help="Print the posts as JSON.")
@click.pass_context
def schedule(ctx: click.Context, days: int, status: tuple[str, ...], ics: Path | None,
             html: Path | None, as_json: bool) -> None:
    """Show the schedule from today for review; warns when quotas would be passed."""
    from toolkit.planning.quotas import quota_warnings

    config = get_config(ctx)
    store = get_store(ctx, read_only=True)
    now = clock.now()
    start = now.astimezone(config.timezone).replace(hour=0, minute=0, second=0, microsecond=0)
    statuses = list(status) or [s for s in STATUSES if s != "cancelled"]
    end = start + timedelta(days=days)
    warnings = quota_warnings(config, store, now)
    if as_json and not ics and not html:  # the fast path: rows straight to JSON
        from toolkit.store.export import posts_json

        for w in warnings:
            click.echo(f"warning: {w}", err=True)
        click.echo(posts_json(store, statuses, start=start, end=end), nl=False)
        return
    posts = store.list(statuses, start=start, end=end)
    if ics:
        from toolkit.pages.review.ics import to_ics

        ics.write_text(to_ics(posts, config.name, now), encoding="utf-8", newline="")
        click.echo(f"wrote {ics} ({len(posts)} events)", err=True)
    if html:
        from toolkit.pages.review.html import to_html

        html.write_text(to_html(posts, f"{config.name}: schedule", config.timezone, warnings),
                        encoding="utf-8")
        click.echo(f"wrote {html}", err=True)
    for w in warnings:
        click.echo(f"warning: {w}", err=True)
    if as_json:
        print_json([p.as_dict() for p in posts])
        return
    tz = config.timezone
    print_table([f"when ({tz.key})", "id", "platform", "lang", "status", "message", "text"],
                [[p.scheduled_at.astimezone(tz).strftime("%a %Y-%m-%d %H:%M"), p.id,
                  p.platform, p.lang, p.status, p.message_id, p.text] for p in posts])
