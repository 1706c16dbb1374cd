"""Writing a file so that no reader ever sees half of it: the one way the toolkit does it.

The bytes go to a unique temporary file beside the target (`.<name>.<random>.tmp`), which is
then renamed over it; an interruption leaves the old file whole, and the temporary file is
removed on the way out. A `durable` write (the default) also fsyncs the file before the rename
and its folder after it, so once `write_atomic` returns, a power cut or a kernel crash cannot
leave the name pointing at an empty or partial file: every write a later step trusts (frozen
media, the outbox, sessions, the store's recorded shape) is durable; rebuildable outputs
(graphics, site pages, caches) pass `durable=False`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def fsync_dir(folder: Path | str) -> None:
    """Make a folder's entries (a rename, a new link) durable."""
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path | str, data: bytes | str, mode: int = 0o644,
                 durable: bool = True) -> None:
    """Write `data` (text is written as UTF-8) to `path` atomically, with permission `mode`;
    `durable`: on disk (file and folder fsynced) before it returns."""
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), mode)  # mkstemp makes 0600
            f.write(raw)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
        if durable:
            fsync_dir(path.parent)
    finally:
        Path(tmp).unlink(missing_ok=True)
