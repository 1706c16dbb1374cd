"""The review-and-approve web app (Flask, served by waitress): `create_app(toolkit)`.

It reads and changes the same store as the command line and the scheduler, through the same
library code (`toolkit.planning.queue.Planner`); see `security` for sessions, CSRF and headers.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime

from toolkit.core import clock
from toolkit.surfaces.app import Toolkit


def create_app(toolkit: Toolkit, now: Callable[[], datetime] | None = None):
    """The Flask app for one campaign (`now` injects a clock for tests)."""
    from flask import Flask, render_template
    from werkzeug.exceptions import HTTPException

    from toolkit.core.errors import LibraryError
    from toolkit.pages.review.view import STATIC, TEMPLATES, add_filters
    from toolkit.store.web import WebStore
    from toolkit.surfaces.web import (
        actions,
        auth,
        compress,
        feed,
        insights,
        media,
        public_media,
        security,
        signoff,
        views,
    )

    app = Flask(__name__, template_folder=str(TEMPLATES), static_folder=str(STATIC),
                static_url_path="/static")
    app.config.update(TOOLKIT_NOW=now or clock.now, TOOLKIT_TLS=toolkit.config.web.tls,
                      TOOLKIT_SESSION_HOURS=toolkit.config.web.session_hours,
                      MAX_CONTENT_LENGTH=64 * 1024, SEND_FILE_MAX_AGE_DEFAULT=3600)
    from toolkit.core.redact import install_log_filter, register_environment

    register_environment(os.environ)
    app.extensions["toolkit"] = toolkit
    app.extensions["toolkit_web"] = WebStore(toolkit.store)
    install_log_filter(app.logger)  # "Exception on /review/<token>/…" never shows the token
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    add_filters(app.jinja_env)
    app.before_request(toolkit.refresh_library)
    security.install(app)
    compress.install(app)
    for blueprint in (auth.bp, views.bp, actions.bp, media.bp, feed.bp, signoff.bp,
                      public_media.bp, insights.bp):
        app.register_blueprint(blueprint)
    signoff.install()
    public_media.install()
    register_extra(app, toolkit, now or clock.now)

    @app.errorhandler(HTTPException)
    def _error(exc: HTTPException):
        title = f"{exc.code} {exc.name}: {exc.description}" if exc.code != 404 else "Not found"
        return render_template("error.html", title=title), exc.code

    @app.errorhandler(LibraryError)
    def _library_error(exc: LibraryError):
        """A posts/ file broken by hand meanwhile: what is wrong (to staff), not a bare 500."""
        from flask import g

        lines = exc.message.splitlines()
        title = f"{lines[0].rstrip(':').capitalize()} (toolkit check lists them); fix posts/"
        return render_template("error.html", title=title,
                               lines=lines[1:21] if getattr(g, "user", None) else []), 503

    return app


def register_extra(app, toolkit: Toolkit, now: Callable[[], datetime]) -> None:
    """Routes other modules add: `/healthz` from `toolkit.operations.health`, answered without a
    session,
    and the message editor (`toolkit.surfaces.web.editor`).

    A blueprint registered here that must answer without a session adds its endpoint names to
    `toolkit.surfaces.web.security.PUBLIC_ENDPOINTS`.
    """
    from toolkit.operations.health import healthz_blueprint
    from toolkit.surfaces.web import editor, security

    app.register_blueprint(editor.bp)
    app.register_blueprint(healthz_blueprint(lambda: toolkit.store, toolkit.config, now))
    security.PUBLIC_ENDPOINTS.add("health.healthz")
