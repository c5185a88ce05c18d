"""Word2Vec vectors of the unlabelled Arabic news in ``$MARSAD_DATA``, for the NER word clusters.

Trains gensim Word2Vec (skip-gram) on the match-normalized words of the ANT corpus v2.1
(multi-outlet news), ANT v1.1 (Jawhara FM) and SaudiNewsNet (~71,000 articles) and saves the
KeyedVectors; ``scripts/train_ner.py`` clusters them. One worker thread (the default) is meant to
make it repeatable; a bit-for-bit rerun was not checked. ~18M words; about 35 minutes on a busy
2-core machine (``--workers 2`` is faster, not repeatable).

Credits: ANT corpus (Chouigui, Ben Khiroun & Elayeb; v1.1 Apache-2.0); SaudiNewsNet (Mazen Abdulaziz,
CC BY-NC-SA 4.0).

With ``--ant-only`` only the ANT text is read: those are the vectors the neural tagger
(``scripts/train_ner_neural.py``) ships, pruned, in the wheel.

Usage:  python scripts/train_ner_vectors.py OUT.kv [--workers 1] [--ant-only]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from marsad.config import data_dir  # noqa: E402
from marsad.text.tokenize import match_words  # noqa: E402

CORPORA = (
    ("ant-multisource.jsonl.gz", ("title", "text")),
    ("ant-jawharafm.jsonl.gz", ("title", "text")),
    ("saudinewsnet.jsonl.gz", ("title", "content")),
)
DIM = 100
WINDOW = 5
MIN_COUNT = 5
EPOCHS = 5
SEED = 1


# The corpora whose derivatives may ship in the wheel (SaudiNewsNet is CC BY-NC-SA: never shipped).
SHIPPABLE = CORPORA[:2]


def sentences(data: Path, corpora: tuple[tuple[str, tuple[str, ...]], ...] = CORPORA) -> list[list[str]]:
    """Match-normalized words of every title and text, one list per field."""
    out: list[list[str]] = []
    for name, fields in corpora:
        with gzip.open(data / name, "rt", encoding="utf-8") as fh:
            for line in fh:
                doc = json.loads(line)
                for field in fields:
                    words = match_words(doc.get(field) or "")
                    # gensim caps a sentence at 10,000 words
                    out.extend(words[i : i + 10_000] for i in range(0, len(words), 10_000))
    return out


def train(data: Path, workers: int = 1, ant_only: bool = False):
    """gensim KeyedVectors of the corpus words (skip-gram, negative sampling)."""
    from gensim.models import Word2Vec

    sents = sentences(data, SHIPPABLE if ant_only else CORPORA)
    print(f"vectors: {len(sents)} fields, {sum(map(len, sents))} words", flush=True)
    model = Word2Vec(
        sents, vector_size=DIM, window=WINDOW, min_count=MIN_COUNT, sg=1, negative=5,
        epochs=EPOCHS, seed=SEED, workers=workers, sample=1e-4,
    )  # fmt: skip
    return model.wv


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Word2Vec vectors of the unlabelled news, for the NER clusters.")
    ap.add_argument("out", type=Path, help="where the gensim KeyedVectors go (outside the repository)")
    ap.add_argument("--workers", type=int, default=1, help="threads (1 = reproducible)")
    ap.add_argument(
        "--ant-only",
        action="store_true",
        help="ANT text only (what the neural NER tagger ships: SaudiNewsNet is CC BY-NC-SA)",
    )
    args = ap.parse_args(argv)
    data = Path(os.environ.get("MARSAD_DATA") or data_dir())
    t0 = time.perf_counter()
    wv = train(data, args.workers, args.ant_only)
    wv.save(str(args.out))
    print(f"{len(wv)} words x {wv.vector_size} -> {args.out} ({time.perf_counter() - t0:.0f}s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
