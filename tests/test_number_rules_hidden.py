"""Numbers and words about the present that hide: inside hashtags, split by zero-width
characters or soft hyphens, in look-alike letters, as Roman numerals, as rarer number words or in
another language's words. The rules read the text's skeleton, so `compose --text`, `check` (and
so approval, which refuses what `check` refuses) and the share kit's words all find them
(issue 29)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, edit, line_of

from toolkit.core.config import load_config
from toolkit.library import load_library
from toolkit.library.textrules import number_words_in, numbers_in, plain_text

HIDDEN = [
    ("Share #Over70000Attacked", "en", "70000"),
    ("Share ＃70000attacked now", "en", "70000"),
    ("Say it: #SeventyThousand", "en", "Seventy Thousand"),
    ("More than s\u200beventy people", "en", "seventy"),
    ("More than sev\u00adenty people", "en", "seventy"),
    ("More than sev\u0435nty people", "en", "seventy"),  # a Cyrillic е
    ("More than lOOO people", "en", "lOOO"),
    ("Since MMXXI, at least CDXLIV cases", "en", "MMXXI"),
    ("A trillion reasons", "en", "trillion"),
    ("Zero protection", "en", "Zero"),
    ("Protección cero", "es", "cero"),
    ("Cuesta un billón", "es", "billón"),
    ("Decenas de familias", "es", "Decenas"),
    ("Attacks grew fourfold", "en", "fourfold"),
    ("A tenfold rise", "en", "tenfold"),
    ("Más de seventy thousand personas", "es", "seventy thousand"),
]


@pytest.mark.parametrize(("text", "lang", "found"), HIDDEN)
def test_compose_text_finds_the_hidden_number(run_cli, text: str, lang: str, found: str) -> None:
    result = run_cli("compose", "--text", text, "--lang", lang)
    assert result.exit_code == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: --text has the number(s) ") and repr(found) in last, last
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("text", "lang", "found"), HIDDEN[:9])
def test_check_finds_the_hidden_number_in_a_message(run_cli, project: Path, text: str,
                                                     lang: str, found: str) -> None:
    messages = project.parent.parent / "posts" / "messages.yaml"
    edit(messages, 'en: "On {mpp-suspended}, new', f'en: "{text}. On {{mpp-suspended}}, new')
    line = line_of(messages, "id: courts-suspended") + 2
    result = run_cli("check")
    assert result.exit_code == 1
    assert f"posts/messages.yaml:{line}: error: message 'courts-suspended' (en) has the " \
           f"number '{found}'" in result.output


def test_the_share_kit_words_are_read_the_same_way(run_cli, project: Path) -> None:
    words = project.parent.parent / "posts" / "site.yaml"
    edit(words, 'en: "Graphics, ready-to-post', 'en: "#Over70000Attacked. Graphics, ready-to-post')
    result = run_cli("check")
    assert result.exit_code == 1 and "has the number '70000'" in result.output


@pytest.mark.parametrize("text", ["MPP is b\u200back n\u200bow.", "MPP is b\u00adack.",
                                  "El MPP sigue vig\u0435nte."])
def test_present_tense_words_cannot_hide(run_cli, project: Path, text: str) -> None:
    messages = project.parent.parent / "posts" / "messages.yaml"
    lang = "es" if "El" in text else "en"
    old = ('es: "El {mpp-suspended} se' if lang == "es" else 'en: "On {mpp-suspended}, new')
    edit(messages, old, old.replace('"', f'"{text} ', 1))
    result = run_cli("check")
    assert result.exit_code == 1
    assert "message 'courts-suspended' (" + lang + ") speaks about the policy's present" \
        in result.output


def test_a_language_without_number_rules_is_refused(run_cli) -> None:
    result = run_cli("compose", "--text", "Plus de soixante-dix mille", "--lang", "fr")
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        "Error: no number rules for language 'fr' (known: en, es): its numbers cannot be "
        "checked")


def test_ordinary_words_of_the_text_language_are_no_figures() -> None:
    assert number_words_in(plain_text("Once again, miles from home."), "en") == []
    assert number_words_in(plain_text("Ten cuidado: dos familias."), "es") == ["dos"]
    assert numbers_in(plain_text("Washington DC, World War II, #SaveAsylum")) == []


def test_no_false_positives_in_the_library_own_texts() -> None:
    config = load_config(ROOT / "config" / "campaign.yaml")
    library = load_library(config)
    assert len(library.messages) >= 30
    allowed = {a.casefold() for a in config.number_allowlist}
    for message in library.messages.values():
        for lang, template in message.text.items():
            plain = plain_text(template)
            found = [n for n in [*numbers_in(plain), *number_words_in(plain, lang)]
                     if n.casefold() not in allowed]
            assert found == [], (message.id, lang, found)


def test_check_refuses_a_text_in_a_language_without_number_rules() -> None:
    from toolkit.core.problems import Problems
    from toolkit.library.checks import check_numbers

    config = load_config(ROOT / "config" / "campaign.yaml")
    problems = Problems()
    check_numbers(config, "Soixante-dix mille personnes", "fr", problems, "posts/x.yaml", 3,
                  "message 'x' (fr)")
    (error,) = problems.errors
    assert error.message == ("message 'x' (fr) is in language 'fr', for which the number rules "
                             "know no number words (they cannot be checked)")
