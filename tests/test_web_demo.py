"""`make run`'s review app: a demo lead and a demo staff member only when the store has no
user, their passwords hashed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from toolkit.store.users import authenticate
from toolkit.store.web import WebStore
from toolkit.surfaces.app import build
from toolkit.surfaces.web.demo import DEMO_LEAD, DEMO_STAFF, ensure_demo_users


def test_demo_users_are_created_once_with_hashed_passwords(project: Path) -> None:
    toolkit = build(project)
    now = datetime.now(UTC)
    passwords = ensure_demo_users(toolkit, now)
    assert list(passwords) == [DEMO_LEAD, DEMO_STAFF]
    web = WebStore(toolkit.store)
    for name, role in ((DEMO_LEAD, "lead"), (DEMO_STAFF, "staff")):
        password = passwords[name]
        assert len(password) >= 16
        user = web.user(name)
        assert user.role == role and password not in user.password_hash
        assert authenticate(web, name, password) is not None
    assert ensure_demo_users(toolkit, now) == {}  # never again once a user exists
    toolkit.close()
