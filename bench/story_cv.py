"""Story clustering, cross-validated over the labelled stretches: is the engine better than a tuned baseline
on data that neither was fit on?

    python bench/story_cv.py [--embedder use|none] [--write-docs]

The five development stretches (tests/quality/gold/README.md) are held out one at a time: the engine's
weights and threshold are fit on the other four (``story_eval.fit_engine``, as `scripts/fit_story_weights.py`
does on all five), the TF-IDF single-pass baseline's threshold is tuned on the same four, and both run on
the held-out stretch. The gold days are scored last with everything fit on all five stretches. This is the
engine-only path (features and entities from ``enrich.analyze``, no store), a few points away from the
pipeline figures of `bench/story_eval.py`. B-cubed F1 on one or two days moves by a few points with the fate
of one large story, so the average over held-out stretches is the figure to compare systems by.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "src"))

from bench.story_eval import (  # noqa: E402
    SETS,
    baseline,
    featurize,
    fit_engine,
    load_gold,
    load_records,
    run_with,
    tune_baseline,
)
from marsad.config import data_dir  # noqa: E402
from marsad.stories.bcubed import bcubed  # noqa: E402


def _subset(records: list[dict[str, Any]], feats: list[Any], gold: dict[str, tuple[str, str]],
            names: set[str]) -> tuple[list[dict[str, Any]], list[Any], dict[str, tuple[str, str]]]:
    keep = [i for i, r in enumerate(records) if gold[r["docno"]][0].split(":")[0] in names]
    return [records[i] for i in keep], [feats[i] for i in keep], {records[i]["docno"]: gold[records[i]["docno"]]
                                                                  for i in keep}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--embedder", default="use")
    ap.add_argument("--write-docs", action="store_true")
    args = ap.parse_args()
    started = time.perf_counter()
    use_emb = args.embedder != "none"
    dev_gold = load_gold(SETS["dev"])
    dev_records = load_records(data_dir(), dev_gold)
    dev_feats = featurize(dev_records, args.embedder)
    names = sorted({s.split(":")[0] for s, _ in dev_gold.values()})
    gold = load_gold(SETS["gold"])
    gold_records = load_records(data_dir(), gold)
    gold_feats = featurize(gold_records, args.embedder)
    rows = []
    for held in [*names, "gold"]:
        train = set(names) - {held}
        tr = _subset(dev_records, dev_feats, dev_gold, train)
        te = (gold_records, gold_feats, gold) if held == "gold" else _subset(dev_records, dev_feats, dev_gold, {held})
        weights, threshold, _ = fit_engine(*tr, use_emb)
        truth = {d: s for d, (s, _) in te[2].items()}
        engine = bcubed(run_with(te[0], te[1], weights, threshold, use_emb), truth)
        bt = tune_baseline(*tr)
        base = bcubed(baseline(te[0], te[1], bt), truth)
        row = {"held_out": held.replace("ant-stories-", "").replace("dev-", ""), "articles": len(te[0]),
               "engine": engine, "threshold": threshold, "baseline": base, "baseline_threshold": bt}
        rows.append(row)
        print(json.dumps(row), flush=True)
    dev_rows = rows[:-1]
    mean = {k: sum(r[k]["f1"] for r in dev_rows) / len(dev_rows) for k in ("engine", "baseline")}
    wins = sum(r["engine"]["f1"] > r["baseline"]["f1"] for r in dev_rows)
    lines = [f"Machine: {platform.machine()}, Python {platform.python_version()}. Command: "
             f"`python bench/story_cv.py{' --embedder ' + args.embedder if args.embedder != 'use' else ''}` "
             f"({time.perf_counter() - started:.0f} s; embeddings: {args.embedder}).", "",
             "| held out | articles | Marsad P / R / F1 (threshold) | baseline P / R / F1 (threshold) |",
             "|---|---|---|---|"]
    for r in rows:
        e, b = r["engine"], r["baseline"]
        lines.append(f"| {r['held_out']} | {r['articles']} | {e['precision']:.3f} / {e['recall']:.3f} / "
                     f"**{e['f1']:.3f}** ({r['threshold']}) | {b['precision']:.3f} / {b['recall']:.3f} / "
                     f"**{b['f1']:.3f}** ({r['baseline_threshold']}) |")
    lines.append(f"| mean of the five held-out stretches | | **{mean['engine']:.3f}** | **{mean['baseline']:.3f}** |")
    lines.append("")
    lines.append(f"Marsad is better on {wins} of the {len(dev_rows)} held-out stretches.")
    table = "\n".join(lines)
    print(table)
    if args.write_docs:
        from bench.docs import write_section

        write_section(f"stories-cv-{args.embedder}", table,
                      heading=f"Story clustering, cross-validated (embeddings: {args.embedder})")


if __name__ == "__main__":
    main()
