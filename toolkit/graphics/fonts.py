"""The campaign font: Lato (SIL Open Font License) from the `font-lato` package, never the system.

This module reads the TrueType tables it needs itself (character map, advance widths, glyph
boxes, vertical metrics), so wrapping, fitting and the glyph-coverage check run without Pillow.
`missing_glyphs` uses the font's own character map, so a character the font cannot draw is caught
before it would render as an empty box.
"""

from __future__ import annotations

import hashlib
import struct
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import font_lato

#: the weights the layouts use, by name -> file in the font-lato package
WEIGHTS: dict[str, str] = {
    "regular": "Lato-Regular.ttf",
    "bold": "Lato-Bold.ttf",
    "black": "Lato-Black.ttf",
}
#: characters that never need a glyph (wrapping turns them into line breaks or gaps)
NO_GLYPH = frozenset(" \n\t")


@dataclass(frozen=True)
class FontMetrics:
    """What layout needs from one font file, in font units (`units_per_em` to the em)."""

    weight: str
    units_per_em: int
    ascender: int
    descender: int
    cmap: dict[int, int]
    advances: tuple[int, ...]
    boxes: tuple[tuple[int, int, int, int] | None, ...]

    def glyph_id(self, ch: str) -> int:
        """The glyph of `ch` (0, the missing-glyph box, when the font has none)."""
        return self.cmap.get(ord(ch), 0)

    def advance(self, ch: str) -> int:
        """The advance width of `ch` in font units."""
        gid = self.glyph_id(ch)
        return self.advances[min(gid, len(self.advances) - 1)]

    def box(self, ch: str) -> tuple[int, int, int, int] | None:
        """The ink box (x_min, y_min, x_max, y_max; y up) of `ch`, None for blank glyphs."""
        gid = self.glyph_id(ch)
        return self.boxes[gid] if gid < len(self.boxes) else None


def font_path(weight: str) -> Path:
    """The TTF file of `weight` ('regular', 'bold' or 'black') inside the font-lato package."""
    return Path(font_lato.font_directory) / WEIGHTS[weight]


@lru_cache(maxsize=8)
def metrics(weight: str) -> FontMetrics:
    """The parsed metrics of `weight`, read once per process."""
    return _parse(weight, font_path(weight).read_bytes())


@lru_cache(maxsize=1)
def font_digest() -> str:
    """A SHA-256 over the font files used, so new fonts re-render every graphic."""
    h = hashlib.sha256()
    for weight in sorted(WEIGHTS):
        h.update(font_path(weight).read_bytes())
    return h.hexdigest()


def missing_glyphs(text: str, weights: tuple[str, ...] = tuple(WEIGHTS)) -> list[str]:
    """Characters of `text` (NFC) that some of `weights` cannot draw, in order of first use."""
    missing: dict[str, None] = {}
    maps = [metrics(w).cmap for w in weights]
    for ch in unicodedata.normalize("NFC", text):
        if ch not in NO_GLYPH and not all(ord(ch) in m for m in maps):
            missing.setdefault(ch)
    return list(missing)


def _tables(data: bytes) -> dict[str, int]:
    (count,) = struct.unpack_from(">H", data, 4)
    out = {}
    for i in range(count):
        tag, _, offset, _ = struct.unpack_from(">4sIII", data, 12 + 16 * i)
        out[tag.decode("latin-1")] = offset
    return out


def _parse(weight: str, data: bytes) -> FontMetrics:
    t = _tables(data)
    (upem,) = struct.unpack_from(">H", data, t["head"] + 18)
    (loca_format,) = struct.unpack_from(">h", data, t["head"] + 50)
    ascender, descender = struct.unpack_from(">hh", data, t["hhea"] + 4)
    (n_metrics,) = struct.unpack_from(">H", data, t["hhea"] + 34)
    (n_glyphs,) = struct.unpack_from(">H", data, t["maxp"] + 4)
    advances = tuple(struct.unpack_from(">H", data, t["hmtx"] + 4 * i)[0]
                     for i in range(n_metrics))
    if loca_format == 0:
        loca = [2 * v for v in struct.unpack_from(f">{n_glyphs + 1}H", data, t["loca"])]
    else:
        loca = list(struct.unpack_from(f">{n_glyphs + 1}I", data, t["loca"]))
    boxes: list[tuple[int, int, int, int] | None] = []
    for gid in range(n_glyphs):
        if loca[gid + 1] > loca[gid]:
            boxes.append(struct.unpack_from(">hhhh", data, t["glyf"] + loca[gid] + 2))
        else:
            boxes.append(None)
    return FontMetrics(weight, upem, ascender, descender, _read_cmap(data, t["cmap"]),
                       advances, tuple(boxes))


def _read_cmap(data: bytes, offset: int) -> dict[int, int]:
    """Code point -> glyph id from the Unicode subtables (formats 4 and 12) of `cmap`."""
    codes: dict[int, int] = {}
    (_, count) = struct.unpack_from(">HH", data, offset)
    for i in range(count):
        platform, encoding, sub = struct.unpack_from(">HHI", data, offset + 4 + 8 * i)
        if platform == 0 or (platform == 3 and encoding in (1, 10)):
            codes.update(_subtable(data, offset + sub))
    return codes


def _subtable(data: bytes, at: int) -> dict[int, int]:
    (fmt,) = struct.unpack_from(">H", data, at)
    codes: dict[int, int] = {}
    if fmt == 4:
        seg2 = struct.unpack_from(">H", data, at + 6)[0]
        n = seg2 // 2
        ends = struct.unpack_from(f">{n}H", data, at + 14)
        starts = struct.unpack_from(f">{n}H", data, at + 16 + seg2)
        deltas = struct.unpack_from(f">{n}h", data, at + 16 + 2 * seg2)
        range_at = at + 16 + 3 * seg2
        ranges = struct.unpack_from(f">{n}H", data, range_at)
        for i in range(n):
            for c in range(starts[i], ends[i] + 1):
                if c == 0xFFFF:
                    continue
                if ranges[i] == 0:
                    glyph = (c + deltas[i]) & 0xFFFF
                else:
                    addr = range_at + 2 * i + ranges[i] + 2 * (c - starts[i])
                    glyph = struct.unpack_from(">H", data, addr)[0]
                    glyph = (glyph + deltas[i]) & 0xFFFF if glyph else 0
                if glyph:
                    codes[c] = glyph
    elif fmt == 12:
        (groups,) = struct.unpack_from(">I", data, at + 12)
        for g in range(groups):
            start, end, first = struct.unpack_from(">III", data, at + 16 + 12 * g)
            for i, c in enumerate(range(start, end + 1)):
                if first + i:
                    codes[c] = first + i
    return codes
