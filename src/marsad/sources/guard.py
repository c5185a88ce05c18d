"""The address guard (SSRF): only public addresses are fetched, and only the address that was checked.

* :func:`check_address` decides whether one IP address may be connected to (no DNS, no I/O).
* The fetcher resolves every host itself and checks *every* address before anything is sent, on
  every redirect hop.
* :class:`GuardedNetworkBackend` (an httpcore network backend, installed by
  :func:`guarded_transport`) connects only to those checked addresses, never to the name, so a
  DNS answer that changes between check and connect (DNS rebinding) cannot reach a private
  address. TLS still verifies and sends SNI for the hostname.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import typing
from collections.abc import Awaitable, Callable, Iterable

import httpcore
import httpx

from marsad.errors import FetchError
from marsad.sources.options import FetchOptions

__all__ = ["GuardedNetworkBackend", "Resolver", "check_address", "guarded_transport", "is_ip_literal",
           "is_public_host", "system_resolve"]

Resolver = Callable[[str], Awaitable[list[str]]]
"""``async resolver(host) -> [ip, ...]``: every address the host resolves to."""

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


async def system_resolve(host: str) -> list[str]:
    """Every address ``host`` resolves to (the system resolver, off the event loop)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def is_ip_literal(host: str) -> bool:
    """True when ``host`` is an IP address, not a name."""
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


def guarded_transport(options: FetchOptions, resolve: Resolver,
                       inner: httpcore.AsyncNetworkBackend | None) -> httpx.AsyncHTTPTransport:
    """An httpx transport whose connection pool connects through :class:`GuardedNetworkBackend`."""
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


def is_public_host(host: str) -> bool:
    """True when every address ``host`` resolves to is public (not private, loopback, link-local...)."""
    try:
        infos = socket.getaddrinfo(host.strip("[]"), None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return False
    options = FetchOptions()
    try:
        for info in infos:
            check_address(str(info[4][0]), options)
    except FetchError:
        return False
    return bool(infos)
