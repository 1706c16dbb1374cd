"""`toolkit feed rotate-token`: a new secret URL for the calendar feed; the old one stops."""

from __future__ import annotations

import click

from toolkit.surfaces.cli.context import get_config, get_store


@click.group()
def feed() -> None:
    """The review app's calendar feed (/calendar.ics)."""


@feed.command("rotate-token")
@click.pass_context
def rotate_token(ctx: click.Context) -> None:
    """Make a new feed token and print the feed's URL (shown once; the old URL stops)."""
    from toolkit.pages.review.feed import rotate_token as rotate
    from toolkit.store.web import WebStore

    token = rotate(WebStore(get_store(ctx)))
    base = get_config(ctx).web.base_url or "http://127.0.0.1:8000"
    click.echo(f"{base}/calendar.ics?token={token}")
    click.echo("the previous feed URL no longer works; subscribe again with this one", err=True)
