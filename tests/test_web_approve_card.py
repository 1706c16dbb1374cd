"""The review app approves the card the lead saw: a card rebuilt after the post page was loaded
is not frozen; a draft sent back shows the card its next approval will freeze; the post page
and the sign-off page show the exact alt text approval freezes, not a placeholder."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from conftest import edit
from webapp import make_webapp, sign_in

from toolkit.graphics.build import build
from toolkit.graphics.manifest import find_graphic

MESSAGE = "violence-attacks"  # its card is stat-attacks
SHA = re.compile(r'name="card_sha256" value="([0-9a-f]*)"')
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _build(site) -> str:
    tk = site.toolkit
    tk.refresh_library()
    build(tk.config, tk.library, cards=["stat-attacks"], jobs=1)
    return find_graphic(tk.config.graphics_dir, "stat-attacks", "x", "en")["sha256"]


REVISION = re.compile(r'name="revision" value="(\d+)"')


def _form(client, pid: str) -> dict:
    page = client.get(f"/posts/{pid}").data.decode()
    return {"csrf_token": CSRF.findall(page)[-1], "card_sha256": SHA.search(page)[1],
            "revision": REVISION.search(page)[1]}


def _page_loaded(project: Path) -> tuple:
    """A built card, a draft using it and a lead who loaded its page: (site, post id, client,
    the approve form's fields, the card's sha256 the page showed)."""
    site = make_webapp(project)
    shown = _build(site)
    pid = site.toolkit.planner().add(MESSAGE, "x", "en", site.clock.now + timedelta(days=2),
                                     site.clock.now, "sam")
    client = site.client()
    sign_in(client, "maria")
    seen = _form(client, pid)
    assert seen["card_sha256"] == shown
    return site, pid, client, seen, shown


def test_a_card_rebuilt_after_the_page_was_loaded_is_not_approved(project: Path) -> None:
    site, pid, client, seen, first = _page_loaded(project)

    edit(project.parent.parent / "posts" / "statistics.yaml", "other violent attacks",
         "other violent assaults")
    rebuilt = _build(site)
    assert rebuilt != first
    refused = client.post(f"/posts/{pid}/approve", data=seen)
    assert refused.status_code == 409 and b"card was rebuilt" in refused.data
    assert site.toolkit.store.get(pid).status == "draft"

    assert client.post(f"/posts/{pid}/approve", data=_form(client, pid)).status_code == 303
    post = site.toolkit.store.get(pid)
    assert post.status == "approved" and post.media[0]["sha256"] == rebuilt

    # sent back, the draft shows the card its next approval freezes, not the old copy
    site.toolkit.planner().send_back(pid, "check", "maria", site.clock.now)
    page = client.get(f"/posts/{pid}").data.decode()
    assert f"/media/{pid}/0" not in page and "/cards/stat-attacks/x/en" in page
    site.toolkit.close()


def test_a_card_swapped_on_disk_after_the_page_loaded_is_refused(project: Path) -> None:
    """The build's manifest still names the card the page showed, but the file was replaced
    (by hand, or half rewritten by a `graphics build` running meanwhile): approval freezes only
    the bytes whose sha256 the page showed, so it refuses (issue 29)."""
    from PIL import Image

    site, pid, client, seen, _ = _page_loaded(project)
    card = site.toolkit.config.graphics_dir / "stat-attacks-x-en.png"
    Image.new("RGB", (1600, 900), "red").save(card)  # the manifest is left as it was
    refused = client.post(f"/posts/{pid}/approve", data=seen)
    assert refused.status_code in (409, 422) and b"approve again" in refused.data
    post = site.toolkit.store.get(pid)
    assert post.status == "draft" and not post.media
    # nothing frozen with the swapped bytes either
    assert not list((project.parent.parent / "data" / "media").glob("*.png"))


ALT = re.compile(r'<figcaption>Alt text: ([^<]+)</figcaption>')


def test_a_draft_shows_the_exact_alt_text_approval_freezes(project: Path) -> None:
    import html

    from toolkit.store.signoff import SignoffStore

    site = make_webapp(project)
    _build(site)
    pid = site.toolkit.planner().add(MESSAGE, "x", "en", site.clock.now + timedelta(days=2),
                                     site.clock.now, "sam")
    client = site.client()
    sign_in(client, "maria")
    page = client.get(f"/posts/{pid}").data.decode()
    shown = html.unescape(ALT.search(page)[1])
    assert "Card that approval will freeze" not in page
    assert shown.startswith("Graphic from") and f'alt="{ALT.search(page)[1]}"' in page
    _, token = SignoffStore(site.toolkit.store).create_link(
        [pid], "Legal", "maria", site.clock.now, site.clock.now + timedelta(days=2))
    review = site.client().get(f"/review/{token}").data.decode()
    assert "The card approval will freeze" not in review
    assert html.unescape(ALT.search(review)[1]) == shown
    assert client.post(f"/posts/{pid}/approve", data=_form(client, pid)).status_code == 303
    assert site.toolkit.store.get(pid).media[0]["alt"] == shown
    site.toolkit.close()
