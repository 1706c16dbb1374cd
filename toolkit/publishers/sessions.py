"""Ending a saved platform session: `toolkit accounts disconnect`.

A Bluesky account's session (its access and refresh tokens) is saved in `sessions/<account>.json`
beside the store and reused, so revoking the app password at Bluesky stops the toolkit only when
the saved access token expires (up to about two hours). Disconnecting ends it at once: the
session is ended at Bluesky where it can be reached (`com.atproto.server.deleteSession`, which
revokes the refresh token) and the file is removed; a running scheduler notices the missing file
before its next call and signs in again, which a revoked app password refuses. The command also
records the disconnect in the store (`toolkit.store.ops.mark_signed_out`): a scheduler on another
machine, with its own saved session, deletes that session before its next call (it was signed in
before the mark) and signs in anew too.
"""

from __future__ import annotations

from pathlib import Path

import httpx
from atproto_client.client.session import Session

from toolkit.compose.instances import SESSIONS, read_json, state_dir, state_file
from toolkit.core.config import Account, Config

TIMEOUT = 10.0


def disconnect(config: Config, account: Account) -> str:
    """Remove `account`'s saved session (ending it at the platform first, where it can);
    one line saying what was done."""
    return end_saved_session(state_file(state_dir(config), SESSIONS, account.name), account.name)


def end_saved_session(path: Path, name: str) -> str:
    """End the session saved in `path` for account `name`, then remove the file."""
    if not path.exists():
        return f"{name}: no saved session; nothing to end"
    ended = _end_at_platform(read_json(path) or {})
    path.unlink()
    return f"{name}: saved session removed{ended}; it publishes nothing until it signs in " \
           f"again with its keys"


def _end_at_platform(saved: dict) -> str:
    """Ask the PDS to end the saved Bluesky session; the words to add to the report."""
    try:
        session = Session.decode(str(saved["session"]))
        service = str(saved["service"]).rstrip("/")
    except (KeyError, ValueError):
        return ""
    try:
        answer = httpx.post(f"{service}/xrpc/com.atproto.server.deleteSession", timeout=TIMEOUT,
                            headers={"Authorization": f"Bearer {session.refresh_jwt}"})
    except httpx.HTTPError as exc:
        return f" (Bluesky could not be reached to end it there: {type(exc).__name__})"
    if answer.status_code == 200:
        return " and ended at Bluesky"
    return f" (Bluesky answered {answer.status_code} when asked to end it there)"
