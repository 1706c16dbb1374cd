"""What the message editor shows beside the form: the text per platform exactly as `toolkit
compose` prints it with its length against the limit, every `toolkit check` problem of the message
as `check` words it, hints ("insert the statistic instead"), the statistics and claims to pick
from, and the card the message would use with its alt text."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import url_for

from toolkit.compose.text import compose_message
from toolkit.compose.utm import bluesky_display
from toolkit.core.config import Config
from toolkit.core.errors import ToolkitError
from toolkit.core.problems import Problems
from toolkit.core.yamlload import pending_texts
from toolkit.graphics.manifest import find_graphic
from toolkit.library import Library, read_library
from toolkit.library.loader import ID
from toolkit.library.writer import read_text, updated_text
from toolkit.surfaces.editing.fields import message_item
from toolkit.surfaces.editing.gate import check_pending, item_problems
from toolkit.surfaces.editing.save import locate, target_file

NUMBER = re.compile(r"\((\w+)\) has the number '([^']+)'")
PRESENT = re.compile(r"\((\w+)\) speaks about the policy's present \('([^']+)'\)")
#: the id a message being written has in the preview until its id field is a slug
DRAFT_ID = "new-message"


def default_platforms(config: Config) -> list[str]:
    """The platforms a message goes to unless it names its own."""
    return [p for p in config.platforms if p != "outbox"]


def hints(problems: list[Any]) -> list[str]:
    """What to do about typed numbers and words about the present, one line each."""
    out = []
    for p in problems:
        if (m := NUMBER.search(p.message)):
            out.append(f"{m[1]}: the number '{m[2]}': insert the statistic instead (pick it "
                       "from the list of statistics)")
        elif (m := PRESENT.search(p.message)):
            out.append(f"{m[1]}: '{m[2]}' speaks about the present: rest it on a claim "
                       "instead (tick one under Claims)")
    return list(dict.fromkeys(out))


#: what the preview shows before anything is typed
EMPTY = {"problems": [], "fields": [], "hints": [], "composed": [], "card": None}


def preview(config: Config, form: Mapping[str, Any], message_id: str | None,
            today: date) -> dict:
    """The preview of the message the form describes (`message_id`: the one being edited)."""
    from toolkit.surfaces.editing.save import loaded

    old = None
    if message_id is not None:
        found = loaded(config, "messages", message_id)
        old = found[1] if found else None
    item, fields = message_item(config, form, old, set())
    if old is None and not ID.match(str(item.get("id", ""))):
        item["id"] = DRAFT_ID
    item["text"] = {k: v or "…" for k, v in item["text"].items()}  # an empty text still loads
    where = locate(config, "messages", message_id) if message_id else None
    path = where[0] if where else target_file(config, "messages")
    try:
        text = updated_text(where[1] if where else read_text(path), "messages", message_id,
                            item)
    except ToolkitError as exc:
        return {"problems": [exc.message], "fields": fields.lines(), "composed": [],
                "hints": []}
    after = check_pending(config, {path: text}, today)
    mine = item_problems(after, path, text, "messages", str(item["id"]))
    with pending_texts({path: text}):
        library = read_library(config, Problems())
    message = library.messages.get(str(item["id"]))
    return {"problems": [str(p) for p in mine], "fields": fields.lines(), "hints": hints(mine),
            "composed": composed(config, library, message) if message else [],
            "card": card_preview(config, item.get("card"), form.get("format"))}


def composed(config: Config, library: Library, message: Any) -> list[dict]:
    """The message per language and platform as `toolkit compose` prints it."""
    rows = []
    for lang in config.languages:
        for platform in message.platforms:
            if platform not in config.platforms:
                continue
            try:
                c = compose_message(config, library, message, lang, platform)
            except ToolkitError as exc:
                rows.append({"lang": lang, "platform": platform, "error": exc.message})
                continue
            shown = bluesky_display(c.text)[0] if platform == "bluesky" else c.text
            rows.append({"lang": lang, "platform": platform, "text": shown,
                         "length": c.length, "limit": c.limit, "fits": c.fits})
    return rows


def card_preview(config: Config, card: str | None, fmt: str | None) -> dict | None:
    """The card's built graphic in format `fmt` (else the first platform's), with its alt
    text; `{"card", "missing": True}` when it was not built."""
    if not card:
        return None
    formats = [f for f in config.formats]
    if fmt not in formats:
        fmt = next((s.card_format for s in config.platforms.values() if s.card_format),
                   formats[0] if formats else None)
    lang = config.languages[0]
    entry = find_graphic(config.graphics_dir, card, fmt, lang) if fmt else None
    if entry is None:
        return {"card": card, "format": fmt, "formats": formats, "missing": True}
    return {"card": card, "format": fmt, "formats": formats, "alt": entry.get("alt", ""),
            "url": url_for("media.card_image", card=card, fmt=fmt, lang=lang)}


def fact_rows(library: Library, lang: str) -> dict:
    """The statistics and claims the editor offers, verified ones to pick."""
    stats = [{"id": s.id, "value": s.display.get(lang, str(s.value)),
              "label": s.label.get(lang, ""), "source": s.source_in(lang), "url": s.source_url,
              "as_of": s.as_of_text, "verified": s.verified, "review": s.review.shown(),
              "proposed_by": s.review.proposed_by}
             for s in library.statistics.values()]
    claims = [{"id": c.id, "text": c.text.get(lang, ""), "source": c.source_name,
               "url": c.source_url, "as_of": c.as_of_text, "verified": c.verified,
               "review": c.review.shown(), "proposed_by": c.review.proposed_by}
              for c in library.claims.values()]
    return {"statistics": stats, "claims": claims}
