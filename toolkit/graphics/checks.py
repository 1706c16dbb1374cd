"""The graphics rules `toolkit check` enforces (registered in
`toolkit.surfaces.validate.EXTRA_CHECKS`).

* every brand colour passes its WCAG 2.x contrast minimum on the background (4.5:1 for the text
  and muted colours, which set body text; 3:1 for the accent, which sets only large text),
  reported at the colour's line in the config file;
* every card fits legibly in every format and language, and the font has every character it
  uses, reported at the card's line. This lays the cards out without drawing them (no Pillow);
* no text on a card is smaller than its format's `min_text_px` (the source line and footer must
  stay readable on a phone), reported at the format's line in the config, like contrast;
* a card in another language than the first, and its alt text, has no word of the first
  language's campaign name, tagline or source names that no version in its own language uses
  ("End Remain in Mexico", "cited by" on a Spanish card), reported at the card's line.
"""

from __future__ import annotations

import re
from pathlib import Path

from toolkit.core.config import Config
from toolkit.core.errors import GraphicsError
from toolkit.core.problems import Problems
from toolkit.core.yamlload import Node, YamlError, load_yaml_file
from toolkit.graphics.colour import brand_contrast_problems
from toolkit.library.models import Library


def check_graphics(config: Config, library: Library, problems: Problems) -> None:
    """Add contrast and card-fitting problems to `problems`."""
    check_contrast(config, problems)
    plans: dict = {}
    check_cards(config, library, problems, plans)
    check_text_sizes(config, library, problems, plans)
    check_card_languages(config, library, problems, plans)


def check_contrast(config: Config, problems: Problems) -> None:
    """An error for each brand colour below its WCAG contrast minimum."""
    found = brand_contrast_problems(config.brand.colors)
    if not found:
        return
    lines = _colour_lines(config.path)
    for p in found:
        problems.error(config.path, lines.get(p.key, lines.get("", 1)), str(p))


def check_cards(config: Config, library: Library, problems: Problems,
                plans: dict | None = None) -> None:
    """An error for each card that cannot be laid out legibly (one per card and language)."""
    from toolkit.graphics.layouts import plan_card

    jobs = _known_jobs(config, library)
    reported: set[tuple[str, str]] = set()
    for job in jobs:
        if (job.card, job.lang) in reported:
            continue
        try:
            plan = plan_card(job)
            if plans is not None:
                plans[job.file] = plan
        except GraphicsError as exc:
            reported.add((job.card, job.lang))
            card = library.cards[job.card]
            problems.error(card.origin.path, card.origin.at("text"), exc.message)


def check_text_sizes(config: Config, library: Library, problems: Problems,
                     plans: dict | None = None) -> None:
    """An error for each format whose cards set text below its `min_text_px` (one per format);
    `plans` are the cards `check_cards` already laid out, by file name."""
    from toolkit.graphics.layouts import plan_card

    jobs = _known_jobs(config, library)
    reported: set[str] = set()
    for job in jobs:
        fmt = job.fmt
        if not fmt.min_text_px or fmt.name in reported:
            continue
        try:
            plan = (plans or {}).get(job.file) or plan_card(job)
        except GraphicsError:
            continue  # check_cards reports it at the card's line
        small = min(plan.blocks, key=lambda b: b.size)
        if small.size < fmt.min_text_px:
            reported.add(fmt.name)
            problems.error(config.path, _format_line(config.path, fmt.name),
                           f"{job.where}: the {small.role} text is {small.size} px, below the "
                           f"format's min_text_px of {fmt.min_text_px}")


def campaign_words_only_in(config: Config, library: Library, lang: str, other: str) -> set[str]:
    """Words (lowercase) of the campaign's footer and the source names in `lang` that none of
    those in `other` uses: shared proper names ('Human Rights First') are not counted."""
    def fields(code: str) -> str:
        names = [s.source_in(code) for s in library.statistics.values()]
        return " ".join([config.words(code).footer, *names])

    return text_words(fields(lang)) - text_words(fields(other))


def text_words(text: str) -> set[str]:
    """The words of `text`, lowercase, without hashtags and web addresses."""
    return {w.lower() for w in _WORD.findall(_NOT_WORDS.sub(" ", text))}


_WORD = re.compile(r"[^\W\d_]+")
_NOT_WORDS = re.compile(r"#\w+|\S+\.\S+/\S*")


def check_card_languages(config: Config, library: Library, problems: Problems,
                         plans: dict | None = None) -> None:
    """An error for each card (once per language) whose text or alt text in a language other
    than the first has a campaign word of the first language only."""
    from toolkit.graphics.layouts import plan_card

    first = config.languages[0]
    foreign = {lang: campaign_words_only_in(config, library, first, lang)
               for lang in config.languages[1:]}
    reported: set[tuple[str, str]] = set()
    for job in _known_jobs(config, library):
        if job.lang == first or (job.card, job.lang) in reported or not foreign[job.lang]:
            continue
        try:
            plan = (plans or {}).get(job.file) or plan_card(job)
        except GraphicsError:
            continue
        shown = " ".join(line.text for block in plan.blocks for line in block.lines)
        for where, text in (("card", shown), ("alt text", job.alt)):
            leaked = text_words(text) & foreign[job.lang]
            if leaked and (job.card, job.lang) not in reported:
                reported.add((job.card, job.lang))
                card = library.cards[job.card]
                problems.error(card.origin.path, card.origin.line,
                               f"{job.where}: the {where} has {first} campaign words "
                               f"({', '.join(sorted(leaked))}): translate the config's "
                               "campaign.per_language or the source's name")


def _known_jobs(config: Config, library: Library) -> list:
    """Jobs of every card whose statistic exists (unknown ids are the library checks' business)."""
    from toolkit.graphics.jobs import jobs_for

    known = [c for c in sorted(library.cards)
             if not library.cards[c].statistic or library.cards[c].statistic in library.statistics]
    return jobs_for(config, library, known)[0]


def _format_line(path: Path, name: str) -> int:
    """The line of graphics.formats.<name> in the config file (1 if not found)."""
    try:
        data = load_yaml_file(path)
    except YamlError:
        return 1
    graphics = data.get("graphics") if isinstance(data, Node) else None
    formats = graphics.get("formats") if isinstance(graphics, Node) else None
    return formats.line_of(name) if isinstance(formats, Node) else 1


def _colour_lines(path: Path) -> dict[str, int]:
    """Line of each key under brand.colors in the config file ('' for the colors mapping)."""
    try:
        data = load_yaml_file(path)
    except YamlError:
        return {}
    brand = data.get("brand") if isinstance(data, Node) else None
    if not isinstance(brand, Node):
        return {}
    colours = brand.get("colors")
    if not isinstance(colours, Node):
        return {"": brand.line_of("colors")}
    lines = {"": brand.line_of("colors")}
    lines.update({str(k): colours.line_of(k) for k in colours})
    return lines
