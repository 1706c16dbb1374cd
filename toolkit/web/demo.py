"""`make run`'s review app: a demo lead when the store has no user, served beside the scheduler."""

from __future__ import annotations

import os
from datetime import datetime

import click

from toolkit import clock
from toolkit.app import Toolkit
from toolkit.config import Config

DEMO_LEAD = "demo-lead"


def ensure_demo_lead(toolkit: Toolkit, now: datetime) -> str | None:
    """Create the demo lead if the store has no user; return its password (shown once)."""
    from toolkit.store.web import WebStore
    from toolkit.users import LEAD, add_user, new_password

    web = WebStore(toolkit.store)
    if web.user_count():
        return None
    password = new_password()
    add_user(web, DEMO_LEAD, LEAD, password, now)
    return password


def start_review_app(config: Config, host: str = "127.0.0.1", port: int | None = None):
    """Serve the review app on a background thread; print its address (and a new demo lead's
    password, once). Returns the server, or None when the port is taken."""
    from toolkit.web import create_app
    from toolkit.web.server import serve_in_background

    port = port or int(os.environ.get("TOOLKIT_WEB_PORT", "8000"))
    toolkit = Toolkit(config)
    password = ensure_demo_lead(toolkit, clock.now())
    try:
        server = serve_in_background(create_app(toolkit), host, port)
    except OSError as exc:
        click.echo(f"review app not started: {host}:{port} is not free ({exc.strerror}); "
                   "set TOOLKIT_WEB_PORT", err=True)
        return None
    click.secho(f"\nReview app: http://{host}:{port}/", bold=True)
    if password:
        click.echo(f"Created the lead '{DEMO_LEAD}' with password {password} (shown only "
                   "this once; change it with `toolkit users passwd`).")
    return server
