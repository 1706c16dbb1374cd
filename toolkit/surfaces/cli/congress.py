"""`toolkit congress update DIR`: refresh the member data from the upstream project."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from toolkit.core import clock
from toolkit.core.errors import InputError
from toolkit.surfaces.cli.context import get_config


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option} must be a date like 2027-01-03, not {value!r}") from None


@click.group()
def congress() -> None:
    """Members of Congress for the supporter site's "Call your members"."""


@congress.command()
@click.argument("source_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--as-of", "as_of", help="Date of the upstream checkout (default: today).")
@click.option("--review-by", "review_by",
              help="When the list must be refreshed (default: the day this Congress ends).")
@click.pass_context
def update(ctx: click.Context, source_dir: Path, as_of: str | None,
           review_by: str | None) -> None:
    """Rebuild members/congress.yaml from SOURCE_DIR, a checkout of
    unitedstates/congress-legislators; the old file stays when anything is invalid."""
    from toolkit.core.problems import display_path
    from toolkit.pages.congress.loader import members_path
    from toolkit.pages.congress.update import update_roster

    config = get_config(ctx)
    day = _date(as_of, "--as-of") or clock.today(config.timezone)
    target = members_path(config)
    count = update_roster(source_dir, target, day, _date(review_by, "--review-by"))
    click.echo(f"{display_path(target)}: {count} members as of {day}")
