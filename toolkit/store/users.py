"""The review app's users: names, roles and argon2 password hashes (argon2-cffi).

Passwords never leave this module except as hashes; nothing here logs or echoes them.
Staff queue posts and edit drafts; leads also approve, send back, cancel and resolve.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from functools import lru_cache

from toolkit.core.errors import InputError
from toolkit.store.web import User, WebStore

STAFF, LEAD = "staff", "lead"
ROLES = (STAFF, LEAD)
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MIN_PASSWORD = 10


@lru_cache(maxsize=1)
def _hasher():  # argon2.PasswordHasher
    from argon2 import PasswordHasher

    return PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash to verify against when the name is unknown, so both cases take as long."""
    return _hasher().hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """The argon2id hash of a password (refuses one that is too short)."""
    if len(password) < MIN_PASSWORD:
        raise InputError(f"the password must be at least {MIN_PASSWORD} characters long")
    return _hasher().hash(password)


def check_name(name: str) -> str:
    """A valid user name, or `InputError`."""
    if not NAME.match(name or ""):
        raise InputError(f"user name {name[:40]!r} must be 1-64 letters, digits, '.', '_' or '-'")
    return name


EMAIL = re.compile(r"^[^\s@<>,]{1,64}@[^\s@<>,]{1,189}\.[^\s@<>,.]{2,63}$")


def check_email(address: str) -> str:
    """A plausible e-mail address (`name@example.org`), or `InputError`."""
    if not EMAIL.match(address or ""):
        raise InputError(f"{address[:80]!r} is not an e-mail address like name@example.org")
    return address


def check_role(role: str) -> str:
    """A valid role, or `InputError`."""
    if role not in ROLES:
        raise InputError(f"role must be one of {', '.join(ROLES)}")
    return role


def new_password() -> str:
    """A generated password (for the demo lead of `make run`)."""
    return secrets.token_urlsafe(15)


def add_user(web: WebStore, name: str, role: str, password: str, now: datetime) -> User:
    """Add a user with a hashed password; `InputError` if the name is taken."""
    check_name(name)
    check_role(role)
    if not web.add_user(name, role, hash_password(password), now):
        raise InputError(f"user '{name}' already exists (use `toolkit users passwd`)")
    user = web.user(name)
    assert user is not None
    return user


def set_password(web: WebStore, name: str, password: str, now: datetime) -> None:
    """Change a user's password (their sessions end)."""
    if not web.set_password(name, hash_password(password), now):
        raise InputError(f"no user '{name[:64]}'")


def remove_user(web: WebStore, name: str) -> None:
    """Remove a user (their sessions end; their audit entries and comments stay)."""
    if not web.remove_user(name):
        raise InputError(f"no user '{name[:64]}'")


def authenticate(web: WebStore, name: str, password: str) -> User | None:
    """The user if name and password match, else None (same work either way)."""
    from argon2.exceptions import Argon2Error, InvalidHashError

    user = web.user(name) if NAME.match(name or "") else None
    try:
        _hasher().verify(user.password_hash if user else _dummy_hash(), password)
    except (Argon2Error, InvalidHashError):
        return None
    return user


def can(role: str, action: str) -> bool:
    """Whether a role may do an action (`queue`, `edit`, `comment` for staff; all for leads)."""
    return role == LEAD or action in STAFF_ACTIONS


STAFF_ACTIONS = frozenset({"queue", "edit", "comment"})
