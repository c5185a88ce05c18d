"""Live-sources benchmark on loopback: many local "outlets" (one server per 127.0.0.x address).

    python bench/watch_bench.py [--hosts 8] [--items 150] [--write-docs]

Pass 1: each host's news sitemap lists link-only items, so every article page is fetched,
extracted and stored (pages/s). Pass 2: nothing changed, every feed answers 304 (cost of a
conditional poll). Pass 3: validators dropped, feeds re-downloaded and parsed, every item already
known (cost of a full poll that finds nothing new). Never touches the network: 127.0.0.0/8 only.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]

from tests.newsserver import NewsServer, NewsSite  # noqa: E402

from bench.docs import write_section  # noqa: E402
from marsad.ingestion.watch import Watcher, WatchOptions  # noqa: E402
from marsad.sources.feeds import FeedSpec  # noqa: E402
from marsad.sources.fetch import FetchOptions  # noqa: E402
from marsad.store.sqlite import SQLiteStore  # noqa: E402


def _serve(hosts: int, items: int, ports: Any, stop: Any) -> None:
    """Child process: run the local outlets until told to stop (so they do not share our GIL)."""
    servers = [NewsServer(NewsSite(items=items, offset=1000 * i), host=f"127.0.0.{i + 2}") for i in range(hosts)]
    for srv in servers:
        srv.__enter__()
    ports.put([srv.base for srv in servers])
    stop.wait()
    for srv in servers:
        srv.__exit__(None, None, None)


def _pass(store: SQLiteStore, feeds: list[FeedSpec], options: WatchOptions) -> tuple[float, dict]:
    watcher = Watcher(store, feeds, options=options)
    t0 = time.perf_counter()
    report = asyncio.run(watcher.run(once=True)).to_dict()
    return time.perf_counter() - t0, report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hosts", type=int, default=8)
    ap.add_argument("--items", type=int, default=150, help="articles per host")
    ap.add_argument("--write-docs", action="store_true")
    args = ap.parse_args()
    ctx = multiprocessing.get_context("spawn")
    ports, stop = ctx.Queue(), ctx.Event()
    child = ctx.Process(target=_serve, args=(args.hosts, args.items, ports, stop), daemon=True)
    child.start()
    bases: list[str] = ports.get(timeout=60)
    options = WatchOptions(fetch=FetchOptions(allow_loopback=True, per_host_delay=0.0, per_host_concurrency=4,
                                              global_concurrency=32),
                           max_items_per_poll=args.items, chunk=50)
    try:
        feeds = [FeedSpec(f"{base}/sitemap-news.xml", source=f"host{i}") for i, base in enumerate(bases)]
        with tempfile.TemporaryDirectory() as tmp:
            store = SQLiteStore(Path(tmp) / "watch.db")
            t1, r1 = _pass(store, feeds, options)
            t2, r2 = _pass(store, feeds, options)
            for spec in feeds:
                store.save_feed_state(spec.url, etag=None, last_modified=None)
            t3, r3 = _pass(store, feeds, options)
            store.close()
    finally:
        stop.set()
        child.join(timeout=10)
    pages = r1["stored"]
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    rows = [
        ("first pass: fetch + extract + enrich + store every page", t1, f"{pages} pages, {pages / t1:.0f} pages/s"),
        ("unchanged feeds (all 304)", t2,
         f"{1000 * t2 / len(feeds):.1f} ms per feed poll ({r2['not_modified']} x 304)"),
        (f"feeds re-downloaded, {args.items} known items each", t3,
         f"{1000 * t3 / len(feeds):.1f} ms per feed poll ({r3['skipped']} items skipped, {r3['stored']} stored)"),
    ]
    lines = [f"Machine: {machine}. Command: `python bench/watch_bench.py --hosts {args.hosts} "
             f"--items {args.items}` ({args.hosts} local servers on 127.0.0.2-{args.hosts + 1}, news sitemaps "
             "with link-only items, served by a separate process; per-host concurrency 4, no per-host delay).", "",
             "| pass | seconds | result |", "|---|---|---|"]
    lines += [f"| {name} | {secs:.2f} | {what} |" for name, secs, what in rows]
    table = "\n".join(lines)
    print(table)
    if args.write_docs:
        write_section("watch-bench", table, heading="Live sources (issue: feeds)")


if __name__ == "__main__":
    main()
