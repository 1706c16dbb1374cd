"""Serving the app with waitress (a production WSGI server), in the foreground or beside the
scheduler (`make run`)."""

from __future__ import annotations

import threading

#: requests served at once (waitress worker threads), unless `toolkit serve --threads` says
DEFAULT_THREADS = 4


def proxy_options(trusted_proxy: str) -> dict:
    """waitress options to believe a reverse proxy's X-Forwarded-For/-Proto (and only its)."""
    if not trusted_proxy:
        return {}
    return {"trusted_proxy": trusted_proxy, "trusted_proxy_count": 1,
            "trusted_proxy_headers": "x-forwarded-for x-forwarded-proto",
            "clear_untrusted_proxy_headers": True}


def warm_up() -> None:
    """Import now what pages otherwise import on first use: the Bluesky preview's facet
    detection (atproto's client, about 2 s to import) would hold the first request for a
    Bluesky post, and every request queued behind it."""
    import toolkit.review.preview as preview

    preview.warm_up()


def serve_forever(app, host: str, port: int, threads: int = DEFAULT_THREADS,
                  trusted_proxy: str = "") -> None:
    """Serve until interrupted."""
    from waitress import serve

    serve(app, host=host, port=port, threads=threads, ident="toolkit",
          **proxy_options(trusted_proxy))


def serve_in_background(app, host: str, port: int, threads: int = DEFAULT_THREADS):
    """Start serving on a daemon thread; returns the waitress server (call `.close()`)."""
    from waitress.server import create_server

    server = create_server(app, host=host, port=port, threads=threads, ident="toolkit")
    threading.Thread(target=server.run, name="review-app", daemon=True).start()
    return server
