"""`toolkit library`: list the messages, statistics and claims."""

from __future__ import annotations

import click

from toolkit.surfaces.cli.context import get_config, get_library, print_json
from toolkit.surfaces.cli.table import print_table


class _Group(click.Group):
    """`toolkit library` lists; `library new|edit|delete|propose|verify` write (imported on
    first use)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(WRITE_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in WRITE_COMMANDS:
            return None
        from toolkit.surfaces.cli import library_edit

        return getattr(library_edit, WRITE_COMMANDS[cmd_name])


WRITE_COMMANDS = {"new": "new", "edit": "edit", "delete": "delete", "propose": "propose",
                  "verify": "verify"}


@click.group(cls=_Group, invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@click.pass_context
def library(ctx: click.Context, as_json: bool) -> None:
    """List messages (id, theme, languages, card), statistics and claims (source, as of);
    `new`, `edit`, `delete`, `propose` and `verify` write the library's files."""
    if ctx.invoked_subcommand is not None:
        return
    config = get_config(ctx)
    lib = get_library(ctx)
    messages = [
        {"id": m.id, "theme": m.theme, "languages": sorted(m.text), "card": m.card,
         "platforms": list(m.platforms), "link": m.link, "statistics": lib.statistic_ids_of(m),
         "claims": list(m.claims), "text": m.text}
        for m in lib.messages.values()
    ]
    statistics = [
        {"id": s.id, "kind": s.kind, "value": s.value, "display": s.display, "label": s.label,
         "source": {"name": s.source_name, "url": s.source_url}, "as_of": s.as_of_text or None,
         "verified": s.verified, "notes": s.notes or None, **_review(s.review)}
        for s in lib.statistics.values()
    ]
    claims = [
        {"id": c.id, "text": c.text, "source": {"name": c.source_name, "url": c.source_url},
         "as_of": c.as_of_text, "review_by": c.review_by.isoformat(), "verified": c.verified,
         "notes": c.notes or None, **_review(c.review)}
        for c in lib.claims.values()
    ]
    if as_json:
        print_json({"messages": messages, "statistics": statistics, "claims": claims,
                    "cards": [{"id": c.id, "layout": c.layout, "statistic": c.statistic}
                              for c in lib.cards.values()]})
        return
    lang = config.languages[0]
    click.echo(f"Messages ({len(messages)})")
    print_table(["id", "theme", "languages", "card"],
                [[m["id"], m["theme"], ",".join(m["languages"]), m["card"] or "-"]
                 for m in messages])
    click.echo(f"\nStatistics ({len(statistics)})")
    print_table(["id", "value", "as of", "verified", "source"],
                [[s.id, s.display.get(lang, str(s.value)), s.as_of_text or "-",
                  "yes" if s.verified else "NO", s.source_name] for s in lib.statistics.values()])
    if not claims:  # a library without dated claims prints as it always did
        return
    click.echo(f"\nClaims ({len(claims)})")
    print_table(["id", "as of", "review by", "verified", "source"],
                [[c["id"], c["as_of"], c["review_by"], "yes" if c["verified"] else "NO",
                  c["source"]["name"]] for c in claims])


def _review(review) -> dict:  # FactReview
    return {"proposed_by": review.proposed_by or None, "verified_by": review.verified_by or None,
            "verified_at": review.verified_at or None}
