"""Share graphics: WCAG contrast, alt text, dates, and what `toolkit check` reports."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit.core.config import load_config
from toolkit.graphics.alt import ALT_MAX, alt_text, format_date, source_line
from toolkit.graphics.colour import brand_contrast_problems, contrast_ratio, relative_luminance
from toolkit.graphics.jobs import jobs_for
from toolkit.library import load_library
from toolkit.surfaces.cli import cli

FIXTURE = Path(__file__).parent / "fixtures" / "graphics"


@pytest.fixture
def campaign(tmp_path: Path) -> Path:
    """A copy of the fixture campaign that a test may edit; returns its config file."""
    shutil.copytree(FIXTURE, tmp_path / "campaign")
    return tmp_path / "campaign" / "config" / "campaign.yaml"


def test_wcag_contrast_of_known_pairs():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#000000") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.005)
    assert contrast_ratio("#767676", "#ffffff") >= 4.5  # the lightest grey that passes
    assert contrast_ratio("#13294b", "#13294b") == pytest.approx(1.0)
    assert relative_luminance("#ffffff") == pytest.approx(1.0)
    assert relative_luminance("#808080") == pytest.approx(0.2159, abs=1e-4)


def test_brand_rules_body_text_needs_4_5_and_accent_3():
    ok = {"background": "#13294b", "text": "#ffffff", "accent": "#f4b63f", "muted": "#c9d3e3"}
    assert brand_contrast_problems(ok) == []
    grey = {"background": "#ffffff", "text": "#000000", "accent": "#949494", "muted": "#777777"}
    problems = {p.key: p for p in brand_contrast_problems(grey)}
    assert set(problems) == {"muted"}  # #949494 is 3.03:1, enough for large text only
    assert "4.48:1" in str(problems["muted"]) and "4.5:1" in str(problems["muted"])
    grey["accent"] = "#a0a0a0"
    assert {p.key for p in brand_contrast_problems(grey)} == {"muted", "accent"}


def test_check_reports_a_failing_brand_at_its_config_line(campaign: Path):
    text = campaign.read_text()
    campaign.write_text(text.replace('muted: "#c9d3e3"', 'muted: "#334466"'))
    line = next(i for i, row in enumerate(campaign.read_text().splitlines(), 1)
                if "muted:" in row)
    result = CliRunner().invoke(cli, ["--config", str(campaign), "check"])
    assert result.exit_code == 1, result.output
    found = re.search(r"^(.*campaign\.yaml):(\d+): error: brand colour 'muted'", result.output,
                      re.M)
    assert found and int(found[2]) == line
    assert "body text needs at least 4.5:1" in result.output


def test_check_passes_the_fixture_and_reports_a_card_that_cannot_fit(campaign: Path):
    result = CliRunner().invoke(cli, ["--config", str(campaign), "check"])
    assert result.exit_code == 0, result.output
    library = campaign.parent.parent / "posts" / "library.yaml"
    text = library.read_text()
    long = " ".join(["Pedir asilo es un derecho humano."] * 40)
    library.write_text(text.replace("¿Dónde está la protección? ¡Pedir asilo es un derecho "
                                    "humano! Año, pingüino, è, ò.", long))
    result = CliRunner().invoke(cli, ["--config", str(campaign), "check"])
    assert result.exit_code == 1
    assert re.search(r"library\.yaml:\d+: error: card 'msg-spanish' \(format \w+, language es\)"
                     r": the message text cannot fit legibly", result.output), result.output


def test_dates_follow_the_language_and_the_precision_of_the_source():
    d = date(2021, 2, 19)
    assert format_date(d, "en", "2021-02-19") == "Feb 19, 2021"
    assert format_date(d, "es", "2021-02-19") == "19 feb 2021"
    assert format_date(date(2021, 2, 1), "en", "2021-02") == "Feb 2021"
    assert format_date(date(2021, 2, 1), "es", "2021-02") == "feb 2021"
    assert format_date(date(2021, 1, 1), "es", "2021") == "2021"
    assert format_date(d, "en", "2021-02-19", long=True) == "February 19, 2021"
    assert format_date(d, "es", "2021-02-19", long=True) == "19 de febrero de 2021"
    assert source_line("es", "Human Rights First", d, "2021-02-19") == \
        "Fuente: Human Rights First, datos al 19 feb 2021"
    assert source_line("es", "Human Rights First", date(2021, 2, 1), "2021-02") == \
        "Fuente: Human Rights First, datos de feb 2021"
    assert source_line("en", "The Court", d, "2021-02-19", kind="date") == "Source: The Court"


def test_alt_text_says_figure_what_it_counts_and_source_in_its_language():
    config = load_config(FIXTURE / "config" / "campaign.yaml")
    jobs, _ = jobs_for(config, load_library(config))
    by = {(j.card, j.lang): j.alt for j in jobs}
    assert all(len(j.alt) <= ALT_MAX for j in jobs)
    en, es = by["stat-attacks", "en"], by["stat-attacks", "es"]
    # names the organisation, reads the figure once (the label says it), ends with the URL
    assert en.startswith("Graphic from Center for Victims of Torture: At least 1,544 publicly "
                         "reported cases of murder")
    assert en.count("1,544") == 1
    assert "Source: Human Rights First, Delivered to Danger, as of February 19, 2021." in en
    assert en.endswith("#SaveAsylum: End Remain in Mexico. cvt.org/EndMPP")
    assert es.startswith("Gráfico publicado por Center for Victims of Torture: Al menos 1.544 "
                         "casos reportados públicamente")
    assert "Fuente: Human Rights First, Delivered to Danger, datos al 19 de febrero de 2021." in es
    assert by["msg-spanish", "es"].startswith("Gráfico publicado por Center for Victims of "
                                              "Torture con el texto: «¿Dónde está")
    cta = by["call-congress", "en"]
    assert "202-224-3121 — the U.S. Capitol Switchboard" in cta and "Source: Center" in cta


def test_alt_text_is_cut_to_1000_characters_keeping_the_source():
    label = "cases " * 400
    text = alt_text("en", "statistic", figure="1,544", label=label,
                    source="Source: Human Rights First, as of February 19, 2021",
                    name="#SaveAsylum: End Remain in Mexico")
    assert len(text) <= ALT_MAX
    assert "…" in text and "Source: Human Rights First" in text
