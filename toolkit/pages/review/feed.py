"""The calendar feed's secret token: only its SHA-256 is stored; rotating it ends the old URL."""

from __future__ import annotations

import hmac
import secrets

from toolkit.store.web import FEED_TOKEN, WebStore, digest


def rotate_token(web: WebStore) -> str:
    """A new feed token (shown once); the previous one stops working at once."""
    token = secrets.token_urlsafe(24)
    web.set_setting(FEED_TOKEN, digest(token))
    return token


def token_ok(web: WebStore, token: str | None) -> bool:
    """Whether `token` is the current feed token (False when none was ever made)."""
    stored = web.setting(FEED_TOKEN)
    if not stored or not token:
        return False
    return hmac.compare_digest(stored, digest(token))
