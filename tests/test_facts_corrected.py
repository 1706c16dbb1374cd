"""The facts as they hold in December 2026 (issue 22): corrected figures, the timeline to 2025,
MPP 2.0 in the past tense, and the present-tense phrasings the gate now catches."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import ROOT

from toolkit.compose.text import fill
from toolkit.core.config import load_config
from toolkit.library import load_library
from toolkit.library.checks import present_tense_words
from toolkit.library.site_words import load_site_words

CONFIG = ROOT / "config" / "campaign.yaml"


@pytest.fixture(scope="module")
def config():
    return load_config(CONFIG)


@pytest.fixture(scope="module")
def library(config):
    return load_library(config)


def test_mpp2_scope_excludes_mexico_in_the_past_tense(library) -> None:
    stat = library.statistics["mpp2-scope"]
    assert stat.display == {"en": "every Western Hemisphere country except Mexico",
                            "es": "todos los países del hemisferio occidental salvo México"}
    assert "covered" in stat.label["en"] and "except Mexico" in stat.label["en"]
    assert "abarcó" in stat.label["es"] and "salvo México" in stat.label["es"]
    assert "except Mexico" in stat.scope and "salvo México" in stat.scope
    assert stat.source_name.startswith("DHS, memo to the Office of Management and Budget")
    assert stat.as_of == date(2022, 4, 27)


def test_children_returned_is_reuters_first_months_and_unverified(library) -> None:
    stat = library.statistics["children-returned"]
    assert stat.source_name.startswith("Reuters") and "EOIR" in stat.source_name
    assert "Human Rights First" not in stat.source_name
    assert stat.as_of_text == "2019-10"
    assert {"about", "in MPP's first months"} <= set(stat.scope)
    assert "481" in stat.label["en"] and "481" in stat.label["es"]
    assert stat.verified is False  # until a person confirms the article's URL
    message = library.messages["violence-children-returned"]
    assert message.text["en"].startswith("In MPP's first months alone, about {children-returned}")


def test_supreme_court_date_and_the_timeline_to_2025(library, config) -> None:
    stat = library.statistics["scotus-biden-v-texas"]
    assert (stat.kind, stat.value, stat.verified) == ("date", date(2022, 6, 30), True)
    assert "21-954" in stat.label["en"]
    for mid in ("courts-terminated", "courts-fifth-circuit", "mpp2-returned"):
        for lang, text in library.messages[mid].text.items():
            before = text.index("{scotus-biden-v-texas}") < text.index("{eo-2025-resume}")
            assert before, (mid, lang)
    why = load_site_words(config, library).words["why"]
    for lang in ("en", "es"):
        order = [why[lang].index(f"{{{sid}}}") for sid in
                 ("mpp-terminated", "court-5th-cir", "scotus-biden-v-texas", "eo-2025-resume")]
        assert order == sorted(order), lang


def test_mpp2_languages_is_past_and_rests_on_no_present_claim(library) -> None:
    message = library.messages["mpp2-languages"]
    assert message.claims == ()
    assert "{mpp-reimplemented-2021}" in message.text["en"]
    for word in ("reaches", "can now", " now "):
        assert word not in message.text["en"]
    assert "Brazil" in message.text["en"] and "Brasil" in message.text["es"]


def test_tracker_date_label_says_which_count(library) -> None:
    label = library.statistics["hrf-tracker-date"].label
    assert "last count" not in label["en"] and "último" not in label["es"]
    assert "this kit cites" in label["en"]


@pytest.mark.parametrize(("lang", "text", "word"), [
    ("en", "MPP 2.0 is still Remain in Mexico.", "is still"),
    ("en", "Tell them to end it, not keep it going.", "keep it going"),
    ("es", "El MPP 2.0 sigue siendo «Quédate en México».", "sigue siendo"),
    ("es", "Hay que terminarlo, no mantenerlo.", "mantenerlo"),
])
def test_the_gate_catches_the_new_present_tense_words(config, lang, text, word) -> None:
    assert present_tense_words(config, lang, text) == word


def test_no_message_without_a_claim_uses_a_present_tense_word(config, library) -> None:
    for message in library.messages.values():
        if message.claims:
            continue
        for lang, text in message.text.items():
            assert present_tense_words(config, lang, text) is None, (message.id, lang)


def test_spanish_wording_of_the_review(config, library) -> None:
    es = {mid: fill(m.text["es"], library, "es") for mid, m in library.messages.items()}
    assert "Dile al Congreso" in es["call-attacks"]
    assert "obligó a muchas personas a esperar en México, donde sufrieron" in es["asylum-torture"]
    assert "y la campaña #SaveAsylum" in es["support-donate"]
    assert "con ambas cosas" in es["support-both"]
    assert "y pida a sus representantes acabar con" in es["call-share"]
    words = load_site_words(config, library).words
    assert "de una vez por todas" in words["call_script"]["es"]
    # the action page's lead says where to start (issue 25), in both languages
    assert words["lead"]["en"].startswith("Start here: call Congress")
    assert words["lead"]["es"].startswith("Empieza aquí: llama al Congreso")
