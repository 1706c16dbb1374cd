"""Frozen images at a public URL, for platforms that fetch the image themselves (Threads,
Instagram): `<web.base_url>/m/<post id>/<n>/<token>.<ext>`, served by the review app.

The token is an HMAC-SHA256 (key: the `TOOLKIT_MEDIA_KEY` environment variable) of the post id,
the image's index and the sha256 frozen at approval: nobody can guess the URL of another post's
image, and a re-approved post (another image, another hash) gets another URL. The review app
answers it only while the post is `approved` or `publishing` and only with the frozen bytes whose
hash matches (`read_media`), so the platform fetches exactly what was approved, and the URL is
dead once the post is published, failed or cancelled.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from pathlib import Path

from toolkit.core.config import Config
from toolkit.core.platforms import platform_info

#: the environment variable holding the key of the image URLs' tokens
KEY_VARIABLE = "TOOLKIT_MEDIA_KEY"
MIN_KEY = 16
ROUTE = "/m/"


def media_key_env(config_root: Path) -> dict[str, str]:
    """`{KEY_VARIABLE: value}` from the environment or the `.env` file (only that variable is
    read; the value is masked in every message from now on), or {} when it is unset."""
    from toolkit.core.redact import register
    from toolkit.core.secrets import env_or_dotenv

    value = (env_or_dotenv(KEY_VARIABLE, config_root) or "").strip()
    register([value])
    return {KEY_VARIABLE: value} if value else {}


def unavailable(base_url: str, env: Mapping[str, str]) -> str | None:
    """Why no public image URL can be made (None: it can), naming what to set."""
    if not base_url.startswith("https://"):
        return ("no public image URL is configured: set `web.base_url` to the review app's "
                "public https address (Threads and Instagram fetch the image from there)")
    if len((env.get(KEY_VARIABLE) or "").strip()) < MIN_KEY:
        return (f"no public image URL is configured: set {KEY_VARIABLE} (at least {MIN_KEY} "
                "random characters) for the review app and the scheduler")
    return None


def token(key: str, post_id: str, index: int, sha256: str) -> str:
    """The unguessable part of an image's URL (32 hex characters)."""
    message = f"{post_id}:{index}:{sha256}".encode()
    return hmac.new(key.strip().encode(), message, hashlib.sha256).hexdigest()[:32]


def image_url(base_url: str, env: Mapping[str, str], post_id: str, index: int,
              sha256: str, path: str) -> str:
    """The public URL of a post's frozen image `index` (see the module's docstring)."""
    mark = token(env[KEY_VARIABLE], post_id, index, sha256)
    suffix = Path(path).suffix.lower() or ".png"
    return f"{base_url.rstrip('/')}{ROUTE}{post_id}/{index}/{mark}{suffix}"


def valid(env: Mapping[str, str], post_id: str, index: int, sha256: str, given: str) -> bool:
    """Whether `given` is the token of that image (constant-time comparison)."""
    key = (env.get(KEY_VARIABLE) or "").strip()
    if len(key) < MIN_KEY or not sha256:
        return False
    return hmac.compare_digest(token(key, post_id, index, sha256).encode(), given.encode())


def image_refusal(config: Config, platform: str, media: list[dict]) -> str | None:
    """Why approval refuses a post's images on `platform` (None: it does not): no image where
    the platform requires one (Instagram), or an image the platform must fetch (Threads,
    Instagram) while no public image URL is configured."""
    info = platform_info(platform)
    if info is None:
        return None
    if info.requires_image and not media:
        return f"{info.title} takes only posts with an image; this one has none"
    if info.image_by_url and media:
        why = unavailable(config.web.base_url, media_key_env(config.root))
        if why:
            return f"{info.title} fetches the image itself from a public URL, and {why}"
    return None
