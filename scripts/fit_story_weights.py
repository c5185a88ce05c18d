"""Fit the story engine's logistic weights and threshold on the DEVELOPMENT days (never on the gold days).

    python scripts/fit_story_weights.py [--embedder use|none]

Replays the development days' gold stories in time order; for every article and every story already formed
by earlier articles within the time horizon it computes the engine's evidence and labels the pair by the
gold. A logistic regression on those pairs gives the weights, printed rounded for
``marsad/stories/engine.py:WEIGHTS`` (or ``WEIGHTS_NO_EMB``); then the engine runs on the development days
with a sweep of thresholds and the best B-cubed F1 is the threshold to use (``THRESHOLD`` /
``THRESHOLD_NO_EMB``). Then the consolidation step: the story pairs it examines are labelled by the gold (a
merge is right when most article pairs it makes are pairs of one gold story), a logistic regression gives
``CONSOLIDATE_WEIGHTS`` (or ``_NO_EMB``) and a sweep the ``CONSOLIDATE_THRESHOLD`` (2.0: off). The training
stretches are every ``tests/quality/gold/ant-stories-*.tsv`` but the gate days (``story_eval.stretches()``);
the gold days (``bench/story_eval.py --set gold``) are not read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.story_eval import SETS, featurize, fit_consolidation, fit_engine, load_gold, load_records  # noqa: E402

from marsad.config import data_dir  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--embedder", default="use")
    args = ap.parse_args()
    gold = load_gold(SETS["dev"])
    records = load_records(data_dir(), gold)
    feats = featurize(records, args.embedder)
    weights, best, scores = fit_engine(records, feats, gold, args.embedder != "none")
    print(f"development articles {len(records)}")
    print("weights", weights)
    for t, s in scores.items():
        print(f"threshold {t}: P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f}")
    print(f"best threshold on the development days: {best} (B3 F1 {scores[best]['f1']:.3f})")
    cweights, cbest, cscores = fit_consolidation(records, feats, gold, weights, best, args.embedder != "none")
    print("consolidation weights", cweights)
    for t, s in cscores.items():
        print(f"consolidation threshold {t}: P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f}")
    print(f"best consolidation threshold: {cbest}")


if __name__ == "__main__":
    main()
