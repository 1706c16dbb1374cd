"""The words on and about a graphic in each language: source lines, dates and alt text.

Alt text says what the graphic shows in its own language: who made it, the figure with what it
counts (the label, with the source's scope words; the figure is read once), the source and its
date, and the campaign's name and short URL, so a screen-reader user gets everything a sighted
reader does. Languages without their own words here fall back to English words around the card's
own (translated) text.
"""

from __future__ import annotations

import re
from datetime import date

from toolkit.library.models import CARD_LAYOUTS

#: the longest alt text platforms accept everywhere (Bluesky and X allow 1000 characters)
ALT_MAX = 1000
REQUIRED_HASHTAG = "#SaveAsylum"

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "graphic": "Graphic from {}", "graphic_words": "with the words", "source": "Source",
        "as_of": "as of", "as_of_month": "as of", "as_of_year": "as of", "quote": "“{}”",
        "inner_quote": "‘{}’",
    },
    "es": {
        "graphic": "Gráfico publicado por {}", "graphic_words": "con el texto", "source": "Fuente",
        "as_of": "datos al", "as_of_month": "datos de", "as_of_year": "datos de", "quote": "«{}»",
        "inner_quote": "“{}”", "stop_outside": "yes",
    },
}
MONTHS: dict[str, tuple[str, ...]] = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre"),
}
SHORT_MONTHS: dict[str, tuple[str, ...]] = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "es": ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"),
}


def words(lang: str) -> dict[str, str]:
    """The fixed words of `lang` (English for a language without its own)."""
    return WORDS.get(lang, WORDS["en"])


def precision(as_of_text: str) -> str:
    """'day', 'month' or 'year': how precise an as-of date written like 2021-02-19 is."""
    if re.fullmatch(r"\d{4}", as_of_text):
        return "year"
    if re.fullmatch(r"\d{4}-\d{2}", as_of_text):
        return "month"
    return "day"


def format_date(when: date, lang: str, as_of_text: str = "", long: bool = False) -> str:
    """A date in `lang`, as precise as its source: en 'Feb 19, 2021', es '19 feb 2021';
    'Feb 2021' / 'feb 2021' for a month; `long` spells the month out (for alt text)."""
    lang = lang if lang in MONTHS else "en"
    month = (MONTHS if long else SHORT_MONTHS)[lang][when.month - 1]
    kind = precision(as_of_text or when.isoformat())
    if kind == "year":
        return str(when.year)
    if lang == "es":
        if kind == "month":
            return f"{month} de {when.year}" if long else f"{month} {when.year}"
        if long:
            return f"{when.day} de {month} de {when.year}"
        return f"{when.day} {month} {when.year}"
    if kind == "month":
        return f"{month} {when.year}"
    return f"{month} {when.day}, {when.year}"


def source_line(lang: str, name: str, as_of: date | None, as_of_text: str,
                kind: str = "count", long: bool = False) -> str:
    """'Source: Human Rights First, Delivered to Danger, as of Feb 19, 2021' in `lang`.

    Dates and contacts carry no as-of date: the figure is the date, or has none."""
    w = words(lang)
    line = f"{w['source']}: {name}"
    if as_of is not None and kind in ("count", "fact"):
        kind = precision(as_of_text or as_of.isoformat())
        word = w["as_of"] if kind == "day" else w[f"as_of_{kind}"]
        line += f", {word} {format_date(as_of, lang, as_of_text, long)}"
    return line


def sentence(text: str) -> str:
    """`text` with a capital first letter (as it starts a line on the card)."""
    return text[:1].upper() + text[1:] if text else text


def footer_name(name: str) -> str:
    """The campaign's name as the card's footer shows it, always with #SaveAsylum."""
    if REQUIRED_HASHTAG.lower() in name.lower():
        return name
    return f"{REQUIRED_HASHTAG} · {name}" if name else REQUIRED_HASHTAG


#: closing quotation marks: a sentence that ends in one ends with the mark inside it (“… end.”)
#: or takes its full stop after it («… México».)
CLOSING_QUOTES = "»”’\""


def _stop(text: str) -> str:
    """`text` ending in a full stop (or its own !, ? or …), before or after a closing quote."""
    text = text.rstrip()
    inside = text.rstrip(CLOSING_QUOTES)
    return text if not inside or inside[-1] in ".!?…" else text + "."


def quoted(text: str, lang: str) -> str:
    """`text` in `lang`'s quotation marks; quotes inside it take the inner marks («“…”»), never
    the outer ones again (««…»»). Where the full stop goes after the closing mark (Spanish:
    «… humano».), the quoted sentence's own full stop is left for the sentence around it."""
    w = words(lang)
    opening, closing = w["quote"].split("{}")
    inner_open, inner_close = w["inner_quote"].split("{}")
    inner = text.replace(opening, inner_open).replace(closing, inner_close)
    if w.get("stop_outside"):
        inner = inner.removesuffix(".")
    return w["quote"].format(inner)


def alt_text(lang: str, layout: str, *, text: str = "", figure: str = "", label: str = "",
             source: str = "", name: str = "", organisation: str = "", url: str = "") -> str:
    """The alt text of a card in `lang`, at most `ALT_MAX` characters.

    `source` is the long source line (`source_line(..., long=True)`); `name` the campaign's name
    as the footer shows it, `organisation` who made the graphic, `url` the short URL it shows.
    A label that already says the figure ("at least 1,544 …") is read without it."""
    w = words(lang)
    tail = " ".join(p for p in (_stop(source) if source else "", _stop(footer_name(name)), url)
                    if p)
    graphic = w["graphic"].format(organisation) if organisation else \
        w["graphic"].split(" ")[0]
    if not CARD_LAYOUTS[layout].shows_figure:  # the card is its words: quote them
        body = f"{graphic} {w['graphic_words']}: {quoted(text, lang)}"
    else:
        parts = [text] if text else []
        if label and figure and figure in label:
            parts.append(sentence(label))
        else:
            parts.append(f"{figure} — {label}" if label else figure)
        body = f"{graphic}: " + " ".join(_stop(p) for p in parts)
    body = _stop(body)
    room = ALT_MAX - len(tail) - 1
    if len(body) > room:
        body = body[: room - 1].rstrip() + "…"
    return f"{body} {tail}".strip()
