"""Related articles at scale: p50/p95 latency and memory of ``related()`` at 100,000 and 1,000,000 articles, on a
synthetic scale-up of the real judged store.

    python bench/related_scale.py --sizes 100000 1000000 --write-docs   # needs /tmp/related.db (see below)
    python bench/related_scale.py --sizes 100000 --workdir /tmp/rscale  # keep the store for profiling

How the corpus is made (the related list needs what a real store has: entities, stories, copies, features, a
vector index; enriching and embedding a million texts is not feasible on 2 cores):

1. **Base**: the store of ``bench/related_eval.py`` (ANT 1-14 May 2018, 2,550 records ingested through the real
   pipeline: enrichment, entity resolution, near-duplicates, stories, USE embeddings); built when missing.
2. **Copies**: copy ``c`` of base article ``b`` gets id ``c * B + b`` (B = the base's largest id + 1), its
   identity and URL suffixed ``#c``, the same title, text, source, category and keyphrases, and a publication
   date ``c * 14`` days later (the base spans 14 days; a million articles is then ~16 years of these five
   outlets). Copy groups and stories are remapped per copy (``duplicate_of`` and ``story_id`` point inside the
   same copy), so story sizes and copy groups keep their real distribution and the number of stories grows
   with N.
3. **Entities**: an entity named in at least ``--common`` base articles (countries, leaders, parties: 305 of
   6,600) is shared by every copy, so its posting list grows with N (the most named one reaches ~18% of the
   articles); every other entity gets a new entity row per copy (the long tail of names grows with N too).
   ``article_entities`` rows are inserted copy after copy, as ingestion would.
4. **Features**: the TF-IDF terms are the base article's; the embedding is the base article's plus ``--mix``
   times another base article's plus seeded Gaussian noise of norm ``--noise``, L2-normalized, stored as
   float16 (as in ``bench/search_scale.py``). The vector index is built with ``marsad.query.vectors.build_index``
   (HNSW above 50,000 vectors). No FTS5 rows (related does not read the search index).
5. **Queries**: ``--calls`` article ids drawn at random (seeded) from the whole store, each ``related(store,
   id)`` with the default options, in a fresh process that opens the store read-only; the first call (index
   load) is timed apart. Random ids have no locality: no read of one call helps the next more than it would
   in a server answering readers across the archive.

Read with care: every base article has N / 2,431 clones in other "years" with nearly the same embedding and
the same terms, so the semantic neighbours of an article are mostly its clones; the lists at scale are not
meant to be read, only timed (their quality is measured on the real store, ``bench/related_eval.py``).
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
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]

from bench.docs import write_section  # noqa: E402
from bench.search_scale import pct, peak_mb, rss_mb  # noqa: E402
from marsad.store.sqlite import SQLiteStore  # noqa: E402

DAYS_PER_COPY = 14
_ARTICLE_COLS = ("external_id, source, site_name, author, title, display_title, title_derived, text, updated_at, "
                 "language, tags, related_headlines, origin, content_hash, version, created_at, modified_at, "
                 "entities, keyphrases, category, duplicate_reason, canonical_reason")


def ensure_base(base: Path) -> None:
    """Build the judged store of ``bench/related_eval.py`` at ``base`` when it is missing."""
    if base.exists():
        return
    from bench.related_eval import build_store, load_slice
    from marsad.config import data_dir

    build_store(load_slice(data_dir()), base).close()


def build_scaled(work: Path, base: Path, n: int, common: int, noise: float, mix: float, seed: int) -> dict[str, Any]:
    """Make the N-article store from the base store and build its vector index."""
    from marsad.query.vectors import build_index

    db = work / f"related-{n}.db"
    for f in work.glob(f"related-{n}.db*"):
        f.unlink()
    store = SQLiteStore(db)
    conn = store.conn
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute(f"ATTACH DATABASE '{base}' AS base")
    ids = [r[0] for r in conn.execute("SELECT id FROM base.articles ORDER BY id")]
    b = max(ids) + 1
    s = int(conn.execute("SELECT coalesce(max(id), 0) + 1 FROM base.stories").fetchone()[0])
    e = int(conn.execute("SELECT coalesce(max(id), 0) + 1 FROM base.entities").fetchone()[0])
    copies = -(-n // len(ids))
    conn.execute("CREATE TEMP TABLE shared AS SELECT entity_id AS id FROM base.article_entities GROUP BY entity_id "
                 "HAVING count(DISTINCT article_id) >= ?", (common,))
    conn.execute("CREATE UNIQUE INDEX temp.shared_id ON shared(id)")
    shared = conn.execute("SELECT count(*) FROM temp.shared").fetchone()[0]
    timings: dict[str, float] = {}
    t = time.perf_counter()
    conn.execute("BEGIN")
    conn.execute("INSERT INTO entities(id, cid, type, key, latin, created_at) SELECT id, cid, type, key, latin, "
                 "created_at FROM base.entities")
    made = 0
    for c in range(copies):
        take = min(len(ids), n - made)
        last = ids[take - 1]
        shift = f"+{c * DAYS_PER_COPY} days"
        conn.execute(
            f"INSERT INTO articles(id, identity, url, canonical_url, published_at, duplicate_of, story_id, "
            f"{_ARTICLE_COLS}) SELECT id + :off, identity || :tag, url || :tag, canonical_url, "
            "CASE WHEN published_at IS NULL THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%S+00:00', published_at, :shift) "
            "END, CASE WHEN duplicate_of <= :last THEN duplicate_of + :off END, story_id + :soff, "  # the last copy
            # is cut at N: a copy whose canonical (a later article) fell outside it is left without a link
            f"{_ARTICLE_COLS} FROM base.articles WHERE id <= :last ORDER BY id",
            {"off": c * b, "tag": f"#{c}", "shift": shift, "soff": c * s, "last": last})
        conn.execute("INSERT INTO stories(id, headline, summary, central_article, first_seen, last_updated, size, "
                     "outlets, entities, keyphrases, timeline, merged_into, status, modified_at) SELECT id + :soff, "
                     "headline, summary, central_article + :off, first_seen, last_updated, size, outlets, entities, "
                     "keyphrases, timeline, merged_into + :soff, status, modified_at FROM base.stories",
                     {"off": c * b, "soff": c * s})
        if c > 0:
            conn.execute("INSERT INTO entities(id, cid, type, key, latin, created_at) SELECT id + :eoff, "
                         "cid || :tag, type, key || :tag, latin, created_at FROM base.entities "
                         "WHERE id NOT IN (SELECT id FROM temp.shared)", {"eoff": c * e, "tag": f"#{c}"})
        conn.execute("INSERT INTO article_entities(article_id, entity_id, form, mentions) SELECT article_id + :off, "
                     "CASE WHEN :c = 0 OR entity_id IN (SELECT id FROM temp.shared) THEN entity_id "
                     "ELSE entity_id + :eoff END, form, mentions FROM base.article_entities WHERE article_id <= :last "
                     "ORDER BY rowid", {"off": c * b, "eoff": c * e, "c": c, "last": last})
        made += take
    conn.execute("COMMIT")
    timings["articles_entities_s"] = time.perf_counter() - t
    t = time.perf_counter()
    rows = conn.execute("SELECT article_id, embedding, embedder, terms FROM base.article_features "
                        "WHERE embedding IS NOT NULL ORDER BY article_id").fetchall()
    fid = np.array([r[0] for r in rows], dtype=np.int64)
    vecs = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float16).reshape(len(rows), -1).astype(np.float32)
    terms = [r[3] for r in rows]
    embedder = rows[0][2]
    rng = np.random.default_rng(seed)
    conn.execute("BEGIN")
    made = 0
    for c in range(copies):
        take = min(len(ids), n - made)
        last = ids[take - 1]
        keep = fid <= last
        if c == 0:
            noisy = vecs[keep]
        else:
            other = rng.integers(0, len(vecs), int(keep.sum()))
            noisy = vecs[keep] + mix * vecs[other] + rng.standard_normal(
                (int(keep.sum()), vecs.shape[1]), dtype=np.float32) * (noise / np.sqrt(vecs.shape[1]))
            noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
        half = noisy.astype(np.float16)
        conn.executemany("INSERT INTO article_features(article_id, embedding, embedder, terms) VALUES (?, ?, ?, ?)",
                         ((int(i) + c * b, half[j].tobytes(), embedder, terms[k])
                          for j, (k, i) in enumerate((k, i) for k, i in enumerate(fid) if i <= last)))
        made += take
    conn.execute("COMMIT")
    timings["features_s"] = time.perf_counter() - t
    conn.execute("DETACH DATABASE base")
    conn.execute("PRAGMA journal_mode = WAL")
    counts = {"articles": conn.execute("SELECT count(*) FROM articles").fetchone()[0],
              "stories": conn.execute("SELECT count(*) FROM stories").fetchone()[0],
              "entities": conn.execute("SELECT count(*) FROM entities").fetchone()[0],
              "article_entities": conn.execute("SELECT count(*) FROM article_entities").fetchone()[0],
              "max_posting": conn.execute("SELECT max(n) FROM (SELECT count(*) AS n FROM article_entities "
                                          "GROUP BY entity_id)").fetchone()[0],
              "shared_entities": shared, "copies": copies}
    stats = build_index(store, embedder)
    store.close()
    return {"n": n, **timings, **counts, "vector": stats.to_dict(), "db_bytes": db.stat().st_size,
            "build_peak_mb": peak_mb()}


def run_calls(work: Path, n: int, calls: int, seed: int) -> dict[str, Any]:
    """Time ``related`` for ``calls`` random article ids of the N-article store, opened read-only."""
    from marsad.query.related import related

    rss0 = rss_mb()
    store = SQLiteStore(work / f"related-{n}.db", readonly=True)
    top = store.conn.execute("SELECT max(id) FROM articles").fetchone()[0]
    rng = random.Random(seed)
    picked: list[int] = []
    while len(picked) < calls:
        row = store.conn.execute("SELECT id FROM articles WHERE id >= ? ORDER BY id LIMIT 1",
                                 (rng.randint(1, top),)).fetchone()
        if row:
            picked.append(row[0])
    t = time.perf_counter()
    related(store, picked[0])
    cold = time.perf_counter() - t
    rss_loaded = rss_mb()
    times, items = [], 0
    for article_id in picked[1:]:
        t = time.perf_counter()
        items += len(related(store, article_id).items)
        times.append(time.perf_counter() - t)
    store.close()
    return {"n": n, "calls": len(times), "cold_ms": cold * 1000, "p50_ms": pct(times, 50), "p95_ms": pct(times, 95),
            "max_ms": max(times) * 1000, "items": items / len(times), "rss_start_mb": rss0,
            "rss_loaded_mb": rss_loaded, "peak_mb": peak_mb()}


def _child(args: list[str]) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True, text=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def table(builds: list[dict[str, Any]], runs: list[dict[str, Any]], command: str, note: str) -> str:
    """The docs block."""
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, " \
              f"SQLite {sqlite3.sqlite_version}"
    lines = [f"Machine: {machine}. Command: `{command}`. Synthetic scale-up of the judged store (see the docstring "
             "of `bench/related_scale.py`); random article ids, default options, fresh read-only process.", "",
             "| N | calls | cold first call | p50 | p95 | max | items per list | RSS serving | peak RSS | "
             "stories | entities | article_entities rows | longest posting list | vector index | store |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for bld, r in zip(builds, runs, strict=True):
        v = bld["vector"]
        lines.append(
            f"| {r['n']:,} | {r['calls']:,} | {r['cold_ms'] / 1000:.1f} s | {r['p50_ms']:.1f} ms | "
            f"{r['p95_ms']:.1f} ms | {r['max_ms']:.0f} ms | {r['items']:.1f} | {r['rss_loaded_mb']:,.0f} MB | "
            f"{r['peak_mb']:,.0f} MB | {bld['stories']:,} | {bld['entities']:,} | {bld['article_entities']:,} | "
            f"{bld['max_posting']:,} | {v['kind']}, built in {v['seconds']:,.0f} s | {bld['db_bytes'] / 1e6:,.0f} MB |")
    if note:
        lines += ["", note]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--base", type=Path, default=Path("/tmp/related.db"),
                    help="the store of bench/related_eval.py (built there when missing)")
    ap.add_argument("--common", type=int, default=10, help="base articles naming an entity for it to be shared")
    ap.add_argument("--noise", type=float, default=0.3)
    ap.add_argument("--mix", type=float, default=0.35)
    ap.add_argument("--calls", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workdir", default=None, help="where the stores go (default: a temporary folder, removed)")
    ap.add_argument("--reuse", action="store_true", help="time an existing store in --workdir, do not rebuild")
    ap.add_argument("--note", default="", help="a sentence written under the table (e.g. machine shared)")
    ap.add_argument("--write-docs", action="store_true")
    ap.add_argument("--phase", choices=["build", "query"], help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        work = Path(args.workdir)
        if args.phase == "build":
            result = build_scaled(work, args.base, args.n, args.common, args.noise, args.mix, args.seed)
        else:
            result = run_calls(work, args.n, args.calls, args.seed)
        print(json.dumps(result))
        return
    ensure_base(args.base)
    tmp = None if args.workdir else tempfile.TemporaryDirectory(prefix="marsad-rscale-")
    work = Path(args.workdir or tmp.name)  # type: ignore[union-attr]
    work.mkdir(parents=True, exist_ok=True)
    common = ["--workdir", str(work), "--seed", str(args.seed), "--base", str(args.base)]
    builds, runs = [], []
    try:
        for n in args.sizes:
            info = work / f"related-{n}.json"
            if args.reuse and info.exists():
                builds.append(json.loads(info.read_text()))
            else:
                builds.append(_child(["--phase", "build", "--n", str(n), "--common", str(args.common), "--noise",
                                      str(args.noise), "--mix", str(args.mix), *common]))
                info.write_text(json.dumps(builds[-1]))
            print(f"build {n}: {json.dumps(builds[-1])}", flush=True)
            runs.append(_child(["--phase", "query", "--n", str(n), "--calls", str(args.calls), *common]))
            print(f"query {n}: {json.dumps(runs[-1])}", flush=True)
            if not args.workdir:
                for f in work.glob(f"related-{n}.db*"):
                    f.unlink()
    finally:
        if tmp is not None:
            tmp.cleanup()
    command = ("python bench/related_scale.py --sizes " + " ".join(str(n) for n in args.sizes)
               + f" --base {args.base} --common {args.common} --noise {args.noise} --mix {args.mix}"
               + f" --calls {args.calls} --seed {args.seed}")
    text = table(builds, runs, command, args.note)
    print(text)
    if args.write_docs:
        write_section("related-scale", text, heading="Related articles: latency at scale")


if __name__ == "__main__":
    main()
