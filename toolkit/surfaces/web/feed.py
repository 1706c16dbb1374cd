"""`/calendar.ics?token=…`: the schedule as a calendar feed; 404 without the current token."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, abort, request

from toolkit.pages.review.feed import token_ok
from toolkit.pages.review.ics import to_ics
from toolkit.store import STATUSES
from toolkit.surfaces.web.security import now, web_store
from toolkit.surfaces.web.views import toolkit

bp = Blueprint("feed", __name__)

PAST_DAYS, FUTURE_DAYS, MAX_EVENTS = 14, 120, 5000


@bp.route("/calendar.ics")
def calendar() -> Response:
    """The coming schedule (and the last two weeks) as iCalendar."""
    if not token_ok(web_store(), request.args.get("token")):
        abort(404)
    at = now()
    posts = web_store().find_posts(at - timedelta(days=PAST_DAYS), at + timedelta(days=FUTURE_DAYS),
                                   [s for s in STATUSES if s != "cancelled"], limit=MAX_EVENTS)
    body = to_ics(posts, toolkit().config.name, at)
    return Response(body, mimetype="text/calendar",
                    headers={"Cache-Control": "private, max-age=300"})
