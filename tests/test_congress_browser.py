"""The members pages in Chromium: pick a state without a reload, call and post links; and the
per-state pages with scripts blocked. The site's own page shell is stood in for by `layout`."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from datetime import date
from urllib.parse import parse_qs, urlparse

import pytest
from axe import axe_violations
from browser import chromium_page
from conftest import ROOT

from toolkit.config import load_config
from toolkit.congress.content import load_content
from toolkit.congress.pages import render_index, write_state_pages
from toolkit.congress.view import members_view
from toolkit.library import load_library

pytestmark = pytest.mark.browser


def layout(title: str, body: str, lang: str = "en") -> str:
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width"><title>{title}</title></head>'
            f"<body><main>{body}</main></body></html>")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A tiny site: index.html with the picker, members/<slug>.html|json, over local HTTP."""
    out = tmp_path_factory.mktemp("site")
    config = load_config(ROOT / "config" / "campaign.yaml")
    library = load_library(config)
    view = members_view(config, library, "en", date(2026, 11, 29), content=load_content(config))
    write_state_pages(view, out / "members", layout)
    body = render_index(view, base="members/") + '<script src="members/members.js"></script>'
    (out / "index.html").write_text(layout("Call your members", body), encoding="utf-8")
    handler = functools.partial(_Quiet, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def test_pick_a_state_without_reload_and_open_the_x_intent(site: str) -> None:
    with chromium_page() as page:
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(site)
        page.evaluate("window.notReloaded = true")
        page.select_option("#members-state", "vt")
        page.click("form.members-picker button")
        page.wait_for_selector(".members-result article.member")
        assert page.evaluate("window.notReloaded") is True
        calls = page.eval_on_selector_all(".members-result a.member-call",
                                          "els => els.map(e => e.getAttribute('href'))")
        assert calls == ["tel:+12022245141", "tel:+12022244242", "tel:+12022254115"]
        assert [u.rsplit("/", 1)[-1] for u in requests if u.endswith(".json")] == ["vt.json"]
        href = page.get_attribute(".members-result a[data-platform=x]", "href")
        text = parse_qs(urlparse(href).query)["text"][0]
        assert text.startswith(".@SenSanders Bernard Sanders: please help end Remain in Mexico")
        assert text.endswith("#SaveAsylum https://www.cvt.org/EndMPP")
        # a state with districts: the chosen district's member replaces the first one
        page.select_option("#members-state", "ct")
        page.click("form.members-picker button")
        page.wait_for_selector("#members-district")
        page.select_option("#members-district", label="District 4")
        assert page.text_content(".members-house h4") == "James A. Himes"
        assert page.evaluate("window.notReloaded") is True
        assert axe_violations(page) == []


def test_per_state_page_works_with_scripts_blocked(site: str) -> None:
    with chromium_page() as page:
        page.route("**/*.js", lambda route: route.abort())
        page.goto(site)
        assert page.is_hidden("form.members-picker")
        page.click(".members-states a:text-is('Vermont')")
        page.wait_for_url("**/members/vt.html")
        calls = page.eval_on_selector_all("a.member-call", "els => els.map(e => e.href)")
        assert calls == ["tel:+12022245141", "tel:+12022244242", "tel:+12022254115"]
        assert page.locator("text=Member list as of 2026-06-15").count() == 1
        assert axe_violations(page) == []
        page.click("text=Back to all states")
        page.wait_for_url(site)
