"""Frozen media: approved images kept in the store, content-addressed.

At approval each image's bytes are frozen (an image over the post's platform limit re-encoded,
as a JPEG) and the post records `{path, alt, sha256}`; the bytes go into the store's
`frozen_media` table in the approval's own transaction (`toolkit.store.blobs`). Rebuilding or
deleting `graphics/` then cannot change what an approved post publishes; publishers read the
stored bytes through `toolkit.publishers.base.read_media`, which checks the hash.

`store.media` is optional: when the config sets it, each frozen image is also written there as
`<sha256>.png` (or `.jpg`; atomically, never changed afterwards), a cache or an export, and
`path` names that copy; without it `path` is just that file name. A store needs nothing but
its URL on any machine.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from pathlib import Path

from toolkit.core.atomic import write_atomic
from toolkit.core.errors import StoreError


def media_folder(store_url: str, override: Path | None = None) -> Path | None:
    """The folder frozen images are also written to: `override` (the config's `store.media`)
    if set, else None (the store holds them; `store_url` is kept for callers' sake)."""
    del store_url
    return Path(override) if override is not None else None


def freeze_image(source: Path | str, folder: Path | None, max_bytes: int | None = None,
                 expect: str | None = None, jpeg: bool = False, *,
                 blobs: dict[str, tuple[bytes, str]] | None = None) -> tuple[Path, str]:
    """Freeze one image: its bytes (platform-ready, see below) as `<sha256>.png`; return the
    path recorded for it and its hash. The bytes go into `blobs` (sha256 -> (bytes, suffix)),
    which the approval stores in its own transaction; with a `folder` they are also written
    there (atomically) and the path names that file, else the path is the bare file name.

    An image over `max_bytes` (the post's platform limit) is frozen as its platform-ready JPEG
    instead (`<sha256>.jpg`), so what is approved is what is uploaded; with `jpeg` (a platform
    that takes JPEG only: Instagram) any other image is frozen as its JPEG. An existing copy is kept
    when its bytes still match its name, and replaced when not. With `expect` (the sha256 the
    build's manifest, and so the review page, gave), the bytes read must be those: a file
    swapped on disk or half rewritten by a build running meanwhile is refused, never frozen.
    """
    try:
        data = Path(source).read_bytes()
    except OSError as exc:
        raise StoreError(f"image {Path(source).name} cannot be read: "
                         f"{exc.strerror or exc.__class__.__name__}; run `toolkit graphics "
                         "build`") from None
    if expect is not None and hashlib.sha256(data).hexdigest() != expect:
        raise StoreError(f"image {Path(source).name} is not the one the build recorded (it "
                         "was changed or is being rebuilt): look at the card again, then "
                         "approve again")
    suffix = ".png"
    over = bool(max_bytes and len(data) > max_bytes)
    if over or (jpeg and not data.startswith(b"\xff\xd8\xff")):
        from toolkit.graphics.ready import fit_under

        data = fit_under(data, max_bytes or len(data) * 4, f"image {Path(source).name}")
        suffix = ".jpg"
    digest = hashlib.sha256(data).hexdigest()
    if blobs is not None:
        blobs[digest] = (data, suffix)
    if folder is None:
        return Path(f"{digest}{suffix}"), digest
    target = folder / f"{digest}{suffix}"
    try:
        if target.is_file() and hashlib.sha256(target.read_bytes()).hexdigest() == digest:
            return target, digest
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(target, data)
    except OSError as exc:
        raise StoreError(f"cannot freeze image {Path(source).name} into {folder}: "
                         f"{exc.strerror or exc.__class__.__name__}") from None
    return target, digest


def freeze_media(items: Iterable[dict], folder: Path | None,
                 max_bytes: int | None = None, jpeg: bool = False, *,
                 blobs: dict[str, tuple[bytes, str]] | None = None) -> list[dict]:
    """`[{path, alt}]` of built graphics as `[{path, alt, sha256}]` of their frozen copies
    (platform-ready under `max_bytes`, as JPEG with `jpeg`, their bytes in `blobs`; see
    `freeze_image`)."""
    frozen = []
    for item in items:
        path, digest = freeze_image(item["path"], folder, max_bytes, item.get("sha256"), jpeg,
                                    blobs=blobs)
        frozen.append({"path": str(path), "alt": item.get("alt", ""), "sha256": digest})
    return frozen


def refreeze(media_json: str, folder: Path,
             stored: Callable[[str], bytes | None] | None = None) -> tuple[str, int]:
    """A post's `media` (JSON) with each frozen image copied into `folder` (same name, its hash
    checked) and the path pointing there; returns the new JSON and how many images it copied.
    The bytes are `stored(sha256)` (the store's copy) when it has them, else the file named.
    `store copy --media` exports a campaign's approved images this way."""
    items = json.loads(media_json or "[]")
    copied = 0
    for item in items:
        digest = item.get("sha256") if isinstance(item, dict) else None
        if not digest:
            continue  # approved before images were frozen: it names a graphic, left as it is
        source = Path(item["path"])
        target = folder / source.name
        if target.resolve() != source.resolve():
            try:
                data = (stored(digest) if stored else None) or source.read_bytes()
            except OSError as exc:
                raise StoreError(f"frozen image {source} cannot be read: "
                                 f"{exc.strerror or exc.__class__.__name__}; nothing was "
                                 "copied") from None
            if hashlib.sha256(data).hexdigest() != digest:
                raise StoreError(f"frozen image {source} does not match the hash recorded at "
                                 "approval; nothing was copied")
            folder.mkdir(parents=True, exist_ok=True)
            write_atomic(target, data)
            copied += 1
        item["path"] = str(target.resolve())
    return json.dumps(items), copied
