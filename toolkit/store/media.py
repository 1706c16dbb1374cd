"""Frozen media: approved images copied into a content-addressed folder beside the store.

At approval each image is copied to `<media>/<sha256>.png` (written atomically, never changed
afterwards; an image over the post's platform limit is frozen re-encoded, as `<sha256>.jpg`)
and the post records `{path, alt, sha256}` with `path` naming that copy. Rebuilding or deleting
`graphics/` then cannot change what an approved post publishes; publishers read the copy
through `toolkit.publish.base.read_media`, which checks the hash.

The folder is `media/` next to a SQLite store's file, or the config's `store.media` (needed for
PostgreSQL and other servers, whose database has no folder of its own).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from toolkit.atomic import write_atomic
from toolkit.errors import StoreError
from toolkit.store.location import sqlite_path


def media_folder(store_url: str, override: Path | None = None) -> Path:
    """The frozen-media folder: `override` if set, else `media/` beside the SQLite file."""
    if override is not None:
        return Path(override)
    database = sqlite_path(store_url)
    if database is None:
        raise StoreError("approved images need a folder to be frozen in: set `store.media` in "
                         "the config (a store that is not a SQLite file has no folder beside it)")
    return database.resolve().parent / "media"


def freeze_image(source: Path | str, folder: Path, max_bytes: int | None = None,
                 expect: str | None = None, jpeg: bool = False) -> tuple[Path, str]:
    """Copy one image into `folder` as `<sha256>.png` (atomically); return its path and hash.

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


def freeze_media(items: Iterable[dict], folder: Path,
                 max_bytes: int | None = None, jpeg: bool = False) -> list[dict]:
    """`[{path, alt}]` of built graphics as `[{path, alt, sha256}]` of their frozen copies
    (platform-ready under `max_bytes`, as JPEG with `jpeg`, see `freeze_image`)."""
    frozen = []
    for item in items:
        path, digest = freeze_image(item["path"], folder, max_bytes, item.get("sha256"), jpeg)
        frozen.append({"path": str(path), "alt": item.get("alt", ""), "sha256": digest})
    return frozen


def refreeze(media_json: str, folder: Path) -> tuple[str, int]:
    """A post's `media` (JSON) with each frozen image copied into `folder` (same name, its hash
    checked) and the path pointing there; returns the new JSON and how many images it copied.
    `store copy` moves a campaign's approved images with its posts this way."""
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
                data = source.read_bytes()
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
