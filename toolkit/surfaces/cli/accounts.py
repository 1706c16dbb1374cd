"""`toolkit accounts test`: check each configured platform account once; `toolkit accounts
disconnect`: end an account's saved session at once."""

from __future__ import annotations

import os

import click

from toolkit.core.errors import ToolkitError
from toolkit.surfaces.cli.context import get_config, get_store


@click.group()
def accounts() -> None:
    """Platform accounts."""


@accounts.command("test")
@click.pass_context
def test(ctx: click.Context) -> None:
    """Call each configured account once (who am I?) and report it or a clear error."""
    from toolkit.core.platforms import platform_info
    from toolkit.core.secrets import load_dotenv_file
    from toolkit.publishers.registry import connect, unavailable
    from toolkit.publishers.tokens import token_lifetime

    config = get_config(ctx)
    load_dotenv_file(config.root)
    failures = 0
    for account in config.accounts.values():
        label = f"{account.name} ({account.platform})"
        why = unavailable(account, os.environ)
        if why:
            fallback = ("; its posts go to the outbox" if config.fallback_to_outbox
                        else "; its posts cannot be published")
            click.echo(f"{label}: not connected, {why}{fallback}")
            failures += not config.fallback_to_outbox
            continue
        try:
            publisher = connect(config, account, os.environ)
            who = publisher.who_am_i()
            lifetime = token_lifetime(config, account, publisher)
        except ToolkitError as exc:
            click.echo(f"{label}: error: {exc.message}")
            failures += 1
            continue
        click.echo(f"{label}: ok, {platform_info(account.platform).who_am_i_format.format(who)}"
                   f"{lifetime}")
    if failures:
        ctx.exit(1)


@accounts.command("disconnect")
@click.argument("names", nargs=-1, required=True)
@click.pass_context
def disconnect(ctx: click.Context, names: tuple[str, ...]) -> None:
    """End the saved session of each named account at once, on every machine sharing the store
    (after revoking its app password, a saved access token would otherwise keep posting until it
    expires, up to ~2 hours)."""
    from toolkit.core import clock
    from toolkit.publishers.sessions import disconnect as end_session
    from toolkit.store.ops import mark_signed_out

    config = get_config(ctx)
    unknown = [n for n in names if n not in config.accounts]
    if unknown:
        raise ToolkitError(f"unknown account '{unknown[0]}' (configured: "
                           f"{', '.join(config.accounts)})")
    for name in names:
        click.echo(end_session(config, config.accounts[name]))
    store = get_store(ctx)
    for name in names:
        mark_signed_out(store, name, clock.now())
        click.echo(f"{name}: disconnect recorded in the store; every scheduler sharing it "
                   "signs in anew before its next post")
