"""The same corpus ingested into SQLite and into PostgreSQL: the same articles, duplicate links and story partition.

    python bench/pg_equal.py [--match "May 2018"] [--limit N] [--write-docs]

The ANT multi-outlet records whose line holds ``--match`` (default: May 2018, about 5,400 records from five outlets;
``--match ""`` takes the whole corpus) are written to one JSONL file and ingested by one `marsad ingest` process
(full pipeline: enrichment, USE embeddings, near-duplicates, stories) into a new SQLite store and into a new
database on a throwaway PostgreSQL server (started here like the tests' own, ``tests/pgserver.py``). Then both
stores are read back article by article (identity order) and compared:

- **articles**: every stored field except the two write times (``created_at``, ``modified_at``);
- **duplicate links**: the ``duplicate_of`` pairs, as pairs of article identities;
- **story partition**: the stories as sets of article identities, and the B-cubed F1 of one partition against
  the other (1.0 when they are equal);
- **rejections**: the same inputs rejected for the same reasons.

Also reported: the wall time of each ingest (articles/s, one writer) and whether ``integrity_check`` is clean.
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
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]

from tests.pgserver import PgServer  # noqa: E402

from bench.docs import write_section  # noqa: E402
from marsad.config import data_dir  # noqa: E402
from marsad.store import open_store  # noqa: E402
from marsad.stories.bcubed import bcubed  # noqa: E402

WRITE_TIMES = {"created_at", "modified_at"}


def records(match: str, limit: int | None, folder: Path) -> tuple[Path, int]:
    """The matching ANT records as one JSONL file, and how many."""
    out, n = folder / "ant.jsonl", 0
    with gzip.open(data_dir() / "ant-multisource.jsonl.gz", "rt", encoding="utf-8") as fin, \
            out.open("w", encoding="utf-8") as fout:
        for line in fin:
            if match in line:
                fout.write(line)
                n += 1
                if limit and n >= limit:
                    break
    return out, n


def ingest(path: Path, db: str) -> tuple[float, dict[str, Any]]:
    """`marsad ingest` of ``path`` into ``db`` in a fresh process: (seconds, its JSON report)."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "marsad", "ingest", str(path), "--db", db, "--json", "--no-progress"],
                          capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(f"ingest into {db} failed: {done.stderr[-2000:]}")
    return time.perf_counter() - started, json.loads(done.stdout)


def _key(row: dict[str, Any]) -> str:
    """An article's name across stores (its input's record id, else its URL, else its content hash)."""
    return str(row["external_id"] or row["url"] or row["content_hash"])


def snapshot(db: str) -> dict[str, Any]:
    """What the comparison reads from one store: articles by identity, links, stories, rejections."""
    store = open_store(db, readonly=True)
    try:
        rows = list(store.iter_articles())
        key_of = {r["id"]: _key(r) for r in rows}
        articles = {_key(r): {k: v for k, v in r.items() if k not in WRITE_TIMES} for r in rows}
        links = {(_key(r), key_of[r["duplicate_of"]]) for r in rows if r["duplicate_of"]}
        stories: dict[Any, set[str]] = {}
        for r in rows:
            if r["story_id"] is not None:
                stories.setdefault(r["story_id"], set()).add(_key(r))
        rejections = sorted((r["ref"] or "", r["reason_code"] or "", r["message"] or "")
                            for r in store.iter_rejections())
        return {"articles": articles, "links": links, "stories": stories, "rejections": rejections,
                "integrity": store.integrity_check()}
    finally:
        store.close()


def compare(lite: dict[str, Any], pg: dict[str, Any]) -> dict[str, Any]:
    """Counts of what agrees and what differs between the two snapshots."""
    a, b = lite["articles"], pg["articles"]
    same = [k for k in a.keys() & b.keys() if a[k] == b[k]]
    fields: dict[str, int] = {}
    for k in a.keys() & b.keys():
        for f in a[k]:
            if a[k][f] != b[k].get(f):
                fields[f] = fields.get(f, 0) + 1
    part_a = {frozenset(s) for s in lite["stories"].values()}
    part_b = {frozenset(s) for s in pg["stories"].values()}
    label_a = {m: i for i, s in enumerate(sorted(part_a, key=sorted)) for m in s}
    label_b = {m: i for i, s in enumerate(sorted(part_b, key=sorted)) for m in s}
    common = sorted(label_a.keys() & label_b.keys())
    f1 = bcubed({m: label_a[m] for m in common}, {m: label_b[m] for m in common})["f1"] if common else 1.0
    return {"articles": len(a), "articles_pg": len(b), "equal_articles": len(same), "field_diffs": fields,
            "links": len(lite["links"]), "links_pg": len(pg["links"]), "links_equal": lite["links"] == pg["links"],
            "stories": len(part_a), "stories_pg": len(part_b), "partition_equal": part_a == part_b,
            "bcubed_f1": f1, "rejections": len(lite["rejections"]),
            "rejections_equal": lite["rejections"] == pg["rejections"],
            "integrity": (lite["integrity"], pg["integrity"])}


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--match", default="May 2018", help="take the ANT records whose line holds this ('' = all)")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--write-docs", action="store_true")
    a = ap.parse_args()
    server = PgServer()
    server.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path, n = records(a.match, a.limit, Path(tmp))
            print(f"{n} records", flush=True)
            lite_db, pg_db = str(Path(tmp) / "ant.db"), server.new_database()
            lite_s, lite_report = ingest(path, lite_db)
            print(f"sqlite: {lite_s:.1f} s {lite_report['stored']} stored", flush=True)
            pg_s, pg_report = ingest(path, pg_db)
            print(f"postgresql: {pg_s:.1f} s {pg_report['stored']} stored", flush=True)
            result = compare(snapshot(lite_db), snapshot(pg_db))
    finally:
        server.stop()
    print(json.dumps(result, ensure_ascii=False, indent=1))
    load = os.getloadavg()
    ok = (result["equal_articles"] == result["articles"] == result["articles_pg"] and result["links_equal"]
          and result["partition_equal"] and result["rejections_equal"])
    match = f' --match "{a.match}"' if a.match != "May 2018" else ""
    diffs = ""
    if result["field_diffs"]:
        diffs = " (differing fields: " + ", ".join(f"{k} {v}" for k, v in sorted(result["field_diffs"].items())) + ")"
    lines = [
        f"`python bench/pg_equal.py{match}{f' --limit {a.limit}' if a.limit else ''}` — {n:,} ANT records "
        f"(lines holding \"{a.match}\"), one `marsad ingest` per store, full pipeline; {platform.machine()}, "
        f"{os.cpu_count()} cores, load after the run {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}; PostgreSQL 15 "
        "(Debian), the tests' throwaway server (fsync off).",
        "",
        "| | SQLite | PostgreSQL | equal |",
        "|---|---:|---:|---|",
        f"| articles (every field but the write times) | {result['articles']:,} | {result['articles_pg']:,} | "
        f"{result['equal_articles']:,} identical{diffs} |",
        f"| duplicate links | {result['links']:,} | {result['links_pg']:,} | {_yes(result['links_equal'])} |",
        f"| stories (partition of the articles) | {result['stories']:,} | {result['stories_pg']:,} | "
        f"{'yes' if result['partition_equal'] else 'no'} (B-cubed F1 {result['bcubed_f1']:.4f}) |",
        f"| rejections (input, reason) | {result['rejections']:,} | {result['rejections']:,} | "
        f"{'yes' if result['rejections_equal'] else 'no'} |",
        f"| ingest (one writer) | {lite_s:.0f} s, {lite_report['stored'] / lite_s:.1f} stored/s | {pg_s:.0f} s, "
        f"{pg_report['stored'] / pg_s:.1f} stored/s | |",
        f"| integrity check | {result['integrity'][0]} | {result['integrity'][1]} | |",
        "",
        f"Verdict: {'the two stores hold the same result' if ok else 'the stores differ (see the table)'}.",
    ]
    table = "\n".join(lines)
    print(table)
    if a.write_docs:
        write_section("pg-equal", table, heading="The same corpus into SQLite and PostgreSQL: the same result")


if __name__ == "__main__":
    main()
