"""The library's data: statistics, claims, messages and cards, each knowing where it was defined."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

#: `{statistic-id}` placeholders in message templates
PLACEHOLDER = re.compile(r"\{([a-z0-9][a-z0-9-]*)\}")


@dataclass(frozen=True)
class CardLayout:
    """What a card layout asks of its card: a statistic, text in every language, and whether it
    shows the statistic's figure (`toolkit.graphics.layouts` draws each one)."""

    name: str
    #: the library refuses a card of this layout without a `statistic`
    needs_statistic: bool
    #: the card's `text` is required in every language (else it is an optional kicker)
    needs_text: bool
    #: the graphic shows the statistic's figure, label and source (so it cannot be drawn
    #: without one)
    shows_figure: bool


#: every card layout, by name (the order `check` lists them in)
CARD_LAYOUTS: dict[str, CardLayout] = {layout.name: layout for layout in (
    CardLayout("statistic", needs_statistic=True, needs_text=False, shows_figure=True),
    CardLayout("message", needs_statistic=False, needs_text=True, shows_figure=False),
    CardLayout("cta", needs_statistic=False, needs_text=True, shows_figure=True),
)}


@dataclass(frozen=True)
class Origin:
    """Where an item was defined: file and line, for `path:line` messages."""

    path: str
    line: int
    field_lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)

    def at(self, name: str) -> int:
        """The line of field `name`, or the item's own line."""
        return self.field_lines.get(name, self.line)


@dataclass(frozen=True)
class FactReview:
    """Who proposed a statistic or claim (`proposed_by`) and who confirmed it and when
    (`verified_by`, `verified_at`), as its file records them ("" when not recorded)."""

    proposed_by: str = ""
    verified_by: str = ""
    verified_at: str = ""

    def shown(self) -> str:
        """"verified by maria on 2026-12-05", or "" when nobody is recorded."""
        if not self.verified_by:
            return ""
        return f"verified by {self.verified_by}" + (
            f" on {self.verified_at[:10]}" if self.verified_at else "")


@dataclass(frozen=True)
class Statistic:
    """A sourced figure or fact: display form and label per language, source, as-of date."""

    id: str
    kind: str
    value: str | int | float
    display: dict[str, str]
    label: dict[str, str]
    scope: tuple[str, ...]
    source_name: str
    source_url: str
    as_of: date | None
    as_of_text: str
    verified: bool
    notes: str
    origin: Origin
    #: the source's name per language (e.g. "cited by" translated); `source_name` otherwise
    source_names: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    #: who proposed it, who confirmed it and when (the four-eyes rule: never the same person)
    review: FactReview = field(default_factory=lambda: FactReview(), compare=False, hash=False)

    def source_in(self, lang: str) -> str:
        """The source's name in `lang`."""
        return self.source_names.get(lang, self.source_name)


@dataclass(frozen=True)
class Claim:
    """A dated, sourced statement without a figure ("MPP is in force today").

    It holds until `review_by`: after that it is stale and blocks like an unverified fact until
    a person checks it again and moves `as_of` and `review_by` on."""

    id: str
    text: dict[str, str]
    source_name: str
    source_url: str
    as_of: date
    as_of_text: str
    verified: bool
    review_by: date
    notes: str
    origin: Origin
    #: who proposed it, who confirmed it and when (the four-eyes rule: never the same person)
    review: FactReview = field(default_factory=lambda: FactReview(), compare=False, hash=False)

    def stale(self, today: date) -> bool:
        """Whether the claim is past its review date on `today`."""
        return today > self.review_by


@dataclass(frozen=True)
class Card:
    """A share graphic: a statistic card, a one-line message card, or a call-to-action card."""

    id: str
    layout: str
    statistic: str | None
    text: dict[str, str]
    origin: Origin


@dataclass(frozen=True)
class Message:
    """A campaign message: template text per language naming statistics as `{id}`."""

    id: str
    theme: str
    text: dict[str, str]
    link: str | None
    card: str | None
    platforms: tuple[str, ...]
    origin: Origin
    #: ids of the claims it rests on (a message about the policy's present needs one)
    claims: tuple[str, ...] = ()

    def statistic_ids(self) -> list[str]:
        """Ids of the statistics its templates name, in order of first use."""
        seen: dict[str, None] = {}
        for template in self.text.values():
            for m in PLACEHOLDER.finditer(template):
                seen.setdefault(m[1])
        return list(seen)


@dataclass
class Library:
    """Everything in posts/: statistics, messages and cards by id."""

    statistics: dict[str, Statistic] = field(default_factory=dict)
    messages: dict[str, Message] = field(default_factory=dict)
    cards: dict[str, Card] = field(default_factory=dict)
    claims: dict[str, Claim] = field(default_factory=dict)

    def statistic_ids_of(self, message: Message) -> list[str]:
        """Statistics a message depends on: those in its text and the one of its card."""
        ids = message.statistic_ids()
        card = self.cards.get(message.card or "")
        if card and card.statistic and card.statistic not in ids:
            ids.append(card.statistic)
        return ids

    def unverified_of(self, message: Message) -> list[str]:
        """Unverified statistics a message uses (the fact gate keeps it from publishing)."""
        return [s for s in self.statistic_ids_of(message)
                if s in self.statistics and not self.statistics[s].verified]

    def unverified_claims_of(self, message: Message) -> list[str]:
        """Unverified claims a message rests on."""
        return [c for c in message.claims if c in self.claims and not self.claims[c].verified]

    def stale_claims_of(self, message: Message, today: date) -> list[str]:
        """Claims a message rests on that are past their review date on `today`."""
        return [c for c in message.claims if c in self.claims and self.claims[c].stale(today)]
