"""Train Marsad's Arabic named-entity CRF and measure it on a held-out split.

Data and credits
  * ANERcorp — Y. Benajiba, P. Rosso, J.M. Benedí Ruiz, "ANERsys: An Arabic Named Entity Recognition
    system based on Maximum Entropy" (CICLing 2007); the training part of the CAMeL Lab split
    (Obeid et al., CAMeL Tools, LREC 2020). Licence CC BY-SA 4.0.
  * ANETAC — M.S. Hadj Ameur, F. Meziane, A. Guessoum, "ANETAC: Arabic Named Entity Transliteration
    and Classification Dataset" (2019): English–Arabic named-entity pairs typed PERSON/LOCATION/ORGANIZATION.
  * ArabNamer — English → Arabic personal-name dictionary, CC BY 4.0.
  * Unlabelled news for the word clusters: the ANT corpus v2.1 (multi-outlet) and v1.1 (Jawhara FM,
    Apache-2.0), Chouigui, Ben Khiroun & Elayeb; SaudiNewsNet (Mazen Abdulaziz, CC BY-NC-SA 4.0).

What it does (deterministic; ~3-6 minutes on 2 cores)
  1. reads ``anercorp-train.conll`` from ``$MARSAD_DATA`` (or ``marsad.config.data_dir()``), cuts it into
     sentences at "." tokens and holds out the LAST 10% of the sentences (a contiguous block of whole
     articles) as the test split (``marsad.train.conll.split_heldout``); it is never trained on;
  2. builds the gazetteer (match-normalized Arabic names -> types) from ANETAC and ArabNamer and the word
     clusters (PPMI+SVD clusters of the ANT text; with ``--vectors``, also spherical k-means of Word2Vec
     vectors of ANT and SaudiNewsNet, ``scripts/train_ner_vectors.py``) and writes them to
     ``src/marsad/data/ner-gazetteer.tsv.gz``. The shipped model is built WITHOUT ``--vectors``: the
     Word2Vec variant scores higher on the held-out split (0.749 vs 0.734) but tags "كيم ببوتين" as one
     person on the seed page and breaks its golden test (docs/benchmarks.md);
  3. carves a dev split from TRAIN only (its last 10%), tunes c1/c2 of an L-BFGS CRF on it (grid, 2 processes),
     then retrains on all of TRAIN with the best pair and writes ``src/marsad/data/ner-crf.model``;
  4. tags the held-out split and prints conlleval-style entity-level P/R/F1 (exact span and type), overall
     and per type, sentence by sentence and as documents of 10 sentences with a name's type made
     consistent per document (``marsad.enrich.ner.harmonize``), and writes them to
     ``src/marsad/data/ner-crf-metrics.json`` (the neural default tagger's are in ``ner-metrics.json``).

Usage:  python scripts/train_ner.py [--vectors W2V.kv] [--c1 X --c2 Y] [--skip-interleaved] [--jobs 2]
                                    [--out src/marsad/data]
"""

from __future__ import annotations

import os

# One BLAS thread: the cluster step is then bit-for-bit reproducible (and the grid uses the cores).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import csv  # noqa: E402
import gzip  # noqa: E402
import json  # noqa: E402
import multiprocessing as mp  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pycrfsuite  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from scipy.sparse.linalg import svds  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from marsad.config import data_dir  # noqa: E402
from marsad.enrich.ner import (  # noqa: E402
    CLUSTERS_MARK,
    DOC_PROPAGATE,
    GAZETTEER_NAME,
    MODEL_NAME,
    STOPWORDS,
    Gazetteer,
)
from marsad.text.normalize import MATCH  # noqa: E402
from marsad.train.conll import read_conll, split_heldout, split_sentences  # noqa: E402
from marsad.train.metrics import entity_prf  # noqa: E402
from marsad.train.ner import DOC_SENTENCES, MAX_ITER, MINFREQ, featurize, fit, harmonize_blocks, predict  # noqa: E402

CREDITS = {
    "ANERcorp": "Benajiba, Rosso & Benedí Ruiz (2007), ANERsys; CAMeL Lab train split (Obeid et al. 2020). "
    "CC BY-SA 4.0",
    "ANETAC": "Hadj Ameur, Meziane & Guessoum (2019), ANETAC: Arabic Named Entity Transliteration and Classification",
    "ArabNamer": "English-Arabic personal-name dictionary. CC BY 4.0",
    "ANT corpus": "Chouigui, Ben Khiroun & Elayeb, ANT corpus v2.1 (multi-outlet news) and v1.1 (Jawhara FM, "
    "Apache-2.0): unlabelled text for the word clusters",
    "SaudiNewsNet": "Mazen Abdulaziz, SaudiNewsNet (14 Saudi outlets, 2015). CC BY-NC-SA 4.0: unlabelled text "
    "for the Word2Vec word clusters",
}
ANETAC_TYPES = {"PERSON": "PERS", "LOCATION": "LOC", "ORGANIZATION": "ORG"}
GRID = [(c1, c2) for c1 in (0.03, 0.1) for c2 in (0.01, 0.05)]
# Word clusters: PPMI of (word, context word at -2/-1/+1/+2) over the ANT news text, SVD, spherical k-means.
CLUSTER_CORPORA = ("ant-multisource.jsonl.gz", "ant-jawharafm.jsonl.gz")
CLUSTER_MIN_FREQ = 10
CLUSTER_CONTEXTS = 3000
CLUSTER_DIM = 100
CLUSTER_KS = (64, 256, 1024)
# Word2Vec clusters (skip-gram vectors of ANT + SaudiNewsNet, scripts/train_ner_vectors.py), spherical k-means.
W2V_KS = (128, 512, 2048)
W2V_MAX_WORDS = 120_000

# Filled in the parent before forking so workers share the feature lists copy-on-write.
_DATA: dict[str, list] = {}


def build_gazetteer(data: Path) -> dict[str, frozenset[str]]:
    """Match-normalized Arabic names -> types from ANETAC (typed) and ArabNamer (personal names)."""
    types: dict[str, set[str]] = {}

    def add(arabic: str, typ: str) -> None:
        key = " ".join(MATCH(arabic).split())
        words = key.split()
        if not words or len(key) < 2 or any(w in STOPWORDS for w in words) or len(words) > 4:
            return
        if not all("\u0621" <= ch <= "\u064a" or ch == " " for ch in key):
            return
        types.setdefault(key, set()).add(typ)

    with open(data / "gazetteers" / "anetac-en-ar-entities.tsv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            typ = ANETAC_TYPES.get(row["type"])
            if typ:
                add(row["arabic"], typ)
    with open(data / "gazetteers" / "arabnamer-en-ar-names.json", encoding="utf-8") as fh:
        for arabic in json.load(fh).values():
            add(arabic, "PERS")
    return {k: frozenset(v) for k, v in types.items()}


def _spherical_kmeans(x: np.ndarray, k: int, iters: int = 25) -> np.ndarray:
    rng = np.random.default_rng(k)
    centers = x[rng.choice(len(x), k, replace=False)].copy()
    labels = np.zeros(len(x), dtype=np.int64)
    for _ in range(iters):
        for a in range(0, len(x), 8192):
            labels[a : a + 8192] = np.argmax(x[a : a + 8192] @ centers.T, axis=1)
        centers = np.zeros_like(centers)
        np.add.at(centers, labels, x)
        empty = np.linalg.norm(centers, axis=1) < 1e-9
        if empty.any():
            centers[empty] = x[rng.choice(len(x), int(empty.sum()), replace=False)]
        centers /= np.linalg.norm(centers, axis=1, keepdims=True)
    return labels


def build_clusters(data: Path) -> dict[str, tuple[str, ...]]:
    """Distributional word clusters of match-normalized words (frequency >= 10) in the ANT news text,
    in corpus-frequency order: word -> cluster id at each granularity of ``CLUSTER_KS``."""
    from marsad.text.tokenize import match_words

    ids: dict[str, int] = {}
    seq: list[int] = []
    for name in CLUSTER_CORPORA:
        with gzip.open(data / name, "rt", encoding="utf-8") as fh:
            for line in fh:
                doc = json.loads(line)
                for field in ("title", "text"):
                    for w in match_words(doc.get(field) or ""):
                        seq.append(ids.setdefault(w, len(ids)))
                    seq.append(-1)  # no context across documents/fields
    a = np.array(seq, dtype=np.int64)
    freq = np.bincount(a[a >= 0], minlength=len(ids))
    order = np.argsort(-freq, kind="stable")
    vocab = order[freq[order] >= CLUSTER_MIN_FREQ]
    row_of = np.full(len(ids), -1)
    row_of[vocab] = np.arange(len(vocab))
    ctx_of = np.full(len(ids), -1)
    ctx_of[order[:CLUSTER_CONTEXTS]] = np.arange(CLUSTER_CONTEXTS)
    rows, cols = [], []
    for k, off in enumerate((-2, -1, 1, 2)):
        words, ctxs = (a[-off:], a[:off]) if off < 0 else (a[:-off], a[off:])
        ok = (words >= 0) & (ctxs >= 0)
        r, cc = row_of[words[ok]], ctx_of[ctxs[ok]]
        ok = (r >= 0) & (cc >= 0)
        rows.append(r[ok])
        cols.append(cc[ok] + k * CLUSTER_CONTEXTS)
    r = np.concatenate(rows)
    c = np.concatenate(cols)
    counts = sp.coo_matrix((np.ones(len(r)), (r, c)), shape=(len(vocab), 4 * CLUSTER_CONTEXTS)).tocsr().tocoo()
    total = counts.sum()
    row_sum = np.asarray(counts.sum(1)).ravel()
    col_p = np.asarray(counts.sum(0)).ravel() ** 0.75
    col_sum = col_p / col_p.sum() * total
    pmi = np.log(counts.data * total / (row_sum[counts.row] * col_sum[counts.col]))
    keep = pmi > 0
    ppmi = sp.csr_matrix((pmi[keep], (counts.row[keep], counts.col[keep])), shape=counts.shape)
    u, s, _ = svds(ppmi, k=CLUSTER_DIM, v0=np.random.default_rng(0).standard_normal(min(ppmi.shape)))
    x = u * np.sqrt(s)
    x /= np.linalg.norm(x, axis=1, keepdims=True) + 1e-9
    labels = [_spherical_kmeans(x, k) for k in CLUSTER_KS]
    inv = {i: w for w, i in ids.items()}
    return {inv[int(wid)]: tuple(str(int(lab[j])) for lab in labels) for j, wid in enumerate(vocab)}


def build_w2v_clusters(vectors: Path | None, data: Path) -> tuple[list[str], list[tuple[str, ...]]]:
    """Spherical k-means clusters of the Word2Vec vectors (``scripts/train_ner_vectors.py``) of the
    words seen at least ``CLUSTER_MIN_FREQ`` times in the news, at each granularity of ``W2V_KS``:
    the words in corpus-frequency order and their cluster ids."""
    from gensim.models import KeyedVectors

    if vectors is not None and vectors.is_file():
        wv = KeyedVectors.load(str(vectors))
    else:
        sys.path.insert(0, str(REPO / "scripts"))
        from train_ner_vectors import train as train_vectors

        wv = train_vectors(data)
        if vectors is not None:
            wv.save(str(vectors))
    words = [w for w in wv.index_to_key if wv.get_vecattr(w, "count") >= CLUSTER_MIN_FREQ][:W2V_MAX_WORDS]
    x = np.asarray(wv[words], dtype=np.float64)
    x /= np.linalg.norm(x, axis=1, keepdims=True) + 1e-9
    labels = [_spherical_kmeans(x, k) for k in W2V_KS]
    return words, [tuple(str(int(lab[j])) for lab in labels) for j in range(len(words))]


def merge_clusters(
    ppmi: dict[str, tuple[str, ...]], w2v_words: list[str], w2v_ids: list[tuple[str, ...]]
) -> dict[str, tuple[str, ...]]:
    """One table, word -> PPMI ids + Word2Vec ids ("-" where a word has none), most frequent word
    first (the Word2Vec corpus order, then the PPMI-only words in theirs)."""
    none_p = ("-",) * len(CLUSTER_KS)
    none_w = ("-",) * len(W2V_KS)
    out = {w: ppmi.get(w, none_p) + ids for w, ids in zip(w2v_words, w2v_ids, strict=True)}
    for w, ids in ppmi.items():
        if w not in out:
            out[w] = ids + none_w
    return out


def write_gazetteer(
    entries: dict[str, frozenset[str]], clusters: dict[str, tuple[str, ...]], path: Path, w2v: bool = False
) -> None:
    lines = [
        "# Marsad NER lexicon, built by scripts/train_ner.py. Section 1: match-normalized Arabic name<TAB>types",
        "# (PERS|LOC|ORG) from ANETAC (Hadj Ameur et al. 2019) and ArabNamer (CC BY 4.0).",
        *(f"{k}\t{'|'.join(sorted(v))}" for k, v in sorted(entries.items())),
        *(
            (
                f"# Section 2: word<TAB>cluster ids at {'/'.join(map(str, CLUSTER_KS))} PPMI clusters (ANT news, "
                f"Chouigui et al.) and at {'/'.join(map(str, W2V_KS))} Word2Vec clusters (ANT and SaudiNewsNet, "
                "Mazen Abdulaziz);",
                "# '-' where a word has no id; most frequent word first.",
            )
            if w2v
            else (
                f"# Section 2: word<TAB>cluster ids at {'/'.join(map(str, CLUSTER_KS))} clusters, most frequent word "
                "first;",
                "# distributional clusters from the ANT news corpus (Chouigui et al.).",
            )
        ),
        CLUSTERS_MARK,
        *(f"{w}\t{' '.join(c)}" for w, c in clusters.items()),
    ]
    # mtime=0 and no file name: the same input gives the same bytes
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
        gz.write(("\n".join(lines) + "\n").encode("utf-8"))


def _job(job: tuple[str, float, float, str]) -> tuple[str, float, float, dict, float, list]:
    """Train on ``_DATA[name + '_x'/'_y']``, score on ``_DATA[name + '_xt'/'_yt']`` (forked worker)."""
    name, c1, c2, model_path = job
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        path = model_path or os.path.join(tmp, "m.model")
        fit(_DATA[name + "_x"], _DATA[name + "_y"], c1, c2, path)
        pred = predict(path, _DATA[name + "_xt"])
    return name, c1, c2, entity_prf(_DATA[name + "_yt"], pred), time.perf_counter() - t0, pred


def print_table(scores: dict[str, dict[str, float | int]], title: str) -> None:
    print(title)
    print(f"  {'type':8} {'prec':>7} {'rec':>7} {'F1':>7} {'gold':>6} {'pred':>6}")
    for name, s in scores.items():
        print(f"  {name:8} {s['precision']:7.4f} {s['recall']:7.4f} {s['f1']:7.4f} {s['gold']:6d} {s['pred']:6d}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Train the Arabic NER CRF on ANERcorp and score it on a held-out split.")
    ap.add_argument("--out", type=Path, default=REPO / "src" / "marsad" / "data", help="where the model files go")
    ap.add_argument("--c1", type=float, help="skip tuning: use this L1 weight (with --c2)")
    ap.add_argument("--c2", type=float, help="skip tuning: use this L2 weight (with --c1)")
    ap.add_argument(
        "--vectors",
        type=Path,
        help="also Word2Vec clusters, from these KeyedVectors "
        "(scripts/train_ner_vectors.py; trained here and saved there when the file is missing). "
        "Off for the shipped model: see docs/benchmarks.md",
    )
    ap.add_argument("--skip-interleaved", action="store_true", help="skip the optimistic comparison model")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes (grid and final models)")
    args = ap.parse_args(argv)
    t_start = time.perf_counter()

    data = Path(os.environ.get("MARSAD_DATA") or data_dir())
    corpus = data / "anercorp-train.conll"
    if not corpus.is_file():
        print(f"ANERcorp not found at {corpus}; set MARSAD_DATA", file=sys.stderr)
        return 2
    tokens = read_conll(corpus)
    sents = split_sentences(tokens)
    train_sents, test_sents = split_heldout(sents)
    fit_sents, dev_sents = split_heldout(train_sents)
    print(
        f"ANERcorp: {len(tokens)} tokens, {len(sents)} sentences -> train {len(train_sents)} "
        f"(tune on {len(fit_sents)}, dev {len(dev_sents)}), held-out test {len(test_sents)} (the last 10%)"
    )

    args.out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    entries = build_gazetteer(data)
    clusters = build_clusters(data)
    if args.vectors is not None:
        clusters = merge_clusters(clusters, *build_w2v_clusters(args.vectors, data))
    gaz_path = args.out / GAZETTEER_NAME
    write_gazetteer(entries, clusters, gaz_path, w2v=args.vectors is not None)
    gaz = Gazetteer.read(gaz_path.read_bytes())
    print(
        f"lexicon: {len(gaz.words)} names + {len(gaz.phrases)} multi-word names, {len(gaz.clusters)} clustered words "
        f"-> {gaz_path} ({gaz_path.stat().st_size / 1e6:.2f} MB, {time.perf_counter() - t0:.0f}s)"
    )

    t0 = time.perf_counter()
    xtrain, ytrain = featurize(train_sents, gaz)
    xtest, ytest = featurize(test_sents, gaz)
    n_fit = len(fit_sents)
    print(f"features: {time.perf_counter() - t0:.0f}s")

    ctx = mp.get_context("fork")
    _DATA.update(dev_x=xtrain[:n_fit], dev_y=ytrain[:n_fit], dev_xt=xtrain[n_fit:], dev_yt=ytrain[n_fit:])
    grid_results: list[dict[str, float]] = []
    if args.c1 is not None and args.c2 is not None:
        best = (args.c1, args.c2)
    else:
        with ctx.Pool(max(1, args.jobs)) as pool:
            results = pool.map(_job, [("dev", c1, c2, "") for c1, c2 in GRID], chunksize=1)
        for _, c1, c2, sc, secs, _ in results:
            f1 = float(sc["overall"]["f1"])
            grid_results.append({"c1": c1, "c2": c2, "dev_f1": f1})
            print(f"  c1={c1:<5} c2={c2:<5} dev F1={f1:.4f}  ({secs:.0f}s)")
        best_row = max(grid_results, key=lambda r: (r["dev_f1"], r["c1"]))
        best = (best_row["c1"], best_row["c2"])
    print(f"training on all of TRAIN with c1={best[0]} c2={best[1]}")

    # The final model, and (for comparison only) a model scored on an interleaved split: every 10th
    # sentence held out. Neighbouring sentences of the same article then sit on both sides, so that
    # figure is optimistic; the contiguous held-out block is the honest one.
    model_path = args.out / MODEL_NAME
    inter_train = [x for i, x in enumerate(zip(xtrain + xtest, ytrain + ytest, strict=True)) if i % 10 != 9]
    inter_test = [x for i, x in enumerate(zip(xtrain + xtest, ytrain + ytest, strict=True)) if i % 10 == 9]
    _DATA.update(
        final_x=xtrain, final_y=ytrain, final_xt=xtest, final_yt=ytest,
        inter_x=[x for x, _ in inter_train], inter_y=[y for _, y in inter_train],
        inter_xt=[x for x, _ in inter_test], inter_yt=[y for _, y in inter_test],
    )  # fmt: skip
    jobs = [("final", best[0], best[1], str(model_path))]
    if not args.skip_interleaved:
        jobs.append(("inter", best[0], best[1], ""))
    with ctx.Pool(max(1, min(len(jobs), args.jobs))) as pool:
        done = {name: (sc, secs, pred) for name, _, _, sc, secs, pred in pool.map(_job, jobs, chunksize=1)}
    scores, secs, final_pred = done["final"]
    inter_scores = done["inter"][0] if "inter" in done else {}
    doc_scores = entity_prf(ytest, harmonize_blocks(test_sents, final_pred, gaz))
    print_table(
        scores,
        f"held-out split (the last 10% of sentences: {len(test_sents)} sentences, {sum(map(len, test_sents))} tokens), "
        "entity level, exact span and type:",
    )
    print_table(
        doc_scores,
        f"held-out split as documents of {DOC_SENTENCES} consecutive sentences, names made consistent per document "
        f"(harmonize, propagate={DOC_PROPAGATE}; what NerTagger.entities does per text):",
    )
    if inter_scores:
        print_table(inter_scores, "for comparison, interleaved split (every 10th sentence held out; optimistic):")
    tagger = pycrfsuite.Tagger()
    tagger.open(str(model_path))
    info = tagger.info()
    n_state, n_trans = len(info.state_features), len(info.transitions)
    tagger.close()
    size_mb = model_path.stat().st_size / 1e6
    print(
        f"model: {model_path} ({size_mb:.1f} MB, {n_state} state features, {n_trans} transitions, "
        f"trained in {secs:.0f}s); total {time.perf_counter() - t_start:.0f}s"
    )

    metrics = {
        "task": "Arabic NER, entity level (conlleval-style: exact span and type)",
        "reproduce": "python scripts/train_ner.py",
        "split": {
            "corpus": "ANERcorp, train part of the CAMeL Lab split (125,305 tokens), sentences cut at '.' tokens",
            "heldout": "the last 10% of the sentences (one contiguous block of whole articles; "
            "marsad.train.conll.split_heldout), never trained on",
            "dev": "the last 10% of the training sentences, for c1/c2 only; the final model is trained on all of TRAIN",
            "sentences": {"train": len(train_sents), "heldout": len(test_sents)},
            "tokens": {"train": sum(map(len, train_sents)), "heldout": sum(map(len, test_sents))},
        },
        "heldout": scores,
        "heldout_documents": {
            "note": f"the same held-out sentences tagged as documents of {DOC_SENTENCES} consecutive sentences "
            "(ANERcorp marks no article boundaries), a name's type made consistent per document "
            f"(marsad.enrich.ner.harmonize, propagate={DOC_PROPAGATE}), as NerTagger.entities does per text",
            "scores": doc_scores,
        },
        "interleaved_every_10th_sentence": {
            "note": "comparison only: same features and c1/c2, every 10th sentence held out; optimistic because "
            "sentences of the same article sit in train and test",
            "scores": inter_scores,
        },
        "model": {
            "algorithm": "linear-chain CRF, L-BFGS (python-crfsuite)",
            "c1": best[0],
            "c2": best[1],
            "max_iterations": MAX_ITER,
            "feature.minfreq": MINFREQ,
            "state_features": n_state,
            "size_bytes": model_path.stat().st_size,
            "lexicon_bytes": gaz_path.stat().st_size,
            "gazetteer_names": len(gaz.words) + len(gaz.phrases),
            "clustered_words": len(gaz.clusters),
            "clusters": {
                "ppmi_svd_kmeans": list(CLUSTER_KS),
                **(
                    {
                        "word2vec_kmeans": list(W2V_KS),
                        "word2vec": "skip-gram, 100 dimensions, window 5, 5 epochs, words seen 5+ times "
                        "(scripts/train_ner_vectors.py); clustered: words seen 10+ times",
                    }
                    if args.vectors is not None
                    else {}
                ),
            },
        },
        "tuning": grid_results,
        "label_counts_train": dict(sorted(Counter(t for s in train_sents for _, t in s).items())),
        "credits": CREDITS,
    }
    out = args.out / "ner-crf-metrics.json"  # the neural tagger's figures are in ner-metrics.json
    out.write_text(json.dumps(metrics, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"metrics -> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
