"""Entity-level scores, conlleval-style: exact span and type, overall and per type."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from marsad.enrich.ner import bio_spans
from marsad.models import ENTITY_TYPES

__all__ = ["entity_prf"]


def _prf(correct: int, n_pred: int, n_gold: int) -> dict[str, float | int]:
    p = correct / n_pred if n_pred else 0.0
    r = correct / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
        "gold": n_gold, "pred": n_pred, "correct": correct,
    }  # fmt: skip


def entity_prf(
    gold_tags: Sequence[str] | Sequence[Sequence[str]], pred_tags: Sequence[str] | Sequence[Sequence[str]]
) -> dict[str, dict[str, float | int]]:
    """Entity-level precision/recall/F1 (exact span and type), overall and per type, as conlleval.

    Takes two BIO sequences, or two lists of per-sentence BIO sequences (chunks never cross
    sentences). Returns ``{"overall": {...}, "PERS": {...}, ...}`` with precision, recall, f1,
    gold, pred and correct counts."""
    gold_sents = _as_sentences(gold_tags)
    pred_sents = _as_sentences(pred_tags)
    if len(gold_sents) != len(pred_sents):
        raise ValueError(f"{len(gold_sents)} gold sentences but {len(pred_sents)} predicted")
    gold: set[tuple[int, str, int, int]] = set()
    pred: set[tuple[int, str, int, int]] = set()
    for k, (g, p) in enumerate(zip(gold_sents, pred_sents, strict=True)):
        if len(g) != len(p):
            raise ValueError(f"sentence {k}: {len(g)} gold tags but {len(p)} predicted")
        gold.update((k, *s) for s in bio_spans(g))
        pred.update((k, *s) for s in bio_spans(p))
    order: dict[str, int] = {t: i for i, t in enumerate(ENTITY_TYPES)}
    types = sorted({s[1] for s in gold | pred}, key=lambda t: (order.get(t, len(order)), t))
    out = {"overall": _prf(len(gold & pred), len(pred), len(gold))}
    for t in types:
        gt = {s for s in gold if s[1] == t}
        pt = {s for s in pred if s[1] == t}
        out[t] = _prf(len(gt & pt), len(pt), len(gt))
    return out


def _as_sentences(tags: Sequence[str] | Sequence[Sequence[str]]) -> list[Sequence[str]]:
    if not tags:
        return []
    if isinstance(tags[0], str):
        return [cast(Sequence[str], tags)]
    return list(cast(Sequence[Sequence[str]], tags))
