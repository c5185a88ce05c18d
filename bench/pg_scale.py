"""Search and related-articles latency at 100,000 articles on SQLite and on PostgreSQL: the same stores, the same
queries, the same article ids.

    python bench/search_scale.py --sizes 100000 --workdir /tmp/pgscale/search --no-crossover   # the search store
    python bench/related_scale.py --sizes 100000 --workdir /tmp/pgscale/related                # the related store
    python bench/pg_scale.py --search /tmp/pgscale/search --related /tmp/pgscale/related [--write-docs]

The two SQLite stores are the synthetic scale-ups of ``bench/search_scale.py`` and ``bench/related_scale.py`` (see
their docstrings: real articles copied with new ids up to N, real embeddings mixed with noise, entities and stories
remapped per copy). Each is copied into a database on a PostgreSQL server started here (``tests/pgserver.py``, with
the server settings of ``--pg-settings``) with ``marsad copy``'s ``copy_store`` (which rebuilds the search vectors).
Then, for each backend in a fresh process that opens the store read-only:

- **search**: ``--queries`` real headlines (half whole, half their three longest words; ``search_scale``'s query
  set), ``search(store, q, k=10, mode=...)`` for lexical, semantic and hybrid: the whole call (query embedding,
  ranking, ten hits with snippets). The first semantic query is timed apart: it loads (SQLite: the HNSW file beside
  the store) or builds (PostgreSQL: from the stored embeddings, in memory; pgvector is not packaged for this
  Debian, so it is not used) the vector index.
- **related**: ``--calls`` random article ids (seeded, the same on both), ``related(store, id)`` with the default
  options; the first call is timed apart.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]

from tests.pgserver import PgServer  # noqa: E402

from bench.docs import write_section  # noqa: E402
from bench.search_scale import pct, pick_queries, rss_mb  # noqa: E402

MODES = ("lexical", "semantic", "hybrid")
PG_SETTINGS = "-c shared_buffers=1GB -c effective_cache_size=8GB -c work_mem=32MB"


def related_ids(db: Path, calls: int, seed: int) -> list[int]:
    """``calls`` article ids drawn at random (seeded) from the store."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    ids = [r[0] for r in con.execute("SELECT id FROM articles ORDER BY id")]
    con.close()
    return random.Random(seed).sample(ids, min(calls, len(ids)))


def run_search(ref: str, queries: list[str]) -> dict[str, Any]:
    """Every mode over the queries, in this (fresh) process."""
    from marsad.enrich.embed import get_embedder
    from marsad.query import search
    from marsad.store import open_store
    from marsad.text.analyzer import parse_query

    model = get_embedder("use")
    assert model is not None
    model.encode(["تحميل"])
    store = open_store(ref, readonly=True)
    parsed = [parse_query(q) for q in queries]
    out: dict[str, Any] = {}
    started = time.perf_counter()
    search(store, parsed[0], k=10, mode="semantic", embedder="use")
    out["first_semantic_s"] = time.perf_counter() - started
    for mode in MODES:
        times = []
        for q in parsed:
            s = time.perf_counter()
            search(store, q, k=10, mode=mode, embedder="use")
            times.append(time.perf_counter() - s)
        out[mode] = {"p50": pct(times, 50), "p95": pct(times, 95)}
    out["rss_mb"] = rss_mb()
    store.close()
    return out


def run_related(ref: str, ids: list[int]) -> dict[str, Any]:
    """``related`` for every id, in this (fresh) process."""
    from marsad.query.related import related
    from marsad.store import open_store

    store = open_store(ref, readonly=True)
    started = time.perf_counter()
    related(store, ids[0])
    cold = time.perf_counter() - started
    times = []
    for article_id in ids[1:]:
        s = time.perf_counter()
        related(store, article_id)
        times.append(time.perf_counter() - s)
    out = {"cold_s": cold, "p50": pct(times, 50), "p95": pct(times, 95), "calls": len(times), "rss_mb": rss_mb()}
    store.close()
    return out


def _child(*args: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _copy(server: PgServer, db: Path) -> tuple[str, float]:
    from marsad.ingestion.copy import copy_store
    from marsad.store import open_store

    dsn = server.new_database()
    started = time.perf_counter()
    src, dst = open_store(db, readonly=True), open_store(dsn)
    try:
        copy_store(src, dst)
    finally:
        src.close()
        dst.close()
    return dsn, time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--search", type=Path, default=Path("/tmp/pgscale/search"), help="bench/search_scale.py workdir")
    ap.add_argument("--related", type=Path, default=Path("/tmp/pgscale/related"),
                    help="bench/related_scale.py workdir")
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--calls", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--pg-settings", default=PG_SETTINGS)
    ap.add_argument("--write-docs", action="store_true")
    ap.add_argument("--phase", choices=["search", "related"], help=argparse.SUPPRESS)
    ap.add_argument("--ref", help=argparse.SUPPRESS)
    a = ap.parse_args()
    queries = pick_queries(a.search, a.queries, a.seed)
    search_db, related_db = a.search / f"scale-{a.n}.db", a.related / f"related-{a.n}.db"
    if a.phase == "search":
        print(json.dumps(run_search(a.ref, queries)))
        return
    if a.phase == "related":
        print(json.dumps(run_related(a.ref, related_ids(related_db, a.calls, a.seed))))
        return
    server = PgServer(a.pg_settings)
    server.start()
    rows = []
    try:
        pg_search, copy_search = _copy(server, search_db)
        print(f"search store copied in {copy_search:.0f} s", flush=True)
        pg_related, copy_related = _copy(server, related_db)
        print(f"related store copied in {copy_related:.0f} s", flush=True)
        common = ["--search", str(a.search), "--related", str(a.related), "--n", str(a.n), "--queries",
                  str(a.queries), "--calls", str(a.calls), "--seed", str(a.seed)]
        for name, s_ref, r_ref in (("SQLite", str(search_db), str(related_db)), ("PostgreSQL", pg_search, pg_related)):
            s = _child("--phase", "search", "--ref", s_ref, *common)
            r = _child("--phase", "related", "--ref", r_ref, *common)
            rows.append((name, s, r))
            print(name, json.dumps(s), json.dumps(r), flush=True)
    finally:
        server.stop()
    load = os.getloadavg()
    lines = [
        f"`python bench/pg_scale.py --n {a.n} --queries {a.queries} --calls {a.calls} --seed {a.seed}` — "
        f"{platform.machine()}, {os.cpu_count()} cores, load after the run {load[0]:.1f} / {load[1]:.1f} / "
        f"{load[2]:.1f}; PostgreSQL 15 (Debian) on the same machine (`{a.pg_settings}`, fsync off); copies into "
        f"PostgreSQL took {copy_search:.0f} s (search store) and {copy_related:.0f} s (related store), search "
        "vectors rebuilt.",
        "",
        "| store | lexical p50 / p95 ms | semantic p50 / p95 ms | hybrid p50 / p95 ms | first semantic query | "
        "related p50 / p95 ms | first related call |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, s, r in rows:
        cells = " | ".join(f"{s[m]['p50']:.1f} / {s[m]['p95']:.1f}" for m in MODES)
        lines.append(f"| {name} | {cells} | {s['first_semantic_s']:.1f} s | {r['p50']:.1f} / {r['p95']:.1f} | "
                     f"{r['cold_s']:.1f} s |")
    table = "\n".join(lines)
    print(table)
    if a.write_docs:
        write_section("pg-scale", table, heading="Search and related at 100,000 articles: PostgreSQL vs SQLite")


if __name__ == "__main__":
    main()
