"""`toolkit review link|links|revoke`: sign-off links for reviewers outside the team."""

from __future__ import annotations

from datetime import timedelta

import click

from toolkit.core import clock
from toolkit.core.errors import InputError
from toolkit.store.signoff import MAX_DAYS
from toolkit.surfaces.cli.context import actor_name, get_config, get_store
from toolkit.surfaces.cli.table import print_table


def link_url(base_url: str, token: str) -> str:
    """The address a reviewer opens (`web.base_url`, else the local review app's)."""
    return f"{base_url or 'http://127.0.0.1:8000'}/review/{token}"


def _signoffs(ctx: click.Context):
    from toolkit.store.signoff import SignoffStore

    return SignoffStore(get_store(ctx))


@click.group()
def review() -> None:
    """Sign-off links for reviewers outside the team (link, links, revoke)."""


@review.command("link")
@click.argument("post_ids", nargs=-1, required=True)
@click.option("--days", type=int, default=7, show_default=True,
              help=f"Days the link works (1 to {MAX_DAYS}).")
@click.option("--name", default="Review", show_default=True,
              help='The sign-off it gives, e.g. "Legal" (see review.require_signoff).')
@click.option("--by", default=None, help="Who makes it (default: login name).")
@click.pass_context
def link(ctx: click.Context, post_ids: tuple[str, ...], days: int, name: str,
         by: str | None) -> None:
    """Make a sign-off link for POST_IDS; prints its URL (shown once)."""
    if not 1 <= days <= MAX_DAYS:
        raise InputError(f"--days must be 1 to {MAX_DAYS}, not {days}")
    now = clock.now()
    found, token = _signoffs(ctx).create_link(post_ids, name, actor_name(by), now,
                                             now + timedelta(days=days))
    click.echo(link_url(get_config(ctx).web.base_url, token))
    click.echo(f"link {found.id} ({found.name}) for {len(found.post_ids)} post(s), valid "
               f"{days} day(s); the URL is shown only now; revoke with `toolkit review revoke "
               f"{found.id}`", err=True)


@review.command("links")
@click.pass_context
def links(ctx: click.Context) -> None:
    """Every sign-off link: its posts, until when, and whether it still works."""
    tz, now = get_config(ctx).timezone, clock.now()
    rows = []
    for k in _signoffs(ctx).links():
        state = "revoked" if k.revoked_at else ("expired" if now >= k.expires_at else "live")
        rows.append([k.id, k.name, " ".join(k.post_ids), k.created_by,
                     k.expires_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"), state])
    print_table(["id", "name", "posts", "by", f"until ({tz.key})", "state"], rows)


@review.command("revoke")
@click.argument("link_id")
@click.option("--by", default=None, help="Who revokes it (default: login name).")
@click.pass_context
def revoke(ctx: click.Context, link_id: str, by: str | None) -> None:
    """Stop a sign-off link at once (its sign-offs stay)."""
    found = _signoffs(ctx).revoke(link_id, actor_name(by), clock.now())
    click.echo(f"revoked link {found.id} ({found.name})", err=True)
