"""`toolkit serve`: the review web app behind waitress (a production WSGI server)."""

from __future__ import annotations

import click

from toolkit.core.errors import ToolkitError
from toolkit.surfaces.cli.context import get_toolkit
from toolkit.surfaces.web.server import DEFAULT_THREADS


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind (keep 127.0.0.1 behind a reverse proxy).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              help="Port to listen on.")
@click.option("--threads", default=DEFAULT_THREADS, show_default=True,
              type=click.IntRange(1, 64),
              help="Requests served at once (waitress threads), per worker.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 32),
              help="Processes serving the app on the one port: one process uses one CPU "
                   "core at most, so give up to one per core.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, threads: int, workers: int) -> None:
    """Run the review web app until Ctrl-C."""
    from toolkit.store.web import WebStore
    from toolkit.surfaces.web import create_app
    from toolkit.surfaces.web.server import serve_forever, serve_workers, warm_up

    toolkit = get_toolkit(ctx)
    toolkit.library  # noqa: B018 - a broken library fails here, with its path:line
    app = create_app(toolkit)
    if not WebStore(toolkit.store).user_count():
        click.echo("nobody can sign in yet: add someone with "
                   "`toolkit users add NAME --role lead`", err=True)
    warm_up()
    click.echo(f"review app on http://{host}:{port}/ (Ctrl-C stops it)", err=True)
    def worker_app():  # in a worker: its own connections, none of the parent's
        toolkit.store.engine.dispose(close=False)
        return create_app(toolkit)

    try:
        if workers > 1:
            serve_workers(worker_app, host, port, workers, threads,
                          toolkit.config.web.trusted_proxy)
        else:
            serve_forever(app, host, port, threads, toolkit.config.web.trusted_proxy)
    except OSError as exc:
        raise ToolkitError(f"cannot serve on {host}:{port}: {exc.strerror or exc} "
                           "(is something else using the port? try --port)") from None
    except ValueError:  # waitress: an address it cannot resolve or bind
        raise ToolkitError(f"cannot serve on {host}:{port}: not an address of this machine "
                           "(try --host 127.0.0.1)") from None
