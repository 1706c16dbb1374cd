"""Checked URLs: what `queue resolve --published` stores and what pages turn into links.

Only an https URL with a host, no credentials and no spaces or control characters is a URL here;
a published post's URL must also be on its platform's host (x.com/twitter.com for X, bsky.app
for Bluesky, threads.net/threads.com, instagram.com, facebook.com, linkedin.com, the account's
instance for Mastodon; the outbox takes any https URL). Pages build
links only from `safe_href`, so a stored `javascript:` value can never become clickable.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

from toolkit.core.config import Config
from toolkit.core.errors import InputError

#: platform -> hosts its post URLs live on (subdomains such as www. or mobile. included)
PLATFORM_HOSTS: dict[str, tuple[str, ...]] = {
    "x": ("x.com", "twitter.com"),
    "bluesky": ("bsky.app",),
    "threads": ("threads.net", "threads.com"),
    "instagram": ("instagram.com",),
    "facebook": ("facebook.com", "fb.com"),
    "linkedin": ("linkedin.com",),
}


#: a host as browsers and Python read it alike (IDNs in their xn-- form)
_HOST = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.?")


def safe_href(value: str | None) -> str | None:
    """`value` when it is a plain https URL with a host, else None (never a link then).

    Where Python's and a browser's reading of a URL differ, it is refused: a backslash (a
    browser reads `https://evil.example\\.x.com/` as host `evil.example`, WHATWG URL standard)
    and a host of anything but letters, digits, dots and hyphens."""
    if not value or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 or ch == "\\"
                        for ch in value):
        return None
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme != "https" or not host or "@" in parts.netloc or not _HOST.fullmatch(host):
        return None
    return value


def _on_host(host: str, allowed: str) -> bool:
    return host == allowed or host.endswith("." + allowed)


def mastodon_host(config: Config, account_name: str) -> str | None:
    """The instance host of a Mastodon account: its configured instance URL, the URL in the
    environment variable its `env.base_url` names, or the domain of its `@user@host` handle."""
    account = config.accounts.get(account_name)
    if account is None:
        return None
    candidates = [getattr(account, name, None) for name in ("instance", "instance_url",
                                                           "base_url", "service")]
    if account.env.get("base_url"):
        candidates.append(os.environ.get(account.env["base_url"]))
    for value in candidates:
        host = mastodon_host_from(value) if isinstance(value, str) and value else None
        if host:
            return host
    if not account.env.get("base_url") or not os.environ.get(account.env["base_url"]):
        from toolkit.core.secrets import load_dotenv_file

        load_dotenv_file(config.root)  # the CLI loads .env only when it needs it
        if os.environ.get(account.env.get("base_url", "")):
            return mastodon_host_from(os.environ[account.env["base_url"]])
    user_host = (account.handle or "").lstrip("@").split("@")
    return user_host[1].lower() if len(user_host) == 2 and user_host[1] else None


def mastodon_host_from(value: str) -> str | None:
    """The host of an instance URL or bare domain."""
    try:
        return urlsplit(value if "//" in value else f"https://{value}").hostname
    except ValueError:
        return None


def require_post_url(config: Config, platform: str, account: str, value: str) -> str:
    """`value` if it is an https URL on the platform's host; else `InputError` saying why."""
    url = safe_href(value.strip())
    if url is None:
        raise InputError(f"{value.strip()!r} is not an https URL (give the published "
                         "post's address, e.g. https://x.com/handle/status/123)")
    host = (urlsplit(url).hostname or "").lower()
    if platform in PLATFORM_HOSTS:
        allowed = PLATFORM_HOSTS[platform]
    elif platform == "mastodon":
        instance = mastodon_host(config, account)
        if instance is None:
            raise InputError(f"cannot check the URL: account '{account}' names no Mastodon "
                             "instance (set its instance URL in the config or its base_url "
                             "variable)")
        allowed = (instance,)
    else:  # the outbox and platforms without a fixed host take any https URL
        return url
    if not any(_on_host(host, a) for a in allowed):
        raise InputError(f"{url} is not on {platform}'s host ({' or '.join(allowed)}); give "
                         "the address of the published post")
    return url
