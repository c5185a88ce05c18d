"""Ingest with near-duplicates and stories on the real corpora: throughput and memory, with and without
embeddings, and the backfill (`marsad cluster`) on the stored result.

    python bench/stories_bench.py                # ANT multi-outlet + SaudiNewsNet: 61,199 records, 2 workers
    python bench/stories_bench.py --limit 3000   # the first 3,000 records of each corpus
    python bench/stories_bench.py --write-docs   # also write the table into docs/benchmarks.md

Every case is the full path of `marsad ingest`: extraction, enrichment (NER, keyphrases, category), the
FTS index, entity resolution, features (shingles/MinHash, TF-IDF, embedding in the workers), the
near-duplicate index and the story engine, batches of 500. Each case runs in a fresh child process so its
peak memory (ru_maxrss, worker processes included) is its own.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "src"))

from bench.docs import write_section  # noqa: E402
from marsad.config import IngestOptions, data_dir  # noqa: E402

CORPORA = ["ant-multisource.jsonl.gz", "saudinewsnet.jsonl.gz"]
CASES = {
    "enrich, no clustering (reference)": {"cluster": False},
    "enrich + near-dups + stories, no embeddings": {"cluster": True, "embedder": "none"},
    "enrich + near-dups + stories, USE embeddings": {"cluster": True, "embedder": "use"},
}


def _peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


def run_case(name: str, paths: list[str], workers: int) -> dict[str, object]:
    """One ingest into a fresh store, then (when clustering) the backfill on it; runs in a child process."""
    from marsad.ingestion.clustering import recluster
    from marsad.ingestion.pipeline import ingest
    from marsad.store.sqlite import SQLiteStore

    opts = CASES[name]
    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteStore(Path(tmp) / "bench.db")
        t0 = time.perf_counter()
        report = ingest(paths, store, IngestOptions(workers=workers, batch_size=500, **opts))  # type: ignore[arg-type]
        secs = time.perf_counter() - t0
        peak = _peak_mb()
        stories = store.conn.execute("SELECT count(*), sum(size > 1), max(size) FROM stories "
                                     "WHERE merged_into IS NULL").fetchone()
        backfill = None
        if opts.get("cluster"):
            backfill = recluster(store, embedder=str(opts.get("embedder")))
        db_mb = (Path(tmp) / "bench.db").stat().st_size / 1e6
        store.close()
    return {
        "case": name, "workers": workers, "articles": report.articles_found, "stored": report.stored,
        "duplicate": report.duplicate, "seconds": round(secs, 1),
        "per_second": round(report.articles_found / secs, 1), "peak_mb": round(peak, 1), "db_mb": round(db_mb, 1),
        "clustering": report.clustering, "stories": stories[0], "multi_article_stories": stories[1],
        "largest_story": stories[2],
        "backfill_per_second": backfill["articles_per_second"] if backfill else None,
    }


def _child(name: str, paths: list[str], workers: int) -> dict[str, object]:
    code = (
        f"import json,sys; sys.path[:0]=[{str(REPO)!r},{str(REPO / 'src')!r}]; "
        f"from bench.stories_bench import run_case; print(json.dumps(run_case({name!r}, {paths!r}, {workers}),"
        " ensure_ascii=False))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _subset(src: Path, dst: Path, n: int) -> None:
    with gzip.open(src, "rt", encoding="utf-8") as fin, gzip.open(dst, "wt", encoding="utf-8") as fout:
        for i, line in enumerate(fin):
            if i >= n:
                break
            fout.write(line)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=0, help="records per corpus (0 = all)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--cases", nargs="*", default=list(CASES), help="which cases (default all)")
    ap.add_argument("--write-docs", action="store_true")
    args = ap.parse_args()
    data = data_dir()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for c in CORPORA:
            if args.limit:
                _subset(data / c, Path(tmp) / c, args.limit)
                paths.append(str(Path(tmp) / c))
            else:
                paths.append(str(data / c))
        for name in args.cases:
            results.append(_child(name, paths, args.workers))
            print(json.dumps(results[-1], ensure_ascii=False), flush=True)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    command = "python bench/stories_bench.py" + (f" --limit {args.limit}" if args.limit else "")
    lines = [f"Machine: {machine}. Command: `{command}` ({args.workers} workers, batches of 500).", "",
             "| case | articles | s | articles/s | peak MB | db MB | near-dups | exact copies | stories (>1 article) "
             "| largest | backfill articles/s |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        c = r["clustering"] or {}
        assert isinstance(c, dict)
        stories = f"{r['stories']} ({r['multi_article_stories']})" if c else "—"
        lines.append(f"| {r['case']} | {r['articles']} | {r['seconds']} | {r['per_second']} | {r['peak_mb']} | "
                     f"{r['db_mb']} | {c.get('near_duplicate', '—')} | {c.get('exact_duplicate', '—')} | {stories} | "
                     f"{r['largest_story'] if c else '—'} | {r['backfill_per_second'] or '—'} |")
    table = "\n".join(lines)
    print(table)
    if args.write_docs:
        write_section("stories-bench", table, heading="Ingest with near-duplicates and stories")


if __name__ == "__main__":
    main()
