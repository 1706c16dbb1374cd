"""Telling systemd the scheduler is ready and alive (`sd_notify`), in the few lines it takes.

With `Type=notify` and `WatchdogSec=` in the unit, systemd sets `$NOTIFY_SOCKET`; the scheduler
sends `READY=1` once it runs and `WATCHDOG=1` from its heartbeat, so a hung process is killed
and restarted. Without the variable (a terminal, cron, tests) every call does nothing.
"""

from __future__ import annotations

import logging
import os
import socket

log = logging.getLogger("toolkit.scheduler")


def sd_notify(state: str, env: dict[str, str] | None = None) -> bool:
    """Send `state` (e.g. "READY=1") to systemd's notify socket; False when there is none."""
    address = (env if env is not None else os.environ).get("NOTIFY_SOCKET", "")
    if not address:
        return False
    if address.startswith("@"):  # an abstract socket
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(state.encode())
    except OSError as exc:
        log.warning("cannot notify systemd (%s): %s", state.split("=")[0], exc)
        return False
    return True
