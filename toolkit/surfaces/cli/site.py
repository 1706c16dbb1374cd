"""`toolkit site build`: the supporters' share kit, a static folder for any static host."""

from __future__ import annotations

from pathlib import Path

import click

from toolkit.surfaces.cli.context import get_config


@click.group()
def site() -> None:
    """Build the supporters' share kit (a static site)."""


@site.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: site.out in the config).")
@click.option("--force", is_flag=True, help="Make every file again, changed or not.")
@click.option("--allow-stale-members", is_flag=True,
              help="Publish member data past its review date, marked as possibly out of date.")
@click.pass_context
def build(ctx: click.Context, out_dir: Path | None, force: bool,
          allow_stale_members: bool) -> None:
    """Write the share kit: one page per language, verified graphics, ZIPs, thumbnails and
    "Call your members" (a page and a JSON file per state)."""
    from toolkit.core.placeholders import site_notice
    from toolkit.pages.site.build import build_site

    config = get_config(ctx)
    result = build_site(config, out_dir=out_dir, force=force,
                        allow_stale_members=allow_stale_members)
    click.echo(result.summary())
    notice = site_notice(config)
    if notice:
        click.echo(notice, err=True)
