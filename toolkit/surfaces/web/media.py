"""Images for the review pages, served only from paths the store records for a post (its frozen
media) or from the graphics build's manifest; never from a path a request names.

Thumbnails are small WebP images made with Pillow and kept in memory (keyed by file, size and
modification time), so a week of posts stays light.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, send_file, url_for

from toolkit.core.errors import ToolkitError
from toolkit.graphics.manifest import find_graphic
from toolkit.publishers.base import MediaItem, read_media
from toolkit.surfaces.web.security import web_store

bp = Blueprint("media", __name__)

THUMB_BOX = (192, 192)
CACHE_SIZE = 512
_cache: OrderedDict[tuple, bytes] = OrderedDict()
_lock = threading.Lock()
#: thumbnail key (the image's sha256) -> a path taken from the store or the graphics manifest
_known: dict[str, str] = {}
_hashes: dict[tuple, str] = {}
TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
         ".webp": "image/webp", ".gif": "image/gif"}


def _post_item(post_id: str, n: int) -> MediaItem:
    media = web_store().media_of(post_id)
    if not 0 <= n < len(media) or not isinstance(media[n], dict):
        abort(404)
    entry = media[n]
    digest = entry.get("sha256")
    return MediaItem(str(entry.get("path", "")), str(entry.get("alt", "")), digest,
                     _stored(digest) if isinstance(digest, str) else None)


def _stored(digest: str) -> bytes | None:
    """The frozen image with this sha256 as the store holds it, or None."""
    return current_app.extensions["toolkit"].store.frozen_images([digest]).get(digest)


def _card_path(card: str, fmt: str, lang: str) -> Path:
    found = find_graphic(current_app.extensions["toolkit"].config.graphics_dir, card, fmt, lang)
    if found is None:
        abort(404)
    return Path(found["path"])


def _image(item: MediaItem) -> Response:
    try:
        data = read_media(item)  # checks the frozen copy's sha256
    except (ToolkitError, OSError):
        abort(404)
    mimetype = TYPES.get(Path(item.path).suffix.lower(), "application/octet-stream")
    return _private(send_file(io.BytesIO(data), mimetype=mimetype, max_age=3600))


def _private(response: Response) -> Response:
    """Cacheable by the signed-in browser only, never by a shared cache (proxy, CDN)."""
    response.cache_control.public = False
    response.cache_control.private = True
    return response


def thumbnail(path: Path) -> bytes:
    """A small WebP of the image at `path` (cached in memory)."""
    try:
        stat = path.stat()
    except OSError:
        abort(404)
    return _thumbnail((str(path), stat.st_mtime_ns, stat.st_size), path.read_bytes, path.name)


def _thumbnail(key: tuple, load: Callable[[], bytes], name: str) -> bytes:
    """A small WebP of the image `load()` gives (cached in memory under `key`)."""
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    from toolkit.core.errors import GraphicsError
    from toolkit.graphics.ready import open_image

    try:
        with open_image(load(), name) as img:
            img = img.convert("RGB")
            img.thumbnail(THUMB_BOX)
            out = io.BytesIO()
            img.save(out, "WEBP", quality=70, method=4)
    except (GraphicsError, OSError) as exc:  # a bomb or a broken file: refused, never a 500
        abort(422, getattr(exc, "message", "the image cannot be read"))
    data = out.getvalue()
    with _lock:
        _cache[key] = data
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return data


def _thumb(path: Path) -> Response:
    return _private(send_file(io.BytesIO(thumbnail(path)), mimetype="image/webp", max_age=3600))


def _sha256_of(path: str) -> str | None:
    import hashlib

    try:
        stat = Path(path).stat()
        key = (path, stat.st_mtime_ns, stat.st_size)
        if key not in _hashes:
            _hashes[key] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None
    return _hashes[key]


def thumb_url(path: str, sha256: str | None = None) -> str | None:
    """A content-addressed thumbnail URL for an image whose path came from the store (a post's
    media) or from the graphics manifest: posts showing the same image share one URL."""
    key = sha256 if isinstance(sha256, str) and len(sha256) == 64 else _sha256_of(path)
    if key is None:
        return None
    with _lock:
        _known[key] = path
    return url_for("media.thumb", key=key)


@bp.route("/thumbs/<key>.webp")
def thumb(key: str) -> Response:
    """A thumbnail by content key: an image this process handed out, else one the store holds
    (frozen) or the graphics build recorded by that sha256, so any instance of the app serves
    what another one's page named. Never a path a request names."""
    path = _known.get(key)
    if path is not None and Path(path).is_absolute() and Path(path).is_file():
        response = _thumb(Path(path))
    elif (data := _stored(key)) is not None:
        response = _private(send_file(io.BytesIO(_thumbnail(("sha256", key), lambda: data,
                                                            key)),
                                      mimetype="image/webp", max_age=3600))
    else:
        built = _built_path(key)
        if built is None:
            abort(404)
        response = _thumb(built)
    response.cache_control.immutable = True
    response.cache_control.max_age = 86400
    return response


def _built_path(key: str) -> Path | None:
    """The graphic the build's manifest records with sha256 `key`, if any."""
    from toolkit.graphics.manifest import load_manifest

    folder = current_app.extensions["toolkit"].config.graphics_dir
    for entry in load_manifest(folder):
        if entry.get("sha256") == key and entry.get("file"):
            return Path(folder).resolve() / str(entry["file"])
    return None


@bp.route("/media/<post_id>/<int:n>")
def post_image(post_id: str, n: int) -> Response:
    """A post's frozen image, as recorded in the store."""
    return _image(_post_item(post_id, n))


@bp.route("/cards/<card>/<fmt>/<lang>")
def card_image(card: str, fmt: str, lang: str) -> Response:
    """A card from the graphics build (for drafts, not yet frozen)."""
    return _image(MediaItem(str(_card_path(card, fmt, lang)), ""))
