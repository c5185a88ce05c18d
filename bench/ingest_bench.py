"""Ingestion benchmark: the real JSONL corpora and HTML pages wrapped around real articles.

    python bench/ingest_bench.py                 # full: ~71,000 JSONL articles + 2,000 HTML pages
    python bench/ingest_bench.py --quick         # 5,000 records per corpus, 400 pages
    python bench/ingest_bench.py --write-docs    # also rewrite the table in docs/benchmarks.md

Each case runs in a fresh child process so its peak memory (ru_maxrss, worker processes included)
is its own. Figures are throughput on this machine; compare runs on the same machine only.
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
from bench.pages import gold_pages  # noqa: E402
from marsad.config import IngestOptions, data_dir  # noqa: E402
from marsad.ingestion.pipeline import ingest  # noqa: E402
from marsad.store.sqlite import SQLiteStore  # noqa: E402

CORPORA = ["ant-multisource.jsonl.gz", "saudinewsnet.jsonl.gz", "ant-jawharafm.jsonl.gz"]


def _peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


def run_case(name: str, paths: list[str], workers: int) -> dict[str, object]:
    """Ingest ``paths`` into a fresh store and return throughput and memory (runs in a child)."""
    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteStore(Path(tmp) / "bench.db")
        t0 = time.perf_counter()
        report = ingest(paths, store, IngestOptions(workers=workers, batch_size=1000, enrich=False, cluster=False))
        secs = time.perf_counter() - t0
        db_mb = (Path(tmp) / "bench.db").stat().st_size / 1e6
        store.close()
    return {
        "case": name, "workers": workers, "inputs": report.inputs, "articles": report.articles_found,
        "stored": report.stored, "duplicate": report.duplicate, "rejected": report.rejected,
        "seconds": round(secs, 1), "per_second": round(report.inputs / secs, 1),
        "peak_mb": round(_peak_mb(), 1), "db_mb": round(db_mb, 1),
    }


def _child(name: str, paths: list[str], workers: int) -> dict[str, object]:
    code = (
        f"import json,sys; sys.path[:0]=[{str(REPO)!r},{str(REPO / 'src')!r}]; "
        f"from bench.ingest_bench import run_case; print(json.dumps(run_case({name!r}, {paths!r}, {workers})))"
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
    ap.add_argument("--quick", action="store_true", help="5,000 records per corpus and 400 pages")
    ap.add_argument("--pages", type=int, default=2000, help="HTML pages to build (default 2000)")
    ap.add_argument("--write-docs", action="store_true", help="rewrite the table in docs/benchmarks.md")
    args = ap.parse_args()
    data = data_dir()
    missing = [c for c in CORPORA if not (data / c).exists()]
    if missing:
        sys.exit(f"missing data in {data}: {missing}; set MARSAD_DATA")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        tmpd = Path(tmp)
        corpora = []
        for c in CORPORA:
            if args.quick:
                _subset(data / c, tmpd / c, 5000)
                corpora.append(str(tmpd / c))
            else:
                corpora.append(str(data / c))
        for workers in (1, 2):
            results.append(_child("JSONL: ANT + SaudiNewsNet + Jawhara", corpora, workers))
            print(results[-1], flush=True)
        n_pages = 400 if args.quick else args.pages
        pages_dir = tmpd / "pages"
        pages_dir.mkdir()
        for i, page in enumerate(gold_pages(data / "ant-multisource.jsonl.gz", n_pages, offset=100)):
            (pages_dir / f"{i:05d}-{page.template}.html").write_bytes(page.html)
        for workers in (1, 2):
            results.append(_child(f"HTML: {n_pages} wrapped pages (4 templates)", [str(pages_dir)], workers))
            print(results[-1], flush=True)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    command = f"python bench/ingest_bench.py{' --quick' if args.quick else ''}"
    lines = [f"Machine: {machine}. Command: `{command}`.",
             "", "| case | workers | inputs | articles | stored | dup | rejected | s | inputs/s | peak MB | db MB |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['case']} | {r['workers']} | {r['inputs']} | {r['articles']} | {r['stored']} | "
                     f"{r['duplicate']} | {r['rejected']} | {r['seconds']} | {r['per_second']} | {r['peak_mb']} | "
                     f"{r['db_mb']} |")
    table = "\n".join(lines)
    print(table)
    if args.write_docs:
        write_section("ingest-bench", table, heading="Ingestion")


if __name__ == "__main__":
    main()
