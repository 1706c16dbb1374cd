"""Platform-ready images: an image over a platform's file limit, re-encoded once, at approval.

Approval freezes what goes out (`toolkit.store.media`); when a built graphic is larger than the
post's platform takes (Bluesky: 1,000,000 bytes), the frozen copy is this re-encoded JPEG, with
its own sha256, so the lead approves the very bytes that are uploaded and publishers never
re-encode.
"""

from __future__ import annotations

import io

from toolkit.errors import GraphicsError


def fit_under(data: bytes, max_bytes: int, name: str = "image") -> bytes:
    """`data` as a JPEG of at most `max_bytes` (quality stepping down, then smaller)."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        width, height = img.size
        rgb = img.convert("RGB")
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

    with Image.open(io.BytesIO(data)) as img:
        return Image.MIME.get(img.format or "", "image/png"), img.size[0], img.size[1]
