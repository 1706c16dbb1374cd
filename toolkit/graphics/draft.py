"""The "DRAFT – unverified" band drawn across cards whose statistic is not yet verified.

Such cards are rendered only on request (`graphics build --include-unverified`), into a folder
apart from the supporters' graphics, so the team can review them; the band makes a draft
impossible to mistake for a card that may be shared.
"""

from __future__ import annotations

from PIL import Image, ImageDraw

from toolkit.graphics.layouts import Plan
from toolkit.graphics.render import check_boxes, encode_png, pil_font, render_palette

#: the band's words per language (English for any other)
BAND_TEXT = {"en": "DRAFT – unverified", "es": "BORRADOR – sin verificar"}
#: white on this red has a contrast ratio above 6:1
BAND_COLOUR = (179, 38, 30)
TEXT_COLOUR = (255, 255, 255)


def band_text(lang: str) -> str:
    """The band's words in `lang`."""
    return BAND_TEXT.get(lang, BAND_TEXT["en"])


def band_box(plan: Plan) -> tuple[int, int, int, int]:
    """Where the band goes: full width, at the top of the safe area (visible on every app)."""
    height = max(40, round(min(plan.width, plan.height) * 0.09))
    top = plan.safe[1]
    return 0, top, plan.width, top + height


def draw_band(image: Image.Image, plan: Plan, lang: str) -> None:
    """Draw the band, its words centred and as large as fit, onto an RGB `image`."""
    x0, y0, x1, y1 = band_box(plan)
    draw = ImageDraw.Draw(image)
    draw.rectangle((x0, y0, x1 - 1, y1 - 1), fill=BAND_COLOUR)
    text = band_text(lang)
    size = round((y1 - y0) * 0.6)
    font = pil_font("bold", size)
    while size > 12 and draw.textlength(text, font=font) > (x1 - x0) * 0.9:
        size -= 2
        font = pil_font("bold", size)
    draw.text(((x0 + x1) // 2, (y0 + y1) // 2), text, font=font, fill=TEXT_COLOUR, anchor="mm")


def render_draft_png(plan: Plan, lang: str, where: str = "") -> bytes:
    """The card's PNG with the draft band (after the usual check that all text fits)."""
    image, boxes = render_palette(plan)
    check_boxes(where, plan, boxes)
    rgb = image.convert("RGB")
    draw_band(rgb, plan, lang)
    return encode_png(rgb)
