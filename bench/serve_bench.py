"""Load benchmark of the reader on loopback: requests/s and p50/p95 latency of the home, story and search pages
under concurrent clients, while an ingest writes to the same store in another process.

    python bench/serve_bench.py [--records 500] [--extra 1000] [--clients 8 32] [--seconds 10] [--workers 1]
                                [--write-docs]

1. Builds a store from ANT records (the first ``--records`` published in May 2018, all five outlets).
2. Starts ``marsad serve`` (``--workers`` uvicorn processes, 8 request threads each, read-only connections) on a
   free port.
3. Starts ``marsad ingest`` of ``--extra`` more ANT records into the same store (another process) and keeps it
   running through the load (restarted on the next records if it finishes early).
4. For each page and client count: that many asyncio clients (httpx, one connection each, keep-alive) request
   the page in a loop for ``--seconds`` seconds (story pages and search queries rotate over a fixed list).
The clients run in this process and share the 2 cores with the server and the ingest: a lower bound for the server.
Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import itertools
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]

import httpx  # noqa: E402

from bench.docs import write_section  # noqa: E402
from marsad.config import data_dir  # noqa: E402

MONTH = "May 2018"


def _records(n: int, skip: int = 0) -> list[str]:
    """ANT lines published in ``MONTH``, taken round-robin over the outlets (the file is sorted by outlet)."""
    per_source: dict[str, list[str]] = {}
    with gzip.open(data_dir() / "ant-multisource.jsonl.gz", "rt", encoding="utf-8") as fin:
        for line in fin:
            if MONTH in line:
                per_source.setdefault(json.loads(line)["source"], []).append(line)
    mixed = [x for row in itertools.zip_longest(*per_source.values()) for x in row if x]
    return mixed[skip: skip + n]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


MARSAD = [sys.executable, "-c", "from marsad.cli import main; main()"]
"""The CLI (``python -m marsad.cli`` would miss the commands registered by the other cli_* modules)."""


def _marsad(*args: str, **kw: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen([*MARSAD, *args], cwd=REPO, **kw)


async def _load(base: str, urls: list[str], clients: int, seconds: float) -> dict[str, Any]:
    """``clients`` loops over ``urls`` for ``seconds``: count, errors, latencies."""
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds
    counter = itertools.count()

    async def worker() -> None:
        nonlocal errors
        async with httpx.AsyncClient(base_url=base, timeout=60, limits=httpx.Limits(max_connections=1)) as client:
            while time.perf_counter() < stop:
                url = urls[next(counter) % len(urls)]
                t0 = time.perf_counter()
                try:
                    resp = await client.get(url)
                    ok = resp.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append(time.perf_counter() - t0)
                errors += not ok

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return 1000 * latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else float("nan")

    return {"requests": len(latencies), "rps": len(latencies) / elapsed, "p50": pct(0.50), "p95": pct(0.95),
            "errors": errors}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=500, help="ANT records in the store before the load")
    ap.add_argument("--extra", type=int, default=1000, help="ANT records ingested during the load")
    ap.add_argument("--clients", type=int, nargs="+", default=[8, 32])
    ap.add_argument("--seconds", type=float, default=10.0, help="per page and client count")
    ap.add_argument("--workers", type=int, default=1, help="marsad serve --workers (server processes)")
    ap.add_argument("--pages", nargs="+", choices=["home", "story", "search"], default=["home", "story", "search"],
                    help="the pages measured (all by default)")
    ap.add_argument("--note", default="", help="a sentence written under the table (e.g. the machine was shared)")
    ap.add_argument("--write-docs", action="store_true")
    args = ap.parse_args()

    lines = _records(args.records + args.extra)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        base_file, extra_file = Path(tmp) / "base.jsonl", Path(tmp) / "extra.jsonl"
        base_file.write_text("".join(lines[: args.records]), encoding="utf-8")
        extra_file.write_text("".join(lines[args.records:]), encoding="utf-8")
        t0 = time.perf_counter()
        subprocess.run([*MARSAD, "ingest", str(base_file), "--db", str(db)],
                       cwd=REPO, check=True, stdout=subprocess.DEVNULL)
        print(f"store: {args.records} records in {time.perf_counter() - t0:.0f} s", file=sys.stderr)

        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        workers = ("--workers", str(args.workers)) if args.workers > 1 else ()   # (earlier versions have no option)
        server = _marsad("serve", "--db", str(db), "--port", str(port), *workers, stderr=subprocess.DEVNULL)
        ingest: subprocess.Popen[bytes] | None = None
        try:
            deadline = time.time() + 60
            while True:
                try:
                    if httpx.get(base + "/api/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.time() > deadline:
                    raise SystemExit("the server did not start")
                time.sleep(0.2)
            stories = [s["id"] for s in httpx.get(base + "/api/stories", params={"limit": 50, "min_size": 2}).json()[
                "items"]] or [s["id"] for s in httpx.get(base + "/api/stories", params={"limit": 50}).json()["items"]]
            titles = [a["title"] for a in httpx.get(base + "/api/articles", params={"limit": 40}).json()["items"]]
            queries = [" ".join(t.split()[:2]) for t in titles if len(t.split()) >= 2][:20]
            pages = {"home `/`": ["/"], "story `/stories/N`": [f"/stories/{i}" for i in stories],
                     "search `/search?q=`": [str(httpx.URL("/search", params={"q": q})) for q in queries]}
            pages = {name: urls for name, urls in pages.items() if name.split()[0] in args.pages}
            for urls in pages.values():                 # warm up: models, vector index, caches (every worker)
                for url in urls[:3 * args.workers]:
                    httpx.get(base + url, timeout=120)

            ingest = _marsad("ingest", str(extra_file), "--db", str(db), stdout=subprocess.DEVNULL)
            ingest_started, ingest_runs = time.perf_counter(), 1
            rows = []
            for name, urls in pages.items():
                for clients in args.clients:
                    if ingest.poll() is not None:        # keep a writer busy through every measurement
                        ingest = _marsad("ingest", str(extra_file), "--db", str(db), stdout=subprocess.DEVNULL)
                        ingest_runs += 1
                    r = asyncio.run(_load(base, urls, clients, args.seconds))
                    r["writer"] = "yes" if ingest.poll() is None else "finished during the row"
                    rows.append((name, clients, r))
                    print(f"{name:<22} {clients:>3} clients: {r['rps']:7.1f} req/s  p50 {r['p50']:7.1f} ms  "
                          f"p95 {r['p95']:7.1f} ms  errors {r['errors']}", file=sys.stderr)
            during = time.perf_counter() - ingest_started
            ingest.wait(timeout=600)
            health = httpx.get(base + "/api/health").json()
        finally:
            for proc in (ingest, server):
                if proc is not None and proc.poll() is None:
                    proc.terminate()
                    proc.wait(timeout=30)

    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    clients = " ".join(str(c) for c in args.clients)
    command = (f"python bench/serve_bench.py --records {args.records} --extra {args.extra} --clients {clients} "
               f"--seconds {args.seconds:g}" + (f" --workers {args.workers}" if args.workers > 1 else "")
               + (f" --pages {' '.join(args.pages)}" if len(args.pages) < 3 else ""))
    server_kind = (f"{args.workers} uvicorn processes (--workers {args.workers}), 8 request threads each"
                   if args.workers > 1 else "uvicorn, one process, 8 request threads")
    out = [f"Machine: {machine}. Command: `{command}`. Store: {args.records} ANT records of {MONTH} (five outlets) "
           f"before the load, {health['articles']} articles at the end; `marsad serve` ({server_kind}, "
           f"a read-only SQLite connection per thread) while `marsad ingest` of {args.extra} more records "
           f"ran in another process during the {during:.0f} s of load (started {ingest_runs} time(s): restarted, on "
           f"the same records, when one had finished before a row). Clients: asyncio + "
           f"httpx in the benchmark process, one keep-alive connection each, {args.seconds:g} s per row, on the same "
           "2 cores as the server and the ingest; story pages rotate over the stories with 2+ articles, searches "
           "over 2-word queries from headlines (lexical, grouped by story).", "",
           "| page | clients | requests | req/s | p50 ms | p95 ms | errors | ingest still running at the end |",
           "|---|---:|---:|---:|---:|---:|---:|---|"]
    out += [f"| {name} | {c} | {r['requests']} | {r['rps']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} | {r['errors']} | "
            f"{r['writer']} |" for name, c, r in rows]
    if args.note:
        out += ["", args.note]
    table = "\n".join(out)
    print(table)
    if args.write_docs:
        write_section("serve-bench", table, heading="The reader under load (issue: reader)")


if __name__ == "__main__":
    main()
