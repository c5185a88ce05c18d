"""Search at scale: latency (p50/p95) of lexical, semantic and hybrid search, index build times, sizes and
memory at 100,000 and 1,000,000 articles, on a synthetic scale-up of the real corpus.

    python bench/search_scale.py                         # 100k and 1M (needs ~8 GB of disk, ~25 min on 2 cores)
    python bench/search_scale.py --sizes 100000          # one size
    python bench/search_scale.py --write-docs            # write the table into docs/benchmarks.md

How the corpus is made (embedding a million texts at ~140/s per core is not feasible here):

1. **Base**: ``--base`` records (half ANT, half SaudiNewsNet, seeded sample) ingested by the real pipeline
   (``IngestOptions(enrich=False, cluster=False)``); ``--embed`` of them (seeded) embedded with ``use`` from
   ``embedding_text(title, text)``, exactly as ingest does.
2. **Scale-up** to N articles, in SQL: copy ``c`` of base article ``b`` gets id ``c * B + b``, identity and
   URL suffixed ``#c``, the same title, text, source and date. Its FTS5 row is the base article's analyzed
   strings (the analyzer runs once per base article: copies would analyze identically), so the FTS5 build
   time is the insert of N rows of analyzed strings plus N / (measured analyzer rate); the analyzer part is
   extrapolated, not run N times. Its embedding is that of embedded base article ``b mod E`` (``E`` =
   ``--embed``), plus ``--mix`` times another embedded base article drawn at random, plus seeded Gaussian
   noise of norm ``--noise``, L2-normalized again (so the million vectors spread like real ones instead of
   forming E tight clusters of near-ties), stored as float16 in ``article_features`` like a real one.
3. **Queries**: ``--queries`` real headlines of base articles (seeded): half whole headlines, half their
   three longest words. Each is run once per mode with ``search(store, q, k=10, mode=...)`` in a fresh
   process that opens the store read-only and loads the vector index lazily (its first query, timed
   apart). Latency includes embedding the query (``use``, reported on its own too), ranking, filtering
   and building the 10 hits with snippets.
4. **Memory**: peak RSS of the build process (store + vector index build) and of the query process, and
   the query process's RSS after the index is loaded.

The copies make the data easier than real news for lexical search (posting lists as long as real ones but
fewer distinct terms) and harder for HNSW (tight clusters of near-identical vectors).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]

from bench.docs import write_section  # noqa: E402
from bench.search_eval import three_words  # noqa: E402
from marsad.config import IngestOptions, data_dir  # noqa: E402
from marsad.query.vectors import HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH, HNSW_M  # noqa: E402
from marsad.store.sqlite import SQLiteStore  # noqa: E402
from marsad.store.sqlite_search import RELAX_MAX_POSTINGS  # noqa: E402
from marsad.text.analyzer import FTS_COLUMNS  # noqa: E402

SOURCES = ("ant-multisource.jsonl.gz", "saudinewsnet.jsonl.gz")
MODES = ("lexical", "semantic", "hybrid")


def rss_mb() -> float:
    """Current resident memory of this process, MB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_mb() -> float:
    """Peak resident memory of this process since it started (VmHWM: ru_maxrss would carry the driver's peak
    over fork), MB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- 1. the base store ------------------------------------------------------------------------------

def build_base(work: Path, n: int, embed: int, seed: int) -> dict[str, Any]:
    """Ingest ``n`` real records, analyze them once, embed ``embed`` of them; cached in ``work/base.db``."""
    db = work / "base.db"
    meta_file = work / "base.json"
    if db.exists() and meta_file.exists():
        meta = json.loads(meta_file.read_text())
        if meta.get("n") == n and meta.get("embed") == embed and meta.get("seed") == seed:
            return dict(meta)
        db.unlink()
    from marsad.enrich.embed import USEEmbedder, embedding_text
    from marsad.ingestion.pipeline import ingest

    rng = random.Random(seed)
    sample = work / "base.jsonl.gz"
    with gzip.open(sample, "wt", encoding="utf-8") as out:
        for name in SOURCES:
            with gzip.open(data_dir() / name, "rt", encoding="utf-8") as f:
                lines = f.readlines()
            for i in sorted(rng.sample(range(len(lines)), min(n // len(SOURCES), len(lines)))):
                out.write(lines[i])
    store = SQLiteStore(db)
    started = time.perf_counter()
    ingest([str(sample)], store, IngestOptions(enrich=False, cluster=False, batch_size=2000))
    ingest_s = time.perf_counter() - started
    conn = store.conn
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("DELETE FROM articles WHERE duplicate_of IS NOT NULL")
    conn.execute("CREATE TABLE analyzed AS SELECT id, " + ", ".join(
        f"marsad_fts(coalesce(nullif(display_title, ''), title), text, {i}) AS c{i}" for i in range(len(FTS_COLUMNS)))
        + " FROM articles ORDER BY id")
    t = time.perf_counter()
    count = conn.execute("SELECT count(*) FROM analyzed").fetchone()[0]
    rows = conn.execute("SELECT id, coalesce(nullif(display_title, ''), title), text FROM articles "
                        "ORDER BY id").fetchall()
    from marsad.text.analyzer import index_field
    for _, title, text in rows[:2000]:
        for i in range(len(FTS_COLUMNS)):
            index_field(title, text, i)
    analyze_rate = min(2000, len(rows)) / (time.perf_counter() - t)
    picked = sorted(random.Random(seed + 1).sample(range(len(rows)), min(embed, len(rows))))
    model = USEEmbedder(threads=os.cpu_count() or 1)
    t = time.perf_counter()
    vectors = np.concatenate([model.encode([embedding_text(rows[i][1], rows[i][2]) for i in picked[j:j + 256]])
                              for j in range(0, len(picked), 256)])
    embed_rate = len(picked) / (time.perf_counter() - t)
    conn.execute("CREATE TABLE embedded (pos INTEGER PRIMARY KEY, article_id INTEGER, embedding BLOB)")
    conn.executemany("INSERT INTO embedded VALUES (?, ?, ?)",
                     [(p, rows[i][0], vectors[p].astype(np.float16).tobytes()) for p, i in enumerate(picked)])
    store.close()
    meta = {"n": n, "embed": embed, "seed": seed, "articles": count, "embedded": len(picked),
            "analyze_rate": analyze_rate, "embed_rate": embed_rate, "ingest_s": ingest_s}
    meta_file.write_text(json.dumps(meta))
    return meta


# -- 2. the scaled store (one process per size) --------------------------------------------------------

def build_scaled(work: Path, n: int, noise: float, mix: float, seed: int) -> dict[str, Any]:
    """Make the N-article store from the base, fill FTS5 and article_features, build the vector index."""
    from marsad.query.vectors import build_index

    db = work / f"scale-{n}.db"
    for f in work.glob(f"scale-{n}.db*"):
        f.unlink()
    store = SQLiteStore(db)
    conn = store.conn
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute(f"ATTACH DATABASE '{work / 'base.db'}' AS base")
    ids = [r[0] for r in conn.execute("SELECT id FROM base.articles ORDER BY id")]
    b = max(ids) + 1
    copies = -(-n // len(ids))
    cols = ("external_id, url, canonical_url, source, site_name, author, title, display_title, title_derived, "
            "text, published_at, updated_at, language, tags, related_headlines, origin, content_hash, created_at, "
            "modified_at")
    t = time.perf_counter()
    conn.execute("BEGIN")
    made = 0
    for c in range(copies):
        take = min(len(ids), n - made)
        conn.execute(f"INSERT INTO articles(id, identity, {cols}) SELECT id + ?, identity || '#' || ?, "
                     + cols.replace("url, canonical_url", "url || '#' || ?, canonical_url")
                     + " FROM base.articles ORDER BY id LIMIT ?", (c * b, c, c, take))
        made += take
    conn.execute("COMMIT")
    articles_s = time.perf_counter() - t
    size0 = db.stat().st_size
    t = time.perf_counter()
    conn.execute("BEGIN")
    made = 0
    for c in range(copies):
        take = min(len(ids), n - made)
        conn.execute(f"INSERT INTO articles_fts(rowid, {', '.join(FTS_COLUMNS)}) SELECT id + ?, "
                     + ", ".join(f"c{i}" for i in range(len(FTS_COLUMNS))) + " FROM base.analyzed ORDER BY id LIMIT ?",
                     (c * b, take))
        made += take
    conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('optimize')")
    conn.execute("COMMIT")
    fts_insert_s = time.perf_counter() - t
    size1 = db.stat().st_size
    emb = conn.execute("SELECT embedding FROM base.embedded ORDER BY pos").fetchall()
    base_vecs = np.frombuffer(b"".join(r[0] for r in emb), dtype=np.float16).reshape(len(emb), -1).astype(np.float32)
    rng = np.random.default_rng(seed)
    t = time.perf_counter()
    conn.execute("BEGIN")
    made = 0
    for c in range(copies):
        take = min(len(ids), n - made)
        pos = (np.arange(take) + c * len(ids)) % len(base_vecs)
        other = rng.integers(0, len(base_vecs), take)
        noisy = base_vecs[pos] + mix * base_vecs[other] + rng.standard_normal(
            (take, base_vecs.shape[1]), dtype=np.float32) * (noise / np.sqrt(base_vecs.shape[1]))
        noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
        half = noisy.astype(np.float16)
        conn.executemany("INSERT INTO article_features(article_id, embedding, embedder, terms) "
                         "VALUES (?, ?, 'use', '{}')", ((ids[j] + c * b, half[j].tobytes()) for j in range(take)))
        made += take
    conn.execute("COMMIT")
    features_s = time.perf_counter() - t
    conn.execute("DETACH DATABASE base")
    conn.execute("PRAGMA journal_mode = WAL")
    rss_before = rss_mb()
    stats = build_index(store, "use")
    store.close()
    return {"n": n, "articles_s": articles_s, "fts_insert_s": fts_insert_s, "fts_bytes": size1 - size0,
            "features_s": features_s, "db_bytes": db.stat().st_size, "vector": stats.to_dict(),
            "build_rss_before_mb": rss_before, "build_peak_mb": peak_mb()}


# -- 3. queries (a fresh process per size) --------------------------------------------------------------

def pick_queries(work: Path, count: int, seed: int) -> list[str]:
    """Real headlines of base articles: half whole, half their three longest words."""
    conn = sqlite3.connect(work / "base.db")
    heads = [r[0] for r in conn.execute("SELECT coalesce(nullif(display_title, ''), title) FROM articles "
                                        "WHERE length(title) > 20 ORDER BY id")]
    conn.close()
    picked = random.Random(seed).sample(heads, min(count, len(heads)))
    return [h if i % 2 == 0 else three_words(h) for i, h in enumerate(picked)]


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (ms)."""
    return float(np.percentile(np.asarray(values) * 1000, p))


def run_queries(work: Path, n: int, count: int, seed: int) -> dict[str, Any]:
    """Time every mode over the queries against the N-article store, opened read-only."""
    from marsad.enrich.embed import get_embedder
    from marsad.models import SearchFilters
    from marsad.query import search
    from marsad.query.engine import _rank
    from marsad.query.vectors import get_index
    from marsad.store import open_store
    from marsad.text.analyzer import parse_query

    queries = pick_queries(work, count, seed)
    rss0 = rss_mb()
    model = get_embedder("use")
    assert model is not None
    t = time.perf_counter()
    embed_times = []
    for q in queries[:100]:
        s = time.perf_counter()
        model.encode([q])
        embed_times.append(time.perf_counter() - s)
    store = open_store(work / f"scale-{n}.db", readonly=True)
    rss_model = rss_mb()
    t = time.perf_counter()
    index = get_index(store, "use")
    load_s = time.perf_counter() - t
    rss_index = rss_mb()
    out: dict[str, Any] = {"n": n, "queries": len(queries), "load_s": load_s, "index_kind": index.kind,
                           "rss_start_mb": rss0, "rss_model_mb": rss_model, "rss_index_mb": rss_index,
                           "embed_p50": pct(embed_times, 50), "embed_p95": pct(embed_times, 95)}
    parsed = [parse_query(q) for q in queries]
    for mode in MODES:
        times, ranking = [], []
        for q in parsed:
            s = time.perf_counter()
            search(store, q, k=10, mode=mode, embedder="use")
            times.append(time.perf_counter() - s)
            s = time.perf_counter()
            _rank(store, q, mode, 10, SearchFilters(), "use")
            ranking.append(time.perf_counter() - s)
        out[mode] = {"p50": pct(times, 50), "p95": pct(times, 95), "rank_p50": pct(ranking, 50),
                     "rank_p95": pct(ranking, 95)}
    times = []
    for q in parsed[:100]:                  # the any-word fallback alone: what a query matching < 10 articles costs
        s = time.perf_counter()
        store.search_lexical(q, k=10, filters=SearchFilters(), match_all=False)
        times.append(time.perf_counter() - s)
    out["lexical_any"] = {"p50": pct(times, 50), "p95": pct(times, 95)}
    by_size = store.conn.execute("SELECT source, count(*) FROM articles WHERE source IS NOT NULL GROUP BY source "
                                 "ORDER BY count(*)").fetchall()
    for key, (source, count) in (("semantic_filtered", by_size[0]), ("semantic_filtered_large", by_size[-1])):
        times = []
        for q in queries[:100]:
            s = time.perf_counter()
            search(store, q, k=10, mode="semantic", embedder="use", filters=SearchFilters(sources=(source,)))
            times.append(time.perf_counter() - s)
        out[key] = {"p50": pct(times, 50), "p95": pct(times, 95), "source": source, "articles": count}
    # HNSW recall@10 against exact search over the same vectors
    vecs = model.encode(queries)
    if index.kind == "hnsw":
        exact = index.dense() @ vecs.T
        agree = 0
        for j, v in enumerate(vecs):
            truth = set(index.ids[np.argpartition(-exact[:, j], 9)[:10]].tolist())
            agree += len(truth & {i for i, _ in index.search(v, 10)})
        out["hnsw_recall10"] = agree / (10 * len(vecs))
    out["query_peak_mb"] = peak_mb()
    store.close()
    return out


# -- crossover: exact numpy vs HNSW, faiss vs hnswlib ------------------------------------------------------

def crossover(work: Path, seed: int) -> list[dict[str, Any]]:
    """Query time of exact numpy search and faiss HNSW by index size, and hnswlib at the largest size."""
    import faiss

    from marsad.query.vectors import _top

    conn = sqlite3.connect(work / "base.db")
    emb = conn.execute("SELECT embedding FROM embedded ORDER BY pos").fetchall()
    conn.close()
    base = np.frombuffer(b"".join(r[0] for r in emb), dtype=np.float16).reshape(len(emb), -1).astype(np.float32)
    rng = np.random.default_rng(seed)
    d = base.shape[1]
    queries = base[rng.choice(len(base), 200, replace=False)]
    rows = []
    for n in (2000, 5000, 10000, 20000, 50000, 100000):
        x = base[np.arange(n) % len(base)] + rng.standard_normal((n, d), dtype=np.float32) * (0.3 / np.sqrt(d))
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        s = time.perf_counter()
        for q in queries:
            _top(x @ q, 10)
        exact = (time.perf_counter() - s) / len(queries) * 1000
        idx = faiss.IndexHNSWFlat(d, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        idx.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        s = time.perf_counter()
        idx.add(x)
        build = time.perf_counter() - s
        idx.hnsw.efSearch = HNSW_EF_SEARCH
        s = time.perf_counter()
        found = [idx.search(q[None], 10)[1][0] for q in queries]
        hnsw = (time.perf_counter() - s) / len(queries) * 1000
        truth = [set(_top(x @ q, 10).tolist()) for q in queries]
        recall = float(np.mean([len(t & set(f.tolist())) / 10 for t, f in zip(truth, found, strict=True)]))
        row = {"n": n, "exact_ms": exact, "hnsw_ms": hnsw, "hnsw_build_s": build, "hnsw_recall": recall,
               "ef": HNSW_EF_SEARCH}
        if n == 100000:
            try:
                import hnswlib
                h = hnswlib.Index(space="ip", dim=d)
                h.init_index(max_elements=n, M=HNSW_M, ef_construction=HNSW_EF_CONSTRUCTION)
                s = time.perf_counter()
                h.add_items(x, num_threads=os.cpu_count() or 1)
                row["hnswlib_build_s"] = time.perf_counter() - s
                h.set_ef(HNSW_EF_SEARCH)
                h.set_num_threads(1)
                s = time.perf_counter()
                hf = [h.knn_query(q[None], 10)[0][0] for q in queries]
                row["hnswlib_ms"] = (time.perf_counter() - s) / len(queries) * 1000
                row["hnswlib_recall"] = float(np.mean([len(t & set(f.tolist())) / 10
                                                       for t, f in zip(truth, hf, strict=True)]))
            except ImportError:
                pass
        print(json.dumps(row), flush=True)
        rows.append(row)
    return rows


# -- driver ----------------------------------------------------------------------------------------------

def _child(args: list[str]) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True, text=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _mib(mb: float | None) -> str:
    return "–" if mb is None else f"{mb:,.0f} MB"


def _mb(b: float | None) -> str:
    return "–" if b is None else f"{b / 1e6:,.0f} MB"


def table(base: dict[str, Any], builds: list[dict[str, Any]], runs: list[dict[str, Any]],
          cross: list[dict[str, Any]], command: str, noise: float, mix: float, note: str = "") -> str:
    """The docs section."""
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, " \
              f"SQLite {sqlite3.sqlite_version}"
    lines = [f"Machine: {machine}. Command: `{command}`.", "",
             f"Synthetic scale-up (see the docstring of `bench/search_scale.py`): {base['articles']:,} real base "
             f"articles (half ANT, half SaudiNewsNet) copied with new ids and URLs up to N; {base['embedded']:,} of "
             f"them embedded with `use` ({base['embed_rate']:.0f} texts/s on {os.cpu_count()} threads), each copy "
             f"given one of those embeddings plus {mix} × another one plus seeded Gaussian noise of norm {noise} "
             f"(re-normalized). "
             f"Queries: {runs[0]['queries'] if runs else 0} real headlines (half whole, half their three longest "
             "words), k = 10, full `search()` (query embedding, ranking, filters, hits with snippets), store opened "
             "read-only in a fresh process. Ranking only = the ranked ids (query embedding included, "
             "no hits or snippets).", "",
             "| N | mode | search p50 ms | search p95 ms | ranking only p50 ms | ranking only p95 ms |",
             "|---|---|---|---|---|---|"]
    for r in runs:
        for mode in MODES:
            m = r[mode]
            lines.append(f"| {r['n']:,} | {mode} | {m['p50']:.1f} | {m['p95']:.1f} | {m['rank_p50']:.1f} | "
                         f"{m['rank_p95']:.1f} |")
        if "lexical_any" in r:
            f = r["lexical_any"]
            lines.append(f"| {r['n']:,} | lexical any-word fallback alone (runs when < 10 articles have every "
                         f"word) | | | {f['p50']:.1f} | {f['p95']:.1f} |")
        for key, what in (("semantic_filtered", "smallest outlet: pre-filter"),
                          ("semantic_filtered_large", "largest outlet: over-fetch")):
            if key not in r or r[key].get("source") is None:
                continue
            f = r[key]
            lines.append(f"| {r['n']:,} | semantic, `--source {f['source']}` ({f.get('articles', 0):,} articles, "
                         f"{what}) | {f['p50']:.1f} | {f['p95']:.1f} | | |")
    if runs:
        lines += ["", f"Query embedding alone (`use`, one query): p50 {runs[0]['embed_p50']:.1f} ms, "
                  f"p95 {runs[0]['embed_p95']:.1f} ms (included above in semantic and hybrid)."]
    lines += ["", "| N | FTS5 build | FTS5 size | vector index | vector build | vector files | store | "
              "peak RSS build | RSS serving | peak RSS queries | first query (index load) | HNSW recall@10 |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for bld, r in zip(builds, runs, strict=True):
        n = bld["n"]
        analyze = n / base["analyze_rate"]
        v = bld["vector"]
        recall = f"{r['hnsw_recall10']:.3f}" if "hnsw_recall10" in r else "exact"
        lines.append(
            f"| {n:,} | {bld['fts_insert_s'] + analyze:,.0f} s ({bld['fts_insert_s']:,.0f} s insert + {analyze:,.0f} s "
            f"analysis, extrapolated) | {_mb(bld['fts_bytes'])} | {v['kind']} | {v['seconds']:,.0f} s | "
            f"{_mb(v['bytes'])} | {_mb(bld['db_bytes'])} | {_mib(bld['build_peak_mb'])} | "
            f"{_mib(r['rss_index_mb'])} | {_mib(r['query_peak_mb'])} | {r['load_s']:.1f} s | {recall} |")
    lines += ["", f"Analyzer rate (measured on the base): {base['analyze_rate']:,.0f} articles/s. Vector build = "
              f"reading the float16 embeddings from SQLite + faiss `IndexHNSWFlat` (M {HNSW_M}, efConstruction "
              f"{HNSW_EF_CONSTRUCTION}, efSearch {HNSW_EF_SEARCH}, inner product) + writing "
              "`<db>.vectors.use.{npz,faiss}`. RSS serving = the query process after loading the USE model and the "
              "index. HNSW recall@10 = share of the exact top 10 (numpy over the same vectors) that HNSW returns."]
    if cross:
        lines += ["", f"Exact (numpy) against HNSW (faiss, efSearch {cross[0].get('ef', 96)}) by index size, one "
                  "query, top 10 (real embeddings + noise):",
                  "", "| vectors | exact ms | HNSW ms | HNSW build s | HNSW recall@10 |", "|---|---|---|---|---|"]
        for c in cross:
            lines.append(f"| {c['n']:,} | {c['exact_ms']:.2f} | {c['hnsw_ms']:.2f} | {c['hnsw_build_s']:.1f} | "
                         f"{c['hnsw_recall']:.3f} |")
        last = cross[-1]
        if "hnswlib_ms" in last:
            lines += ["", f"hnswlib at {last['n']:,} (same M / ef): build {last['hnswlib_build_s']:.1f} s, "
                      f"query {last['hnswlib_ms']:.2f} ms, recall@10 {last['hnswlib_recall']:.3f}; faiss: build "
                      f"{last['hnsw_build_s']:.1f} s, query {last['hnsw_ms']:.2f} ms, recall@10 "
                      f"{last['hnsw_recall']:.3f}."]
    lines += ["", "Read with care:", "",
              "- **Lexical ranking**: without filters other than leaving copies out, FTS5 ranks on its own and only "
              "the top `k + 20` rowids are checked against `articles` (a join read every matching article's row); "
              "the all-words query of 4 words or more leaves out single words whose exact key or stem is in more "
              "than 20% of the articles (في, هو: BM25 gives them little weight, but FTS5's bm25() walks a phrase's "
              "whole posting list to get its IDF, 0.1 s for في at 1M); the any-word fallback (when fewer than k "
              "articles have every word) uses only the query's rarest words that together occur in at most "
              f"`RELAX_MAX_POSTINGS` ({RELAX_MAX_POSTINGS:,}) documents (exact key + stem), always at least the "
              "rarest one; term document frequencies are cached per store. Known-item quality on ANT: "
              "`bench/search_eval.py`, table above. The same queries before and after, interleaved in one process "
              "so that other jobs slow both alike: "
              "`python bench/related_search_ab.py lexical --rev 676712b --workdir DIR --n N`.",
              "- **The copies make lexical search easier and harder than real news**: at 1,000,000 every base "
              "article has about 51 copies, so every word occurs in at least 51 articles and a whole headline "
              "always finds 10 articles with every word (the fallback row is run on its own to show its cost).",
              "- **HNSW recall@10** here is against exact search over vectors that are mixtures of 8,000 real ones "
              "(hundreds of near-ties per query); on real ANT vectors (crossover table) it is 0.997-1.000. "
              "`marsad.query.vectors.HNSW_EF_SEARCH` is the knob.",
              "- **Memory at 1M**: the HNSW index holds float32 vectors (2 GB for 512 dimensions) plus the graph; "
              "the query process peaks higher because the recall check multiplies the whole matrix by the queries."]
    if note:
        lines += [f"- {note}"]
    return "\n".join(lines)


def _command(args: argparse.Namespace) -> str:
    return ("python bench/search_scale.py --sizes " + " ".join(str(n) for n in args.sizes)
            + f" --base {args.base} --embed {args.embed} --noise {args.noise} --mix {args.mix}"
            + f" --queries {args.queries} --seed {args.seed}")


def _from_log(path: Path, args: argparse.Namespace) -> None:
    """Tables from the lines an earlier run printed (``base:``, crossover rows, ``build N:``, ``query N:``);
    a later ``query N:`` line replaces an earlier one."""
    base: dict[str, Any] = {}
    cross: list[dict[str, Any]] = []
    builds: dict[int, dict[str, Any]] = {}
    runs: dict[int, dict[str, Any]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("base: "):
            base = json.loads(line[6:])
        elif line.startswith('{"n"'):
            cross.append(json.loads(line))
        elif line.startswith(("build ", "query ")):
            head, _, body = line.partition(": ")
            kind, n = head.split()
            (builds if kind == "build" else runs)[int(n)] = json.loads(body)
    sizes = [n for n in args.sizes if n in builds and n in runs]
    text = table(base, [builds[n] for n in sizes], [runs[n] for n in sizes], cross, _command(args), args.noise,
                 args.mix, args.note)
    print(text)
    if args.write_docs:
        write_section("search-scale", text,
                      heading="Search at scale: latency, build, memory (issue: related and search)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--base", type=int, default=20000, help="real base records (half ANT, half SaudiNewsNet)")
    ap.add_argument("--embed", type=int, default=8000, help="base articles embedded for real")
    ap.add_argument("--noise", type=float, default=0.3, help="relative norm of the noise added to copied embeddings")
    ap.add_argument("--mix", type=float, default=0.35,
                    help="weight of a second, random base embedding mixed into each copied one")
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workdir", default=None, help="where the stores go (default: a temporary folder, removed)")
    ap.add_argument("--no-crossover", action="store_true", help="skip the exact-vs-HNSW table")
    ap.add_argument("--reuse", action="store_true",
                    help="query the stores an earlier run left in --workdir instead of building them again")
    ap.add_argument("--write-docs", action="store_true")
    ap.add_argument("--note", default="", help="a sentence added under the tables (e.g. the machine was shared)")
    ap.add_argument("--from-log", default=None, metavar="FILE",
                    help="only print (and with --write-docs write) the tables of an earlier run's output")
    ap.add_argument("--phase", choices=["build", "query"], help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        work = Path(args.workdir)
        if args.phase == "build":
            result = build_scaled(work, args.n, args.noise, args.mix, args.seed)
        else:
            result = run_queries(work, args.n, args.queries, args.seed)
        print(json.dumps(result))
        return
    if args.from_log:
        _from_log(Path(args.from_log), args)
        return
    tmp = None if args.workdir else tempfile.TemporaryDirectory(prefix="marsad-scale-")
    work = Path(args.workdir or tmp.name)  # type: ignore[union-attr]
    work.mkdir(parents=True, exist_ok=True)
    common = ["--workdir", str(work), "--seed", str(args.seed), "--noise", str(args.noise), "--mix", str(args.mix),
              "--queries", str(args.queries)]
    try:
        base = build_base(work, args.base, args.embed, args.seed)
        print(f"base: {json.dumps(base)}", flush=True)
        cross = [] if args.no_crossover else crossover(work, args.seed)
        builds, runs = [], []
        for n in args.sizes:
            info = work / f"scale-{n}.json"
            if args.reuse and info.exists() and (work / f"scale-{n}.db").exists():
                builds.append(json.loads(info.read_text()))
            else:
                builds.append(_child(["--phase", "build", "--n", str(n), *common]))
                info.write_text(json.dumps(builds[-1]))
            print(f"build {n}: {json.dumps(builds[-1])}", flush=True)
            runs.append(_child(["--phase", "query", "--n", str(n), *common]))
            print(f"query {n}: {json.dumps(runs[-1])}", flush=True)
            for f in work.glob(f"scale-{n}.db*"):
                if not args.workdir:
                    f.unlink()
    finally:
        if tmp is not None:
            tmp.cleanup()
    text = table(base, builds, runs, cross, _command(args), args.noise, args.mix, args.note)
    print(text)
    if args.write_docs:
        write_section("search-scale", text,
                      heading="Search at scale: latency, build, memory (issue: related and search)")


if __name__ == "__main__":
    main()
