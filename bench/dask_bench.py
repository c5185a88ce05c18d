"""Ingest on Dask vs one process, same articles, same run: articles/s, speed-up, the serial step's own rate.

    python bench/dask_bench.py [--records 1200] [--match "May 2018"] [--write-docs]

ANT multi-outlet records whose line holds ``--match`` (the first ``--records`` of them, five outlets) are
ingested with the full pipeline (enrichment, USE embeddings, near-duplicates, stories) into a fresh SQLite store:

1. one process (``marsad ingest`` without ``--dask``; ``--workers 1``);
2. ``--dask local:1`` and ``--dask local:2`` (a LocalCluster of worker processes started by the run);
3. the simulated multi-machine run: ``dask scheduler`` and two ``dask worker`` processes started as separate
   commands (as on separate machines), the ingest joining with ``--dask tcp://127.0.0.1:PORT``;
4. the serial step alone: the per-article results computed first (in one process, not timed here), then only
   the decision step and the writer (``pipeline._run``) timed over them: the ceiling of any number of workers.

Every Dask run's stored articles (all fields but the write times), duplicate links and stories must equal the
single-process run's; the table says so. Workers and client share this machine's 2 cores, so local:2 and the
two-worker run compete with the client's decision step and writer for them.
"""

from __future__ import annotations

import argparse
import hashlib
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

from bench.docs import write_section  # noqa: E402
from bench.pg_equal import records as ant_records  # noqa: E402
from marsad.config import IngestOptions  # noqa: E402
from marsad.store import open_store  # noqa: E402

WRITE_TIMES = {"created_at", "modified_at"}


def records(match: str, n: int, folder: Path) -> Path:
    """The first ``n`` ANT records whose line holds ``match``, as one JSONL file."""
    return ant_records(match, n, folder)[0]


def fingerprint(db: Path) -> str:
    """A hash of what the runs must agree on: articles (but their write times), rejections, stories."""
    store = open_store(db, readonly=True)
    try:
        rows = [{k: v for k, v in a.items() if k not in WRITE_TIMES} for a in store.iter_articles()]
        stories = [(s["id"], s["size"]) for s in store.list_stories(limit=None)]
        payload = json.dumps([rows, stories], sort_keys=True, ensure_ascii=False, default=str)
    finally:
        store.close()
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def run_ingest(path: Path, db: Path, dask: str | None) -> dict[str, Any]:
    """`marsad ingest` in a fresh process: wall seconds (model loading and cluster start-up included)."""
    args = [sys.executable, "-m", "marsad", "ingest", str(path), "--db", str(db), "--json", "--no-progress"]
    if dask:
        args += ["--dask", dask]
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    started = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"ingest {dask or 'single'} failed: {done.stderr[-3000:]}")
    report = json.loads(done.stdout)
    return {"seconds": seconds, "articles": report["articles_found"], "stored": report["stored"],
            "fingerprint": fingerprint(db)}


def serial_step(path: Path, db: Path) -> dict[str, Any]:
    """The decision step and writer alone, over per-article results computed beforehand."""
    from marsad.ingestion.pipeline import _run, extract_stream
    from marsad.sources.files import iter_inputs

    options = IngestOptions(progress=False)
    pairs = list(extract_stream(iter_inputs([path]), options.extract, 1, enrich=True, embedder=options.embedder))
    store = open_store(db)
    try:
        started, cpu = time.perf_counter(), time.process_time()
        report = _run(iter(pairs), store, options, args={"bench": "serial step"}, total=None)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(f"serial step: {report.articles_found / seconds:.0f} articles/s wall, "
              f"{report.articles_found / cpu:.0f} per CPU second", flush=True)
    finally:
        store.close()
    return {"seconds": seconds, "articles": report.articles_found, "stored": report.stored,
            "fingerprint": fingerprint(db)}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def multi_machine(path: Path, db: Path, workers: int) -> dict[str, Any]:
    """A scheduler and ``workers`` worker processes started as separate commands, the ingest joining them."""
    port = _free_port()
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    procs = [subprocess.Popen([str(bin_dir / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--no-dashboard"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)]
    time.sleep(3)
    for _ in range(workers):
        procs.append(subprocess.Popen([str(bin_dir / "dask"), "worker", f"tcp://127.0.0.1:{port}", "--nworkers", "1",
                                       "--nthreads", "1", "--no-dashboard"], stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL, env=env))
    try:
        from distributed import Client

        with Client(f"tcp://127.0.0.1:{port}", timeout="30s") as client:
            client.wait_for_workers(workers, timeout=60)
        return run_ingest(path, db, f"tcp://127.0.0.1:{port}")
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1200)
    ap.add_argument("--match", default="May 2018")
    ap.add_argument("--write-docs", action="store_true")
    ap.add_argument("--serial-only", action="store_true", help="only the serial step (printed, docs untouched)")
    a = ap.parse_args()
    rows: list[tuple[str, dict[str, Any]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = records(a.match, a.records, folder)
        if a.serial_only:
            serial_step(path, folder / "serial.db")
            return
        for name, dask in (("one process", None), ("--dask local:1", "local:1"), ("--dask local:2", "local:2")):
            rows.append((name, run_ingest(path, folder / f"{len(rows)}.db", dask)))
            print(name, rows[-1], flush=True)
        rows.append(("scheduler + 2 `dask worker` processes (tcp://)", multi_machine(path, folder / "mm.db", 2)))
        print(rows[-1], flush=True)
        rows.append(("serial step alone (decisions + writer)", serial_step(path, folder / "serial.db")))
        print(rows[-1], flush=True)
    base = rows[0][1]
    load = os.getloadavg()
    lines = [
        f"`python bench/dask_bench.py --records {a.records}` — {base['articles']:,} ANT articles (lines holding "
        f"\"{a.match}\"), full pipeline into SQLite; {platform.machine()}, {os.cpu_count()} cores, load after the run "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}. Wall time of the whole command (start-up, model loading in "
        "every worker, cluster start included).",
        "",
        "| run | seconds | articles/s | speed-up vs one process | same stored result |",
        "|---|---:|---:|---:|---|",
    ]
    for name, r in rows:
        rate = r["articles"] / r["seconds"]
        same = "yes" if r["fingerprint"] == base["fingerprint"] else "**no**"
        lines.append(f"| {name} | {r['seconds']:.1f} | {rate:.1f} | {rate / (base['articles'] / base['seconds']):.2f} "
                     f"| {same} |")
    table = "\n".join(lines)
    print(table)
    if a.write_docs:
        write_section("dask-bench", table, heading="Ingest on Dask (issue: past one machine)")


if __name__ == "__main__":
    main()
