"""Hashtags found the way twitter-text extracts them (fullwidth sign, joiners, boundaries).

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


def has_hashtag(text: str, tag: str) -> bool:
    """Whether `tag` (e.g. `#SaveAsylum`) is one of the hashtags of `text`, any case."""
    wanted = tag.lstrip("#＃").casefold()
    return any(t.casefold() == wanted for t in extract_hashtags(text))
