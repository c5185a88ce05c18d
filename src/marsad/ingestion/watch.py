"""Live sources: poll feeds and sitemaps on adaptive intervals and ingest what is new (`marsad watch`).

Per-feed state (validators, schedule, consecutive errors, counters) lives in the store and
survives restarts. A poll stores its items through the ordinary ingestion pipeline first and
saves the feed's validators only after that commit, so a crash (even SIGKILL) mid-pass loses
nothing and duplicates nothing: the next pass re-polls, skips item URLs already handled
(``feed_items`` / article identity) and fetches only the rest. A failing feed is backed off
exponentially and reported; it never stops the others.

Fetching and writing overlap. The event loop only fetches and parses; ingestion (extraction,
NER, embeddings, the SQLite write) and every other store call run, in the order they were asked
for, on one store thread (a single-worker executor), so the SQLite connection is used by that
thread alone while the watcher runs. While a chunk of one feed is written, the loop goes on
fetching: the next chunk's pages, other feeds. A feed's state is saved by a job queued after its
chunks' commits (and only once they succeeded); stopping lets the polls in hand finish and
drains the store thread before :meth:`Watcher.run` returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import logging
import os
import random
import signal
import socket
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from marsad.config import IngestOptions
from marsad.errors import FetchError, InputError, MalformedInputError, MarsadError, StoreError
from marsad.ingestion.pipeline import RunReport, identity_of, ingest_items
from marsad.models import DocumentKind, RawDocument
from marsad.sources.feeds import FeedItem, FeedSpec, ParsedFeed, parse_feed
from marsad.sources.fetch import Fetcher, FetchOptions, FetchResult
from marsad.sources.urls import url_key
from marsad.store import open_store
from marsad.store.base import Store
from marsad.times import parse_utc, to_iso, utc_now

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WatchOptions:
    """Scheduling options of `marsad watch`."""

    default_interval: float = 900.0       # first interval of a new feed (s)
    min_interval: float = 300.0
    max_interval: float = 6 * 3600.0
    max_backoff: float = 24 * 3600.0      # longest wait after repeated failures
    failing_after: int = 3                # consecutive errors before a feed is reported as failing
    max_items_per_poll: int = 300
    max_child_sitemaps: int = 20
    max_page_attempts: int = 3            # a page that keeps failing is given up after this many polls
    feed_concurrency: int = 8
    chunk: int = 25                       # items fetched, then ingested and committed, at a time
    lease_seconds: float = 900.0          # a feed polled by this watcher is leased for this long (others skip it),
                                          # renewed every third of it while the pass runs
    fetch: FetchOptions = field(default_factory=FetchOptions)
    deliver_alerts: bool = True           # send due watchlist alerts after each pass (marsad.ingestion.deliver)


@dataclass(slots=True)
class PollResult:
    """What one poll of one feed did."""

    url: str
    status: str = "ok"                    # ok | not_modified | error
    items: int = 0
    new: int = 0
    skipped: int = 0
    stored: int = 0
    duplicate: int = 0
    rejected: int = 0
    from_feed: int = 0                    # items stored from the feed's own text: their page could not be fetched
    upgraded: int = 0                     # articles stored from a feed's text, replaced in place by their page
    error: str | None = None


@dataclass(slots=True)
class WatchReport:
    """What a watch pass (or a whole watch session) did."""

    passes: int = 0
    polls: list[PollResult] = field(default_factory=list)
    alerts_sent: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Totals plus per-feed results."""
        tot: dict[str, Any] = {"passes": self.passes, "polls": len(self.polls), "alerts_sent": self.alerts_sent}
        for key in ("items", "new", "skipped", "stored", "duplicate", "rejected", "from_feed", "upgraded"):
            tot[key] = sum(getattr(p, key) for p in self.polls)
        tot["not_modified"] = sum(p.status == "not_modified" for p in self.polls)
        tot["errors"] = sum(p.status == "error" for p in self.polls)
        tot["feeds"] = [vars_of(p) for p in self.polls]
        return tot


def vars_of(p: PollResult) -> dict[str, Any]:
    """A PollResult as a dict."""
    return {k: getattr(p, k) for k in PollResult.__slots__}


def next_interval(current: float, new_items: int, options: WatchOptions) -> float:
    """Adapt a feed's interval to how often it changes: halve when it had news, grow 1.5x when not."""
    interval = current / 2 if new_items > 0 else current * 1.5
    return max(options.min_interval, min(options.max_interval, interval))


def backoff_delay(errors: int, interval: float, options: WatchOptions) -> float:
    """Exponential backoff with jitter after ``errors`` consecutive failures."""
    delay = interval * (2 ** min(errors, 10))
    return min(options.max_backoff, delay) * random.uniform(0.9, 1.1)


class Watcher:
    """Polls feeds and ingests new items into one store."""

    def __init__(self, store: Store, feeds: Iterable[FeedSpec], *, options: WatchOptions | None = None,
                 ingest_options: IngestOptions | None = None, fetcher: Fetcher | None = None) -> None:
        self.store = store
        self.options = options or WatchOptions()
        # One process: the store thread must not fork extraction workers while the event loop runs (a fork of a
        # threaded process can deadlock); the watcher's volume is far below what one process enriches.
        self.ingest_options = dataclasses.replace(ingest_options or IngestOptions(), workers=1)
        self.feeds = {spec.url: spec for spec in feeds}
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"   # this watcher, in feed leases
        self._fetcher = fetcher
        self._stop = asyncio.Event()
        self._store_thread: ThreadPoolExecutor | None = None
        for spec in self.feeds.values():  # before any poll: the store thread does not exist yet
            interval = spec.interval or self.options.default_interval
            store.upsert_feed(spec.url, title=spec.title, source=spec.source, language=spec.language,
                              interval=interval)

    def stop(self) -> None:
        """Ask the watcher to finish the polls in hand and return."""
        self._stop.set()

    async def run(self, *, once: bool = False, max_passes: int | None = None) -> WatchReport:
        """Poll due feeds until stopped (or one pass over all feeds with ``once``)."""
        report = WatchReport()
        own = self._fetcher is None
        fetcher = self._fetcher or Fetcher(self.options.fetch)
        try:
            while not self._stop.is_set():
                due = list(self.feeds) if once else await self._db(self._due)
                # Several watchers may share the store: each polls only the feeds it could lease (a watcher that
                # died holds its leases until they run out, then another takes its feeds over).
                leased = await self._db(self._claim, due) if due else []
                if leased:
                    report.passes += 1
                    renewing = asyncio.create_task(self._renew(leased))
                    try:
                        report.polls.extend(await self._pass(fetcher, leased))
                    finally:
                        renewing.cancel()
                        with contextlib.suppress(asyncio.CancelledError):
                            await renewing
                        await asyncio.shield(self._db(self.store.release_feeds, self.owner, leased))
                if self.options.deliver_alerts:
                    report.alerts_sent += await self._deliver()
                if once or (max_passes is not None and report.passes >= max_passes):
                    break
                wait = min(30.0, await self._db(self._seconds_to_next))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), timeout=wait)
        finally:
            try:
                if own:
                    await fetcher.aclose()
            finally:
                self._drain()
        return report

    async def _deliver(self) -> int:
        """Send the due watchlist alerts (store calls on the store thread; retries left to the next pass); a
        delivery problem is logged, never stops the watcher. The alerts sent."""
        from marsad.ingestion.deliver import Deliverer, DeliverOptions

        fetch = self.options.fetch
        deliverer = Deliverer(self.store, DeliverOptions(allow_private=fetch.allow_private,
                                                         allow_loopback=fetch.allow_loopback, max_wait=0.0),
                              db=self._db)
        try:
            report = await deliverer.run()
        except MarsadError as exc:
            log.warning("delivering alerts failed: %s", exc)
            return 0
        finally:
            await deliverer.aclose()
        for error in report.errors:
            log.warning("alert: %s", error)
        return report.sent

    def _submit(self, call: Callable[..., T], *args: Any, **kwargs: Any) -> asyncio.Future[T]:
        """Queue ``call`` (anything touching the store) for the store thread, after the calls queued before it."""
        if self._store_thread is None:
            self._store_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="marsad-store")
        loop = asyncio.get_running_loop()
        return loop.run_in_executor(self._store_thread, functools.partial(call, *args, **kwargs))

    async def _db(self, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``call`` on the store thread and wait for its result."""
        return await self._submit(call, *args, **kwargs)

    def _drain(self) -> None:
        """Let the store thread finish what it was given, then end it (the store is free for the caller)."""
        if self._store_thread is not None:
            self._store_thread.shutdown(wait=True)
            self._store_thread = None

    def _claim(self, urls: list[str]) -> list[str]:
        """Store thread: lease ``urls`` to this watcher; a lease held by a watcher of this host whose process is gone
        (killed, crashed) is taken over at once, one held elsewhere only when it runs out."""
        host = socket.gethostname()
        dead = set()
        for url in urls:
            holder = (self.store.get_feed(url) or {}).get("lease_owner")
            if holder and holder != self.owner:
                holder_host, _, rest = holder.partition(":")
                pid = rest.partition(":")[0]
                if holder_host == host and pid.isdigit() and not _alive(int(pid)):
                    dead.add(holder)
        if dead:
            for holder in sorted(dead):
                self.store.release_feeds(holder, urls)
        return self.store.claim_feeds(self.owner, urls, seconds=self.options.lease_seconds)

    async def _renew(self, urls: list[str]) -> None:
        """Keep this watcher's leases on ``urls`` alive while a pass runs (a pass may outlast one lease): renew
        every third of the lease, so a live watcher never loses a feed and a dead one loses it within a lease.
        Renewals use a connection and thread of their own: on the store thread they would wait behind a chunk's
        ingestion (the first one loads the models), which can outlast a short lease."""
        every = self.options.lease_seconds / 3
        loop = asyncio.get_running_loop()
        lease_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="marsad-lease")
        lease_store: list[Store] = []

        def renew() -> list[str]:
            if not lease_store:
                ref = getattr(self.store, "dsn", None) or getattr(self.store, "path", None)
                if not ref or ref == ":memory:":
                    raise _SameConnection
                lease_store.append(open_store(ref))
            return lease_store[0].claim_feeds(self.owner, urls, seconds=self.options.lease_seconds)

        try:
            while True:
                await asyncio.sleep(every)
                try:
                    kept = await loop.run_in_executor(lease_thread, renew)
                except _SameConnection:     # an in-memory store: only its own connection sees it
                    kept = await self._db(self.store.claim_feeds, self.owner, urls,
                                          seconds=self.options.lease_seconds)
                except StoreError as exc:
                    log.warning("could not renew the feed leases: %s", exc)
                    continue
                self._check_leases(urls, kept)
        finally:
            def close() -> None:
                for store in lease_store:
                    store.close()

            await asyncio.shield(loop.run_in_executor(lease_thread, close))
            lease_thread.shutdown(wait=False)

    def _check_leases(self, urls: list[str], kept: list[str]) -> None:
        """Say when a renewal found a feed taken over by another watcher."""
        if lost := sorted(set(urls) - set(kept)):
            # only after this watcher stalled for longer than a lease: another took the feed over; both may
            # fetch it now, which stores nothing twice (identities are unique) but wastes a fetch
            log.warning("lease lost to another watcher (stalled longer than %.0f s): %s",
                        self.options.lease_seconds, ", ".join(lost))

    def _due(self) -> list[str]:
        now = to_iso(utc_now())
        return [url for url in self.feeds if ((self.store.get_feed(url) or {}).get("next_poll") or "") <= now]

    def _seconds_to_next(self) -> float:
        times = [(self.store.get_feed(u) or {}).get("next_poll") for u in self.feeds]
        pending = [t for t in map(parse_utc, times) if t is not None]
        if not pending:
            return 1.0
        return max(1.0, (min(pending) - utc_now()).total_seconds())

    async def _pass(self, fetcher: Fetcher, urls: list[str]) -> list[PollResult]:
        sem = asyncio.Semaphore(self.options.feed_concurrency)

        async def guarded(url: str) -> PollResult:
            async with sem:
                if self._stop.is_set():
                    return PollResult(url, status="skipped")
                return await self.poll(fetcher, url)

        tasks = [asyncio.ensure_future(guarded(u)) for u in urls]
        try:
            results = await asyncio.gather(*tasks)
        except BaseException:
            # A broken store (or a cancel): stop the other polls before run() drains the store thread,
            # so none of them touches the store after run() returns.
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        return [r for r in results if r.status != "skipped"]

    async def poll(self, fetcher: Fetcher, url: str) -> PollResult:
        """Poll one feed: conditional fetch, parse, fetch pages of new link-only items, ingest, save state."""
        spec = self.feeds[url]
        state = await self._db(self.store.get_feed, url) or {}
        result = PollResult(url)
        started = utc_now()
        try:
            fetched = await fetcher.fetch(url, etag=state.get("etag"), last_modified=state.get("last_modified"))
            if fetched.not_modified:
                result.status = "not_modified"
                interval = next_interval(state.get("interval") or self.options.default_interval, 0, self.options)
                await self._retry_pages(fetcher, url, spec.source, result)
                await self._db(self._save, url, state, started, interval, error=None, new=0,
                               extra={"not_modified": 1})
                return result
            parsed = parse_feed(fetched.data, url=fetched.url, charset=fetched.charset)
            if not parsed.items and not parsed.sitemaps and parsed.warnings:
                raise MalformedInputError(f"broken feed, nothing usable: {parsed.warnings[0]}", ref=url)
            items = await self._collect_items(fetcher, parsed)
            result.items = len(items)
            todo = await self._db(self._todo, items, result)
            complete = await self._ingest(fetcher, url, todo, spec.source or parsed.title, parsed, result)
            if complete:   # pages of items stored from the feed on earlier passes (not the ones just tried)
                await self._retry_pages(fetcher, url, spec.source or parsed.title, result,
                                        skip={key for _, key in todo if key})
            interval = next_interval(state.get("interval") or self.options.default_interval, result.stored,
                                     self.options)
            # Queued after the chunks' commits (all awaited above): validators never run ahead of the items.
            await self._db(self._save, url, state, started, interval, error=None, new=result.stored,
                           extra={"items_seen": result.items},
                           validators=(fetched.etag, fetched.last_modified) if complete else None)
        except StoreError:
            raise  # the store is broken: stop the watcher, committed data stays
        except Exception as exc:  # one feed's failure, whatever it is, must never stop the others
            result.status = "error"
            result.error = str(exc) if isinstance(exc, (MarsadError, OSError)) else f"{type(exc).__name__}: {exc}"
            errors = int(state.get("error_count") or 0) + 1
            interval = state.get("interval") or self.options.default_interval
            await self._db(self._save, url, state, started, interval, error=result.error[:500], new=0,
                           errors=errors)
        return result

    async def _ingest(self, fetcher: Fetcher, url: str, todo: list[tuple[FeedItem, str | None]],
                      source: str | None, parsed: ParsedFeed, result: PollResult) -> bool:
        """Fetch and ingest ``todo`` chunk by chunk; False when stopped before the last chunk.

        Chunk n is written on the store thread while chunk n+1's pages are fetched here; at most
        one chunk of a feed waits for the store, and every chunk is committed before this returns.
        """
        writing: asyncio.Future[RunReport] | None = None
        try:
            for start in range(0, len(todo), self.options.chunk):
                if self._stop.is_set():
                    return False  # stopping: keep what is stored, re-poll this feed next time
                chunk = todo[start:start + self.options.chunk]
                raws = list(await asyncio.gather(*(self._build(fetcher, it, source, parsed) for it, _ in chunk)))
                result.from_feed += sum(1 for r in raws if isinstance(r, RawDocument) and r.fields.get("page_error"))
                if writing is not None:
                    _count(result, await writing)
                    writing = None
                writing = self._submit(self._write_chunk, url, raws, [key for _, key in chunk])
            return True
        finally:
            if writing is not None:
                _count(result, await writing)

    async def _collect_items(self, fetcher: Fetcher, parsed: ParsedFeed) -> list[FeedItem]:
        items = list(parsed.items)
        for child in parsed.sitemaps[: self.options.max_child_sitemaps]:
            try:
                res = await fetcher.fetch(child)
                items.extend(parse_feed(res.data, url=res.url, charset=res.charset).items)
            except MarsadError:
                continue
        return items[: self.options.max_items_per_poll]

    def _todo(self, items: list[FeedItem], result: PollResult) -> list[tuple[FeedItem, str | None]]:
        """Items not handled before (by URL key: feed_items, then stored article identity)."""
        seen: set[str] = set()
        todo: list[tuple[FeedItem, str | None]] = []
        for item in items:
            key = url_key(item.url) if item.url else None
            if key:
                if key in seen:
                    continue
                seen.add(key)
                status = self.store.feed_item_status(key)
                # "feed": stored from the feed's text; its page is retried by _retry_pages, not fetched again here
                if status and (status[0] in ("ingested", "feed") or status[1] >= self.options.max_page_attempts):
                    result.skipped += 1
                    continue
                if status is None and self.store.find_by_identity(f"url:{key}") is not None:
                    result.skipped += 1
                    continue
            todo.append((item, key))
        result.new = len(todo)
        return todo

    async def _build(self, fetcher: Fetcher, item: FeedItem, source: str | None,
                     parsed: ParsedFeed) -> RawDocument | InputError:
        """The RawDocument of one new item: from the feed when it carries full text, else its fetched page."""
        if item.has_full_text or not item.url:
            return _record_from_item(item, source, parsed)
        try:
            page = await fetcher.fetch(item.url)
        except InputError as exc:
            exc.ref = exc.ref or item.url
            if isinstance(exc, FetchError) and (item.summary.strip() or (item.content_html or "").strip()):
                # The page cannot be fetched (4xx, 5xx, timeout, refused) but the feed holds text: store that,
                # marked, and retry the page on later passes (_retry_pages) to upgrade the article in place.
                return _record_from_item(item, source, parsed, page_error=str(exc))
            return exc
        return _raw_from_page(page, item, source)

    async def _retry_pages(self, fetcher: Fetcher, feed_url: str, source: str | None, result: PollResult,
                           skip: set[str] | frozenset[str] = frozenset()) -> None:
        """Fetch again the pages of articles stored from this feed's text; a page that answers replaces its article
        in place (same id, re-enriched, re-indexed); one that still fails counts an attempt."""
        pending = [p for p in await self._db(self.store.pending_feed_items, feed_url,
                                             max_attempts=self.options.max_page_attempts) if p[0] not in skip]
        for start in range(0, len(pending), self.options.chunk):
            if self._stop.is_set():
                return
            chunk = pending[start:start + self.options.chunk]
            fetched = await asyncio.gather(*(fetcher.fetch(link) for _, link, _ in chunk), return_exceptions=True)
            raws: list[RawDocument | InputError] = []
            keys: list[str | None] = []
            failed: list[tuple[str, str, str]] = []
            for (key, link, _), page in zip(chunk, fetched, strict=True):
                if isinstance(page, BaseException):
                    if not isinstance(page, InputError):
                        raise page
                    failed.append((key, link, str(page)[:300]))
                    continue
                raw = _raw_from_page(page, FeedItem(url=link), source)
                raw.fields["stored_as"] = f"url:{key}"
                raws.append(raw)
                keys.append(key)
            if failed:
                await self._db(self._still_failing, feed_url, failed)
            if raws:
                report = await self._db(self._write_chunk, feed_url, raws, keys)
                result.upgraded += report.updated
                result.duplicate += report.duplicate
                result.stored += report.stored
                result.rejected += report.rejected

    def _still_failing(self, feed_url: str, failed: list[tuple[str, str, str]]) -> None:
        """Store thread: count one more attempt at each page that still cannot be fetched."""
        with self.store.transaction():
            for key, link, error in failed:
                self.store.mark_feed_item(key, feed_url, status="feed", error=error, url=link)

    def _write_chunk(self, feed_url: str, raws: list[RawDocument | InputError], keys: list[str | None]) -> RunReport:
        """Store thread: ingest one chunk, then remember its item URLs (each its own commit)."""
        report = ingest_items(raws, self.store, self.ingest_options, args={"feed": feed_url})
        self._remember(feed_url, raws, keys)
        return report

    def _remember(self, feed_url: str, raws: list[RawDocument | InputError], keys: list[str | None]) -> None:
        with self.store.transaction():
            for raw, key in zip(raws, keys, strict=True):
                if key is None:
                    continue
                if isinstance(raw, InputError):
                    self.store.mark_feed_item(key, feed_url, status="failed", error=str(raw)[:300])
                    continue
                found = self.store.find_by_identity(f"url:{key}")
                page_error = raw.fields.get("page_error")
                if page_error and found is not None:   # stored from the feed's text: its page is to be retried
                    self.store.mark_feed_item(key, feed_url, status="feed", article_id=found.id,
                                              error=str(page_error)[:300], url=raw.url)
                else:
                    self.store.mark_feed_item(key, feed_url, status="ingested", article_id=found.id if found else None,
                                              url=raw.url)

    def _save(self, url: str, state: dict[str, Any], started: datetime, interval: float, *, error: str | None,
              new: int, errors: int = 0, extra: dict[str, int] | None = None,
              validators: tuple[str | None, str | None] | None = None) -> None:
        wait = backoff_delay(errors, interval, self.options) if errors else interval
        fields: dict[str, Any] = {
            "last_polled": to_iso(started),
            "next_poll": to_iso(utc_now() + timedelta(seconds=wait)),
            "interval": interval,
            "error_count": errors,
            "last_error": error,
            "polls": int(state.get("polls") or 0) + 1,
        }
        if error is None:
            fields["last_success"] = to_iso(utc_now())
            fields["last_new_items"] = new
            fields["items_new"] = int(state.get("items_new") or 0) + new
        for key, value in (extra or {}).items():
            fields[key] = int(state.get(key) or 0) + value
        if validators is not None:
            fields["etag"], fields["last_modified"] = validators
        self.store.save_feed_state(url, **fields)


class _SameConnection(Exception):
    """The store cannot be opened a second time (in memory): leases are renewed on the store thread."""


def _alive(pid: int) -> bool:
    """Whether a process of this host still runs (a lease holder that does not can be taken over at once)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _count(result: PollResult, report: RunReport) -> None:
    """Add one chunk's ingestion counts to a poll's result."""
    result.stored += report.stored
    result.duplicate += report.duplicate + report.updated
    result.rejected += report.rejected


def _record_from_item(item: FeedItem, source: str | None, parsed: ParsedFeed, *,
                      page_error: str | None = None) -> RawDocument:
    """A feed item becomes a record stored from the feed's own text (``text_source`` "feed"): one that carries its
    full text, or one whose page could not be fetched (``page_error`` says why; the page is retried later)."""
    import hashlib
    import json

    fields: dict[str, Any] = {
        "url": item.url, "title": item.title, "html": item.content_html, "text": None if item.content_html
        else item.summary, "published": item.published, "author": item.author, "source": source,
        "external_id": item.guid, "language": item.language or parsed.language, "category": None,
        "fetched_at": None, "text_source": "feed"}
    if page_error:
        fields["page_error"] = page_error
    data = json.dumps(fields, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return RawDocument(data=data, kind="record", ref=item.url or f"{parsed.url}#{item.guid}", url=item.url,
                       source=source, fields=fields, sha256=hashlib.sha256(data).hexdigest())


def _raw_from_page(page: FetchResult, item: FeedItem, source: str | None) -> RawDocument:
    """A fetched page becomes an html RawDocument; the feed's title and date back up the page's."""
    import hashlib

    kind: DocumentKind = "text" if page.media_type == "text/plain" else "html"
    return RawDocument(data=page.data, kind=kind, ref=page.url, url=page.url, media_type=page.media_type,
                       charset=page.charset, fetched_at=page.fetched_at, source=source,
                       fields={"title": item.title, "published": item.published, "feed_url": item.url},
                       sha256=hashlib.sha256(page.data).hexdigest())


def run_watch(store: Store, feeds: Iterable[FeedSpec], *, once: bool, options: WatchOptions | None = None,
              ingest_options: IngestOptions | None = None) -> WatchReport:
    """Run the watcher until SIGINT/SIGTERM (or one pass with ``once``); polls in hand finish cleanly."""
    watcher = Watcher(store, feeds, options=options, ingest_options=ingest_options)

    async def main() -> WatchReport:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, watcher.stop)
        return await watcher.run(once=once)

    return asyncio.run(main())


__all__ = ["PollResult", "WatchOptions", "WatchReport", "Watcher", "identity_of", "run_watch"]
