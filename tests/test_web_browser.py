"""End to end in headless Chromium: sign in, week view, queue into the next slot, approve as a
second user, see the status and the audit entry; axe-core on the login, schedule and post pages.
Screenshots at 390 and 1440 px are kept in tests/artifacts/ (git-ignored)."""

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

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
WIDTHS = (390, 1440)


@pytest.fixture
def live(run_cli, project: Path):
    assert run_cli("graphics", "build").exit_code == 0
    site = make_webapp(project)
    planner, now = site.toolkit.planner(), site.clock.now
    ids = [planner.add(mid, platform, lang, now + timedelta(hours=h), now, "sam")
           for mid, platform, lang, h in [("violence-attacks", "x", "en", 30),
                                          ("violence-attacks", "x", "es", 54),
                                          ("call-switchboard", "mastodon", "en", 78),
                                          ("violence-first-year", "x", "en", 100)]]
    planner.approve(ids[:2], "maria", now)
    server = serve_in_background(site.app, "127.0.0.1", 0, threads=2)
    yield site, f"http://127.0.0.1:{server.effective_port}"
    server.close()
    site.toolkit.close()


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # lazy images load
        page.wait_for_function("Array.from(document.images).every("
                               "i => i.complete && i.naturalWidth > 0)")
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1440, "height": 900})


def sign_in(page, base: str, name: str) -> None:
    page.goto(base + "/")
    assert page.url.startswith(base + "/login")
    page.fill("#username", name)
    page.fill("#password", PASSWORDS[name])
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")


def assert_accessible(page) -> None:
    found = axe_violations(page)
    assert found == [], found


@pytest.mark.browser
def test_queue_and_approve_in_chromium(live) -> None:
    site, base = live
    with chromium_page(bypass_csp=True) as page:
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.set_viewport_size({"width": 1440, "height": 900})
        page.goto(base + "/login")
        assert_accessible(page)
        shoot(page, "login")
        sign_in(page, base, "sam")
        assert page.locator(".timegrid thead th[scope=col]").count() == 8  # time + 7 days
        assert page.locator(".attention article.post").count() >= 1  # the fact-gated draft
        shoot(page, "week")
        assert_accessible(page)
        page.goto(base + "/library")
        assert_accessible(page)
        form = page.locator("#msg-call-switchboard form.queue")
        form.locator("select[name=platform]").select_option("x")
        offered = form.locator("select[name=account] option:not([disabled])").all_inner_texts()
        x_accounts = [a.name for a in site.toolkit.config.accounts.values()
                      if a.platform == "x"]
        assert offered == ["the platform's first", *x_accounts]  # only the chosen platform's
        form.locator("button[type=submit]").click()
        page.wait_for_url(re.compile(r".*/posts/\w+\?done=queue"))
        post_url = page.url.split("?")[0]
        pid = post_url.rsplit("/", 1)[1]
        assert page.locator(".status").first.inner_text() == "draft"
        assert page.locator("button", has_text="Approve").count() == 0  # staff cannot
        page.click("button:has-text('Sign out')")
        page.wait_for_url(re.compile(r".*/login"))

        sign_in(page, base, "maria")
        page.goto(post_url)
        page.click("button:has-text('Approve')")
        page.wait_for_url(re.compile(r".*\?done=approve"))
        assert page.locator(".status").first.inner_text() == "approved"
        rows = page.locator("table.history tbody tr")
        assert "maria" in rows.last.inner_text() and "draft → approved" in rows.last.inner_text()
        assert page.locator("figure img.card").count() == 1  # the frozen card, with alt text
        assert page.locator("figure img.card").get_attribute("alt")
        shoot(page, "post")
        assert_accessible(page)
        assert errors == []
    post = site.toolkit.store.get(pid)
    assert post.status == "approved" and post.approved_by == "maria"
    assert [e.actor for e in site.toolkit.store.audit_log(pid)] == ["sam", "maria"]


def act(page, url: str, field: str, text: str, button: str, done: str) -> None:
    """On the page at `url`, write `text` into `field`, press `button`, wait for the notice."""
    page.goto(url)
    page.fill(field, text)
    page.click(f"button:has-text('{button}')")
    page.wait_for_url(re.compile(rf".*\?done={done}"))


@pytest.mark.browser
def test_request_changes_resubmit_and_bulk_approval_in_chromium(live) -> None:
    site, base = live
    store = site.toolkit.store
    drafts = [p.id for p in store.list(["draft"])]
    sent = drafts[0]
    with chromium_page(bypass_csp=True) as page:
        page.set_viewport_size({"width": 1440, "height": 900})
        sign_in(page, base, "maria")
        act(page, f"{base}/posts/{sent}", "#back-comment", "Say which court.",
            "Request changes", "send_back")
        assert page.locator(".status").first.inner_text() == "changes_requested"
        assert "Say which court." in page.locator(".comment").last.inner_text()
        assert_accessible(page)
        page.goto(base + "/")
        bulk = page.locator("form.approve-week")
        assert bulk.locator(f"#bulk-{sent}").count() == 0  # no bulk approval covers it
        assert bulk.locator("input[type=checkbox]").count() == len(drafts) - 1
        shoot(page, "bulk")
        assert_accessible(page)
        page.click("button:has-text('Sign out')")
        page.wait_for_url(re.compile(r".*/login"))

        sign_in(page, base, "sam")
        act(page, f"{base}/posts/{sent}", "#reply", "Named the court.",
            "Resubmit for approval", "resubmit")
        assert page.locator(".status").first.inner_text() == "draft"
        assert [c.body for c in site.web.comments(sent)] == ["Say which court.",
                                                              "Named the court."]
        page.click("button:has-text('Sign out')")
        page.wait_for_url(re.compile(r".*/login"))

        sign_in(page, base, "maria")
        page.goto(base + "/")
        page.locator(f"#bulk-check-{sent}").check()
        page.click("button:has-text('Approve the checked drafts')")
        page.wait_for_url(re.compile(r".*/approve-week"))
        assert_accessible(page)
        assert "revision 3" in page.locator("ul.approved").inner_text()
    assert store.get(sent).status == "approved"


@pytest.mark.browser
def test_drag_a_post_to_another_slot_and_the_calendar_views_light_and_dark(live) -> None:
    site, base = live
    store, tz = site.toolkit.store, site.toolkit.config.timezone
    pid = next(p.id for p in store.list(["draft"]) if p.platform == "mastodon")
    week = store.get(pid).scheduled_at.astimezone(tz).date().isoformat()
    with chromium_page(bypass_csp=False) as page:
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.set_viewport_size({"width": 1440, "height": 900})
        sign_in(page, base, "maria")
        page.goto(f"{base}/?week={week}")
        assert page.locator(".timegrid tbody th[scope=row]").count() >= 2  # the time axis
        page.set_viewport_size({"width": 1440, "height": 2400})  # a drag cannot scroll
        target = page.locator(".timegrid td[data-at]:not(:has(article))").last
        at = target.get_attribute("data-at")
        page.locator(f"#mini-{pid}").drag_to(target)
        page.wait_for_url(re.compile(r".*done=reschedule.*"))
        assert store.get(pid).scheduled_at.astimezone(tz).strftime("%Y-%m-%dT%H:%M") == at
        assert page.locator(f"td[data-at='{at}'] #mini-{pid}").count() == 1
        assert errors == []  # the script ran under the app's Content-Security-Policy
    with chromium_page(bypass_csp=True) as page:  # axe-core is injected as an inline script
        page.set_viewport_size({"width": 1440, "height": 900})
        sign_in(page, base, "maria")
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            for view in ("week", "month", "agenda"):
                page.goto(f"{base}/?week={week}&view={view}")
                assert_accessible(page)
            page.goto(f"{base}/posts/{pid}")
            assert_accessible(page)
        page.emulate_media(color_scheme="dark")
        page.goto(f"{base}/?week={week}")
        shoot(page, "week-dark")
        page.emulate_media(color_scheme="light")
        page.goto(f"{base}/?week={week}&view=month")
        shoot(page, "month")
