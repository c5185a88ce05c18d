"""Fetching one URL for `marsad extract URL`, on top of the polite fetcher in :mod:`marsad.sources.fetch`.

``fetch_url`` keeps its small contract (one page, timeouts, a size cap, a redirect limit, safe
addresses, page content types only) and inherits the fetcher's address guard: every redirect
hop is checked and the connection goes only to a checked address. It does not consult
robots.txt: it fetches one page a person asked for, it does not crawl.
"""

from __future__ import annotations

import asyncio

import httpx

from marsad.models import RawDocument
from marsad.sources.fetch import USER_AGENT, FetchOptions, fetch_sync
from marsad.sources.guard import is_public_host

__all__ = ["USER_AGENT", "fetch_url", "is_public_host"]

_TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml")


class _SyncTransportAdapter(httpx.AsyncBaseTransport):
    """Runs a synchronous httpx transport (the old ``transport=`` argument) under the async fetcher."""

    def __init__(self, transport: httpx.BaseTransport) -> None:
        self._transport = transport

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        sync_request = httpx.Request(request.method, request.url, headers=request.headers, content=body,
                                     extensions=request.extensions)

        def run() -> httpx.Response:
            response = self._transport.handle_request(sync_request)
            headers = response.headers
            if response.is_stream_consumed:      # built from bytes: httpx has read and decoded it already
                raw = response.content
                headers = httpx.Headers([(k, v) for k, v in headers.multi_items()
                                         if k.lower() not in ("content-encoding", "content-length")])
            else:
                try:
                    raw = b"".join(response.iter_raw())
                finally:
                    response.close()
            return httpx.Response(response.status_code, headers=headers, content=raw)

        return await asyncio.to_thread(run)


def fetch_url(url: str, *, timeout: float = 20.0, max_bytes: int = 20 * 1024 * 1024,
              allow_private: bool = False, transport: httpx.BaseTransport | None = None) -> RawDocument:
    """Fetch ``url`` and return it as a RawDocument, or raise FetchError with the reason."""
    options = FetchOptions(
        connect_timeout=min(10.0, timeout), read_timeout=timeout, total_timeout=max(60.0, 3 * timeout),
        max_bytes=max_bytes, retries=1, per_host_delay=0.0, respect_robots=False,
        allow_private=allow_private, allow_loopback=allow_private, accept_types=_TEXT_TYPES,
    )
    adapter = _SyncTransportAdapter(transport) if transport is not None else None
    return fetch_sync(url, options, transport=adapter).raw_document()
