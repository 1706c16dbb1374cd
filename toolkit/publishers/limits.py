"""Refusing, before any network call, images a platform would refuse (limits from the table)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from toolkit.core.errors import PermanentError
from toolkit.core.platforms import PlatformInfo
from toolkit.publishers.base import MediaItem


def check_media(media: Sequence[MediaItem], info: PlatformInfo, *,
                max_bytes: int | None = None, max_alt: int | None = None,
                max_images: int | None = None) -> None:
    """`PermanentError` naming the first image the platform would refuse: too many images, a
    type it does not take, a file over `max_bytes` (default: the table's; 0: no check) or alt
    text over its limit. The keyword arguments carry an instance's own limits (Mastodon)."""
    most = max_images or info.max_images
    if len(media) > most:
        raise PermanentError(f"{info.title} takes at most {most} images per post, not "
                             f"{len(media)}")
    size_limit = max_bytes if max_bytes is not None else info.max_image_bytes
    alt_limit = max_alt or info.max_alt_chars
    for item in media:
        path = Path(item.path)
        if path.suffix.lower() not in info.image_types:
            kinds = ", ".join(t.lstrip(".").upper() for t in info.image_types)
            raise PermanentError(f"{info.title} image {path.name}: only {kinds} images are "
                                 "uploaded")
        if size_limit:
            try:  # the store's bytes where it holds them (their path is a bare file name)
                size = len(item.data) if item.data is not None else path.stat().st_size
            except OSError as exc:
                raise PermanentError(f"{info.title} image {path}: cannot read it "
                                     f"({exc.strerror})") from None
            if size > size_limit:
                raise PermanentError(f"{info.title} image {path.name} is {size:,} bytes; "
                                     f"{info.title} takes at most {size_limit:,} bytes")
        if len(item.alt) > alt_limit:
            raise PermanentError(f"{info.title} image {path.name}: alt text has {len(item.alt)} "
                                 f"characters; {info.title} takes at most {alt_limit}")
