"""`toolkit store migrate` and `toolkit store copy --to URL`."""

from __future__ import annotations

import click

from toolkit.cli.context import get_config


@click.group()
def store() -> None:
    """Upgrade the store's schema or copy the whole store into another (e.g. PostgreSQL)."""


@store.command()
@click.pass_context
def migrate(ctx: click.Context) -> None:
    """Apply the store's pending schema migrations (each once, even with several processes)."""
    from toolkit.store import Store
    from toolkit.store.store import safe_url

    url = get_config(ctx).store_url
    opened = Store(url)
    opened.close()
    if opened.applied_migrations:
        click.echo(f"{safe_url(url)}: applied {', '.join(opened.applied_migrations)}")
    else:
        click.echo(f"{safe_url(url)}: up to date")


@store.command()
@click.option("--to", "target_url", required=True, metavar="URL",
              help="The empty store to copy into, e.g. postgresql://user@host/db "
                   "(a password in it is never printed).")
@click.pass_context
def copy(ctx: click.Context, target_url: str) -> None:
    """Copy every post, the audit log and account holds into an empty store."""
    from toolkit.store import Store
    from toolkit.store.copy import copy_store, summary
    from toolkit.store.store import safe_url

    source = Store(get_config(ctx).store_url)
    try:
        target = Store(target_url)
        try:
            counts = copy_store(source, target)
        finally:
            target.close()
    finally:
        source.close()
    click.echo(f"copied {summary(counts)} to {safe_url(target_url)}")
