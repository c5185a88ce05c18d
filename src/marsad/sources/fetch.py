"""The polite async fetcher of live sources (feeds, sitemaps, article pages).

One :class:`Fetcher` (asyncio + ``httpx.AsyncClient``) serves a whole run:

* **Safety (SSRF).** Every host is resolved and *every* address checked with
  :func:`~marsad.sources.guard.check_address` before anything is sent, on every redirect hop
  (redirects are followed here, not by httpx); the connection goes only to a checked address
  (:mod:`marsad.sources.guard`).
* **Politeness.** A global semaphore, a per-host semaphore and a minimum spacing between request
  starts to one host (``per_host_delay``, raised by robots.txt ``Crawl-delay`` and by
  ``Retry-After``; :mod:`marsad.sources.polite`). robots.txt is fetched once per origin and
  cached (:mod:`marsad.sources.robots`: 4xx = allow all, 5xx / 429 / timeout / network error =
  disallow everything for a while).
* **Robustness.** Connect/read timeouts, a wall-clock cap per attempt, a streamed body capped at
  ``max_bytes`` and decoded with a bounded decoder (:mod:`marsad.sources.decompress`), a
  content-type allowlist, retries with exponential backoff and jitter on
  429/5xx/timeouts/connection errors honouring ``Retry-After``, and conditional GET
  (ETag / Last-Modified -> 304).

The fetcher never decodes text: :class:`FetchResult` carries the bytes and the declared charset;
``marsad.text.encoding.decode_bytes`` decides. The names of the modules it is built from are
re-exported here (``check_address``, ``RobotsRules``, ``FetchOptions``...).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpcore
import httpx

from marsad.errors import FetchError
from marsad.sources.decompress import ACCEPT_ENCODING, read_body
from marsad.sources.guard import (
    GuardedNetworkBackend,
    Resolver,
    check_address,
    guarded_transport,
    is_ip_literal,
    system_resolve,
)
from marsad.sources.options import USER_AGENT, FetchOptions, FetchResult
from marsad.sources.polite import Politeness, parse_retry_after
from marsad.sources.robots import ROBOTS_MAX_BYTES, ROBOTS_TOKEN, RobotsEntry, RobotsRules, unavailable_entry
from marsad.text.encoding import charset_from_content_type
from marsad.times import now_iso

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

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
DNS_TTL = 60.0


def _media_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    media = content_type.split(";", 1)[0].strip().lower()
    return media or None


# ---------------------------------------------------------------------------------------------
# the fetcher
# ---------------------------------------------------------------------------------------------


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
        self._resolver = resolver or system_resolve
        self._dns: dict[str, tuple[float, list[str]]] = {}
        if transport is None:
            transport = guarded_transport(o, self._checked_addresses, network_backend)
        self._client = httpx.AsyncClient(
            transport=transport,
            follow_redirects=False,
            trust_env=False,          # no proxies or .netrc from the environment
            timeout=httpx.Timeout(connect=o.connect_timeout, read=o.read_timeout, write=o.read_timeout,
                                  pool=max(o.connect_timeout, o.total_timeout)),
            headers={
                "User-Agent": o.user_agent,
                "Accept": ", ".join(o.accept_types) if o.accept_types else "*/*",
                "Accept-Encoding": ACCEPT_ENCODING,
                "Accept-Language": "ar, en;q=0.5",
            },
        )
        self._polite = Politeness(o, self._clock, self._sleep)
        self._robots: dict[str, RobotsEntry] = {}
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
        if is_ip_literal(host):
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
        return entry.allowed(path)

    async def _robots_entry(self, target: httpx.URL) -> RobotsEntry:
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

    async def _load_robots(self, robots_url: httpx.URL) -> RobotsEntry:
        o = self.options
        url = str(robots_url)
        plan = _Plan(ref=url, retries=0, total_timeout=min(o.robots_timeout, o.total_timeout),
                     limit=ROBOTS_MAX_BYTES, truncate=True, accept=None, check_robots=False, conditional=False)
        ok_until = self._clock() + o.robots_ttl
        retry_at = self._clock() + o.robots_error_ttl
        try:
            response, _final, _redirects = await self._get(robots_url, plan)
        except FetchError as exc:
            entry = unavailable_entry(exc, ok_until=ok_until, retry_at=retry_at)
            if not entry.allow_all:
                log.info("robots.txt %s failed (%s); origin disallowed for %.0fs", url, exc, o.robots_error_ttl)
            return entry
        text = response.data.decode("utf-8", "replace")
        rules = RobotsRules.parse(text, ROBOTS_TOKEN)
        if rules.crawl_delay:
            self._polite.slow_down(robots_url.host, delay=min(rules.crawl_delay, o.max_crawl_delay))
        return RobotsEntry(rules, True, ok_until, "robots.txt parsed")

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
            fetched_at=now_iso(), redirects=tuple(redirects),
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
        async with self._polite.turn(url.host):
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
                self._polite.slow_down(url.host, pause=wait)   # every request to this host waits
            raise _Retry(error, wait)
        if not 200 <= status < 300:
            raise FetchError(f"HTTP {status} from {url}", ref=plan.ref, reason="http_status", status=status)
        media = _media_type(headers.get("content-type"))
        if plan.accept is not None and media is not None and media not in plan.accept:
            self.stats["refused"] += 1
            raise FetchError(f"refused content type {media!r} from {url}: not a page or feed", ref=plan.ref,
                             reason="content_type", status=status)
        data = await read_body(response, limit=plan.limit, truncate=plan.truncate, url=url, ref=plan.ref)
        self.stats["bytes"] += len(data)
        return _Response(status, data, headers)


def fetch_sync(url: str, options: FetchOptions | None = None, *, etag: str | None = None,
               last_modified: str | None = None, **fetcher_kw: typing.Any) -> FetchResult:
    """Fetch one URL from synchronous code (``asyncio.run``; not from inside a running loop).

    ``fetcher_kw`` go to :class:`Fetcher` (``transport``, ``resolver``, ``network_backend``, ...).
    """

    async def one() -> FetchResult:
        async with Fetcher(options, **fetcher_kw) as fetcher:
            return await fetcher.fetch(url, etag=etag, last_modified=last_modified)

    return asyncio.run(one())
