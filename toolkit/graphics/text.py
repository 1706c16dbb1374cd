"""Measuring text in pixels from the font's own metrics, the way the renderer places it.

A line's glyphs sit at fractional pen positions (unhinted advance widths, no kerning); the renderer
puts each glyph's bitmap at the rounded pen position, so layout and drawing agree exactly and no
measurement needs FreeType.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from toolkit.graphics.fonts import FontMetrics, metrics

#: breakable white space (a no-break space is kept: it holds its words together)
_SPACES = re.compile(r"[ \t\r\n]+")
#: per weight: each character's (advance, ink box) and each text's extent, in font units (they do
#: not depend on the size, so every size shares them)
_GLYPHS: dict[str, dict[str, tuple[int, tuple[int, int, int, int] | None]]] = {}
_UNITS: dict[str, dict[str, tuple[int, int, int, int, int]]] = {}


def normalise(text: str) -> str:
    """Text as drawn: NFC (so 'é' is one glyph, never 'e' plus a combining accent), one line."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


@dataclass(frozen=True)
class Extent:
    """Ink of a line relative to its start on the baseline (pixels, y down)."""

    left: float
    right: float
    top: float
    bottom: float
    advance: float


class Face:
    """Lato at one weight and pixel size: advances and ink boxes of text."""

    def __init__(self, weight: str, size: int) -> None:
        self.weight, self.size = weight, size
        self.metrics: FontMetrics = metrics(weight)
        self.scale = size / self.metrics.units_per_em
        self._glyphs = _GLYPHS.setdefault(weight, {})
        self._units = _UNITS.setdefault(weight, {})

    @property
    def ascent(self) -> float:
        """The font's ascender in pixels."""
        return self.metrics.ascender * self.scale

    @property
    def descent(self) -> float:
        """The font's descender in pixels (positive, below the baseline)."""
        return -self.metrics.descender * self.scale

    def _glyph(self, ch: str) -> tuple[int, tuple[int, int, int, int] | None]:
        g = self._glyphs.get(ch)
        if g is None:
            g = self._glyphs[ch] = (self.metrics.advance(ch), self.metrics.box(ch))
        return g

    def _line_units(self, text: str) -> tuple[int, int, int, int, int]:
        """(left, right, top, bottom, advance) of `text` in font units, y down; cached."""
        u = self._units.get(text)
        if u is None:
            left = right = top = bottom = pen = 0
            inked = False
            for ch in text:
                adv, box = self._glyph(ch)
                if box is not None:
                    x0, y0, x1, y1 = pen + box[0], -box[3], pen + box[2], -box[1]
                    if not inked:
                        left, top, right, bottom, inked = x0, y0, x1, y1, True
                    else:
                        left, top = min(left, x0), min(top, y0)
                        right, bottom = max(right, x1), max(bottom, y1)
                pen += adv
            u = self._units[text] = (left, right, top, bottom, pen)
        return u

    def advance(self, text: str) -> float:
        """The pen advance of `text` in pixels."""
        return self._line_units(text)[4] * self.scale

    def pens(self, text: str) -> list[float]:
        """The pen position of each character of `text`, from 0."""
        out, pen = [], 0
        for ch in text:
            out.append(pen * self.scale)
            pen += self._glyph(ch)[0]
        return out

    def overhang(self, text: str) -> tuple[float, float]:
        """Ink beyond the pen box at the left of the first glyph and right of the last (>= 0)."""
        if not text:
            return 0.0, 0.0
        _, first = self._glyph(text[0])
        adv, last = self._glyph(text[-1])
        left = max(0, -first[0]) if first else 0
        right = max(0, last[2] - adv) if last else 0
        return left * self.scale, right * self.scale

    def width(self, text: str) -> float:
        """The width `text` needs: its advance plus any ink hanging out at either end."""
        left, right = self.overhang(text)
        return self.advance(text) + left + right

    def extent(self, text: str) -> Extent:
        """The ink box of one line of `text`."""
        left, right, top, bottom, adv = self._line_units(text)
        s = self.scale
        return Extent(left * s, right * s, top * s, bottom * s, adv * s)


def words_in_units(weight: str, text: str) -> list[tuple[str, int, int, int]]:
    """The words of `text` with their advance and left/right ink overhang in font units."""
    key = (weight, text)
    cached = _WORDS.get(key)
    if cached is None:
        face = get_face(weight, 1000)
        cached = []
        for word in text.split(" "):
            if word:
                left, right, _, _, adv = face._line_units(word)
                first = face._glyph(word[0])[1]
                last_adv, last = face._glyph(word[-1])
                ohl = max(0, -first[0]) if first else 0
                ohr = max(0, last[2] - last_adv) if last else 0
                cached.append((word, adv, ohl, ohr))
        _WORDS[key] = cached
    return cached


_WORDS: dict[tuple[str, str], list[tuple[str, int, int, int]]] = {}


@lru_cache(maxsize=1024)
def get_face(weight: str, size: int) -> Face:
    """The shared `Face` for a weight and size."""
    return Face(weight, size)
