"""`marsad serve`: the JSON API and the Arabic web reader over a store."""

from __future__ import annotations

from typing import Any

import click

from marsad.cli.common import db_option, fail
from marsad.errors import MarsadError


@click.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--token", default=None, envvar="MARSAD_API_TOKEN", metavar="TOKEN", show_envvar=True,
              help="Enable the write endpoints (POST /api/ingest/...) for clients sending 'Authorization: Bearer "
                   "TOKEN' (at least 16 characters). Without it the server is read-only.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256),
              help="Request threads, each with its own read-only connection to the store.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 32),
              help="Server processes sharing the port, each with its own request threads and read-only connections "
                   "(and its own copy of a vector index once semantic search or related lists load it): more than "
                   "one uses more cores.")
@click.option("--max-body", "max_body", default=2 * 1024 * 1024, show_default=True, type=int,
              help="Largest request body accepted, in bytes (larger gets 413).")
def serve(db: str | None, host: str, port: int, token: str | None, threads: int, workers: int,
          max_body: int) -> None:
    """Serve the JSON API (/api/...) and the Arabic web reader at http://HOST:PORT until Ctrl-C."""
    import os

    import uvicorn

    from marsad.config import default_db_path
    from marsad.web.app import ServeOptions, create_app, worker_environment

    path = db or default_db_path()
    try:
        options = ServeOptions(token=token or None, threads=threads, max_body_bytes=max_body)
        app = create_app(path, options=options)        # checks (and if needed migrates) the store once, here
    except MarsadError as exc:
        fail(exc)
    mode = "read-write (token set)" if token else "read-only"
    processes = f", {workers} processes" if workers > 1 else ""
    click.echo(f"Marsad reader on http://{host}:{port}/ over {path} ({mode}{processes}); API schema at "
               "/api/openapi.json. Ctrl-C stops it.", err=True)
    common: dict[str, Any] = {"host": host, "port": port, "log_level": "warning", "server_header": False,
                              "proxy_headers": False}
    if workers == 1:
        uvicorn.run(app, **common)
        return
    os.environ.update(worker_environment(path, options))      # the workers start in this folder too
    uvicorn.run("marsad.web.app:worker_app", factory=True, workers=workers, **common)


COMMANDS = (serve,)
