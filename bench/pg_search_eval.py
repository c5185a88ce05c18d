"""Known-item search on PostgreSQL vs SQLite, on the same store: MRR@10 and recall@10 of Marsad's lexical search.

    python bench/pg_search_eval.py [--n 3000] [--targets 300] [--seed 1] [--write-docs]

A seeded sample of ANT records is ingested into SQLite exactly as ``bench/search_eval.py`` does, the store is copied
into a database on a throwaway PostgreSQL server (``marsad copy``'s ``copy_store``; the server is started here like
the tests' own), and the same targets are searched for on both with the four query sets of ``search_eval``
(headline, first sentence, three words, as typed). The issue's bar: PostgreSQL within 0.01 MRR@10 of SQLite.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]

from tests.pgserver import PgServer  # noqa: E402

from bench.docs import write_section  # noqa: E402
from bench.search_eval import QUERY_SETS, build, marsad_ranker, pick_targets, score  # noqa: E402
from marsad.ingestion.copy import copy_store  # noqa: E402
from marsad.store import open_store  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--targets", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--write-docs", action="store_true")
    a = ap.parse_args()
    server = PgServer()
    server.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            sqlite, info = build(a.n, a.seed, Path(tmp))
            targets = pick_targets(sqlite, a.targets, a.seed)
            pg = open_store(server.new_database())
            started = time.perf_counter()
            copy_store(sqlite, pg)
            copied = time.perf_counter() - started
            rows = []
            for name, store in (("SQLite (FTS5)", sqlite), ("PostgreSQL (tsvector)", pg)):
                ranker = marsad_ranker(store)
                row: dict[str, float | str] = {"store": name}
                started = time.perf_counter()
                for field in QUERY_SETS:
                    s = score(ranker, targets, field)
                    row[f"{field}_mrr"], row[f"{field}_recall"] = s["mrr"], s["recall"]
                row["ms"] = 1000 * (time.perf_counter() - started) / (len(targets) * len(QUERY_SETS))
                rows.append(row)
                print(row, flush=True)
            pg.close()
            sqlite.close()
    finally:
        server.stop()
    load = os.getloadavg()
    head = " | ".join(f"{label} MRR@10 / R@10" for label in QUERY_SETS.values())
    lines = [
        f"`python bench/pg_search_eval.py --n {a.n} --targets {a.targets} --seed {a.seed}` — {info['stored']} "
        f"articles stored, {len(targets)} targets, the SQLite store copied into PostgreSQL in {copied:.1f} s; "
        f"{platform.machine()}, {os.cpu_count()} cores, load after the run {load[0]:.1f} / {load[1]:.1f} / "
        f"{load[2]:.1f}.",
        "",
        f"| store | {head} | ms per query |",
        "|---|" + "---:|" * (len(QUERY_SETS) + 1),
    ]
    for r in rows:
        cells = " | ".join(f"{r[f + '_mrr']:.4f} / {r[f + '_recall']:.3f}" for f in QUERY_SETS)
        lines.append(f"| {r['store']} | {cells} | {r['ms']:.1f} |")
    table = "\n".join(lines)
    print(table)
    if a.write_docs:
        write_section("pg-search-eval", table, heading="Known-item search on PostgreSQL vs SQLite")


if __name__ == "__main__":
    main()
