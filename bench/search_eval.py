"""Known-item search evaluation on ANT: the headline, and separately the first sentence, as the query.

    python bench/search_eval.py                  # 5,000 ANT articles, 500 targets
    python bench/search_eval.py --all            # all 30,169 ANT records
    python bench/search_eval.py --tune           # also try a grid of BM25 column weights (on this sample)
    python bench/search_eval.py --write-docs     # write the table into docs/benchmarks.md

A seeded sample of ANT records (``--n``, in file order) is ingested with ``IngestOptions(enrich=False,
cluster=True, embedder="use")`` (features and embeddings as a default ingest computes them; enrichment off for
speed) into a temporary store; ``--targets`` stored, non-duplicate articles are drawn (seed ``--seed``) and each
is searched for with its headline and with the first sentence of its text (sentences of fewer than three
words are skipped; the first ``MAX_QUERY_WORDS`` words of a longer one). Two harder query sets show what
the analysis is for: **3 words** (the three longest words of the headline, in their order: what a reader
remembers) and **as typed** (the headline spelled as people type it: hamza seats and madda on alef
dropped, ة written ه, ى written ي). The target's rank in the top 10 gives MRR@10 and recall@10. Systems:

* **plain FTS5**: an in-memory FTS5 table over the raw title and text (default ``unicode61`` tokenizer,
  no Arabic analysis, BM25 without weights), query words quoted;
* **analyzer, no title boost**: ``articles_fts`` with every BM25 weight 1;
* **analyzer**: Marsad's search (``marsad.query``): exact + stem columns, BM25 title boost;
* **semantic**: the query string embedded with ``use``, nearest article embeddings (title + lead) in the
  vector index (``marsad.query.vectors``);
* **hybrid**: reciprocal rank fusion of the analyzer's and the semantic top 50 (``mode="hybrid"``).

Every lexical system requires all query words first and fills up with any-word matches when fewer than 10
articles have them all (the policy of ``marsad.query``).
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import random
import re
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]

from bench.docs import write_section  # noqa: E402
from marsad.config import IngestOptions, data_dir  # noqa: E402
from marsad.errors import QueryError  # noqa: E402
from marsad.ingestion.pipeline import ingest  # noqa: E402
from marsad.models import SearchFilters  # noqa: E402
from marsad.query.engine import lexical_ranking  # noqa: E402
from marsad.query.hybrid import hybrid_ranking, semantic_search_ranking  # noqa: E402
from marsad.query.vectors import build_index  # noqa: E402
from marsad.store import sqlite_search  # noqa: E402
from marsad.store.sqlite import SQLiteStore  # noqa: E402
from marsad.text.analyzer import parse_query  # noqa: E402

ANT = "ant-multisource.jsonl.gz"
ANT_RECORDS = 30169
MAX_QUERY_WORDS = 50
TOP = 10
_SENTENCE = re.compile(r"(?<=[.!?؟])\s+|\n+")
_RAW_WORD = re.compile(r"\w+")

Ranker = Callable[[str, int], list[int]]


def first_sentence(text: str, *, max_words: int = MAX_QUERY_WORDS) -> str:
    """The first sentence of ``text`` with at least three words, cut to ``max_words`` words."""
    for part in _SENTENCE.split(text.strip()):
        words = part.split()
        if len(words) >= 3:
            return " ".join(words[:max_words])
    return ""


def sample_records(src: Path, dst: Path, n: int | None, seed: int) -> int:
    """Write ``n`` records of ``src`` drawn with ``seed`` (all when None), in file order; return the count."""
    with gzip.open(src, "rt", encoding="utf-8") as fin:
        lines = fin.readlines()
    keep = sorted(random.Random(seed).sample(range(len(lines)), n)) if n and n < len(lines) else range(len(lines))
    with gzip.open(dst, "wt", encoding="utf-8") as fout:
        for i in keep:
            fout.write(lines[i])
    return len(keep)


_TYPED = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ة": "ه", "ى": "ي"})

QUERY_SETS = {"headline": "headline", "sentence": "first sentence", "short": "3 words", "typed": "as typed"}


def three_words(headline: str) -> str:
    """The three longest words of a headline (punctuation stripped), in headline order."""
    words = [w for w in (_RAW_WORD.findall(x) for x in headline.split()) if w]
    flat = [max(w, key=len) for w in words]
    keep = sorted(sorted(range(len(flat)), key=lambda i: (-len(flat[i]), i))[:3])
    return " ".join(flat[i] for i in keep)


@dataclass(slots=True)
class Target:
    """An article to find and its queries."""

    id: int
    headline: str
    sentence: str

    @property
    def short(self) -> str:
        """The three longest words of the headline."""
        return three_words(self.headline)

    @property
    def typed(self) -> str:
        """The headline without hamza seats on alef, ة as ه, ى as ي."""
        return self.headline.translate(_TYPED)


def pick_targets(store: SQLiteStore, n: int, seed: int) -> list[Target]:
    """``n`` stored, non-duplicate articles with a headline and a first sentence, drawn with ``seed``."""
    rows = store.conn.execute("SELECT id, coalesce(nullif(display_title, ''), title), text FROM articles "
                              "WHERE duplicate_of IS NULL ORDER BY id").fetchall()
    found = [Target(r[0], r[1], first_sentence(r[2])) for r in rows]
    found = [t for t in found if t.headline.strip() and t.sentence]
    return random.Random(seed).sample(found, min(n, len(found)))


def score(ranker: Ranker, targets: Sequence[Target], field: str) -> dict[str, float]:
    """MRR@10 and recall@10 of ``ranker`` over the targets' ``field`` queries."""
    rr = hits = 0.0
    for t in targets:
        ids = ranker(getattr(t, field), TOP)
        if t.id in ids[:TOP]:
            rr += 1.0 / (ids.index(t.id) + 1)
            hits += 1
    return {"mrr": rr / len(targets), "recall": hits / len(targets)}


# -- the systems ---------------------------------------------------------------------------------

def plain_fts(store: SQLiteStore) -> tuple[Ranker, float]:
    """Baseline: an in-memory FTS5 table over raw title + text (default unicode61), and its build seconds."""
    mem = sqlite3.connect(":memory:")
    started = time.perf_counter()
    mem.execute("CREATE VIRTUAL TABLE raw USING fts5(title, text)")
    rows = store.conn.execute("SELECT id, coalesce(nullif(display_title, ''), title), text FROM articles "
                              "WHERE duplicate_of IS NULL")
    mem.executemany("INSERT INTO raw(rowid, title, text) VALUES (?, ?, ?)", rows)
    mem.commit()
    built = time.perf_counter() - started

    def rank(query: str, k: int) -> list[int]:
        words = ['"' + w + '"' for w in _RAW_WORD.findall(query)]
        if not words:
            return []
        sql = "SELECT rowid FROM raw WHERE raw MATCH ? ORDER BY bm25(raw), rowid LIMIT ?"
        ids = [r[0] for r in mem.execute(sql, (" AND ".join(words), k))]
        if len(ids) < k and len(words) > 1:
            ids += [i for (i,) in mem.execute(sql, (" OR ".join(words), k + len(ids))) if i not in ids]
        return ids[:k]

    return rank, built


def marsad_ranker(store: SQLiteStore) -> Ranker:
    """Marsad's lexical search (whatever BM25 weights are set in ``marsad.store.sqlite_search``)."""
    filters = SearchFilters()

    def rank(query: str, k: int) -> list[int]:
        try:
            return [i for i, _, _ in lexical_ranking(store, parse_query(query), k, filters)]
        except QueryError:
            return []

    return rank


def vector_ranker(store: SQLiteStore, mode: str) -> Ranker:
    """Marsad's semantic or hybrid search (query embedded with ``use``)."""
    filters = SearchFilters()

    def rank(query: str, k: int) -> list[int]:
        try:
            parsed = parse_query(query)
            if mode == "semantic":
                return [i for i, _, _ in semantic_search_ranking(store, parsed, k, filters, embedder="use")]
            return [i for i, _, _ in hybrid_ranking(store, parsed, k, filters, lexical=lexical_ranking,
                                                    embedder="use")]
        except QueryError:
            return []

    return rank


@contextmanager
def weights(values: Sequence[float]) -> Iterator[None]:
    """Use other BM25 column weights for a while."""
    saved = sqlite_search.BM25_WEIGHTS
    sqlite_search.BM25_WEIGHTS = tuple(values)
    try:
        yield
    finally:
        sqlite_search.BM25_WEIGHTS = saved


def evaluate(store: SQLiteStore, targets: Sequence[Target]) -> list[dict[str, Any]]:
    """Rows of the table: one per system, MRR@10 / recall@10 for headline and first-sentence queries."""
    rows: list[dict[str, Any]] = []
    base, _ = plain_fts(store)
    systems: list[tuple[str, Ranker, Sequence[float] | None]] = [
        ("plain FTS5, raw text (unicode61)", base, None),
        ("Arabic analyzer, no title boost", marsad_ranker(store), (1.0, 1.0, 1.0, 1.0)),
        ("Arabic analyzer (Marsad)", marsad_ranker(store), sqlite_search.BM25_WEIGHTS),
        ("semantic (use embeddings, vector index)", vector_ranker(store, "semantic"), None),
        ("hybrid RRF (analyzer + semantic)", vector_ranker(store, "hybrid"), None),
    ]
    for name, ranker, w in systems:
        with weights(w or sqlite_search.BM25_WEIGHTS):
            row = {"system": name}
            for field in QUERY_SETS:
                s = score(ranker, targets, field)
                row[f"{field}_mrr"], row[f"{field}_recall"] = s["mrr"], s["recall"]
        rows.append(row)
    return rows


def build(n: int | None, seed: int, tmp: Path) -> tuple[SQLiteStore, dict[str, Any]]:
    """Ingest the sample (with features and ``use`` embeddings) into a store in ``tmp``; time the ingest, a full
    FTS5 rebuild and a vector index build."""
    sub = tmp / "ant-sample.jsonl.gz"
    records = sample_records(data_dir() / ANT, sub, n, seed)
    store = SQLiteStore(tmp / "search.db")
    started = time.perf_counter()
    report = ingest([str(sub)], store, IngestOptions(enrich=False, cluster=True, embedder="use", batch_size=1000))
    ingest_s = time.perf_counter() - started
    rebuilt = store.rebuild_search_index()
    vectors = build_index(store, "use")
    db_bytes = (tmp / "search.db").stat().st_size
    return store, {"records": records, "stored": report.stored, "ingest_s": ingest_s, "index_s": rebuilt["seconds"],
                   "index_bytes": rebuilt["bytes"], "indexed": rebuilt["indexed"], "db_bytes": db_bytes,
                   "vectors": vectors.vectors, "vectors_s": vectors.seconds, "vectors_kind": vectors.kind,
                   "vectors_bytes": vectors.bytes}


def tune(store: SQLiteStore, targets: Sequence[Target]) -> None:
    """Print MRR@10 of every query set for a small grid of BM25 column weights."""
    ranker = marsad_ranker(store)
    grid = [(1, 1, 1, 1), (2, 1, 1, 0.5), (2, 2, 1, 1), (3, 1.5, 1, 0.5), (4, 2, 1, 0.5), (4, 2, 1, 1),
            (6, 3, 1, 0.5), (8, 4, 1, 0.5), (4, 1, 1, 0.25), (4, 4, 1, 1), (10, 5, 1, 0.5), (4, 2, 2, 1),
            (2, 1, 1, 1), (3, 3, 1, 1), (2, 2, 2, 1), (1, 0.5, 1, 0.5)]
    for w in grid:
        with weights(w):
            found = {f: score(ranker, targets, f)["mrr"] for f in QUERY_SETS}
        print(f"weights {w}: " + "  ".join(f"{QUERY_SETS[f]} {v:.4f}" for f, v in found.items()), flush=True)


def _fmt(row: dict[str, Any], key: str) -> str:
    return f"{row[key]:.4f}" if key in row else "–"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=5000, help="ANT records to ingest (default 5000)")
    ap.add_argument("--all", action="store_true", help=f"ingest all {ANT_RECORDS:,} ANT records")
    ap.add_argument("--targets", type=int, default=500, help="known items to search for (default 500)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the record sample and the targets")
    ap.add_argument("--tune", action="store_true", help="also print a grid of BM25 column weights")
    ap.add_argument("--write-docs", action="store_true", help="write the table into docs/benchmarks.md")
    args = ap.parse_args()
    if not (data_dir() / ANT).exists():
        sys.exit(f"missing {data_dir() / ANT}; set MARSAD_DATA")
    n = None if args.all else args.n
    with tempfile.TemporaryDirectory() as tmp:
        store, info = build(n, args.seed, Path(tmp))
        targets = pick_targets(store, args.targets, args.seed)
        if args.tune:
            tune(store, targets)
        started = time.perf_counter()
        rows = evaluate(store, targets)
        eval_s = time.perf_counter() - started
        store.close()
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, " \
              f"SQLite {sqlite3.sqlite_version}"
    command = "python bench/search_eval.py" + (" --all" if args.all else f" --n {args.n}") + \
              f" --targets {args.targets} --seed {args.seed}"
    w = ", ".join(f"{x:g}" for x in sqlite_search.BM25_WEIGHTS)
    lines = [
        f"Machine: {machine}. Command: `{command}`.", "",
        f"{info['records']:,} ANT records sampled, {info['stored']:,} articles stored, {len(targets)} targets "
        f"(first sentence: at most {MAX_QUERY_WORDS} words). BM25 weights (title exact, title "
        f"stem, body exact, body stem) = ({w}).", "",
        "MRR@10 / recall@10 per query set:", "",
        "| system | " + " | ".join(QUERY_SETS.values()) + " |",
        "|---|" + "---|" * len(QUERY_SETS),
    ]
    for r in rows:
        lines.append(f"| {r['system']} | " + " | ".join(f"{_fmt(r, f + '_mrr')} / {_fmt(r, f + '_recall')}"
                                                        for f in QUERY_SETS) + " |")
    per_article = info["index_bytes"] / max(info["indexed"], 1)
    lines += ["", f"Index: {info['indexed']:,} articles indexed by `marsad reindex` in {info['index_s']:.1f} s "
              f"({info['indexed'] / max(info['index_s'], 1e-9):,.0f} articles/s); FTS5 size "
              f"{info['index_bytes'] / 1e6:.1f} MB ({per_article / 1e3:.2f} kB per article); whole store "
              f"{info['db_bytes'] / 1e6:.1f} MB. Vector index: {info['vectors']:,} canonical articles "
              f"({info['vectors_kind']}) built in {info['vectors_s']:.1f} s, {(info['vectors_bytes'] or 0) / 1e6:.1f} "
              f"MB. Ingest with indexing, clustering and `use` embeddings: {info['ingest_s']:.1f} s. "
              f"Evaluation ({len(targets) * len(QUERY_SETS) * len(rows)} queries): {eval_s:.1f} s."]
    table = "\n".join(lines)
    print(table)
    if args.write_docs:
        write_section("search-eval", table, heading="Search quality: known-item (issue: related and search)")


if __name__ == "__main__":
    main()
