"""Every page of the review app is valid HTML: the W3C Nu HTML checker (npm `vnu-jar`, run with
the system's Java) finds no error in any of them, light on data or full (a week with drafts,
approved posts, changes requested, a sign-off link)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import ROOT
from webapp import session_csrf, sign_in, site_fixture

from toolkit.store.signoff import SignoffStore

pytestmark = pytest.mark.slow  # starts Java

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
site = site_fixture()


def nu_errors(files: list[Path]) -> list[str]:
    """The checker's errors, as `file:line: message`."""
    if shutil.which("java") is None or not VNU.exists():
        why = "the Nu HTML checker needs Java and `npm ci` (vnu-jar)"
        pytest.fail(why) if os.environ.get("CI") else pytest.skip(why)
    run = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json",
                          *map(str, files)], capture_output=True, text=True, timeout=300)
    return [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}"
            for m in json.loads(run.stderr or run.stdout)["messages"]]


def test_every_app_page_is_valid_html(site, run_cli, tmp_path: Path) -> None:
    assert run_cli("graphics", "build").exit_code == 0
    tk, now = site.toolkit, site.clock.now
    planner = tk.planner()
    draft = planner.add("violence-attacks", "bluesky", "en",  # a time with microseconds
                        now + timedelta(days=1, microseconds=123456), now, "sam")
    approved = planner.add("violence-attacks", "x", "en", now + timedelta(days=2), now, "sam")
    sent = planner.add("call-switchboard", "mastodon", "en", now + timedelta(days=3), now, "sam")
    planner.approve([approved], "maria", now)
    planner.send_back(sent, "Shorter, please.", "maria", now)
    _, token = SignoffStore(tk.store).create_link([draft], "Legal", "maria", now,
                                                  now + timedelta(days=2))
    client = site.client()
    pages = {"login": client.get("/login").data}
    sign_in(client, "maria")
    for name, path in {"week": "/", "month": "/?view=month", "agenda": "/?view=agenda",
                       "search": "/?q=call&status=draft", "library": "/library",
                       "library-at": "/library?at=2030-01-07T09:00", "draft": f"/posts/{draft}",
                       "approved": f"/posts/{approved}", "sent": f"/posts/{sent}",
                       "editor-new": "/library/new", "editor": "/library/violence-attacks/edit",
                       "propose": "/library/facts/new?kind=statistic",
                       "propose-claim": "/library/facts/new?kind=claim",
                       "insights": "/insights"}.items():
        pages[name] = client.get(path).data
    csrf = session_csrf(client)
    pages["results"] = client.post("/approve-week", data={"csrf_token": csrf,
                                                          "post": [f"{draft}@1"]}).data
    pages["confirm"] = client.post("/bulk", data={"csrf_token": csrf, "action": "cancel",
                                                  "post": [f"{sent}@2"]}).data
    pages["link"] = client.post(f"/posts/{sent}/signoff-link",
                                data={"csrf_token": csrf, "name": "Legal", "days": "7"}).data
    pages["signoff"] = site.client().get(f"/review/{token}").data
    pages["editor-refused"] = client.post("/library/new", data={
        "csrf_token": csrf, "id": "call-x", "theme": "call", "text_en": "5000 <b>people</b>",
        "text_es": "5000 personas", "platforms": ["x"]}).data
    files = []
    for name, body in pages.items():
        assert re.search(rb"<h1>", body), name
        files.append(tmp_path / f"{name}.html")
        files[-1].write_bytes(body)
    assert nu_errors(files) == []


def test_the_share_kits_pages_are_valid_html(tmp_path: Path) -> None:
    from datetime import UTC, datetime, time

    from conftest import clock_pinned
    from test_site import TODAY, copy_project, site_build

    config = copy_project(tmp_path)
    with clock_pinned(datetime.combine(TODAY, time(12), tzinfo=UTC)):
        assert site_build(config).exit_code == 0
    site = tmp_path / "site"
    files = [site / rel for rel in ("index.html", "es/index.html", "posts.html", "es/posts.html",
                                    "members/tx.html", "members/vt.html", "es/members/dc.html")]
    assert nu_errors(files) == []
