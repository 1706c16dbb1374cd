"""`toolkit queue …`: comms staff queue posts; leads approve them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from toolkit.cli.context import actor_name, get_config, get_library, get_store, print_json
from toolkit.cli.table import print_table
from toolkit.errors import InputError
from toolkit.store import STATUSES


def _planner(ctx: click.Context):  # noqa: ANN202
    from toolkit.queue import Planner

    return Planner(get_config(ctx), get_library(ctx), get_store(ctx))


def _now() -> datetime:
    return datetime.now(UTC)


def _time(ctx: click.Context, value: str) -> datetime:
    from toolkit.slots import parse_time

    return parse_time(value, get_config(ctx).timezone)


@click.group()
def queue() -> None:
    """Queue, approve, cancel, reschedule and resolve posts."""


@queue.command("add")
@click.argument("message_id")
@click.option("--at", "at", help="ISO 8601 time (no offset: campaign timezone). "
              "Default: the next free posting slot.")
@click.option("--platform", "-p", default="x", show_default=True)
@click.option("--lang", "-l", default=None, help="Language (default: the campaign's first).")
@click.option("--by", default=None, help="Who queues it (default: login name).")
@click.pass_context
def add(ctx: click.Context, message_id: str, at: str | None, platform: str, lang: str | None,
        by: str | None) -> None:
    """Queue MESSAGE_ID as a draft; prints its id."""
    config = get_config(ctx)
    when = _time(ctx, at) if at else None
    post_id = _planner(ctx).add(message_id, platform, lang or config.languages[0], when, _now(),
                                actor_name(by))
    post = get_store(ctx).get(post_id)
    click.echo(post_id)
    click.echo(f"queued {message_id} ({post.lang}) for {platform} at "
               f"{post.scheduled_at.astimezone(config.timezone).isoformat()} as draft", err=True)


@queue.command("import")
@click.argument("csv_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--by", default=None)
@click.pass_context
def import_(ctx: click.Context, csv_file: Path, by: str | None) -> None:
    """Add every row of CSV_FILE (message_id,at,platform,lang): all rows or none."""
    ids = _planner(ctx).import_csv(csv_file, _now(), actor_name(by))
    click.echo(f"imported {len(ids)} posts as drafts", err=True)


@queue.command("list")
@click.option("--status", "-s", type=click.Choice(STATUSES), multiple=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def list_(ctx: click.Context, status: tuple[str, ...], as_json: bool) -> None:
    """The queue, in time order."""
    config = get_config(ctx)
    posts = get_store(ctx).list(list(status) or None)
    if as_json:
        print_json([p.as_dict() for p in posts])
        return
    print_table(["id", "when (" + config.timezone.key + ")", "platform", "lang", "status",
                 "message", "text"],
                [[p.id, p.scheduled_at.astimezone(config.timezone).strftime("%a %Y-%m-%d %H:%M"),
                  p.platform, p.lang, p.status, p.message_id, p.text] for p in posts])


@queue.command("approve")
@click.argument("ids", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Approve every draft.")
@click.option("--by", default=None, help="Who approves (default: login name).")
@click.pass_context
def approve(ctx: click.Context, ids: tuple[str, ...], all_: bool, by: str | None) -> None:
    """Approve drafts: their text and media are frozen as reviewed."""
    if not ids and not all_:
        raise InputError("give post ids or --all")
    result = _planner(ctx).approve(None if all_ else list(ids), actor_name(by), _now())
    for pid, why in result.refused.items():
        click.echo(f"refused {pid}: {why}", err=True)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"approved {len(result.approved)}, refused {len(result.refused)}", err=True)
    if result.refused and not all_:
        ctx.exit(1)


@queue.command("cancel")
@click.argument("post_id")
@click.option("--by", default=None)
@click.pass_context
def cancel(ctx: click.Context, post_id: str, by: str | None) -> None:
    """Cancel a post that has not been published."""
    _planner(ctx).cancel(post_id, actor_name(by), _now())
    click.echo(f"cancelled {post_id}", err=True)


@queue.command("reschedule")
@click.argument("post_id")
@click.option("--at", "at", required=True, help="New ISO 8601 time.")
@click.option("--by", default=None)
@click.pass_context
def reschedule(ctx: click.Context, post_id: str, at: str, by: str | None) -> None:
    """Move a post to a new time (an approved one goes back to draft)."""
    post = _planner(ctx).reschedule(post_id, _time(ctx, at), actor_name(by), _now())
    click.echo(f"{post_id} is now {post.status} at {post.scheduled_at.isoformat()}", err=True)


@queue.command("resolve")
@click.argument("post_id")
@click.option("--published", "url", help="It did go out: its URL.")
@click.option("--not-published", is_flag=True, help="It did not go out: back to draft.")
@click.option("--by", default=None)
@click.pass_context
def resolve(ctx: click.Context, post_id: str, url: str | None, not_published: bool,
            by: str | None) -> None:
    """Settle a post that needs a person (needs_check, missed, failed)."""
    if bool(url) == not_published:
        raise InputError("give exactly one of --published URL or --not-published")
    post = _planner(ctx).resolve(post_id, url, actor_name(by), _now())
    click.echo(f"{post_id} is now {post.status}", err=True)
