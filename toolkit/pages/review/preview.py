"""Styled approximations of a post as its audience will see it on its platform: the text cut
into plain words, links and hashtags (Bluesky: exactly the facets it is published with), the
image as the platform crops or badges it, and Bluesky's link card. The exact text and image on
the post page stay the source of truth."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

#: links and hashtags as X and Mastodon highlight them (Bluesky's come from its own facets)
TOKENS = re.compile(r"(?P<link>https?://[^\s]+[^\s.,;:!?)\"'])|(?P<tag>(?<!\w)#\w+)")


@dataclass
class Preview:
    """What the preview shows: its platform, text pieces `(kind, text)` with kind "text",
    "link" or "tag", the image (URL and alt) and the link card's domain and URL, if any."""

    platform: str
    account: str
    pieces: list[tuple[str, str]] = field(default_factory=list)
    image: dict | None = None
    card: dict | None = None
    content_warning: str | None = None


def _regex_pieces(text: str) -> list[tuple[str, str]]:
    pieces, at = [], 0
    for m in TOKENS.finditer(text):
        if m.start() > at:
            pieces.append(("text", text[at:m.start()]))
        pieces.append(("link" if m["link"] else "tag", m[0]))
        at = m.end()
    if at < len(text):
        pieces.append(("text", text[at:]))
    return pieces


def warm_up() -> None:
    """Import Bluesky's facet detection ahead of the first Bluesky preview (slow to import)."""
    import toolkit.publishers.bluesky  # noqa: F401  (the SDK's models and facet detection)


def _bluesky_pieces(text: str) -> list[tuple[str, str]]:
    """The text Bluesky shows (a UTM-tagged link in its short form) cut at the facets it gets
    (UTF-8 byte ranges): exactly what the publisher sends (`shown_post`)."""
    from toolkit.publishers.bluesky import shown_post

    shown, facets = shown_post(text)
    data, pieces, at = shown.encode("utf-8"), [], 0
    for facet in facets:
        start, end = facet.index.byte_start, facet.index.byte_end
        if start > at:
            pieces.append(("text", data[at:start].decode("utf-8")))
        kind = "tag" if "tag" in facet.features[0].py_type else "link"
        pieces.append((kind, data[start:end].decode("utf-8")))
        at = end
    if at < len(data):
        pieces.append(("text", data[at:].decode("utf-8")))
    return pieces


def build_preview(platform: str, account: str, text: str,
                  image: dict | None) -> Preview | None:
    """The preview of `text` (and `image`: `{url, alt}`) on `platform`; None for a platform
    without one (the outbox)."""
    if platform not in ("x", "bluesky", "mastodon"):
        return None
    pieces = _bluesky_pieces(text) if platform == "bluesky" else _regex_pieces(text)
    preview = Preview(platform, account, pieces, image)
    links = [t for kind, t in pieces if kind == "link"]
    if platform == "bluesky" and links and image is None:  # one embed: images or a link card
        preview.card = {"domain": urlsplit(links[0]).hostname or links[0].split("/")[0],
                        "url": links[0]}
    return preview
