"""The polite, safe fetcher of live sources (feeds, sitemaps, article pages).

One :class:`Fetcher` (asyncio + ``httpx.AsyncClient``) serves a whole run:

* **Safety (SSRF).** Every host is resolved and *every* address checked with
  :func:`check_address` before anything is sent, on every redirect hop (redirects are followed
  here, not by httpx). The connection itself goes through :class:`GuardedNetworkBackend`, an
  httpcore network backend that connects only to an address that was checked (the same
  resolution, cached), so a DNS answer that changes between check and connect (DNS rebinding)
  cannot reach a private address. TLS still verifies and sends SNI for the hostname.
* **Politeness.** A global semaphore, a per-host semaphore and a minimum spacing between request
  starts to one host (``per_host_delay``, raised by robots.txt ``Crawl-delay`` and by
  ``Retry-After``). robots.txt is fetched once per origin and cached (RFC 9309: 4xx = allow all,
  5xx / 429 / timeout / network error = disallow everything for a while).
* **Robustness.** Connect/read timeouts, a wall-clock cap per attempt, a streamed body capped at
  ``max_bytes`` (Content-Length checked first; compressed bodies decoded here with a bounded
  decoder so a compression bomb cannot blow up memory), a content-type allowlist, retries with
  exponential backoff and jitter on 429/5xx/timeouts/connection errors honouring
  ``Retry-After``, and conditional GET (ETag / Last-Modified -> 304).

The fetcher never decodes text: :class:`FetchResult` carries the bytes and the declared charset;
``marsad.text.encoding.decode_bytes`` decides.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import ipaddress
import logging
import random
import re
import socket
import time
import typing
import zlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import quote, unquote

import httpcore
import httpx

from marsad.errors import ConfigError, FetchError, OversizedInputError
from marsad.models import RawDocument
from marsad.text.encoding import charset_from_content_type
from marsad.version import __version__

try:  # optional: httpx itself only decodes br when brotli is installed, and so do we
    import brotli as _brotli  # type: ignore[import-not-found, unused-ignore]
except ImportError:  # pragma: no cover - depends on the environment
    _brotli = None

__all__ = [
    "ROBOTS_TOKEN",
    "USER_AGENT",
    "FetchOptions",
    "FetchResult",
    "Fetcher",
    "GuardedNetworkBackend",
    "RobotsRules",
    "check_address",
    "fetch_sync",
    "parse_retry_after",
]

log = logging.getLogger(__name__)

USER_AGENT = f"Marsad/{__version__} (+https://github.com/marsad-news/marsad; Arabic news research)"
ROBOTS_TOKEN = "Marsad"
"""The product token robots.txt groups are matched against (case-insensitively)."""

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ROBOTS_MAX_BYTES = 512_000  # RFC 9309: parse at least 500 KiB; the rest is ignored
DNS_TTL = 60.0

Resolver = Callable[[str], Awaitable[list[str]]]
"""``async resolver(host) -> [ip, ...]``: every address the host resolves to."""


# ---------------------------------------------------------------------------------------------
# options and result
# ---------------------------------------------------------------------------------------------


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

    def raw_document(self, *, source: str | None = None, kind: str | None = None) -> RawDocument:
        """This result as a :class:`RawDocument` for extraction (``kind`` "text" for text/plain, else "html")."""
        return RawDocument(
            data=self.data, kind=kind or ("text" if self.media_type == "text/plain" else "html"),
            ref=self.url, url=self.url, media_type=self.media_type, charset=self.charset,
            fetched_at=self.fetched_at, source=source, sha256=hashlib.sha256(self.data).hexdigest(),
        )


# ---------------------------------------------------------------------------------------------
# address safety
# ---------------------------------------------------------------------------------------------

_METADATA = frozenset({
    ipaddress.ip_address("169.254.169.254"),   # AWS, GCP, Azure, OpenStack, ...
    ipaddress.ip_address("169.254.170.2"),     # AWS ECS task metadata
    ipaddress.ip_address("100.100.100.200"),   # Alibaba Cloud
    ipaddress.ip_address("192.0.0.192"),       # Oracle Cloud (legacy)
    ipaddress.ip_address("fd00:ec2::254"),     # AWS IPv6
})
_SHARED = ipaddress.ip_network("100.64.0.0/10")          # carrier-grade NAT
_IETF_PROTOCOL = ipaddress.ip_network("192.0.0.0/24")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _refuse(ip: str, what: str) -> FetchError:
    return FetchError(
        f"refused to connect to {ip}: a {what} address (only public addresses are fetched)",
        ref=ip, reason="refused_address",
    )


def check_address(ip: str, options: FetchOptions) -> None:
    """Raise ``FetchError(reason="refused_address")`` unless ``ip`` may be connected to.

    Only inspects the address; never resolves or connects. Refused unless public: private,
    loopback (unless ``allow_loopback``), link-local, multicast, reserved, unspecified, shared
    (CGNAT 100.64/10), IETF protocol (192.0.0/24), cloud metadata, and IPv6 forms embedding one
    of those (IPv4-mapped, NAT64, 6to4, Teredo). ``allow_private`` permits everything but
    multicast and unspecified addresses.
    """
    text = ip.strip().strip("[]")
    try:
        addr: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(text)
    except ValueError:
        raise _refuse(ip, "malformed") from None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped                      # ::ffff:a.b.c.d is a.b.c.d
    if addr.is_multicast:
        raise _refuse(ip, "multicast")
    if addr.is_unspecified:
        raise _refuse(ip, "unspecified")
    if addr.is_loopback:
        if options.allow_loopback or options.allow_private:
            return
        raise _refuse(ip, "loopback")
    if options.allow_private:
        return
    if addr in _METADATA:
        raise _refuse(ip, "cloud metadata")
    if addr.is_link_local:
        raise _refuse(ip, "link-local")
    if isinstance(addr, ipaddress.IPv4Address):
        if addr in _SHARED:
            raise _refuse(ip, "shared (carrier-grade NAT)")
        if addr in _IETF_PROTOCOL:
            raise _refuse(ip, "IETF protocol")
        if addr.is_private:
            raise _refuse(ip, "private")
        if addr.is_reserved or not addr.is_global:
            raise _refuse(ip, "reserved")
        return
    embedded: ipaddress.IPv4Address | None = None
    if addr in _NAT64:
        embedded = ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
    elif addr.sixtofour is not None:
        embedded = addr.sixtofour
    elif addr.teredo is not None:
        embedded = addr.teredo[1]
    if embedded is not None:
        try:
            check_address(str(embedded), options)
        except FetchError:
            raise _refuse(ip, f"IPv6 address embedding {embedded}, a non-public") from None
        if addr in _NAT64:
            return                                   # NAT64 of a public IPv4 address
    if addr.is_site_local or (addr.is_private and not addr.is_global):
        raise _refuse(ip, "private")
    if addr.is_reserved or not addr.is_global:
        raise _refuse(ip, "reserved")


async def _system_resolve(host: str) -> list[str]:
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class GuardedNetworkBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that connects only to checked addresses.

    ``connect_tcp(host, ...)`` asks ``resolve(host)`` for the addresses (which resolves and runs
    :func:`check_address` on every one, raising ``FetchError`` on a refusal) and connects to
    those IP addresses, never to the name: no second resolution can slip a different address
    in. TLS is started by httpcore on the returned stream with the hostname (SNI, certificate).
    """

    def __init__(self, resolve: Callable[[str], Awaitable[list[str]]],
                 inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._resolve = resolve
        self._inner = inner if inner is not None else httpcore.AnyIOBackend()

    async def connect_tcp(
        self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._resolve(host)
        last: Exception | None = None
        for ip in addresses:
            try:
                return await self._inner.connect_tcp(
                    ip, port, timeout=timeout, local_address=local_address, socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        if last is not None:
            raise last
        raise httpcore.ConnectError(f"{host} resolved to no address")

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise FetchError("unix sockets are never fetched", ref=path, reason="refused_address")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def _guarded_transport(options: FetchOptions, resolve: Resolver,
                       inner: httpcore.AsyncNetworkBackend | None) -> httpx.AsyncHTTPTransport:
    limits = httpx.Limits(max_connections=options.global_concurrency + 4,
                          max_keepalive_connections=options.global_concurrency, keepalive_expiry=15.0)
    transport = httpx.AsyncHTTPTransport(limits=limits, trust_env=False)
    if not isinstance(getattr(transport, "_pool", None), httpcore.AsyncConnectionPool):
        # Fail closed: without our backend the connect would bypass the address guard.
        raise RuntimeError("this httpx version does not build an httpcore.AsyncConnectionPool; "
                           "the address guard cannot be installed")
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        http1=True, http2=False,
        network_backend=GuardedNetworkBackend(resolve, inner),
    )
    return transport


# ---------------------------------------------------------------------------------------------
# robots.txt (RFC 9309)
# ---------------------------------------------------------------------------------------------

_PATH_SAFE = "/?&=:@!$'()*+,;~-._"


def _norm_path(text: str) -> str:
    return quote(unquote(text), safe=_PATH_SAFE)


def _compile_rule(pattern: str) -> re.Pattern[str]:
    anchored = pattern.endswith("$")
    if anchored:
        pattern = pattern[:-1]
    regex = ".*".join(re.escape(_norm_path(piece)) for piece in pattern.split("*"))
    return re.compile(regex + ("$" if anchored else ""), re.S)


@dataclass(frozen=True, slots=True)
class RobotsRules:
    """The robots.txt rules that apply to one user-agent token (RFC 9309 matching).

    Groups naming the token (case-insensitively, "Marsad/1.0" counts as "marsad") are merged;
    without one, the ``*`` groups apply; without those, everything is allowed. The longest
    matching pattern wins, ``Allow`` wins a tie; ``*`` and a final ``$`` are wildcards.
    (``urllib.robotparser`` is not used: it ignores wildcards and takes the first matching rule
    instead of the longest, so common rules like ``Disallow: /*?print=`` were not honoured.)
    """

    rules: tuple[tuple[bool, int, re.Pattern[str]], ...] = ()
    crawl_delay: float | None = None
    sitemaps: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str, agent: str = ROBOTS_TOKEN) -> RobotsRules:
        token = agent.split("/")[0].strip().lower()
        groups: list[tuple[list[str], list[tuple[bool, str]], list[float]]] = []
        sitemaps: list[str] = []
        current: tuple[list[str], list[tuple[bool, str]], list[float]] | None = None
        in_agents = False
        for raw in text.lstrip("\ufeff").splitlines():
            line = raw.split("#", 1)[0].strip()
            if ":" not in line:
                continue
            key, value = (part.strip() for part in line.split(":", 1))
            key = key.lower().replace(" ", "-")
            if key in ("user-agent", "useragent"):
                if current is None or not in_agents:
                    current = ([], [], [])
                    groups.append(current)
                current[0].append(value.split("/")[0].strip().lower())
                in_agents = True
                continue
            if key == "sitemap":
                if value:
                    sitemaps.append(value)
                continue
            in_agents = False
            if current is None:
                continue
            if key in ("allow", "disallow"):
                if value:                       # "Disallow:" with no path allows everything
                    current[1].append((key == "allow", value))
            elif key == "crawl-delay":
                with contextlib.suppress(ValueError):
                    delay = float(value)
                    if delay >= 0 and delay == delay:  # not NaN
                        current[2].append(delay)
        chosen = [g for g in groups if token in g[0]] or [g for g in groups if "*" in g[0]]
        rules = tuple(
            (allow, len(pattern), _compile_rule(pattern)) for g in chosen for allow, pattern in g[1]
        )
        delays = [d for g in chosen for d in g[2]]
        return cls(rules=rules, crawl_delay=delays[0] if delays else None, sitemaps=tuple(sitemaps))

    def allowed(self, path: str) -> bool:
        """May ``path`` (path and query of a URL) be fetched?"""
        if not path.startswith("/"):
            path = "/" + path
        if path == "/robots.txt":
            return True
        target = _norm_path(path)
        best: tuple[int, bool] | None = None
        for allow, length, regex in self.rules:
            if regex.match(target) and (best is None or (length, allow) > best):
                best = (length, allow)
        return True if best is None else best[1]


@dataclass(slots=True)
class _RobotsEntry:
    rules: RobotsRules | None          # None: no usable file (allow_all decides)
    allow_all: bool
    expires: float
    note: str


# ---------------------------------------------------------------------------------------------
# bodies
# ---------------------------------------------------------------------------------------------


class _TooBig(Exception):
    pass


class _Decoder:
    """One Content-Encoding stage, bounded: never produces more than ``limit`` bytes."""

    def __init__(self, encoding: str, limit: int) -> None:
        self.encoding = encoding
        self.limit = limit
        self.total = 0
        self._first = True
        self._brotli = None
        if encoding in ("gzip", "x-gzip"):
            self._wbits = 16 + zlib.MAX_WBITS
        elif encoding == "deflate":
            self._wbits = zlib.MAX_WBITS
        elif encoding == "br" and _brotli is not None:
            self._wbits = 0
            self._brotli = _brotli.Decompressor()
        else:
            raise ValueError(encoding)
        self._zlib = zlib.decompressobj(self._wbits) if self._wbits else None

    def _out(self, chunk: bytes) -> bytes:
        self.total += len(chunk)
        if self.total > self.limit:
            raise _TooBig
        return chunk

    def feed(self, data: bytes) -> bytes:
        if self._brotli is not None:
            return self._out(self._brotli.process(data))
        assert self._zlib is not None
        try:
            return self._feed_zlib(data)
        except zlib.error:
            if self._first and self.encoding == "deflate":   # raw deflate without the zlib header
                self._wbits = -zlib.MAX_WBITS
                self._zlib = zlib.decompressobj(self._wbits)
                self._first = False
                return self._feed_zlib(data)
            raise

    def _feed_zlib(self, data: bytes) -> bytes:
        assert self._zlib is not None
        out = bytearray()
        while data:
            if self._zlib.eof:
                rest = self._zlib.unused_data + data
                if not rest.startswith(b"\x1f\x8b"):
                    break                                  # trailing garbage after the stream
                self._zlib = zlib.decompressobj(self._wbits)  # next gzip member
                data = rest
            chunk = self._zlib.decompress(data, self.limit - self.total + 1)
            out += self._out(chunk)
            data = self._zlib.unconsumed_tail
            if not chunk and not data:
                break
        self._first = False
        return bytes(out)

    def flush(self) -> bytes:
        if self._zlib is not None:
            return self._out(self._zlib.flush())
        return b""


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` value asks to wait (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _media_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    media = content_type.split(";", 1)[0].strip().lower()
    return media or None


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# ---------------------------------------------------------------------------------------------
# the fetcher
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Host:
    slots: asyncio.Semaphore
    lock: asyncio.Lock
    delay: float
    next_start: float = 0.0
    last_start: float | None = None


@dataclass(slots=True)
class _Response:
    status: int
    data: bytes
    headers: httpx.Headers


@dataclass(slots=True)
class _Redirect:
    location: str
    status: int


class _Retry(Exception):
    def __init__(self, error: FetchError, wait: float | None) -> None:
        super().__init__(str(error))
        self.error = error
        self.wait = wait


@dataclass(slots=True)
class _Plan:
    """What one GET (with its redirect chain) is allowed to do."""

    ref: str
    retries: int
    total_timeout: float
    limit: int
    truncate: bool                      # robots.txt: keep the first ``limit`` bytes instead of failing
    accept: tuple[str, ...] | None      # None: any content type
    check_robots: bool
    conditional: bool
    headers: dict[str, str] = field(default_factory=dict)


class Fetcher:
    """Fetch URLs politely and safely; one instance per run (it holds the client and the caches).

    Use as ``async with Fetcher(options) as f: result = await f.fetch(url)``; share it between
    concurrent tasks (``asyncio.gather``) of ONE event loop. ``transport`` replaces the network
    (e.g. ``httpx.MockTransport`` in tests) - the address check still applies to every URL's host.
    ``network_backend`` is the httpcore backend wrapped by the address guard (tests spy on it),
    ``resolver`` replaces DNS (``async (host) -> [ip, ...]``), ``clock``/``sleep`` replace
    ``time.monotonic``/``asyncio.sleep`` for politeness delays and backoff (tests use virtual time).
    """

    def __init__(
        self,
        options: FetchOptions | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        network_backend: httpcore.AsyncNetworkBackend | None = None,
        resolver: Resolver | None = None,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        self.options = options if options is not None else FetchOptions()
        o = self.options
        self._clock = clock or time.monotonic
        self._sleep = sleep or asyncio.sleep
        self._resolver = resolver or _system_resolve
        self._dns: dict[str, tuple[float, list[str]]] = {}
        if transport is None:
            transport = _guarded_transport(o, self._checked_addresses, network_backend)
        encodings = "gzip, deflate" + (", br" if _brotli is not None else "")
        self._client = httpx.AsyncClient(
            transport=transport,
            follow_redirects=False,
            trust_env=False,          # no proxies or .netrc from the environment
            timeout=httpx.Timeout(connect=o.connect_timeout, read=o.read_timeout, write=o.read_timeout,
                                  pool=max(o.connect_timeout, o.total_timeout)),
            headers={
                "User-Agent": o.user_agent,
                "Accept": ", ".join(o.accept_types) if o.accept_types else "*/*",
                "Accept-Encoding": encodings,
                "Accept-Language": "ar, en;q=0.5",
            },
        )
        self._global = asyncio.Semaphore(o.global_concurrency)
        self._hosts: dict[str, _Host] = {}
        self._robots: dict[str, _RobotsEntry] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}
        self.stats: dict[str, int] = {"requests": 0, "retries": 0, "not_modified": 0, "refused": 0, "bytes": 0}

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    # -- addresses ------------------------------------------------------------------------------

    async def _checked_addresses(self, host: str, ref: str | None = None) -> list[str]:
        """Resolve ``host`` (cached for DNS_TTL) and check every address; raise on any refusal."""
        host = host.strip("[]").lower()
        if _is_ip_literal(host):
            addresses = [host]
        else:
            now = time.monotonic()
            cached = self._dns.get(host)
            if cached is not None and cached[0] > now:
                addresses = cached[1]
            else:
                try:
                    async with asyncio.timeout(self.options.connect_timeout):
                        found = await self._resolver(host)
                except TimeoutError:
                    raise FetchError(f"resolving {host} took longer than {self.options.connect_timeout:g}s",
                                     ref=ref or host, reason="timeout") from None
                except (OSError, UnicodeError) as exc:
                    raise FetchError(f"cannot resolve {host}: {exc}", ref=ref or host, reason="network") from exc
                addresses = list(dict.fromkeys(found))
                if not addresses:
                    raise FetchError(f"{host} resolved to no address", ref=ref or host, reason="network")
                self._dns[host] = (now + DNS_TTL, addresses)
        try:
            for ip in addresses:
                check_address(ip, self.options)
        except FetchError as exc:
            self.stats["refused"] += 1
            if host != exc.ref:
                exc.message = f"{host} -> {exc.message}"
            if ref:
                exc.ref = ref
            raise
        return addresses

    # -- politeness -----------------------------------------------------------------------------

    def _host(self, host: str) -> _Host:
        state = self._hosts.get(host)
        if state is None:
            o = self.options
            state = _Host(slots=asyncio.Semaphore(o.per_host_concurrency), lock=asyncio.Lock(),
                          delay=o.per_host_delay)
            self._hosts[host] = state
        return state

    async def _pace(self, state: _Host) -> None:
        async with state.lock:
            wait = state.next_start - self._clock()
            if wait > 0:
                await self._sleep(wait)
            start = self._clock()
            state.last_start = start
            state.next_start = max(state.next_start, start + state.delay)

    def _slow_down(self, host: str, *, delay: float | None = None, pause: float | None = None) -> None:
        """Raise the host's spacing to ``delay`` and/or hold every start for ``pause`` seconds."""
        state = self._host(host)
        if delay is not None and delay > state.delay:
            state.delay = delay
            if state.last_start is not None:
                state.next_start = max(state.next_start, state.last_start + delay)
        if pause is not None:
            state.next_start = max(state.next_start, self._clock() + pause)

    # -- robots.txt -----------------------------------------------------------------------------

    async def robots_allowed(self, url: str) -> bool:
        """May ``url`` be fetched under its origin's robots.txt (fetched once and cached)?"""
        if not self.options.respect_robots:
            return True
        target = self._parse_url(url, ref=url)
        path = target.raw_path.decode("ascii", "replace") or "/"
        if path == "/robots.txt":
            return True
        entry = await self._robots_entry(target)
        if entry.rules is None:
            return entry.allow_all
        return entry.rules.allowed(path)

    async def _robots_entry(self, target: httpx.URL) -> _RobotsEntry:
        origin = f"{target.scheme}://{target.host}:{target.port or (443 if target.scheme == 'https' else 80)}"
        entry = self._robots.get(origin)
        if entry is not None and entry.expires > self._clock():
            return entry
        lock = self._robots_locks.setdefault(origin, asyncio.Lock())
        async with lock:
            entry = self._robots.get(origin)
            if entry is None or entry.expires <= self._clock():
                entry = await self._load_robots(target.copy_with(path="/robots.txt", query=None, fragment=None))
                self._robots[origin] = entry
        return entry

    async def _load_robots(self, robots_url: httpx.URL) -> _RobotsEntry:
        o = self.options
        url = str(robots_url)
        plan = _Plan(ref=url, retries=0, total_timeout=min(o.robots_timeout, o.total_timeout),
                     limit=ROBOTS_MAX_BYTES, truncate=True, accept=None, check_robots=False, conditional=False)
        ok_until = self._clock() + o.robots_ttl
        retry_at = self._clock() + o.robots_error_ttl
        try:
            response, _final, _redirects = await self._get(robots_url, plan)
        except FetchError as exc:
            if exc.reason == "http_status" and exc.status is not None and 400 <= exc.status < 500 \
                    and exc.status != 429:
                return _RobotsEntry(None, True, ok_until, f"robots.txt HTTP {exc.status}: allow all")
            if exc.reason in ("redirects", "refused_address", "bad_url"):
                # RFC 9309: an unreachable-by-redirect robots.txt counts as unavailable (allow all).
                return _RobotsEntry(None, True, ok_until, f"robots.txt unavailable ({exc.reason}): allow all")
            log.info("robots.txt %s failed (%s); origin disallowed for %.0fs", url, exc, o.robots_error_ttl)
            return _RobotsEntry(None, False, retry_at, f"robots.txt unreachable ({exc.reason}): disallow")
        text = response.data.decode("utf-8", "replace")
        rules = RobotsRules.parse(text, ROBOTS_TOKEN)
        if rules.crawl_delay:
            self._slow_down(robots_url.host, delay=min(rules.crawl_delay, o.max_crawl_delay))
        return _RobotsEntry(rules, True, ok_until, "robots.txt parsed")

    # -- fetching -------------------------------------------------------------------------------

    def _parse_url(self, url: str, *, ref: str) -> httpx.URL:
        try:
            parsed = httpx.URL(url.strip())
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            raise FetchError(f"not a valid URL: {url!r} ({exc})", ref=ref, reason="bad_url") from None
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise FetchError(f"not an http(s) URL: {url!r}", ref=ref, reason="bad_url")
        return parsed.copy_with(fragment=None)

    async def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> FetchResult:
        """GET ``url`` following redirects; raise ``FetchError`` / ``OversizedInputError``.

        With ``etag`` / ``last_modified`` the request is conditional and a 304 answer gives
        ``FetchResult(status=304, data=b"")``.
        """
        o = self.options
        target = self._parse_url(url, ref=url)
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        plan = _Plan(ref=url, retries=o.retries, total_timeout=o.total_timeout, limit=o.max_bytes,
                     truncate=False, accept=o.accept_types, check_robots=o.respect_robots,
                     conditional=bool(headers), headers=headers)
        response, final, redirects = await self._get(target, plan)
        ctype = response.headers.get("content-type")
        if response.status == 304:
            self.stats["not_modified"] += 1
        return FetchResult(
            url=str(final), requested_url=url, status=response.status, data=response.data,
            media_type=_media_type(ctype), charset=charset_from_content_type(ctype),
            etag=response.headers.get("etag") or (etag if response.status == 304 else None),
            last_modified=response.headers.get("last-modified") or (last_modified if response.status == 304 else None),
            fetched_at=_now_iso(), redirects=tuple(redirects),
        )

    async def _get(self, target: httpx.URL, plan: _Plan) -> tuple[_Response, httpx.URL, list[str]]:
        """One GET with its redirect chain: address check, robots and retries on every hop."""
        seen = {str(target)}
        redirects: list[str] = []
        current = target
        while True:
            await self._checked_addresses(current.host, ref=plan.ref)
            if plan.check_robots and not await self.robots_allowed(str(current)):
                self.stats["refused"] += 1
                raise FetchError(f"robots.txt of {current.host} disallows {current.raw_path.decode('ascii')} "
                                 f"for {ROBOTS_TOKEN}", ref=plan.ref, reason="robots")
            outcome = await self._with_retries(current, plan)
            if isinstance(outcome, _Response):
                return outcome, current, redirects
            if len(redirects) >= self.options.max_redirects:
                raise FetchError(f"more than {self.options.max_redirects} redirects (last to {outcome.location})",
                                 ref=plan.ref, reason="redirects", status=outcome.status)
            try:
                nxt = current.join(outcome.location).copy_with(fragment=None)
            except (httpx.InvalidURL, ValueError) as exc:
                raise FetchError(f"bad redirect Location {outcome.location!r}: {exc}", ref=plan.ref,
                                 reason="redirects", status=outcome.status) from None
            if nxt.scheme not in ("http", "https") or not nxt.host:
                raise FetchError(f"refused redirect to a non-http(s) URL {outcome.location!r}", ref=plan.ref,
                                 reason="redirects", status=outcome.status)
            if str(nxt) in seen:
                raise FetchError(f"redirect loop at {nxt}", ref=plan.ref, reason="redirects", status=outcome.status)
            seen.add(str(nxt))
            redirects.append(str(nxt))
            current = nxt

    async def _with_retries(self, url: httpx.URL, plan: _Plan) -> _Response | _Redirect:
        attempt = 0
        while True:
            try:
                return await self._attempt(url, plan)
            except _Retry as retry:
                if attempt >= plan.retries:
                    raise retry.error from None
                wait = retry.wait
                if wait is None:
                    wait = self.options.backoff_base * (2 ** attempt) * random.uniform(0.5, 1.5)
                attempt += 1
                self.stats["retries"] += 1
                log.debug("retry %d of %s in %.2fs: %s", attempt, url, wait, retry.error)
                await self._sleep(wait)

    async def _attempt(self, url: httpx.URL, plan: _Plan) -> _Response | _Redirect:
        state = self._host(url.host)
        async with state.slots, self._global:
            await self._pace(state)
            self.stats["requests"] += 1
            try:
                async with asyncio.timeout(plan.total_timeout):
                    request = self._client.build_request("GET", url, headers=plan.headers)
                    response = await self._client.send(request, stream=True)
                    try:
                        return await self._handle(url, response, plan)
                    finally:
                        await response.aclose()
            except TimeoutError:
                raise _Retry(FetchError(f"{url} took longer than {plan.total_timeout:g}s", ref=plan.ref,
                                        reason="timeout"), None) from None
            except httpx.TimeoutException as exc:
                raise _Retry(FetchError(f"timed out fetching {url}: {type(exc).__name__}", ref=plan.ref,
                                        reason="timeout"), None) from None
            except httpx.InvalidURL as exc:
                raise FetchError(f"not a valid URL: {url} ({exc})", ref=plan.ref, reason="bad_url") from None
            except (httpx.TransportError, httpx.DecodingError) as exc:
                raise _Retry(FetchError(f"could not fetch {url}: {type(exc).__name__}: {exc}", ref=plan.ref,
                                        reason="network"), None) from None

    async def _handle(self, url: httpx.URL, response: httpx.Response, plan: _Plan) -> _Response | _Redirect:
        status = response.status_code
        headers = response.headers
        if status in REDIRECT_STATUSES:
            raw = next((v for k, v in headers.raw if k.lower() == b"location"), None)
            if not raw:
                raise FetchError(f"HTTP {status} redirect without a Location from {url}", ref=plan.ref,
                                 reason="redirects", status=status)
            try:
                location = raw.decode("utf-8").strip()
            except UnicodeDecodeError:
                location = raw.decode("latin-1").strip()
            return _Redirect(location, status)
        if status == 304 and plan.conditional:
            return _Response(304, b"", headers)
        if status in RETRY_STATUSES:
            wait = parse_retry_after(headers.get("retry-after"))
            error = FetchError(f"HTTP {status} from {url}", ref=plan.ref, reason="http_status", status=status,
                               retry_after=wait)
            if wait is not None:
                if wait > self.options.max_retry_after:
                    error.message += f" (Retry-After {wait:.0f}s is over the {self.options.max_retry_after:g}s cap)"
                    raise error
                self._slow_down(url.host, pause=wait)   # every request to this host waits
            raise _Retry(error, wait)
        if not 200 <= status < 300:
            raise FetchError(f"HTTP {status} from {url}", ref=plan.ref, reason="http_status", status=status)
        media = _media_type(headers.get("content-type"))
        if plan.accept is not None and media is not None and media not in plan.accept:
            self.stats["refused"] += 1
            raise FetchError(f"refused content type {media!r} from {url}: not a page or feed", ref=plan.ref,
                             reason="content_type", status=status)
        data = await self._read_body(url, response, plan)
        self.stats["bytes"] += len(data)
        return _Response(status, data, headers)

    async def _read_body(self, url: httpx.URL, response: httpx.Response, plan: _Plan) -> bytes:
        limit = plan.limit
        declared = response.headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > limit and not plan.truncate:
            raise OversizedInputError(
                f"{url} declares {int(declared)} bytes (Content-Length), over the {limit} byte limit",
                ref=plan.ref,
            )
        if response.is_stream_consumed:
            # A response built from bytes (httpx.MockTransport, an injected transport) was read and
            # decoded by httpx already; only the cap applies.
            data = response.content
            if len(data) > limit and not plan.truncate:
                raise OversizedInputError(f"{url}: body is over the {limit} byte limit", ref=plan.ref)
            return data[:limit]
        encodings = [e.strip().lower() for e in response.headers.get("content-encoding", "").split(",")]
        encodings = [e for e in encodings if e and e != "identity"]
        try:
            decoders = [_Decoder(e, limit) for e in reversed(encodings)]
        except ValueError as exc:
            raise FetchError(f"unsupported Content-Encoding {exc} from {url}", ref=plan.ref,
                             reason="content_type") from None
        body = bytearray()
        raw_total = 0
        try:
            async for chunk in response.aiter_raw():
                raw_total += len(chunk)
                for decoder in decoders:
                    chunk = decoder.feed(chunk)
                body += chunk
                if len(body) > limit or raw_total > limit:
                    raise _TooBig
            tail = b""
            for decoder in decoders:
                tail = decoder.feed(tail) + decoder.flush()
            body += tail
            if len(body) > limit:
                raise _TooBig
        except _TooBig:
            if plan.truncate:
                return bytes(body[:limit])
            what = "decoded body" if decoders else "body"
            raise OversizedInputError(f"{url}: {what} is over the {limit} byte limit", ref=plan.ref) from None
        except zlib.error as exc:
            raise FetchError(f"corrupt {', '.join(encodings)} body from {url}: {exc}", ref=plan.ref,
                             reason="network") from None
        return bytes(body)


def fetch_sync(url: str, options: FetchOptions | None = None, *, etag: str | None = None,
               last_modified: str | None = None, **fetcher_kw: typing.Any) -> FetchResult:
    """Fetch one URL from synchronous code (``asyncio.run``; not from inside a running loop).

    ``fetcher_kw`` go to :class:`Fetcher` (``transport``, ``resolver``, ``network_backend``, ...).
    """

    async def one() -> FetchResult:
        async with Fetcher(options, **fetcher_kw) as fetcher:
            return await fetcher.fetch(url, etag=etag, last_modified=last_modified)

    return asyncio.run(one())
