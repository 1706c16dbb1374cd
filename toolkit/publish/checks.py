"""`toolkit check`'s rule for accounts: every account can publish (keys set, a publisher in
the table of platforms), or it falls back to the outbox."""

from __future__ import annotations

import os

from toolkit.config import Config
from toolkit.problems import Problems
from toolkit.publish.registry import unavailable
from toolkit.secrets import load_dotenv_file


def check_accounts(config: Config, library: object, problems: Problems) -> None:
    """Missing keys are an error unless `fallback_to_outbox` sends those posts to the outbox.

    With the fallback on they are only noted (`problems.notes`), since the outbox is a valid
    destination; only variable names are ever shown.
    """
    load_dotenv_file(config.root)
    for account in config.accounts.values():
        why = unavailable(account, os.environ)
        if not why:
            continue
        text = f"account '{account.name}' ({account.platform}): {why}"
        if config.fallback_to_outbox:
            problems.notes.append(text + "; its posts go to the outbox (fallback_to_outbox)")
        else:
            problems.error(config.path, 1, text)
