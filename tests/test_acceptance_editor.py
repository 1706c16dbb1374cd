"""Issue 23's acceptance, end to end in Chromium: staff write a new message in English and
Spanish with a statistic from the picker, see a typed number flagged and the length per platform,
and save; the YAML diff is the new message only; the message is queued, a lead approves it and
the scheduler publishes it to the outbox. axe finds no serious or critical violation on the
editor. A screenshot of the editor is kept in tests/artifacts/editor.png (docs/editor.png)."""

from __future__ import annotations

import difflib
import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from browser import chromium_page
from test_web_browser import ARTIFACTS, assert_accessible, sign_in
from webapp import make_webapp

from toolkit.surfaces.web.server import serve_in_background

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent

EN = ("More than ", "{attacks-over-1500}",
      " attacks on people forced to wait in Mexico under MPP. Ask your senators to end it.")
ES = ("Más de ", "{attacks-over-1500}", " ataques contra personas obligadas a esperar en México "
      "bajo el MPP. Pide a tus senadores que lo terminen.")


@pytest.fixture
def live(project: Path):
    site = make_webapp(project)
    server = serve_in_background(site.app, "127.0.0.1", 0, threads=2)
    yield site, f"http://127.0.0.1:{server.effective_port}"
    server.close()
    site.toolkit.close()


def write_with_picker(page, field: str, parts: tuple[str, str, str]) -> None:
    """Type the text around the statistic, which the picker inserts at the cursor."""
    area = page.locator(field)
    area.fill("")
    area.type(parts[0])
    page.locator(f"button.insert[data-placeholder='{parts[1]}']").click()
    area.press("End")
    area.type(parts[2])


def publish_once(project: Path, at, pin_clock) -> None:
    """`scheduler.py --once` as its own process, its clock pinned at `at`."""
    pin_clock(at)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("X_", "BLUESKY_", "MASTODON_"))}
    done = subprocess.run([sys.executable, str(ROOT / "scheduler.py"), "--config", str(project),
                           "--once"], cwd=project.parent.parent, env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.browser
def test_staff_write_a_message_a_lead_approves_and_it_is_published(live, project: Path,
                                                                   pin_clock) -> None:
    site, base = live
    messages = project.parent.parent / "posts" / "messages.yaml"
    before = messages.read_text(encoding="utf-8")
    with chromium_page(bypass_csp=False) as page:
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.set_viewport_size({"width": 1440, "height": 900})
        sign_in(page, base, "sam")
        page.goto(base + "/library/new")
        page.fill("#f-id", "call-senators-mpp")
        page.fill("#f-theme", "call")
        page.locator("#f-text_en").type("Ask your senators: 5000 people waited in danger.")
        hint = page.locator("#preview-body .hint")
        hint.first.wait_for()
        assert "the number '5000': insert the statistic instead" in hint.first.inner_text()
        write_with_picker(page, "#f-text_en", EN)
        write_with_picker(page, "#f-text_es", ES)
        page.locator("#preview-body .fulltext", has_text="Más de 1,500").first.wait_for()
        hint.first.wait_for(state="detached")  # the page's CSP allows no evaluated strings
        lengths = page.locator("#preview-body .length").all_inner_texts()
        assert any(re.fullmatch(r"\d+ of 280 characters", t) for t in lengths)  # x
        assert any(re.fullmatch(r"\d+ of 300 characters", t) for t in lengths)  # bluesky
        assert "No problems." in page.locator("#preview-body").inner_text()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "editor.png"), full_page=False)
        page.click("button:has-text('Save')")
        page.wait_for_url(re.compile(r".*/library#call-senators-mpp$"))
        assert problems == []  # the page's script ran under the app's CSP without errors

        after = messages.read_text(encoding="utf-8")
        diff = [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(),
                                                      lineterm="", n=0)
                if line[:1] in "+-" and not line.startswith(("+++", "---"))]
        assert all(line.startswith("+") for line in diff)  # only the new message's lines
        assert diff[1:4] == ["+  - id: call-senators-mpp", "+    theme: call", "+    text:"]

        form = page.locator("#msg-call-senators-mpp form.queue")
        form.locator("select[name=platform]").select_option("outbox")
        form.locator("button[type=submit]").click()
        page.wait_for_url(re.compile(r".*/posts/\w+\?done=queue"))
        post_id = page.url.split("/posts/")[1].split("?")[0]
        page.click("button:has-text('Sign out')")
        page.wait_for_url(re.compile(r".*/login"))

        sign_in(page, base, "maria")
        page.goto(f"{base}/posts/{post_id}")
        page.click("button:has-text('Approve revision')")
        page.wait_for_url(re.compile(r".*\?done=approve"))
    post = site.toolkit.store.get(post_id)
    assert post.status == "approved"
    publish_once(project, post.scheduled_at + timedelta(minutes=1), pin_clock)
    outbox = site.toolkit.config.outbox_dir / f"{post_id}.json"
    sent = json.loads(outbox.read_text(encoding="utf-8"))
    assert sent["text"].startswith("More than 1,500 attacks on people forced to wait")
    assert site.toolkit.store.get(post_id).status == "published"


@pytest.mark.browser
def test_the_editor_has_no_serious_axe_violation(live) -> None:
    site, base = live
    with chromium_page(bypass_csp=True) as page:
        for width, scheme in ((1440, "light"), (390, "dark")):
            page.set_viewport_size({"width": width, "height": 900})
            page.emulate_media(color_scheme=scheme)
            page.context.clear_cookies()
            sign_in(page, base, "sam")
            for path in ("/library/new", "/library/violence-attacks/edit",
                         "/library/facts/new?kind=statistic", "/library/facts/new?kind=claim"):
                page.goto(base + path)
                assert_accessible(page)
            page.goto(base + "/library/new")
            page.fill("#f-id", "violence-attacks")  # taken (the browser checks the slug shape)
            page.fill("#f-theme", "call")
            page.fill("#f-text_en", "5000 people.")
            page.fill("#f-text_es", "5000 personas.")
            page.click("button:has-text('Save')")
            assert "id: 'violence-attacks' is already used" in \
                page.locator("[role=alert]").inner_text()
            assert_accessible(page)
