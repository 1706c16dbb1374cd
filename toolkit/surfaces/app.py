"""One plain factory for what every entry point needs: config, library, store and planner.

The command line (`toolkit.surfaces.cli.context`) and the review web app (`toolkit.surfaces.web`)
both build their
parts here, so both read and change the same store through the same library code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.core.config import Config, load_config

if TYPE_CHECKING:  # heavy imports stay lazy: `toolkit --help` must start fast
    from toolkit.library import Library
    from toolkit.planning.queue import Planner
    from toolkit.store import Store
    from toolkit.store.lite import LiteStore


@dataclass
class Toolkit:
    """The parts of one campaign, each built on first use and kept."""

    config: Config
    _library: Library | None = field(default=None, repr=False)
    _store: Store | None = field(default=None, repr=False)
    _lite: LiteStore | None = field(default=None, repr=False)
    _stamp: tuple = field(default=(), repr=False)

    @property
    def library(self) -> Library:
        """The post library (loaded and checked once; raises `LibraryError`)."""
        if self._library is None:
            from toolkit.library import load_library

            self._stamp = self._posts_stamp()
            self._library = load_library(self.config)
        return self._library

    @property
    def store(self) -> Store:
        """The store named by the config (opened and migrated once)."""
        if self._store is None:
            from toolkit.core.storefile import sqlite_path
            from toolkit.store import Store

            self._store = Store(self.config.store_url)
            if sqlite_path(self.config.store_url) is not None:
                from toolkit.store.migrations import record_shape

                record_shape(self.store_shape_file)
        return self._store

    def existing_store(self) -> Store:
        """The store, for a command that only reads: a SQLite file that does not exist (a
        mistyped `store.url` or `TOOLKIT_STORE_URL`) is reported, never created."""
        from toolkit.core.storefile import sqlite_path

        path = sqlite_path(self.config.store_url)
        if self._store is None and path is not None and path.parent.is_dir() \
                and not path.exists():
            from toolkit.core.errors import StoreError

            raise StoreError(f"no store at {path}: check store.url (or TOOLKIT_STORE_URL); "
                             "nothing was created (the first `toolkit queue add` creates it)")
        return self.store

    @property
    def store_shape_file(self) -> Path:
        """Where a full open records the store's shape for the SQLAlchemy-free paths
        (`toolkit.store.quickread`, `toolkit.store.lite`): `.cache/` beside the config."""
        return self.config.path.parent / ".cache" / "store-shape.json"

    def bulk_store(self) -> Store | LiteStore:
        """The store for `queue import` and `queue approve`: a `LiteStore` (no SQLAlchemy) when
        the SQLite store is one this code has opened before as it is, else the full store.
        Sign-offs (`review.require_signoff`) are read by the full store only."""
        if self._store is None and self._lite is None and not self.config.require_signoff:
            from toolkit.store.lite import LiteStore

            self._lite = LiteStore.open(self.config.store_url, self.store_shape_file)
        return self._lite or self.store

    def planner(self) -> Planner:
        """The queue's state-change rules over this library and store."""
        from toolkit.planning.queue import Planner

        return Planner(self.config, self.library, self.store)

    def _posts_stamp(self) -> tuple:
        try:
            return tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size)
                                for p in self.config.posts_dir.glob("*.yaml")))
        except OSError:
            return ()

    def refresh_library(self) -> None:
        """Forget the loaded library if a file in posts/ changed (a long-running app sees a
        statistic confirmed, or withdrawn, without a restart)."""
        if self._library is not None and self._posts_stamp() != self._stamp:
            self._library = None

    def close(self) -> None:
        """Release the store's connections."""
        for store in (self._store, self._lite):
            if store is not None:
                store.close()
        self._store = self._lite = None


def build(config_path: str | Path | None = None, config: Config | None = None) -> Toolkit:
    """Load the config (explicit path, `$TOOLKIT_CONFIG` or the default) into a `Toolkit`."""
    return Toolkit(config or load_config(config_path))
