"""`make run`'s review app: a demo lead only when the store has no user, its password hashed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from toolkit.app import build
from toolkit.store.web import WebStore
from toolkit.users import authenticate
from toolkit.web.demo import DEMO_LEAD, ensure_demo_lead


def test_demo_lead_is_created_once_with_a_hashed_password(project: Path) -> None:
    toolkit = build(project)
    now = datetime.now(UTC)
    password = ensure_demo_lead(toolkit, now)
    assert password and len(password) >= 16
    web = WebStore(toolkit.store)
    user = web.user(DEMO_LEAD)
    assert user.role == "lead" and password not in user.password_hash
    assert authenticate(web, DEMO_LEAD, password) is not None
    assert ensure_demo_lead(toolkit, now) is None  # never again once a user exists
    toolkit.close()
