"""`toolkit compose`: print the exact text that would be published, and its length."""

from __future__ import annotations

import click

from toolkit.compose.text import compose_message, compose_text, require_clean
from toolkit.core.errors import ComposeError, InputError
from toolkit.surfaces.cli.context import get_config, get_library, platform_choice, print_json


@click.command()
@click.argument("message_id", required=False)
@click.option("--text", help="Compose this text instead of a library message.")
@click.option("--platform", "-p", type=platform_choice(), default="x", show_default=True,
              help="Target platform (one of the configured platforms).")
@click.option("--lang", "-l", default=None, help="Language (default: the campaign's first).")
@click.option("--no-tag", is_flag=True, help="Do not add the campaign hashtags.")
@click.option("--json", "as_json", is_flag=True, help='Print {"text", "length", "limit", "fits"}.')
@click.pass_context
def compose(ctx: click.Context, message_id: str | None, text: str | None, platform: str,
            lang: str | None, no_tag: bool, as_json: bool) -> None:
    """Compose MESSAGE_ID (or --text) for a platform; exit 1 when it does not fit."""
    if bool(message_id) == bool(text):
        raise InputError("give either MESSAGE_ID or --text")
    config = get_config(ctx)
    unsourced: list[str] = []
    if text is not None:
        from toolkit.library.checks import unsourced_numbers

        composed = compose_text(config, text, platform, tag=not no_tag)
        unsourced = unsourced_numbers(config, get_library(ctx), text,
                                      lang or config.languages[0])
    else:
        library = get_library(ctx)
        if message_id in library.messages:  # an unknown id is reported by compose_message
            require_clean(config, library, library.messages[message_id])
        composed = compose_message(config, library, message_id, lang or config.languages[0],
                                   platform, tag=not no_tag)
    if as_json:
        print_json(composed.as_dict())
    else:
        click.echo(composed.text)
        tags = (f", {composed.hashtags}/{composed.max_hashtags} hashtags"
                if composed.max_hashtags is not None else "")
        verdict = (" (TOO MANY HASHTAGS)" if composed.too_many_hashtags
                   else "" if composed.fits else " (TOO LONG)")
        click.echo(f"-- {composed.length}/{composed.limit} on {platform}{tags}{verdict}",
                   err=True)
    if unsourced:
        raise ComposeError(f"--text has the number(s) {', '.join(repr(n) for n in unsourced)}, "
                           "which no verified statistic shows: every number a campaign posts "
                           "needs a source; put the message in posts/ with a {statistic-id} "
                           "placeholder, or give --lang if the text is in another language")
    if not composed.fits:
        raise ComposeError(f"{composed.length} is over {platform}'s limit of {composed.limit}; "
                           "nothing was truncated: shorten the text")
