"""Post length as each platform counts it.

- `x`: twitter-text v3 weighted length (URLs 23, emoji 2, CJK 2, NFC), via twitter-text-parser;
- `graphemes`: Bluesky's 300 user-perceived characters (grapheme clusters);
- `mastodon`: grapheme clusters with every URL counted as 23 and `@user@domain` as `@user`.

The parsers are imported lazily: importing twitter_text compiles large regexes (~0.3 s).
"""

from __future__ import annotations

import re
import unicodedata

MASTODON_URL_LENGTH = 23
_REMOTE_MENTION = re.compile(r"(?<![\w@])@(\w+)@[\w.-]+\w")


def _twitter_text():  # noqa: ANN202 - the twitter_text module
    """Import twitter-text-parser once, quietly (its pkg_resources use warns on import)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        import twitter_text
    return twitter_text


def x_length(text: str) -> int:
    """X's weighted length (twitter-text v3 rules)."""
    return _twitter_text().parse_tweet(text).weightedLength


def x_valid(text: str) -> bool:
    """Whether X accepts the text (length and characters), per twitter-text v3."""
    return _twitter_text().parse_tweet(text).valid


def grapheme_length(text: str) -> int:
    """Grapheme clusters in the NFC form of `text` (Bluesky's count)."""
    import grapheme

    return grapheme.length(unicodedata.normalize("NFC", text))


def mastodon_length(text: str, url_length: int = MASTODON_URL_LENGTH) -> int:
    """Mastodon's count: graphemes, each URL as `url_length` (the instance's
    `characters_reserved_per_url`, 23 by default), remote mentions by user only."""
    urls = _twitter_text().extract_urls_with_indices(text, False)
    parts, last = [], 0
    for u in sorted(urls, key=lambda u: u["indices"][0]):
        start, end = u["indices"]
        parts.append(text[last:start])
        parts.append("x" * url_length)
        last = end
    parts.append(text[last:])
    countable = _REMOTE_MENTION.sub(r"@\1", "".join(parts))
    return grapheme_length(countable)


COUNTERS = {"x": x_length, "graphemes": grapheme_length, "mastodon": mastodon_length}


def count(text: str, counter: str, url_length: int | None = None) -> int:
    """The length of `text` under the named counter (`x`, `graphemes`, `mastodon`);
    `url_length` overrides what one link counts for Mastodon."""
    if counter == "mastodon" and url_length is not None:
        return mastodon_length(text, url_length)
    return COUNTERS[counter](text)
