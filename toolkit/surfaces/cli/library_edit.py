"""`toolkit library new|edit|delete|propose|verify`: the review app's editor on the command line,
with the same checks and the same careful writing into `posts/` (see `toolkit.surfaces.editing`)."""

from __future__ import annotations

import click

from toolkit.core import clock
from toolkit.core.errors import InputError
from toolkit.surfaces.cli.context import actor_name, get_toolkit
from toolkit.surfaces.editing.save import Saved

BY = click.option("--by", default=None, help="Who is writing (default: the login name).")


def _pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    """`LANG=TEXT` options as a mapping."""
    out = {}
    for value in values:
        lang, sep, text = value.partition("=")
        if not sep or not lang:
            raise InputError(f"{option} must be LANG=TEXT, e.g. {option} en=\"...\"")
        out[lang.strip()] = text
    return out


def _message_form(theme, texts, link, card, claims, platforms, old=None) -> dict:
    form = dict(old or {})
    for key, value in (("theme", theme), ("link", link), ("card", card), ("claims", claims),
                       ("platforms", platforms)):
        if value is not None:
            form[key] = value
    form.update({f"text_{lang}": text for lang, text in _pairs(texts, "--text").items()})
    return form


def _report(saved: Saved, what: str) -> None:
    for warning in saved.warnings:
        click.echo(str(warning), err=True)
    if saved.commit_problem:
        click.echo(f"note: {saved.commit_problem}", err=True)
    commit = f" (git commit {saved.commit[:10]})" if saved.commit else ""
    click.echo(f"{what} '{saved.item_id}' in {saved.path.name}{commit}", err=True)


MESSAGE_OPTIONS = [
    click.option("--theme", default=None, help="The message's theme."),
    click.option("--text", "texts", multiple=True, metavar="LANG=TEXT",
                 help="The text in one language (repeat per language)."),
    click.option("--link", default=None, help="A URL, or campaign / donate."),
    click.option("--card", default=None, help="The card's id ('' for none)."),
    click.option("--claims", default=None, help="Claim ids, comma-separated."),
    click.option("--platforms", default=None, help="Platforms, comma-separated."),
]


def _with(options):
    def wrap(f):
        for option in reversed(options):
            f = option(f)
        return f
    return wrap


@click.command()
@click.argument("message_id")
@_with(MESSAGE_OPTIONS)
@BY
@click.pass_context
def new(ctx, message_id, theme, texts, link, card, claims, platforms, by) -> None:
    """Add message MESSAGE_ID (refused when `toolkit check` would find an error in it)."""
    from toolkit.surfaces.editing.service import save_message

    tk = get_toolkit(ctx)
    form = {"id": message_id, **_message_form(theme, texts, link, card, claims, platforms)}
    _report(save_message(tk, form, None, actor_name(by), clock.now(), store=tk.store), "added")


@click.command()
@click.argument("message_id")
@_with(MESSAGE_OPTIONS)
@BY
@click.pass_context
def edit(ctx, message_id, theme, texts, link, card, claims, platforms, by) -> None:
    """Change message MESSAGE_ID: only the options given; the rest of the file is untouched."""
    from toolkit.surfaces.editing.save import loaded
    from toolkit.surfaces.editing.service import save_message

    tk = get_toolkit(ctx)
    found = loaded(tk.config, "messages", message_id)
    if found is None:
        raise InputError(f"no message '{message_id}'")
    item = found[1]
    old = {"theme": item.get("theme", ""), "link": item.get("link", ""),
           "card": item.get("card", ""), "claims": item.get("claims") or [],
           "platforms": item.get("platforms") or [p for p in tk.config.platforms
                                                    if p != "outbox"],
           **{f"text_{k}": v for k, v in (item.get("text") or {}).items()}}
    form = _message_form(theme, texts, link, card, claims, platforms, old)
    _report(save_message(tk, form, message_id, actor_name(by), clock.now(), found[2],
                         store=tk.store), "saved")


@click.command()
@click.argument("message_id")
@BY
@click.pass_context
def delete(ctx, message_id, by) -> None:
    """Remove message MESSAGE_ID (refused while it has queued or approved posts)."""
    from toolkit.surfaces.editing.service import delete_message

    _report(delete_message(get_toolkit(ctx), message_id, actor_name(by), clock.now()),
            "deleted")


@click.command()
@click.argument("kind", type=click.Choice(["statistic", "claim"]))
@click.argument("fact_id")
@click.option("--kind", "stat_kind", default=None, help="count, date, fact or contact.")
@click.option("--value", default=None, help="The figure (a statistic).")
@click.option("--display", multiple=True, metavar="LANG=TEXT", help="How it is written.")
@click.option("--label", multiple=True, metavar="LANG=TEXT", help="What it counts, with "
              "the source's scope words.")
@click.option("--scope", multiple=True, metavar="LANG=WORDS", help="Scope words, ';'-separated.")
@click.option("--text", "texts", multiple=True, metavar="LANG=TEXT", help="A claim's sentence.")
@click.option("--source-name", default=None, help="Who says so.")
@click.option("--source-url", default=None, help="Where they say it.")
@click.option("--as-of", default=None, help="The date it holds for (2021-02-19, 2021-02).")
@BY
@click.pass_context
def propose(ctx, kind, fact_id, stat_kind, value, display, label, scope, texts, source_name,
            source_url, as_of, by) -> None:
    """Propose a statistic or claim: saved `verified: false` until another lead verifies it."""
    from toolkit.surfaces.editing.service import propose_fact

    form = {"id": fact_id, "stat_kind": stat_kind, "value": value, "source_name": source_name,
            "source_url": source_url, "as_of": as_of}
    for prefix, values, option in (("display", display, "--display"),
                                   ("label", label, "--label"), ("scope", scope, "--scope"),
                                   ("text", texts, "--text")):
        form.update({f"{prefix}_{k}": v for k, v in _pairs(values, option).items()})
    tk = get_toolkit(ctx)
    _report(propose_fact(tk, f"{kind}s", form, actor_name(by), clock.now(), store=tk.store),
            f"proposed {kind}")


@click.command()
@click.argument("fact_id")
@BY
@click.pass_context
def verify(ctx, fact_id, by) -> None:
    """Mark statistic or claim FACT_ID verified (refused for the person who proposed it)."""
    from toolkit.surfaces.editing.service import verify_fact

    tk = get_toolkit(ctx)
    _report(verify_fact(tk, fact_id, actor_name(by), clock.now(), store=tk.store), "verified")
