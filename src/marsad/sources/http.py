"""Fetching one URL for `marsad extract URL`: timeouts, a size cap, a redirect limit, safe addresses.

A deliberately small fetcher; the live-sources stage (feeds, robots.txt, rate limits, retries,
conditional GET) builds the polite one on the same httpx client.
"""

from __future__ import annotations

import hashlib
import ipaddress
import socket
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx

from marsad import __version__
from marsad.errors import FetchError, OversizedInputError
from marsad.models import RawDocument

USER_AGENT = f"Marsad/{__version__} (+https://github.com/marsad-news/marsad; Arabic news research)"
_TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml")


def is_public_host(host: str) -> bool:
    """True when every address ``host`` resolves to is public (not private, loopback, link-local...)."""
    try:
        infos = socket.getaddrinfo(host, None)
    except socket.gaierror:
        return False
    for info in infos:
        ip = ipaddress.ip_address(info[4][0])
        if not ip.is_global or ip.is_multicast:
            return False
    return True


def fetch_url(url: str, *, timeout: float = 20.0, max_bytes: int = 20 * 1024 * 1024,
              allow_private: bool = False, transport: httpx.BaseTransport | None = None) -> RawDocument:
    """Fetch ``url`` and return it as a RawDocument, or raise FetchError with the reason."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"not an http(s) URL: {url!r}", ref=url)
    with httpx.Client(
        timeout=httpx.Timeout(timeout, connect=min(10.0, timeout)),
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml,text/plain;q=0.8"},
        transport=transport,
    ) as client:
        current = url
        for _ in range(6):
            host = urlsplit(current).hostname or ""
            if not allow_private and transport is None and not is_public_host(host):
                raise FetchError(f"refused: {host} is a private, loopback or unresolvable address", ref=url)
            try:
                with client.stream("GET", current) as resp:
                    if resp.is_redirect:
                        location = resp.headers.get("location")
                        if not location:
                            raise FetchError(f"HTTP {resp.status_code} redirect without a Location", ref=url)
                        current = str(resp.url.join(location))
                        continue
                    if resp.status_code >= 400:
                        raise FetchError(f"HTTP {resp.status_code} from {current}", ref=url)
                    ctype = resp.headers.get("content-type", "").split(";")[0].strip().lower()
                    if ctype and not ctype.startswith(_TEXT_TYPES):
                        raise FetchError(f"refused content type {ctype!r}: not a news page", ref=url)
                    body = bytearray()
                    for chunk in resp.iter_bytes():
                        body.extend(chunk)
                        if len(body) > max_bytes:
                            raise OversizedInputError(f"body is over the {max_bytes} byte limit", ref=url)
                    data = bytes(body)
                    charset = resp.charset_encoding
                    return RawDocument(
                        data=data, kind="text" if ctype == "text/plain" else "html", ref=current, url=current,
                        media_type=ctype or None, charset=charset,
                        fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
                        sha256=hashlib.sha256(data).hexdigest(),
                    )
            except httpx.HTTPError as exc:
                raise FetchError(f"could not fetch {current}: {type(exc).__name__}: {exc}", ref=url) from exc
        raise FetchError("too many redirects (more than 5)", ref=url)
