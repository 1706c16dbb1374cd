"""Cards in their own language: Spanish cards and alt text carry no English campaign words; every
card carries the short URL; small text stays readable on a phone; message text fills its lines."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from conftest import ROOT, edit, line_of

from toolkit.core.config import load_config
from toolkit.core.problems import Problems
from toolkit.graphics import layouts
from toolkit.graphics.checks import (
    campaign_words_only_in,
    check_card_languages,
    check_text_sizes,
    text_words,
)
from toolkit.graphics.jobs import jobs_for
from toolkit.graphics.layouts import plan_card
from toolkit.library import load_library


@pytest.fixture(scope="module")
def shipped():
    config = load_config(ROOT / "config" / "campaign.yaml")
    library = load_library(config)
    jobs, problems = jobs_for(config, library)
    assert not problems
    return config, library, jobs


def test_spanish_cards_and_alt_text_have_no_english_campaign_words(shipped) -> None:
    config, library, jobs = shipped
    english = campaign_words_only_in(config, library, "en", "es")
    # the fields really differ: the tagline and the "cited by" of sources are translated
    assert {"end", "remain", "mexico", "cited", "by", "court", "appeals"} <= english
    for job in jobs:
        if job.lang != "es":
            continue
        shown = " ".join(line.text for block in plan_card(job).blocks for line in block.lines)
        for where, text in (("card", shown), ("alt text", job.alt)):
            leaked = text_words(text) & english
            assert not leaked, f"{job.where} {where} has English words {leaked}: {text}"
    problems = Problems()
    check_card_languages(config, library, problems)
    assert not problems.errors


def test_check_reports_an_english_word_left_on_a_spanish_card(project: Path, run_cli) -> None:
    cards = project.parent.parent / "posts" / "cards.yaml"
    edit(cards, 'es: "Acabemos para siempre con «Quédate en México»."',
         'es: "Acabemos para siempre con Remain in Mexico."')
    result = run_cli("check")
    assert result.exit_code == 1
    line = line_of(cards, "id: msg-end-mpp")
    assert f"posts/cards.yaml:{line}: error: card 'msg-end-mpp' (format x, language es): the " \
           "card has en campaign words (in, mexico, remain)" in result.stdout


def test_every_card_shows_the_short_url_and_names_the_organisation(shipped) -> None:
    config, _, jobs = shipped
    for job in jobs:
        url = config.words(job.lang).short_url
        shown = [line.text for block in plan_card(job).blocks for line in block.lines]
        assert any(url in line for line in shown), job.where
        assert job.alt.endswith(url) and config.organisation in job.alt, job.alt


def test_alt_text_reads_the_figure_once(shipped) -> None:
    _, _, jobs = shipped
    for job in jobs:
        if job.layout == "statistic":
            assert job.alt.count(job.figure) == 1, job.alt
    stat = next(j for j in jobs if j.card == "stat-attacks" and j.lang == "es")
    assert stat.alt.startswith("Gráfico publicado por el Center for Victims of Torture: Al menos "
                               "1,544 casos reportados públicamente")
    assert "Fuente: Human Rights First, Delivered to Danger, datos al 19 de febrero de 2021." \
        in stat.alt


def test_spanish_alt_text_punctuation_and_quotes(shipped) -> None:
    _, _, jobs = shipped
    alt = {(j.card, j.lang): j.alt for j in jobs}
    end_mpp = alt["msg-end-mpp", "es"]
    assert end_mpp.startswith("Gráfico publicado por el Center for Victims of Torture con el "
                              "texto: «Acabemos para siempre con “Quédate en México”». ")
    assert "««" not in end_mpp and "»»" not in end_mpp
    # a full stop after the closing » before the URL
    assert end_mpp.endswith("#SaveAsylum: Acabemos con «Quédate en México». cvt.org/EndMPP")
    assert alt["msg-end-mpp", "en"].startswith(
        "Graphic from Center for Victims of Torture with the words: “End Remain in Mexico for "
        "good.” ")


def test_alt_text_quotes_and_stops_in_each_language() -> None:
    from toolkit.graphics.alt import alt_text

    es = alt_text("es", "message", text="Di «no» a esto.", name="#SaveAsylum: Basta de «MPP»",
                  organisation="el Center for Victims of Torture", url="cvt.org/EndMPP")
    assert es == ("Gráfico publicado por el Center for Victims of Torture con el texto: "
                  "«Di “no” a esto». #SaveAsylum: Basta de «MPP». cvt.org/EndMPP")
    en = alt_text("en", "message", text="Say “no” to this.", name="#SaveAsylum",
                  organisation="CVT", url="cvt.org/EndMPP")
    assert en == "Graphic from CVT with the words: “Say ‘no’ to this.” #SaveAsylum. cvt.org/EndMPP"


def test_small_text_stays_readable_on_a_phone(shipped) -> None:
    config, _, jobs = shipped
    for name in ("square", "portrait", "story"):
        assert config.formats[name].min_text_px >= 32
    for job in jobs:
        least = max(job.fmt.min_text_px, math.ceil(24 * job.fmt.width / 1080))
        for block in plan_card(job).blocks:
            assert block.size >= least, (job.where, block.role, block.size)
    problems = Problems()
    check_text_sizes(config, load_library(config), problems)
    assert not problems.errors


def test_text_below_the_formats_minimum_is_reported_at_the_format(shipped, monkeypatch) -> None:
    config, library, _ = shipped

    class Careless(layouts._Frame):  # a layout that forgot the format's minimum
        def __init__(self, job) -> None:
            super().__init__(job)
            self.min = 12

    monkeypatch.setattr(layouts, "_Frame", Careless)
    problems = Problems()
    check_text_sizes(config, library, problems)
    lines = Path(config.path).read_text(encoding="utf-8").splitlines()
    story = next(n for n, line in enumerate(lines, 1) if line.strip().startswith("story:"))
    errors = [str(p) for p in problems.errors]
    assert any(f"campaign.yaml:{story}: error: " in e and "below the format's min_text_px of 32"
               in e for e in errors), errors


def test_message_text_prefers_fewer_fuller_lines(shipped) -> None:
    _, _, jobs = shipped
    story = next(j for j in jobs if j.card == "msg-haitians" and j.fmt.name == "story"
                 and j.lang == "es")
    (message,) = [b for b in plan_card(story).blocks if b.role == "message"]
    words = len(story.text.split())
    assert len(message.lines) <= math.ceil(words / 2)  # was one word a line
    assert all(len(line.text.split()) >= 2 for line in message.lines)
    for job in jobs:
        for block in plan_card(job).blocks:
            if block.role in ("message", "call") and len(block.lines) > 1:
                assert len(job.text.split()) >= 2 * len(block.lines), (job.where, block.lines)


def test_contact_sheet_stacks_languages(run_cli, tmp_path: Path) -> None:
    from PIL import Image

    one, two = tmp_path / "en.png", tmp_path / "en-es.png"
    assert run_cli("graphics", "sheet", "msg-haitians", "--out", str(one)).exit_code == 0
    result = run_cli("graphics", "sheet", "msg-haitians", "--lang", "en", "--lang", "es",
                     "--out", str(two))
    assert result.exit_code == 0, result.output
    with Image.open(one) as a, Image.open(two) as b:
        assert b.height > 1.9 * a.height and b.width == a.width


def test_every_language_needs_its_campaign_words(project: Path, run_cli) -> None:
    edit(project, '    es: {name: "#SaveAsylum", tagline: "Acabemos con «Quédate en México»", '
         'short_url: cvt.org/EndMPP,\n         organisation: "el Center for Victims of Torture"}\n',
         "")
    edit(project, 'es: {thousands: ",", decimal: "."}', 'es: {thousands: ",", decimal: ","}')
    result = run_cli("check")
    assert result.exit_code == 1
    assert f"config/campaign.yaml:{line_of(project, 'per_language:')}: error: " \
           "'campaign.per_language' has no 'es' mapping" in result.stdout
    assert "'numbers.es.decimal' must differ from the thousands separator" in result.stdout
    assert "Traceback" not in result.output
