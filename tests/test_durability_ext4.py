"""Durable approvals and claims, on a real ext4 filesystem (a loop device) cut off like a
power failure: `EXT4_IOC_SHUTDOWN` with NOLOGFLUSH drops everything not yet on disk, as xfstests'
`godown` does. What the toolkit reported as done (an approval's frozen image, a claim, a
publication's outcome) must still be there after the filesystem is mounted again (issue 29).

Needs root and loop devices (CI runs as root); skipped with the reason elsewhere.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import struct
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import ROOT

from toolkit.store import NewPost, Store
from toolkit.store.media import freeze_image

#: _IOR('X', 125, __u32) and its "shut down without flushing the journal" flag
EXT4_IOC_SHUTDOWN, NOLOGFLUSH = 0x8004587D, 2


@dataclass
class Ext4:
    """A loop-mounted ext4 filesystem that can be made to crash."""

    image: Path
    mnt: Path

    def crash(self, holder: subprocess.Popen | None = None) -> None:
        """Cut the filesystem off (unsynced data and journal lost), kill `holder` (a process
        with files open on it, as a scheduler has), then mount it again."""
        fd = os.open(self.mnt, os.O_RDONLY)
        try:
            fcntl.ioctl(fd, EXT4_IOC_SHUTDOWN, struct.pack("I", NOLOGFLUSH))
        finally:
            os.close(fd)
        if holder is not None:
            holder.kill()
            holder.wait()
        subprocess.run(["umount", str(self.mnt)], check=True)
        subprocess.run(["mount", "-o", "loop", str(self.image), str(self.mnt)], check=True)


#: a scheduler that publishes what is due, says so, and waits (with its store open) to be killed
SCHEDULER = """
import sys
from datetime import datetime
from pathlib import Path
from toolkit.scheduler.dispatch import Dispatcher
from toolkit.publishers.outbox import OutboxPublisher
from toolkit.store import Store
url, outbox, now = sys.argv[1], Path(sys.argv[2]), datetime.fromisoformat(sys.argv[3])
outcomes = Dispatcher(Store(url), {"outbox": OutboxPublisher(outbox)}).dispatch_due(now)
print(" ".join(o.status for o in outcomes), flush=True)
sys.stdin.read()
"""


def _unavailable(tmp: Path) -> str | None:
    if os.geteuid() != 0:
        return "needs root to mount a loop device"
    for tool in ("mkfs.ext4", "mount", "umount"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    if not Path("/dev/loop-control").exists():
        return "no loop devices (/dev/loop-control) in this environment"
    image, mnt = tmp / "fs.img", tmp / "mnt"
    with image.open("wb") as f:
        f.truncate(64 * 1024 * 1024)
    mnt.mkdir()
    made = subprocess.run(["mkfs.ext4", "-q", "-F", str(image)], capture_output=True, text=True)
    if made.returncode:
        return f"mkfs.ext4 failed: {made.stderr.strip()}"
    mounted = subprocess.run(["mount", "-o", "loop", str(image), str(mnt)], capture_output=True,
                             text=True)
    if mounted.returncode:
        return f"cannot mount a loop device here: {mounted.stderr.strip()}"
    return None


@pytest.fixture
def ext4(tmp_path: Path) -> Iterator[Ext4]:
    why = _unavailable(tmp_path)
    if why:
        pytest.skip(why)
    fs = Ext4(tmp_path / "fs.img", tmp_path / "mnt")
    try:
        yield fs
    finally:
        subprocess.run(["umount", str(fs.mnt)], capture_output=True)


def test_a_frozen_image_survives_a_crash_right_after_approval(ext4: Ext4, tmp_path: Path
                                                               ) -> None:
    card = tmp_path / "card.png"
    card.write_bytes(os.urandom(200_000))  # bytes are bytes: freezing never decodes a PNG
    os.sync()
    path, digest = freeze_image(card, ext4.mnt / "media")
    ext4.crash()
    frozen = ext4.mnt / "media" / path.name
    assert frozen.is_file(), "the frozen image was lost"
    assert hashlib.sha256(frozen.read_bytes()).hexdigest() == digest


def test_a_claim_and_an_outcome_survive_a_crash(ext4: Ext4) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    url = f"sqlite:///{ext4.mnt}/toolkit.db"
    store = Store(url)
    ids = store.add([NewPost("m", "en", "outbox", "outbox", f"post {i}", now - timedelta(seconds=1))
                     for i in range(3)], "test", now - timedelta(minutes=1))
    store.transition_many([(i, "draft", {}) for i in ids], "approved", "lead",
                          now - timedelta(seconds=30))
    store.close()
    os.sync()  # the setup is on disk; what follows must be made durable by the toolkit itself
    scheduler = subprocess.Popen([sys.executable, "-c", SCHEDULER, url, str(ext4.mnt / "outbox"),
                                  now.isoformat()], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 text=True, cwd=ROOT)
    assert scheduler.stdout.readline().split() == ["published"] * 3
    ext4.crash(holder=scheduler)
    store = Store(url)
    try:
        assert [store.get(i).status for i in ids] == ["published"] * 3
        assert sorted(p.name for p in (ext4.mnt / "outbox").glob("*.json")) == \
            sorted(f"{i}.json" for i in ids)
    finally:
        store.close()
