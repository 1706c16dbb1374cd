"""The share kit as an action page, on a phone (390 × 844) in headless Chromium: the call and
today's post fully in the first screen in both languages (on every day of the rotation), a page
of at most 8 screens, feedback on Copy and Share, no wrong office on the state pages and in the
picker, axe clean in light and dark, and nothing loaded from outside the site."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
import test_site_browser as kit
from axe import axe_violations
from browser import chromium_page
from test_site_browser import guard

#: the share kit served from 127.0.0.1 and the clock on its day (test_site_browser's fixtures)
served, _clock_on_today = kit.served, kit._clock_on_today
pytestmark = [pytest.mark.browser, pytest.mark.slow]  # Chromium: `make test-fast` skips them
PHONE = {"width": 390, "height": 844}
SCREENS = 8
def fully_in_view(page, selector: str) -> bool:
    """Whether the element's whole box lies inside the viewport."""
    box = page.locator(selector).bounding_box()
    return (box is not None and box["x"] >= 0 and box["y"] >= 0
            and box["x"] + box["width"] <= PHONE["width"]
            and box["y"] + box["height"] <= PHONE["height"])


def cls(page) -> float:
    """The page's cumulative layout shift so far (0 when nothing moved)."""
    return page.evaluate("""() => new Promise(done => {
      let total = 0;
      new PerformanceObserver(list => list.getEntries().forEach(e => total += e.value))
        .observe({type: "layout-shift", buffered: true});
      setTimeout(() => done(total), 200);
    })""")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_call_and_todays_post_fill_the_first_screen_on_every_day(served, lang) -> None:
    base, _ = served
    url = base + ("index.html" if lang == "en" else "es/index.html")
    with chromium_page() as page:
        outside, errors = guard(page, base)
        page.set_viewport_size(PHONE)
        page.goto(url)
        posts = json.loads(page.locator("#today-posts").text_content())
        assert len(posts) > 1 and all(p["img"] and p["alt"] for p in posts)
        first = page.evaluate("document.getElementById('today-post').dataset.post")
        for day in range(len(posts)):
            when = date.fromordinal(date(2026, 1, 1).toordinal() + day)
            page.clock.set_fixed_time(datetime(when.year, when.month, when.day, 12))
            page.goto(url)
            page.wait_for_load_state("networkidle")
            expected = posts[(when - date(1970, 1, 1)).days % len(posts)]
            shown = page.locator("#today-post")
            assert shown.get_attribute("data-post") == expected["id"]
            assert page.locator("#today-text").inner_text() == expected["text"]
            assert page.locator("#today-img").get_attribute("alt") == expected["alt"]
            for selector in (".top .button.call", ".top .button.ghost", "#today-img",
                             "#today-share", "#today-post [data-copy]"):
                assert fully_in_view(page, selector), (expected["id"], selector)
            assert page.locator(".top .button.call").get_attribute("href") == "tel:+12022243121"
            assert cls(page) == 0
        assert first == posts[0]["id"]
        assert outside == [] and errors == []


def test_without_javascript_todays_post_is_the_first_and_in_view(served) -> None:
    base, _ = served
    with chromium_page() as page:
        guard(page, base)
        page.context.new_cdp_session(page).send("Emulation.setScriptExecutionDisabled",
                                                {"value": True})
        page.set_viewport_size(PHONE)
        page.goto(base + "es/index.html")
        first = page.locator("#today-posts").text_content()
        assert page.locator("#today-post").get_attribute("data-post") == json.loads(first)[0]["id"]
        assert fully_in_view(page, ".top .button.call") and fully_in_view(page, "#today-more")


@pytest.mark.parametrize("path", ["index.html", "es/index.html", "members/tx.html",
                                  "es/members/ca.html"])
@pytest.mark.parametrize("script", [True, False])
def test_the_phone_page_is_at_most_eight_screens(served, path: str, script: bool) -> None:
    base, _ = served
    with chromium_page() as page:
        guard(page, base)
        if not script:
            page.context.new_cdp_session(page).send("Emulation.setScriptExecutionDisabled",
                                                    {"value": True})
        page.set_viewport_size(PHONE)
        page.goto(base + path)
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height <= SCREENS * PHONE["height"], (path, height / PHONE["height"])


def test_copy_says_copied_on_the_button_and_share_says_what_it_did(served) -> None:
    base, _ = served
    with chromium_page() as page:
        outside, errors = guard(page, base)
        page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base[:-1])
        page.set_viewport_size(PHONE)
        page.goto(base + "index.html")
        text = page.locator("#today-text").inner_text()
        copy = page.locator("#today-post [data-copy]")
        assert copy.inner_text() == "Copy text"
        copy.click()
        page.wait_for_function("document.querySelector('#today-post [data-copy]')"
                               ".textContent === 'Copied ✓'")
        assert page.evaluate("navigator.clipboard.readText()") == text
        page.wait_for_function("document.getElementById('status').textContent === 'Copied ✓'")
        page.evaluate("navigator.clipboard.writeText('')")
        # desktop Chromium cannot share files: the image downloads, the text is copied, and the
        # page says so beside the button (the clipboard never changes silently)
        with page.expect_download() as download:
            page.locator("#today-share").click()
        image = page.locator("#today-share").get_attribute("data-share-image")
        assert download.value.suggested_filename == image.split("/")[-1]
        said = page.locator("#today-post .said")
        said.wait_for(state="visible")
        assert said.inner_text().startswith("Image downloaded — paste the text from your "
                                            "clipboard")
        assert page.evaluate("navigator.clipboard.readText()") == text
        page.wait_for_function("document.getElementById('status').textContent"
                               ".startsWith('Image downloaded')")
        assert outside == [] and errors == []


def test_texas_shows_both_senators_and_no_representative_until_a_district(served) -> None:
    base, _ = served
    with chromium_page() as page:
        outside, errors = guard(page, base)
        page.set_viewport_size(PHONE)
        page.goto(base + "index.html")
        page.select_option("#members-state", "tx")
        page.click("form.members-picker button")
        page.wait_for_selector(".members-result h3:text-is('Texas')")
        assert page.locator(".members-result > article.member").count() == 2  # the Senators
        assert page.locator(".members-house article").count() == 0
        assert page.locator("#members-district").input_value() == ""
        assert page.locator(".members-result a[href*='house.gov']").is_visible()
        page.select_option("#members-district", index=7)  # District 7
        assert page.locator(".members-house article").count() == 1

        page.goto(base + "members/tx.html")  # the state's own page, no script
        assert page.locator("article.member:visible").count() == 2
        assert page.locator(".members-district:visible").count() == 0
        links = page.locator(".districts a")
        assert links.count() == 38 and links.nth(0).inner_text() == "District 1"
        assert page.locator("a[href^='https://www.house.gov/']").is_visible()
        links.nth(6).click()
        assert page.locator(".members-district:visible").count() == 1
        assert page.locator("#district-tx-7 article.member").is_visible()
        assert outside == [] and errors == []


def test_an_at_large_state_shows_its_member_at_once(served) -> None:
    base, _ = served
    with chromium_page() as page:
        outside, errors = guard(page, base)
        page.goto(base + "index.html")
        page.select_option("#members-state", "wy")
        page.click("form.members-picker button")
        page.wait_for_selector(".members-house article.member")
        assert page.locator("#members-district").count() == 0  # no district step
        page.goto(base + "es/members/dc.html")
        assert page.locator("#district-dc-0 article.member").is_visible()
        assert page.locator(".districts").count() == 0
        assert outside == [] and errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_in_light_and_dark(served, scheme: str) -> None:
    base, _ = served
    with chromium_page() as page:
        outside, errors = guard(page, base)
        page.set_viewport_size(PHONE)
        page.emulate_media(color_scheme=scheme)
        for path in ("index.html", "es/index.html", "posts.html", "members/tx.html#district-tx-2",
                     "index.html#card-stat-attacks"):
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            page.locator("details").evaluate_all("ds => ds.forEach(d => d.open = true)")
            assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (
                scheme == "dark")
            violations = axe_violations(page)
            assert violations == [], (path, violations)
        assert outside == [] and errors == []
