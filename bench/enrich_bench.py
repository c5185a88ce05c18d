"""Enrichment benchmark: model sizes and load times, and articles/s of analyze() and of enriched ingest.

    python bench/enrich_bench.py [--articles 2000] [--write-docs]
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

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]

from bench.docs import write_section  # noqa: E402
from marsad.config import data_dir  # noqa: E402

MODELS = ["ner-crf.model", "ner-gazetteer.tsv.gz", "category-model.joblib", "keyphrase-df.tsv.gz",
          "name-links.tsv.gz"]


def _load_times() -> dict[str, float]:
    code = (
        "import time,json; t=time.perf_counter(); from marsad.enrich.ner import default_tagger; default_tagger(); "
        "a=time.perf_counter()-t; t=time.perf_counter(); from marsad.enrich.category import default_classifier; "
        "default_classifier(); b=time.perf_counter()-t; t=time.perf_counter(); "
        "from marsad.enrich.keyphrases import extract_keyphrases; extract_keyphrases('نص قصير عن الاقتصاد'); "
        "c=time.perf_counter()-t; t=time.perf_counter(); from marsad.enrich.entities import latin_link; "
        "latin_link('x','PERS'); d=time.perf_counter()-t; "
        "print(json.dumps({'ner': a, 'category': b, 'keyphrases': c, 'name links': d}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(REPO / "src")})
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--write-docs", action="store_true")
    args = ap.parse_args()
    from marsad.config import IngestOptions
    from marsad.enrich.analyze import analyze
    from marsad.ingestion.pipeline import ingest
    from marsad.store.sqlite import SQLiteStore

    records = []
    with gzip.open(data_dir() / "ant-multisource.jsonl.gz", "rt", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i % 15 == 0:  # spread over outlets and sections
                records.append(json.loads(line))
            if len(records) >= args.articles:
                break
    loads = _load_times()
    analyze(records[0]["text"], records[0]["title"])  # warm
    t0 = time.perf_counter()
    n_ent = 0
    for rec in records[:500]:
        n_ent += len(analyze(rec["text"], rec["title"]).entities)
    per = (time.perf_counter() - t0) / 500
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "sample.jsonl"
        src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        for workers in (1, 2):
            store = SQLiteStore(Path(tmp) / f"e{workers}.db")
            t = time.perf_counter()
            report = ingest([str(src)], store, IngestOptions(workers=workers, batch_size=500, cluster=False))
            secs = time.perf_counter() - t
            ents = store.conn.execute("SELECT count(*) FROM entities").fetchone()[0]
            store.close()
            rows.append((workers, report.articles_found, secs, ents))
    sizes = {m: (REPO / "src" / "marsad" / "data" / m).stat().st_size / 1e6 for m in MODELS
             if (REPO / "src" / "marsad" / "data" / m).exists()}
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    lines = [f"Machine: {machine}. Command: `python bench/enrich_bench.py --articles {args.articles}` "
             "(ANT articles, every 15th record).", "",
             "| model file | MB |", "|---|---|"] + [f"| {m} | {s:.2f} |" for m, s in sizes.items()]
    lines += ["", "| load (fresh process) | seconds |", "|---|---|"] + [f"| {k} | {v:.2f} |" for k, v in loads.items()]
    lines += ["", f"analyze(): {1000 * per:.1f} ms per article ({1 / per:.0f} articles/s on one core), "
              f"{n_ent / 500:.1f} entity mentions per article.", "",
              "| enriched ingest | articles | seconds | articles/s | canonical entities |", "|---|---|---|---|---|"]
    lines += [f"| {w} worker(s) | {n} | {s:.1f} | {n / s:.0f} | {e} |" for w, n, s, e in rows]
    table = "\n".join(lines)
    print(table)
    if args.write_docs:
        write_section("enrich-bench", table, heading="Enrichment (issue: enrichment)")


if __name__ == "__main__":
    main()
