"""Which keys each platform needs, and which of them the environment lacks (names only)."""

from __future__ import annotations

from collections.abc import Mapping

from toolkit.core.config import Account
from toolkit.core.platforms import PLATFORMS, platform_info

#: the key roles each platform needs in `accounts.<name>.env` (from the table of platforms)
REQUIRED_KEYS: dict[str, tuple[str, ...]] = {name: p.keys for name, p in PLATFORMS.items()}


def required_roles(account: Account) -> tuple[str, ...]:
    """The key roles this account needs: its platform's, less one its `service:` URL replaces."""
    info = platform_info(account.platform)
    if info is None:
        return ()
    return tuple(r for r in info.keys
                 if not (account.service and r == info.service_replaces))


def missing_variables(account: Account, env: Mapping[str, str]) -> list[str]:
    """Names of the environment variables the account needs but that are unset or empty.

    A role the config does not map at all is reported as `accounts.<name>.env.<role>`.
    """
    missing = []
    for role in required_roles(account):
        var = account.env.get(role)
        if not var:
            missing.append(f"accounts.{account.name}.env.{role} (not configured)")
        elif not (env.get(var) or "").strip():
            missing.append(var)
    return missing
