"""Fit the story engine's logistic weights on the DEVELOPMENT day (never on the gold days).

    python scripts/fit_story_weights.py [--embedder use|none]

Replays the dev day's gold stories in time order; for every article and every story already formed by
earlier articles (within the time horizon) it computes the engine's evidence and labels the pair by the
gold. A logistic regression on those pairs gives the weights, printed rounded for
``marsad/stories/engine.py:WEIGHTS`` (or ``WEIGHTS_NO_EMB``); then the B-cubed F1 of the engine on the
dev day is printed for a sweep of thresholds.
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

KEYS = ("lex", "lex_m", "emb", "emb_m", "ent", "gap", "hours", "size")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--embedder", default="use")
    args = ap.parse_args()
    gold = load_gold(SETS["dev"])
    records = load_records(data_dir(), gold)
    feats = featurize(records, args.embedder)
    use_emb = args.embedder != "none"
    engine = eng.StoryEngine(use_embeddings=use_emb)
    story_of: dict[str, int] = {}
    x, y = [], []
    for i, (r, f) in enumerate(zip(records, feats, strict=True)):
        label = gold[r["docno"]][0]
        for story in engine.stories.values():
            ev = engine.evidence(f, story)
            x.append([ev.get(k, 0.0) for k in KEYS])
            y.append(int(story_of.get(label) == story.id))
        sid = story_of.get(label)
        if sid is None:
            st = engine._new_story(f.time)
            sid = story_of[label] = st.id
        engine._join(engine.stories[sid], i, f)
    xa, ya = np.array(x), np.array(y)
    print(f"pairs {len(ya)}, positives {int(ya.sum())}")
    model = LogisticRegression(C=1.0, class_weight=None, max_iter=1000).fit(xa, ya)
    weights = {"bias": round(float(model.intercept_[0]), 1)}
    weights.update({k: round(float(w), 1) for k, w in zip(KEYS, model.coef_[0], strict=True)})
    print("weights", weights)
    target = eng.WEIGHTS if use_emb else eng.WEIGHTS_NO_EMB
    target.update(weights)
    gold_story = {d: s for d, (s, _) in gold.items()}
    for t in (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7):
        print(t, bcubed(run_engine(records, feats, threshold=t), gold_story))


if __name__ == "__main__":
    main()
