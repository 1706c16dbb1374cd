"""Building the scheduler's parts from a config: store, publishers, dispatcher.

Shared by `scheduler.py`, `make run` and the benchmarks, so all of them run the same code.
"""

from __future__ import annotations

import logging
import os
from datetime import date, datetime
from pathlib import Path

from toolkit.core.config import Config, load_config
from toolkit.core.errors import ToolkitError
from toolkit.core.secrets import load_dotenv_file
from toolkit.library import Library, load_library
from toolkit.library.checks import check_errors
from toolkit.library.facts import post_problems
from toolkit.library.loader import library_files
from toolkit.publishers.registry import build_publishers
from toolkit.scheduler.dispatch import Dispatcher, FactsUnavailable
from toolkit.store import Store

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(message)s"
log = logging.getLogger("toolkit.scheduler")


class LibraryFactCheck:
    """The dispatcher's last fact check: the facts recorded at approval, checked against the
    current library (`toolkit.library.facts.record_problems`).

    The library is read again whenever a file in posts/ changes (name, size or mtime), so a
    statistic set to `verified: false` while the scheduler runs holds its posts at once. While
    the library does not load, nothing is published (fail closed): `unavailable` says why, and
    the log says so once per change of the files.
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        self._signature: tuple | None = None
        self._library: Library | None = None
        #: why the library cannot be read now (None while it loads)
        self.error: str | None = None
        #: `toolkit check`'s error texts for the loaded library, per day
        self._errors: tuple[int, date, list[str]] | None = None

    def _files_signature(self) -> tuple:
        stats = []
        for path in library_files(self.config.posts_dir):
            try:
                st = path.stat()
            except OSError:
                continue
            stats.append((path.name, st.st_mtime_ns, st.st_size))
        return tuple(stats)

    def library(self) -> Library | None:
        """The library as the files are now (reloaded only when they changed)."""
        signature = self._files_signature()
        if signature != self._signature:
            try:
                self._library = load_library(self.config)
                if self.error is not None:
                    log.info("post library loads again; publishing resumes")
                elif self._signature is not None:
                    log.info("post library changed; reloaded it for the fact gate")
                self.error = None
            except ToolkitError as exc:
                self._library = None
                self.error = exc.message.splitlines()[-1]
                log.error("post library cannot be loaded, so nothing is published until it "
                          "loads again: %s", self.error)
            self._signature = signature
        return self._library

    def unavailable(self, now: datetime) -> str | None:
        """Why no post may be published at `now` (the library cannot be read), or None."""
        self.library()
        return None if self.error is None else f"the post library cannot be loaded: {self.error}"

    def check_errors(self, library: Library, today: date) -> list[str]:
        """`toolkit check`'s errors for `library` on `today` (computed once per load and day)."""
        if self._errors is None or self._errors[:2] != (id(library), today):
            self._errors = (id(library), today, check_errors(self.config, library, today))
        return self._errors[2]

    def __call__(self, post, now: datetime) -> str | None:  # a store Post
        """Why `post` may not be published at `now` (None when its facts still hold): the facts
        recorded at approval (derived from the frozen text for posts approved before approvals
        recorded them) must all still exist, be verified, not past review, show the same
        display, and have no `toolkit check` error."""
        library = self.library()
        if library is None:
            raise FactsUnavailable(self.unavailable(now) or "the post library cannot be loaded")
        today = now.astimezone(self.config.timezone).date()
        return "; ".join(post_problems(library, post, today,
                                       self.check_errors(library, today))) or None


def record_missing_facts(store: Store, config: Config, now: datetime) -> int:
    """Give each approved post without a fact record (approved before approvals recorded
    their facts, migration 009) the record derived from its frozen text, once (`toolkit store
    migrate`; the scheduler never writes at start); the fact gate then checks that record like
    any other. Returns how many were recorded (none while the
    library does not load: the fact gate holds everything then anyway)."""
    import json

    from toolkit.library.facts import derived_record
    from toolkit.store import APPROVED

    legacy = store.approved_facts(missing_only=True)
    if not legacy:
        return 0
    try:
        library = load_library(config)
    except ToolkitError:
        return 0
    changes = []
    for post in legacy:
        message = library.messages.get(post.message_id)
        if message is not None:
            record = derived_record(library, message, post.lang, post.text, post.media)
            changes.append((post.id, APPROVED, {"facts": json.dumps(record, ensure_ascii=False)}))
    return len(store.transition_many(
        changes, APPROVED, "toolkit", now,
        "fact record derived from the frozen text (approved before approvals recorded it)"))


def setup_logging(verbose: bool = False) -> None:
    """One line per event on stderr; third-party chatter kept at warnings."""
    from toolkit.core.redact import install_log_filter

    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, format=LOG_FORMAT)
    install_log_filter()
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
    return Dispatcher(store, publishers, max_lateness=config.max_lateness, dry_run=dry_run,
                      fact_check=LibraryFactCheck(config))
