"""Sign-off links for reviewers outside the team: a link grants only its posts; an expired,
revoked or tampered link answers 404 and changes nothing; decisions are made at the revision
shown; the `review.require_signoff` rule; names and comments are escaped."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import edit
from webapp import (
    NO_CARD,
    approval,
    csrf_of,
    make_webapp,
    queue_draft,
    session_csrf,
    sign_in,
    site_fixture,
)

from toolkit.store.signoff import SignoffStore

#: the `--at` times these tests type are early March 2031: the commands run as on March 1
PINNED = datetime(2031, 3, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock_before_march_2031(pin_clock) -> None:
    pin_clock(PINNED)

site = site_fixture()


def make_link(site, *ids: str, name: str = "Legal", days: int = 7) -> tuple[str, str]:
    link, token = SignoffStore(site.toolkit.store).create_link(
        list(ids), name, "maria", site.clock.now, site.clock.now + timedelta(days=days))
    return link.id, token


def state(site) -> tuple:
    """Everything a link could change: posts, audit log, sign-offs and comments."""
    store = site.toolkit.store
    posts = [(p.id, p.status, p.version) for p in store.list()]
    signs = [SignoffStore(store).signoffs(p[0]) for p in posts]
    comments = [site.web.comments(p[0]) for p in posts]
    return posts, len(store.audit_log()), signs, comments


def decide(client, token: str, pid: str, decision: str, reviewer: str = "Lee Ortiz",
           comment: str = ""):
    """Open the link's page and send one post's form as the reviewer would."""
    page = client.get(f"/review/{token}")
    form = page.data.decode().split(f'/review/{token}/posts/{pid}"')[1].split("</form>")[0]
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
    return client.post(f"/review/{token}/posts/{pid}",
                       data={**fields, "reviewer": reviewer, "comment": comment,
                             "decision": decision})


def test_link_page_shows_its_posts_privately_and_each_use_is_audited(site) -> None:
    pid = queue_draft(site)
    _, token = make_link(site, pid)
    page = site.client().get(f"/review/{token}")
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "noindex" in page.headers["X-Robots-Tag"]
    html = page.data.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert site.toolkit.store.get(pid).text.split(":")[0] in html
    assert "<h3>Sources</h3>" in html and 'rel="noreferrer">U.S. Court of Appeals' in html
    entry = site.toolkit.store.audit_log(pid)[-1]
    assert entry.detail.startswith("opened through sign-off link") and entry.to_status == "draft"


def test_reviewer_requests_changes_and_the_lead_sees_it(site) -> None:
    pid = queue_draft(site)
    _, token = make_link(site, pid)
    reviewer = site.client()
    done = decide(reviewer, token, pid, "changes_requested", comment="Say 'paused'.")
    assert done.status_code == 303
    (signed,) = SignoffStore(site.toolkit.store).signoffs(pid)
    assert (signed.name, signed.reviewer, signed.decision, signed.revision) == (
        "Legal", "Lee Ortiz", "changes_requested", 1)
    assert site.toolkit.store.audit_log(pid)[-1].detail == (
        "sign-off Legal: requested changes at revision 1")
    maria = site.client()
    sign_in(maria, "maria")
    lead_page = maria.get(f"/posts/{pid}").data.decode()
    assert "Legal: Lee Ortiz requested changes at revision 1" in lead_page
    assert "Say &#39;paused&#39;." in lead_page


def test_a_link_for_post_a_cannot_read_or_act_on_post_b(site) -> None:
    a, b = queue_draft(site), queue_draft(site, days=4)
    _, token = make_link(site, a)
    client = site.client()
    page = client.get(f"/review/{token}").data.decode()
    assert f'id="post-{a}"' in page and b not in page
    csrf = csrf_of(client.get(f"/review/{token}").data)
    before = state(site)
    assert client.post(f"/review/{token}/posts/{b}", data={
        "csrf_token": csrf, "reviewer": "X", "decision": "approved",
        "revision": "1"}).status_code == 404
    assert client.get(f"/review/{token}/posts/{b}/image").status_code == 404
    assert client.get(f"/posts/{b}").status_code == 303  # the app itself wants a sign-in
    assert state(site) == before


@pytest.mark.parametrize("spoil", ["expired", "revoked", "tampered"])
def test_expired_revoked_or_tampered_link_answers_404_and_changes_nothing(site, spoil) -> None:
    pid = queue_draft(site)
    link_id, token = make_link(site, pid, days=2)
    client = site.client()
    csrf = csrf_of(client.get(f"/review/{token}").data)
    if spoil == "expired":
        site.clock.advance(days=2)
    elif spoil == "revoked":
        SignoffStore(site.toolkit.store).revoke(link_id, "maria", site.clock.now)
    else:
        token = token[:-1] + ("A" if token[-1] != "A" else "B")
    before = state(site)
    gone = client.get(f"/review/{token}")
    assert gone.status_code == 404 and gone.headers["Referrer-Policy"] == "no-referrer"
    assert client.get(f"/review/{token}/posts/{pid}/image").status_code == 404
    assert client.post(f"/review/{token}/posts/{pid}", data={
        "csrf_token": csrf, "reviewer": "X", "decision": "approved",
        "revision": "1"}).status_code == 404
    assert state(site) == before


def test_link_forms_need_their_csrf_token(site) -> None:
    pid = queue_draft(site)
    _, token = make_link(site, pid)
    client = site.client()
    client.get(f"/review/{token}")
    before = state(site)
    response = client.post(f"/review/{token}/posts/{pid}", data={
        "csrf_token": "forged", "reviewer": "X", "decision": "approved", "revision": "1"})
    assert response.status_code == 400 and state(site) == before


def test_a_decision_on_a_changed_post_is_refused_and_shows_the_change(site) -> None:
    pid = queue_draft(site)
    _, token = make_link(site, pid)
    client = site.client()
    page = client.get(f"/review/{token}").data.decode()
    form = page.split(f'/review/{token}/posts/{pid}"')[1].split("</form>")[0]
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
    site.toolkit.planner().reschedule(pid, site.clock.now + timedelta(days=5), "ana",
                                      site.clock.now)
    before = state(site)
    refused = client.post(f"/review/{token}/posts/{pid}", data={
        **fields, "reviewer": "Lee", "decision": "approved", "comment": ""})
    assert refused.status_code == 409
    assert b"this post changed since you opened it" in refused.data
    assert b"<strong>time</strong>" in refused.data
    assert state(site) == before


def test_names_and_comments_are_escaped(site) -> None:
    pid = queue_draft(site)
    _, token = make_link(site, pid)
    client = site.client()
    evil = "<script>alert(1)</script>"
    assert decide(client, token, pid, "changes_requested", reviewer=f"Eve {evil}",
                  comment=f'<img src=x onerror="alert(2)"> {evil}').status_code == 303
    link_page = client.get(f"/review/{token}").data.decode()
    maria = site.client()
    sign_in(maria, "maria")
    lead_page = maria.get(f"/posts/{pid}").data.decode()
    for html in (link_page, lead_page):
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&lt;img src=x onerror=&#34;alert(2)&#34;&gt;" in html


def test_require_signoff_blocks_approval_until_the_named_signoff(project: Path,
                                                                 run_cli) -> None:
    edit(project, "  second_person: false", "  second_person: false\n  require_signoff: [Legal]")
    pid = run_cli("queue", "add", NO_CARD, "--at", "2031-03-02T10:00").stdout.strip()
    refused = run_cli("queue", "approve", pid, "--by", "maria")
    assert refused.exit_code == 1
    assert ("needs the sign-off of Legal at this revision first (review.require_signoff)"
            in refused.stderr)
    web = make_webapp(project, now=PINNED)
    web_maria = web.client()
    sign_in(web_maria, "ana")
    blocked = web_maria.post(f"/posts/{pid}/approve",
                             data=approval(web, pid, session_csrf(web_maria)))
    assert blocked.status_code == 409 and b"sign-off of Legal" in blocked.data
    _, token = make_link(web, pid, name="Partners")
    assert decide(web.client(), token, pid, "approved").status_code == 303
    assert run_cli("queue", "approve", pid, "--by", "maria").exit_code == 1  # not "Legal"
    _, token = make_link(web, pid, name="Legal")
    assert decide(web.client(), token, pid, "approved").status_code == 303
    run_cli("queue", "reschedule", pid, "--at", "2031-03-02T11:00")  # a new revision
    assert run_cli("queue", "approve", pid, "--by", "maria").exit_code == 1
    assert decide(web.client(), token, pid, "approved").status_code == 303
    # maria made the Legal link herself: its sign-off does not count for her (four eyes)
    assert run_cli("queue", "approve", pid, "--by", "maria").exit_code == 1
    done = run_cli("queue", "approve", pid, "--by", "ana")
    assert done.exit_code == 0, done.output
    assert web.toolkit.store.get(pid).status == "approved"
    web.toolkit.close()


def test_cli_link_links_and_revoke(run_cli, project: Path) -> None:
    pid = run_cli("queue", "add", NO_CARD, "--at", "2031-03-02T10:00").stdout.strip()
    made = run_cli("review", "link", pid, "--days", "3", "--name", "Legal", "--by", "maria")
    assert made.exit_code == 0, made.output
    url = made.stdout.strip()
    token = url.rsplit("/review/", 1)[1]
    assert len(token) >= 43  # 256 random bits, URL-safe
    link_id = re.search(r"link (\w+) \(Legal\)", made.stderr)[1]
    listed = run_cli("review", "links").stdout
    assert link_id in listed and pid in listed and "live" in listed and token not in listed
    from toolkit.surfaces.app import build

    store = build(project).store
    from sqlalchemy import select

    from toolkit.store.signoff import review_links
    with store.engine.connect() as conn:
        stored = conn.execute(select(review_links.c.token_hash)).scalar_one()
    assert token not in stored and len(stored) == 64
    assert run_cli("review", "revoke", link_id, "--by", "maria").exit_code == 0
    assert "revoked" in run_cli("review", "links").stdout
    bad = run_cli("review", "link", "nosuchpost")
    assert bad.exit_code == 1 and bad.output.strip() == "Error: no post with id 'nosuchpost'"
    assert run_cli("review", "link", pid, "--days", "0").output.strip() == (
        "Error: --days must be 1 to 90, not 0")
    store.close()


def test_lead_makes_a_link_from_the_post_page(site) -> None:
    pid = queue_draft(site)
    maria = site.client()
    sign_in(maria, "maria")
    made = maria.post(f"/posts/{pid}/signoff-link", data={
        "csrf_token": session_csrf(maria), "name": "Legal", "days": "5"})
    assert made.status_code == 201
    url = re.search(r'id="new-link" href="([^"]+)"', made.data.decode())[1]
    path = url.split("localhost", 1)[1]
    assert site.client().get(path).status_code == 200
    sam = site.client()
    sign_in(sam, "sam")
    assert sam.post(f"/posts/{pid}/signoff-link", data={
        "csrf_token": session_csrf(sam), "name": "Legal"}).status_code == 403
