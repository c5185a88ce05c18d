"""Entity step speed: ms/article of in-article grouping and store-wide resolution on real ANT articles.

The tagger runs first and is not timed; then, per article in corpus order, ``group_mentions`` (in the worker) and
``resolve_entities`` (in the writer, one transaction per article, as ingestion does) are timed into a fresh SQLite
store. Run it against another checkout to compare (``PYTHONPATH=../main/src``); the APIs it uses are old.

    python bench/entity_bench.py [--articles 600] [--skip 0] [--write-docs]
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO)]

from marsad.config import data_dir  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=600)
    ap.add_argument("--skip", type=int, default=0, help="Take every (skip+1)-th article (spread over outlets).")
    ap.add_argument("--write-docs", action="store_true")
    args = ap.parse_args()
    from marsad.enrich.entities import group_mentions
    from marsad.enrich.ner import default_tagger
    from marsad.ingestion.pipeline import resolve_entities
    from marsad.models import Article
    from marsad.store.sqlite import SQLiteStore

    texts = []
    with gzip.open(data_dir() / "ant-multisource.jsonl.gz", "rt", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i % (args.skip + 1) == 0:
                texts.append(json.loads(line)["text"])
            if len(texts) == args.articles:
                break
    tagger = default_tagger()
    spans = [tagger.entities(t) for t in texts]
    group_ms, resolve_ms = [], []
    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteStore(Path(tmp) / "bench.db")
        for n, (text, sp) in enumerate(zip(texts, spans, strict=True)):
            t0 = time.perf_counter()
            mentions = [m.to_dict() for m in group_mentions(sp, text)]
            t1 = time.perf_counter()
            art = Article(url=f"https://bench.example/{n}", title=f"t{n}", text=text, content_hash=f"h{n}")
            art.entities = mentions
            with store.transaction():
                aid = store.insert_article(art, identity=f"url:{n}", duplicate_of=None)
                t2 = time.perf_counter()
                resolve_entities(store, aid, mentions)
                t3 = time.perf_counter()
            group_ms.append((t1 - t0) * 1000)
            resolve_ms.append((t3 - t2) * 1000)
        entities = len(store.list_entities(limit=None))
    half = len(resolve_ms) // 2
    table = "\n".join([
        "| articles | group ms/article | resolve ms/article | resolve, 2nd half | resolve p95 | entities |",
        "|---|---|---|---|---|---|",
        f"| {len(texts)} | {statistics.mean(group_ms):.2f} | {statistics.mean(resolve_ms):.2f} | "
        f"{statistics.mean(resolve_ms[half:]):.2f} | {sorted(resolve_ms)[int(0.95 * len(resolve_ms))]:.2f} | "
        f"{entities} |",
    ])
    print(table)
    if args.write_docs:
        from bench.docs import write_section

        write_section("entities", f"`python bench/entity_bench.py --articles {args.articles} --skip {args.skip}`"
                      f"\n\n{table}", heading="Entity resolution speed (issue 19)")


if __name__ == "__main__":
    main()
