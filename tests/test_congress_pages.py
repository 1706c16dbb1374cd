"""The members partials (Jinja2) and the per-state JSON: parsed, not string-matched."""

from __future__ import annotations

import json
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from conftest import ROOT

from toolkit.core.config import load_config
from toolkit.library import load_library
from toolkit.pages.congress.content import load_content
from toolkit.pages.congress.loader import load_roster
from toolkit.pages.congress.pages import render_index, render_state, write_state_json
from toolkit.pages.congress.view import members_view

TODAY = date(2026, 11, 29)


class Page(HTMLParser):
    """Links (href, text, attributes), text of elements by class, and every element's tag."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: list[dict] = []
        self.tags: list[tuple[str, dict]] = []
        self._open: list[dict] = []
        self.text = ""
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "a":
            link = {**a, "text": ""}
            self.links.append(link)
            self._open.append(link)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        self.text += data
        for link in self._open:
            link["text"] += data

    def hrefs(self, prefix: str) -> list[str]:
        return [link["href"] for link in self.links if link["href"].startswith(prefix)]


@pytest.fixture(scope="module")
def views() -> dict:
    config = load_config(ROOT / "config" / "campaign.yaml")
    library, content = load_library(config), load_content(config)
    roster = load_roster(ROOT / "members" / "congress.yaml")
    return {lang: members_view(config, library, lang, TODAY, roster=roster, content=content)
            for lang in ("en", "es")}


def test_state_page_has_senators_and_representative_with_tel_links(views) -> None:
    page = Page(render_state(views["en"], "VT", index="../"))
    calls = {link["href"]: " ".join(link["text"].split()) for link in page.links
             if link.get("class") == "member-call"}
    assert calls == {
        "tel:+12022245141": "Call Bernard Sanders: 202-224-5141",
        "tel:+12022244242": "Call Peter Welch: 202-224-4242",
        "tel:+12022254115": "Call Becca Balint: 202-225-4115",
    }
    assert page.hrefs("tel:+12022243121"), "the switchboard stays as the fallback"
    assert "https://www.sanders.senate.gov/contact/" in page.hrefs("https://www.sanders")
    assert "At large (the whole state)" in page.text
    assert "I'm calling to ask Senator Bernard Sanders to oppose" in page.text
    assert page.text.count("Member list as of June 15, 2026.") == 2  # under the heading too
    assert page.hrefs("https://github.com/unitedstates/congress-legislators")
    assert "may be out of date" not in page.text
    assert page.hrefs("../")
    # Vermont is at large: no district to find
    assert not page.hrefs("https://www.house.gov/representatives/find")
    assert "Not sure of your district?" not in page.text


def test_post_links_decode_to_the_composed_text(views) -> None:
    page = Page(render_state(views["en"], "VT"))
    intents = [link for link in page.links if link.get("data-platform") == "x"]
    assert len(intents) == 3
    sanders = views["en"]["states"]["VT"]["senators"][0]
    text = parse_qs(urlparse(intents[0]["href"]).query)["text"][0]
    assert text == sanders["posts"][0]["text"]
    assert text.startswith(".@SenSanders Bernard Sanders: ") and "#SaveAsylum" in text


def test_districts_vacancies_and_territories(views) -> None:
    ca = Page(render_state(views["en"], "CA"))
    ids = {a.get("id") for _, a in ca.tags}
    assert {f"district-ca-{d}" for d in range(1, 53)} <= ids
    assert "#district-ca-52" in ca.hrefs("#district-ca-")
    # every seat in order, labelled, the vacant one too (it says so and gives the switchboard)
    assert ca.hrefs("#district-ca-") == [f"#district-ca-{d}" for d in range(1, 53)]
    labels = [a["text"] for a in ca.links if a["href"].startswith("#district-ca-")]
    assert labels[0] == "District 1" and labels[13] == "District 14"
    assert "This seat was vacant on the date of our list" in ca.text
    assert ca.hrefs("https://www.house.gov/representatives/find")
    seats = [a["id"] for _, a in ca.tags if a.get("class") == "members-district"]
    assert seats == [f"district-ca-{d}" for d in range(1, 53)]  # vacancy in its place
    for code in ("VT", "WY"):  # at large: its one member shows at once, no district step
        one = Page(render_state(views["en"], code))
        seats = [a["class"] for _, a in one.tags if a.get("id", "").startswith("district-")]
        assert seats == ["members-district one-seat"]
        assert not one.hrefs(f"#district-{code.lower()}-")
    dc = Page(render_state(views["es"], "DC"))
    assert ("div", {"id": "district-dc-0", "class": "members-district one-seat"}) in dc.tags
    assert "DC y los territorios no tienen senadores" in dc.text
    assert dc.hrefs("tel:") == ["tel:+12022258050", "tel:+12022243121"]
    assert "vivo en el Distrito de Columbia. Llamo a la oficina de Eleanor Holmes Norton, " \
        "miembro de la Cámara de Representantes por el Distrito de Columbia, para" in dc.text
    assert "Partido Demócrata" in dc.text
    assert "Lista de miembros al 15 de junio de 2026." in dc.text
    assert "¿No sabes cuál es tu distrito?" not in dc.text
    assert [a["data-platform"] for a in dc.links if "data-platform" in a] == ["x", "mastodon"]


def test_stale_data_is_said_plainly(views) -> None:
    stale = {**views["en"], "stale": True}
    page = Page(render_state(stale, "VT"))
    assert "This list may be out of date" in page.text
    assert ("p", {"class": "members-stale", "role": "alert"}) in page.tags


def test_index_lists_every_state_page_and_a_hidden_picker(views) -> None:
    page = Page(render_index(views["es"], base="miembros/"))
    states = page.hrefs("miembros/")
    assert len(states) == 56 and "miembros/ny.html" in states
    assert next(a for a in page.links if a["href"] == "miembros/ny.html")["text"] == "Nueva York"
    form = next(a for tag, a in page.tags if tag == "form")
    assert "js-only" in form["class"].split()  # shown only where its script runs
    assert form["data-members-json"] == "miembros/{state}.json"
    assert len([1 for tag, _ in page.tags if tag == "option"]) == 56
    assert "Llama a tus representantes en el Congreso" in page.text


def test_one_small_json_per_state(views, tmp_path: Path) -> None:
    written = write_state_json(views["en"], tmp_path)
    assert len(written) == 56
    assert max(p.stat().st_size for p in written) < 60_000  # California, the largest
    vt = json.loads((tmp_path / "vt.json").read_text(encoding="utf-8"))
    assert [m["tel"] for m in vt["senators"]] == ["tel:+12022245141", "tel:+12022244242"]
    assert vt["as_of"] == "2026-06-15" and vt["stale"] is False
    post = vt["senators"][0]["posts"][0]
    assert post["length"] <= post["limit"] == 280
    assert vt["share"]["x"] == "https://x.com/intent/tweet?text="
