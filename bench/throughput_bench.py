"""The whole pipeline against its floor, the encoder: one run, the same articles (issue 18, item 4).

    python bench/throughput_bench.py [--articles 1000] [--write-docs]

Articles: the first ``--articles`` / 2 records of ANT multi-outlet (May 2018) and of SaudiNewsNet, in a JSONL file.

1. **Per stage, one process, CPU milliseconds per article** (``time.process_time`` around each stage, so other
   jobs on the machine weigh less): extraction, hashing, language, NER (with mention grouping), keyphrases,
   category, clustering features (shingles, MinHash, story terms), the USE encoder, the search-index analysis, and
   the serial step (near-duplicates, stories, entity resolution, the SQLite writer) over those results.
2. **Encoder alone**: articles/s of the USE encoder over the same articles' embedding texts, one process, and the
   ratio of the whole per-article cost to the encoder's (the issue's aim: at most 2.5).
3. **Full ingest**: `marsad ingest --workers N` (``--workers``, default one per core; the command's own default is
   one process) in a fresh process: wall articles/s, the CPU time of all its processes per article (user +
   system, model loading included: less inflated than the wall by other jobs on the machine) and peak RSS (the
   largest of the process and its workers), beside the encoder's ideal rate on all cores.

Models are loaded (and warmed on one article) before anything is timed; their load time is reported apart.
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
from collections import defaultdict
from itertools import islice
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]

from bench.docs import write_section  # noqa: E402
from marsad.config import IngestOptions, data_dir  # noqa: E402

STAGES = ("extract", "hash", "language", "ner", "keyphrases", "category", "features", "encoder", "index fields",
          "serial step")


def corpus(n: int, folder: Path) -> Path:
    """``n`` records, half ANT (May 2018), half SaudiNewsNet, in one JSONL file."""
    out = folder / "articles.jsonl"
    with open(out, "w", encoding="utf-8") as fout:
        with gzip.open(data_dir() / "ant-multisource.jsonl.gz", "rt", encoding="utf-8") as fin:
            fout.writelines(islice((ln for ln in fin if "May 2018" in ln), n // 2))
        with gzip.open(data_dir() / "saudinewsnet.jsonl.gz", "rt", encoding="utf-8") as fin:
            fout.writelines(islice(fin, n - n // 2))
    return out


def stages(path: Path) -> tuple[dict[str, float], int, float, list[Any]]:
    """CPU ms per article of every stage, the article count, the model load seconds and the (input, result)
    pairs for the serial step."""
    from marsad.enrich.analyze import Analysis
    from marsad.enrich.category import default_classifier
    from marsad.enrich.embed import embedding_text, get_embedder
    from marsad.enrich.entities import group_mentions
    from marsad.enrich.features import compute
    from marsad.enrich.keyphrases import extract_keyphrases
    from marsad.enrich.ner import default_tagger
    from marsad.extraction import extract
    from marsad.ingestion.work import Extracted, content_hash
    from marsad.sources.files import iter_inputs
    from marsad.text.analyzer import analyze_fields, index_title
    from marsad.text.lang import detect_language, script_shares

    started = time.perf_counter()
    tagger, classifier, encoder = default_tagger(), default_classifier(), get_embedder("use")
    assert encoder is not None
    tagger.entities("قال الرئيس الأمريكي دونالد ترامب في واشنطن")
    classifier.predict("عنوان", "نص قصير")
    encoder.encode(["نص قصير"])
    load = time.perf_counter() - started
    cpu: dict[str, float] = defaultdict(float)
    pairs: list[Any] = []
    n = 0

    def timed(stage: str, fn: Any, *args: Any) -> Any:
        t = time.process_time()
        out = fn(*args)
        cpu[stage] += time.process_time() - t
        return out

    for raw in iter_inputs([path]):
        if not hasattr(raw, "sha256"):
            pairs.append((raw, None))
            continue
        try:
            articles = timed("extract", extract, raw, IngestOptions().extract)
        except Exception as exc:      # counted by the serial step as a rejection, as the pipeline does
            pairs.append((raw, (getattr(exc, "code", "extract_error"), str(exc))))
            continue
        feats, index = [], []
        for art in articles:
            n += 1
            art.content_hash = timed("hash", content_hash, art.text)
            body = f"{art.title}\n\n{art.text}" if art.title else art.text
            ar, lat = timed("language", script_shares, body)
            analysis = Analysis(language=timed("language", detect_language, body),
                                scripts={"arabic": round(ar, 3), "latin": round(lat, 3)})
            if ar > 0:
                spans = timed("ner", tagger.entities, art.text)
                analysis.entities = [m.to_dict() for m in timed("ner", group_mentions, spans, art.text)]
                analysis.keyphrases = [{"phrase": k.phrase, "score": round(k.score, 4)}
                                       for k in timed("keyphrases", extract_keyphrases, art.text, art.title)]
            if body.strip():
                cat = timed("category", classifier.predict, art.title, art.text)
                analysis.category = {"label": cat.label, "confidence": round(cat.confidence, 4)}
            art.entities, art.keyphrases, art.category = analysis.entities, analysis.keyphrases, analysis.category
            art.language = art.language or analysis.language
            title = art.display_title or art.title
            vec = timed("encoder", encoder.encode, [embedding_text(title, art.text)])[0]
            feats.append(timed("features", lambda a=art, t=title, v=vec: compute(
                t, a.text, embedding=v, embedder=encoder.name, entities=a.entities, published_at=a.published_at,
                source=a.source)))
            index.append(timed("index fields", analyze_fields, index_title(art), art.text or ""))
        pairs.append((raw, Extracted(articles, feats, index)))
    return {k: v * 1000 / max(n, 1) for k, v in cpu.items()}, n, load, pairs


def serial(pairs: list[Any], db: Path) -> float:
    """CPU ms per article of the decision step and the writer over precomputed results."""
    from marsad.ingestion.pipeline import _run
    from marsad.store import open_store

    store = open_store(db)
    try:
        t = time.process_time()
        report = _run(iter(pairs), store, IngestOptions(progress=False), args={"bench": "throughput"}, total=None)
        return (time.process_time() - t) * 1000 / max(report.articles_found, 1)
    finally:
        store.close()


def full_ingest(path: Path, db: Path, workers: int) -> dict[str, Any]:
    """`marsad ingest --workers N` in a fresh process: wall articles/s (model loading included), the CPU seconds of
    all its processes (user + system: what the machine's load does not inflate much) and peak RSS."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    code = ("import json, resource, subprocess, sys, time\n"
            f"t = time.perf_counter(); p = subprocess.run([sys.executable, '-m', 'marsad', 'ingest', {str(path)!r}, "
            f"'--db', {str(db)!r}, '--json', '--no-progress', '--workers', '{workers}'], capture_output=True, "
            "text=True)\n"
            "s = time.perf_counter() - t\n"
            "r = json.loads(p.stdout) if p.returncode == 0 else {'error': p.stderr[-2000:]}\n"
            "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
            "print(json.dumps({'seconds': s, 'report': r, 'cpu': u.ru_utime + u.ru_stime, "
            "'peak_mb': u.ru_maxrss / 1024}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    if "error" in result["report"]:
        raise SystemExit(result["report"]["error"])
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                    help="`marsad ingest --workers` for the full ingest (default: one per core)")
    ap.add_argument("--write-docs", action="store_true")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = corpus(a.articles, folder)
        per, n, load, pairs = stages(path)
        per["serial step"] = serial(pairs, folder / "serial.db")
        print({k: round(v, 2) for k, v in per.items()}, flush=True)
        full = full_ingest(path, folder / "full.db", a.workers)
        print(full, flush=True)
    total = sum(per.values())
    enc = per["encoder"]
    cores = os.cpu_count() or 1
    rate = full["report"]["articles_found"] / full["seconds"]
    load_avg = os.getloadavg()
    lines = [
        f"`python bench/throughput_bench.py --articles {a.articles} --workers {a.workers}` — {n:,} articles "
        f"(half ANT May 2018, half "
        f"SaudiNewsNet); {platform.machine()}, {cores} cores, load after the run {load_avg[0]:.1f} / "
        f"{load_avg[1]:.1f} / {load_avg[2]:.1f}. Stages in CPU ms per article, one process, models loaded first "
        f"({load:.1f} s to load and warm the NER, category and USE models).",
        "",
        "| stage | CPU ms / article | share |",
        "|---|---:|---:|",
        *[f"| {s} | {per.get(s, 0.0):.2f} | {per.get(s, 0.0) / total:.0%} |" for s in STAGES],
        f"| **whole pipeline** | **{total:.2f}** | 100% |",
        "",
        "| figure | value |",
        "|---|---:|",
        f"| encoder alone, one core | {1000 / enc:.0f} articles/s |",
        f"| whole pipeline, one core (1000 / total CPU ms) | {1000 / total:.0f} articles/s |",
        f"| whole pipeline / encoder (CPU per article; aim ≤ 2.5) | {total / enc:.2f} |",
        f"| `marsad ingest --workers {a.workers}` wall, model loading included | {rate:.1f} articles/s |",
        f"| `marsad ingest --workers {a.workers}` CPU of all its processes per article | "
        f"{full['cpu'] * 1000 / max(full['report']['articles_found'], 1):.1f} ms |",
        f"| encoder alone on {cores} cores (ideal) | {cores * 1000 / enc:.0f} articles/s |",
        f"| `marsad ingest` peak RSS (largest process) | {full['peak_mb']:.0f} MB |",
    ]
    table = "\n".join(lines)
    print(table)
    if a.write_docs:
        write_section("throughput-bench", table, heading="Throughput against the encoder (issue 18)")


if __name__ == "__main__":
    main()
