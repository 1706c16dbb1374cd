"""Text as the text rules read it: NFKC, without default-ignorable characters, look-alike
letters folded to Latin.

So `s\u200beventy` (a zero-width space inside), `sev\u00adenty` (a soft hyphen) and `sevеnty`
(a Cyrillic е) all read "seventy", and `b\u200back n\u200bow` reads "back now". Only for
checking: what is published is never changed.
"""

from __future__ import annotations

import re
import unicodedata

#: default-ignorable code points that are not format characters (Cf are all dropped)
_IGNORABLE = re.compile("[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f"
                        "\uffa0\U000e0100-\U000e01ef]")

#: Cyrillic and Greek letters that look like Latin ones (Unicode's confusables, the common part)
_CONFUSABLES = str.maketrans({
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "һ": "h", "і": "i", "ї": "i", "ј": "j", "к": "k",
    "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s",
    "ԁ": "d", "ԛ": "q", "ԝ": "w", "ɡ": "g", "ı": "i",
    "А": "A", "В": "B", "Е": "E", "Ё": "E", "Һ": "H", "І": "I", "Ї": "I", "Ј": "J", "К": "K",
    "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T", "У": "Y", "Х": "X", "Ѕ": "S",
    "Ԁ": "D", "Ԛ": "Q", "Ԝ": "W",
    # Greek
    "α": "a", "ο": "o", "ρ": "p", "ν": "v", "ι": "i", "κ": "k", "τ": "t", "υ": "u", "χ": "x",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
})


def skeleton(text: str) -> str:
    """`text` normalised for the number and present-tense rules (see the module's docstring).

    Numerals stay as written (`¹²³`, `①` are reported as the text has them); every other
    character is NFKC-normalised (fullwidth letters, `＃`, ligatures)."""
    text = unicodedata.normalize("NFC", "".join(
        ch if unicodedata.numeric(ch, None) is not None else unicodedata.normalize("NFKC", ch)
        for ch in text))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return _IGNORABLE.sub("", text).translate(_CONFUSABLES)
