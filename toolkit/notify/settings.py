"""The `notify:` and `health:` sections of the config: channels, digest time, heartbeat limit.

A channel names the environment variable that holds its apprise URL (URLs carry tokens and
passwords, so they never sit in the config), the events it wants and its language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time, timedelta

from toolkit.fields import FieldReader
from toolkit.yamlload import Node

#: every event a channel can ask for (`digest` is the daily summary)
EVENTS = ("failed", "missed", "needs_check", "auth", "rate_limited", "quota", "store", "down",
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


def read_notify(r: FieldReader, node: Node) -> NotifySettings:
    """Validate the `notify:` section, recording each problem with its line."""
    channels = {}
    section = r.section(node, "channels", where="notify.")
    for name, spec in section.items():
        where = f"notify.channels.{name}."
        if not isinstance(spec, Node):
            r.fail(section, name, f"channel '{name}' must be a mapping")
            continue
        env = r.value(spec, "url_env", str, "", required=True, where=where)
        if env and not re.fullmatch(r"[A-Z_][A-Z0-9_]*", env):
            r.fail(spec, "url_env", f"'{where}url_env' must name an environment variable "
                   "(UPPER_CASE) holding the apprise URL, never the URL itself")
        events = r.strings(spec, "events", EVENTS, where=where)
        for ev in events:
            if ev not in EVENTS:
                r.fail(spec, "events", f"unknown event '{ev}' (use {', '.join(EVENTS)})")
        lang = r.value(spec, "lang", str, "en", where=where)
        if lang not in MESSAGE_LANGS:
            r.fail(spec, "lang", f"'{where}lang' must be one of {', '.join(MESSAGE_LANGS)}")
        channels[str(name)] = Channel(str(name), env, tuple(events), lang)
    digest_at = None
    raw = node.get("digest_at")
    if raw is not None:
        m = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", raw) if isinstance(raw, str) else None
        if m is None:
            r.fail(node, "digest_at", "'notify.digest_at' must be a quoted time \"HH:MM\"")
        else:
            digest_at = time(int(m[1]), int(m[2]))
    web_url = r.value(node, "web_url", str, None, where="notify.")
    if web_url and not web_url.startswith(("https://", "http://")):
        r.fail(node, "web_url", f"'notify.web_url' must be an http(s) URL, not {web_url!r}")
    return NotifySettings(channels, digest_at, web_url.rstrip("/") if web_url else None)


def read_heartbeat_limit(r: FieldReader, node: Node) -> timedelta:
    """`health.heartbeat_max_age_seconds`: older than this, the scheduler counts as down."""
    return timedelta(seconds=r.positive(node, "heartbeat_max_age_seconds", 120,
                                        where="health."))
