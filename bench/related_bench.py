"""Latency of the related list: p50 / p95 / max over every article of a store, in one warm process.

    python bench/related_bench.py --db /tmp/related.db              # the store of bench/related_eval.py
    python bench/related_bench.py --db /tmp/related.db --write-docs

The first call (which loads the vector index; related never runs the embedding model) is
timed apart as "cold"; then ``related(store, id)`` is timed for every article id in id order. No caching
between calls other than the search layer's vector index (what a server process keeps too).
"""

from __future__ import annotations

import argparse
import platform
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]

from bench.docs import write_section  # noqa: E402
from marsad.query.related import related  # noqa: E402
from marsad.store.sqlite import SQLiteStore  # noqa: E402


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(db: Path, limit: int | None = None) -> dict[str, float]:
    """Time ``related`` for every article (or the first ``limit``) of the store at ``db``."""
    store = SQLiteStore(db, readonly=True)
    try:
        ids = [r[0] for r in store.conn.execute("SELECT id FROM articles ORDER BY id")][:limit]
        started = time.perf_counter()
        related(store, ids[0])
        cold = time.perf_counter() - started
        times, items = [], 0
        for article_id in ids:
            t = time.perf_counter()
            items += len(related(store, article_id).items)
            times.append(time.perf_counter() - t)
        stats = store.stats()
    finally:
        store.close()
    return {"articles": stats["articles"], "calls": len(times), "cold_ms": cold * 1000,
            "p50_ms": _pct(times, 0.5) * 1000, "p95_ms": _pct(times, 0.95) * 1000, "max_ms": max(times) * 1000,
            "items_per_list": items / len(times),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, required=True, help="A store built by `marsad ingest` (with clustering).")
    parser.add_argument("--limit", type=int, default=None, help="Only the first N articles.")
    parser.add_argument("--write-docs", action="store_true", help="Write the table into docs/benchmarks.md.")
    parser.add_argument("--note", default="", help="A sentence written under the table (e.g. the machine was shared).")
    args = parser.parse_args()
    r = measure(args.db, args.limit)
    table = ("| store | calls | cold first call | p50 | p95 | max | items per list | peak RSS |\n"
             "|---|---|---|---|---|---|---|---|\n"
             f"| {r['articles']:,} articles (ANT 1-14 May 2018) | {r['calls']:,} | {r['cold_ms']:.0f} ms | "
             f"{r['p50_ms']:.1f} ms | {r['p95_ms']:.1f} ms | {r['max_ms']:.0f} ms | {r['items_per_list']:.1f} | "
             f"{r['peak_rss_mb']:.0f} MB |")
    print(table)
    if args.write_docs:
        body = (f"Reproduce: `python bench/related_eval.py --db /tmp/related.db` (builds the store), then "
                f"`python bench/related_bench.py --db /tmp/related.db --write-docs`. One warm process, "
                f"`related(store, id)` with the default options for every article in id order; "
                f"{platform.processor() or platform.machine()}, {platform.python_version()}, 2 cores.\n\n{table}\n\n"
                "Where the time goes (pyinstrument, warm calls): reading and decoding the candidates' rows (the "
                "TF-IDF terms JSON is the largest part; sections and keyphrases are read with SQLite's JSON "
                "functions; embeddings come from the vector index, not from the float16 blobs), scoring them "
                "(sparse term cosines, entity overlap, the name-free matter cosine), their entity rows, and the rest "
                "(postings, vector neighbours, diversity, names). What keeps a call bounded: the article's own story "
                "gives at most its 40 members nearest by embedding (all of them are still folded into its entry); "
                "entity postings (at most 150 per entity, 12 entities) and vector neighbours (60) are cut to the 60 "
                "best by embedding cosine and shared entity weight before any row is read; postings and each "
                "candidate's entities are read from covering indexes (schema v6); entity document frequencies are "
                "cached per store (recounted after 5% growth). Figures at 100,000 and 1,000,000 articles: the next "
                "table (`bench/related_scale.py`)."
                + (f"\n\n{args.note}" if args.note else ""))
        write_section("related-latency", body, heading="Related articles: latency")


if __name__ == "__main__":
    main()
