"""Share graphics: fitting, safe areas, minimum sizes, fonts and Spanish characters."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from toolkit.core.config import load_config
from toolkit.core.errors import GraphicsError
from toolkit.graphics import render
from toolkit.graphics.fit import BlockSpec, FitError, balanced, fit_block, fit_stack, wrap
from toolkit.graphics.fonts import metrics, missing_glyphs
from toolkit.graphics.jobs import jobs_for
from toolkit.graphics.layouts import MIN_TEXT, Block, Line, Plan, plan_card
from toolkit.graphics.text import get_face
from toolkit.library import load_library

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "graphics" / "config" / "campaign.yaml"
SHIPPED = ROOT / "config" / "campaign.yaml"
SPANISH = "¿Dónde está la protección? ¡Pedir asilo es un derecho humano! Año, pingüino, è, ò."


def _jobs(config_path: Path):
    config = load_config(config_path)
    jobs, problems = jobs_for(config, load_library(config))
    assert not problems
    return jobs


def _all_jobs():
    jobs = _jobs(FIXTURE)
    shipped = load_config(SHIPPED)
    if load_library(shipped).cards:
        jobs += _jobs(SHIPPED)
    return jobs


def _inside(inner, outer) -> bool:
    return (outer[0] <= inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2]
            and inner[3] <= outer[3])


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_every_text_box_stays_in_its_box_for_every_card_format_and_language():
    jobs = _all_jobs()
    assert {j.fmt.name for j in jobs} == {"x", "square", "portrait", "story", "link"}
    assert {j.lang for j in jobs} == {"en", "es"}
    for job in jobs:
        plan = plan_card(job)
        assert (plan.width, plan.height) == (job.fmt.width, job.fmt.height)
        _, boxes = render.place_glyphs(plan)
        drawn = [(role, ink, allowed) for role, ink, allowed in boxes if ink]
        assert {"footer"} <= {role for role, _, _ in drawn}, job.where
        for role, ink, allowed in drawn:
            assert _inside(ink, allowed), f"{job.where}: {role} {ink} outside {allowed}"
            assert _inside(allowed, plan.safe), f"{job.where}: {role} box outside safe area"
        for i, (role_a, a, _) in enumerate(drawn):
            for role_b, b, _ in drawn[i + 1:]:
                assert not _overlap(a, b), f"{job.where}: {role_a} overlaps {role_b}"
        for rule in plan.rules:
            assert _inside(rule.box, plan.safe)
            assert not any(_overlap(rule.box, ink) for _, ink, _ in drawn), job.where


def test_story_text_stays_out_of_the_top_and_bottom_14_percent():
    jobs = [j for j in _all_jobs() if j.fmt.name == "story"]
    assert jobs
    for job in jobs:
        plan = plan_card(job)
        _, boxes = render.place_glyphs(plan)
        top, bottom = 0.14 * plan.height, 0.86 * plan.height
        for role, ink, _ in boxes:
            if ink:
                assert top <= ink[1] and ink[3] <= bottom, f"{job.where}: {role} at {ink}"


def test_no_text_is_smaller_than_the_minimum_legible_size():
    for job in _all_jobs():
        minimum = math.ceil(MIN_TEXT * job.fmt.width / 1080)
        for block in plan_card(job).blocks:
            assert block.size >= minimum, f"{job.where}: {block.role} at {block.size}px"


def test_statistic_card_shows_figure_label_with_scope_words_source_and_campaign():
    job = next(j for j in _jobs(FIXTURE) if j.card == "stat-attacks" and j.fmt.name == "square"
               and j.lang == "en")
    text = {b.role: " ".join(line.text for line in b.lines) for b in plan_card(job).blocks}
    assert text["figure"] == "1,544"
    assert "At least 1,544 publicly reported" in text["label"]
    assert text["source"] == "Source: Human Rights First, Delivered to Danger, as of Feb 19, 2021"
    assert text["footer"] == "#SaveAsylum: End Remain in Mexico"
    assert text["organisation"] == "Center for Victims of Torture · cvt.org/EndMPP"


def test_overlong_text_is_a_clear_error_naming_card_format_and_language():
    job = next(j for j in _jobs(FIXTURE) if j.card == "msg-spanish" and j.fmt.name == "link"
               and j.lang == "es")
    long = dataclasses.replace(job, text=" ".join(["derechos"] * 400))
    with pytest.raises(GraphicsError) as err:
        plan_card(long)
    message = err.value.message
    assert "card 'msg-spanish'" in message and "format link" in message
    assert "language es" in message and "minimum legible size" in message
    word = dataclasses.replace(job, text="Supercalifragilistic" * 8)
    with pytest.raises(GraphicsError, match="wider than the box"):
        plan_card(word)


def test_a_character_the_font_lacks_is_an_error_not_a_box():
    job = next(j for j in _jobs(FIXTURE) if j.card == "msg-spanish")
    with pytest.raises(GraphicsError, match=r"no glyph for '☃' \(U\+2603\)"):
        plan_card(dataclasses.replace(job, text="Snow ☃"))


def test_lato_covers_spanish_and_haitian_creole():
    assert missing_glyphs("áéíóúñüÁÉÍÓÚÑÜ¿¡èòÈÒ «»“”’—–…º") == []
    assert missing_glyphs("中 ☃") == ["中", "☃"]
    # the character map agrees with FreeType: an unmapped character renders as the missing-glyph
    # box, and every Spanish and Creole letter renders as something else
    assert ord("\ue000") not in metrics("regular").cmap
    notdef = render.glyph("regular", 40, "\ue000")
    assert notdef is not None
    for ch in "ñáéíóúüè¿¡òÑ":
        g = render.glyph("regular", 40, ch)
        assert g is not None and g[0].tobytes() != notdef[0].tobytes(), ch


def test_spanish_characters_are_drawn_in_the_card():
    job = next(j for j in _jobs(FIXTURE) if j.card == "msg-spanish" and j.fmt.name == "square"
               and j.lang == "es")
    plan = plan_card(job)
    block = next(b for b in plan.blocks if b.role == "message")
    assert " ".join(line.text for line in block.lines) == SPANISH
    card, _ = render.render_palette(plan)
    card = card.convert("RGB")
    for line in block.lines:
        alone = _only(plan, block, line, line.text)
        _, boxes = render.place_glyphs(alone)
        box = boxes[0][1]
        image = render.render_palette(alone)[0].convert("RGB")
        assert ImageChops.difference(card.crop(box), image.crop(box)).getbbox() is None
        folded = line.text.translate(str.maketrans("¿¡óáéüñèò", "?!oaeunea"))
        if folded != line.text:
            other = render.render_palette(_only(plan, block, line, folded))[0].convert("RGB")
            assert ImageChops.difference(card.crop(box), other.crop(box)).getbbox(), line.text


def _only(plan: Plan, block: Block, line: Line, text: str) -> Plan:
    runs = ((text, line.runs[0][1]),)
    solo = Block(block.role, block.weight, block.size, (Line(line.x, line.baseline, runs),),
                 block.allowed)
    return dataclasses.replace(plan, blocks=(solo,), rules=())


def test_wrap_never_breaks_words_and_respects_the_width():
    text = "at least 1,544 publicly reported cases of murder, rape, torture and kidnapping"
    face = get_face("regular", 40)
    for width in (300, 500, 900):
        lines = wrap("regular", 40, text, width)
        assert lines and " ".join(lines) == text
        assert all(face.width(line) <= width for line in lines)
        even = balanced("regular", 40, text, width)
        assert even and len(even) == len(lines) and " ".join(even) == text
    assert wrap("regular", 40, "unbreakable", 50) is None


def test_fit_shrinks_to_fit_and_fails_below_the_minimum():
    spec = BlockSpec("label", "word " * 40, "regular", "text", 80, 24, max_lines=4)
    fitted = fit_block(spec, 1000)
    assert 24 <= fitted.size < 80 and len(fitted.lines) <= 4
    with pytest.raises(FitError):
        fit_block(dataclasses.replace(spec, text="word " * 400), 1000)
    figure = BlockSpec("figure", "1,544", "black", "accent", 300, 48, shrink=1.6)
    label = BlockSpec("label", "words " * 30, "regular", "text", 60, 24, gap=0.8, shrink=0.6)
    small = fit_stack([figure, label], 1000, 300)
    assert sum(b.height for b in small) + small[1].gap <= 300
    assert small[0].size < 300 and small[1].size >= 24


def test_rendering_is_deterministic():
    job = next(j for j in _jobs(FIXTURE) if j.card == "stat-children" and j.fmt.name == "x")
    first = render.render_png(plan_card(job))
    render._GLYPHS.clear()
    assert render.render_png(plan_card(job)) == first
    image = Image.open(__import__("io").BytesIO(first))
    assert image.mode == "P" and image.size == (1600, 900)


def test_every_card_layout_has_one_design() -> None:
    from toolkit.graphics.layouts import DESIGNS
    from toolkit.library.models import CARD_LAYOUTS

    assert list(DESIGNS) == list(CARD_LAYOUTS)
    assert all(name == design.name for name, design in DESIGNS.items())


def test_the_accent_bar_keeps_a_gap_in_proportion_to_the_text_under_it():
    from toolkit.graphics.layouts import BAR_GAP

    for job in _all_jobs():
        plan = plan_card(job)
        bar = next(r.box for r in plan.rules if r.role == "bar")
        first = next(b for b in plan.blocks if b.role not in ("source", "footer", "organisation"))
        _, boxes = render.place_glyphs(plan)
        top = min(ink[1] for role, ink, _ in boxes if ink and role == first.role)
        assert top - bar[3] >= BAR_GAP * first.size - 2, (job.where, top - bar[3], first.size)
