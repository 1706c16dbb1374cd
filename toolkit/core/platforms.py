"""The one table of platforms: what each platform needs and takes, in one place.

Adding a platform means one module in `toolkit/publishers/` (a class with `from_env`, `publish`,
`reconcile` and `who_am_i`) and one entry here. The registry, `toolkit check`, `toolkit accounts
test` and the graphics build all read this table; nothing else lists platforms.

This module imports nothing of the toolkit, so every layer (graphics included) may read it; the
publisher class is named by import path and loaded only when a publisher is built.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class PlatformInfo:
    """One platform: its publisher, the key roles its accounts name, and its image limits."""

    name: str
    #: the platform's name in messages
    title: str
    #: "module:Class" of the publisher; None for a platform without one
    publisher: str | None
    #: key roles an account names in `accounts.<name>.env` (environment variable names)
    keys: tuple[str, ...] = ()
    max_images: int = 4
    #: largest image file the platform takes (None: no limit of its own)
    max_image_bytes: int | None = None
    max_alt_chars: int = 1000
    #: file suffixes of the images it takes
    image_types: tuple[str, ...] = (".png", ".jpg", ".jpeg", ".webp")
    #: the key role that the account's `service:` URL may replace (Mastodon's instance URL)
    service_replaces: str | None = None
    #: the account's `service:` when the config gives none
    default_service: str | None = None
    #: what `accounts test` prints after "ok, " with the publisher's `who_am_i()`
    who_am_i_format: str = "connected as @{}"
    #: the platform fetches images itself from a public URL (Threads, Instagram)
    image_by_url: bool = False
    #: a post needs an image (Instagram): a text-only message is refused when it is queued
    requires_image: bool = False
    #: the most hashtags a post may carry (None: no limit of its own)
    max_hashtags: int | None = None
    #: the platform's own text limit and how it counts (the config's `platforms:` may be stricter)
    limit: int | None = None
    counter: str = "graphemes"
    #: what the toolkit can promise: "exactly once" or "at most once, reconciled by text"
    guarantee: str = "exactly once"


PLATFORMS: dict[str, PlatformInfo] = {
    "x": PlatformInfo(
        "x", "X", "toolkit.publishers.x:XPublisher",
        keys=("api_key", "api_secret", "access_token", "access_secret"),
        max_images=4, max_image_bytes=5 * 1024 * 1024, max_alt_chars=1000),
    "bluesky": PlatformInfo(
        "bluesky", "Bluesky", "toolkit.publishers.bluesky:BlueskyPublisher",
        keys=("handle", "app_password"),
        # Bluesky refuses blobs over 1,000,000 bytes; approval freezes larger images re-encoded
        max_images=4, max_image_bytes=1_000_000, max_alt_chars=2000,
        default_service="https://bsky.social"),
    "mastodon": PlatformInfo(
        "mastodon", "Mastodon", "toolkit.publishers.mastodon:MastodonPublisher",
        keys=("base_url", "access_token"),
        # the instance's own limits (/api/v2/instance) win; these are Mastodon's defaults
        max_images=4, max_image_bytes=16 * 1024 * 1024, max_alt_chars=1500,
        image_types=(".png", ".jpg", ".jpeg", ".webp", ".gif"),
        service_replaces="base_url"),
    "threads": PlatformInfo(
        "threads", "Threads", "toolkit.publishers.threads:ThreadsPublisher",
        keys=("access_token",), max_images=1, max_image_bytes=8 * 1024 * 1024,
        max_alt_chars=1000, image_types=(".png", ".jpg", ".jpeg"), image_by_url=True,
        limit=500, counter="threads", who_am_i_format="connected as @{}"),
    "instagram": PlatformInfo(
        "instagram", "Instagram", "toolkit.publishers.instagram:InstagramPublisher",
        keys=("user_id", "access_token"), max_images=1, max_image_bytes=8 * 1024 * 1024,
        # Instagram takes JPEG only: approval freezes a platform-ready JPEG with its own sha256
        max_alt_chars=1000, image_types=(".jpg", ".jpeg"), image_by_url=True,
        requires_image=True, max_hashtags=30, limit=2200, counter="graphemes"),
    "facebook": PlatformInfo(
        "facebook", "Facebook", "toolkit.publishers.facebook:FacebookPublisher",
        keys=("page_id", "access_token"), max_images=1, max_image_bytes=4 * 1024 * 1024,
        max_alt_chars=1000, limit=63206, counter="graphemes",
        guarantee="at most once, reconciled by text", who_am_i_format="connected as {}"),
    "linkedin": PlatformInfo(
        "linkedin", "LinkedIn", "toolkit.publishers.linkedin:LinkedInPublisher",
        keys=("organization_id", "access_token"), max_images=1,
        max_image_bytes=8 * 1024 * 1024, max_alt_chars=4086,
        image_types=(".png", ".jpg", ".jpeg", ".gif"), limit=3000, counter="graphemes",
        guarantee="at most once, reconciled by text", who_am_i_format="connected as {}"),
    "outbox": PlatformInfo(
        "outbox", "the outbox", "toolkit.publishers.outbox:OutboxPublisher",
        who_am_i_format="writes posts to {}"),
}


def platform_info(name: str) -> PlatformInfo | None:
    """The table's entry for a platform, or None for a platform the toolkit cannot publish to."""
    return PLATFORMS.get(name)


def publisher_class(info: PlatformInfo) -> type:
    """The platform's publisher class, imported on first use."""
    if info.publisher is None:
        raise LookupError(f"no {info.name} publisher in this version")
    module, _, name = info.publisher.partition(":")
    return getattr(importlib.import_module(module), name)


def strictest_image_limit(names: object = None) -> tuple[str, int]:
    """The platform (among `names`, default all) that takes the smallest image file, and that size.

    The graphics build keeps every PNG under it, so one image suits every platform.
    """
    chosen = [PLATFORMS[n] for n in (names or PLATFORMS) if n in PLATFORMS]
    limits = [(p.max_image_bytes, p.name) for p in chosen if p.max_image_bytes]
    if not limits:
        limits = [(p.max_image_bytes, p.name) for p in PLATFORMS.values() if p.max_image_bytes]
    size, name = min(limits)
    return name, size
