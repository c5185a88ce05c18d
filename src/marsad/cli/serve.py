"""`marsad serve`: the JSON API and the Arabic web reader over a store."""

from __future__ import annotations

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
@click.option("--max-body", "max_body", default=2 * 1024 * 1024, show_default=True, type=int,
              help="Largest request body accepted, in bytes (larger gets 413).")
def serve(db: str | None, host: str, port: int, token: str | None, threads: int, max_body: int) -> None:
    """Serve the JSON API (/api/...) and the Arabic web reader at http://HOST:PORT until Ctrl-C."""
    import uvicorn

    from marsad.config import default_db_path
    from marsad.web.app import ServeOptions, create_app

    path = db or default_db_path()
    try:
        app = create_app(path, options=ServeOptions(token=token or None, threads=threads, max_body_bytes=max_body))
    except MarsadError as exc:
        fail(exc)
    mode = "read-write (token set)" if token else "read-only"
    click.echo(f"Marsad reader on http://{host}:{port}/ over {path} ({mode}); API schema at /api/openapi.json. "
               "Ctrl-C stops it.", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False, proxy_headers=False)


COMMANDS = (serve,)
