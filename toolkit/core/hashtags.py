"""Hashtags found the way each platform finds them: twitter-text's rule, and Bluesky's own.

On X and Mastodon a hashtag is found the way twitter-text extracts it (fullwidth sign, joiners,
boundaries). On Bluesky a tag is what atproto's RichText detection makes a tag facet of, the very
facets the post is published with (`detect_facets`, ported from @atproto/api's
`rich-text/detection.ts`): the sign must start the text or follow whitespace, and only trailing
punctuation is cut. So `(#SaveAsylum)`, `«#SaveAsylum»`, `"#SaveAsylum"` and `.#SaveAsylum` carry
no tag on Bluesky, and `#SaveAsylum's` is the tag `SaveAsylum's`.

twitter-text's rule in detail:

A hashtag starts with `#` or the fullwidth `＃`, is not glued to a letter, digit or `&` before it,
holds letters, marks, digits and twitter-text's special characters (underscore, zero-width
(non-)joiner, middle dots …) with at least one letter, and is not followed by another sign or
`://`. So `＃SaveAsylum` is the tag SaveAsylum, while `#SaveAsylum` followed by a zero-width joiner
is a different tag (`SaveAsylum\u200d`).
"""

from __future__ import annotations

import re

#: twitter-text's hashtagSpecialChars (underscore, ZWNJ, ZWJ and a few script punctuation marks)
_SPECIAL = "_\u200c\u200d\ua67e\u05be\u05f3\u05f4\uff5e\u301c\u309b\u309c\u30a0\u30fb\u3003" \
           "\u0f0b\u0f0c\u00b7"
_CHAR = rf"(?:[^\W_]|[\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u0610-\u061a\u064b-\u065f{_SPECIAL}])"
HASHTAG = re.compile(rf"(?<![&#＃]|{_CHAR})[#＃](?!\ufe0f|\u20e3)({_CHAR}++)(?![#＃]|://)")


def extract_hashtags(text: str) -> list[str]:
    """The hashtags in `text`, without their sign, in order (tags made only of digits skipped)."""
    return [m[1] for m in HASHTAG.finditer(text) if not m[1].isdigit()]


def bluesky_tags(text: str) -> list[str]:
    """The tags of Bluesky's tag facets for `text`, without their sign, in order."""
    from atproto_client.models import AppBskyRichtextFacet
    from atproto_client.utils.facet_detection import detect_facets

    return [f.tag for facet in detect_facets(text) for f in facet.features
            if isinstance(f, AppBskyRichtextFacet.Tag) and not f.tag.startswith("$")]


def has_hashtag(text: str, tag: str, platform: str = "x") -> bool:
    """Whether `tag` (e.g. `#SaveAsylum`) is one of the hashtags of `text` on `platform`, any
    case: Bluesky's tag facets on `bluesky`, twitter-text's hashtags elsewhere."""
    wanted = tag.lstrip("#＃").casefold()
    found = bluesky_tags(text) if platform == "bluesky" else extract_hashtags(text)
    return any(t.casefold() == wanted for t in found)
