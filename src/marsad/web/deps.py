"""What the API and the pages depend on: the options, one read-only store per request thread (with a cache
that lasts until the store changes), the write token check and the JSON error body."""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from marsad.errors import ConfigError
from marsad.store import Store, open_store

T = TypeVar("T")

WEB_DIR = Path(__file__).parent
STATUS_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                405: "method_not_allowed", 406: "not_acceptable", 413: "payload_too_large",
                415: "unsupported_media_type", 422: "invalid_parameter", 500: "internal_error",
                503: "store_unavailable"}
MIN_TOKEN_CHARS = 16


@dataclass(frozen=True, slots=True)
class ServeOptions:
    """Options of ``marsad serve``; validated once."""

    token: str | None = None              # enables the write endpoints (Bearer token); None: read-only
    max_body_bytes: int = 2 * 1024 * 1024 # larger request bodies get 413
    threads: int = 8                      # request threads, each with its own read-only connection
    page_size: int = 20                   # items per page of the web reader's lists
    front_page: int = 12                  # stories on the home page

    def __post_init__(self) -> None:
        if self.token is not None and len(self.token) < MIN_TOKEN_CHARS:
            raise ConfigError(f"the API token must have at least {MIN_TOKEN_CHARS} characters "
                              "(make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))')")
        if self.max_body_bytes < 1024:
            raise ConfigError("max_body_bytes must be at least 1024")
        if not 1 <= self.threads <= 256:
            raise ConfigError("threads must be between 1 and 256")
        if not 1 <= self.page_size <= 100 or not 1 <= self.front_page <= 100:
            raise ConfigError("page_size and front_page must be between 1 and 100")


class StorePool:
    """One read-only store connection per thread, opened on first use, all closed at shutdown."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: list[Store] = []
        self.write_lock = threading.Lock()   # one ingest at a time through the API

    def get(self) -> Store:
        """This thread's read-only store."""
        store: Store | None = getattr(self._local, "store", None)
        if store is None:
            store = open_store(self.path, readonly=True)
            self._local.store = store
            with self._lock:
                self._open.append(store)
        return store

    def cached(self, key: Hashable, compute: Callable[[Store], T]) -> T:
        """``compute(store)`` for this thread's store, reused until another connection commits (SQLite's
        ``change_marker`` changes then): the front page is not recomputed per request while nothing changes."""
        store = self.get()
        version = store.change_marker()
        cache: dict[Hashable, tuple[int, Any]] = self._local.__dict__.setdefault("cache", {})
        hit = cache.get(key)
        if hit is not None and hit[0] == version:
            return cast(T, hit[1])
        value = compute(store)
        cache[key] = (version, value)
        return value

    def close_all(self) -> None:
        """Close every connection opened so far."""
        with self._lock:
            for store in self._open:
                store.close()
            self._open.clear()
        self._local = threading.local()


def error_response(status: int, message: str, *, code: str | None = None,
                   details: list[dict[str, Any]] | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    """``{"error": {"code", "message"}}`` with the status code."""
    body: dict[str, Any] = {"code": code or STATUS_CODES.get(status, "error"), "message": message}
    if details:
        body["details"] = details
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def etag_of(body: bytes) -> str:
    """The strong ETag of a response body (a short hash, quoted)."""
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def check_token(request: Request) -> None:
    """Allow a write only with ``Authorization: Bearer <token>`` matching the configured token (401 / 403)."""
    options: ServeOptions = request.app.state.options
    if options.token is None:
        raise StarletteHTTPException(403, "this reader is read-only: start it with --token (or $MARSAD_API_TOKEN) "
                                          "to enable write endpoints")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given:
        raise StarletteHTTPException(401, "send the API token as 'Authorization: Bearer <token>'",
                                     headers={"WWW-Authenticate": "Bearer"})
    if not hmac.compare_digest(given.strip().encode(), options.token.encode()):
        raise StarletteHTTPException(403, "the API token is not valid")


def cached(request: Request, key: Hashable, compute: Callable[[Store], T]) -> T:
    """``compute(store)``, reused by this thread until the store changes (see ``StorePool.cached``)."""
    pool: StorePool = request.app.state.pool
    return pool.cached(key, compute)


def store_of(request: Request) -> Store:
    """The calling thread's read-only store (call it inside the endpoint, which runs in a worker thread)."""
    pool: StorePool = request.app.state.pool
    return pool.get()
