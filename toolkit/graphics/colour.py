"""Colour contrast by the WCAG 2.x formula, and the brand's contrast rules.

Relative luminance uses the sRGB linearisation (threshold 0.04045, as in the sRGB standard; the
WCAG text's 0.03928 gives the same result for 8-bit colours); the contrast ratio is
(L1 + 0.05) / (L2 + 0.05) with L1 the lighter colour.
"""

from __future__ import annotations

from dataclasses import dataclass

#: WCAG 2.x AA minimums
BODY_MIN = 4.5
LARGE_MIN = 3.0
#: how each brand colour is used on the background: (role, minimum ratio)
BRAND_RULES: dict[str, tuple[str, float]] = {
    "text": ("body text", BODY_MIN),
    "muted": ("body text", BODY_MIN),
    "accent": ("large text (the big figure)", LARGE_MIN),
}

RGB = tuple[int, int, int]


def hex_rgb(colour: str) -> RGB:
    """'#13294b' -> (19, 41, 75)."""
    value = colour.lstrip("#")
    if len(value) != 6:
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str | RGB) -> float:
    """The WCAG relative luminance of a colour, 0 (black) to 1 (white)."""
    r, g, b = hex_rgb(colour) if isinstance(colour, str) else colour
    return 0.2126 * _linear(r) + 0.7152 * _linear(g) + 0.0722 * _linear(b)


def contrast_ratio(a: str | RGB, b: str | RGB) -> float:
    """The WCAG contrast ratio of two colours, 1 to 21, in either order."""
    la, lb = relative_luminance(a), relative_luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


@dataclass(frozen=True)
class ContrastProblem:
    """A brand colour that is too close to the background for its use."""

    key: str
    colour: str
    background: str
    ratio: float
    role: str
    minimum: float

    def __str__(self) -> str:
        return (f"brand colour '{self.key}' {self.colour} on background {self.background} has "
                f"contrast {self.ratio:.2f}:1; {self.role} needs at least {self.minimum:g}:1 "
                "(WCAG 2.x)")


def brand_contrast_problems(colors: dict[str, str]) -> list[ContrastProblem]:
    """Every brand colour whose contrast on `colors['background']` is below its WCAG minimum."""
    background = colors.get("background")
    if not background:
        return []
    out = []
    for key, (role, minimum) in BRAND_RULES.items():
        colour = colors.get(key)
        if not colour:
            continue
        ratio = contrast_ratio(colour, background)
        if ratio < minimum:
            out.append(ContrastProblem(key, colour, background, ratio, role, minimum))
    return out


def blend(background: RGB, foreground: RGB, amount: float) -> RGB:
    """`foreground` laid over `background` with coverage `amount` (0 to 1), rounded."""
    return tuple(round(b + (f - b) * amount) for b, f in zip(background, foreground, strict=True))
