"""What a template may not say on its own: bare numbers, number words and stray braces.

Every figure in a post must come from a sourced statistic through a `{statistic-id}`
placeholder. These functions find what escapes that rule: numbers in any Unicode digits
(superscript ², circled ①, fullwidth １ …), Roman numerals (`MMXXI`), digits faked with letters
(`lOOO`), numbers written as words in English and Spanish ("seventy thousand", "setenta mil",
"dozens", "cientos de", "tenfold", "un billón"), in any text whatever its language, and inside
hashtags (`#Over70000Attacked`, `#SeventyThousand`), and brace placeholders that name nothing
known (`{CONGRESS}`, `{{hrf-attacks-2021}}`). The rules read the text's skeleton
(`toolkit.library.skeleton`): zero-width characters, soft hyphens and look-alike letters do not
hide a word.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable

from toolkit.core.errors import InputError
from toolkit.core.hashtags import HASHTAG
from toolkit.library.models import PLACEHOLDER, Library
from toolkit.library.skeleton import skeleton

URL = re.compile(r"https?://\S+")
#: one brace group: `{id}`, `{{id}}`, `{CONGRESS}`, or a lone brace
BRACES = re.compile(r"\{+[^{}\n]*\}+|[{}]")
_SEPARATORS = ".,:/"

# "one"/"un"/"una" are left out: they are mostly articles ("one of them", "una política");
# ordinals ("first", "primera") name no figure
_EN = ("zero two three four five six seven eight nine ten eleven twelve thirteen fourteen "
       "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy "
       "eighty ninety hundreds? thousands? millions? billions? trillions? dozens? "
       "(?:two|three|four|five|six|seven|eight|nine|ten|twenty|hundred|thousand)-?fold")
_ES = ("dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce quince "
       "dieci\\w+ veinte veinti\\w+ treinta cuarenta cincuenta sesenta setenta ochenta noventa "
       "cien cientos? doscient[oa]s trescient[oa]s cuatrocient[oa]s quinient[oa]s "
       "seiscient[oa]s setecient[oa]s ochocient[oa]s novecient[oa]s mil miles millón millones "
       "millardos? docenas? centenar(?:es)? millar(?:es)? cero billón billones trillón "
       "trillones decenas? centenas?")
NUMBER_WORDS = {
    "en": _EN.split(" "),
    "es": _ES.split(" "),
}
#: another language's number words that are ordinary words in this one (English "once",
#: "miles"; Spanish "ten", as in "ten cuidado"): not read as figures in a text of this language
ORDINARY_WORDS = {"en": {"once", "miles"}, "es": {"ten"}}


def _word_pattern(words: Iterable[str]) -> re.Pattern:
    word = rf"(?<!\w)(?:{'|'.join(words)})(?!\w)"
    # "seventy thousand", "twenty-five", "ciento y pico" stay one finding
    return re.compile(rf"{word}(?:[\s-]+(?:(?:and|y)\s+)?{word})*", re.IGNORECASE)


#: words that hold a number word but are no figure: Spanish "los dos"/"las dos" ("both")
NOT_FIGURES = {"es": re.compile(r"(?<!\w)l[oa]s\s+dos(?!\w)", re.IGNORECASE)}
#: per language: its own number words and every other language's but its ordinary words
_PATTERNS = {lang: _word_pattern(dict.fromkeys(
    [*own, *(w for other, words in NUMBER_WORDS.items() if other != lang for w in words
             if w not in ORDINARY_WORDS.get(lang, ()))]))
    for lang, own in NUMBER_WORDS.items()}
#: Roman numerals of three letters or more (`MMXXI`, `CDXLIV`; "DC" or "II" stay words)
_ROMAN = re.compile(r"(?<![\w])(?=[MDCLXVI]{3,}(?![\w]))M{0,4}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})"
                    r"(?:IX|IV|V?I{0,3})(?![\w])")
#: digits written with look-alike letters: `lOOO`, `1O0O`, `l,OOO`
_LOOKALIKE = re.compile(r"(?<![\w])(?=\S*[O0])(?=\S*[lI|1])[lI|1O0](?:[lI|1O0]|[.,](?=[lI|1O0]))"
                        r"{2,}(?![\w])")
#: where a hashtag's words meet: `Over70000Attacked` -> `Over 70000 Attacked`
_TAG_WORDS = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")


def has_number_rules(lang: str) -> bool:
    """Whether the number rules know the number words of `lang`."""
    return lang in NUMBER_WORDS


def _is_numeral(ch: str) -> bool:
    return unicodedata.numeric(ch, None) is not None


def plain_text(template: str) -> str:
    """What the number rules read: the template's skeleton without placeholders and URLs, each
    hashtag's words spelled apart (`#SeventyThousand` reads "Seventy Thousand")."""
    text = URL.sub(" ", PLACEHOLDER.sub(" ", skeleton(template)))
    return HASHTAG.sub(lambda m: f" {_TAG_WORDS.sub(' ', m[1])} ", text)


def numbers_in(text: str) -> list[str]:
    """Every number in `text` written in any Unicode numeral (digits with `.,:/` inside), as a
    Roman numeral, or with letters that look like digits."""
    return [*_numerals_in(text), *(m[0] for m in _ROMAN.finditer(text)),
            *(m[0] for m in _LOOKALIKE.finditer(text) if any(c in "lI|O" for c in m[0]))]


def _numerals_in(text: str) -> list[str]:
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
    """Numbers written as words in `text` of language `lang`: the words of every language the
    rules know (but another language's words that are ordinary in `lang`). Raises
    `InputError` for a language the rules do not know: its numbers cannot be checked."""
    pattern = _PATTERNS.get(lang)
    if pattern is None:
        raise InputError(f"no number rules for language '{lang}' (known: "
                         f"{', '.join(NUMBER_WORDS)}): its numbers cannot be checked")
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
