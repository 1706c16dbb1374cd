"""The real `scheduler.py` with systemd's notify socket and a notification channel that hangs:
READY/WATCHDOG/STOPPING reach the socket, the heartbeat reaches the store, and a post falls due
and is published while the notifier is stuck sending; the message goes out once the channel
answers. Waits on the wall clock with deadlines (a real process), like test_scheduler_process.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from receivers import WebhookReceiver

from toolkit.core.config import load_config
from toolkit.operations.health import health
from toolkit.store import NewPost, Store

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def add_outbox_post(store: Store, at: datetime) -> str:
    (pid,) = store.add([NewPost("courts-suspended", "en", "outbox", "outbox",
                                "Call today: January 20, 2021 … June 1, 2021 #SaveAsylum", at)],
                       "test", datetime.now(UTC))
    store.transition_many([(pid, "draft", {})], "approved", "lead", datetime.now(UTC))
    return pid


def wait_for(check, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


def test_scheduler_tells_systemd_beats_and_publishes_while_a_channel_hangs(
        project: Path) -> None:
    with project.open("a", encoding="utf-8") as f:
        f.write("notify:\n  channels:\n    hook:\n      url_env: TEST_NOTIFY_HOOK\n")
    config = load_config(project)
    store = Store(config.store_url)
    hook = WebhookReceiver()
    hook.hold = threading.Event()
    sock_dir = tempfile.mkdtemp(prefix="sd")
    sock_path = os.path.join(sock_dir, "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(sock_path)
    sock.settimeout(0.5)
    got: list[str] = []

    def listen() -> None:
        while sock.fileno() != -1:
            try:
                got.append(sock.recv(200).decode())
            except (TimeoutError, OSError):
                if sock.fileno() == -1:
                    return

    threading.Thread(target=listen, daemon=True).start()
    late = add_outbox_post(store, datetime.now(UTC) - timedelta(hours=2))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("X_", "BLUESKY_",
                                                                     "MASTODON_"))}
    env.update(NOTIFY_SOCKET=sock_path, TEST_NOTIFY_HOOK=hook.url + "?rto=30")
    proc = subprocess.Popen([sys.executable, str(ROOT / "scheduler.py"), "--config",
                             str(project)], cwd=project.parent.parent, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert wait_for(lambda: "READY=1" in got and "WATCHDOG=1" in got, 30), got
        assert store.get(late).status == "missed"
        assert hook.arrived.wait(45), "the notifier never tried the channel"
        # the notifier is now stuck in a send; a post falling due still goes out
        due = add_outbox_post(store, datetime.now(UTC) + timedelta(seconds=1))
        assert wait_for(lambda: store.get(due).status == "published", 20)
        assert hook.messages == [] and not hook.hold.is_set()
        hook.hold.set()
        assert wait_for(lambda: len(hook.messages) == 1, 20)
        assert hook.messages[0]["title"] == "#SaveAsylum: A post missed its time"
        summary, ok = health(store, config, datetime.now(UTC))
        assert ok and summary["scheduler"]["instances"][0]["last_dispatch"] is not None
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
        assert wait_for(lambda: "STOPPING=1" in got, 5)
    finally:
        if proc.poll() is None:
            proc.kill()
        output = proc.communicate()[0]
        sock.close()
        hook.hold.set()
        hook.stop()
        store.close()
    assert "Traceback" not in output, output
