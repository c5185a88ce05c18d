"""CoNLL token files (ANERcorp) and the deterministic held-out split.

Shared by ``scripts/train_ner.py`` and the NER quality gate, so both see exactly the same sentences.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

__all__ = ["HELDOUT_FRACTION", "Sentence", "read_conll", "split_heldout", "split_sentences"]

Sentence = list[tuple[str, str]]

HELDOUT_FRACTION = 0.10


def read_conll(path: str | Path) -> list[tuple[str, str]]:
    """Read ``token TAG`` lines (ANERcorp). A few lines have an empty token (`` O``): kept as ``""``."""
    out: list[tuple[str, str]] = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n\r")
            if not line.strip():
                continue
            word, _, tag = line.rpartition(" ")
            out.append((word, tag))
    return out


def split_sentences(tokens: Sequence[tuple[str, str]]) -> list[Sentence]:
    """Cut a token stream into sentences after each ``.`` token (ANERcorp marks no sentence ends)."""
    sents: list[Sentence] = []
    cur: Sentence = []
    for word, tag in tokens:
        cur.append((word, tag))
        if word == ".":
            sents.append(cur)
            cur = []
    if cur:
        sents.append(cur)
    return sents


def split_heldout(
    sentences: Sequence[Sentence], fraction: float = HELDOUT_FRACTION
) -> tuple[list[Sentence], list[Sentence]]:
    """Deterministic split: the *last* ``fraction`` of the sentences (a contiguous block of whole
    articles, never seen in training) is held out; the rest is for training.
    Returns ``(train, heldout)``."""
    cut = len(sentences) - round(len(sentences) * fraction)
    return list(sentences[:cut]), list(sentences[cut:])
