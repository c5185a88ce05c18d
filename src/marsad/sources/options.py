"""What a fetch may do and what it gives back: :class:`FetchOptions` and :class:`FetchResult`.

Kept apart from the fetcher so the address guard (:mod:`marsad.sources.guard`) and the fetcher
(:mod:`marsad.sources.fetch`) share one options object without importing each other.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from marsad.errors import ConfigError
from marsad.models import DocumentKind, RawDocument
from marsad.version import __version__

__all__ = ["USER_AGENT", "FetchOptions", "FetchResult"]

USER_AGENT = f"Marsad/{__version__} (+https://github.com/marsad-news/marsad; Arabic news research)"


@dataclass(frozen=True, slots=True)
class FetchOptions:
    """How a :class:`Fetcher` behaves. The defaults are the polite production settings."""

    user_agent: str = USER_AGENT
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    """Wall-clock cap of one attempt (connect + headers + body)."""
    max_bytes: int = 10 * 1024 * 1024
    """Cap of the (decoded) body; larger -> ``OversizedInputError``."""
    max_redirects: int = 5
    per_host_concurrency: int = 2
    per_host_delay: float = 1.0
    """Minimum seconds between request starts to one host (robots ``Crawl-delay`` raises it)."""
    global_concurrency: int = 16
    retries: int = 3
    """Extra attempts on 429, 500, 502, 503, 504, timeouts and connection errors."""
    backoff_base: float = 1.0
    """Backoff before retry n (0-based) is ``backoff_base * 2**n`` times a jitter in [0.5, 1.5)."""
    max_retry_after: float = 300.0
    """A ``Retry-After`` longer than this gives up at once (the error carries ``retry_after``)."""
    respect_robots: bool = True
    allow_private: bool = False
    """Allow private, link-local, metadata and loopback addresses (explicit opt-in)."""
    allow_loopback: bool = False
    """Allow only 127.0.0.0/8 and ::1 (what tests use); private ranges stay refused."""
    accept_types: tuple[str, ...] = (
        "text/html", "application/xhtml+xml", "application/xml", "text/xml", "application/rss+xml",
        "application/atom+xml", "application/feed+json", "application/json", "text/plain",
    )
    """Media types accepted; others are refused with reason ``content_type``. No header is accepted."""
    robots_timeout: float = 10.0
    """Wall-clock cap of one robots.txt fetch."""
    robots_ttl: float = 86_400.0
    """How long a fetched (or 4xx, allow-all) robots.txt is trusted."""
    robots_error_ttl: float = 600.0
    """How long a 5xx / 429 / unreachable robots.txt keeps the origin disallowed before retrying."""
    max_crawl_delay: float = 60.0
    """Cap on a robots.txt ``Crawl-delay`` (some sites ask for hours)."""

    def __post_init__(self) -> None:
        for name in ("per_host_concurrency", "global_concurrency", "max_bytes"):
            if getattr(self, name) < 1:
                raise ConfigError(f"FetchOptions.{name} must be at least 1, not {getattr(self, name)!r}")
        for name in ("connect_timeout", "read_timeout", "total_timeout", "robots_timeout"):
            if not getattr(self, name) > 0:
                raise ConfigError(f"FetchOptions.{name} must be a positive number of seconds")
        for name in ("max_redirects", "retries", "per_host_delay", "backoff_base", "max_retry_after",
                     "robots_ttl", "robots_error_ttl", "max_crawl_delay"):
            if getattr(self, name) < 0:
                raise ConfigError(f"FetchOptions.{name} must not be negative")


@dataclass(frozen=True, slots=True)
class FetchResult:
    """The outcome of one successful fetch (a 2xx body, or 304 Not Modified)."""

    url: str
    """Final URL after redirects."""
    requested_url: str
    status: int
    """The 2xx status, or 304 when the conditional GET found nothing new."""
    data: bytes
    """The decoded (Content-Encoding removed) body; ``b""`` for 304."""
    media_type: str | None
    charset: str | None
    """Codec named by the Content-Type ``charset`` parameter (normalized), if any."""
    etag: str | None
    last_modified: str | None
    fetched_at: str
    """ISO 8601 UTC, seconds."""
    redirects: tuple[str, ...] = ()
    """Every URL redirected to, in order (the last one is ``url``)."""

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def raw_document(self, *, source: str | None = None, kind: DocumentKind | None = None) -> RawDocument:
        """This result as a :class:`RawDocument` for extraction (``kind`` "text" for text/plain, else "html")."""
        return RawDocument(
            data=self.data, kind=kind or ("text" if self.media_type == "text/plain" else "html"),
            ref=self.url, url=self.url, media_type=self.media_type, charset=self.charset,
            fetched_at=self.fetched_at, source=source, sha256=hashlib.sha256(self.data).hexdigest(),
        )
