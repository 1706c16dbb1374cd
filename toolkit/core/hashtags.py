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

import functools
import re
from pathlib import Path

#: a tag of more code points than this may exceed Bluesky's 64 graphemes
MAX_TAG_CHARS = 64
#: twitter-text's hashtagSpecialChars (underscore, ZWNJ, ZWJ and a few script punctuation marks)
_SPECIAL = "_\u200c\u200d\ua67e\u05be\u05f3\u05f4\uff5e\u301c\u309b\u309c\u30a0\u30fb\u3003" \
           "\u0f0b\u0f0c\u00b7"
_CHAR = rf"(?:[^\W_]|[\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u0610-\u061a\u064b-\u065f{_SPECIAL}])"
HASHTAG = re.compile(rf"(?<![&#＃]|{_CHAR})[#＃](?!\ufe0f|\u20e3)({_CHAR}++)(?![#＃]|://)")


def extract_hashtags(text: str) -> list[str]:
    """The hashtags in `text`, without their sign, in order (tags made only of digits skipped)."""
    return [m[1] for m in HASHTAG.finditer(text) if not m[1].isdigit()]


@functools.cache
def _atproto_regexes() -> tuple[re.Pattern, re.Pattern]:
    """The SDK's own `TAG_REGEX` and `TRAILING_PUNCTUATION_REGEX` (ported from @atproto/api),
    loaded from `atproto_client/utils/facet_regexes.py` by its path: that file needs only `re`,
    while importing it through its package loads every model of the SDK (about 0.5 s, which
    `toolkit check` and `compose` would pay for each Bluesky hashtag check)."""
    import importlib.util
    import sys

    if "atproto_client" in sys.modules:  # loaded already: no cost
        from atproto_client.utils import facet_regexes as found
    else:
        package = importlib.util.find_spec("atproto_client")  # located, not imported
        folder = Path(next(iter(package.submodule_search_locations or [])))
        spec = importlib.util.spec_from_file_location(
            "_toolkit_atproto_facet_regexes", folder / "utils" / "facet_regexes.py")
        found = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(found)
    return found.TAG_REGEX, found.TRAILING_PUNCTUATION_REGEX


def bluesky_tags(text: str) -> list[str]:
    """The tags of Bluesky's tag facets for `text`, without their sign, in order: the SDK's
    `_detect_tags` rule (its regexes; trailing punctuation cut; at most 64 graphemes)."""
    tag_regex, trailing = _atproto_regexes()
    tags = []
    for match in tag_regex.finditer(text):
        tag = trailing.sub("", match.group(2) or "")
        if len(tag) > MAX_TAG_CHARS:  # perhaps over 64 graphemes: ask the SDK itself
            from atproto_client.models import AppBskyRichtextFacet
            from atproto_client.utils.facet_detection import detect_facets

            return [f.tag for facet in detect_facets(text) for f in facet.features
                    if isinstance(f, AppBskyRichtextFacet.Tag) and not f.tag.startswith("$")]
        if tag and not tag.startswith("$"):  # `$…` is how the SDK stores cashtags
            tags.append(tag)
    return tags


def has_hashtag(text: str, tag: str, platform: str = "x") -> bool:
    """Whether `tag` (e.g. `#SaveAsylum`) is one of the hashtags of `text` on `platform`, any
    case: Bluesky's tag facets on `bluesky`, twitter-text's hashtags elsewhere."""
    wanted = tag.lstrip("#＃").casefold()
    found = bluesky_tags(text) if platform == "bluesky" else extract_hashtags(text)
    return any(t.casefold() == wanted for t in found)
