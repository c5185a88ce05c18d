"""NER speed: milliseconds per article of the bundled tagger on real ANT articles, model size, load time, peak RSS.

    python bench/ner_bench.py [--articles 400] [--repeat 3] [--src PATH] [--before PATH] [--write-docs]

Articles: every 15th record of ``ant-multisource.jsonl.gz`` (spread over outlets and sections), the
same records as ``bench/enrich_bench.py``; each is tagged as ``title + "\\n" + text`` with
``default_tagger().entities``. "first pass" starts from an empty word cache (a fresh process);
"steady" repeats the pass with the cache warm, the state of a long-running ingest. ``--src`` times
another checkout's package (for a before/after on the same machine and load). Times are CPU
seconds of the (single-threaded) process, ``time.process_time``: on a machine shared with other
jobs, wall-clock time mostly measures the others."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

_CODE = r"""
import gzip, json, sys, time
t = time.process_time()
from marsad.enrich.ner_net import selected_tagger
tagger = selected_tagger()  # the CRF, or the neural tagger with MARSAD_NER=neural
load = time.process_time() - t
texts = []
with gzip.open(sys.argv[1], "rt", encoding="utf-8") as fh:
    for i, line in enumerate(fh):
        if i % 15 == 0:
            rec = json.loads(line)
            texts.append((rec.get("title") or "") + "\n" + (rec.get("text") or ""))
        if len(texts) >= int(sys.argv[2]):
            break
passes, n_ent = [], 0
for _ in range(int(sys.argv[3])):
    t = time.process_time()
    n_ent = sum(len(tagger.entities(x)) for x in texts)
    passes.append((time.process_time() - t) / len(texts))
import resource
print(json.dumps({"load": load, "passes": passes, "entities": n_ent / len(texts), "articles": len(texts),
                  "chars": sum(map(len, texts)) / len(texts),
                  "tagger": type(tagger).__name__ + ("+crf" if getattr(tagger, "crf", None) is not None else ""),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(src: Path, articles: int, repeat: int) -> dict:
    """Run the timing in a fresh process with ``src`` first on the path."""
    data = Path(os.environ.get("MARSAD_DATA") or REPO.parent / "shared" / "data")
    out = subprocess.run(
        [sys.executable, "-c", _CODE, str(data / "ant-multisource.jsonl.gz"), str(articles), str(repeat)],
        capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(src)},
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


# The files each tagger reads (the neural one reads the gazetteer too).
MODEL_FILES = {
    "NerTagger": ("ner-crf.model", "ner-gazetteer.tsv.gz"),
    "NeuralNerTagger": (
        "ner-net.onnx", "ner-net.json", "ner-net-words.txt.gz", "ner-net-vectors.npy", "ner-gazetteer.tsv.gz",
    ),
    "NeuralNerTagger+crf": (
        "ner-net.onnx", "ner-net.json", "ner-net-words.txt.gz", "ner-net-vectors.npy", "ner-gazetteer.tsv.gz",
        "ner-crf.model",
    ),
}  # fmt: skip


def _rows(src: Path, r: dict) -> list[str]:
    data = src / "marsad" / "data"
    files = MODEL_FILES[r.get("tagger", "NerTagger")]
    size = sum((data / m).stat().st_size for m in files) / 1e6
    steady = min(r["passes"][1:] or r["passes"])
    return [
        r.get("tagger", "NerTagger"),
        f"{r['load']:.2f} s",
        f"{size:.1f} MB ({', '.join(files)})",
        f"{r['rss_mb']:.0f} MB" if "rss_mb" in r else "-",
        f"{1000 * r['passes'][0]:.1f}",
        f"{1000 * steady:.1f}",
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=400)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--src", type=Path, default=REPO / "src", help="the package source to time")
    ap.add_argument("--before", type=Path, help="also time this package source first (a before/after table)")
    ap.add_argument("--write-docs", action="store_true")
    args = ap.parse_args()
    load = os.getloadavg()
    runs = []
    if args.before is not None:
        runs.append(("before", args.before, measure(args.before, args.articles, args.repeat)))
    runs.append(
        ("this tree" if args.before is not None else "", args.src, measure(args.src, args.articles, args.repeat))
    )
    r = runs[-1][2]
    names = [
        "tagger",
        "model load (fresh process, CPU)",
        "model files",
        "peak RSS of the process",
        "first pass, empty word cache (ms/article)",
        f"steady, warm cache, best of {args.repeat - 1} (ms/article)",
    ]
    cols = [_rows(src, res) for _, src, res in runs]
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; load average "
        f"{load[0]:.2f} at the start (other jobs were running; CPU time of the process). "
        f"Command: `python bench/ner_bench.py --articles "
        f"{args.articles} --repeat {args.repeat}"
        + (" --before PATH`" if args.before is not None else "`")
        + f" ({r['articles']} ANT articles, every 15th record, {r['chars']:.0f} characters and {r['entities']:.1f} "
        "entity mentions per article on average; `default_tagger().entities(title + text)`).",
        "",
        "| measure | " + " | ".join(label or "value" for label, _, _ in runs) + " |",
        "|---|" + "---|" * len(runs),
        *(f"| {n} | " + " | ".join(c[i] for c in cols) + " |" for i, n in enumerate(names)),
    ]
    table = "\n".join(lines)
    print(table)
    if args.write_docs:
        sys.path[:0] = [str(REPO), str(REPO / "src")]
        from bench.docs import write_section

        write_section("ner-bench", table, heading="NER speed (issue 18 item 1, issue 19 item 1)")


if __name__ == "__main__":
    main()
