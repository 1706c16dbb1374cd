"""Composing: statistics filled in, hashtags added once, lengths as each platform counts."""

from __future__ import annotations

import json

import pytest
from conftest import edit

from toolkit.compose.lengths import grapheme_length, mastodon_length, x_length
from toolkit.compose.text import add_hashtags, has_hashtag
from toolkit.publishers.bluesky import facets_for


@pytest.mark.parametrize("text", ["Hola #SaveAsylum", "hola #saveasylum!", "#SAVEASYLUM hoy"])
def test_hashtag_detected_case_insensitively_and_never_doubled(text: str) -> None:
    assert has_hashtag(text, "#SaveAsylum")
    assert add_hashtags(text, ("#SaveAsylum",)) == text


@pytest.mark.parametrize("text", ["#SaveAsylumNow is different", "x#SaveAsylum", "##SaveAsylum"])
def test_lookalikes_are_not_the_hashtag(text: str) -> None:
    assert not has_hashtag(text, "#SaveAsylum")
    assert add_hashtags(text, ("#SaveAsylum",)).endswith(" #SaveAsylum")


#: X's twitter-text finds the hashtag in each; Bluesky's RichText makes no `SaveAsylum` tag facet
#: from them (its sign must start the text or follow whitespace; `'s` stays part of the tag)
NOT_A_TAG_ON_BLUESKY = ["Hoy (#SaveAsylum)", "Hoy «#SaveAsylum»", 'Hoy "#SaveAsylum"',
                        "Hoy.#SaveAsylum", "Today is #SaveAsylum's day"]


@pytest.mark.parametrize("text", NOT_A_TAG_ON_BLUESKY)
def test_presence_is_decided_per_platform(text: str) -> None:
    assert has_hashtag(text, "#SaveAsylum", "x")
    assert add_hashtags(text, ("#SaveAsylum",), "x") == text
    assert not has_hashtag(text, "#SaveAsylum", "bluesky")
    tagged = add_hashtags(text, ("#SaveAsylum",), "bluesky")
    assert tagged == f"{text} #SaveAsylum"
    assert "SaveAsylum" in [f.features[0].tag for f in facets_for(tagged)]


@pytest.mark.parametrize("text", ["Hola #SaveAsylum", "hola #saveasylum!", "#SAVEASYLUM hoy",
                                  "Hola\n＃SaveAsylum."])
def test_a_bluesky_tag_facet_counts_as_present(text: str) -> None:
    assert has_hashtag(text, "#SaveAsylum", "bluesky")
    assert add_hashtags(text, ("#SaveAsylum",), "bluesky") == text



@pytest.mark.parametrize("text", [
    *NOT_A_TAG_ON_BLUESKY, "Hola #SaveAsylum", "#a #1 #b2 #ünïcødé.", "x #tag…!? y", "#\ufe0fno",
    "a#b #c\u200dd", "emoji #🙂ok #$cash $CASH", "#" + "a" * 70, "#" + "é\u0301" * 40 + " end",
    "tabs\t#one\u3000#two\u00a0#three", "#SaveAsylum's #end_MPP, (#x) [#y]", ""])
def test_bluesky_tags_are_the_sdk_s_own_tag_facets(text: str) -> None:
    """`bluesky_tags` (the SDK's regexes, loaded without the SDK's models) finds exactly the
    tags of the facets the atproto SDK makes."""
    from atproto_client.utils.facet_detection import detect_facets

    from toolkit.core.hashtags import bluesky_tags

    sdk = [f.tag for facet in detect_facets(text) for f in facet.features
           if getattr(f, "py_type", "").endswith("#tag") and not f.tag.startswith("$")]
    assert bluesky_tags(text) == sdk


def test_checking_a_bluesky_hashtag_loads_no_sdk_models() -> None:
    """`toolkit check` and `compose` decide Bluesky hashtags without importing the SDK's models
    (about half a second)."""
    import subprocess
    import sys

    code = ("import sys\nfrom toolkit.core.hashtags import has_hashtag\n"
            "assert has_hashtag('Hoy #SaveAsylum', '#SaveAsylum', 'bluesky')\n"
            "assert not has_hashtag('Hoy (#SaveAsylum)', '#SaveAsylum', 'bluesky')\n"
            "print(sorted(m for m in sys.modules if m.startswith('atproto')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"

def test_compose_appends_the_tag_bluesky_would_not_see(project, run_cli) -> None:
    text = "Hoy (#SaveAsylum)"
    x = json.loads(run_cli("compose", "--text", text, "--platform", "x", "--json").stdout)
    bsky = json.loads(run_cli("compose", "--text", text, "--platform", "bluesky",
                              "--json").stdout)
    assert x["text"] == text
    assert bsky["text"] == f"{text} #SaveAsylum"


def test_compose_message_fills_statistics_per_language(run_cli) -> None:
    en = json.loads(run_cli("compose", "violence-attacks", "--json").stdout)
    es = json.loads(run_cli("compose", "violence-attacks", "--lang", "es", "--json").stdout)
    assert "at least 1,544 publicly reported" in en["text"]
    # the campaign's Spanish audience (Mexico, the U.S.) writes thousands like English
    assert "al menos 1,544 casos reportados públicamente" in es["text"]
    for doc, lang in ((en, "en"), (es, "es")):
        assert doc["text"].endswith(  # the campaign's link carries its UTM tags
            "#SaveAsylum https://www.cvt.org/EndMPP?utm_source=x&utm_medium=social"
            f"&utm_campaign=saveasylum&utm_content=violence-attacks-{lang}")
        assert set(doc) == {"text", "length", "limit", "fits"}
        assert doc["limit"] == 280 and doc["fits"] is True
        assert doc["length"] == x_length(doc["text"])


def test_number_format_per_language_comes_from_the_config(project, run_cli) -> None:
    edit(project, 'es: {thousands: ",", decimal: "."}', 'es: {thousands: ".", decimal: ","}')
    result = run_cli("check")
    assert result.exit_code == 1  # the labels still say 1,544: one error each, at its line
    assert "statistic 'hrf-attacks-2021' label (es) does not show the figure as '1.544'" in \
        result.stdout
    es = json.loads(run_cli("compose", "violence-attacks", "--lang", "es", "--json").stdout)
    assert "al menos 1.544 casos" in es["text"]


def test_every_message_leads_somewhere_and_donations_to_the_donation_page(project,
                                                                           run_cli) -> None:
    edit(project, "  donate_url: https://www.cvt.org/EndMPP",
         "  donate_url: https://give.example.org/cvt")
    doc = json.loads(run_cli("library", "--json").stdout)
    links = {m["id"]: m["link"] for m in doc["messages"]}
    assert all(link and link.startswith("https://") for link in links.values()), links
    assert links["support-donate"] == "https://give.example.org/cvt"
    assert links["call-switchboard"] == "https://www.cvt.org/EndMPP"


def test_compose_link_counts_23_on_x(run_cli) -> None:
    doc = json.loads(run_cli("compose", "call-switchboard", "--json").stdout)
    link = doc["text"].rsplit(" ", 1)[1]
    assert link.startswith("https://www.cvt.org/EndMPP?utm_source=x&")
    assert doc["length"] == len(doc["text"]) - len(link) + 23


def test_compose_text_no_tag(run_cli) -> None:
    result = run_cli("compose", "--text", "Solo texto", "--no-tag", "--json")
    assert json.loads(result.stdout)["text"] == "Solo texto"


def test_too_long_is_an_error_never_truncated(run_cli) -> None:
    text = "a" * 275
    result = run_cli("compose", "--text", text, "--json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout.split("\nError:")[0]) if "Error" in result.stdout else \
        json.loads(result.stdout)
    assert doc["text"] == text + " #SaveAsylum" and doc["fits"] is False
    assert doc["length"] == 287
    assert "over x's limit of 280" in result.stderr


def test_bluesky_counts_graphemes(run_cli) -> None:
    family = "👨‍👩‍👧‍👦"
    doc = json.loads(run_cli("compose", "--text", family, "--platform", "bluesky", "--json",
                             "--no-tag").stdout)
    assert doc == {"text": family, "length": 1, "limit": 300, "fits": True}
    assert grapheme_length("ñandú") == 5 and grapheme_length("n\u0303") == 1


def test_mastodon_counts_urls_as_23_and_remote_mentions_by_user() -> None:
    long_url = "https://example.org/" + "a" * 100
    assert mastodon_length(f"see {long_url}") == 4 + 23
    assert mastodon_length("hi @ana@social.example") == len("hi @ana")


def test_unknown_message_and_platform_are_clear_errors(run_cli) -> None:
    r1 = run_cli("compose", "nope")
    assert r1.exit_code == 1 and "Error: unknown message 'nope'" in r1.output
    r2 = run_cli("compose", "violence-attacks", "--platform", "myspace")
    assert r2.exit_code == 1 and "unknown platform 'myspace'" in r2.output
    assert "Traceback" not in r1.output + r2.output


def test_library_json_lists_messages_and_statistics(run_cli) -> None:
    doc = json.loads(run_cli("library", "--json").stdout)
    assert len(doc["messages"]) >= 24
    assert {m["theme"] for m in doc["messages"]} >= {"violence", "courts", "mpp2", "asylum",
                                                      "call", "support"}
    assert all(set(m["languages"]) >= {"en", "es"} for m in doc["messages"])
    ids = {s["id"] for s in doc["statistics"]}
    assert {"hrf-attacks-2021", "switchboard", "court-5th-cir"} <= ids
    assert all(s["source"]["name"] and s["source"]["url"] for s in doc["statistics"])


@pytest.mark.parametrize(("text", "lang", "unsourced"), [
    ("More than 70,000 people were sent back to Mexico.", "en", "'70,000'"),
    ("Más de setenta mil personas fueron devueltas.", "es", "'setenta mil'"),
    ("About 16,000 children were sent back.", "en", "'16,000'"),  # an unverified statistic's
])
def test_free_text_numbers_need_a_verified_statistic(run_cli, text: str, lang: str,
                                                     unsourced: str) -> None:
    result = run_cli("compose", "--text", text, "--lang", lang)
    assert result.exit_code == 1
    assert result.stdout.strip() == f"{text} #SaveAsylum"  # still shown, with its length
    assert result.stderr.strip().splitlines()[-1].startswith(
        f"Error: --text has the number(s) {unsourced}, which no verified statistic shows")


def test_free_text_with_a_verified_figure_or_no_number_is_fine(run_cli) -> None:
    for text in ("Human Rights First counted 1,544 attacks on people sent back.",
                 "Call one member of Congress today.", "Llama hoy a un miembro del Congreso."):
        result = run_cli("compose", "--text", text)
        assert result.exit_code == 0, result.output
