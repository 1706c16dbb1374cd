"""In headless Chromium: a lead makes a sign-off link on the post page; an anonymous browser
opens it (axe-core checks the page), requests changes with a comment; the lead sees it."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from axe import axe_violations
from browser import chromium_page
from webapp import PASSWORDS, make_webapp

from toolkit.surfaces.web.server import serve_in_background

#: Chromium: `make test-fast` skips them
pytestmark = pytest.mark.slow


@pytest.fixture
def live(project: Path):
    site = make_webapp(project)
    now = site.clock.now
    pid = site.toolkit.planner().add("courts-suspended", "x", "en", now + timedelta(days=2),
                                     now, "sam")
    server = serve_in_background(site.app, "127.0.0.1", 0, threads=2)
    yield site, f"http://127.0.0.1:{server.effective_port}", pid
    server.close()
    site.toolkit.close()


def sign_in(page, base: str, name: str) -> None:
    page.goto(base + "/login")
    page.fill("#username", name)
    page.fill("#password", PASSWORDS[name])
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")


@pytest.mark.browser
def test_outside_reviewer_requests_changes_through_a_link(live) -> None:
    site, base, pid = live
    with chromium_page(bypass_csp=True) as page:
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        sign_in(page, base, "maria")
        page.goto(f"{base}/posts/{pid}")
        page.fill("#link-name", "Legal")
        page.click("button:has-text('Make a sign-off link')")
        link = page.locator("#new-link").get_attribute("href")
        assert link and re.fullmatch(rf"{re.escape(base)}/review/[\w-]{{43}}", link)
        # shown where the notice is, with a button that copies it
        assert page.locator("main > .notice #new-link").count() == 1
        page.context.grant_permissions(["clipboard-read", "clipboard-write"])
        page.click("button.copy")
        page.wait_for_function("document.querySelector('button.copy').textContent == 'Copied'")
        assert page.evaluate("navigator.clipboard.readText()") == link
        assert axe_violations(page) == []

        page.context.clear_cookies()  # from here on: a browser with no account
        page.goto(link)
        assert page.locator("h1").inner_text() == "Sign-off: Legal"
        assert page.locator('meta[name="robots"]').get_attribute("content").startswith("noindex")
        found = axe_violations(page)
        assert found == [], found
        page.fill(f"#reviewer-{pid}", "Lee Ortiz <Legal>")
        page.fill(f"#comment-{pid}", "Say the policy was paused, not ended.")
        page.click("button:has-text('Request changes')")
        page.wait_for_url(re.compile(r".*done=changes_requested.*"))
        assert "your request for changes is recorded" in page.locator("main").inner_text()
        assert "Lee Ortiz <Legal>: requested changes" in page.locator("ul.signoffs").inner_text()

        sign_in(page, base, "maria")
        page.goto(f"{base}/posts/{pid}")
        signoffs = page.locator("ul.signoffs").inner_text()
        assert "Legal: Lee Ortiz <Legal> requested changes at revision 1" in signoffs
        assert "Say the policy was paused, not ended." in signoffs
        assert errors == []
    assert site.toolkit.store.get(pid).status == "draft"
