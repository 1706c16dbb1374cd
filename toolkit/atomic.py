"""Writing a file so that no reader ever sees half of it: the one way the toolkit does it.

The bytes go to a unique temporary file beside the target (`.<name>.<random>.tmp`), which is
then renamed over it; an interruption leaves the old file whole, and the temporary file is
removed on the way out.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path | str, data: bytes | str, mode: int = 0o644) -> None:
    """Write `data` (text is written as UTF-8) to `path` atomically, with permission `mode`."""
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), mode)  # mkstemp makes 0600
            f.write(raw)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
