"""`toolkit status [--json]`: scheduler alive or not, what is due, what waits for a person.

Exit code 0 when all is well, 2 when no scheduler's heartbeat is fresh or the post library
does not load (nothing is published), 3 when posts wait for a
person (for cron jobs and monitors); 1 stays "Error: …" (e.g. the store cannot be opened).
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

import click

from toolkit.core import clock
from toolkit.surfaces.cli.context import get_config, get_store, print_json


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """Is the scheduler alive, what is next, what waits for a person (exit 2 / 3 if so)."""
    from toolkit.operations.health import status_report

    config = get_config(ctx)
    report, code = status_report(get_store(ctx, read_only=True), config, clock.now())
    if as_json:
        print_json(report)
    else:
        for line in status_lines(report, config.timezone):
            click.echo(line)
    ctx.exit(code)


def status_lines(report: dict[str, Any], tz: tzinfo) -> list[str]:
    """The status as lines for people, times in the campaign's timezone."""
    from toolkit.operations.notify.messages import text_start

    def at(value: str | None) -> str:
        if value is None:
            return "-"
        return datetime.fromisoformat(value).astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")

    sched = report["scheduler"]
    lines = [f"Scheduler: {'alive' if sched['alive'] else 'DOWN'}"
             + ("" if sched["instances"] else " (no heartbeat recorded)")]
    for s in sched["instances"]:
        lines.append(f"  {s['host']} pid {s['pid']} v{s['version']}: "
                     f"{'alive' if s['alive'] else 'silent'}, heartbeat "
                     f"{s['heartbeat_age_seconds']:.0f} s ago; last wake {at(s['last_wake'])}, "
                     f"last dispatch {at(s['last_dispatch'])}, next wake {at(s['next_wake'])}")
        if s["last_error"]:
            lines.append(f"    last error: {s['last_error']}")
    if report["library"]["error"]:
        lines.append("Post library: CANNOT BE LOADED, so nothing is published until it loads "
                     f"again: {report['library']['error']}")
    site = report["site"]
    if site["expired"]:
        lines.append(f"Site: the built share kit is past its valid-until date "
                     f"{site['valid_until']} ({site['set_by']}'s review date): rebuild it "
                     "with `toolkit site build`")
    nxt = report["next_post"]
    lines.append("Next post due: " + ("none" if nxt is None else
                 f"{at(nxt['scheduled_at'])} on {nxt['platform']} ({nxt['account']})"))
    lines.append("Posts: " + ", ".join(f"{k} {v}" for k, v in report["counts"].items()))
    lines.append(f"Waiting for a person: {len(report['waiting'])}")
    for p in report["waiting"]:
        lines.append(f"  {p['id']} {p['status']} {p['platform']} ({p['account']}) "
                     f"{at(p['scheduled_at'])} \"{text_start(p['text'], 40)}\""
                     + (f": {p['last_error']}" if p["last_error"] else ""))
    for account, until in report["held_accounts"].items():
        lines.append(f"Account {account} held by a rate limit until {at(until)}")
    if report["notifications_unsent"]:
        lines.append(f"Notifications not sent yet: {report['notifications_unsent']}")
    last = report["last_error"]
    if last:
        lines.append(f"Last error: {at(last['at'])} post {last['post_id']} -> {last['status']}: "
                     f"{last['detail']}")
    return lines
