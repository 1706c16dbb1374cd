"""The share kit in headless Chromium (Debian's, through Playwright), served from 127.0.0.1:
no request leaves the site, no console error, downloads, clipboard, share fallback, language
switch, the remembered Mastodon server, axe-core, JavaScript off, and screenshots kept as
artifacts in tests/artifacts/."""

from __future__ import annotations

import functools
import http.server
import io
import threading
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from axe import axe_violations
from browser import chromium_page
from conftest import clock_pinned
from PIL import Image
from test_site import TODAY, copy_project, site_build

from toolkit.compose.text import compose_message
from toolkit.compose.utm import share_tags
from toolkit.core.config import load_config
from toolkit.library import load_library
from toolkit.pages.site.content import site_cards

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # Chromium: `make test-fast` skips them
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module", autouse=True)
def _clock_on_today() -> Iterator[None]:
    """The shipped member data is dated: the site served here is built as on TODAY."""
    with clock_pinned(datetime.combine(TODAY, time(12), tzinfo=UTC)):
        yield


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The shipped library's site on a local HTTP server: (base URL, config file)."""
    config = copy_project(tmp_path_factory.mktemp("served"))
    assert site_build(config).exit_code == 0
    handler = functools.partial(_Quiet, directory=str(config.parent.parent / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", config
    finally:
        server.shutdown()
        server.server_close()


def guard(page, base: str) -> tuple[list[str], list[str]]:
    """Abort (and record) any request outside the site; record console errors."""
    outside: list[str] = []
    errors: list[str] = []

    def route(r) -> None:
        if r.request.url.startswith(base):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return outside, errors


def composed(config_file: Path, mid: str, lang: str, target: str = "x") -> str:
    """The share kit's text of a message for a share target (its link tagged
    `utm_source=share-kit&utm_medium=<target>`)."""
    config = load_config(config_file)
    platform = target if target in ("x", "bluesky", "mastodon") else "x"
    return compose_message(config, load_library(config), mid, lang, platform,
                           utm=share_tags("saveasylum", target, mid, lang)).text


@pytest.mark.parametrize("lang", ["en", "es"])
def test_page_loads_everything_from_the_site_with_no_error_and_passes_axe(served, lang) -> None:
    base, _ = served
    url = base + ("" if lang == "en" else "es/")
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium_page() as page:
        outside, errors = guard(page, base)
        for width, height in ((390, 844), (1440, 900)):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(url + "index.html")
            page.wait_for_load_state("networkidle")
            assert page.evaluate("document.documentElement.lang") == lang
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            page.screenshot(path=str(ARTIFACTS / f"site-{lang}-{width}.png"))
            page.locator("#graphics summary").click()  # the grid of previews unfolds
            page.evaluate("document.getElementById('graphics').scrollIntoView()")
            page.screenshot(path=str(ARTIFACTS / f"site-{lang}-{width}-graphics.png"))
        page.set_viewport_size({"width": 320, "height": 700})
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        for img in page.locator("img:visible").all():
            img.scroll_into_view_if_needed()
        # a preview in the grid is named by its link's title; every other image by its alt text
        assert page.eval_on_selector_all(
            "img", "els => els.filter(i => i.getAttribute('alt') === null || "
                   "(!i.closest('.thumbs') && !i.getAttribute('alt'))).length") == 0
        page.wait_for_function("[...document.images].filter(i => i.checkVisibility())"
                               ".every(i => i.complete && i.naturalWidth)")
        violations = axe_violations(page)
        assert violations == [], violations
        assert outside == [] and errors == []


def test_every_download_is_a_png_of_the_stated_size_and_the_zip_matches(served) -> None:
    base, _ = served
    with chromium_page() as page:
        guard(page, base)
        page.goto(base + "index.html")
        items = page.locator(".downloads li").all()
        config = load_config(served[1])
        assert len(items) == len(site_cards(load_library(config))) * len(config.formats)
        for item in items:
            href = item.locator("a").get_attribute("href")
            meta = item.locator(".meta").inner_text()
            name, pixels, size = meta.split(" · ")
            body = page.request.get(base + href).body()
            assert body[:8] == b"\x89PNG\r\n\x1a\n" and href.endswith(name)
            with Image.open(io.BytesIO(body)) as image:
                assert f"{image.width} × {image.height} px" == pixels
            assert size == f"{max(1, round(len(body) / 1000))} KB"
        zip_href = page.locator("a[href$='.zip']").get_attribute("href")
        with zipfile.ZipFile(io.BytesIO(page.request.get(base + zip_href).body())) as zf:
            assert sorted(zf.namelist()) == sorted(
                i.locator("a").get_attribute("href").removeprefix("graphics/") for i in items)


def test_copy_share_fallback_and_mastodon_server(served) -> None:
    base, config = served
    with chromium_page() as page:
        outside, errors = guard(page, base)
        page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base[:-1])
        page.goto(base + "es/index.html")
        page.keyboard.press("Tab")  # the skip link comes first and shows itself when focused
        skip = page.locator(":focus")
        assert skip.get_attribute("class") == "skip" and skip.bounding_box()["x"] >= 0
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        page.goto(base + "es/index.html#card-stat-attacks")  # a graphic's detail view
        page.locator("#card-stat-attacks").get_by_role("button", name="Copiar texto "
                                                       "alternativo").click()
        alt = page.locator("#alt-stat-attacks").inner_text()
        figure = load_library(load_config(config)).statistics["hrf-attacks-2021"].display["es"]
        assert page.evaluate("navigator.clipboard.readText()") == alt and figure in alt
        page.goto(base + "es/posts.html")
        post = page.locator("#post-violence-attacks")
        assert post.locator("img").get_attribute("loading") == "lazy"
        post.get_by_role("button", name="Copiar texto").click()
        # Copy takes the text as the page shows it: its plain link (the share links are tagged)
        cfg = load_config(config)
        expected = compose_message(cfg, load_library(cfg), "violence-attacks", "es", "x",
                                   utm={}).text
        assert page.evaluate("navigator.clipboard.readText()") == expected
        assert post.locator("button[data-copy]").inner_text() == "Copiado ✓"
        page.evaluate("navigator.clipboard.writeText('')")
        # no Web Share with files in desktop Chromium: the graphic downloads and the text is
        # copied, and the page says both under the buttons and to screen readers
        with page.expect_download() as download:
            post.get_by_role("button", name="Compartir", exact=True).click()
        assert download.value.suggested_filename == "stat-attacks-x-es.png"
        page.wait_for_function("s => navigator.clipboard.readText().then(t => t === s)",
                               arg=expected)
        page.wait_for_function("document.getElementById('status').textContent"
                               ".includes('pega el texto')")
        assert "pega el texto" in post.locator(".said").inner_text()
        assert post.locator(".said").is_visible()

        page.fill("#mastodon-server", "https://Example.Social/@someone")
        page.get_by_role("button", name="Guardar servidor").click()
        href = post.locator("a[data-share=mastodon]").get_attribute("href")
        assert href.startswith("https://example.social/share?text=")
        assert parse_qs(urlsplit(href).query)["text"] == [
            composed(config, "violence-attacks", "es", "mastodon")]
        page.reload()
        assert page.input_value("#mastodon-server") == "example.social"
        again = page.locator("#post-call-switchboard a[data-share=mastodon]").get_attribute("href")
        assert again.startswith("https://example.social/share?")

        page.get_by_role("link", name="English").click()  # the same page in English
        page.wait_for_url(base + "posts.html")
        assert page.evaluate("document.documentElement.lang") == "en"
        assert page.get_by_role("heading", level=1, name="Ready posts").is_visible()
        assert outside == [] and errors == []


def test_without_javascript_downloads_and_links_still_work(served) -> None:
    base, config = served
    with chromium_page() as page:
        outside, _ = guard(page, base)
        cdp = page.context.new_cdp_session(page)
        cdp.send("Emulation.setScriptExecutionDisabled", {"value": True})
        page.goto(base + "index.html")
        assert page.locator("button:visible").count() == 0  # enhancements only
        assert page.locator("#today-img").is_visible()  # today's post: the first, with its image
        page.locator("#graphics summary").click()
        page.locator("a[href='#card-msg-end-mpp']").click()  # a preview opens its detail view
        with page.expect_download() as download:
            page.locator("#card-msg-end-mpp .downloads a").first.click()
        assert download.value.suggested_filename == "msg-end-mpp-x-en.png"
        with page.expect_download() as download:
            page.locator("a[href$='.zip']").click()
        assert download.value.suggested_filename == "saveasylum-graphics-en.zip"
        assert page.locator("#call a[href='tel:+12022243121']").is_visible()
        page.locator("#today-more").click()
        page.wait_for_url(base + "posts.html#post-violence-attacks")
        assert not page.locator("#mastodon-form").is_visible()
        x = parse_qs(urlsplit(page.locator("#post-asylum-human-right a[data-share=x]")
                              .get_attribute("href")).query)
        assert " ".join(x["text"] + x.get("url", [])) == composed(config, "asylum-human-right",
                                                                  "en")
        page.goto(base + "index.html")
        page.get_by_role("link", name="Español").click()
        page.wait_for_url(base + "es/index.html")
        assert outside == []


VERMONT = ["tel:+12022245141", "tel:+12022244242", "tel:+12022254115"]


def x_intent_opened(page, link) -> str:
    """Click an X intent link (a new tab; x.com itself is never reached) and return the
    post's text decoded from the address the tab opened."""
    opened: list[str] = []

    def to_x(route) -> None:
        opened.append(route.request.url)
        route.abort()

    page.context.route("https://x.com/**", to_x)
    with page.expect_popup() as popup:
        link.click()
    popup.value.wait_for_event("requestfailed")
    popup.value.close()
    assert urlsplit(opened[0]).path == "/intent/tweet"
    return parse_qs(urlsplit(opened[0]).query)["text"][0]


@pytest.mark.parametrize(("lang", "opening"), [
    ("en", ".@SenSanders Bernard Sanders: please help end Remain in Mexico"),
    ("es", ".@SenSanders Bernard Sanders: ayude a acabar de una vez por todas con «Quédate en "
           "México»")])
def test_call_your_members_pick_a_state_without_reload(served, lang: str, opening: str) -> None:
    base, _ = served
    url = base + ("" if lang == "en" else "es/")
    with chromium_page() as page:
        outside, errors = guard(page, base)
        fetched: list[str] = []
        page.on("request", lambda r: fetched.append(r.url) if r.url.endswith(".json") else None)
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(url + "index.html")
        page.evaluate("window.notReloaded = true")
        page.select_option("#members-state", "vt")
        page.click("form.members-picker button")
        page.wait_for_selector(".members-result article.member")
        assert page.evaluate("window.notReloaded") is True
        calls = page.eval_on_selector_all(".members-result a.member-call",
                                          "els => els.map(e => e.getAttribute('href'))")
        assert calls == VERMONT
        assert fetched == [url + "members/vt.json"]  # one state's data, nothing else
        text = x_intent_opened(page, page.locator(".members-result a[data-platform=x]").first)
        assert text.startswith(opening) and text.endswith(
            "#SaveAsylum https://www.cvt.org/EndMPP?utm_source=share-kit&utm_medium=x"
            f"&utm_campaign=saveasylum&utm_content=congress-{lang}")
        assert page.evaluate("window.notReloaded") is True
        page.select_option("#members-state", "ct")  # a state with districts
        page.click("form.members-picker button")
        page.wait_for_selector("#members-district")
        assert page.locator(".members-house article").count() == 0  # no district, nobody
        page.select_option("#members-district", index=4)
        assert page.text_content(".members-house h4") == "James A. Himes"
        page.select_option("#members-state", "tx")  # district 23's seat is vacant
        page.click("form.members-picker button")
        page.wait_for_selector(".members-result h3:text-is('Texas')")
        options = page.eval_on_selector_all("#members-district option",
                                            "els => els.map(e => e.textContent)")
        # "Choose your district", then every seat in order: 37 members, 1 vacancy
        assert len(options) == 39 and options[23].endswith(" 23") and options[1].endswith(" 1")
        page.select_option("#members-district", index=23)
        assert page.get_attribute(".members-house p.members-vacant a",
                                  "href") == "tel:+12022243121"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        if lang == "en":
            ARTIFACTS.mkdir(exist_ok=True)
            page.select_option("#members-state", "vt")
            page.click("form.members-picker button")
            page.wait_for_selector(".members-result h3:text-is('Vermont')")
            page.locator("#call-your-members").screenshot(path=str(ARTIFACTS / "members-vt.png"))
        assert axe_violations(page) == []
        assert outside == [] and errors == []


@pytest.mark.parametrize("lang", ["en", "es"])
def test_call_your_members_works_with_javascript_off(served, lang: str) -> None:
    base, _ = served
    url = base + ("" if lang == "en" else "es/")
    with chromium_page() as page:
        outside, _ = guard(page, base)
        cdp = page.context.new_cdp_session(page)
        cdp.send("Emulation.setScriptExecutionDisabled", {"value": True})
        page.goto(url + "index.html")
        assert not page.locator("form.members-picker").is_visible()
        assert page.locator(".members-all").get_attribute("open") == ""  # unfolded: no picker
        page.locator(".members-states a", has_text="Vermont").click()
        page.wait_for_url(url + "members/vt.html")
        assert page.evaluate("document.documentElement.lang") == lang
        calls = page.eval_on_selector_all("a.member-call", "els => els.map(e => e.href)")
        assert calls == VERMONT
        as_of = "June 15, 2026" if lang == "en" else "15 de junio de 2026"
        assert page.locator(".members-source", has_text=as_of).count() == 1
        assert page.locator(".members-as-of", has_text=as_of).count() == 1
        href = page.locator("a[data-platform=x]").first.get_attribute("href")
        assert parse_qs(urlsplit(href).query)["text"][0].startswith(".@SenSanders ")
        assert page.locator("script").count() == 0  # the state page needs none
        cdp.send("Emulation.setScriptExecutionDisabled", {"value": False})  # for axe-core
        assert axe_violations(page) == []
        page.locator(".members-state > p > a").last.click()  # back to all states
        page.wait_for_url(url + "index.html#call-your-members")
        assert outside == []
