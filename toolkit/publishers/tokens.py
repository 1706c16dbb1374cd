"""A token's lifetime in words, for `toolkit accounts test`, and kept for the notifier."""

from __future__ import annotations

from datetime import UTC, datetime

from toolkit.core import clock
from toolkit.core.config import Account, Config


def days_left(expires_at: datetime | None, now: datetime | None = None) -> int | None:
    """Whole days until a token expires (0 on its last day), or None when it does not expire."""
    if expires_at is None:
        return None
    return max((expires_at - (now or clock.now())).days, 0)


def token_words(expires_at: datetime | None, known: bool = True) -> str:
    """`token expires in N days (DATE)`, `token does not expire`, or `token expiry unknown`."""
    if not known:
        return "token expiry unknown"
    if expires_at is None:
        return "token does not expire"
    day = expires_at.astimezone(UTC).date().isoformat()
    return f"token expires in {days_left(expires_at)} days ({day})"


def token_lifetime(config: Config, account: Account, publisher: object) -> str:
    """`, token expires in N days (DATE)` for a publisher that can tell (`token_expiry()`),
    recorded beside the store for the notifier's warning 7 days before; "" for the others."""
    expiry = getattr(publisher, "token_expiry", None)
    if expiry is None:
        return ""
    from toolkit.compose.instances import record_token_expiry

    known, when = expiry()
    if known:
        record_token_expiry(config, account.name, when)
    return f", {token_words(when, known)}"
