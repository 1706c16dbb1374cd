"""Sending one message to one channel through apprise, with the URL read from the environment.

The URL holds the channel's secrets (passwords, webhook tokens): it is read at send time from
the variable the config names, and never appears in logs or in the errors this module returns.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from toolkit.core.notify_settings import Channel

log = logging.getLogger("toolkit.operations.notify")


class AppriseSender:
    """Sends through apprise; `send` returns None when delivered, else a secret-free reason."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self.env = os.environ if env is None else env
        # apprise's own log lines may name hosts, users or tokens: they are captured per send,
        # masked, and reported by the notifier instead of reaching the log as they are
        quiet = logging.getLogger("apprise")
        quiet.propagate = False
        if not any(isinstance(h, logging.NullHandler) for h in quiet.handlers):
            quiet.addHandler(logging.NullHandler())

    def url_of(self, channel: Channel) -> str | None:
        """The channel's apprise URL, or None when its variable is not set."""
        from toolkit.core.redact import register_url

        url = (self.env.get(channel.url_env) or "").strip()
        register_url(url)  # a channel URL carries its tokens: masked in every text from now on
        return url or None

    def send(self, channel: Channel, title: str, body: str) -> str | None:
        """Deliver one message; None on success, else why it failed (secrets masked)."""
        import apprise

        url = self.url_of(channel)
        if url is None:
            return f"{channel.url_env} is not set"
        ap = apprise.Apprise()
        if not ap.add(url):
            return f"{channel.url_env} does not hold a valid apprise URL"
        with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:
            try:
                ok = bool(ap.notify(title=title, body=body,
                                    body_format=apprise.NotifyFormat.TEXT))
            except Exception as exc:  # a plugin bug must not stop the notifier
                ok, captured_text = False, exc.__class__.__name__
            else:
                captured_text = captured.getvalue()
        if ok:
            return None
        from toolkit.core.redact import redact

        reason = redact(_last_line(captured_text)) or "the channel did not accept it"
        return f"not delivered: {reason}"


def _last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return lines[-1][:300] if lines else ""
