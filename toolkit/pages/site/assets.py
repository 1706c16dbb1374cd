"""The share kit's files besides its pages: full-size PNGs, WebP thumbnails and one ZIP of all
graphics per language. Each is written only when its inputs changed, and always to the same bytes
for the same inputs (fixed ZIP timestamps, sorted entries, no metadata)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from toolkit.core.atomic import write_atomic

#: a fixed timestamp for every ZIP entry (the earliest a ZIP can hold), so ZIPs are reproducible
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
THUMB_QUALITY = 80


def write_bytes(path: Path, data: bytes) -> bool:
    """Write `data` atomically unless the file already holds exactly it; True if written."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, data, durable=False)  # the site is rebuilt at will
    return True


def copy_file(src: Path, dest: Path) -> None:
    """Copy `src` to `dest` atomically."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(dest, src.read_bytes(), durable=False)


def thumbnail(src: Path, width: int, height: int) -> bytes:
    """A WebP preview of a PNG at `width` × `height` (no metadata)."""
    from PIL import Image

    from toolkit.graphics.ready import open_image

    with open_image(src, src.name) as image:
        rgb = image.convert("RGB")
    factor = rgb.width // width
    if factor >= 2:  # a cheap box reduction first, then a sharp resize to the exact size
        rgb = rgb.reduce(factor)
    small = rgb.resize((width, height), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    small.save(buf, "WEBP", quality=THUMB_QUALITY, method=4)
    return buf.getvalue()


def zip_of(files: list[tuple[str, Path]]) -> bytes:
    """A ZIP holding each (name, path), sorted by name, stored (PNGs are already compressed),
    with fixed timestamps and permissions: the same files give the same bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for name, path in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.external_attr = 0o644 << 16
            info.create_system = 3
            zf.writestr(info, path.read_bytes())
    return buf.getvalue()
