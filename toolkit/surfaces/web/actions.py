"""The review app's actions: POST forms (CSRF checked in `security`), each a call into the same
`toolkit.planning.queue.Planner` the command line uses, written to the audit log under the signed-in
user's name. A refused action changes nothing and shows why."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from flask import Blueprint, abort, g, redirect, render_template, request, url_for

from toolkit.core.errors import InputError, StaleRevision, ToolkitError
from toolkit.library.four_eyes import four_eyes_refusal
from toolkit.operations.notify.messages import text_start
from toolkit.pages.review.diff import decode
from toolkit.planning.approval import CARD_CHANGED
from toolkit.planning.slots import parse_time
from toolkit.store import CHANGES_REQUESTED, DRAFT
from toolkit.store.signoff import CHANGED, MAX_DAYS, SignoffStore
from toolkit.store.users import can
from toolkit.surfaces.web.security import now, web_store
from toolkit.surfaces.web.views import library_page, post_context, toolkit

bp = Blueprint("actions", __name__)

MAX_COMMENT = 4000
MAX_BULK = 1000


@bp.before_request
def return_edited() -> None:
    """Before any action (nothing changes on GET): posts sent back whose message was edited in
    the library since become drafts with the new text (audited as the library's edit)."""
    toolkit().planner().return_edited("library edit", now())


def _require(action: str) -> None:
    if not can(g.role, action):
        abort(403, f"a {g.role} may not {action.replace('_', ' ')} posts; ask a lead")


def _done(post_id: str, what: str):
    return redirect(url_for("views.post", post_id=post_id, done=what), code=303)


def _refused(post_id: str, message: str, status: int = 409,
             seen: dict | None = None):
    context = post_context(post_id, seen)
    context["error"] = message
    return render_template("post.html", **context), status


def _comment_text() -> str:
    text = request.form.get("comment", "").strip()
    if not text:
        raise InputError("write a comment first")
    if len(text) > MAX_COMMENT:
        raise InputError(f"a comment may be at most {MAX_COMMENT} characters")
    return text


def _time(value: str) -> datetime:
    if not value.strip():
        raise InputError("give a time")
    return parse_time(value, toolkit().config.timezone)


@bp.route("/queue", methods=["POST"])
def queue():
    """Queue a library message as a draft: next free slot or a given time."""
    _require("queue")
    form = request.form
    planner = toolkit().planner()
    try:
        at = _time(form.get("at", "")) if form.get("when") == "at" else None
        account = form.get("account", "") or None
        post_id = planner.add(form.get("message_id", ""), form.get("platform", ""),
                              form.get("lang", ""), at, now(), g.user, account=account)
    except ToolkitError as exc:
        return library_page(error=exc.message), 400
    return _done(post_id, "queue")


@bp.route("/posts/<post_id>/approve", methods=["POST"])
def approve(post_id: str):
    """Approve a draft at the revision the page showed (lead; four-eyes when configured).
    A post changed since is refused and shown again with what changed highlighted."""
    _require("approve")
    tk = toolkit()
    refusal = four_eyes_refusal(tk.config, tk.store, post_id, g.user)
    if refusal:
        return _refused(post_id, refusal, 403)
    shown_card = request.form.get("card_sha256")
    try:
        revision = int(request.form.get("revision", ""))
    except ValueError:
        return _refused(post_id, "the form did not say which revision you saw; reload the "
                        "page and approve again", 400)
    try:
        result = tk.planner().approve([post_id], g.user, now(), {post_id: revision},
                                      None if shown_card is None else {post_id: shown_card})
    except ToolkitError as exc:
        return _refused(post_id, exc.message)
    if post_id in result.stale:
        return _refused(post_id, f"Not approved: {CHANGED}. Here is the new version, with "
                        "what changed highlighted.", 409, decode(request.form.get("seen", "")))
    if result.refused.get(post_id) == CARD_CHANGED:
        return _refused(post_id, f"not approved: {CARD_CHANGED}", 409)
    if post_id in result.refused:
        return _refused(post_id, f"not approved: {result.refused[post_id]}")
    if post_id in result.changed:
        return _refused(post_id, f"not approved: {CHANGED}", 409,
                        decode(request.form.get("seen", "")))
    return _done(post_id, "approve")


@bp.route("/approve-week", methods=["POST"])
def approve_week():
    """Approve the drafts the schedule listed, each only at the revision listed (lead)."""
    _require("approve")
    tk = toolkit()
    seen = _listed()
    if not seen:
        abort(400, "no drafts were listed; reload the schedule")
    result = tk.planner().approve(list(seen), g.user, now(), seen)  # four eyes included
    refused = dict(result.refused)
    refused.update({pid: CHANGED for pid in (*result.stale, *result.changed)})
    return _results("Approved this week's drafts", "Approved, each at the revision you were "
                    "shown", "approved",
                    {pid: f"at revision {rev}" for pid, rev in result.revisions.items()}, refused)


def _results(title: str, done_label: str, verb: str, done: dict[str, str],
             refused: dict[str, str], confirm: str | None = None):
    """A page naming posts in words (time, platform, account, first line), not by id: those
    done (with a note each), those refused (with why); or, with `confirm`, the ones an action
    will change, with the button that does it."""
    tk = toolkit()
    found = {p.id: p for p in tk.store.list(ids=[*done, *refused])}
    tz = tk.config.timezone

    def described(pid: str, note: str) -> dict:
        post = found.get(pid)
        return {"id": pid, "note": note, "post": post,
                "when": post.scheduled_at.astimezone(tz) if post else None,
                "first_line": text_start(post.text, 90) if post else ""}

    return render_template(
        "results.html", title=title, tz=tz.key, done_label=done_label, verb=verb,
        confirm=confirm, done=[described(pid, note) for pid, note in done.items()],
        refused=[described(pid, why) for pid, why in refused.items()])


def _listed() -> dict[str, int]:
    """The posts a bulk form lists, as `id@revision` values: id -> revision shown."""
    seen: dict[str, int] = {}
    for value in request.form.getlist("post")[:MAX_BULK]:
        post_id, _, rev = value.partition("@")
        if rev.isdigit():
            seen[post_id] = int(rev)
    return seen


@bp.route("/bulk", methods=["POST"])
def bulk():
    """Reschedule (by whole days) or cancel the selected posts, each only at the revision
    shown (lead); cancelling asks for confirmation first."""
    _require("cancel")
    seen, action = _listed(), request.form.get("action", "")
    if not seen or action not in ("reschedule", "cancel"):
        abort(400, "select posts and an action")
    planner, done, refused = toolkit().planner(), {}, {}
    if action == "cancel" and request.form.get("confirm") != "1":
        return _results("Cancel these posts?", "", "cancelled", dict.fromkeys(seen, ""), {},
                        confirm="cancel")
    try:
        days = int(request.form.get("days", "1"))
    except ValueError:
        days = 0
    if action == "reschedule" and not (-366 <= days <= 366 and days):
        abort(400, "move by a whole number of days, -366 to 366, not 0")
    for pid, rev in seen.items():
        try:
            if action == "cancel":
                planner.cancel(pid, g.user, now(), rev)
                done[pid] = ""
            else:
                post = toolkit().store.get(pid)
                moved = planner.reschedule(pid, post.scheduled_at + timedelta(days=days),
                                           g.user, now(), rev)
                done[pid] = f"now {moved.status}"
        except StaleRevision:
            refused[pid] = CHANGED
        except ToolkitError as exc:
            refused[pid] = exc.message
    label = "Cancelled" if action == "cancel" else f"Moved by {days} day(s)"
    return _results(f"{label}: the selected posts", label, "cancelled" if action == "cancel"
                    else "rescheduled", done, refused)


@bp.route("/posts/<post_id>/signoff-link", methods=["POST"])
def signoff_link(post_id: str):
    """Make a sign-off link for this post (lead); its URL is shown once."""
    _require("approve")
    tk = toolkit()
    try:
        days = int(request.form.get("days", "7"))
        if not 1 <= days <= MAX_DAYS:
            raise ValueError
    except ValueError:
        return _refused(post_id, f"a link works 1 to {MAX_DAYS} days", 400)
    try:
        _, token = SignoffStore(tk.store).create_link(
            [post_id], request.form.get("name", "") or "Review", g.user, now(),
            now() + timedelta(days=days))
    except ToolkitError as exc:
        return _refused(post_id, exc.message, 400)
    context = post_context(post_id)
    base = tk.config.web.base_url
    context["new_link"] = (base + url_for("signoff.page", token=token) if base
                           else url_for("signoff.page", token=token, _external=True))
    return render_template("post.html", **context), 201


def _act(post_id: str, what: str, change: Callable[[], object]):
    """Run one change; on a `ToolkitError` nothing changed: show the post with the reason."""
    try:
        change()
    except ToolkitError as exc:
        return _refused(post_id, exc.message)
    return _done(post_id, what)


@bp.route("/posts/<post_id>/send-back", methods=["POST"])
def send_back(post_id: str):
    """Request changes on a draft or approved post, with a comment (lead): no approval covers
    it until it is edited or resubmitted."""
    _require("send_back")
    return _act(post_id, "send_back", lambda: toolkit().planner().send_back(
        post_id, _comment_text(), g.user, now()))


@bp.route("/posts/<post_id>/resubmit", methods=["POST"])
def resubmit(post_id: str):
    """Answer a request for changes with a reply: the post is a draft again (staff, lead)."""
    _require("edit")
    return _act(post_id, "resubmit", lambda: toolkit().planner().resubmit(
        post_id, g.user, now(), _comment_text()))


@bp.route("/posts/<post_id>/cancel", methods=["POST"])
def cancel(post_id: str):
    """Cancel a post that has not gone out (lead)."""
    _require("cancel")
    return _act(post_id, "cancel", lambda: toolkit().planner().cancel(post_id, g.user, now()))


@bp.route("/posts/<post_id>/reschedule", methods=["POST"])
def reschedule(post_id: str):
    """Move a post to a new time (staff: drafts only; an approved post goes back to draft).
    With `revision` (a card dragged on the week view), a post changed since is refused like a
    stale approval; with `back` (the week shown), the week view is shown again."""
    _require("edit")
    tk = toolkit()
    form = request.form
    revision = int(form["revision"]) if form.get("revision", "").isdigit() else None
    try:
        if not can(g.role, "approve") and tk.store.get(post_id).status not in (
                DRAFT, CHANGES_REQUESTED):
            abort(403, "staff may reschedule drafts only; ask a lead")
        tk.planner().reschedule(post_id, _time(form.get("at", "")), g.user, now(), revision)
    except StaleRevision:
        return _refused(post_id, f"Not rescheduled: {CHANGED}. Here it is as it is now; "
                        "drag it again or use the form below.")
    except ToolkitError as exc:
        return _refused(post_id, exc.message)
    back = form.get("back", "")
    if back:
        try:
            week = date.fromisoformat(back).isoformat()
        except ValueError:
            week = ""
        return redirect(url_for("views.schedule", week=week or None, done="reschedule",
                                _anchor=f"mini-{post_id}"), code=303)
    return _done(post_id, "reschedule")


@bp.route("/posts/<post_id>/resolve", methods=["POST"])
def resolve(post_id: str):
    """Settle a post that waits for a person: published (with its URL) or not (lead)."""
    _require("resolve")
    outcome = request.form.get("outcome")
    url = request.form.get("url", "").strip()

    def change() -> None:
        if outcome == "published" and not url:
            raise InputError("give the published post's URL")
        if outcome not in ("published", "not_published"):
            raise InputError("choose published or not published")
        toolkit().planner().resolve(post_id, url if outcome == "published" else None, g.user,
                                    now())

    return _act(post_id, "resolve", change)


@bp.route("/posts/<post_id>/comment", methods=["POST"])
def comment(post_id: str):
    """Comment on a post (everyone)."""
    _require("comment")
    tk = toolkit()
    try:
        tk.store.get(post_id)
        text = _comment_text()
    except ToolkitError as exc:
        return _refused(post_id, exc.message, 400)
    web_store().add_comment(post_id, g.user, text, now())
    return _done(post_id, "comment")
