"""`toolkit graphics build` and `toolkit graphics sheet`: render the share graphics."""

from __future__ import annotations

from pathlib import Path

import click

from toolkit.core.errors import InputError
from toolkit.core.problems import display_path
from toolkit.surfaces.cli.context import get_config, get_library


@click.group()
def graphics() -> None:
    """Render share graphics (build, sheet)."""


@graphics.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: graphics.out in the config).")
@click.option("--force", is_flag=True, help="Render every graphic, changed or not.")
@click.option("--jobs", "-j", type=int, default=None,
              help="Worker processes (default: all cores; 1 renders in this process).")
@click.option("--include-unverified", is_flag=True,
              help="Also render cards with an unverified statistic, with a 'DRAFT – unverified' "
                   "band, into <out>-drafts/ (never into the supporters' folder).")
@click.pass_context
def build(ctx: click.Context, out_dir: Path | None, force: bool, jobs: int | None,
          include_unverified: bool) -> None:
    """Render every verified card in every format and language, and write manifest.json."""
    from toolkit.graphics.build import build as run_build

    if jobs is not None and jobs < 1:
        raise InputError("--jobs must be at least 1")
    config, library = get_config(ctx), get_library(ctx)
    result = run_build(config, library, out_dir=out_dir, force=force, jobs=jobs, progress=True,
                       include_unverified=include_unverified)
    click.echo(result.summary())
    # the next identical command, nothing changed, replays it (toolkit.surfaces.launch)
    if not force:
        from toolkit.graphics import uptodate

        uptodate.record(config, result)


@graphics.command()
@click.argument("card")
@click.option("--lang", "langs", multiple=True,
              help="Language (default: the campaign's first); repeat it to stack languages.")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="PNG to write (default: build/<card>-sheet-<lang>.png beside the config's "
                   "folder; never the supporters' graphics folder).")
@click.pass_context
def sheet(ctx: click.Context, card: str, langs: tuple[str, ...], out_file: Path | None) -> None:
    """A contact sheet of one card in every format, for review by eye."""
    from toolkit.graphics.sheet import contact_sheet, stack_sheets, write_sheet

    config, library = get_config(ctx), get_library(ctx)
    langs = langs or (config.languages[0],)
    image = stack_sheets([contact_sheet(config, library, card, lang) for lang in langs])
    name = f"{card}-sheet-{'-'.join(langs)}.png"
    path = (out_file or config.root.parent / "build" / name).resolve()
    if path.parent.is_relative_to(config.graphics_dir.resolve()):
        raise InputError(f"--out {display_path(path)}: the contact sheet is for review and "
                         "stays out of the supporters' graphics folder")
    path = write_sheet(image, path)
    click.echo(f"wrote {display_path(path)} ({image.width}×{image.height})")
