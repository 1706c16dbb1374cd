"""The card approval would freeze for a post: the built graphic (its manifest entry, with its
exact alt text and sha256) of the post's message in its platform's format and language."""

from __future__ import annotations

from typing import Any

from toolkit.core.config import Config
from toolkit.graphics.manifest import find_graphic
from toolkit.store import CHANGES_REQUESTED, DRAFT

#: statuses whose frozen media, if any, are from an earlier approval: approval freezes anew
UNFROZEN = (DRAFT, CHANGES_REQUESTED)


def pending_card(config: Config, post: Any, message: Any) -> dict | None:
    """The manifest entry (`path`, `alt`, `sha256`, …) approval would freeze for `post`, or None
    (no card, no card format on the platform, or not built)."""
    spec = config.platforms.get(post.platform)
    card = message.card if message is not None else None
    if not card or spec is None or not spec.card_format:
        return None
    return find_graphic(config.graphics_dir, card, spec.card_format, post.lang)


def shows_frozen(post: Any) -> bool:
    """Whether a page shows the post's frozen media (approved or later) rather than the card
    its next approval freezes."""
    return bool(post.media) and post.status not in UNFROZEN
