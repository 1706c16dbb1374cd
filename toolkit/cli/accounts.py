"""`toolkit accounts test`: check each configured platform account once."""

from __future__ import annotations

import os

import click

from toolkit.cli.context import get_config
from toolkit.errors import ToolkitError


@click.group()
def accounts() -> None:
    """Platform accounts."""


@accounts.command("test")
@click.pass_context
def test(ctx: click.Context) -> None:
    """Call each platform once (who am I?) and report the account or a clear error."""
    from toolkit.publish.keys import missing_variables
    from toolkit.secrets import load_dotenv_file

    config = get_config(ctx)
    load_dotenv_file(config.root)
    failures = 0
    for account in config.accounts.values():
        label = f"{account.name} ({account.platform})"
        if account.platform == "outbox":
            click.echo(f"{label}: ok, writes posts to {config.outbox_dir}")
            continue
        missing = missing_variables(account, os.environ)
        if missing:
            fallback = ("; its posts go to the outbox" if config.fallback_to_outbox
                        else "; its posts cannot be published")
            click.echo(f"{label}: not connected, missing {', '.join(missing)}{fallback}")
            failures += not config.fallback_to_outbox
            continue
        if account.platform != "x":
            click.echo(f"{label}: keys set, but this version has no {account.platform} "
                       "publisher")
            continue
        from toolkit.publish.x import XPublisher

        try:
            name = XPublisher.from_env(account, os.environ).who_am_i()
        except ToolkitError as exc:
            click.echo(f"{label}: error: {exc.message}")
            failures += 1
            continue
        click.echo(f"{label}: ok, connected as @{name}")
    if failures:
        ctx.exit(1)
