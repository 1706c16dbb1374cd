"""`toolkit store migrate` and `toolkit store copy --to URL`."""

from __future__ import annotations

from pathlib import Path

import click

from toolkit.core import clock
from toolkit.core.problems import display_path
from toolkit.surfaces.cli.context import get_config


@click.group()
def store() -> None:
    """Upgrade the store's schema or copy the whole store into another (e.g. PostgreSQL)."""


@store.command()
@click.pass_context
def migrate(ctx: click.Context) -> None:
    """Apply the store's pending schema migrations (each once, even with several processes)."""
    from toolkit.scheduler.runner import record_missing_facts
    from toolkit.store import Store
    from toolkit.store.blobs import import_files, unstored
    from toolkit.store.store import safe_url

    url = get_config(ctx).store_url
    opened = Store(url)
    recorded = record_missing_facts(opened, get_config(ctx), clock.now())
    with opened.write_transaction() as conn:  # files another machine could not read (012)
        moved, lacking = import_files(conn, clock.now()), unstored(conn)
    opened.close()
    if opened.applied_migrations:
        click.echo(f"{safe_url(url)}: applied {', '.join(opened.applied_migrations)}")
    else:
        click.echo(f"{safe_url(url)}: up to date")
    if moved:
        click.echo(f"moved {moved} frozen image(s) into the store from their files")
    if lacking:
        click.echo(f"warning: {lacking} frozen image(s) of posts still to publish are not in "
                   "the store (their files are missing or changed here): run `toolkit store "
                   "migrate` where the old image folder is before deleting it", err=True)
    if recorded:
        click.echo(f"recorded the facts of {recorded} post(s) approved before approvals "
                   "recorded them (derived from their frozen text)")


@store.command()
@click.option("--to", "target_url", required=True, metavar="URL",
              help="The empty store to copy into, e.g. postgresql://user@host/db "
                   "(a password in it is never printed).")
@click.option("--media", "media", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Also export the approved (frozen) images as files into this "
              "folder, e.g. a `store.media` cache. The store itself carries them either way.")
@click.pass_context
def copy(ctx: click.Context, target_url: str, media: Path | None) -> None:
    """Copy every post (with its approved images), the audit log and account holds into an
    empty store."""
    from toolkit.store import Store
    from toolkit.store.copy import IMAGES, copy_store, summary
    from toolkit.store.store import safe_url

    source = Store(get_config(ctx).store_url)
    try:
        target = Store(target_url)
        try:
            counts = copy_store(source, target, media)
        finally:
            target.close()
    finally:
        source.close()
    click.echo(f"copied {summary(counts)} to {safe_url(target_url)}")
    if media is not None and counts.get(IMAGES):
        click.echo(f"approved images also exported to {display_path(media)}/", err=True)
