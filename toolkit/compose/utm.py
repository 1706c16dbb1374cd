"""UTM tags on the campaign's links, and how Bluesky shows a tagged link.

A post's link carries `utm_source=<platform>&utm_medium=social&utm_campaign=<config>
&utm_content=<message-id>-<lang>`; a share-kit link `utm_source=share-kit&utm_medium=<platform>`
with the same campaign and content. The tags are part of composition: the approved, frozen text
holds the full tagged URL and is what is published.

X and Mastodon count any URL as 23 characters, so tagging changes no length there. Bluesky
counts what it shows: there a tagged link is shown in its short form (`cvt.org/EndMPP`) and a
link facet carries the full tagged URL (`bluesky_display`). Only tagged links are shortened,
so a post approved before tagging existed is shown exactly as it was frozen.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

#: a URL in a text (its trailing punctuation is not part of it)
_URL = re.compile(r"https?://[^\s<>\"]+")
_TRAILING = ".,;:!?)]}'’”"
SHARE_KIT = "share-kit"


def tag_url(url: str, tags: dict[str, str]) -> str:
    """`url` with the UTM `tags` in its query (tags it already has are replaced; other query
    parameters and the fragment are kept)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in tags]
    query += list(tags.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def post_tags(campaign: str, medium: str, platform: str, message_id: str,
              lang: str) -> dict[str, str]:
    """The tags of a scheduled post's link."""
    return {"utm_source": platform, "utm_medium": medium, "utm_campaign": campaign,
            "utm_content": f"{message_id}-{lang}"}


def share_tags(campaign: str, target: str, message_id: str, lang: str) -> dict[str, str]:
    """The tags of a share-kit link shared to `target` (x, bluesky, facebook, email…)."""
    return {"utm_source": SHARE_KIT, "utm_medium": target, "utm_campaign": campaign,
            "utm_content": f"{message_id}-{lang}"}


def is_tagged(url: str) -> bool:
    """Whether `url` carries a `utm_source` tag."""
    return any(k == "utm_source" for k, _ in parse_qsl(urlsplit(url).query))


def short_form(url: str) -> str:
    """How a link is shown: host (without `www.`) and path, no scheme, query or trailing /."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    return f"{host}{parts.path}".rstrip("/")


def tagged_links(text: str) -> list[tuple[int, int, str]]:
    """`(start, end, url)` (character offsets) of every tagged URL in `text`."""
    found = []
    for m in _URL.finditer(text):
        url = m.group().rstrip(_TRAILING)
        if is_tagged(url):
            found.append((m.start(), m.start() + len(url), url))
    return found


def bluesky_display(text: str) -> tuple[str, list[tuple[int, int, str]]]:
    """What Bluesky shows for a frozen text, and its tagged links: each tagged URL replaced by
    its short form; `(byte_start, byte_end, full_url)` of each in the shown text's UTF-8."""
    links = tagged_links(text)
    if not links:
        return text, []
    out: list[str] = []
    ranges = []
    last, at = 0, 0
    for start, end, url in links:
        before = text[last:start]
        out.append(before)
        at += len(before.encode())
        short = short_form(url)
        out.append(short)
        ranges.append((at, at + len(short.encode()), url))
        at += len(short.encode())
        last = end
    out.append(text[last:])
    return "".join(out), ranges
