"""``create_app``: the reader as one ASGI application — the JSON API under ``/api`` and the Arabic web reader.

Read-only by default: every request thread has its own read-only SQLite connection (a connection is never
shared by concurrent requests; WAL lets an ingest write meanwhile). Write endpoints exist only when a token
is configured. Every response carries the security headers (a strict Content-Security-Policy: no script
at all, styles and images from the reader itself only); GET answers of the API and the pages carry an ETag
(a hash of the body) and answer ``If-None-Match`` with 304 (the Atom feeds answer their own conditional GET, with
``Last-Modified`` too: ``web.syndication``). Request bodies are limited in size.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from marsad.errors import ConfigError, InputError, MarsadError, QueryError, SchemaUpgradeNeeded, StoreError
from marsad.store import open_store
from marsad.version import __version__
from marsad.web.api import router as api_router
from marsad.web.deps import WEB_DIR, ServeOptions, StorePool, error_response, etag_of
from marsad.web.pages import error_page
from marsad.web.pages import router as web_router
from marsad.web.syndication import router as feeds_router

log = logging.getLogger("marsad.web")


CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}
ETAG_TYPES = (b"application/json", b"text/html")


# -- middleware (pure ASGI) ---------------------------------------------------------------------------------
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyLimitMiddleware:
    """413 for a request body over the limit: by Content-Length up front, or counted while it streams in
    (the count raises an HTTP error the endpoint's body reading passes on)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the declared length first, then count the streamed bytes."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = f"the request body is larger than {self.max_bytes} bytes"
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                declared = int(value) if value.isdigit() else -1
                if declared < 0:
                    await error_response(400, "Content-Length is not a number")(scope, receive, send)
                    return
                if declared > self.max_bytes:
                    await error_response(413, too_large, headers={"connection": "close"})(scope, receive, send)
                    return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise StarletteHTTPException(413, too_large)
            return message

        await self.app(scope, counted, send)


class HeadersMiddleware:
    """Security headers on every response; ETag, Cache-Control and 304 for GET answers of the API and pages."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Buffer a GET JSON/HTML answer to hash it; pass everything else through with the headers added."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope.get("method", "GET")
        if method == "HEAD":                 # answered as GET without the body (the routes declare GET only)
            scope = {**scope, "method": "GET"}
        path: str = scope.get("path", "")
        wants = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"if-none-match"), None)
        start: Message | None = None
        chunks: list[bytes] = []
        buffering = False

        def secure(message: Message, cache: str | None) -> None:
            headers = [(k, v) for k, v in message.get("headers", []) if k.decode("latin-1").lower()
                       not in SECURITY_HEADERS and (cache is None or k.lower() != b"cache-control")]
            headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
            if cache is not None:
                headers.append((b"cache-control", cache.encode()))
            message["headers"] = headers

        async def wrapped(message: Message) -> None:
            nonlocal start, buffering
            if message["type"] == "http.response.start":
                status = message["status"]
                ctype = next((v for k, v in message.get("headers", []) if k.lower() == b"content-type"), b"")
                if path.startswith("/static/"):
                    secure(message, "public, max-age=3600")
                elif status >= 400:
                    secure(message, "no-store")
                else:
                    secure(message, "no-cache")
                if method in ("GET", "HEAD") and status == 200 and ctype.startswith(ETAG_TYPES):
                    start, buffering = message, True
                    return
                await send(message)
                return
            if not buffering:
                if method == "HEAD" and message["type"] == "http.response.body":
                    message = {**message, "body": b""}
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            assert start is not None
            body = b"".join(chunks)
            etag = etag_of(body)
            headers = [(k, v) for k, v in start["headers"] if k.lower() != b"etag"] + [(b"etag", etag.encode())]
            if wants is not None and (wants.strip() == "*" or etag in [t.strip().removeprefix("W/")
                                                                       for t in wants.split(",")]):
                keep = [(k, v) for k, v in headers if k.lower() not in (b"content-length", b"content-type")]
                await send({"type": "http.response.start", "status": 304, "headers": keep})
                await send({"type": "http.response.body", "body": b""})
                return
            start["headers"] = headers
            await send(start)
            await send({"type": "http.response.body", "body": body if method != "HEAD" else b""})

        await self.app(scope, receive, wrapped)


# -- errors ------------------------------------------------------------------------------------------------
def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api")


def _install_error_handlers(app: FastAPI) -> None:
    """JSON errors under /api, the reader's error page elsewhere; never a stack trace."""
    def respond(request: Request, status: int, message: str, code: str | None = None,
                details: list[dict[str, Any]] | None = None, headers: dict[str, str] | None = None) -> Response:
        if _wants_html(request):
            return error_page(request, status, message, headers=headers)
        return error_response(status, message, code=code, details=details, headers=headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return respond(request, exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        details = [{"loc": [str(p) for p in e.get("loc", ())], "message": str(e.get("msg", ""))}
                   for e in exc.errors()]
        message = "; ".join(f"{'.'.join(d['loc'][1:]) or d['loc'][0] if d['loc'] else 'request'}: {d['message']}"
                            for d in details[:5]) or "invalid request"
        return respond(request, 422, message, details=details)

    @app.exception_handler(QueryError)
    async def bad_query(request: Request, exc: QueryError) -> Response:
        return respond(request, 400, exc.message, code="bad_query")

    @app.exception_handler(ConfigError)
    async def bad_option(request: Request, exc: ConfigError) -> Response:
        return respond(request, 422, str(exc))

    @app.exception_handler(InputError)
    async def bad_input(request: Request, exc: InputError) -> Response:
        return respond(request, 400, exc.message, code=exc.code)

    @app.exception_handler(StoreError)
    async def store_down(request: Request, exc: StoreError) -> Response:
        log.error("store error: %s", exc)
        return respond(request, 503, "the store cannot be read right now; try again shortly")

    @app.exception_handler(MarsadError)
    async def other(request: Request, exc: MarsadError) -> Response:
        return respond(request, 400, str(exc))

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        return respond(request, 500, "unexpected error; it was logged")


def create_app(db_path: str | Path, *, token: str | None = None, options: ServeOptions | None = None) -> FastAPI:
    """The reader over the store at ``db_path`` (opened read-only; it must exist). ``token`` enables writes."""
    if options is None:
        options = ServeOptions(token=token)
    elif token is not None:
        options = ServeOptions(token=token, max_body_bytes=options.max_body_bytes, threads=options.threads,
                               page_size=options.page_size, front_page=options.front_page)
    path = str(db_path)
    try:
        probe = open_store(path, readonly=True)      # fail now, with the store's own message, not per request
    except SchemaUpgradeNeeded:
        open_store(path).close()                     # an older store: migrate it once, then serve it read-only
        probe = open_store(path, readonly=True)
    probe.close()
    pool = StorePool(path)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = options.threads
        try:
            yield
        finally:
            pool.close_all()

    app = FastAPI(title="Marsad reader API", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json",
                  description="Read the Marsad store: articles, stories with their timelines, related articles, "
                              "search, entities with every spelling, sources. Errors are "
                              '`{"error": {"code", "message"}}`. Write endpoints need `Authorization: Bearer '
                              "<token>` and exist only when the server has a token.")
    app.state.options = options
    app.state.pool = pool
    app.state.db_path = path
    _install_error_handlers(app)
    app.include_router(api_router)
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    app.include_router(feeds_router)                  # before the pages: /stories/1.atom is not /stories/{id}
    app.include_router(web_router)
    app.add_middleware(HeadersMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=options.max_body_bytes)
    return app


WORKER_ENV = "MARSAD_SERVE_WORKER"
"""What ``marsad serve --workers N`` hands its worker processes: the store path and the options, as JSON."""


def worker_environment(db_path: str | Path, options: ServeOptions) -> dict[str, str]:
    """The environment entry from which ``worker_app`` rebuilds the app in a worker process."""
    return {WORKER_ENV: json.dumps({"db": str(db_path), "options": asdict(options)})}


def worker_app() -> FastAPI:
    """The app of one worker process of ``marsad serve --workers N`` (uvicorn's factory, run in each process):
    the same store, opened read-only by the process's own request threads."""
    spec = os.environ.get(WORKER_ENV)
    if not spec:
        raise ConfigError(f"${WORKER_ENV} is not set: worker_app is started by `marsad serve --workers N`")
    given = json.loads(spec)
    return create_app(given["db"], options=ServeOptions(**given["options"]))
