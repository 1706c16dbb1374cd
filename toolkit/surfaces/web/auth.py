"""Signing in and out. The error never tells whether a name exists; 5 failures for one name from
one address, or from one address, within 15 minutes answer 429 until the window has passed; a
name failing from many addresses is slowed to one try per 30 seconds, never locked."""

from __future__ import annotations

from flask import Blueprint, current_app, make_response, redirect, render_template, request, url_for

from toolkit.store.users import authenticate
from toolkit.store.web import digest
from toolkit.surfaces.web import security

bp = Blueprint("auth", __name__)

WRONG = "Wrong name or password."
TOO_MANY = "Too many failed sign-ins. Wait 15 minutes, then try again."


def _form(error: str | None = None, status: int = 200, name: str = ""):
    response = make_response("", status)
    token = security.login_csrf(response)
    response.set_data(render_template(
        "login.html", title="Sign in", campaign=current_app.extensions["toolkit"].config.name,
        error=error, csrf_token=token, name=name,
        next=security.local_target(request.args.get("next") or request.form.get("next"))))
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in form; POST signs in."""
    if request.method == "GET":
        return _form()
    security.check_login_csrf()
    name = request.form.get("username", "").strip()[:64]
    password = request.form.get("password", "")
    counted = digest(name)  # kept as a hash: a password typed as a name is never stored
    attempt = security.begin_attempt(counted)  # checked and recorded in one step
    if attempt is None:
        return _form(TOO_MANY, 429, name)
    user = authenticate(security.web_store(), name, password)
    security.web_store().finish_attempt(attempt, user is not None)
    if user is None:
        return _form(WRONG, 401, name)
    response = redirect(security.local_target(request.form.get("next")), code=303)
    security.start_session(response, user.name)
    return response


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out (POST with the session's CSRF token)."""
    response = redirect(url_for("auth.login"), code=303)
    security.end_session(response)
    return response
