"""Serving the app with waitress (a production WSGI server), in the foreground or beside the
scheduler (`make run`)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

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
    import toolkit.pages.review.preview as preview

    preview.warm_up()


def serve_forever(app, host: str, port: int, threads: int = DEFAULT_THREADS,
                  trusted_proxy: str = "") -> None:
    """Serve until interrupted."""
    from waitress import serve

    serve(app, host=host, port=port, threads=threads, ident="toolkit",
          **proxy_options(trusted_proxy))


def serve_workers(make_app: Callable[[], object], host: str, port: int, workers: int,
                  threads: int = DEFAULT_THREADS, trusted_proxy: str = "") -> None:
    """Serve with `workers` processes sharing one listening socket, each with its own waitress
    threads, until interrupted. Python runs one thread at a time in a process, so one process
    uses one CPU core at most; more processes use more. Any process may answer any request:
    sessions, CSRF tokens and sign-in limits are in the store, not in a process's memory.
    `make_app()` runs in each worker after it starts (its own database connections)."""
    import os
    import signal
    import socket

    from waitress import serve

    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    listener = socket.create_server((host, port), family=family, backlog=1024)
    children: list[int] = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:  # a worker: serve until told to stop, never return into the caller
            code = 0
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                serve(make_app(), sockets=[listener], threads=threads, ident="toolkit",
                      **proxy_options(trusted_proxy))
            except KeyboardInterrupt:
                pass
            except BaseException:  # reported, then this worker ends
                import traceback

                traceback.print_exc()
                code = 1
            finally:
                os._exit(code)
        children.append(pid)
    listener.close()
    stopping = False

    def stop(_signum: int = 0, _frame: object = None) -> None:
        nonlocal stopping
        stopping = True
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    left, failed = set(children), False
    try:
        while left:
            pid, status = os.wait()
            left.discard(pid)
            if status and not stopping:  # a worker failed or was killed: end them all, so
                failed = True            # the service manager sees a failure and restarts
                stop()
    except KeyboardInterrupt:
        stop()
        for child in left:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(child, 0)
    if failed:
        raise SystemExit(1)


def serve_in_background(app, host: str, port: int, threads: int = DEFAULT_THREADS):
    """Start serving on a daemon thread; returns the waitress server (call `.close()`)."""
    from waitress.server import create_server

    server = create_server(app, host=host, port=port, threads=threads, ident="toolkit")
    threading.Thread(target=server.run, name="review-app", daemon=True).start()
    return server
