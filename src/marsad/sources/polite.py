"""Politeness: how many requests go to a host at once, how far apart they start, and Retry-After.

One :class:`Politeness` per fetcher: a global semaphore, a per-host semaphore and a minimum
spacing between request starts to one host (``per_host_delay``, raised by robots.txt
``Crawl-delay``; ``Retry-After`` holds every start to the host for a while).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from marsad.sources.options import FetchOptions

__all__ = ["Politeness", "parse_retry_after"]


@dataclass(slots=True)
class _Host:
    slots: asyncio.Semaphore
    lock: asyncio.Lock
    delay: float
    next_start: float = 0.0
    last_start: float | None = None


class Politeness:
    """The concurrency limits and per-host spacing of one fetcher (its clock and sleep replaceable for tests)."""

    def __init__(self, options: FetchOptions, clock: Callable[[], float],
                 sleep: Callable[[float], Awaitable[None]]) -> None:
        self._options = options
        self._clock = clock
        self._sleep = sleep
        self._global = asyncio.Semaphore(options.global_concurrency)
        self._hosts: dict[str, _Host] = {}

    @asynccontextmanager
    async def turn(self, host: str) -> AsyncIterator[None]:
        """Hold a global and a per-host slot, starting once the host's spacing allows."""
        state = self._host(host)
        async with state.slots, self._global:
            await self._pace(state)
            yield

    def slow_down(self, host: str, *, delay: float | None = None, pause: float | None = None) -> None:
        """Raise the host's spacing to ``delay`` and/or hold every start for ``pause`` seconds."""
        state = self._host(host)
        if delay is not None and delay > state.delay:
            state.delay = delay
            if state.last_start is not None:
                state.next_start = max(state.next_start, state.last_start + delay)
        if pause is not None:
            state.next_start = max(state.next_start, self._clock() + pause)

    def _host(self, host: str) -> _Host:
        state = self._hosts.get(host)
        if state is None:
            o = self._options
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
