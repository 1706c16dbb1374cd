"""Sessions, CSRF tokens, sign-in throttling and security headers of the review app.

Sessions live in the store (only a hash of the cookie's random id); the cookie is HttpOnly,
SameSite=Lax and Secure when `web.tls` says the app is served over HTTPS. Every POST carries
the session's CSRF token (the sign-in form a token bound to a short-lived cookie).
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, g, redirect, request, url_for

SESSION_COOKIE = "toolkit_session"
LOGIN_COOKIE = "toolkit_login"
#: failures for one name from one address, or from one address, that lock it for the window
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
#: a name failing this often from anywhere within the window is under attack: from then on it
#: gets one try per `NAME_SPACING` (slowed, never locked: an outsider cannot lock leads out)
NAME_UNDER_ATTACK = 20
NAME_SPACING = timedelta(seconds=30)
#: endpoints anyone may reach; others (e.g. a /healthz blueprint) may add theirs
PUBLIC_ENDPOINTS = {"auth.login", "static", "feed.calendar"}
#: endpoints whose forms may be larger than the app's `MAX_CONTENT_LENGTH` (the message editor:
#: a text far too long is refused by its field's name, not by the request's size), and how large
LARGE_FORMS: dict[str, int] = {}

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


def now() -> datetime:
    """The app's clock (tests inject one through `app.config["TOOLKIT_NOW"]`)."""
    return current_app.config["TOOLKIT_NOW"]()


def web_store():
    """The store's users/sessions/comments queries."""
    return current_app.extensions["toolkit_web"]


def client_address() -> str:
    """The client's address (waitress sets it from a trusted proxy's headers)."""
    return request.remote_addr or "unknown"


def local_target(target: str | None) -> str:
    """`target` if it is a path on this site, else `/` (no open redirects). A target with a
    control character (CR/LF would break the header) or a backslash (browsers read `/\\host`
    as `//host`) is ignored."""
    if not target or "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _cookie_args() -> dict:
    return {"httponly": True, "samesite": "Lax",
            "secure": current_app.config["TOOLKIT_TLS"], "path": "/"}


def start_session(response: Response, user: str) -> None:
    """Open a new session for `user` (a new id every sign-in) and set its cookie."""
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        web_store().close_session(old)
    session_id = secrets.token_urlsafe(32)
    lifetime = timedelta(hours=current_app.config["TOOLKIT_SESSION_HOURS"])
    web_store().open_session(session_id, user, secrets.token_urlsafe(32), now(), now() + lifetime)
    response.set_cookie(SESSION_COOKIE, session_id, max_age=int(lifetime.total_seconds()),
                        **_cookie_args())
    response.delete_cookie(LOGIN_COOKIE, path="/")


def end_session(response: Response) -> None:
    """Sign out: forget the session and clear its cookie."""
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        web_store().close_session(session_id)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="Lax",
                           secure=current_app.config["TOOLKIT_TLS"])


def login_csrf(response: Response) -> str:
    """The sign-in form's CSRF token, bound to a short-lived cookie."""
    token = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32)
    response.set_cookie(LOGIN_COOKIE, token, max_age=3600, **_cookie_args())
    return token


def check_login_csrf() -> None:
    """400 unless the sign-in form's token matches its cookie."""
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie.encode(),
                                             request.form.get("csrf_token", "").encode()):
        abort(400, "the form expired or did not come from this site; reload it and try again")


def begin_attempt(name: str) -> int | None:
    """Record a sign-in attempt for `name` from this address, checked against the throttle in
    the same step; None when it is throttled (see `WebStore.begin_attempt`)."""
    from toolkit.store.web import LoginRules

    return web_store().begin_attempt(name, client_address(), now(), LoginRules(
        MAX_FAILURES, FAILURE_WINDOW, NAME_UNDER_ATTACK, NAME_SPACING))


def _load_session() -> None:
    g.user = g.role = g.csrf = None
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id:
        return
    found = web_store().session(session_id, now())
    if found is None:
        return
    user = web_store().user(found.user)
    if user is None:
        return
    g.user, g.role, g.csrf = user.name, user.role, found.csrf


def _guard():
    _load_session()
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if g.user is None:
        if request.endpoint is None:
            abort(404)
        target = request.full_path if request.query_string else request.path
        return redirect(url_for("auth.login", next=target), code=303)
    if request.method == "POST":
        if request.endpoint in LARGE_FORMS:
            request.max_content_length = LARGE_FORMS[request.endpoint]
        token = request.form.get("csrf_token", "")
        if not token or not hmac.compare_digest(token.encode(), g.csrf.encode()):
            abort(400, "the form expired or did not come from this site; reload it and try again")
    return None


def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Frame-Options"] = "DENY"
    response.headers.setdefault("Referrer-Policy", "same-origin")  # link pages: no-referrer
    response.headers["X-Content-Type-Options"] = "nosniff"
    if response.mimetype == "text/html":
        response.headers["Cache-Control"] = "no-store"
    if current_app.config["TOOLKIT_TLS"]:
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    return response


def install(app: Flask) -> None:
    """Guard every request and set the security headers on every response."""
    app.before_request(_guard)
    app.after_request(_headers)
