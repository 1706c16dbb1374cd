"""The campaign in each language: its name, tagline and short URL, and how figures are written.

Read from the config (`campaign.per_language`, `numbers`: `NUMBER_FORMAT`) by `toolkit.core.config`;
cards, alt text and statistics' display forms use them so that a Spanish card is Spanish
throughout.
"""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.core.fields import FieldReader
from toolkit.core.options import Option, Reading, Spot, Type
from toolkit.core.yamlload import Node


@dataclass(frozen=True)
class CampaignWords:
    """The campaign's words in one language, for cards and alt text."""

    name: str
    tagline: str
    short_url: str
    #: the organisation as a sentence in this language names it ("el Center for Victims of
    #: Torture"); "" for the config's plain `organisation`
    organisation: str = ""

    @property
    def footer(self) -> str:
        """'#SaveAsylum: End Remain in Mexico': the name and tagline as a card's footer."""
        return f"{self.name}: {self.tagline}" if self.tagline else self.name


@dataclass(frozen=True)
class NumberFormat:
    """How a language writes numbers: the thousands and decimal separators."""

    thousands: str = ","
    decimal: str = "."

    def format(self, value: int | float) -> str:
        """`value` with this format's separators: 1544 -> '1,544'."""
        text = f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0").rstrip(".")
        return text.replace(",", "\0").replace(".", self.decimal).replace("\0", self.thousands)


def read_campaign_words(r: FieldReader, campaign: Node,
                        languages: tuple) -> dict[str, CampaignWords]:
    """`campaign.per_language`: name, tagline, short URL and (optionally) the organisation as a
    sentence names it, for every language (or none)."""
    node = campaign.get("per_language")
    if node is None:
        return {}
    section = r.section(campaign, "per_language", where="campaign.")
    out = {}
    for lang in languages:
        spec = section.get(lang)
        if not isinstance(spec, Node):
            r.fail(campaign, "per_language", f"'campaign.per_language' has no '{lang}' mapping "
                   f"(name, tagline, short_url; the campaign's languages are "
                   f"{', '.join(languages)})")
            continue
        where = f"campaign.per_language.{lang}."
        out[lang] = CampaignWords(r.text(spec, "name", required=True, where=where),
                                  r.text(spec, "tagline", where=where),
                                  r.text(spec, "short_url", required=True, where=where),
                                  r.text(spec, "organisation", where=where))
    return out


def _separators_differ(rd: Reading, spot: Spot, decimal: str) -> None:
    if spot.values["thousands"] == decimal:
        rd.r.fail(spot.node, "decimal", f"'{spot.label}' must differ from the thousands separator")


#: one language's entry in `numbers`
NUMBER_FORMAT: dict[str, Option] = {
    "thousands": Type(str, ",", help="The thousands separator (`1,544`)."),
    "decimal": Type(str, ".", check=_separators_differ, help="The decimal separator."),
}


def number_format(lang: str, thousands: str, decimal: str) -> NumberFormat:
    """The `NumberFormat` of one `numbers` entry (the language is its key)."""
    return NumberFormat(thousands, decimal)
