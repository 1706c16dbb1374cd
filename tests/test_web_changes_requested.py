"""The review app and `changes_requested`: a lead requests changes on a draft, "Approve this
week's drafts" no longer lists or approves it, staff resubmit it with a reply, the thread stays,
and the calendar feed shows the state."""

from __future__ import annotations

import re
from datetime import timedelta

from conftest import edit
from webapp import approval, queue_draft, session_csrf, sign_in, site_fixture

site = site_fixture()


def signed_in(site, name: str):
    client = site.client()
    assert sign_in(client, name).status_code == 303
    return client, session_csrf(client)


def week_form(client) -> list[str]:
    """The posts (id@revision) the schedule's bulk approval lists."""
    page = client.get("/").data.decode()
    if 'class="approve-week">' not in page:
        return []
    form = page.split('class="approve-week">')[1].split("</form>")[0]
    return re.findall(r'name="post" value="([^"]+)"', form)


def test_a_post_with_changes_requested_is_left_out_of_bulk_approval_until_resubmitted(
        site) -> None:
    store = site.toolkit.store
    sent, other = queue_draft(site, days=1), queue_draft(site, days=2)
    maria, token = signed_in(site, "maria")
    before = week_form(maria)
    assert sorted(before) == sorted([f"{sent}@1", f"{other}@1"])
    asked = maria.post(f"/posts/{sent}/send-back", data={"csrf_token": token,
                                                        "comment": "Say 'paused'."})
    assert asked.status_code == 303
    assert store.get(sent).status == "changes_requested"
    page = maria.get(f"/posts/{sent}").data.decode()
    assert 'id="changes-requested"' in page and "Say &#39;paused&#39;." in page
    assert 'class="status status-changes_requested"' in page
    assert f'action="/posts/{sent}/approve"' not in page  # nothing to approve here
    schedule = maria.get("/").data.decode()
    waiting = schedule.split('id="attention-h"')[1].split("</section>")[0]
    assert f'id="waiting-{sent}"' in waiting and "changes requested: edit its message" in waiting
    assert week_form(maria) == [f"{other}@1"]

    # a form loaded before the request names its old revision: refused as changed
    stale = maria.post("/approve-week", data={"csrf_token": token, "post": before})
    assert "this post changed since you opened it" in stale.data.decode()
    assert store.get(sent).status == "changes_requested"
    # even named at its current revision, it is refused, in words
    done = maria.post("/approve-week", data={"csrf_token": token,
                                             "post": [f"{sent}@2", f"{other}@1"]})
    assert done.status_code == 200
    assert "is sent back with changes requested, not a draft" in done.data.decode()
    assert (store.get(sent).status, store.get(other).status) == ("changes_requested",
                                                                  "approved")

    sam, sam_token = signed_in(site, "sam")
    assert f'action="/posts/{sent}/resubmit"' in sam.get(f"/posts/{sent}").data.decode()
    assert sam.post(f"/posts/{sent}/resubmit", data={"csrf_token": sam_token,
                                                     "comment": ""}).status_code == 409
    assert store.get(sent).status == "changes_requested"
    assert sam.post(f"/posts/{sent}/resubmit", data={
        "csrf_token": sam_token, "comment": "Done: it says paused."}).status_code == 303
    assert store.get(sent).status == "draft"
    thread = [(c.author, c.body) for c in site.web.comments(sent)]
    assert thread == [("maria", "Say 'paused'."), ("sam", "Done: it says paused.")]
    assert week_form(maria) == [f"{sent}@3"]
    assert maria.post(f"/posts/{sent}/approve",
                      data=approval(site, sent, token)).status_code == 303
    assert store.get(sent).status == "approved"


def test_staff_may_not_request_changes_and_may_reschedule_a_post_sent_back(site) -> None:
    pid = queue_draft(site, days=2)
    sam, token = signed_in(site, "sam")
    assert sam.post(f"/posts/{pid}/send-back", data={"csrf_token": token,
                                                     "comment": "no"}).status_code == 403
    site.toolkit.planner().send_back(pid, "Another day.", "maria", site.clock.now)
    day = site.clock.now.astimezone(site.toolkit.config.timezone)
    at = day.replace(hour=11, minute=0) + timedelta(days=4)
    assert sam.post(f"/posts/{pid}/reschedule", data={
        "csrf_token": token, "at": at.strftime("%Y-%m-%dT%H:%M")}).status_code == 303
    post = site.toolkit.store.get(pid)
    assert post.status == "changes_requested"
    assert post.scheduled_at.astimezone(at.tzinfo).strftime("%d %H") == at.strftime("%d %H")


def test_editing_the_message_makes_it_a_draft_again_at_the_next_action(site, project) -> None:
    pid = queue_draft(site, days=2)
    site.toolkit.planner().send_back(pid, "Say it was a pause.", "maria", site.clock.now)
    maria, token = signed_in(site, "maria")
    comment = {"csrf_token": token, "comment": "Any news?"}
    assert maria.post(f"/posts/{pid}/comment", data=comment).status_code == 303
    assert site.toolkit.store.get(pid).status == "changes_requested"  # nothing edited yet
    edit(project.parent.parent / "posts" / "messages.yaml", "It was a pause, not an end",
         "It was only a pause, not an end")
    maria.get(f"/posts/{pid}")
    assert site.toolkit.store.get(pid).status == "changes_requested"  # nothing changes on GET
    assert maria.post(f"/posts/{pid}/comment", data=comment).status_code == 303
    post = site.toolkit.store.get(pid)
    assert post.status == "draft" and "It was only a pause" in post.text
    page = maria.get(f"/posts/{pid}").data.decode()
    assert "It was only a pause" in page and "its message was edited: back to draft" in page
    when = site.clock.now.astimezone(site.toolkit.config.timezone)
    assert f"maria · {when:%Y-%m-%d %H:%M %Z}</p>" in page  # a comment's time, with its zone
    assert [c.body for c in site.web.comments(pid)] == ["Say it was a pause.", "Any news?",
                                                        "Any news?"]


def test_the_calendar_feed_shows_the_state(site) -> None:
    from toolkit.pages.review.feed import rotate_token

    pid = queue_draft(site, days=2)
    site.toolkit.planner().send_back(pid, "Shorter.", "maria", site.clock.now)
    token = rotate_token(site.web)
    feed = site.client().get(f"/calendar.ics?token={token}").data.decode()
    assert "SUMMARY:[changes_requested] x (en)" in feed
    assert "STATUS:TENTATIVE" in feed


def test_bulk_approval_shows_each_post_and_leaves_those_with_comments_unchecked(
        site) -> None:
    from toolkit.graphics.build import build

    tk = site.toolkit
    build(tk.config, tk.library, cards=["stat-attacks"], jobs=1)
    plain = queue_draft(site, days=1)
    carded = queue_draft(site, days=2, message="violence-attacks")  # its card: stat-attacks
    talked = queue_draft(site, days=3)
    site.web.add_comment(talked, "ana", "Is this the right week?", site.clock.now)
    maria, token = signed_in(site, "maria")
    page = maria.get("/").data.decode()
    form = page.split('class="approve-week">')[1].split("</form>")[0]
    rows = {pid: form.split(f'id="bulk-{pid}"')[1].split("</li>")[0]
            for pid in (plain, carded, talked)}
    tz = tk.config.timezone
    for pid, row in rows.items():
        post = tk.store.get(pid)
        when = post.scheduled_at.astimezone(tz)
        assert f"{when:%a %d %b} {when:%H:%M}</time> · x · revision 1:" in row
        assert post.text[:40] in row
    assert 'class="thumb"' in rows[carded] and "Alt text: Graphic from" in rows[carded]
    assert " checked>" in rows[plain] and " checked>" in rows[carded]
    assert " checked>" not in rows[talked]
    assert "1 comment: read it before approving" in rows[talked]

    checked = re.findall(r'name="post" value="([^"]+)" checked>', form)
    done = maria.post("/approve-week", data={"csrf_token": token, "post": checked})
    result = done.data.decode()
    approved = result.split('class="approved">')[1].split("</ul>")[0]
    for pid in (plain, carded):
        post = tk.store.get(pid)
        when = post.scheduled_at.astimezone(tz)
        assert post.status == "approved"
        assert f"{when:%a %d %b} {when:%H:%M}</time> on x (x-campaign): “" in approved
    assert tk.store.get(talked).status == "draft" and f"/posts/{talked}" not in result
    assert "<code>" not in approved  # the posts in words, not their ids


def test_a_dragged_post_is_rescheduled_only_at_the_revision_its_card_showed(site) -> None:
    store, tz = site.toolkit.store, site.toolkit.config.timezone
    pid = queue_draft(site, days=1)
    maria, token = signed_in(site, "maria")
    week = site.clock.now.astimezone(tz).date()
    page = maria.get(f"/?week={week}").data.decode()
    card = page.split(f'id="mini-{pid}"')[1].split(">")[0]
    assert 'draggable="true"' in card and 'data-revision="1"' in card
    cells = re.findall(r'data-at="([^"]+)"', page)
    target = next(c for c in cells if c.endswith("13:00") and c[:10] != cells[0][:10])
    moved = maria.post(f"/posts/{pid}/reschedule", data={
        "csrf_token": token, "at": target, "revision": "1", "back": week.isoformat()})
    assert moved.status_code == 303
    assert moved.headers["Location"].endswith(f"/?week={week}&done=reschedule#mini-{pid}")
    post = store.get(pid)
    assert post.scheduled_at.astimezone(tz).strftime("%Y-%m-%dT%H:%M") == target
    assert post.version == 2
    assert "Rescheduled." in maria.get(moved.headers["Location"]).data.decode()
    # a second drag from the old page (revision 1) is refused and changes nothing
    stale = maria.post(f"/posts/{pid}/reschedule", data={
        "csrf_token": token, "at": cells[0], "revision": "1", "back": week.isoformat()})
    assert stale.status_code == 409
    assert "Not rescheduled: this post changed since you opened it" in stale.data.decode()
    assert store.get(pid).version == 2 and store.get(pid).scheduled_at == post.scheduled_at


def test_an_empty_slot_offers_queue_here_with_its_time(site) -> None:
    sam, _ = signed_in(site, "sam")
    week = site.clock.now.astimezone(site.toolkit.config.timezone).date()
    page = sam.get(f"/?week={week}").data.decode()
    here = re.findall(r'href="/library\?at=([^"]+)">queue here', page)
    assert here and all(h > site.clock.now.astimezone(site.toolkit.config.timezone)
                        .strftime("%Y-%m-%dT%H:%M") for h in here)
    library = sam.get(f"/library?at={here[0]}").data.decode()
    assert f'name="at" type="datetime-local" value="{here[0]}"' in library
    assert 'value="at" checked' in library


def test_pages_travel_gzipped_when_the_browser_accepts_it(site) -> None:
    import gzip

    queue_draft(site, days=1)
    maria, _ = signed_in(site, "maria")
    plain = maria.get("/")
    packed = maria.get("/", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.data) == plain.data
    assert len(packed.data) < len(plain.data) / 3


def test_selected_posts_are_moved_or_cancelled_after_confirmation(site) -> None:
    store, tz = site.toolkit.store, site.toolkit.config.timezone
    a, b, c = (queue_draft(site, days=d) for d in (1, 2, 3))
    maria, token = signed_in(site, "maria")
    page = maria.get("/").data.decode()
    boxes = re.findall(r'name="post" value="([^"]+)" form="bulk-act"', page)
    assert sorted(boxes) == sorted(f"{p}@1" for p in (a, b, c))
    before = {p: store.get(p).scheduled_at for p in (a, b, c)}
    moved = maria.post("/bulk", data={"csrf_token": token, "action": "reschedule", "days": "7",
                                      "post": [f"{a}@1", f"{b}@9"]}).data.decode()
    assert store.get(a).scheduled_at == before[a] + timedelta(days=7)
    assert store.get(b).scheduled_at == before[b]  # shown at another revision: refused
    assert "this post changed since you opened it" in moved.split('class="refused"')[1]
    when = store.get(a).scheduled_at.astimezone(tz)
    assert f"{when:%a %d %b} {when:%H:%M}</time> on x (x-campaign)" in moved

    asked = maria.post("/bulk", data={"csrf_token": token, "action": "cancel",
                                      "post": [f"{b}@1", f"{c}@1"]})
    assert "Cancel these 2 posts" in asked.data.decode()
    assert {store.get(p).status for p in (b, c)} == {"draft"}  # nothing yet: it asks first
    form = asked.data.decode().split('class="confirm">')[1].split("</form>")[0]
    confirm = dict(re.findall(r'name="(action|confirm)" value="([^"]+)"', form))
    listed = re.findall(r'name="post" value="([^"]+)"', form)
    done = maria.post("/bulk", data={"csrf_token": token, **confirm, "post": listed})
    assert "Cancelled (2)" in done.data.decode()
    assert {store.get(p).status for p in (b, c)} == {"cancelled"}
    sam, sam_token = signed_in(site, "sam")
    assert 'id="bulk-act"' not in sam.get("/").data.decode()
    assert sam.post("/bulk", data={"csrf_token": sam_token, "action": "cancel", "confirm": "1",
                                   "post": [f"{a}@2"]}).status_code == 403
