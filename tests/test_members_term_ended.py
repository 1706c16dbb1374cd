"""A member whose `term_end` has passed on the build's date (a senator appointed until a special
election): shown with a caveat in both languages, no "Call …" to them, a call script that names
the seat, and no ready post. The date is injected, so these hold on any day."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import ROOT
from test_congress_pages import Page

from toolkit.core.config import load_config
from toolkit.library import load_library
from toolkit.pages.congress.content import load_content
from toolkit.pages.congress.loader import load_roster
from toolkit.pages.congress.pages import render_state
from toolkit.pages.congress.view import members_view, state_payload

FIXTURE = ROOT / "tests" / "fixtures" / "members-ended" / "congress.yaml"
ELECTION = date(2026, 11, 3)
AFTER = date(2026, 12, 5)


@pytest.fixture(scope="module")
def shipped():
    config = load_config(ROOT / "config" / "campaign.yaml")
    return config, load_library(config), load_content(config), load_roster(FIXTURE)


def view(shipped, lang: str, today: date) -> dict:
    config, library, content, roster = shipped
    return members_view(config, library, lang, today, roster=roster, content=content)


def moody(v: dict) -> dict:
    return next(m for m in v["states"]["FL"]["senators"] if m["name"] == "Ashley Moody")


def test_until_the_term_ends_the_member_is_called_and_posted_to(shipped) -> None:
    v = view(shipped, "en", ELECTION)  # the term's last day
    m = moody(v)
    assert m["ended"] is None and m["tel"] == "tel:+12022243041"
    assert [p["platform"] for p in m["posts"]] == ["x"]
    assert "Call Ashley Moody" in Page(render_state(v, "FL")).text


@pytest.mark.parametrize(("lang", "caveat", "script"), [
    ("en", "Ashley Moody was appointed until the special election of November 3, 2026; the "
           "winner of that election may hold this seat.",
     "I'm calling my Senator's office"),
    ("es", "Ashley Moody ocupaba este escaño por nombramiento hasta la elección especial del 3 de "
           "noviembre de 2026;",
     "Llamo a la oficina de quien ocupa este escaño, miembro del Senado por Florida"),
])
def test_after_the_term_ends_a_caveat_and_no_call_or_post_to_them(shipped, lang, caveat,
                                                                  script) -> None:
    v = view(shipped, lang, AFTER)
    m = moody(v)
    assert m["ended"].startswith(caveat)
    assert "senate.gov" in m["ended"]
    assert m["tel"] is None and m["phone"] is None and m["url"] is None
    assert m["posts"] == []
    assert script in m["script"] and "Ashley Moody" not in m["script"]
    page = Page(render_state(v, "FL"))
    assert caveat.split(";")[0] in " ".join(page.text.split())
    assert ("p", {"class": "member-ended", "role": "note"}) in page.tags
    calls = [link["text"] for link in page.links if link.get("class") == "member-call"]
    assert not any("Moody" in text for text in calls)
    assert any("Rick Scott" in text for text in calls)  # the other senator is unchanged
    assert not [a for a in page.links if "SenMoodyTest" in a.get("href", "")]
    assert state_payload(v, "FL")["senators"][0]["ended"] == m["ended"]


def test_the_caveats_date_comes_from_the_data(shipped) -> None:
    config, library, content, roster = shipped
    for lang in ("en", "es"):
        for name in ("term_ended", "term_ended_appointed"):
            assert "{term_end}" in content.ended[name][lang]
            assert "2026" not in content.ended[name][lang]


def test_party_labels_and_the_at_large_state_in_spanish(shipped) -> None:
    v = view(shipped, "es", AFTER)
    assert {m["party"] for m in v["states"]["FL"]["senators"]} == {"Partido Republicano"}
    assert v["states"]["VT"]["house"][0]["party"] == "Partido Demócrata"
    assert v["states"]["VT"]["has_districts"] is False and v["states"]["FL"]["has_districts"]
    vt = Page(render_state(v, "VT"))
    assert "¿No sabes cuál es tu distrito?" not in vt.text
    fl = Page(render_state(v, "FL"))
    assert "Escríbele en redes sociales" in fl.text and "Escríbeles" not in fl.text
