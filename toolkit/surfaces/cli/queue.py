"""`toolkit queue …`: comms staff queue posts; leads approve them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from toolkit.core import clock
from toolkit.core.errors import InputError
from toolkit.store import STATUSES
from toolkit.surfaces.cli.context import (
    actor_name,
    get_config,
    get_library,
    get_store,
    get_toolkit,
    platform_choice,
    print_json,
)
from toolkit.surfaces.cli.table import print_table


def _planner(ctx: click.Context, bulk: bool = False):
    """The queue's rules over this invocation's parts; `bulk` work (import, approve) may run on
    the SQLAlchemy-free store (`Toolkit.bulk_store`)."""
    from toolkit.planning.queue import Planner

    store = get_toolkit(ctx).bulk_store() if bulk else get_store(ctx)
    return Planner(get_config(ctx), get_library(ctx), store)


def _time(ctx: click.Context, value: str) -> datetime:
    from toolkit.planning.slots import parse_time

    return parse_time(value, get_config(ctx).timezone)


def _when(ctx: click.Context, at: datetime) -> str:
    from toolkit.planning.slots import show_time

    return show_time(at, get_config(ctx).timezone)


BY_HELP = "Who does it, for the audit log (default: login name)."


class QueueGroup(click.Group):
    """Lists every subcommand with its whole first help line (never cut with '...')."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, (cmd.help or "").strip().splitlines()[0])
                for name, cmd in sorted(self.commands.items()) if not cmd.hidden]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=QueueGroup)
def queue() -> None:
    """Queue, show, approve, send back, resubmit, cancel, reschedule and resolve posts."""


@queue.command("add")
@click.argument("message_id")
@click.option("--at", "at", help="ISO 8601 time with a time of day (no offset: campaign "
              "timezone). Default: the next free posting slot.")
@click.option("--platform", "-p", type=platform_choice(), default="x", show_default=True,
              help="Platform to post on (one of the configured platforms).")
@click.option("--account", "-a", default=None,
              help="Account to post from (default: the platform's first configured account).")
@click.option("--lang", "-l", default=None, help="Language (default: the campaign's first).")
@click.option("--by", default=None, help="Who queues it (default: login name).")
@click.pass_context
def add(ctx: click.Context, message_id: str, at: str | None, platform: str,
        account: str | None, lang: str | None, by: str | None) -> None:
    """Queue MESSAGE_ID as a draft; prints its id."""
    config = get_config(ctx)
    when = _time(ctx, at) if at else None
    planner = _planner(ctx)
    post_id = planner.add(message_id, platform, lang or config.languages[0], when, clock.now(),
                          actor_name(by), account=account)
    post = get_store(ctx).get(post_id)
    for warning in planner.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(post_id)
    click.echo(f"queued {message_id} ({post.lang}) for {platform} ({post.account}) at "
               f"{_when(ctx, post.scheduled_at)} as draft", err=True)


@queue.command("import")
@click.argument("csv_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--by", default=None, help=BY_HELP)
@click.pass_context
def import_(ctx: click.Context, csv_file: Path, by: str | None) -> None:
    """Add every row of CSV_FILE (message_id,at[,platform,lang,account]): all rows or none."""
    planner = _planner(ctx, bulk=True)
    ids = planner.import_csv(csv_file, clock.now(), actor_name(by))
    for warning in planner.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"imported {len(ids)} posts as drafts", err=True)


@queue.command("show")
@click.argument("post_id")
@click.option("--json", "as_json", is_flag=True, help="Print the post as one JSON document.")
@click.pass_context
def show(ctx: click.Context, post_id: str, as_json: bool) -> None:
    """One post: full text, image and alt text, statistics with sources, audit history."""
    from toolkit.surfaces.cli.show import post_details, print_details

    details = post_details(get_config(ctx), get_store(ctx, read_only=True), post_id,
                           lambda: get_library(ctx))
    if as_json:
        print_json(details)
    else:
        print_details(details)


@queue.command("list")
@click.option("--status", "-s", type=click.Choice(STATUSES), multiple=True,
              help="Only posts in this status (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the posts as one JSON list.")
@click.pass_context
def list_(ctx: click.Context, status: tuple[str, ...], as_json: bool) -> None:
    """The queue, in time order."""
    from toolkit.store.quickread import list_posts

    config = get_config(ctx)
    posts = list_posts(config.store_url, get_toolkit(ctx).store_shape_file, status)
    if posts is None:  # first run, other code or schema: open the store (records its shape)
        posts = get_store(ctx, read_only=True).list(list(status) or None)
    if as_json:
        print_json([p.as_dict() for p in posts])
        return
    print_table(["id", "when (" + config.timezone.key + ")", "platform", "lang", "status",
                 "message", "text"],
                [[p.id, p.scheduled_at.astimezone(config.timezone).strftime("%a %Y-%m-%d %H:%M"),
                  p.platform, p.lang, p.status, p.message_id, p.text] for p in posts])


@queue.command("approve")
@click.argument("ids", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Approve every draft (each at the revision "
              "listed).")
@click.option("--rev", "revs", type=int, multiple=True, help="The revision you reviewed "
              "(`queue show` prints it); one per id, in order. A post changed since is refused.")
@click.option("--by", default=None, help="Who approves (default: login name).")
@click.pass_context
def approve(ctx: click.Context, ids: tuple[str, ...], all_: bool, revs: tuple[int, ...],
            by: str | None) -> None:
    """Approve drafts: their text and media are frozen as reviewed."""
    if not ids and not all_:
        raise InputError("give post ids or --all")
    if revs and (all_ or len(revs) != len(ids)):
        raise InputError("give one --rev per post id, in the same order (not with --all)")
    from toolkit.store.models import CHANGED

    seen = dict(zip(ids, revs, strict=True)) if revs else None
    planner, now = _planner(ctx, bulk=True), clock.now()
    # as the review app does before any action: a post sent back whose message was edited in
    # the library since is a draft again (with the new text), so this approval may cover it
    planner.return_edited("library edit", now)
    result = planner.approve(None if all_ else list(ids), actor_name(by), now, seen)
    order = list(dict.fromkeys(ids)) if ids and not all_ else [
        *result.approved, *result.refused, *result.stale, *result.changed]
    lines = []  # written at once: 10⁴ separate writes cost more than the approval's SQL
    for pid in order:
        if pid in result.revisions:
            lines.append(f"approved {pid} at revision {result.revisions[pid]}")
        elif pid in result.refused:
            lines.append(f"refused {pid}: {result.refused[pid]}")
        elif pid in result.stale:
            lines.append(f"refused {pid}: {CHANGED} (you named revision {seen[pid]}; it is now "
                         f"revision {result.stale[pid]}); see `toolkit queue show {pid}`")
        else:
            lines.append(f"changed meanwhile {pid}: it is now "
                         f"{result.changed.get(pid, 'gone')}; nothing done")
    lines += [f"warning: {warning}" for warning in result.warnings]
    lines.append(f"approved {len(result.approved)}, refused "
                 f"{len(result.refused) + len(result.stale)}, changed meanwhile "
                 f"{len(result.changed)}")
    click.echo("\n".join(lines), err=True)
    if result.refused or result.changed or result.stale:  # scripts can tell, --all too
        ctx.exit(1)


@queue.command("cancel")
@click.argument("post_id")
@click.option("--by", default=None, help=BY_HELP)
@click.pass_context
def cancel(ctx: click.Context, post_id: str, by: str | None) -> None:
    """Cancel a post that has not been published."""
    _planner(ctx).cancel(post_id, actor_name(by), clock.now())
    click.echo(f"cancelled {post_id}", err=True)


@queue.command("send-back")
@click.argument("post_id")
@click.option("--comment", required=True, help="What should change (joins the post's thread).")
@click.option("--by", default=None, help=BY_HELP)
@click.pass_context
def send_back(ctx: click.Context, post_id: str, comment: str, by: str | None) -> None:
    """Send a draft or approved post back with a comment: changes_requested, not approvable."""
    post = _planner(ctx).send_back(post_id, comment, actor_name(by), clock.now())
    click.echo(f"{post_id} is now {post.status}", err=True)


@queue.command("resubmit")
@click.argument("post_id")
@click.option("--reply", default="", help="Your answer to the comments (joins the thread).")
@click.option("--by", default=None, help=BY_HELP)
@click.pass_context
def resubmit(ctx: click.Context, post_id: str, reply: str, by: str | None) -> None:
    """Make a post sent back with changes requested a draft again, to be approved."""
    post = _planner(ctx).resubmit(post_id, actor_name(by), clock.now(), reply)
    click.echo(f"{post_id} is now {post.status}", err=True)


@queue.command("reschedule")
@click.argument("post_id")
@click.option("--at", "at", required=True, help="New ISO 8601 time with a time of day (no "
              "offset: campaign timezone).")
@click.option("--by", default=None, help=BY_HELP)
@click.pass_context
def reschedule(ctx: click.Context, post_id: str, at: str, by: str | None) -> None:
    """Move a post to a new time (an approved one goes back to draft)."""
    post = _planner(ctx).reschedule(post_id, _time(ctx, at), actor_name(by), clock.now())
    click.echo(f"{post_id} is now {post.status} at {_when(ctx, post.scheduled_at)}", err=True)


@queue.command("resolve")
@click.argument("post_id")
@click.option("--published", "url", help="It did go out: its https URL on the platform.")
@click.option("--not-published", is_flag=True, help="It did not go out: back to draft.")
@click.option("--by", default=None, help=BY_HELP)
@click.pass_context
def resolve(ctx: click.Context, post_id: str, url: str | None, not_published: bool,
            by: str | None) -> None:
    """Settle a post that needs a person (needs_check, missed, failed)."""
    if (url is not None) == not_published:
        raise InputError("give exactly one of --published URL or --not-published")
    post = _planner(ctx).resolve(post_id, url, actor_name(by), clock.now())
    click.echo(f"{post_id} is now {post.status}", err=True)
