"""Ingest on PostgreSQL vs SQLite, with 1 and 2 (or more) concurrent writers, same articles, same run.

    python bench/pg_bench.py [--articles 1000] [--writers 1 2] [--embedder use] [--write-docs]

The first N records of the ANT multi-outlet corpus are dealt out round-robin to W `marsad ingest` processes started
together against one store (SQLite file, or a database on a throwaway PostgreSQL server started here like the
tests' own, `tests/pgserver.py`); articles/s is all articles over the wall time of the slowest writer. Every run is
checked: the store holds each article once and its integrity check is clean.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]

from tests.pgserver import PgServer  # noqa: E402

from bench.docs import write_section  # noqa: E402
from marsad.config import data_dir  # noqa: E402
from marsad.store import open_store  # noqa: E402


def _parts(n: int, writers: int, folder: Path) -> list[Path]:
    records = []
    with gzip.open(data_dir() / "ant-multisource.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            records.append(line)
            if len(records) >= n:
                break
    paths = []
    for w in range(writers):
        p = folder / f"part-{w}.jsonl"
        p.write_text("".join(records[w::writers]), encoding="utf-8")
        paths.append(p)
    return paths


def _run(db: str, parts: list[Path], embedder: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    started = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-m", "marsad", "ingest", str(p), "--db", db, "--json",
                               "--no-progress", "--embedder", embedder], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env) for p in parts]
    for p in procs:
        out, err = p.communicate()
        if p.returncode != 0:
            raise SystemExit(f"ingest failed: {err[-2000:]}")
        json.loads(out)
    return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--writers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--embedder", default="use")
    ap.add_argument("--write-docs", action="store_true")
    a = ap.parse_args()
    server = PgServer()
    server.start()
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            for writers in a.writers:
                parts = _parts(a.articles, writers, folder)
                for backend in ("sqlite", "postgresql"):
                    db = str(folder / f"{writers}.db") if backend == "sqlite" else server.new_database()
                    seconds = _run(db, parts, a.embedder)
                    store = open_store(db, readonly=True)
                    try:
                        stats, check = store.stats(), store.integrity_check()
                    finally:
                        store.close()
                    rows.append((backend, writers, stats["articles"], seconds, check))
                    print(f"{backend:<10} writers {writers}: {stats['articles']} articles in {seconds:.1f} s "
                          f"= {stats['articles'] / seconds:.1f} articles/s, integrity {check}", flush=True)
    finally:
        server.stop()
    load = os.getloadavg()
    table = "\n".join([
        f"`python bench/pg_bench.py --articles {a.articles} --writers {' '.join(map(str, a.writers))} "
        f"--embedder {a.embedder}` — {platform.machine()}, {os.cpu_count()} cores, load after the run "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1 / 5 / 15 min); PostgreSQL 15 (Debian) on the same machine, "
        "fsync off (the tests' throwaway server).",
        "",
        "| store | writers | articles | seconds | articles/s | integrity |",
        "|---|---:|---:|---:|---:|---|",
        *(f"| {b} | {w} | {n} | {s:.1f} | {n / s:.1f} | {c} |" for b, w, n, s, c in rows),
    ])
    print(table)
    if a.write_docs:
        write_section("pg-bench", table, heading="PostgreSQL vs SQLite: ingest with concurrent writers")


if __name__ == "__main__":
    main()
