"""The parts of the campaign configuration: platforms, graphic formats, brand, posting slots,
accounts and the web app's settings (`toolkit.core.config` reads them; import them from there).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time


@dataclass(frozen=True)
class PlatformSpec:
    """A platform: its length limit, how it counts, and which graphic format it attaches."""

    name: str
    limit: int
    counter: str
    card_format: str | None = None
    max_images: int = 4
    #: Bluesky: the AppView engagement counts are read from (an account's own `appview` wins)
    appview: str | None = None


@dataclass(frozen=True)
class FormatSpec:
    """A graphic format: pixel size and the fraction kept free of text at top and bottom."""

    name: str
    width: int
    height: int
    safe_top: float = 0.0
    safe_bottom: float = 0.0
    #: the smallest text size (pixels) allowed on it, so the source and footer stay readable
    #: on a phone; 0: only the layouts' own minimum (24 px per 1080 px of width)
    min_text_px: int = 0


@dataclass(frozen=True)
class Brand:
    """Brand colours (hex) and font family."""

    colors: dict[str, str]
    font: str = "lato"


@dataclass(frozen=True)
class Slot:
    """A weekly posting slot in the campaign's timezone (weekday 0 = Monday)."""

    weekday: int
    at: time


@dataclass(frozen=True)
class Account:
    """A platform account: names of env vars holding its keys (never the keys) and its caps."""

    name: str
    platform: str
    env: dict[str, str] = field(default_factory=dict)
    daily_cap: int | None = None
    monthly_cap: int | None = None
    handle: str | None = None
    #: the account's server: a Bluesky PDS (default https://bsky.social) or a Mastodon instance
    service: str | None = None
    #: Bluesky: the AppView counts are read from (default https://public.api.bsky.app)
    appview: str | None = None
    #: X: whether the account's API tier allows reads (counts are collected only then), and
    #: the most tweet reads a calendar month may spend on counts
    reads: bool = False
    monthly_reads: int | None = None


@dataclass(frozen=True)
class WebSettings:
    """The review web app (`web:`): cookies over TLS only, session lifetime, public address."""

    tls: bool = False
    session_hours: int = 12
    base_url: str = ""
    #: address of the reverse proxy whose X-Forwarded-For/-Proto headers are believed
    trusted_proxy: str = ""
