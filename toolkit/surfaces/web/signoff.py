"""Pages reached through a sign-off link (`/review/<token>`), for reviewers without an account.

The link is the only credential: an unknown, tampered, expired or revoked token, or a post the
link does not grant, answers 404 and changes nothing. Every opening and every decision is in the
audit log. Pages carry `noindex` and `Referrer-Policy: no-referrer`; forms carry a CSRF token
bound to a cookie (no session).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from toolkit.core.errors import ToolkitError
from toolkit.pages.review.card import pending_card, shows_frozen
from toolkit.pages.review.diff import changes, decode, encode, snapshot
from toolkit.publishers.base import MediaItem
from toolkit.store.signoff import APPROVE, CHANGED, CHANGES, Link, SignoffStore
from toolkit.surfaces.web import security
from toolkit.surfaces.web.media import _image, _post_item
from toolkit.surfaces.web.views import facts_of, toolkit

bp = Blueprint("signoff", __name__)

MAX_NAME, MAX_COMMENT = 60, 4000
NOTICES = {APPROVE: "Thank you: your approval is recorded.",
           CHANGES: "Thank you: your request for changes is recorded."}


@bp.after_request
def _private(response: Response) -> Response:
    """Never indexed, never leaks the link in a Referer header."""
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _link(token: str) -> Link:
    found = SignoffStore(toolkit().store).by_token(token, security.now())
    if found is None:
        abort(404)
    return found


def _granted(link: Link, post_id: str) -> None:
    if post_id not in link.post_ids:
        abort(404)


def _post_view(link: Link, post, token: str, seen: dict | None = None) -> dict:
    tk = toolkit()
    config, tz = tk.config, tk.config.timezone
    message = tk.library.messages.get(post.message_id)
    image = None
    card = None if shows_frozen(post) else pending_card(config, post, message)
    if shows_frozen(post) or card:
        image = {"url": url_for("signoff.image", token=token, post_id=post.id),
                 "alt": post.media[0].get("alt", "") if card is None else card.get("alt", "")}
    current = snapshot(post, tz)
    return {"post": post, "when": post.scheduled_at.astimezone(tz), "image": image,
            "stats": facts_of(tk.library, message, post.lang,
                              security.now().astimezone(tz).date()),
            "mine": [s for s in SignoffStore(tk.store).signoffs(post.id) if s.link_id == link.id],
            "changes": changes(seen, current) if seen is not None else None,
            "seen": encode(current), "config_name": config.name}


def _page(token: str, link: Link, error: tuple[str, str] | None = None,
          seen: dict | None = None, status: int = 200, notice: str | None = None):
    tk = toolkit()
    found = {p.id: p for p in tk.store.list(ids=list(link.post_ids))}
    posts = [_post_view(link, found[i], token, seen if error and error[0] == i else None)
             for i in link.post_ids if i in found]
    response = make_response("", status)
    csrf = security.login_csrf(response)
    response.set_data(render_template(
        "review_link.html", title=f"{tk.config.name}: sign-off ({link.name})", link=link,
        posts=posts, token=token, csrf_token=csrf, error=error[1] if error else None,
        error_post=error[0] if error else None, notice=notice, tz=tk.config.timezone.key,
        expires=link.expires_at.astimezone(tk.config.timezone).strftime("%Y-%m-%d %H:%M"),
        reviewer=request.form.get("reviewer", "")[:MAX_NAME],
        comment=request.form.get("comment", "")[:MAX_COMMENT]))
    return response


@bp.route("/review/<token>")
def page(token: str):
    """The link's posts exactly as they will go out, each with its sources and a form."""
    link = _link(token)
    SignoffStore(toolkit().store).record_use(link, link.post_ids, security.now())
    return _page(token, link, notice=NOTICES.get(request.args.get("done", "")))


@bp.route("/review/<token>/posts/<post_id>", methods=["POST"])
def act(token: str, post_id: str):
    """A reviewer's decision on one post at the revision shown: approve or request changes."""
    link = _link(token)
    _granted(link, post_id)
    security.check_login_csrf()
    form = request.form
    reviewer = " ".join(form.get("reviewer", "").split())
    comment = form.get("comment", "").strip()
    decision = form.get("decision", "")
    problem = None
    if not reviewer or len(reviewer) > MAX_NAME:
        problem = f"give your name (at most {MAX_NAME} characters)"
    elif len(comment) > MAX_COMMENT:
        problem = f"a comment may be at most {MAX_COMMENT} characters"
    elif decision == CHANGES and not comment:
        problem = "say what should change in a comment"
    elif decision not in (APPROVE, CHANGES):
        problem = "choose approve or request changes"
    if problem:
        return _page(token, link, (post_id, problem), status=400)
    try:
        revision = int(form.get("revision", ""))
        SignoffStore(toolkit().store).sign(link, post_id, reviewer, decision, revision, comment,
                                           security.now())
    except ValueError:
        return _page(token, link, (post_id, "reload the page and try again"), status=400)
    except ToolkitError as exc:
        if exc.message != CHANGED:
            abort(404)
        return _page(token, link, (post_id, f"Not recorded: {CHANGED}. Here is the new "
                                   "version, with what changed highlighted."),
                     decode(form.get("seen", "")), status=409)
    return redirect(url_for("signoff.page", token=token, done=decision) + f"#post-{post_id}",
                    code=303)


@bp.route("/review/<token>/posts/<post_id>/image")
def image(token: str, post_id: str) -> Response:
    """The post's image as it will go out: its frozen copy, or the card approval will
    freeze."""
    link = _link(token)
    _granted(link, post_id)
    post = toolkit().store.get(post_id)
    if shows_frozen(post):
        return _image(_post_item(post_id, 0))
    card = pending_card(toolkit().config, post, toolkit().library.messages.get(post.message_id))
    if card is None:
        abort(404)
    return _image(MediaItem(str(card["path"]), ""))


def install() -> None:
    """Let these pages answer without a session."""
    security.PUBLIC_ENDPOINTS.update({"signoff.page", "signoff.act", "signoff.image"})
