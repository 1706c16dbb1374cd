"""Platform-ready images: an image over a platform's file limit, re-encoded once, at approval.

Approval freezes what goes out (`toolkit.store.media`); when a built graphic is larger than the
post's platform takes (Bluesky: 1,000,000 bytes), the frozen copy is this re-encoded JPEG, with
its own sha256, so the lead approves the very bytes that are uploaded and publishers never
re-encode.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from toolkit.core.errors import GraphicsError

#: the most pixels an image the toolkit decodes may have: the largest card format is about
#: 2 megapixels; a decompression bomb (a small file of 400 or 900 megapixels) is refused
#: from its header, before anything is decoded
MAX_PIXELS = 40_000_000


@contextmanager
def open_image(source: bytes | Path | str, name: str = "image") -> Iterator[Any]:
    """The image (`PIL.Image`), opened after its header showed it is a readable image of at
    most `MAX_PIXELS`; else `GraphicsError` with one line saying why (nothing decoded)."""
    from PIL import Image, UnidentifiedImageError

    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        img = Image.open(stream)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise GraphicsError(f"{name} has too many pixels to be opened safely (over "
                            f"{MAX_PIXELS // 1_000_000} megapixels)") from None
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise GraphicsError(f"{name} is not a readable image ({exc.__class__.__name__})"
                            ) from None
    with img:
        width, height = img.size
        if width * height > MAX_PIXELS:
            raise GraphicsError(f"{name} is {width}×{height} pixels "
                                f"({width * height / 1e6:.0f} megapixels), over the "
                                f"{MAX_PIXELS // 1_000_000}-megapixel limit; it was not opened")
        yield img


def fit_under(data: bytes, max_bytes: int, name: str = "image") -> bytes:
    """`data` as a JPEG of at most `max_bytes` (quality stepping down, then smaller)."""
    from PIL import Image

    with open_image(data, name) as img:
        width, height = img.size
        try:
            rgb = img.convert("RGB")
        except (OSError, ValueError) as exc:
            raise GraphicsError(f"{name} cannot be decoded ({exc.__class__.__name__})") from None
    scale = 1.0
    while scale > 0.1:
        size = (max(1, int(width * scale)), max(1, int(height * scale)))
        frame = rgb if scale == 1.0 else rgb.resize(size, Image.LANCZOS)
        for quality in (90, 80, 70, 60):
            out = io.BytesIO()
            frame.save(out, "JPEG", quality=quality, optimize=True)
            if out.tell() <= max_bytes:
                return out.getvalue()
        scale *= 0.8
    raise GraphicsError(f"{name} cannot be brought under {max_bytes:,} bytes")


def image_facts(data: bytes) -> tuple[str, int, int]:
    """`(mime type, width, height)` of an image's bytes."""
    from PIL import Image

    with open_image(data) as img:
        return Image.MIME.get(img.format or "", "image/png"), img.size[0], img.size[1]
