"""Drawing a `Plan` and encoding it as a small, deterministic PNG.

Each glyph is rasterised once per process, weight and size (FreeType via Pillow, Lato from the
font-lato package) and stamped at its pen position; text is drawn as coverage masks, one per
brand colour. The masks then become a palette image: index 0 is the background and each colour
has `LEVELS` steps of anti-aliasing, a fixed palette, so the same plan always gives the same
bytes. Flat palette images compress several times faster and smaller than RGB ones, with no
visible difference (a step is at most 1/64 of the way between two colours).

A palette PNG is encoded here rather than by Pillow: most rows of a card are background only,
and a run of such rows is the same compressed bytes every time (cached per width and height of
the run), so zlib only compresses the rows with ink, unfiltered (filter 0, the best for palette
data). Equal images still give equal bytes; the pixels are exactly Pillow's.
"""

from __future__ import annotations

import io
import struct
import zlib
from functools import lru_cache

from PIL import Image, ImageChops, ImageDraw, ImageFont

from toolkit.core.errors import GraphicsError
from toolkit.graphics.colour import blend, hex_rgb
from toolkit.graphics.fonts import font_path
from toolkit.graphics.layouts import INKS, Box, Plan
from toolkit.graphics.text import get_face

#: anti-aliasing steps per colour in the palette
LEVELS = 32
#: zlib level for the PNGs: flat palette images gain little from more effort
COMPRESS_LEVEL = 3
#: zlib level of the cached background-only row runs (compressed once per process)
BLANK_LEVEL = 6

Glyph = tuple[Image.Image, int, int] | None


@lru_cache(maxsize=256)
def pil_font(weight: str, size: int) -> ImageFont.FreeTypeFont:
    """Lato from the font-lato package at `size` px (basic layout: the same on every machine)."""
    return ImageFont.truetype(str(font_path(weight)), size, layout_engine=ImageFont.Layout.BASIC)


_GLYPHS: dict[tuple[str, int, str], Glyph] = {}


def glyph(weight: str, size: int, ch: str) -> Glyph:
    """The coverage bitmap of `ch` and its offset from the pen on the baseline (None if blank)."""
    key = (weight, size, ch)
    if key in _GLYPHS:
        return _GLYPHS[key]
    # FreeType's coverage mask as `ImageDraw.text` would stamp it (the same pixels), in one call
    core, (left, top) = pil_font(weight, size).getmask2(ch, mode="L", anchor="ls")
    im = Image.Image()._new(core)
    ink = im.getbbox()
    result: Glyph = (im.crop(ink), left + ink[0], top + ink[1]) if ink else None
    _GLYPHS[key] = result
    return result


def _union(a: Box | None, b: Box) -> Box:
    return b if a is None else (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


Stamp = tuple[Image.Image, int, int]


def place_glyphs(plan: Plan) -> tuple[list[tuple[str, Box, list[Stamp]]], list[tuple]]:
    """Where each glyph goes: groups of (colour key, ink box, glyph stamps), one per block and
    colour, and per block (role, ink box, allowed box)."""
    groups: list[tuple[str, Box, list[Stamp]]] = []
    boxes: list[tuple] = []
    for block in plan.blocks:
        face = get_face(block.weight, block.size)
        stamps: dict[str, list[Stamp]] = {}
        inked: dict[str, Box] = {}
        for line in block.lines:
            pens = iter(face.pens(line.text))
            for text, colour in line.runs:
                for ch in text:
                    pen = next(pens)
                    g = glyph(block.weight, block.size, ch)
                    if g is None:
                        continue
                    im, dx, dy = g
                    x, y = line.x + round(pen) + dx, line.baseline + dy
                    stamps.setdefault(colour, []).append((im, x, y))
                    inked[colour] = _union(inked.get(colour), (x, y, x + im.width, y + im.height))
        block_box: Box | None = None
        for colour, box in inked.items():
            groups.append((colour, box, stamps[colour]))
            block_box = _union(block_box, box)
        boxes.append((block.role, block_box, block.allowed))
    return groups, boxes


def coverage(box: Box, stamps: list[Stamp]) -> Image.Image:
    """The coverage mask (0-255) of `stamps` over `box`."""
    x0, y0, x1, y1 = box
    mask = Image.new("L", (x1 - x0, y1 - y0), 0)
    core = mask.im  # Pillow's core paste: the same pixels as `mask.paste(255, …, im)`
    for im, x, y in stamps:
        core.paste(255, (x - x0, y - y0, x - x0 + im.width, y - y0 + im.height), im.im)
    return mask


def palette(plan: Plan) -> list[int]:
    """The fixed palette: background, then `LEVELS` steps towards each of `INKS`."""
    return list(_palette(plan.colors["background"], tuple(plan.colors[key] for key in INKS)))


@lru_cache(maxsize=64)
def _palette(background: str, inks: tuple[str, ...]) -> tuple[int, ...]:
    bg = hex_rgb(background)
    out = list(bg)
    for ink in inks:
        fg = hex_rgb(ink)
        for level in range(1, LEVELS + 1):
            out.extend(blend(bg, fg, level / LEVELS))
    return tuple(out)


def _lut(i: int) -> list[int]:
    base = 1 + i * LEVELS
    out = []
    for a in range(256):
        level = (a * LEVELS + 127) // 255
        out.append(base + level - 1 if level else 0)
    return out


_LUTS = [_lut(i) for i in range(len(INKS))]


def render_palette(plan: Plan) -> tuple[Image.Image, list[tuple]]:
    """The graphic as a palette ("P") image, and the drawn (role, ink, allowed) boxes."""
    groups, boxes = place_glyphs(plan)
    index = Image.new("L", (plan.width, plan.height), 0)
    for colour, box, stamps in groups:
        region = coverage(box, stamps).point(_LUTS[INKS.index(colour)])
        index.paste(ImageChops.lighter(index.crop(box), region), box)
    draw = ImageDraw.Draw(index)
    for rule in plan.rules:
        x0, y0, x1, y1 = rule.box
        draw.rectangle((x0, y0, x1 - 1, y1 - 1), fill=INKS.index(rule.colour) * LEVELS + LEVELS)
    index.putpalette(palette(plan))
    return index, boxes


def render_rgb(plan: Plan) -> Image.Image:
    """The same graphic as a full-colour RGB image (exact blending; for comparison)."""
    groups, _ = place_glyphs(plan)
    image = Image.new("RGB", (plan.width, plan.height), hex_rgb(plan.colors["background"]))
    for colour, box, stamps in groups:
        image.paste(hex_rgb(plan.colors[colour]), box, coverage(box, stamps))
    draw = ImageDraw.Draw(image)
    for rule in plan.rules:
        x0, y0, x1, y1 = rule.box
        draw.rectangle((x0, y0, x1 - 1, y1 - 1), fill=hex_rgb(plan.colors[rule.colour]))
    return image


def encode_png(image: Image.Image, inked: list[tuple[int, int]] | None = None) -> bytes:
    """PNG bytes with no metadata (no time, no text chunks): equal images give equal bytes.

    `inked`, for a palette image: row ranges [y0, y1) outside which every pixel is index 0
    (found here when not given)."""
    if image.mode == "P" and "transparency" not in image.info:
        if inked is None:
            rows = image.getprojection()[1]
            inked = [(y, y + 1) for y in range(image.height) if rows[y]]
        return _encode_palette(image, inked)
    buf = io.BytesIO()
    image.save(buf, "PNG", optimize=False, compress_level=COMPRESS_LEVEL)
    return buf.getvalue()


_BLANK_RUNS: dict[tuple[int, int], bytes] = {}


def _blank_rows(width: int, rows: int) -> bytes:
    """Raw deflate blocks of `rows` unfiltered rows of index 0, each piece ending in a full
    flush (so any stream can go on after it): made of cached runs of 1, 2, 4, … rows."""
    parts, size = [], 1
    while rows:
        if rows & size:
            key = (width, size)
            packed = _BLANK_RUNS.get(key)
            if packed is None:
                packer = zlib.compressobj(BLANK_LEVEL, zlib.DEFLATED, -15, 9)
                packed = packer.compress(bytes((width + 1) * size))
                packed = _BLANK_RUNS[key] = packed + packer.flush(zlib.Z_FULL_FLUSH)
            parts.append(packed)
            rows -= size
        size *= 2
    return b"".join(parts)


def _adler_zeros(adler: int, count: int) -> int:
    """The Adler-32 of the data so far (`adler`) followed by `count` zero bytes."""
    a, b = adler & 0xFFFF, adler >> 16
    return ((b + count * a) % 65521) << 16 | a


def _merge(ranges: list[tuple[int, int]], height: int) -> list[tuple[int, int]]:
    """Row ranges clipped to [0, height), sorted, overlapping or touching ones merged."""
    out: list[list[int]] = []
    for y0, y1 in sorted((max(0, a), min(height, b)) for a, b in ranges):
        if y1 <= y0:
            continue
        if out and y0 <= out[-1][1]:
            out[-1][1] = max(out[-1][1], y1)
        else:
            out.append([y0, y1])
    return [(a, b) for a, b in out]


def _chunk(tag: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + tag + data +
            struct.pack(">I", zlib.crc32(data, zlib.crc32(tag))))


def _encode_palette(image: Image.Image, inked: list[tuple[int, int]]) -> bytes:
    """An 8-bit palette PNG of `image`: the runs of rows outside `inked` (background only)
    from the cache, the others compressed (each run its own full-flushed deflate blocks, all in
    one zlib stream)."""
    width, height = image.size
    parts, adler, y = [b"\x78\x01"], 1, 0
    for y0, y1 in _merge(inked, height):
        if y0 > y:
            parts.append(_blank_rows(width, y0 - y))
            adler = _adler_zeros(adler, (width + 1) * (y0 - y))
        band = image.crop((0, y0, width, y1)).tobytes()
        raw = b"\0" + b"\0".join([band[i:i + width] for i in range(0, len(band), width)])
        packer = zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, -15, 9)
        parts += (packer.compress(raw), packer.flush(zlib.Z_FULL_FLUSH))
        adler = zlib.adler32(raw, adler)
        y = y1
    if y < height:
        parts.append(_blank_rows(width, height - y))
        adler = _adler_zeros(adler, (width + 1) * (height - y))
    parts += (b"\x03\x00", struct.pack(">I", adler))  # an empty final block; the checksum
    colours = bytes(image.getpalette() or [])
    return b"".join((b"\x89PNG\r\n\x1a\n",
                     _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)),
                     _chunk(b"PLTE", colours), _chunk(b"IDAT", b"".join(parts)),
                     _chunk(b"IEND", b"")))


def check_boxes(where: str, plan: Plan, boxes: list[tuple]) -> None:
    """Raise `GraphicsError` if any drawn text leaves its allowed box or the safe area."""
    sx0, sy0, sx1, sy1 = plan.safe
    for role, ink, allowed in boxes:
        if ink is None:
            continue
        x0, y0, x1, y1 = allowed
        inside = x0 <= ink[0] and y0 <= ink[1] and ink[2] <= x1 and ink[3] <= y1
        safe = sx0 <= ink[0] and sy0 <= ink[1] and ink[2] <= sx1 and ink[3] <= sy1
        if not (inside and safe):
            raise GraphicsError(f"{where}: the {role} text {ink} leaves its box {allowed}")


def render_png(plan: Plan, where: str = "") -> bytes:
    """The PNG bytes of `plan`, after checking that all text stayed inside its boxes."""
    image, boxes = render_palette(plan)
    check_boxes(where, plan, boxes)
    inked = [(ink[1], ink[3]) for _, ink, _ in boxes if ink is not None]
    return encode_png(image, inked + [(r.box[1], r.box[3]) for r in plan.rules])
