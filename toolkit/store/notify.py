"""Change notices across machines: `LISTEN toolkit_posts` on PostgreSQL (psycopg 3).

The store's trigger (migration 007_store) sends a notice when a post becomes `approved` or an
account hold changes; a `ChangeListener` thread calls back at once, so a scheduler on another
machine re-arms without waiting for its periodic check (which stays, as the fallback). A lost
connection is logged and retried; nothing else depends on it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from toolkit.store.engine import driver_url
from toolkit.store.migrations import NOTIFY_CHANNEL

log = logging.getLogger("toolkit.store")

RETRY_S = 5.0


def listens(url: str) -> bool:
    """Whether a store URL can send change notices (PostgreSQL)."""
    return driver_url(url).startswith("postgresql")


def libpq_url(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as libpq (psycopg.connect) takes it."""
    from sqlalchemy.engine import make_url

    return make_url(driver_url(url)).set(drivername="postgresql").render_as_string(
        hide_password=False)


class ChangeListener:
    """A daemon thread listening for the store's change notices; `on_change()` per batch."""

    def __init__(self, url: str, on_change: Callable[[], None]) -> None:
        self.url = url
        self.on_change = on_change
        self.ready = threading.Event()  # set once LISTEN is in place
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="store-listener", daemon=True)

    def start(self) -> ChangeListener:
        """Start listening in the background; returns self."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening (returns within about a second)."""
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                with psycopg.connect(libpq_url(self.url), autocommit=True) as conn:
                    conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    self.ready.set()
                    while not self._stop.is_set():
                        for _notice in conn.notifies(timeout=1.0, stop_after=1):
                            log.debug("change notice from the store; re-arming")
                            self.on_change()
            except psycopg.Error as exc:
                self.ready.clear()
                log.warning("change notices interrupted (%s); the periodic check goes on",
                            str(exc).strip().splitlines()[0] if str(exc).strip() else exc)
                self._stop.wait(RETRY_S)
            except Exception:  # a failing callback must not end the listener
                log.exception("change notice handling failed")
                self._stop.wait(RETRY_S)
