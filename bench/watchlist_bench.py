"""What watchlists cost ingestion: ``match_batch`` (run inside every batch's transaction) over real articles.

Ingests the first N SaudiNewsNet records (``../shared/data``) with enrichment into a fresh SQLite store, then
times ``match_batch`` over those stored articles (their entities as resolved) with 0, 10, 50 and 200 watchlists
(half queries, a quarter names, a quarter outlet + query; every fifth a story watchlist), rolled back after each
run so that every run matches the same articles from scratch. Prints a table; ``--write-docs`` puts it in
docs/benchmarks.md.

    python bench/watchlist_bench.py [--n 1000] [--write-docs]
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from marsad.config import IngestOptions  # noqa: E402
from marsad.ingestion.alerts import make_watchlist, match_batch  # noqa: E402
from marsad.ingestion.pipeline import ingest  # noqa: E402
from marsad.models import Article  # noqa: E402
from marsad.store import SQLiteStore  # noqa: E402

DATA = REPO.parent / "shared" / "data" / "saudinewsnet.jsonl.gz"
QUERIES = ["السعودية", "النفط", "الرياض -الهلال", "وزير الخارجية", '"مجلس الوزراء"', "اليمن OR الحوثي", "الأمطار",
           "الاقتصاد", "التعليم", "الصحة"]
NAMES = ["الرياض", "سلمان", "اليمن", "إيران", "أوباما", "مصر", "جدة", "الأمم المتحدة"]
SOURCES = ["aawsat", "alriyadh", "okaz", "alyaum", "sabq"]


class _Rollback(Exception):
    pass


def _watchlists(n: int) -> list[dict[str, object]]:
    out = []
    for i in range(n):
        kind = i % 4
        kw: dict[str, object] = {"webhook": "https://hooks.example/x"}
        if kind in (0, 1):
            kw["query"] = QUERIES[i % len(QUERIES)]
        elif kind == 2:
            kw["entity"] = NAMES[i % len(NAMES)]
        else:
            kw.update(query=QUERIES[i % len(QUERIES)], sources=[SOURCES[i % len(SOURCES)]])
        if i % 5 == 4:
            kw["min_outlets"] = 3
        out.append(make_watchlist(f"w{i}", **kw))  # type: ignore[arg-type]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--write-docs", action="store_true")
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp())
    records = folder / "records.jsonl"
    with gzip.open(DATA, "rt", encoding="utf-8") as fh, records.open("w", encoding="utf-8") as out:
        for i, line in enumerate(fh):
            if i >= args.n:
                break
            out.write(line)
    store = SQLiteStore(folder / "bench.db")
    started = time.perf_counter()
    report = ingest([records], store, IngestOptions(embedder="none", workers=1))
    ingest_s = time.perf_counter() - started
    arts = []
    for row in store.iter_articles():
        if row["duplicate_of"] is None:
            arts.append((row["id"], Article(title=row["title"], display_title=row["display_title"], text=row["text"],
                                            source=row["source"], entities=row["entities"],
                                            category=row["category"], url=row["url"])))
    ids = [i for i, _ in arts]
    rows = []
    for n in (0, 10, 50, 200):
        for w in store.list_watchlists(health=False):
            store.remove_watchlist(w["name"])
        for w in _watchlists(n):
            store.add_watchlist(w)
        best = None
        counts: dict[str, int] = {}
        for _ in range(3):
            t0 = time.perf_counter()
            try:
                with store.transaction():
                    for k in range(0, len(arts), 500):             # the pipeline's batches
                        c = match_batch(store, arts[k:k + 500], ids[k:k + 500])
                        for key, v in c.items():
                            counts[key] = counts.get(key, 0) + v
                    raise _Rollback
            except _Rollback:
                pass
            elapsed = time.perf_counter() - t0
            best = elapsed if best is None else min(best, elapsed)
        assert best is not None
        rows.append((n, len(arts), counts.get("matches", 0) // 3, counts.get("alerts", 0) // 3, best,
                     1000 * best / len(arts)))
    lines = [f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}. "
             f"Command: `python bench/watchlist_bench.py --n {args.n}`. Ingest of those records with enrichment "
             f"(`--embedder none`, no watchlist): {ingest_s:.1f} s for {report.articles_found} articles "
             f"({1000 * ingest_s / max(1, report.articles_found):.1f} ms each).", "",
             "| watchlists | articles | matches | alerts | match_batch s (best of 3) | ms per article |",
             "|---|---|---|---|---|---|"]
    lines += [f"| {n} | {a} | {m} | {al} | {s:.3f} | {ms:.3f} |" for n, a, m, al, s, ms in rows]
    table = "\n".join(lines)
    print(table)
    if args.write_docs:
        docs = REPO / "docs" / "benchmarks.md"
        text = docs.read_text(encoding="utf-8")
        begin, end = "<!-- watchlist-bench:begin -->", "<!-- watchlist-bench:end -->"
        block = f"{begin}\n\n{table}\n\n{end}"
        if begin in text:
            text = text[: text.index(begin)] + block + text[text.index(end) + len(end):]
        else:
            text += ("\n## Watchlists: matching cost at ingest (issue 20)\n\n"
                     "`python bench/watchlist_bench.py --write-docs` times the watchlist matching every ingest batch "
                     "runs in its transaction (queries by the analyzer, names by key, story outlets) over real "
                     "SaudiNewsNet articles, enriched.\n\n" + block + "\n")
        docs.write_text(text, encoding="utf-8")
    store.close()


if __name__ == "__main__":
    main()
