"""Approving exactly the revision that was seen, from the command line and the web app: a post
changed since (or while the approval is being written) is refused and nothing is approved."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import edit
from webapp import NO_CARD, queue_draft, session_csrf, sign_in, site_fixture

from toolkit.planning.queue import Planner
from toolkit.store import Store

#: the `--at` times these tests type are early March 2031: the commands run as on March 1
PINNED = datetime(2031, 3, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock_before_march_2031(pin_clock) -> None:
    pin_clock(PINNED)

site = site_fixture()


def race(monkeypatch: pytest.MonkeyPatch, url: str, post_id: str, when) -> None:
    """Make another writer reschedule `post_id` after the approval has read it and before it
    writes (while it freezes the text), through its own connection to the store."""
    original = Planner.freeze

    def freeze_then_race(self, post, now):
        other = Store(url)
        try:
            p = other.get(post_id)
            other.transition(post_id, (p.status,), "draft", "ana", when, "rescheduled",
                             scheduled_at=p.scheduled_at + timedelta(hours=1))
        finally:
            other.close()
        return original(self, post, now)

    monkeypatch.setattr(Planner, "freeze", freeze_then_race)


def show_json(run_cli, pid: str) -> dict:
    result = run_cli("queue", "show", pid, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_queue_show_prints_the_revision_and_every_change_moves_it(run_cli) -> None:
    pid = run_cli("queue", "add", NO_CARD, "--at", "2031-03-02T10:00").stdout.strip()
    first = show_json(run_cli, pid)["revision"]
    assert f"revision: {first}" in run_cli("queue", "show", pid).stdout
    assert run_cli("queue", "reschedule", pid, "--at", "2031-03-02T11:00").exit_code == 0
    assert show_json(run_cli, pid)["revision"] == first + 1


def test_cli_approve_at_a_stale_revision_is_refused_and_changes_nothing(run_cli) -> None:
    pid = run_cli("queue", "add", NO_CARD, "--at", "2031-03-02T10:00").stdout.strip()
    seen = show_json(run_cli, pid)["revision"]
    run_cli("queue", "reschedule", pid, "--at", "2031-03-02T12:00")
    refused = run_cli("queue", "approve", pid, "--rev", str(seen), "--by", "maria")
    assert refused.exit_code == 1
    assert (f"refused {pid}: this post changed since you opened it (you named revision {seen}; "
            f"it is now revision {seen + 1})") in refused.stderr
    after = show_json(run_cli, pid)
    assert (after["status"], after["revision"]) == ("draft", seen + 1)
    done = run_cli("queue", "approve", pid, "--rev", str(seen + 1), "--by", "maria")
    assert done.exit_code == 0 and f"approved {pid} at revision {seen + 1}" in done.stderr
    assert show_json(run_cli, pid)["status"] == "approved"


def test_cli_race_a_change_between_read_and_write_is_never_approved(
        run_cli, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from toolkit.core.config import load_config

    pid = run_cli("queue", "add", NO_CARD, "--at", "2031-03-02T10:00").stdout.strip()
    seen = show_json(run_cli, pid)
    race(monkeypatch, load_config(project).store_url, pid, seen_time(seen))
    refused = run_cli("queue", "approve", pid, "--rev", str(seen["revision"]), "--by", "maria")
    assert refused.exit_code == 1
    assert "this post changed since you opened it" in refused.stderr
    after = show_json(run_cli, pid)
    assert after["status"] == "draft" and after["revision"] == seen["revision"] + 1
    assert after["approved_by"] is None and after["media"] == []
    assert [h["to"] for h in after["history"]] == ["draft", "draft"]  # queued, rescheduled


def seen_time(details: dict):


    return datetime.fromisoformat(details["created_at"].replace("Z", "+00:00"))


def test_cli_approve_all_lists_the_revisions_it_covers(run_cli) -> None:
    ids = [run_cli("queue", "add", NO_CARD, "--at", at).stdout.strip()
           for at in ("2031-03-02T10:00", "2031-03-03T10:00")]
    run_cli("queue", "reschedule", ids[1], "--at", "2031-03-04T10:00")
    done = run_cli("queue", "approve", "--all", "--by", "maria")
    assert done.exit_code == 0
    assert f"approved {ids[0]} at revision 1" in done.stderr
    assert f"approved {ids[1]} at revision 2" in done.stderr


def test_cli_rev_needs_one_per_id(run_cli) -> None:
    result = run_cli("queue", "approve", "a", "b", "--rev", "1")
    assert result.exit_code == 1
    assert result.output.strip() == ("Error: give one --rev per post id, in the same order "
                                     "(not with --all)")


def opened_by_maria(site):
    """A queued draft, maria's signed-in client, and the approve form her page showed."""
    pid = queue_draft(site)
    maria = site.client()
    sign_in(maria, "maria")
    return pid, maria, approve_form(maria.get(f"/posts/{pid}").data.decode())


def approve_form(page: str) -> dict:
    """The approve form's hidden fields as the page sent them."""
    form = page.split('/approve">')[1].split("</form>")[0]
    fields = dict(__import__("re").findall(r'name="(\w+)" value="([^"]*)"', form))
    return fields


def test_web_approves_the_revision_on_the_page(site) -> None:
    pid, maria, form = opened_by_maria(site)
    assert form["revision"] == "1" and form["csrf_token"] == session_csrf(maria)
    assert maria.post(f"/posts/{pid}/approve", data=form).status_code == 303
    assert site.toolkit.store.get(pid).status == "approved"


def test_web_stale_page_is_refused_and_shows_what_changed(site, project: Path) -> None:
    pid, maria, form = opened_by_maria(site)
    site.toolkit.planner().reschedule(pid, site.clock.now + timedelta(days=4), "ana",
                                      site.clock.now)
    refused = maria.post(f"/posts/{pid}/approve", data=form)
    page = refused.data.decode()
    assert refused.status_code == 409
    assert "this post changed since you opened it" in page
    fields = page.split('class="changed-fields"')[1].split("</ul>")[0]
    assert "<strong>time</strong>" in fields and "<strong>status</strong>" not in fields
    assert site.toolkit.store.get(pid).status == "draft"
    again = approve_form(page)
    assert again["revision"] == "2"
    assert maria.post(f"/posts/{pid}/approve", data=again).status_code == 303
    assert site.toolkit.store.get(pid).status == "approved"


def test_web_text_changed_in_the_library_is_shown_not_approved(site, project: Path) -> None:
    pid, maria, form = opened_by_maria(site)
    edit(project.parent.parent / "posts" / "messages.yaml", "It was a pause, not an end",
         "It was a pause, never an end")
    refused = maria.post(f"/posts/{pid}/approve", data=form)
    page = refused.data.decode()
    assert refused.status_code == 409 and "this post changed since you opened it" in page
    assert "<del>not</del><ins>never</ins>" in page  # the word diff of the text
    post = site.toolkit.store.get(pid)
    assert post.status == "draft" and "never an end" in post.text and post.version == 2
    assert "never an end" in page.split("Exactly as it will go out")[1]
    assert site.toolkit.store.audit_log(pid)[-1].detail == (
        "text recomposed: its message changed in the library")
    again = approve_form(page)
    assert again["revision"] == "2"
    assert maria.post(f"/posts/{pid}/approve", data=again).status_code == 303
    assert site.toolkit.store.get(pid).status == "approved"


def test_web_race_a_change_between_read_and_write_is_never_approved(
        site, monkeypatch: pytest.MonkeyPatch) -> None:
    pid, maria, form = opened_by_maria(site)
    race(monkeypatch, site.toolkit.config.store_url, pid, site.clock.now)
    refused = maria.post(f"/posts/{pid}/approve", data=form)
    assert refused.status_code == 409
    assert b"this post changed since you opened it" in refused.data
    assert b"<strong>time</strong>" in refused.data
    post = site.toolkit.store.get(pid)
    assert post.status == "draft" and post.version == 2 and post.approved_by is None


def test_web_approve_without_a_revision_is_refused(site) -> None:
    pid = queue_draft(site)
    maria = site.client()
    sign_in(maria, "maria")
    response = maria.post(f"/posts/{pid}/approve", data={"csrf_token": session_csrf(maria)})
    assert response.status_code == 400 and b"which revision you saw" in response.data
    assert site.toolkit.store.get(pid).status == "draft"


def test_web_approve_this_week_approves_only_the_revisions_listed(site) -> None:
    kept, moved = queue_draft(site, days=1), queue_draft(site, days=2)
    maria = site.client()
    sign_in(maria, "maria")
    schedule = maria.get("/").data.decode()
    form = schedule.split('class="approve-week">')[1].split("</form>")[0]
    listed = __import__("re").findall(r'name="post" value="([^"]+)"', form)
    assert sorted(listed) == sorted([f"{kept}@1", f"{moved}@1"])
    site.toolkit.planner().reschedule(moved, site.clock.now + timedelta(days=2, hours=1), "ana",
                                      site.clock.now)
    late = queue_draft(site, days=3)  # queued after the page was shown: not listed
    done = maria.post("/approve-week", data={"csrf_token": session_csrf(maria), "post": listed})
    page = done.data.decode()
    assert done.status_code == 200
    approved = page.split('class="approved">')[1].split("</ul>")[0]
    refused = page.split('class="refused">')[1].split("</ul>")[0]
    assert f'href="/posts/{kept}"' in approved and ", at revision 1</li>" in approved
    assert f'href="/posts/{moved}"' in refused
    assert "”</a>: this post changed since you opened it" in refused
    assert kept not in approved.replace(f'href="/posts/{kept}"', "")  # words, not ids
    statuses = {p: site.toolkit.store.get(p).status for p in (kept, moved, late)}
    assert statuses == {kept: "approved", moved: "draft", late: "draft"}
    sam = site.client()
    sign_in(sam, "sam")
    assert 'class="approve-week"' not in sam.get("/").data.decode()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_bulk_approval_moves_only_posts_still_at_their_revision(backend, tmp_path: Path,
                                                               request) -> None:


    from toolkit.store import NewPost

    url = (f"sqlite:///{tmp_path / 'bulk.db'}" if backend == "sqlite"
           else request.getfixturevalue("pg_url"))
    store = Store(url)
    now = datetime(2031, 3, 1, tzinfo=UTC)
    ids = store.add([NewPost(NO_CARD, "en", "x", "x-campaign", f"text {i}",
                             now + timedelta(hours=i + 1)) for i in range(60)], "sam", now)
    for pid in ids[:5]:  # changed by someone else after the approver read them
        store.transition(pid, ("draft",), "draft", "ana", now, "rescheduled")
    moved = store.transition_many([(pid, "draft", {"approved_by": "maria"}) for pid in ids],
                                  "approved", "maria", now, "approved",
                                  revisions=dict.fromkeys(ids, 1))
    assert moved == ids[5:]  # the bulk path (60 >= BULK_MIN)
    assert {p.id for p in store.list(["draft"])} == set(ids[:5])
    assert all(p.version == 2 for p in store.list())
    store.close()
