"""`toolkit notify test` and `toolkit notify run`: the notification channels."""

from __future__ import annotations

import click

from toolkit.core import clock
from toolkit.core.errors import ConfigError
from toolkit.surfaces.cli.context import get_config, get_store


@click.group()
def notify() -> None:
    """Notification channels (apprise URLs named by environment variables)."""


@notify.command("test")
@click.pass_context
def test(ctx: click.Context) -> None:
    """Send a test message to every configured channel; exit 1 if one fails."""
    from toolkit.core.secrets import load_dotenv_file
    from toolkit.operations.notify.messages import render_test
    from toolkit.operations.notify.sender import AppriseSender

    config = get_config(ctx)
    load_dotenv_file(config.root)
    if not config.notify.channels:
        raise ConfigError("no notification channels configured (notify.channels in "
                                   f"{config.path.name})")
    sender = AppriseSender()
    failures = 0
    for ch in config.notify.channels.values():
        error = sender.send(ch, *render_test(ch.name, ch.lang))
        click.echo(f"{ch.name}: {'sent' if error is None else error}")
        failures += error is not None
    if failures:
        ctx.exit(1)


@notify.command("down")
@click.argument("unit")
@click.pass_context
def down(ctx: click.Context, unit: str) -> None:
    """Tell the channels that UNIT stopped for good (systemd's OnFailure= runs this)."""
    from toolkit.core.secrets import load_dotenv_file
    from toolkit.operations.notify.events import Event
    from toolkit.operations.notify.messages import render
    from toolkit.operations.notify.sender import AppriseSender

    config = get_config(ctx)
    load_dotenv_file(config.root)
    sender = AppriseSender()
    failures = 0
    for ch in config.notify.channels.values():
        if "down" not in ch.events or sender.url_of(ch) is None:
            continue
        title, body = render("down", [Event("down", f"down:{unit}", detail=unit)], ch.lang,
                             config.timezone, config.notify.web_url)
        error = sender.send(ch, title, body)
        click.echo(f"{ch.name}: {'sent' if error is None else error}")
        failures += error is not None
    if failures:
        ctx.exit(1)


@notify.command("run")
@click.pass_context
def run(ctx: click.Context) -> None:
    """Queue and send what is due now, once (for cron beside `scheduler.py --once`)."""
    from toolkit.core.secrets import load_dotenv_file
    from toolkit.operations.notify.notifier import Notifier

    config = get_config(ctx)
    load_dotenv_file(config.root)
    report = Notifier(config, get_store(ctx)).tick(clock.now())
    click.echo(f"queued {report.queued}, sent {report.sent}, failed {len(report.failed)}")
    if report.store_error or report.failed:
        ctx.exit(1)
