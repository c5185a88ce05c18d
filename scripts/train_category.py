#!/usr/bin/env python
"""Train the news category classifier (``marsad.enrich.category``) on the ANT corpus.

Reproducible: same data, same scikit-learn → same model file and figures. Reads
``ant-multisource.jsonl.gz`` and ``ant-jawharafm.jsonl.gz`` from ``marsad.config.data_dir()``
(``$MARSAD_DATA`` or ``../shared/data``), maps outlet sections to the taxonomy (see the module
docstring of ``marsad.enrich.category``), removes duplicate articles, and holds out the latest 15%
of each corpus by publication time as TEST (never trained on). A stratified random split is also
scored for comparison (that model is thrown away). Writes

* ``src/marsad/data/category-model.joblib``: numpy arrays only (idf, float32 coefficients,
  intercepts, softmax temperature) and metadata, including the scikit-learn version;
* ``src/marsad/data/category-metrics.json``: macro-F1, per-class P/R/F1, confusion matrix,
  calibration, split description, data credit.

Usage::

    python scripts/train_category.py                 # train, evaluate, write both files
    python scripts/train_category.py --no-write      # evaluate only
    python scripts/train_category.py --localnews-as-society --no-write   # the localNews experiment

Data credit: ANT corpus (Chouigui, Ben Khiroun, Elayeb), v2.1 multi-outlet and v1.1 Jawhara FM.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from joblib import dump
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedGroupKFold, cross_val_predict
from sklearn.svm import LinearSVC

from marsad.config import data_dir
from marsad.enrich import category as cat
from marsad.train import category as tc
from marsad.train.category import ece, evaluate, fit_temperature, idf_of

REPO = Path(__file__).resolve().parents[1]
OUT_DIR = REPO / "src" / "marsad" / "data"
PROBE = ["ميزه", "s:اختبار", "كره القدم", "t:s:رياض", "economy"]
CREDIT = (
    "ANT corpus (Arabic News Texts), Chouigui A., Ben Khiroun O., Elayeb B.: v2.1 multi-outlet "
    "(AlArabiya, BBC Arabic, CNN Arabic, France24 Arabic, Sky News Arabia, 2018) and v1.1 Jawhara FM "
    "(Tunisia, 2013-2017, Apache-2.0). Research use; cite Chouigui et al., 'ANT corpus'."
)


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def train(
    feats: list[list[str]], y: np.ndarray, groups: np.ndarray, args: argparse.Namespace, *, calibrate: bool
) -> dict[str, Any]:
    counts = cat.hash_features(feats, args.n_features)
    idf = idf_of(counts)
    x = cat.tfidf(counts, idf)
    svm = LinearSVC(C=args.C, class_weight="balanced", random_state=0)
    temperature = 1.0
    if calibrate:
        t0 = time.perf_counter()
        folds = StratifiedGroupKFold(n_splits=3, shuffle=True, random_state=0)  # an article and its title copy together
        oof = cross_val_predict(svm, x, y, groups=groups, cv=folds, method="decision_function")
        temperature = fit_temperature(oof, y)
        log(f"  temperature {temperature:.4f} from 3-fold out-of-fold scores ({time.perf_counter() - t0:.1f}s)")
    svm.fit(x, y)
    assert list(svm.classes_) == list(range(len(cat.LABELS)))
    probe_idx = cat.hash_features([PROBE], args.n_features).indices.tolist()
    return {
        "format": cat.FORMAT,
        "features_version": cat.FEATURES_VERSION,
        "labels": list(cat.LABELS),
        "n_features": args.n_features,
        "idf": idf,
        "coef": svm.coef_.astype(np.float32),
        "intercept": svm.intercept_.astype(np.float32),
        "temperature": temperature,
        "sklearn_version": sklearn.__version__,
        "probe": {"features": PROBE, "indices": probe_idx},
    }


def report(y: np.ndarray, pred: np.ndarray, probs: np.ndarray | None = None) -> dict[str, Any]:
    labels = list(range(len(cat.LABELS)))
    p, r, f, s = precision_recall_fscore_support(y, pred, labels=labels, zero_division=0)
    out: dict[str, Any] = {
        "n": len(y),
        "macro_f1": round(float(f1_score(y, pred, labels=labels, average="macro", zero_division=0)), 4),
        "accuracy": round(float((y == pred).mean()), 4),
        "per_class": {
            cat.LABELS[i]: {"precision": round(float(p[i]), 4), "recall": round(float(r[i]), 4),
                            "f1": round(float(f[i]), 4), "support": int(s[i])}
            for i in labels
        },
    }
    if probs is not None:
        out["calibration"] = {
            "ece_top_label_15_bins": round(ece(probs, y), 4),
            "log_loss": round(float(-np.mean(np.log(np.clip(probs[np.arange(len(y)), y], 1e-12, None)))), 4),
            "mean_confidence": round(float(probs.max(axis=1).mean()), 4),
        }
    return out


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=None, help="data folder (default: marsad.config.data_dir())")
    ap.add_argument("--out-dir", type=Path, default=OUT_DIR)
    ap.add_argument("--n-features", type=int, default=2**18, help="hashed feature buckets (default 2**18)")
    ap.add_argument("--C", type=float, default=0.5, help="LinearSVC regularization (default 0.5)")
    ap.add_argument("--localnews-as-society", action="store_true",
                    help="also train on Jawhara localNews as society (test set unchanged)")
    ap.add_argument("--no-title-copies", dest="title_copies", action="store_false",
                    help="do not add a headline-only copy of each training article")
    ap.add_argument("--no-random-split", action="store_true", help="skip the random-split comparison")
    ap.add_argument("--no-write", action="store_true", help="evaluate only; do not write the model and metrics")
    args = ap.parse_args(argv)
    data = args.data or data_dir()
    t_start = time.perf_counter()

    articles = tc.load_labelled(data)
    log(f"{len(articles)} distinct articles, labels {dict(Counter(a.label for a in articles))}")
    train_arts, test_arts = tc.time_split(articles)
    if args.localnews_as_society:
        test_ids = {id(a) for a in test_arts}
        relabelled = [
            dataclasses.replace(a, label="society") if a.section == "localNews" and a.label is None else a
            for a in articles
        ]
        train_arts = tc.time_split(relabelled)[0]
        assert not test_ids & {id(a) for a in train_arts}
    log(f"time split: train {len(train_arts)}, test {len(test_arts)}")

    t0 = time.perf_counter()
    feats: dict[int, list[str]] = {}  # title + text
    title_feats: dict[int, tuple[list[str], int]] = {}  # title alone, and its Arabic word count

    def featurize(arts: list[tc.LabelledArticle]) -> None:
        for a in arts:
            if id(a) not in feats:
                feats[id(a)] = cat.featurize(a.title, a.text)
                title_feats[id(a)] = cat.analyze(a.title, "")

    featurize([*train_arts, *test_arts])
    log(f"featurized {len(feats)} articles in {time.perf_counter() - t0:.1f}s")
    index = {label: i for i, label in enumerate(cat.LABELS)}

    def xy(arts: list[tc.LabelledArticle]) -> tuple[list[list[str]], np.ndarray]:
        return [feats[id(a)] for a in arts], np.array([index[str(a.label)] for a in arts], dtype=np.int64)

    def training_set(arts: list[tc.LabelledArticle]) -> tuple[list[list[str]], np.ndarray, np.ndarray]:
        """Each article, plus (unless --no-title-copies) a copy made of its title alone."""
        x, y = xy(arts)
        groups = list(range(len(arts)))
        if args.title_copies:
            for i, a in enumerate(arts):
                tf, n_ar = title_feats[id(a)]
                if n_ar >= cat.MIN_ARABIC_WORDS:
                    x.append(tf)
                    groups.append(i)
            y = np.concatenate([y, y[np.array(groups[len(arts):], dtype=np.int64)]])
        return x, y, np.array(groups)

    t0 = time.perf_counter()
    model = train(*training_set(train_arts), args, calibrate=True)
    log(f"trained on the time-split train set in {time.perf_counter() - t0:.1f}s")
    fte, yte = xy(test_arts)
    probs, pred = evaluate(model, fte, yte)
    held_out = report(yte, pred, probs)
    labels = list(range(len(cat.LABELS)))
    held_out["confusion_matrix"] = {
        "rows_true_cols_predicted": list(cat.LABELS),
        "matrix": confusion_matrix(yte, pred, labels=labels).tolist(),
    }
    by_corpus: dict[str, Any] = {}
    corpora = np.array([a.corpus for a in test_arts])
    for name in sorted(set(corpora)):
        k = corpora == name
        by_corpus[name] = {"n": int(k.sum()), "accuracy": round(float((yte[k] == pred[k]).mean()), 4),
                           "macro_f1_over_present_labels": round(float(f1_score(
                               yte[k], pred[k], labels=sorted(set(yte[k].tolist())), average="macro")), 4)}
    held_out["by_corpus"] = by_corpus
    log(f"held-out (time) macro-F1 {held_out['macro_f1']}  accuracy {held_out['accuracy']}  "
        f"ECE {held_out['calibration']['ece_top_label_15_bins']}")
    for label, row in held_out["per_class"].items():
        log(f"  {label:<11} P {row['precision']:.3f}  R {row['recall']:.3f}  F1 {row['f1']:.3f}  n {row['support']}")
    titled = [a for a in test_arts if title_feats[id(a)][1] >= cat.MIN_ARABIC_WORDS]
    tprobs, tpred = evaluate(model, [title_feats[id(a)][0] for a in titled], xy(titled)[1])
    titles_only = report(xy(titled)[1], tpred, tprobs)
    log(f"held-out (time), headline alone: macro-F1 {titles_only['macro_f1']}  accuracy {titles_only['accuracy']}  "
        f"ECE {titles_only['calibration']['ece_top_label_15_bins']}")

    random_figure: dict[str, Any] | None = None
    if not args.no_random_split:
        labelled = [a for a in articles if a.label is not None]
        rtrain, rtest = tc.random_split(labelled)
        featurize(rtrain + rtest)
        rmodel = train(*training_set(rtrain), args, calibrate=False)
        rf, ry = xy(rtest)
        _, rpred = evaluate(rmodel, rf, ry)
        random_figure = report(ry, rpred)
        log(f"random split (comparison only): macro-F1 {random_figure['macro_f1']}  "
            f"accuracy {random_figure['accuracy']}")

    if args.no_write:
        log(f"done in {time.perf_counter() - t_start:.1f}s (nothing written)")
        return 0

    files = {name: sha256(data / name) for name in tc.CORPORA}
    model["meta"] = {
        "trained_on": {"files": files, "n_train": len(train_arts),
                       "train_labels": dict(Counter(a.label for a in train_arts if a.label))},
        "held_out_macro_f1": held_out["macro_f1"],
        "credit": CREDIT,
        "localnews_as_society": args.localnews_as_society,
        "C": args.C,
        "title_copies": args.title_copies,
    }
    args.out_dir.mkdir(parents=True, exist_ok=True)
    model_path = args.out_dir / cat.MODEL_FILE
    dump(model, model_path, compress=3)
    metrics = {
        "model": cat.MODEL_FILE,
        "model_bytes": model_path.stat().st_size,
        "command": "python scripts/train_category.py",
        "labels": list(cat.LABELS),
        "features": cat.FEATURES_VERSION,
        "estimator": f"LinearSVC(C={args.C}, class_weight='balanced') over {args.n_features} hashed buckets "
                     "(sublinear tf-idf, L2), softmax with a temperature fitted on 3-fold out-of-fold scores",
        "sklearn_version": sklearn.__version__,
        "split": {
            "kind": "time",
            "description": (
                "Duplicates removed (earliest copy kept). Per corpus, articles sorted by publication time; "
                f"the latest {tc.TEST_FRACTION:.0%} (counted over all sections) are TEST, the rest TRAIN. "
                "Jawhara localNews and diverse are excluded from both sides"
                + (" (localNews used as society in TRAIN only)." if args.localnews_as_society else ".")
            ),
            "train": len(train_arts),
            "test": len(test_arts),
            "test_labels": dict(Counter(a.label for a in test_arts if a.label)),
        },
        "held_out": held_out,
        "held_out_headline_only": titles_only,
        "random_split_comparison": random_figure,
        "data": {"files": files, "credit": CREDIT},
    }
    metrics_path = args.out_dir / "category-metrics.json"
    metrics_path.write_text(json.dumps(metrics, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    log(f"wrote {model_path} ({model_path.stat().st_size / 1e6:.1f} MB) and {metrics_path} "
        f"in {time.perf_counter() - t_start:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
