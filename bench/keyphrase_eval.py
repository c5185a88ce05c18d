"""Keyphrase quality on AKEC (Helmy et al., IALP 2016): P/R/F1 at 5 and 10 against the crowd keyphrases.

    python bench/keyphrase_eval.py [--akec DIR] [--no-df] [--show N]
    python bench/keyphrase_eval.py --fit     # refit the scoring weights, report 5-fold cross-validation

Gold: ``keyphrases/sort_frequency.txt`` of the 100 AKEC training documents (all crowd phrases of a
document form its gold set, ~62 distinct phrases per document after normalization). Matching, on
both sides: MATCH normalization, then per word the leading و/ف, ب/ل and ال clitics are stripped
(``والكتاب`` = ``بالكتاب`` = ``كتاب``). Documents are given without a title (AKEC has none).

* **exact**: a predicted phrase is correct when it equals a gold phrase after that normalization.
* **partial** (lenient, reported separately): a predicted phrase is correct when its word sequence
  contains, or is contained in, a gold phrase's word sequence (whole words only); recall counts a gold
  phrase as found when some prediction contains or is contained in it.

P@k = correct / phrases returned (at most k); R@k = gold phrases found / gold phrases; both and F1
are computed per document and macro-averaged. AKEC mixes news with essays, health, sport, tourism and
religion texts, and crowd phrases are noisy (clipped words, verbs, whole clauses), so absolute figures
are low for every system: with ~62 distinct gold phrases per document, recall@10 cannot exceed ~0.16,
and an oracle picking the 10 best of our own candidates would reach exact F1@10 = 0.28 (42 % of
the gold phrases are not among our candidates at all: longer than 4 words, clause fragments, verbs).

The scoring weights in ``marsad.enrich.keyphrases.Weights`` were fit on these same 100 documents, so
the plain figures are in-sample; ``--fit`` refits them (needs numpy and scikit-learn, which are not
project dependencies) and prints 5-fold cross-validated figures, the honest estimate.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]

from marsad.config import data_dir  # noqa: E402
from marsad.enrich import keyphrases as kp  # noqa: E402
from marsad.text.normalize import MATCH  # noqa: E402

COMMAND = "python bench/keyphrase_eval.py"
_CLITIC_PATTERNS = (
    re.compile(r"^[وف]?لل(?P<rest>..+)$"),
    re.compile(r"^[وف]?[بل]?ال(?P<rest>..+)$"),
    re.compile(r"^[وف][بل]?(?P<rest>..+)$"),
    re.compile(r"^[بل](?P<rest>..+)$"),
)
_NON_WORD = re.compile(r"[^\w]+")


def norm_word(word: str) -> str:
    """A word's match key without leading و/ف, ب/ل and ال (at least two letters are kept)."""
    for pat in _CLITIC_PATTERNS:
        m = pat.match(word)
        if m:
            return m.group("rest")
    return word


def norm_phrase(phrase: str) -> tuple[str, ...]:
    """Normalized word sequence of a phrase (MATCH, punctuation dropped, clitics stripped per word)."""
    return tuple(norm_word(w) for w in _NON_WORD.sub(" ", MATCH(phrase)).split())


def _contains(long: tuple[str, ...], short: tuple[str, ...]) -> bool:
    n = len(short)
    return n > 0 and any(long[i:i + n] == short for i in range(len(long) - n + 1))


def partial_match(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """True when one word sequence contains the other (whole words)."""
    return _contains(a, b) if len(a) >= len(b) else _contains(b, a)


@dataclass(frozen=True, slots=True)
class Doc:
    """One AKEC document with its normalized gold set."""

    id: str
    text: str
    gold: frozenset[tuple[str, ...]]


def load_akec(root: Path) -> list[Doc]:
    """The AKEC training documents that have crowd keyphrases in ``sort_frequency.txt``."""
    kp_file = root / "keyphrases" / "sort_frequency.txt"
    if not kp_file.exists():
        kp_file = root / "sort_frequency.txt"
    docs = []
    for line in kp_file.read_text(encoding="utf-8-sig").splitlines():
        if " : " not in line:
            continue
        doc_id, phrases = line.split(" : ", 1)
        path = root / "documents" / f"{doc_id.strip()}.txt"
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
        gold = frozenset(g for g in (norm_phrase(p) for p in phrases.split(",")) if g)
        docs.append(Doc(doc_id.strip(), text, gold))
    return docs


def score_doc(pred: list[str], gold: frozenset[tuple[str, ...]], k: int, partial: bool) -> tuple[float, float, float]:
    """P, R, F1 of the first ``k`` predictions of one document."""
    seen: list[tuple[str, ...]] = []
    for p in pred:
        n = norm_phrase(p)
        if n and n not in seen:
            seen.append(n)
    top = seen[:k]
    if not top or not gold:
        return 0.0, 0.0, 0.0
    if partial:
        hits = sum(any(partial_match(p, g) for g in gold) for p in top)
        found = sum(any(partial_match(p, g) for p in top) for g in gold)
    else:
        hits = sum(p in gold for p in top)
        found = hits
    prec, rec = hits / len(top), found / len(gold)
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return prec, rec, f1


def evaluate(docs: list[Doc], k_max: int = 10) -> dict[str, dict[str, float]]:
    """Macro-averaged P/R/F1 at 5 and 10, exact and partial: ``{"exact@5": {"P":..,"R":..,"F1":..}, ...}``."""
    preds = [[p.phrase for p in kp.extract_keyphrases(d.text, k=k_max)] for d in docs]
    out: dict[str, dict[str, float]] = {}
    for mode in ("exact", "partial"):
        for k in (5, 10):
            rows = [score_doc(p, d.gold, k, mode == "partial") for p, d in zip(preds, docs, strict=True)]
            n = max(1, len(rows))
            out[f"{mode}@{k}"] = {"P": sum(r[0] for r in rows) / n, "R": sum(r[1] for r in rows) / n,
                                  "F1": sum(r[2] for r in rows) / n}
    return out


def fit(docs: list[Doc], folds: int = 5) -> None:
    """Fit the log-linear weights on AKEC candidates (logistic regression) and cross-validate them."""
    try:
        import numpy as np
        from sklearn.linear_model import LogisticRegression
    except ImportError:  # pragma: no cover - optional tooling
        raise SystemExit("--fit needs numpy and scikit-learn (pip install numpy scikit-learn)") from None
    table = kp.default_df_table()
    rows, labels, doc_of = [], [], []
    for i, d in enumerate(docs):
        cands, texts, n_body = kp._candidates(d.text)
        cache: dict[str, tuple[float, float, float]] = {}
        for c in cands.values():
            if c.open_end >= c.count:
                continue
            rows.append(kp._features(c, n_body, table, cands, cache))
            labels.append(norm_phrase(kp._surface(texts[c.src], c.span)) in d.gold)
            doc_of.append(i)
    x, y, doc_idx = np.array(rows), np.array(labels), np.array(doc_of)
    title = kp.FEATURES.index("in_title")

    def weights(mask: Any) -> kp.Weights:
        model = LogisticRegression(C=1.0, max_iter=5000).fit(np.delete(x[mask], title, axis=1), y[mask])
        coef = [round(float(v), 2) for v in model.coef_[0]]
        coef.insert(title, kp.WEIGHTS.values[title])      # AKEC has no titles: keep the hand-set weight
        return kp.Weights(bias=round(float(model.intercept_[0]), 2), values=tuple(coef))

    shipped = kp.WEIGHTS
    sums: dict[str, dict[str, float]] = {}
    for f in range(folds):
        kp.WEIGHTS = weights(doc_idx % folds != f)
        test = [d for i, d in enumerate(docs) if i % folds == f]
        for name, row in evaluate(test).items():
            for m, v in row.items():
                sums.setdefault(name, {}).setdefault(m, 0.0)
                sums[name][m] += v * len(test) / len(docs)
    full = weights(np.ones(len(y), dtype=bool))
    kp.WEIGHTS = shipped
    print(f"{len(y)} candidates, {int(y.sum())} are gold. Weights fit on all documents:")
    print(f"  bias={full.bias}")
    for name, v in zip(kp.FEATURES, full.values, strict=True):
        print(f"  {name:15s} {v:+.2f}")
    print(f"\n{folds}-fold cross-validation (fit on 4/5 of the documents, scored on the rest):\n")
    _table(sums)


def _table(res: dict[str, dict[str, float]]) -> None:
    print("| matching | k | P | R | F1 |")
    print("|---|---|---|---|---|")
    for name, row in res.items():
        mode, k = name.split("@")
        label = "exact" if mode == "exact" else "partial (contains / contained, lenient)"
        print(f"| {label} | {k} | {row['P']:.4f} | {row['R']:.4f} | {row['F1']:.4f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--akec", type=Path, default=data_dir() / "akec-train")
    ap.add_argument("--no-df", action="store_true", help="run without the document-frequency table")
    ap.add_argument("--show", type=int, default=0, help="print the predictions of the first N documents")
    ap.add_argument("--fit", action="store_true", help="refit the weights and print 5-fold cross-validation")
    args = ap.parse_args()
    if args.no_df:
        kp.set_df_table(kp.DfTable())
    docs = load_akec(args.akec)
    if args.fit:
        print(f"Command: `{COMMAND} --fit`  ({len(docs)} AKEC documents)\n")
        fit(docs)
        return
    t0 = time.perf_counter()
    res = evaluate(docs)
    dt = time.perf_counter() - t0
    table = kp.default_df_table()
    cmd = COMMAND + (" --no-df" if args.no_df else "")
    print(f"Command: `{cmd}`  ({len(docs)} AKEC documents, "
          f"df table: {'ANT, ' + str(table.n) + ' articles' if table else 'none'}, {dt:.1f} s)")
    print()
    _table(res)
    for d in docs[: args.show]:
        pred = [p.phrase for p in kp.extract_keyphrases(d.text)]
        marks = ["+" if norm_phrase(p) in d.gold else ("~" if any(partial_match(norm_phrase(p), g) for g in d.gold)
                                                          else "-") for p in pred]
        print(f"\n{d.id}: " + " · ".join(f"{m}{p}" for m, p in zip(marks, pred, strict=True)))


if __name__ == "__main__":
    main()
