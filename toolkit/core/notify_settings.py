"""The `notify:` section of the config (its schema, `NOTIFY`): channels and the digest time.

A channel names the environment variable that holds its apprise URL (URLs carry tokens and
passwords, so they never sit in the config), the events it wants and its language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time

from toolkit.core.options import URL, Choice, Custom, Named, Option, Reading, Spot, Strings, Type

#: every event a channel can ask for (`digest` is the daily summary)
EVENTS = ("failed", "missed", "needs_check", "changes_requested", "review_requested", "auth",
          "rate_limited", "quota", "store", "down", "library", "site", "token_expiry",
          "digest")
MESSAGE_LANGS = ("en", "es")


@dataclass(frozen=True)
class Channel:
    """One notification channel: an apprise URL read from `url_env`, its events, its language."""

    name: str
    url_env: str
    events: tuple[str, ...] = EVENTS
    lang: str = "en"


@dataclass(frozen=True)
class NotifySettings:
    """Where and when to tell people: channels, the daily digest time, links to the web app."""

    channels: dict[str, Channel] = field(default_factory=dict)
    digest_at: time | None = None
    web_url: str | None = None


def _check_url_env(rd: Reading, spot: Spot, env: str) -> None:
    if env and not re.fullmatch(r"[A-Z_][A-Z0-9_]*", env):
        rd.r.fail(spot.node, "url_env", f"'{spot.label}' must name an environment variable "
                  "(UPPER_CASE) holding the apprise URL, never the URL itself")


def _check_events(rd: Reading, spot: Spot, events: tuple[str, ...]) -> None:
    for ev in events:
        if ev not in EVENTS:
            rd.r.fail(spot.node, "events", f"unknown event '{ev}' (use {', '.join(EVENTS)})")


def _digest_at(rd: Reading, spot: Spot) -> time | None:
    raw = spot.node.get(spot.key)
    if raw is None:
        return None
    m = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", raw) if isinstance(raw, str) else None
    if m is None:
        rd.r.fail(spot.node, spot.key, f"'{spot.label}' must be a quoted time \"HH:MM\"")
        return None
    return time(int(m[1]), int(m[2]))


CHANNEL: dict[str, Option] = {
    "url_env": Type(str, "", required=True, check=_check_url_env, help="The environment "
                    "variable that holds the channel's apprise URL (never the URL itself)."),
    "events": Strings(EVENTS, check=_check_events, help="The events this channel is sent "
                      "(default: every event and the digest)."),
    "lang": Choice(MESSAGE_LANGS, "en", help="The language of its messages."),
}
NOTIFY: dict[str, Option] = {
    "channels": Named(CHANNEL, Channel, "channel", help="The notification channels by name."),
    "digest_at": Custom(_digest_at, help="When the daily digest is sent, a quoted \"HH:MM\" "
                        "in the campaign's timezone."),
    "web_url": URL(None, show=repr, slash="strip", convert=lambda v: v or None,
                   help="The review app's address: messages link to its pages."),
}
