"""`/m/<post id>/<n>/<token>.<ext>`: an approved post's frozen image for Threads and Instagram,
which fetch images themselves (see `toolkit.store.public_media`). Public (no session), but only
with the post's token, only while the post waits to go out, and only the frozen bytes."""

from __future__ import annotations

import io
from pathlib import Path

from flask import Blueprint, Response, abort, send_file

from toolkit.core.errors import ToolkitError
from toolkit.publishers.base import MediaItem, read_media
from toolkit.store import APPROVED, PUBLISHING, public_media
from toolkit.surfaces.web import security
from toolkit.surfaces.web.media import TYPES
from toolkit.surfaces.web.views import toolkit

bp = Blueprint("public_media", __name__)


@bp.route(f"{public_media.ROUTE}<post_id>/<int:index>/<name>")
def image(post_id: str, index: int, name: str) -> Response:
    """The frozen image, or 404 for a wrong token, a post not waiting to go out, or bytes that
    no longer match the approved hash."""
    mark, _, suffix = name.partition(".")
    try:
        post = toolkit().store.get(post_id)
    except ToolkitError:
        abort(404)
    if post.status not in (APPROVED, PUBLISHING) or not 0 <= index < len(post.media):
        abort(404)
    entry = post.media[index]
    sha = str(entry.get("sha256") or "")
    env = public_media.media_key_env(toolkit().config.root)
    if not public_media.valid(env, post_id, index, sha, mark) \
            or Path(entry.get("path", "")).suffix.lower() != f".{suffix.lower()}":
        abort(404)
    try:
        data = read_media(MediaItem(str(entry["path"]), "", sha,
                                    toolkit().store.frozen_images([sha]).get(sha)))
    except ToolkitError:
        abort(404)
    response = send_file(io.BytesIO(data), mimetype=TYPES.get(f".{suffix.lower()}",
                                                              "application/octet-stream"))
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def install() -> None:
    """Let the platforms fetch these images without a session."""
    security.PUBLIC_ENDPOINTS.add("public_media.image")
