"""The graphics rules `toolkit check` enforces (registered in `toolkit.validate.EXTRA_CHECKS`).

* every brand colour passes its WCAG 2.x contrast minimum on the background (4.5:1 for the text
  and muted colours, which set body text; 3:1 for the accent, which sets only large text),
  reported at the colour's line in the config file;
* every card fits legibly in every format and language, and the font has every character it
  uses, reported at the card's line. This lays the cards out without drawing them (no Pillow).
"""

from __future__ import annotations

from pathlib import Path

from toolkit.config import Config
from toolkit.errors import GraphicsError
from toolkit.graphics.colour import brand_contrast_problems
from toolkit.library.models import Library
from toolkit.problems import Problems
from toolkit.yamlload import Node, YamlError, load_yaml_file


def check_graphics(config: Config, library: Library, problems: Problems) -> None:
    """Add contrast and card-fitting problems to `problems`."""
    check_contrast(config, problems)
    check_cards(config, library, problems)


def check_contrast(config: Config, problems: Problems) -> None:
    """An error for each brand colour below its WCAG contrast minimum."""
    found = brand_contrast_problems(config.brand.colors)
    if not found:
        return
    lines = _colour_lines(config.path)
    for p in found:
        problems.error(config.path, lines.get(p.key, lines.get("", 1)), str(p))


def check_cards(config: Config, library: Library, problems: Problems) -> None:
    """An error for each card that cannot be laid out legibly (one per card and language)."""
    from toolkit.graphics.jobs import jobs_for
    from toolkit.graphics.layouts import plan_card

    known = [c for c in sorted(library.cards)
             if not library.cards[c].statistic or library.cards[c].statistic in library.statistics]
    jobs, _ = jobs_for(config, library, known)  # unknown ids are the library checks' business
    reported: set[tuple[str, str]] = set()
    for job in jobs:
        if (job.card, job.lang) in reported:
            continue
        try:
            plan_card(job)
        except GraphicsError as exc:
            reported.add((job.card, job.lang))
            card = library.cards[job.card]
            problems.error(card.origin.path, card.origin.at("text"), exc.message)


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
