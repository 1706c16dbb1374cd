"""`toolkit check`'s rule for accounts: every account can publish (keys set, a publisher in
the table of platforms), or it falls back to the outbox."""

from __future__ import annotations

import os

from toolkit.core.config import Account, Config
from toolkit.core.problems import Problems
from toolkit.core.secrets import load_dotenv_file
from toolkit.publishers.registry import unavailable


def check_accounts(config: Config, library: object, problems: Problems) -> None:
    """Missing keys are an error unless `fallback_to_outbox` sends those posts to the outbox.

    With the fallback on they are only noted (`problems.notes`), since the outbox is a valid
    destination; only variable names are ever shown.
    """
    load_dotenv_file(config.root)
    for account in config.accounts.values():
        _check_public_images(config, account, problems)
        why = unavailable(account, os.environ)
        if not why:
            continue
        text = f"account '{account.name}' ({account.platform}): {why}"
        if config.fallback_to_outbox:
            problems.notes.append(text + "; its posts go to the outbox (fallback_to_outbox)")
        else:
            problems.error(config.path, 1, text)


def _check_public_images(config: Config, account: Account, problems: Problems) -> None:
    """A warning for an account of a platform that fetches images itself (Threads, Instagram)
    while no public image URL is configured: approval would refuse its posts with images."""
    from toolkit.core.platforms import platform_info
    from toolkit.store.public_media import media_key_env
    from toolkit.store.public_media import unavailable as no_public_url

    info = platform_info(account.platform)
    if info is None or not info.image_by_url:
        return
    why = no_public_url(config.web.base_url, media_key_env(config.root))
    if why:
        problems.warning(config.path, 1, f"account '{account.name}' ({info.title}): {why}; "
                         "approval refuses its posts with an image until then")
