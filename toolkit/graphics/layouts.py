"""The card layouts (`DESIGNS`, one class each), as a `Plan`: where every line of text and every
rule goes.

All layouts share one frame: a short accent bar at the top (with a clear gap in proportion to
the text under it), the card's own blocks in the middle (shrunk together until they fit), the
source line, a thin accent rule, and a footer with the campaign's name (#SaveAsylum in the
accent colour) and the organisation. Everything stays inside the format's safe area, and each
block records the box it was allowed, so tests can check that no text ever leaves it.

Sizes scale with the width (a unit `u` is 1/1080 of it); no text is smaller than 24 u, the
minimum legible size (WCAG "large text" too, for the accent colour), nor than the format's own
`min_text_px` (what stays readable on a phone). Message and call-to-action text prefers fewer,
fuller lines (at least two words a line on average) to the largest size.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from toolkit.core.errors import GraphicsError
from toolkit.graphics.alt import sentence
from toolkit.graphics.colour import BODY_MIN, contrast_ratio
from toolkit.graphics.fit import SLACK, BlockSpec, FitError, Fitted, fit_block, fit_stack
from toolkit.graphics.fonts import missing_glyphs
from toolkit.graphics.jobs import Job
from toolkit.graphics.text import get_face

Box = tuple[int, int, int, int]
#: the brand colours text may use, in palette order
INKS = ("text", "accent", "muted")
HASHTAG = re.compile(r"#\w+")
#: the minimum legible text size per 1080 px of width
MIN_TEXT = 24
#: words per line, on average, that message and call text keeps (no one-word-a-line stacks)
FULL_LINES = 2.0
#: the clear space between the accent bar and the first line of text, as a share of that
#: text's size: a big figure keeps a gap in proportion, so the bar never reads as a stroke of it
BAR_GAP = 0.4


@dataclass(frozen=True)
class Line:
    """One line of text: its start on the baseline and its runs of (text, colour key)."""

    x: int
    baseline: int
    runs: tuple[tuple[str, str], ...]

    @property
    def text(self) -> str:
        """The whole line."""
        return "".join(t for t, _ in self.runs)


@dataclass(frozen=True)
class Block:
    """A block of lines in one weight and size, and the box it must stay inside."""

    role: str
    weight: str
    size: int
    lines: tuple[Line, ...]
    allowed: Box


@dataclass(frozen=True)
class Rule:
    """A filled rectangle (the accent bar and the thin rule)."""

    role: str
    box: Box
    colour: str


@dataclass(frozen=True)
class Plan:
    """Everything to draw on one graphic."""

    width: int
    height: int
    colors: dict[str, str]
    blocks: tuple[Block, ...]
    rules: tuple[Rule, ...]
    safe: Box


def plan_card(job: Job) -> Plan:
    """Lay out `job`'s card; raise `GraphicsError` naming card, format and language if its text
    cannot fit legibly or uses characters the font does not have."""
    texts = [job.text, job.figure, job.label, job.source, job.name, job.organisation]
    missing = missing_glyphs(" ".join(texts))
    if missing:
        shown = ", ".join(f"{ch!r} (U+{ord(ch):04X})" for ch in missing)
        raise GraphicsError(f"{job.where}: the font (Lato) has no glyph for {shown}")
    try:
        return _Frame(job).plan()
    except FitError as exc:
        raise GraphicsError(f"{job.where}: the {exc.role} text cannot fit legibly: "
                            f"{exc.reason}") from None


class _Frame:
    """Geometry of one format, and the shared top bar, source, rule and footer."""

    def __init__(self, job: Job) -> None:
        self.job = job
        fmt = job.fmt
        self.w, self.h = fmt.width, fmt.height
        self.u = u = self.w / 1080
        self.min = max(12, math.ceil(MIN_TEXT * u), fmt.min_text_px)
        m = round(min(self.w, self.h) * 0.075)
        top, bottom = round(self.h * fmt.safe_top), self.h - round(self.h * fmt.safe_bottom)
        self.safe = (0, top, self.w, bottom)
        self.x0, self.y0, self.x1, self.y1 = m, top + m, self.w - m, bottom - m
        colors = dict(job.colors)
        self.colors = colors
        # small accent text must pass the body-text minimum; otherwise it stays white
        small_ok = contrast_ratio(colors["accent"], colors["background"]) >= BODY_MIN
        self.small_highlight = "accent" if small_ok else None
        self.blocks: list[Block] = []
        self.rules: list[Rule] = []

    def px(self, value: float) -> int:
        """`value` units at this format's width, in whole pixels."""
        return max(1, round(value * self.u))

    def plan(self) -> Plan:
        job = self.job
        cw = self.x1 - self.x0
        bar = (self.x0 + SLACK, self.y0, self.x0 + SLACK + self.px(120), self.y0 + self.px(12))
        self.rules.append(Rule("bar", bar, "accent"))
        footer_top = self._footer()
        rule_h = max(2, self.px(3))
        rule_y = footer_top - self.px(26) - rule_h
        self.rules.append(Rule("rule", (self.x0 + SLACK, rule_y, self.x1 - SLACK, rule_y + rule_h),
                               "accent"))
        flex_bottom = rule_y - self.px(40)
        if job.source:
            spec = BlockSpec("source", job.source, "regular", "muted", max(self.min, self.px(25)),
                             self.min, leading=1.3, max_lines=3)
            fitted = fit_block(spec, cw - 2 * SLACK)
            bottom = rule_y - self.px(26)
            top = bottom - math.ceil(fitted.height) - 2 * SLACK
            self._place(fitted, self.x0 + SLACK, top + SLACK, (self.x0, top, self.x1, bottom))
            flex_bottom = top - self.px(40)
        flex = (self.x0, bar[3] + self.px(44), self.x1, flex_bottom)
        if flex[3] - flex[1] < self.min * 2:
            raise FitError("card", f"the format is too small: {flex[3] - flex[1]} px left "
                           "for the card's text")
        self._stack(self._specs(), flex, bar[3])
        return Plan(self.w, self.h, self.colors, tuple(self.blocks), tuple(self.rules), self.safe)

    def _specs(self) -> list[BlockSpec]:
        job, lo = self.job, self.min
        # tall formats have room for bigger text than wide ones of the same width
        tall = min(1.3, max(1.0, (self.y1 - self.y0) / (self.x1 - self.x0)))

        def px(value: float) -> int:
            return self.px(value * tall)

        return DESIGNS[job.layout].blocks(job, px, lo)

    def _stack(self, specs: list[BlockSpec], box: Box, bar_bottom: int) -> None:
        """Fit the blocks into `box`, centred, with the first line at least `BAR_GAP` of its
        size below the accent bar (fitted again in a shorter box when it would come closer)."""
        x0, y0, x1, y1 = box
        blocks, y = self._centred(specs, box)
        clear = bar_bottom + BAR_GAP * blocks[0].size
        if y < clear:
            shorter = (x0, math.ceil(clear) - SLACK, x1, y1)
            try:
                blocks, y = self._centred(specs, shorter)
                box = shorter
            except FitError:
                pass  # the text fits only as close as before: better than not at all
        for i, fitted in enumerate(blocks):
            if i:
                y += fitted.gap
            self._place(fitted, x0 + SLACK, y, box)
            y += fitted.height

    def _centred(self, specs: list[BlockSpec], box: Box) -> tuple[list[Fitted], float]:
        """The blocks fitted into `box` and the ink top of the first, the stack centred."""
        x0, y0, x1, y1 = box
        blocks = fit_stack(specs, x1 - x0 - 2 * SLACK, y1 - y0 - 2 * SLACK)
        total = sum(b.height for b in blocks) + sum(b.gap for b in blocks[1:])
        return blocks, y0 + SLACK + (y1 - y0 - 2 * SLACK - total) / 2

    def _footer(self) -> int:
        """Place the footer at the bottom of the content box; return the top of its box."""
        job, cw = self.job, self.x1 - self.x0
        full = max(self.min, self.px(32))
        # one row (name left, organisation right) if it fits at up to 15% smaller; else two rows
        size = full
        for size in range(full, max(self.min, int(full * 0.85)) - 1, -1):
            one_row = (not job.organisation or
                       get_face("bold", size).width(job.name) + self.px(48)
                       + get_face("regular", size).width(job.organisation) <= cw - 2 * SLACK)
            if one_row:
                break
        else:
            size = full
        name = BlockSpec("footer", job.name, "bold", "text", size, self.min, 1.25, 2,
                         balance=False, highlight=self.small_highlight)
        org = BlockSpec("organisation", job.organisation, "regular", "muted", size, self.min,
                        1.25, 2, balance=False)
        if one_row:
            fitted = [fit_block(name, cw - 2 * SLACK)]
            if job.organisation:
                fitted.append(fit_block(org, cw - 2 * SLACK))
            bottom = max(f.bottom for f in fitted)
            top = min(f.top for f in fitted)
            box_top = self.y1 - math.ceil(bottom - top) - 2 * SLACK
            box = (self.x0, box_top, self.x1, self.y1)
            self._place(fitted[0], self.x0 + SLACK, box_top + SLACK + fitted[0].top - top, box)
            if len(fitted) > 1:
                f = fitted[1]
                self._place(f, self.x1 - SLACK, box_top + SLACK + f.top - top, box, right=True)
            return box_top
        blocks = [fit_block(name, cw - 2 * SLACK), fit_block(org, cw - 2 * SLACK)]
        gap = 0.35 * size
        height = blocks[0].height + gap + blocks[1].height
        box_top = self.y1 - math.ceil(height) - 2 * SLACK
        box = (self.x0, box_top, self.x1, self.y1)
        self._place(blocks[0], self.x0 + SLACK, box_top + SLACK, box)
        self._place(blocks[1], self.x0 + SLACK, box_top + SLACK + blocks[0].height + gap, box)
        return box_top

    def _place(self, fitted: Fitted, x: float, top: float, allowed: Box,
               right: bool = False) -> None:
        """Add `fitted` with its first line's ink top at `top`; its ink starts at `x` (or, with
        `right`, ends there), so the big figure lines up with the text by its ink, not its
        side bearing."""
        spec = fitted.spec
        face = get_face(spec.weight, fitted.size)
        lines = []
        baseline = top - fitted.top
        for text in fitted.lines:
            ink = face.extent(text)
            start = x - ink.right if right else x - ink.left
            runs = _runs(text, spec.colour, spec.highlight)
            lines.append(Line(round(start), round(baseline), runs))
            baseline += fitted.step
        self.blocks.append(Block(spec.role, spec.weight, fitted.size, tuple(lines), allowed))


class CardDesign:
    """How one layout fills the middle of the frame: its blocks of text, top to bottom. A new
    layout is one subclass here (in `DESIGNS`) and its rules in `library.models.CARD_LAYOUTS`."""

    name = ""

    def blocks(self, job: Job, px: Callable[[float], int], lo: int) -> list[BlockSpec]:
        """The blocks of `job`'s card; `px` scales a size for the format, `lo` is the smallest
        legible size."""
        raise NotImplementedError


class StatisticDesign(CardDesign):
    """A big figure with its label, under an optional kicker."""

    name = "statistic"

    def blocks(self, job: Job, px: Callable[[float], int], lo: int) -> list[BlockSpec]:
        """Kicker (when the card has text), figure, label."""
        big = 2 * lo  # the figure stays well above the minimum: it is the card's large text
        specs = []
        if job.text:
            specs.append(BlockSpec("kicker", job.text, "bold", "muted", px(38), lo, 1.2, 3))
        specs.append(BlockSpec("figure", job.figure, "black", "accent", px(260), big, 1.0, 3,
                               gap=0.18 if job.text else 0.0, shrink=1.6))
        specs.append(BlockSpec("label", sentence(job.label), "regular", "text", px(54), lo, 1.28,
                               7, gap=0.85, shrink=0.6))
        return specs


class MessageDesign(CardDesign):
    """One message in large bold words, hashtags in the accent colour."""

    name = "message"

    def blocks(self, job: Job, px: Callable[[float], int], lo: int) -> list[BlockSpec]:
        """The message alone."""
        return [BlockSpec("message", job.text, "bold", "text", px(120), lo, 1.15, 8,
                          highlight="accent", min_words=FULL_LINES)]


class CtaDesign(CardDesign):
    """A call to action over the figure that backs it."""

    name = "cta"

    def blocks(self, job: Job, px: Callable[[float], int], lo: int) -> list[BlockSpec]:
        """Call, figure, label."""
        big = 2 * lo
        return [
            BlockSpec("call", job.text, "bold", "text", px(80), lo, 1.15, 5,
                      highlight="accent", min_words=FULL_LINES),
            BlockSpec("figure", job.figure, "black", "accent", px(170), big, 1.0, 2,
                      gap=0.3, shrink=1.5),
            BlockSpec("label", sentence(job.label), "regular", "muted", px(40), lo,
                      1.3, 5, gap=0.9),
        ]


#: the drawing of every layout in `library.models.CARD_LAYOUTS`, by name
DESIGNS: dict[str, CardDesign] = {d.name: d for d in (StatisticDesign(), MessageDesign(),
                                                       CtaDesign())}


def _runs(text: str, colour: str, highlight: str | None) -> tuple[tuple[str, str], ...]:
    """Split a line into colour runs: hashtags in `highlight`, the rest in `colour`."""
    if not highlight:
        return ((text, colour),)
    runs: list[tuple[str, str]] = []
    at = 0
    for m in HASHTAG.finditer(text):
        if m.start() > at:
            runs.append((text[at:m.start()], colour))
        runs.append((m[0], highlight))
        at = m.end()
    if at < len(text):
        runs.append((text[at:], colour))
    return tuple(runs) or ((text, colour),)
