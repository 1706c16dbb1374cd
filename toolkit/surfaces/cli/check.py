"""`toolkit check`: validate the config and library, every problem as `path:line`."""

from __future__ import annotations

import click

from toolkit.core.config import config_path
from toolkit.surfaces.cli.context import print_json, use_length_cache
from toolkit.surfaces.validate import run_checks


@click.command()
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
@click.pass_context
def check(ctx: click.Context, strict: bool, as_json: bool) -> None:
    """Validate the config and post library; exit 1 on any error (or warning with --strict)."""
    path = config_path(ctx.obj.get("config_path"))
    use_length_cache(ctx, path)
    problems = run_checks(path, strict=strict)
    failing = problems.errors or (strict and problems.warnings)
    if as_json:
        print_json({"ok": not failing, "problems": [p.as_dict() for p in problems],
                    "notes": problems.notes})
    else:
        for p in problems:
            click.echo(str(p), err=False)
        for note in problems.notes:
            click.echo(f"note: {note}", err=True)
        e, w = len(problems.errors), len(problems.warnings)
        summary = f"{e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}"
        click.echo(("check failed: " if failing else "check passed: ") + summary, err=True)
    if failing:
        ctx.exit(1)
