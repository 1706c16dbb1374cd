"""Helpers for the review web app's tests: an app on a copy of the project, users, sign-in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from toolkit.store.users import hash_password
from toolkit.store.web import WebStore
from toolkit.surfaces.app import Toolkit, build
from toolkit.surfaces.web import create_app

PASSWORDS = {"maria": "maria-lead-pass-1", "ana": "ana-lead-pass-22", "sam": "sam-staff-pass-3"}
ROLES = {"maria": "lead", "ana": "lead", "sam": "staff"}
NO_CARD = "courts-suspended"  # a message without a card
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Clock:
    """An injected clock the tests move by hand."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class WebApp:
    """The app, its campaign parts and its clock."""

    app: object
    toolkit: Toolkit
    clock: Clock

    @property
    def web(self) -> WebStore:
        return self.toolkit.app_web  # type: ignore[attr-defined]

    def client(self):
        return self.app.test_client()  # type: ignore[attr-defined]


@cache
def password_hash(name: str) -> str:
    """The argon2 hash of a test user's password (hashed once per test run)."""
    return hash_password(PASSWORDS[name])


def next_monday() -> datetime:
    """The coming Monday, 15:00 UTC (09:00 in Chicago): a future instant on a known weekday,
    so the week view (Monday to Sunday) shows every post queued up to six days ahead, on
    whatever day the tests run."""
    today = datetime.now(UTC).date()
    monday = today + timedelta(days=7 - today.weekday())
    return datetime(monday.year, monday.month, monday.day, 15, 0, tzinfo=UTC)


def make_webapp(config: Path, now: datetime | None = None) -> WebApp:
    """An app over the project copy at `config`, with users maria, ana (leads) and sam (staff);
    its clock starts at `now` (default: `next_monday()`)."""
    toolkit = build(config)
    clock = Clock(now or next_monday())
    web = WebStore(toolkit.store)
    for name in PASSWORDS:
        assert web.add_user(name, ROLES[name], password_hash(name), clock.now)
    toolkit.app_web = web  # type: ignore[attr-defined]
    return WebApp(create_app(toolkit, now=clock), toolkit, clock)


def csrf_of(html: bytes | str) -> str:
    """The CSRF token in a page's first form."""
    text = html.decode() if isinstance(html, bytes) else html
    found = TOKEN.search(text)
    assert found, "no CSRF token on the page"
    return found[1]


def sign_in(client, name: str, password: str | None = None):
    """Sign in through the form; returns the POST's response."""
    token = TOKEN.findall(client.get("/login").data.decode())[-1]  # the sign-in form's
    return client.post("/login", data={"username": name, "csrf_token": token,
                                       "password": PASSWORDS.get(name, "") if password is None
                                       else password})


def session_csrf(client) -> str:
    """The signed-in session's CSRF token (from the schedule page)."""
    return csrf_of(client.get("/").data)


def approval(site: WebApp, post_id: str, token: str) -> dict:
    """The approve form's fields: the CSRF token and the revision the page shows."""
    return {"csrf_token": token, "revision": str(site.toolkit.store.get(post_id).version)}


def queue_draft(site: WebApp, actor: str = "sam", days: int = 3,
                message: str = NO_CARD) -> str:
    """Queue one English draft on X `days` ahead; its id."""
    at = site.clock.now + timedelta(days=days)
    return site.toolkit.planner().add(message, "x", "en", at, site.clock.now, actor)


def site_fixture():
    """A `site` fixture for a test module: the app over a project copy, closed afterwards."""
    import pytest

    @pytest.fixture
    def site(project: Path):
        w = make_webapp(project)
        yield w
        w.toolkit.close()

    return site
