"""Choosing a publisher for each configured account, from the table of platforms and the keys.

Keys are read from the environment (or a git-ignored `.env` loaded by the caller) by the names
the config gives; only variable names ever appear in messages, never values. Which class
publishes to which platform is written only in `toolkit.core.platforms.PLATFORMS`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from toolkit.core.config import Account, Config
from toolkit.core.errors import AuthError, ConfigError
from toolkit.core.platforms import platform_info, publisher_class
from toolkit.core.redact import SECRET_NAME, register_environment
from toolkit.publishers.base import Publisher
from toolkit.publishers.keys import missing_variables

log = logging.getLogger("toolkit.publishers")


def unavailable(account: Account, env: Mapping[str, str]) -> str | None:
    """Why the account cannot have its own publisher (missing keys, no publisher), or None."""
    info = platform_info(account.platform)
    if info is None or info.publisher is None:
        return f"no {account.platform} publisher in this version"
    missing = missing_variables(account, env)
    return f"missing {', '.join(missing)}" if missing else None


def connect(config: Config, account: Account, env: Mapping[str, str]) -> Publisher:
    """The account's own publisher (no fallback); `AuthError` naming what is missing. Its keys
    are masked in every error and log line from now on (`toolkit.core.redact`)."""
    register_environment(env, [var for role, var in account.env.items()
                                if SECRET_NAME.search(role)])
    why = unavailable(account, env)
    if why:
        raise AuthError(f"account {account.name} ({account.platform}): {why} "
                        "(set them in the environment or .env)")
    cls = publisher_class(platform_info(account.platform))
    return cls.from_config(config, account, env)


def build_publisher(config: Config, account: Account, env: Mapping[str, str],
                    dry_run: bool = False) -> Publisher:
    """The publisher for one account: real, outbox fallback, or dry run."""
    if dry_run:
        from toolkit.publishers.dryrun import DryRunPublisher

        return DryRunPublisher(account.platform)
    why = unavailable(account, env)
    if why:
        from toolkit.publishers.outbox import OutboxPublisher

        if config.fallback_to_outbox:
            log.warning("account %s (%s): %s; its posts go to the outbox %s", account.name,
                        account.platform, why, config.outbox_dir)
            return OutboxPublisher(config.outbox_dir, account.platform)
        raise AuthError(f"account {account.name} ({account.platform}): {why} "
                        "(set them in the environment or .env, or set fallback_to_outbox)")
    return connect(config, account, env)


def build_publishers(config: Config, env: Mapping[str, str],
                     dry_run: bool = False) -> dict[str, Publisher]:
    """A publisher for every configured account, by account name."""
    if not config.accounts:
        raise ConfigError("no accounts configured")
    return {name: build_publisher(config, acc, env, dry_run)
            for name, acc in config.accounts.items()}
