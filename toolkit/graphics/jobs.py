"""What to render: one job per card, format and language, with every word it shows resolved.

A `Job` holds plain text and numbers only (no config or library objects), so it is cheap to send
to a worker process and its `input_hash` covers exactly what the picture depends on.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property

import PIL

from toolkit.core.config import Config, FormatSpec
from toolkit.graphics import alt
from toolkit.graphics.fonts import font_digest
from toolkit.graphics.text import normalise
from toolkit.library.models import CARD_LAYOUTS, Card, Library

#: bump when the drawing or the PNG encoding changes, so every graphic is rendered again (and a
#: build from scratch and an incremental one hold the same bytes)
RENDERER_VERSION = "2"


@dataclass(frozen=True)
class Job:
    """One graphic to render: a card in one format and language."""

    card: str
    layout: str
    lang: str
    fmt: FormatSpec
    colors: tuple[tuple[str, str], ...]
    name: str
    organisation: str
    text: str = ""
    figure: str = ""
    label: str = ""
    source: str = ""
    alt: str = ""
    statistic: str | None = None
    source_name: str = ""
    source_url: str = ""
    as_of: str = ""
    verified: bool = True
    origin_path: str = ""
    origin_line: int = 0
    #: drawn with the "DRAFT – unverified" band (`toolkit.graphics.draft`)
    draft: bool = False

    @property
    def file(self) -> str:
        """The PNG's file name: `<card>-<format>-<lang>.png`."""
        return f"{self.card}-{self.fmt.name}-{self.lang}.png"

    @property
    def where(self) -> str:
        """'card 'x' (format story, language es)' for error messages."""
        return f"card '{self.card}' (format {self.fmt.name}, language {self.lang})"

    def colour(self, key: str) -> str:
        """A brand colour by key ('background', 'text', 'accent', 'muted')."""
        return dict(self.colors)[key]

    @cached_property
    def input_hash(self) -> str:
        """SHA-256 of everything the picture depends on (not the alt text or source URL)."""
        f = self.fmt
        inputs = {
            "renderer": RENDERER_VERSION, "pillow": PIL.__version__, "fonts": font_digest(),
            "layout": self.layout, "lang": self.lang,
            "format": [f.width, f.height, f.safe_top, f.safe_bottom],
            "colors": dict(self.colors), "name": self.name, "organisation": self.organisation,
            "text": self.text, "figure": self.figure, "label": self.label, "source": self.source,
        }
        if self.draft:
            inputs["draft"] = True
        blob = json.dumps(inputs, sort_keys=True, ensure_ascii=False).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()


@dataclass(frozen=True)
class JobProblem:
    """A card that cannot become a job (unknown statistic, missing text)."""

    card: str
    path: str
    line: int
    message: str


def jobs_for(config: Config, library: Library,
             cards: list[str] | None = None) -> tuple[list[Job], list[JobProblem]]:
    """Jobs for `cards` (default: every card, by id) in every format and language."""
    jobs: list[Job] = []
    problems: list[JobProblem] = []
    for card_id in cards if cards is not None else sorted(library.cards):
        card = library.cards[card_id]
        try:
            fields = [_job_fields(config, library, card, lang) for lang in config.languages]
        except _Skip as exc:
            problems.append(JobProblem(card.id, card.origin.path, exc.line, str(exc)))
            continue
        for fmt in config.formats.values():
            jobs.extend(Job(fmt=fmt, **f) for f in fields)
    return jobs, problems


class _Skip(Exception):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def _job_fields(config: Config, library: Library, card: Card, lang: str) -> dict:
    o = card.origin
    words = config.words(lang)
    fields: dict = {
        "card": card.id, "layout": card.layout, "lang": lang,
        "colors": tuple(sorted(config.brand.colors.items())),
        "name": normalise(alt.footer_name(words.footer)),
        # the footer's right side: who made it, and where a shared image leads
        "organisation": normalise(" · ".join(p for p in (config.organisation, words.short_url)
                                             if p)),
        "text": normalise(card.text.get(lang, "")),
        "origin_path": o.path, "origin_line": o.line,
    }
    rules = CARD_LAYOUTS[card.layout]
    if rules.needs_text and not fields["text"]:
        raise _Skip(f"card '{card.id}' has no '{lang}' text", o.at("text"))
    stat = None
    if card.statistic:
        stat = library.statistics.get(card.statistic)
        if stat is None:
            raise _Skip(f"card '{card.id}' names unknown statistic '{card.statistic}'",
                        o.at("statistic"))
        if lang not in stat.display or lang not in stat.label:
            raise _Skip(f"statistic '{stat.id}' of card '{card.id}' has no '{lang}' display "
                        "or label", o.at("statistic"))
    elif rules.shows_figure:
        raise _Skip(f"{card.layout} card '{card.id}' needs a 'statistic'", o.line)
    if stat is not None and rules.shows_figure:
        src = alt.source_line(lang, stat.source_in(lang), stat.as_of, stat.as_of_text, stat.kind)
        long_src = alt.source_line(lang, stat.source_in(lang), stat.as_of, stat.as_of_text,
                                   stat.kind, long=True)
        fields.update(figure=normalise(stat.display[lang]), label=normalise(stat.label[lang]),
                      source=normalise(src))
    else:
        long_src = ""
    if stat is not None:
        fields.update(statistic=stat.id, source_name=stat.source_name,
                      source_url=stat.source_url, as_of=stat.as_of_text, verified=stat.verified)
    fields["alt"] = alt.alt_text(lang, card.layout, text=fields["text"],
                                 figure=fields.get("figure", ""), label=fields.get("label", ""),
                                 source=long_src, name=words.footer,
                                 organisation=words.organisation or config.organisation,
                                 url=words.short_url)
    return fields
