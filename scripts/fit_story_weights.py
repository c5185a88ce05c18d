"""Fit the story engine's logistic weights and threshold on the DEVELOPMENT days (never on the gold days).

    python scripts/fit_story_weights.py [--embedder use|none]

Replays the development days' gold stories in time order; for every article and every story already formed
by earlier articles within the time horizon it computes the engine's evidence and labels the pair by the
gold. A logistic regression on those pairs gives the weights, printed rounded for
``marsad/stories/engine.py:WEIGHTS`` (or ``WEIGHTS_NO_EMB``); then the engine runs on the development days
with a sweep of thresholds and the best B-cubed F1 is the threshold to use (``THRESHOLD`` /
``THRESHOLD_NO_EMB``). The gold days (``bench/story_eval.py --set gold``) are not read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.story_eval import SETS, featurize, load_gold, load_records, run_engine  # noqa: E402

from marsad.config import data_dir  # noqa: E402
from marsad.stories import engine as eng  # noqa: E402
from marsad.stories.bcubed import bcubed  # noqa: E402

KEYS = ("lex", "lex_m", "emb", "emb_m", "title", "title_m", "ent", "gap", "hours", "size")
THRESHOLDS = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)


def training_pairs(records: list[dict], feats: list, gold: dict[str, tuple[str, str]],
                   use_emb: bool) -> tuple[np.ndarray, np.ndarray]:
    """Evidence of (article, earlier gold story within the horizon) pairs, labelled 1 for its own story."""
    engine = eng.StoryEngine(use_embeddings=use_emb)
    story_of: dict[str, int] = {}
    x, y = [], []
    for i, (r, f) in enumerate(zip(records, feats, strict=True)):
        label = gold[r["docno"]][0]
        for story in engine.stories.values():
            if f.time is not None and story.last_updated is not None and f.time - story.last_updated > engine.horizon:
                continue
            ev = engine.evidence(f, story)
            x.append([ev.get(k, 0.0) for k in KEYS])
            y.append(int(story_of.get(label) == story.id))
        sid = story_of.get(label)
        if sid is None:
            sid = story_of[label] = engine._new_story(f.time).id
        engine._join(engine.stories[sid], i, f)
    return np.array(x), np.array(y)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--embedder", default="use")
    args = ap.parse_args()
    gold = load_gold(SETS["dev"])
    records = load_records(data_dir(), gold)
    feats = featurize(records, args.embedder)
    use_emb = args.embedder != "none"
    xa, ya = training_pairs(records, feats, gold, use_emb)
    print(f"dev articles {len(records)}, pairs {len(ya)}, positives {int(ya.sum())}")
    model = LogisticRegression(C=1.0, max_iter=2000).fit(xa, ya)
    weights = {"bias": round(float(model.intercept_[0]), 1)}
    weights.update({k: round(float(w), 1) for k, w in zip(KEYS, model.coef_[0], strict=True)})
    print("weights", weights)
    target = eng.WEIGHTS if use_emb else eng.WEIGHTS_NO_EMB
    target.clear()
    target.update(weights)
    truth = {d: s for d, (s, _) in gold.items()}
    scores = {t: bcubed(run_engine(records, feats, threshold=t), truth) for t in THRESHOLDS}
    for t, s in scores.items():
        print(f"threshold {t}: P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f}")
    best = max(scores, key=lambda t: scores[t]["f1"])
    print(f"best threshold on the development days: {best} (B3 F1 {scores[best]['f1']:.3f})")


if __name__ == "__main__":
    main()
