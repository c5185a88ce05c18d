"""HTML extraction speed of one or more source trees on the same pages, in the same run (issue 17 follow-up).

Builds the gold pages of the extraction gate once (real ANT articles in the four templates, bench/pages.py), then
times ``marsad.extraction.extract`` on them for each ``--src`` tree in a fresh process, the trees taking turns
round after round so machine load falls on all of them alike. Reports CPU seconds (``time.process_time``: what the
extraction costs, less sensitive to other processes than the wall clock) and wall seconds, best round of each.
To compare with an older commit, export its sources first:

    git archive 3de8772^ src | tar -x -C /tmp/before && python bench/extraction_speed.py --src /tmp/before/src --src src

    python bench/extraction_speed.py [--src DIR ...] [--pages 400] [--rounds 5] [--write-docs]
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]

from bench.docs import write_section  # noqa: E402

_CHILD = """
import hashlib, json, pickle, sys, time
sys.path.insert(0, sys.argv[1])
from marsad.extraction import extract
from marsad.models import RawDocument
pages = pickle.load(open(sys.argv[2], "rb"))
raws = [RawDocument(data=h, kind="html", ref=str(i), sha256=hashlib.sha256(h).hexdigest()) for i, h in enumerate(pages)]
extract(raws[0])                                   # imports and lazy compiles out of the timing
cpu0, wall0 = time.process_time(), time.perf_counter()
for raw in raws:
    extract(raw)
print(json.dumps([time.process_time() - cpu0, time.perf_counter() - wall0]))
"""


def _time_once(src: Path, pages_file: str) -> tuple[float, float]:
    """(CPU s, wall s) of one pass over the pages with the sources in ``src``."""
    out = subprocess.run([sys.executable, "-c", _CHILD, str(src), pages_file], check=True, capture_output=True,
                         text=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}).stdout
    cpu, wall = json.loads(out.strip().splitlines()[-1])
    return float(cpu), float(wall)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", action="append", type=Path, help="a source tree (holding marsad/); repeat to compare")
    ap.add_argument("--label", action="append", help="a name for each --src, in order")
    ap.add_argument("--pages", type=int, default=400)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--write-docs", action="store_true")
    args = ap.parse_args()
    from bench.pages import gold_pages
    from marsad.config import data_dir

    srcs = [s.resolve() for s in (args.src or [REPO / "src"])]
    labels = args.label or [str(s) for s in srcs]
    pages = [p.html for p in gold_pages(data_dir() / "ant-multisource.jsonl.gz", args.pages, offset=0)]
    load_before = os.getloadavg()
    best: dict[int, tuple[float, float]] = {}
    with tempfile.NamedTemporaryFile(suffix=".pkl") as fh:
        pickle.dump(pages, fh)
        fh.flush()
        for _ in range(args.rounds):
            for i, src in enumerate(srcs):
                cpu, wall = _time_once(src, fh.name)
                old = best.get(i, (float("inf"), float("inf")))
                best[i] = (min(old[0], cpu), min(old[1], wall))
    load_after = os.getloadavg()
    base = best[0][0]
    shown = [os.path.relpath(s, REPO) if s.is_relative_to(REPO) else str(s) for s in srcs]
    lines = [f"Command: `python bench/extraction_speed.py --pages {args.pages} --rounds {args.rounds} "
             + " ".join(f"--src {s}" for s in shown) + "`. "
             f"Load average before / after: {load_before[0]:.2f} / {load_after[0]:.2f} (2 cores).", "",
             "| sources | pages | best CPU s | pages per CPU s | best wall s | CPU vs first |",
             "|---|---|---|---|---|---|"]
    for i, label in enumerate(labels):
        cpu, wall = best[i]
        lines.append(f"| {label} | {len(pages)} | {cpu:.3f} | {len(pages) / cpu:.0f} | {wall:.3f} | "
                     f"{cpu / base:.2f}× |")
    table = "\n".join(lines)
    print(table)
    if args.write_docs:
        write_section("extraction-speed", table, heading="HTML extraction speed")


if __name__ == "__main__":
    main()
