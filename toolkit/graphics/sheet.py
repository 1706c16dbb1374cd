"""A contact sheet: one card in every format, scaled down and labelled, for review by eye.

Story formats show the bands the apps cover with their own controls, so a reviewer can see that
no text sits there. The card's alt text is printed underneath.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

from toolkit.core.config import Config
from toolkit.core.errors import GraphicsError
from toolkit.graphics.fit import wrap
from toolkit.graphics.jobs import Job, jobs_for
from toolkit.graphics.layouts import plan_card
from toolkit.graphics.render import pil_font, render_palette
from toolkit.library.models import Library

PAPER = (238, 240, 244)
INK = (29, 36, 51)
SOFT = (96, 104, 120)
THUMB_HEIGHT = 420
GAP = 36
MAX_WIDTH = 1760


def contact_sheet(config: Config, library: Library, card: str, lang: str) -> Image.Image:
    """The sheet of `card` in language `lang`, as an RGB image."""
    if card not in library.cards:
        known = ", ".join(sorted(library.cards)) or "none"
        raise GraphicsError(f"unknown card '{card}' (cards: {known})")
    if lang not in config.languages:
        raise GraphicsError(f"unknown language '{lang}' (the campaign's languages are "
                            f"{', '.join(config.languages)})")
    jobs, problems = jobs_for(config, library, [card])
    if problems:
        raise GraphicsError(f"{problems[0].path}:{problems[0].line}: {problems[0].message}")
    jobs = [j for j in jobs if j.lang == lang]
    if not jobs:
        raise GraphicsError("the config has no graphic formats")
    thumbs = [(job, _thumb(job)) for job in jobs]
    rows = _rows([t.width for _, t in thumbs])
    label_h, title_h = 58, 96
    width = max(sum(thumbs[i][1].width for i in row) + GAP * (len(row) + 1) for row in rows)
    alt_font = pil_font("regular", 22)
    alt_lines = wrap("regular", 22, f"Alt text: {jobs[0].alt}", width - 2 * GAP) or []
    height = (title_h + sum(THUMB_HEIGHT + label_h + GAP for _ in rows) + GAP
              + 30 * len(alt_lines) + GAP)
    sheet = Image.new("RGB", (width, height), PAPER)
    draw = ImageDraw.Draw(sheet)
    title = f"{card} · {jobs[0].layout} card · {lang}"
    draw.text((GAP, GAP), title, font=pil_font("bold", 34), fill=INK)
    note = "every format, scaled down; hatched bands: covered by the app's own controls"
    draw.text((GAP, GAP + 44), note, font=pil_font("regular", 20), fill=SOFT)
    y = title_h + GAP // 2
    for row in rows:
        x = GAP
        for i in row:
            job, thumb = thumbs[i]
            sheet.paste(thumb, (x, y))
            draw.rectangle((x - 1, y - 1, x + thumb.width, y + thumb.height),
                           outline=(200, 204, 212))
            fmt = job.fmt
            label = f"{fmt.name} · {fmt.width}×{fmt.height}"
            draw.text((x, y + THUMB_HEIGHT + 12), label, font=pil_font("bold", 22), fill=INK)
            draw.text((x, y + THUMB_HEIGHT + 38), job.file, font=pil_font("regular", 16),
                      fill=SOFT)
            x += thumb.width + GAP
        y += THUMB_HEIGHT + label_h + GAP
    for line in alt_lines:
        draw.text((GAP, y), line, font=alt_font, fill=INK)
        y += 30
    return sheet


def stack_sheets(sheets: list[Image.Image]) -> Image.Image:
    """Sheets (one per language) one above the other, as one image."""
    if len(sheets) == 1:
        return sheets[0]
    width = max(s.width for s in sheets)
    stacked = Image.new("RGB", (width, sum(s.height for s in sheets)), PAPER)
    y = 0
    for one in sheets:
        stacked.paste(one, (0, y))
        y += one.height
    return stacked


def write_sheet(image: Image.Image, path: Path) -> Path:
    """Save the sheet as a PNG (256 colours, which keeps it small enough for a README)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    image.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        path, "PNG", optimize=True)
    return path


def _thumb(job: Job) -> Image.Image:
    image, _ = render_palette(plan_card(job))
    rgb = image.convert("RGB")
    fmt = job.fmt
    if fmt.safe_top or fmt.safe_bottom:
        _hatch(rgb, 0, round(fmt.height * fmt.safe_top))
        _hatch(rgb, fmt.height - round(fmt.height * fmt.safe_bottom), fmt.height)
    width = round(fmt.width * THUMB_HEIGHT / fmt.height)
    return rgb.resize((width, THUMB_HEIGHT), Image.Resampling.LANCZOS)


def _hatch(image: Image.Image, y0: int, y1: int) -> None:
    """Cover rows y0..y1 with diagonal stripes (the area the apps draw over)."""
    if y1 <= y0:
        return
    band = image.crop((0, y0, image.width, y1))
    stripes = Image.new("L", band.size, 0)
    draw = ImageDraw.Draw(stripes)
    for x in range(-band.height, band.width, 48):
        draw.line((x, band.height, x + band.height, 0), fill=110, width=14)
    band.paste((255, 255, 255), (0, 0), stripes)
    image.paste(band, (0, y0))


def _rows(widths: list[int]) -> list[list[int]]:
    """Indexes of the thumbnails per row, filling rows up to `MAX_WIDTH`."""
    rows: list[list[int]] = [[]]
    used = GAP
    for i, w in enumerate(widths):
        if rows[-1] and used + w + GAP > MAX_WIDTH:
            rows.append([])
            used = GAP
        rows[-1].append(i)
        used += w + GAP
    return rows
