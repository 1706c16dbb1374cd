"""What publishers keep between runs, beside the store: sessions and platform limits.

- `sessions/<account>.json` (mode 0600): a Bluesky session (it holds tokens: never logged,
  never in the store or the outbox);
- `instances/<account>.json`: a Mastodon instance's own limits, read once from
  `/api/v2/instance`; compose uses them, with the config as fallback;
- `tokens/<account>.json`: when the account's token expires, as `toolkit accounts test` last
  read it from the platform; the notifier warns from it 7 days before (no token in it);
- `containers/<post id>.json` (0600): a Threads or Instagram media container's id, as earlier
  versions recorded it before its publish call; now only read, for posts claimed before the
  upgrade (the store's `posts.publish_ref` holds it: `toolkit.publishers.containers`).

Both live in the folder of the SQLite store (or beside the outbox for another database), so a
campaign's state stays in one place. This module sits below compose and the publishers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from toolkit.core.atomic import write_atomic
from toolkit.core.config import Config
from toolkit.core.storefile import sqlite_path

SESSIONS = "sessions"
INSTANCES = "instances"
TOKENS = "tokens"


def state_dir(config: Config) -> Path:
    """The folder for publisher state: the SQLite store's folder, else the outbox's parent."""
    database = sqlite_path(config.store_url)
    return database.parent if database is not None else config.outbox_dir.parent


def state_file(folder: Path, kind: str, account: str) -> Path:
    """`folder/kind/<account>.json`."""
    return Path(folder) / kind / f"{account}.json"


def write_private(path: Path, data: dict) -> None:
    """Write JSON atomically with mode 0600 (the file may hold a token)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_atomic(path, json.dumps(data), mode=0o600)


def read_json(path: Path) -> dict | None:
    """The JSON object in `path`, or None when it is missing or unreadable."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


@dataclass(frozen=True)
class InstanceLimits:
    """A Mastodon instance's limits for statuses and media."""

    max_characters: int
    characters_reserved_per_url: int
    max_media_attachments: int
    image_size_limit: int | None = None
    description_limit: int | None = None


def parse_instance(body: dict) -> InstanceLimits | None:
    """The limits in an `/api/v2/instance` answer (`configuration`), or None without them."""
    conf = body.get("configuration") if isinstance(body, dict) else None
    statuses = (conf or {}).get("statuses") or {}
    media = (conf or {}).get("media_attachments") or {}
    try:
        return InstanceLimits(int(statuses["max_characters"]),
                              int(statuses.get("characters_reserved_per_url", 23)),
                              int(statuses.get("max_media_attachments", 4)),
                              int(media["image_size_limit"]) if "image_size_limit" in media
                              else None,
                              int(media["description_limit"]) if "description_limit" in media
                              else None)
    except (KeyError, TypeError, ValueError):
        return None


def load_instance(path: Path) -> InstanceLimits | None:
    """The instance limits cached in `path`, or None."""
    data = read_json(path)
    try:
        return InstanceLimits(**data) if data else None
    except TypeError:
        return None


def cached_instance(folder: Path, account: str) -> InstanceLimits | None:
    """The limits cached for an account's instance, or None."""
    return load_instance(state_file(folder, INSTANCES, account))


def instance_limits(config: Config, platform: str) -> InstanceLimits | None:
    """The strictest cached limits among the platform's accounts (None: none cached yet)."""
    folder = state_dir(config)
    found = [c for a in config.accounts.values() if a.platform == platform
             for c in [cached_instance(folder, a.name)] if c is not None]
    if not found:
        return None
    return InstanceLimits(min(c.max_characters for c in found),
                          max(c.characters_reserved_per_url for c in found),
                          min(c.max_media_attachments for c in found))


def record_token_expiry(config: Config, account: str, expires_at: datetime | None) -> None:
    """Keep when an account's token expires (None: it does not), for the notifier."""
    write_private(state_file(state_dir(config), TOKENS, account),
                  {"expires_at": expires_at.isoformat() if expires_at else None})


def token_expiries(config: Config) -> dict[str, datetime]:
    """When each configured account's token expires, as last recorded (accounts whose token
    does not expire, or was never checked, are left out)."""
    found = {}
    for name in config.accounts:
        data = read_json(state_file(state_dir(config), TOKENS, name)) or {}
        try:
            when = datetime.fromisoformat(str(data.get("expires_at")))
        except ValueError:
            continue
        found[name] = when if when.tzinfo else when.replace(tzinfo=UTC)
    return found
