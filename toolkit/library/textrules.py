"""What a template may not say on its own: bare numbers, number words and stray braces.

Every figure in a post must come from a sourced statistic through a `{statistic-id}`
placeholder. These functions find what escapes that rule: numbers in any Unicode digits
(superscript ², circled ①, fullwidth １ …), numbers written as words in English and Spanish
("seventy thousand", "setenta mil", "dozens", "cientos de"), and brace placeholders that name
nothing known (`{CONGRESS}`, `{{hrf-attacks-2021}}`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable

from toolkit.hashtags import HASHTAG
from toolkit.library.models import PLACEHOLDER, Library

URL = re.compile(r"https?://\S+")
#: one brace group: `{id}`, `{{id}}`, `{CONGRESS}`, or a lone brace
BRACES = re.compile(r"\{+[^{}\n]*\}+|[{}]")
_SEPARATORS = ".,:/"

# "one"/"un"/"una" are left out: they are mostly articles ("one of them", "una política");
# ordinals ("first", "primera") name no figure
_EN = ("two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
       "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty "
       "ninety hundreds? thousands? millions? billions? dozens?")
_ES = ("dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce quince "
       "dieci\\w+ veinte veinti\\w+ treinta cuarenta cincuenta sesenta setenta ochenta noventa "
       "cien cientos? doscient[oa]s trescient[oa]s cuatrocient[oa]s quinient[oa]s "
       "seiscient[oa]s setecient[oa]s ochocient[oa]s novecient[oa]s mil miles millón millones "
       "millardos? docenas? centenar(?:es)? millar(?:es)?")
NUMBER_WORDS = {
    "en": _EN.split(" "),
    "es": _ES.split(" "),
}


def _word_pattern(words: Iterable[str]) -> re.Pattern:
    word = rf"(?<!\w)(?:{'|'.join(words)})(?!\w)"
    # "seventy thousand", "twenty-five", "ciento y pico" stay one finding
    return re.compile(rf"{word}(?:[\s-]+(?:(?:and|y)\s+)?{word})*", re.IGNORECASE)


#: words that hold a number word but are no figure: Spanish "los dos"/"las dos" ("both")
NOT_FIGURES = {"es": re.compile(r"(?<!\w)l[oa]s\s+dos(?!\w)", re.IGNORECASE)}
_PATTERNS = {lang: _word_pattern(words) for lang, words in NUMBER_WORDS.items()}
_ALL = _word_pattern([w for words in NUMBER_WORDS.values() for w in words])


def _is_numeral(ch: str) -> bool:
    return unicodedata.numeric(ch, None) is not None


def plain_text(template: str) -> str:
    """The template without placeholders, URLs and hashtags (what the number rules read);
    `#70000` is no hashtag (twitter-text needs a letter), so its number stays."""
    return HASHTAG.sub(lambda m: m[0] if m[1].isdigit() else " ",
                       URL.sub(" ", PLACEHOLDER.sub(" ", template)))


def numbers_in(text: str) -> list[str]:
    """Every number in `text` written in any Unicode numeral (digits with `.,:/` inside)."""
    found, i = [], 0
    while i < len(text):
        if not _is_numeral(text[i]):
            i += 1
            continue
        j = i + 1
        while j < len(text) and (_is_numeral(text[j]) or (
                text[j] in _SEPARATORS and j + 1 < len(text) and _is_numeral(text[j + 1]))):
            j += 1
        found.append(text[i:j])
        i = j
    return found


def number_words_in(text: str, lang: str) -> list[str]:
    """Numbers written as words in `text` (English or Spanish rules; both for other languages)."""
    pattern = _PATTERNS.get(lang, _ALL)
    if lang in NOT_FIGURES:
        text = NOT_FIGURES[lang].sub(" ", text)
    return [" ".join(m[0].split()) for m in pattern.finditer(text)]


def known_placeholders(library: Library) -> set[str]:
    """Ids a `{placeholder}` may name: statistics, and claims when the library has them."""
    return set(library.statistics) | set(getattr(library, "claims", None) or ())


def unknown_placeholders(template: str, known: Collection[str]) -> list[str]:
    """Brace groups in `template` that are not exactly one `{known-id}`, as written."""
    bad = []
    for m in BRACES.finditer(template):
        single = PLACEHOLDER.fullmatch(m[0])
        if single is None or single[1] not in known:
            bad.append(m[0])
    return bad
