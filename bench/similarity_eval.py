"""Graded event similarity (`marsad similarity`'s ``event_similarity``) against graded pairs.

    python bench/similarity_eval.py [--embedder use|none] [--fit] [--write-docs]

Pairs, each with a grade 0-3 (tests/quality/gold/README-similarity.md):

- **graded**: every ``tests/quality/gold/story-pairs-graded-*.tsv`` present, judged by people from the texts;
- **derived**: pairs drawn (fixed seed; about 40% one story, 40% one topic and different stories, 20% different
  topics; no article in more than three pairs) from a stretch's story labels and graded from them alone:
  3 same story, 1 same topic, 0 different topics (no grade 2: the story labels cannot tell an aspect). The
  gate days are reported, never fit on;
- **ANS**: the ANS headline pairs (dev and train): ``agree`` (a paraphrase of one claim) 3, ``disagree`` (one
  claim with a changed fact: the same happening told differently) 2, ``other`` 0. Headlines only, no times.

Per set: Pearson of the score with the grades and ROC-AUC of grade 3 against the rest, for the graded
similarity, the same-story probability (``score``) and the raw embedding cosine. ``--fit`` fits the graded
weights (a logistic with the grade / 3 as a soft label) on the derived pairs of the training stretches
(``story_eval.stretches()``, never the gate days) and on the graded pairs drawn from them, and prints them for
``marsad/stories/similarity.py``.
"""

from __future__ import annotations

import argparse
import csv
import platform
import random
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "src"))

from bench.story_eval import GATE, GOLD, featurize_with_mentions, load_gold, load_records, stretches  # noqa: E402
from marsad.config import data_dir  # noqa: E402
from marsad.enrich.features import Features  # noqa: E402
from marsad.stories.compare import same_story_score  # noqa: E402
from marsad.stories.similarity import EVENT_KEYS, event_evidence, event_similarity  # noqa: E402

Pair = tuple[str, str, int]


def graded_files() -> list[Path]:
    """Every graded pair file present."""
    return sorted(GOLD.glob("story-pairs-graded-*.tsv"))


def load_graded(path: Path) -> list[Pair]:
    with path.open(encoding="utf-8") as fh:
        return [(r["docno_a"], r["docno_b"], int(r["grade"])) for r in csv.DictReader(fh, delimiter="\t")]


def derived_pairs(gold: dict[str, tuple[str, str]], n: int = 200, seed: int = 16) -> list[Pair]:
    """Pairs drawn from story labels, graded 3 (same story), 1 (same topic), 0 (different topics)."""
    rng = random.Random(seed)
    by_story: dict[str, list[str]] = defaultdict(list)
    stories_of_topic: dict[str, set[str]] = defaultdict(set)
    for doc, (story, topic) in sorted(gold.items()):
        by_story[story].append(doc)
        stories_of_topic[topic].add(story)
    used: dict[str, int] = defaultdict(int)
    seen: set[tuple[str, str]] = set()
    out: list[Pair] = []

    def take(a: str, b: str, grade: int) -> bool:
        key = (min(a, b), max(a, b))
        if a == b or key in seen or used[a] >= 3 or used[b] >= 3:
            return False
        seen.add(key)
        used[a] += 1
        used[b] += 1
        out.append((a, b, grade))
        return True

    multi = sorted(s for s, m in by_story.items() if len(m) > 1)
    topics = sorted(t for t, s in stories_of_topic.items() if len(s) > 1)
    docs = sorted(gold)
    for grade, quota in ((3, int(n * 0.4)), (1, int(n * 0.4)), (0, n - 2 * int(n * 0.4))):
        got = tries = 0
        while got < quota and tries < quota * 50:
            tries += 1
            if grade == 3 and multi:
                a, b = rng.sample(by_story[rng.choice(multi)], 2)
            elif grade == 1 and topics:
                s1, s2 = rng.sample(sorted(stories_of_topic[rng.choice(topics)]), 2)
                a, b = rng.choice(by_story[s1]), rng.choice(by_story[s2])
            else:
                a, b = rng.sample(docs, 2)
                if gold[a][1] == gold[b][1]:
                    continue
            got += take(a, b, grade)
    return out


def ans_pairs(data: Path) -> list[tuple[str, str, int]]:
    """(headline, headline, grade) of the ANS dev and train pairs."""
    grade = {"agree": 3, "disagree": 2, "other": 0}
    out = []
    for name in ("dev.csv", "train.csv"):
        with (data / "ans-headline-pairs" / name).open(encoding="utf-8") as fh:
            out += [(r["s1"], r["s2"], grade[r["stance"]]) for r in csv.DictReader(fh) if r["stance"] in grade]
    return out


class Corpus:
    """Features and mentions of ANT articles by docno (computed once per set of docnos)."""

    def __init__(self, embedder: str) -> None:
        self.embedder = embedder
        self.feats: dict[str, Features] = {}
        self.mentions: dict[str, list[dict[str, Any]]] = {}
        self.titles: dict[str, str] = {}

    def add(self, docnos: set[str]) -> None:
        todo = docnos - set(self.feats)
        if not todo:
            return
        records = load_records(data_dir(), todo)
        feats, mentions = featurize_with_mentions(records, self.embedder)
        for r, f, m in zip(records, feats, mentions, strict=True):
            self.feats[r["docno"]], self.mentions[r["docno"]], self.titles[r["docno"]] = f, m, r["title"]

    def evidence(self, a: str, b: str) -> dict[str, float]:
        return event_evidence(self.feats[a], self.feats[b], self.mentions[a], self.mentions[b],
                              title_a=self.titles[a], title_b=self.titles[b])


def scores(fa: Features, fb: Features, ev: dict[str, float]) -> dict[str, float]:
    """The three scores compared: graded similarity, same-story probability, raw embedding cosine."""
    import numpy as np

    semantic = float(np.dot(fa.embedding, fb.embedding)) if fa.embedding is not None and fb.embedding is not None \
        else None
    return {"graded": event_similarity(ev), "same_story": same_story_score(fa, fb, semantic)[0],
            **({"embedding": semantic} if semantic is not None else {})}


def metrics(grades: list[int], values: list[float]) -> dict[str, float]:
    """Pearson with the grades and ROC-AUC of grade 3 against the rest."""
    import numpy as np
    from sklearn.metrics import roc_auc_score

    g, v = np.array(grades, dtype=float), np.array(values, dtype=float)
    pearson = float(np.corrcoef(g, v)[0, 1]) if g.std() and v.std() else 0.0
    top = (g == 3).astype(int)
    auc = float(roc_auc_score(top, v)) if 0 < top.sum() < len(top) else float("nan")
    return {"pearson": round(pearson, 3), "auc": round(auc, 3)}


def evaluate_pairs(corpus: Corpus, pairs: list[Pair]) -> dict[str, Any]:
    corpus.add({d for a, b, _ in pairs for d in (a, b)})
    rows = [scores(corpus.feats[a], corpus.feats[b], corpus.evidence(a, b)) for a, b, _ in pairs]
    grades = [g for _, _, g in pairs]
    return {"pairs": len(pairs), **{k: metrics(grades, [r[k] for r in rows]) for k in rows[0]}}


def evaluate_ans(embedder: str) -> dict[str, Any]:
    from marsad.enrich.analyze import analyze
    from marsad.enrich.embed import get_embedder
    from marsad.enrich.features import compute

    pairs = ans_pairs(data_dir())
    heads = sorted({h for a, b, _ in pairs for h in (a, b)})
    model = get_embedder(embedder) if embedder != "none" else None
    vecs = model.encode(heads) if model is not None else None
    feats, mentions = {}, {}
    for i, h in enumerate(heads):
        mentions[h] = analyze(h, h).entities
        feats[h] = compute(h, h, entities=mentions[h], embedding=None if vecs is None else vecs[i],
                           embedder=model.name if model else None)
    rows = [scores(feats[a], feats[b], event_evidence(feats[a], feats[b], mentions[a], mentions[b],
                                                      title_a=a, title_b=b)) for a, b, _ in pairs]
    grades = [g for _, _, g in pairs]
    return {"pairs": len(pairs), **{k: metrics(grades, [r[k] for r in rows]) for k in rows[0]}}


def fit(corpus: Corpus, pairs: list[Pair]) -> dict[str, float]:
    """Logistic weights over the event evidence with grade / 3 as a soft label."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    corpus.add({d for a, b, _ in pairs for d in (a, b)})
    x, y, w = [], [], []
    for a, b, g in pairs:
        ev = corpus.evidence(a, b)
        row = [ev.get(k, 0.0) for k in EVENT_KEYS]
        x += [row, row]
        y += [1, 0]
        w += [g / 3, 1 - g / 3]
    model = LogisticRegression(C=1.0, max_iter=3000).fit(np.array(x), np.array(y), sample_weight=np.array(w))
    out = {"bias": round(float(model.intercept_[0]), 1)}
    out.update({k: round(float(c), 1) for k, c in zip(EVENT_KEYS, model.coef_[0], strict=True)})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--embedder", default="use")
    ap.add_argument("--fit", action="store_true")
    ap.add_argument("--write-docs", action="store_true")
    args = ap.parse_args()
    started = time.perf_counter()
    corpus = Corpus(args.embedder)
    train_gold = {p.stem: load_gold(p) for p in stretches()}
    train_docs = {d for g in train_gold.values() for d in g}
    if args.fit:
        pairs = [p for i, g in enumerate(train_gold.values()) for p in derived_pairs(g, seed=16 + i)]
        pairs += [p for f in graded_files() for p in load_graded(f) if p[0] in train_docs and p[1] in train_docs]
        print("weights", fit(corpus, pairs))
    results: list[tuple[str, dict[str, Any]]] = []
    for f in graded_files():
        results.append((f"graded: {f.name}", evaluate_pairs(corpus, load_graded(f))))
    results.append(("derived from the gate days' labels (never fit on)",
                    evaluate_pairs(corpus, derived_pairs(load_gold(GATE)))))
    results.append(("derived from the training stretches' labels (fit on)", evaluate_pairs(
        corpus, [p for i, g in enumerate(train_gold.values()) for p in derived_pairs(g, seed=16 + i)])))
    results.append(("ANS headline pairs (agree 3, disagree 2, other 0)", evaluate_ans(args.embedder)))
    for name, res in results:
        print(name, res, flush=True)
    lines = [f"Machine: {platform.machine()}, Python {platform.python_version()}. Command: "
             f"`python bench/similarity_eval.py{' --embedder ' + args.embedder if args.embedder != 'use' else ''}`"
             f" ({time.perf_counter() - started:.0f} s).", "",
             "| pairs | n | graded similarity: Pearson / AUC | same-story score: Pearson / AUC | "
             "raw embedding cosine: Pearson / AUC |", "|---|---|---|---|---|"]
    for name, res in results:
        cells = [f"{res[k]['pearson']:.3f} / {res[k]['auc']:.3f}" if k in res else "—"
                 for k in ("graded", "same_story", "embedding")]
        lines.append(f"| {name} | {res['pairs']} | " + " | ".join(cells) + " |")
    table = "\n".join(lines)
    print(table)
    if args.write_docs:
        from bench.docs import write_section

        write_section(f"similarity-graded-{args.embedder}", table,
                      heading=f"Graded event similarity (embeddings: {args.embedder})")


if __name__ == "__main__":
    main()
