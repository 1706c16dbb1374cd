"""Small bar charts as SVG markup, drawn on the server (no script; presentation attributes
only, so the review app's CSP, which allows no inline style, holds). The review app's style
sheet recolours them in dark mode (`.chart text`, `.chart .bar`)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

BAR = "#13294b"
ACCENT = "#f4b63f"
ROW = 22
LABEL_W = 180
BAR_W = 260


def bar_chart(rows: Sequence[dict], value: str, title: str, limit: int = 10) -> str:
    """A horizontal bar chart of `row[value]` for the first `limit` rows with a value; an
    accessible SVG (`role="img"` with a title and a description listing every figure)."""
    shown = [r for r in rows if r.get(value) is not None][:limit]
    if not shown:
        return ""
    top = max(float(r[value]) for r in shown) or 1.0
    height = ROW * len(shown) + 8
    width = LABEL_W + BAR_W + 60
    desc = "; ".join(f"{r['group']}: {r[value]}" for r in shown)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
           f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
           f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>"]
    for i, r in enumerate(shown):
        y = 4 + i * ROW
        w = max(1, round(BAR_W * float(r[value]) / top))
        label = str(r["group"])
        label = label if len(label) <= 22 else label[:21] + "…"
        out.append(f'<text x="{LABEL_W - 6}" y="{y + 15}" text-anchor="end" font-size="12" '
                   f'fill="{BAR}">{escape(label)}</text>'
                   f'<rect class="{"bar" if i else "lead"}" x="{LABEL_W}" y="{y + 3}" '
                   f'width="{w}" height="{ROW - 6}" fill="{BAR if i else ACCENT}"/>'
                   f'<text x="{LABEL_W + w + 4}" y="{y + 15}" font-size="12" '
                   f'fill="{BAR}">{escape(str(r[value]))}</text>')
    out.append("</svg>")
    return "".join(out)
