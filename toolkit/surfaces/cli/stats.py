"""`toolkit stats collect [--now]` and `toolkit stats report --by … [--since DATE] [--json|--csv]`:
what worked, from the public counts of what the scheduler published."""

from __future__ import annotations

import click

from toolkit.core import clock
from toolkit.operations.insights.report import GROUPINGS
from toolkit.surfaces.cli.context import get_config, get_store, get_toolkit, print_json


@click.group()
def stats() -> None:
    """Engagement counts of published posts: collect them, report what worked."""


@stats.command()
@click.option("--now", "take", is_flag=True,
              help="Read the due samples from the platforms now (without it: list them).")
@click.pass_context
def collect(ctx: click.Context, take: bool) -> None:
    """Take the samples due now (+1 h, +24 h, +7 days after publishing); for cron: --now."""
    from toolkit.core.insights_settings import offset_label
    from toolkit.core.secrets import load_dotenv_file
    from toolkit.operations.insights.collect import Collector

    config = get_config(ctx)
    store = get_store(ctx)
    load_dotenv_file(config.root)
    collector = Collector(config, store)
    now = clock.now()
    if not take:
        due, late = collector.due(now)
        per: dict[str, int] = {}
        for d in due:
            key = f"{d.platform} +{offset_label(d.offset)}"
            per[key] = per.get(key, 0) + 1
        click.echo(f"{len(due)} sample(s) due" + (": " + ", ".join(
            f"{k}: {n}" for k, n in sorted(per.items())) if per else "")
            + (f"; {len(late)} too late to take" if late else "")
            + ("; run with --now to read them" if due or late else ""))
        return
    click.echo(collector.run(now).summary())


@stats.command()
@click.option("--by", "by", type=click.Choice(GROUPINGS), default="message", show_default=True,
              help="What to group posts by.")
@click.option("--since", metavar="DATE", default=None,
              help="Only posts published on or after DATE (YYYY-MM-DD, campaign timezone).")
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the rows as CSV (for a spreadsheet).")
@click.pass_context
def report(ctx: click.Context, by: str, since: str | None, as_json: bool, as_csv: bool) -> None:
    """Per group: posts, the latest samples' sums, median and +24 h engagement per post."""
    from toolkit.operations.insights.export import report_posts, since_start, skipped, to_csv
    from toolkit.operations.insights.report import report as rollup

    if as_json and as_csv:
        raise click.UsageError("give --json or --csv, not both")
    tk = get_toolkit(ctx)
    start = since_start(since, tk.config.timezone)
    rows = rollup(report_posts(tk, start, cards=by == "card", skip=skipped(by)), by,
                  tk.config.timezone)
    if as_json:
        print_json(rows)
    elif as_csv:
        click.echo(to_csv(rows, by), nl=False)
    else:
        from toolkit.surfaces.cli.table import print_table

        print_table([by, "posts", "likes", "reposts", "replies", "quotes", "median/post",
                     "per post +24h"],
                    [(r["group"], r["posts"], _n(r["likes"]), _n(r["reposts"]),
                      _n(r["replies"]), _n(r["quotes"]), _n(r["median_per_post"]),
                      _n(r["per_post_24h"])) for r in rows])
        click.echo("Counts are public counts at the times sampled (+1 h, +24 h, +7 days).")


def _n(value: object) -> str:
    return "-" if value is None else str(value)
