"""Issue 24's acceptance, end to end in Chromium: staff queue three posts; the lead sees them on
the week's time axis, drags one to another slot (at the revision shown), requests changes on
another (bulk approval then leaves it out), approves the rest from the bulk list with their
texts shown; staff resubmit; the lead approves it; both are told on a local webhook channel."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from browser import chromium_page
from receivers import WebhookReceiver
from test_web_browser import act, assert_accessible, sign_in
from webapp import make_webapp

from toolkit.core.config import load_config
from toolkit.operations.notify.notifier import Notifier
from toolkit.store.signoff import SignoffStore
from toolkit.surfaces.web.server import serve_in_background

pytestmark = pytest.mark.slow

MESSAGES = ("violence-attacks", "call-switchboard", "courts-suspended")
NOTIFY = """
notify:
  web_url: https://review.example.org
  channels:
    team-hook:
      url_env: TEST_REVIEW_HOOK
      events: [review_requested, changes_requested]
"""


@pytest.fixture
def live(run_cli, project: Path, hook: WebhookReceiver, monkeypatch: pytest.MonkeyPatch):
    assert run_cli("graphics", "build").exit_code == 0
    with project.open("a", encoding="utf-8") as f:
        f.write(NOTIFY)
    monkeypatch.setenv("TEST_REVIEW_HOOK", hook.url)
    site = make_webapp(project)
    server = serve_in_background(site.app, "127.0.0.1", 0, threads=2)
    yield site, f"http://127.0.0.1:{server.effective_port}", load_config(project)
    server.close()
    site.toolkit.close()


def told(site, config, hook: WebhookReceiver) -> list[str]:
    """Run the notifier once (at the app's time); the titles that reached the webhook."""
    Notifier(config, site.toolkit.store).tick(site.clock.now)
    return [m["title"] for m in hook.messages]


@pytest.mark.browser
def test_staff_queue_the_lead_plans_requests_changes_and_approves(live, hook) -> None:
    site, base, config = live
    store, tz = site.toolkit.store, site.toolkit.config.timezone
    with chromium_page(bypass_csp=False) as page:
        page.set_viewport_size({"width": 1440, "height": 900})
        sign_in(page, base, "sam")
        for mid in MESSAGES:  # staff queue three posts into the next free slots
            page.goto(base + "/library")
            page.locator(f"#msg-{mid} form.queue button[type=submit]").click()
            page.wait_for_url(re.compile(r".*/posts/\w+\?done=queue"))
        ids = [p.id for p in store.list(["draft"])]
        assert len(ids) == 3
        assert told(site, config, hook) == ["#SaveAsylum: 3 drafts wait for approval"]
        page.click("button:has-text('Sign out')")
        page.wait_for_url(re.compile(r".*/login"))

        sign_in(page, base, "maria")
        moved, sent, kept = ids
        for pid in ids:  # on the week's time axis
            row = page.locator(f".timegrid tbody tr:has(#mini-{pid}) th[scope=row]")
            local = store.get(pid).scheduled_at.astimezone(tz)
            assert row.inner_text() == local.strftime("%H:%M")
        page.set_viewport_size({"width": 1440, "height": 2400})  # a drag cannot scroll
        target = page.locator(".timegrid td.slot[data-at]:not(:has(article))").last
        at = target.get_attribute("data-at")
        page.locator(f"#mini-{moved}").drag_to(target)
        page.wait_for_url(re.compile(r".*done=reschedule.*"))
        after = store.get(moved)
        assert after.scheduled_at.astimezone(tz).strftime("%Y-%m-%dT%H:%M") == at
        assert after.version == 2  # the drag named revision 1, the one shown
        page.set_viewport_size({"width": 1440, "height": 900})

        act(page, f"{base}/posts/{sent}", "#back-comment", "Say which court, please.",
            "Request changes", "send_back")
        assert told(site, config, hook)[-1] == "#SaveAsylum: Changes requested on a post"
        page.goto(base + "/")
        bulk = page.locator("form.approve-week")
        assert bulk.locator(f"#bulk-{sent}").count() == 0  # left out
        for pid in (moved, kept):  # shown with their texts, checked
            row = bulk.locator(f"#bulk-{pid}")
            assert store.get(pid).text[:30] in row.inner_text()
            assert row.locator("input[type=checkbox]").is_checked()
        page.click("button:has-text('Approve the checked drafts')")
        page.wait_for_url(re.compile(r".*/approve-week"))
        approved = page.locator("ul.approved").inner_text()
        assert store.get(moved).text[:20] in approved and store.get(kept).text[:20] in approved
        page.click("button:has-text('Sign out')")
        page.wait_for_url(re.compile(r".*/login"))

        sign_in(page, base, "sam")
        act(page, f"{base}/posts/{sent}", "#reply", "Named the court.",
            "Resubmit for approval", "resubmit")
        assert told(site, config, hook)[-1] == "#SaveAsylum: A draft waits for approval"
        page.click("button:has-text('Sign out')")
        page.wait_for_url(re.compile(r".*/login"))

        sign_in(page, base, "maria")
        page.goto(f"{base}/posts/{sent}")
        assert "Named the court." in page.locator(".comment").last.inner_text()
        page.click("button:has-text('Approve revision')")
        page.wait_for_url(re.compile(r".*\?done=approve"))
    assert [store.get(p).status for p in ids] == ["approved"] * 3
    sent_message = next(m["message"] for m in hook.messages if "Changes" in m["title"])
    assert "changes requested: Say which court, please." in sent_message


@pytest.mark.browser
def test_every_page_light_and_dark_has_no_serious_axe_violation(live) -> None:
    site, base, _ = live
    planner, now = site.toolkit.planner(), site.clock.now
    pid = planner.add("violence-attacks", "bluesky", "en", None, now, "sam")
    _, token = SignoffStore(site.toolkit.store).create_link([pid], "Legal", "maria", now,
                                                            now + timedelta(days=2))
    with chromium_page(bypass_csp=True) as page:
        page.set_viewport_size({"width": 390, "height": 900})
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            page.context.clear_cookies()
            for path in ("/login", f"/review/{token}"):  # pages without an account
                page.goto(base + path)
                assert_accessible(page)
            sign_in(page, base, "maria")
            for path in ("/", "/?view=month", "/?view=agenda", "/library",
                         "/library?at=2030-01-07T09:00", f"/posts/{pid}"):
                page.goto(base + path)
                assert_accessible(page)
            page.goto(base + "/")
            page.click("button:has-text('Approve the checked drafts')")
            page.wait_for_url(re.compile(r".*/approve-week"))
            assert_accessible(page)
            planner.add("call-switchboard", "x", "en", None, now, "sam")  # for the next round
