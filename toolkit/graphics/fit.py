"""Fitting text into boxes: wrap by words, balance the lines, shrink until it fits.

Words are never broken. A block that cannot fit at its minimum legible size raises `FitError`;
the layout turns that into a `GraphicsError` naming the card, format and language.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from toolkit.graphics.fonts import metrics
from toolkit.graphics.text import get_face, words_in_units

#: pixels kept free inside every box, so anti-aliasing and hinting never touch its edge
SLACK = 3
#: above this size, text sizes step by `STEP` (4%): cards of one format then share sizes, and
#: the renderer's glyph cache with them
LADDER_FROM, STEP = 32, 1.04


def snap(size: int, min_size: int = 1) -> int:
    """The largest size on the ladder not above `size` (but never below `min_size`)."""
    if size > LADDER_FROM:
        n = math.floor(math.log(size / LADDER_FROM) / math.log(STEP) + 1e-9)
        snapped = round(LADDER_FROM * STEP ** n)
        size = snapped if snapped <= size else round(LADDER_FROM * STEP ** (n - 1))
    return max(min_size, size)


class FitError(Exception):
    """Text that cannot fit its box at the smallest legible size."""

    def __init__(self, role: str, reason: str) -> None:
        super().__init__(f"{role}: {reason}")
        self.role, self.reason = role, reason


@dataclass(frozen=True)
class BlockSpec:
    """One block of text to fit: its words, font, colour and the sizes it may take."""

    role: str
    text: str
    weight: str
    colour: str
    max_size: int
    min_size: int
    leading: float = 1.2
    max_lines: int = 8
    gap: float = 0.0
    balance: bool = True
    highlight: str | None = None
    #: how fast the block shrinks in a stack: size = max_size * k ** shrink (big figures give
    #: way before the words that explain them)
    shrink: float = 1.0
    #: fewer, fuller lines: at least this many words per line on average (0: any), so a big
    #: size never stacks the text one word a line
    min_words: float = 0.0


@dataclass(frozen=True)
class Fitted:
    """A block at a chosen size, wrapped into lines, with its ink height."""

    spec: BlockSpec
    size: int
    lines: tuple[str, ...]
    top: float
    bottom: float

    @property
    def step(self) -> float:
        """The distance between baselines."""
        return self.spec.leading * self.size

    @property
    def height(self) -> float:
        """Ink top of the first line to ink bottom of the last."""
        return (len(self.lines) - 1) * self.step + self.bottom - self.top

    @property
    def gap(self) -> float:
        """The space kept above the block (none for the first block of a stack)."""
        return self.spec.gap * self.size


def wrap(weight: str, size: int, text: str, width: float) -> list[str] | None:
    """Greedy word wrap of `text` into lines no wider than `width`; None if a word is wider.

    A line's width is its advance plus the ink hanging out of its first and last glyphs,
    all in font units, exactly as `Face.width` measures it."""
    m = metrics(weight)
    limit = width * m.units_per_em / size
    space = m.advance(" ")
    lines: list[str] = []
    words: list[str] = []
    advance = first_left = 0
    for word, adv, left, right in words_in_units(weight, text):
        if words:
            cand = advance + space + adv
            if cand + first_left + right <= limit:
                words.append(word)
                advance = cand
                continue
            lines.append(" ".join(words))
        if adv + left + right > limit:
            return None
        words, advance, first_left = [word], adv, left
    if words:
        lines.append(" ".join(words))
    return lines


def balanced(weight: str, size: int, text: str, width: float) -> list[str] | None:
    """Wrap into as few lines as greedy wrapping needs, with line lengths as even as possible."""
    lines = wrap(weight, size, text, width)
    if not lines or len(lines) == 1:
        return lines
    lo, hi, best = width / len(lines), width, lines
    for _ in range(12):
        mid = (lo + hi) / 2
        trial = wrap(weight, size, text, mid)
        if trial is not None and len(trial) <= len(lines):
            best, hi = trial, mid
        else:
            lo = mid
        if hi - lo < 1:
            break
    return best


def full_lines(lines: list[str], min_words: float, orphan: bool = True) -> bool:
    """Whether `lines` hold at least `min_words` words each on average and (unless `orphan`
    allows it), when there are more than three words, do not end on a lone word."""
    if len(lines) < 2:
        return True
    words = sum(len(line.split()) for line in lines)
    alone = words > 3 and " " not in lines[-1]
    return words >= min_words * len(lines) and (orphan or not alone)


def fit_at(spec: BlockSpec, size: int, width: float, final: bool = True) -> Fitted | None:
    """`spec` wrapped at `size` into `width`, or None if it needs too many lines or a word is
    wider than the box. Lines are balanced when `final` (trials use the quicker greedy wrap,
    which gives the same number of lines)."""
    wrapper = balanced if spec.balance and final else wrap
    lines = wrapper(spec.weight, size, spec.text, width)
    if not lines or len(lines) > spec.max_lines:
        return None
    if spec.min_words and not full_lines(lines, spec.min_words, orphan=not final):
        return None
    face = get_face(spec.weight, size)
    first, last = face.extent(lines[0]), face.extent(lines[-1])
    return Fitted(spec, size, tuple(lines), first.top, last.bottom)


def fit_block(spec: BlockSpec, width: float, height: float | None = None) -> Fitted:
    """The largest size of `spec` (down to its minimum) that fits `width` (and `height`)."""
    sizes = dict.fromkeys(snap(s, spec.min_size)
                          for s in range(spec.max_size, spec.min_size - 1, -1))
    for size in sizes:
        fitted = fit_at(spec, size, width)
        if fitted and (height is None or fitted.height <= height):
            return fitted
    raise FitError(spec.role, _why(spec, width))


def stack_height(blocks: list[Fitted]) -> float:
    """The height of blocks stacked with their gaps."""
    return sum(b.height for b in blocks) + sum(b.gap for b in blocks[1:])


def fit_stack(specs: list[BlockSpec], width: float, height: float) -> list[Fitted]:
    """Shrink the blocks together (each down to its minimum) until the stack fits the box.

    Sizes follow one factor k (a binary search) raised to each block's `shrink`, so the figure
    and its label keep their proportions; a block at its minimum stays there while the others
    go on shrinking.
    """
    def attempt(k: float, final: bool = False) -> list[Fitted] | None:
        out = []
        for spec in specs:
            size = snap(int(spec.max_size * k ** spec.shrink), spec.min_size)
            fitted = fit_at(spec, size, width, final)
            if fitted is None:
                return None
            out.append(fitted)
        return out if stack_height(out) <= height else None

    k = 1.0
    if attempt(1.0) is None:
        if attempt(0.0) is None:
            raise _stack_error(specs, width, height)
        lo, hi = 0.0, 1.0
        for _ in range(10):
            mid = (lo + hi) / 2
            if attempt(mid) is None:
                hi = mid
            else:
                lo = mid
        k = lo
    # balanced lines have other first and last lines, so their ink height can differ a little;
    # a last line of one word (an orphan) is worth a smaller size too
    steps = [1 - 0.02 * i for i in range(6)] + [0.9 - 0.05 * i for i in range(18)]
    for step in steps:
        balanced_fit = attempt(k * step, final=True)
        if balanced_fit is not None:
            return balanced_fit
    return attempt(k)  # type: ignore[return-value]


def _why(spec: BlockSpec, width: float) -> str:
    lines = wrap(spec.weight, spec.min_size, spec.text, width)
    if lines is None:
        face = get_face(spec.weight, spec.min_size)
        word = max(spec.text.split(" "), key=face.width)
        return (f"the word {word!r} is wider than the box ({int(width)} px) even at the "
                f"minimum legible size of {spec.min_size} px")
    if len(lines) > spec.max_lines or (spec.min_words and not full_lines(lines, spec.min_words)):
        return (f"the text needs {len(lines)} lines at the minimum legible size of "
                f"{spec.min_size} px (at most {spec.max_lines} fit)")
    return f"the text does not fit its box at the minimum legible size of {spec.min_size} px"


def _stack_error(specs: list[BlockSpec], width: float, height: float) -> FitError:
    for spec in specs:
        if fit_at(spec, spec.min_size, width) is None:
            return FitError(spec.role, _why(spec, width))
    longest = max(specs, key=lambda s: len(s.text))
    needed = stack_height([f for s in specs if (f := fit_at(s, s.min_size, width))])
    return FitError(longest.role, f"the text needs {int(needed)} px of height at the minimum "
                    f"legible size but the box has {int(height)} px; shorten it")
