"""Gzip for the app's own pages and text assets when the browser accepts it: a week of posts
on a time axis is mostly repeated markup, and travels at about a tenth of its size."""

from __future__ import annotations

import gzip

from flask import Flask, Response, request

#: smaller bodies are sent as they are
MIN_SIZE = 1024
TYPES = ("text/html", "text/css", "text/javascript", "application/javascript",
         "text/calendar", "application/json")


def _gzip(response: Response) -> Response:
    if (response.status_code != 200 or response.direct_passthrough
            or response.mimetype not in TYPES or "Content-Encoding" in response.headers
            or "gzip" not in request.headers.get("Accept-Encoding", "").lower()):
        return response
    body = response.get_data()
    if len(body) < MIN_SIZE:
        return response
    response.set_data(gzip.compress(body, compresslevel=6, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response


def install(app: Flask) -> None:
    """Compress every eligible response of `app`."""
    app.after_request(_gzip)
