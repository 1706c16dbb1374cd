"""`make run`'s review app: a demo lead and a demo staff member when the store has no user,
served beside the scheduler."""

from __future__ import annotations

import os
from datetime import datetime

import click

from toolkit.core import clock
from toolkit.core.config import Config
from toolkit.surfaces.app import Toolkit

DEMO_LEAD, DEMO_STAFF = "demo-lead", "demo-staff"


def ensure_demo_users(toolkit: Toolkit, now: datetime) -> dict[str, str]:
    """Create the demo lead and the demo staff member if the store has no user; return each
    new name's one-time password (empty when users exist already)."""
    from toolkit.store.users import LEAD, STAFF, add_user, new_password
    from toolkit.store.web import WebStore

    web = WebStore(toolkit.store)
    if web.user_count():
        return {}
    made = {}
    for name, role in ((DEMO_LEAD, LEAD), (DEMO_STAFF, STAFF)):
        made[name] = new_password()
        add_user(web, name, role, made[name], now)
    return made


def start_review_app(config: Config, host: str = "127.0.0.1", port: int | None = None):
    """Serve the review app on a background thread. Returns (the server, or None when the port
    is taken; the sign-in lines to print last: address, demo names and one-time passwords)."""
    from toolkit.surfaces.web import create_app
    from toolkit.surfaces.web.server import serve_in_background

    port = port or int(os.environ.get("TOOLKIT_WEB_PORT", "8000"))
    toolkit = Toolkit(config)
    passwords = ensure_demo_users(toolkit, clock.now())
    try:
        server = serve_in_background(create_app(toolkit), host, port)
    except OSError as exc:
        click.echo(f"review app not started: {host}:{port} is not free ({exc.strerror}); "
                   "set TOOLKIT_WEB_PORT", err=True)
        return None, []
    lines = [f"Review app: http://{host}:{port}/"]
    for name, password in passwords.items():
        lines.append(f"  sign in as {name} with the one-time password {password}")
    if passwords:
        lines.append("  (shown only this once; `.venv/bin/toolkit users passwd NAME "
                     "--password-stdin` sets a new one)")
    return server, lines
