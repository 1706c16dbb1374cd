"""Building the scheduler's parts from a config: store, publishers, dispatcher.

Shared by `scheduler.py`, `make run` and the benchmarks, so all of them run the same code.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from toolkit.config import Config, load_config
from toolkit.dispatch import Dispatcher
from toolkit.publish.registry import build_publishers
from toolkit.secrets import load_dotenv_file
from toolkit.store import Store

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(message)s"


def setup_logging(verbose: bool = False) -> None:
    """One line per event on stderr; third-party chatter kept at warnings."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, format=LOG_FORMAT)
    for noisy in ("apscheduler", "urllib3", "oauthlib", "requests_oauthlib", "tweepy",
                  "sqlalchemy"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def build_dispatcher(config_path: str | Path | None = None, dry_run: bool = False,
                     config: Config | None = None) -> Dispatcher:
    """Load the config and `.env`, open the store, build every account's publisher."""
    config = config or load_config(config_path)
    load_dotenv_file(config.root)
    store = Store(config.store_url)
    publishers = build_publishers(config, os.environ, dry_run=dry_run)
    return Dispatcher(store, publishers, max_lateness=config.max_lateness, dry_run=dry_run)
