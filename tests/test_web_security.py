"""The review app's security rules, each through Flask's test client."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import edit
from webapp import PASSWORDS, approval, csrf_of, make_webapp, session_csrf, sign_in

from toolkit.pages.review.feed import rotate_token

NO_CARD = "courts-suspended"


@pytest.fixture
def site(project: Path):
    w = make_webapp(project)
    yield w
    w.toolkit.close()


def queue_one(site, actor: str = "sam", days: int = 3) -> str:
    at = site.clock.now + timedelta(days=days)
    return site.toolkit.planner().add(NO_CARD, "x", "en", at, site.clock.now, actor)


@pytest.mark.parametrize("path", ["/", "/library", "/posts/abc", "/media/abc/0",
                                  "/thumbs/" + "0" * 64 + ".webp", "/cards/stat-attacks/x/en",
                                  "/?view=agenda"])
def test_pages_redirect_to_login_without_a_session(site, path: str) -> None:
    response = site.client().get(path)
    assert response.status_code in (302, 303)
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("path", ["/queue", "/posts/abc/approve", "/posts/abc/cancel",
                                  "/posts/abc/comment", "/logout"])
def test_posts_without_a_session_change_nothing(site, path: str) -> None:
    pid = queue_one(site)
    response = site.client().post(path.replace("abc", pid), data={"comment": "x"})
    assert response.status_code in (302, 303)
    assert site.toolkit.store.get(pid).status == "draft"
    assert len(site.toolkit.store.audit_log(pid)) == 1


def test_login_page_and_static_files_are_public(site) -> None:
    client = site.client()
    assert client.get("/login").status_code == 200
    assert client.get("/static/review.css").status_code == 200


def test_feed_needs_the_current_token(site) -> None:
    client = site.client()
    pid = queue_one(site)
    assert client.get("/calendar.ics").status_code == 404  # no token ever made
    old = rotate_token(site.web)
    assert client.get("/calendar.ics?token=wrong").status_code == 404
    first = client.get(f"/calendar.ics?token={old}")
    assert first.status_code == 200 and first.mimetype == "text/calendar"
    body = first.data.decode().replace("\r\n ", "")
    assert f"UID:{pid}@saveasylum-toolkit" in body
    site.clock.advance(minutes=5)
    again = client.get(f"/calendar.ics?token={old}").data.decode().replace("\r\n ", "")
    assert again.count("UID:") == body.count("UID:") == 1  # stable: updates, never duplicates
    new = rotate_token(site.web)
    assert client.get(f"/calendar.ics?token={old}").status_code == 404
    assert client.get(f"/calendar.ics?token={new}").status_code == 200


def test_sign_in_returns_only_to_local_pages(site) -> None:
    for target, expected in (("/library", "/library"), ("https://evil.example/", "/"),
                             ("//evil.example/x", "/")):
        client = site.client()
        token = csrf_of(client.get("/login").data)
        response = client.post("/login", data={"username": "ana", "password": PASSWORDS["ana"],
                                               "csrf_token": token, "next": target})
        assert response.status_code == 303 and response.headers["Location"] == expected


def test_wrong_password_and_unknown_name_look_the_same(site) -> None:
    wrong = sign_in(site.client(), "maria", "not-her-password")
    unknown = sign_in(site.client(), "nobody", "not-her-password")
    assert wrong.status_code == unknown.status_code == 401
    assert b"Wrong name or password." in wrong.data
    assert wrong.data.replace(b"maria", b"X") == unknown.data.replace(b"nobody", b"X").replace(
        csrf_of(unknown.data).encode(), csrf_of(wrong.data).encode())


def test_five_failures_for_one_name_answer_429_for_a_while(site) -> None:
    for _ in range(5):
        assert sign_in(site.client(), "maria", "guess-guess-guess").status_code == 401
    blocked = sign_in(site.client(), "maria")  # even the right password
    assert blocked.status_code == 429
    assert b"Too many failed sign-ins" in blocked.data
    assert sign_in(site.client(), "nobody-at-all").status_code == 429  # same address
    site.clock.advance(minutes=16)
    assert sign_in(site.client(), "maria").status_code == 303


def test_five_failures_from_one_address_block_every_name(site) -> None:
    for n in range(5):
        sign_in(site.client(), f"user{n}", "guess-guess-guess")
    assert sign_in(site.client(), "ana").status_code == 429
    other = site.client()
    token = csrf_of(other.get("/login").data)
    response = other.post("/login", data={"username": "ana", "password": PASSWORDS["ana"],
                                          "csrf_token": token},
                          environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert response.status_code == 303


def test_cookie_flags_rotation_expiry_and_sign_out(site) -> None:
    client = site.client()
    first = sign_in(client, "maria")
    assert first.status_code == 303
    cookie = first.headers.getlist("Set-Cookie")
    session = next(c for c in cookie if c.startswith("toolkit_session="))
    assert "HttpOnly" in session and "SameSite=Lax" in session and "Secure" not in session
    old_id = client.get_cookie("toolkit_session").value
    assert client.get("/").status_code == 200
    second = sign_in(client, "maria")
    new_id = client.get_cookie("toolkit_session").value
    assert second.status_code == 303 and new_id != old_id  # a new id at every sign-in
    stale = site.client()
    stale.set_cookie("toolkit_session", old_id)
    assert stale.get("/").status_code == 303  # the old id no longer works
    assert client.post("/logout", data={"csrf_token": session_csrf(client)}).status_code == 303
    assert client.get("/").status_code == 303
    sign_in(client, "maria")
    site.clock.advance(hours=12, seconds=1)
    assert client.get("/").status_code == 303  # sessions expire


def test_secure_cookie_when_served_over_tls(project: Path) -> None:
    edit(project, "  tls: false", "  tls: true")
    site = make_webapp(project)
    response = sign_in(site.client(), "maria")
    session = next(c for c in response.headers.getlist("Set-Cookie")
                   if c.startswith("toolkit_session="))
    assert "Secure" in session
    assert "Strict-Transport-Security" in response.headers
    site.toolkit.close()


def test_post_without_valid_csrf_answers_400_and_changes_nothing(site) -> None:
    pid = queue_one(site)
    client = site.client()
    sign_in(client, "maria")
    for data in ({}, {"csrf_token": "forged"}):
        assert client.post(f"/posts/{pid}/approve", data=data).status_code == 400
        assert client.post(f"/posts/{pid}/comment",
                           data={**data, "comment": "hi"}).status_code == 400
    assert client.get(f"/posts/{pid}/approve").status_code == 405  # no state change on GET
    assert site.toolkit.store.get(pid).status == "draft"
    assert len(site.toolkit.store.audit_log(pid)) == 1
    login = site.client()
    assert login.post("/login", data={"username": "maria",
                                      "password": PASSWORDS["maria"]}).status_code == 400


def test_staff_may_not_approve_cancel_or_resolve(site) -> None:
    pid = queue_one(site, actor="maria")
    client = site.client()
    sign_in(client, "sam")
    token = session_csrf(client)
    for action in ("approve", "cancel", "resolve", "send-back"):
        response = client.post(f"/posts/{pid}/{action}",
                               data={"csrf_token": token, "comment": "x",
                                     "outcome": "not_published"})
        assert response.status_code == 403, action
    assert site.toolkit.store.get(pid).status == "draft"
    page = client.get(f"/posts/{pid}").data
    assert b"Approve</button>" not in page and b"Reschedule</button>" in page


def test_four_eyes_rule(project: Path) -> None:
    edit(project, "  second_person: false", "  second_person: true")
    site = make_webapp(project)
    pid = queue_one(site, actor="maria")
    maria = site.client()
    sign_in(maria, "maria")
    refused = maria.post(f"/posts/{pid}/approve", data={"csrf_token": session_csrf(maria)})
    assert refused.status_code == 403 and b"four-eyes" in refused.data
    assert site.toolkit.store.get(pid).status == "draft"
    ana = site.client()
    sign_in(ana, "ana")
    assert ana.post(f"/posts/{pid}/approve",
                    data=approval(site, pid, session_csrf(ana))).status_code == 303
    post = site.toolkit.store.get(pid)
    assert post.status == "approved" and post.approved_by == "ana"
    site.toolkit.close()


XSS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>']


def test_text_is_escaped_and_headers_are_set(site, project: Path) -> None:
    from toolkit.store import NewPost

    at = site.clock.now + timedelta(days=2)
    [pid] = site.toolkit.store.add([NewPost(NO_CARD, "en", "x", "x-campaign",
                                            f"{XSS[0]} {XSS[1]} #SaveAsylum", at)], "sam",
                                   site.clock.now)
    client = site.client()
    sign_in(client, "maria")
    for payload in XSS:
        assert client.post(f"/posts/{pid}/comment", data={
            "csrf_token": session_csrf(client), "comment": payload}).status_code == 303
    week = at.astimezone(site.toolkit.config.timezone).date().isoformat()
    for page in (client.get(f"/posts/{pid}"), client.get(f"/?week={week}"),
                 client.get(f"/?view=agenda&week={week}")):
        html = page.data.decode()
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        csp = page.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert page.headers["X-Frame-Options"] == "DENY"
        assert page.headers["Referrer-Policy"] == "same-origin"
        # no inline script: at most the week view's own file, from this origin
        assert "<script" not in html.replace(
            '<script src="/static/calendar.js" defer></script>', "")


def test_no_password_in_logs_errors_or_store(site, project: Path,
                                             caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    sign_in(site.client(), "maria", "wrong-secret-pass-9")
    sign_in(site.client(), "maria")
    db = Path(site.toolkit.config.store_url.split(":///", 1)[1])
    site.toolkit.close()
    raw = b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))
    for secret in ("wrong-secret-pass-9", PASSWORDS["maria"]):
        assert secret.encode() not in raw
        assert secret not in caplog.text
    assert b"$argon2id$" in raw


def test_media_only_from_paths_in_the_store(site, tmp_path: Path) -> None:
    from PIL import Image

    from toolkit.store import NewPost

    image = tmp_path / "frozen.png"
    Image.new("RGB", (320, 180), "#13294b").save(image)
    at = site.clock.now + timedelta(days=2)
    [pid] = site.toolkit.store.add([NewPost(NO_CARD, "en", "x", "x-campaign", "t #SaveAsylum",
                                            at, ({"path": str(image), "alt": "a card"},))],
                                   "sam", site.clock.now)
    # approved: the schedule shows its frozen image (a draft shows the card approval freezes)
    site.toolkit.store.transition(pid, ("draft",), "approved", "maria", site.clock.now)
    client = site.client()
    sign_in(client, "maria")
    full = client.get(f"/media/{pid}/0")
    assert full.status_code == 200 and full.data == image.read_bytes()
    week = at.astimezone(site.toolkit.config.timezone).date().isoformat()
    page = client.get(f"/?week={week}").data.decode()
    [url] = set(re.findall(r'src="(/thumbs/\w+\.webp)"', page))
    thumb = client.get(url)
    assert thumb.status_code == 200 and thumb.mimetype == "image/webp"
    assert len(thumb.data) < len(full.data)
    for bad in (f"/media/{pid}/1", f"/media/{pid}/-1", "/media/nope/0",
                "/thumbs/" + "0" * 64 + ".webp",
                f"/media/{pid}/0/../../etc/passwd", "/cards/..%2f..%2fetc/x/en",
                "/static/../../config.py"):
        assert client.get(bad).status_code == 404, bad


def test_only_checked_urls_become_links(site) -> None:
    from toolkit.pages.review.html import to_html

    pid = queue_one(site)
    store = site.toolkit.store
    store.transition(pid, ("draft",), "needs_check", "dispatcher", site.clock.now, "test")
    store.transition(pid, ("needs_check",), "published", "maria", site.clock.now, "test",
                     url="javascript:alert(1)")
    client = site.client()
    sign_in(client, "maria")
    for html in (client.get(f"/posts/{pid}").data.decode(),
                 to_html(store.list(ids=[pid]), "t", site.toolkit.config.timezone)):
        assert 'href="javascript' not in html and "published at <code>javascript:" in html


def test_a_csrf_token_with_other_characters_is_a_400_not_a_500(site) -> None:
    """Anyone can post the sign-in form (and a signed-in person any form) with any token: a
    non-ASCII one is refused like a wrong one, never a server error."""
    client = site.client()
    client.get("/login")  # sets the sign-in form's cookie
    answer = client.post("/login", data={"username": "maria", "password": "x",
                                         "csrf_token": "é" * 43})
    assert answer.status_code == 400
    sign_in(client, "maria")
    pid = queue_one(site)
    answer = client.post(f"/posts/{pid}/cancel", data={"csrf_token": "é" * 43})
    assert answer.status_code == 400 and site.toolkit.store.get(pid).status == "draft"
