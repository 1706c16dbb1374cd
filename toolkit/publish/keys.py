"""Which keys each platform needs, and which of them the environment lacks (names only)."""

from __future__ import annotations

from collections.abc import Mapping

from toolkit.config import Account

#: the key roles each platform needs in `accounts.<name>.env`
REQUIRED_KEYS: dict[str, tuple[str, ...]] = {
    "x": ("api_key", "api_secret", "access_token", "access_secret"),
    "bluesky": ("handle", "app_password"),
    "mastodon": ("base_url", "access_token"),
    "outbox": (),
}


def missing_variables(account: Account, env: Mapping[str, str]) -> list[str]:
    """Names of the environment variables the account needs but that are unset or empty.

    A role the config does not map at all is reported as `accounts.<name>.env.<role>`.
    """
    missing = []
    for role in REQUIRED_KEYS.get(account.platform, ()):
        var = account.env.get(role)
        if not var:
            missing.append(f"accounts.{account.name}.env.{role} (not configured)")
        elif not (env.get(var) or "").strip():
            missing.append(var)
    return missing
