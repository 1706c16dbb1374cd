"""The scheduler's heartbeat: what it last did, written to the store and told to systemd.

`toolkit status` and `/healthz` read the heartbeat to tell whether a scheduler is alive. The
same beat sends systemd's `WATCHDOG=1`, unless a dispatch run has been stuck for too long:
then systemd's watchdog restarts the hung process.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError

from toolkit import __version__
from toolkit.core.errors import StoreError
from toolkit.operations.sdnotify import sd_notify
from toolkit.store import Store
from toolkit.store.ops import write_heartbeat

log = logging.getLogger("toolkit.scheduler")

#: a dispatch run longer than this counts as hung (the claim lease is 5 minutes)
STUCK_AFTER = timedelta(minutes=15)


class Heartbeat:
    """One scheduler process's liveness record."""

    def __init__(self, store: Store, service_id: str, now: datetime) -> None:
        self.store = store
        self.id = service_id
        self.started_at = now
        self.last_wake: datetime | None = None
        self.last_dispatch: datetime | None = None
        self.next_wake: datetime | None = None
        self.last_error: str | None = None
        self.dispatch_started: datetime | None = None

    def woke(self, now: datetime) -> None:
        """A dispatch run starts."""
        self.last_wake = self.dispatch_started = now

    def dispatched(self, now: datetime, moved: int, error: str | None = None) -> None:
        """A dispatch run ended; `moved` posts changed state; `error` if it broke."""
        self.dispatch_started = None
        if moved:
            self.last_dispatch = now
        if error:
            self.last_error = error

    def stuck(self, now: datetime) -> bool:
        """Whether the current dispatch run has taken longer than `STUCK_AFTER`."""
        return self.dispatch_started is not None and now - self.dispatch_started > STUCK_AFTER

    def record(self, now: datetime) -> dict:
        """The heartbeat row as stored."""
        return {"id": self.id, "host": socket.gethostname(), "pid": os.getpid(),
                "version": __version__, "started_at": self.started_at, "beat_at": now,
                "last_wake": self.last_wake, "last_dispatch": self.last_dispatch,
                "next_wake": self.next_wake, "last_error": self.last_error}

    def beat(self, now: datetime) -> bool:
        """Write the heartbeat and pat systemd's watchdog; False if the store refused it."""
        ok = True
        try:
            write_heartbeat(self.store, self.record(now))
        except (StoreError, SQLAlchemyError, OSError) as exc:
            ok = False
            log.error("heartbeat not recorded: %s", getattr(exc, "message", None)
                      or exc.__class__.__name__)
        if self.stuck(now):
            log.error("dispatch running since %s: not patting the watchdog",
                      self.dispatch_started.isoformat() if self.dispatch_started else "?")
        else:
            sd_notify("WATCHDOG=1")
        return ok
