"""Fitting and scoring the NER CRF (python-crfsuite) with the run-time tagger's own features.

``featurize`` calls ``marsad.enrich.ner.sentence_features``, the one feature function, so a model
trained here sees exactly the features the tagger computes at run time.
"""

from __future__ import annotations

from collections.abc import Sequence

import pycrfsuite

from marsad.enrich.ner import DOC_PROPAGATE, EntityTagger, Gazetteer, harmonize, sentence_features
from marsad.train.conll import Sentence
from marsad.train.metrics import entity_prf

__all__ = ["DOC_SENTENCES", "MAX_ITER", "MINFREQ", "featurize", "fit", "harmonize_blocks", "predict", "score_tagger"]

MAX_ITER = 300
MINFREQ = 1
# ANERcorp marks no article boundaries: for document-level scoring, blocks of this many consecutive
# sentences stand in for documents (its articles run about 10-20 "."-sentences).
DOC_SENTENCES = 10


def featurize(sents: Sequence[Sentence], gaz: Gazetteer) -> tuple[list[list[list[str]]], list[list[str]]]:
    """CRF attributes and gold labels of each sentence."""
    xs = [sentence_features([w for w, _ in s], gaz) for s in sents]
    ys = [[t for _, t in s] for s in sents]
    return xs, ys


def fit(xs: list, ys: list, c1: float, c2: float, model_path: str) -> None:
    """Train an L-BFGS CRF with L1 weight ``c1`` and L2 weight ``c2`` and write it to ``model_path``."""
    trainer = pycrfsuite.Trainer(verbose=False)
    for x, y in zip(xs, ys, strict=True):
        trainer.append(x, y)
    trainer.set_params(
        {
            "c1": c1,
            "c2": c2,
            "max_iterations": MAX_ITER,
            "feature.possible_transitions": True,
            "feature.minfreq": MINFREQ,
        }
    )
    trainer.train(model_path)


def predict(model_path: str, xs: list) -> list[list[str]]:
    """BIO labels of featurized sentences by the model file at ``model_path``."""
    tagger = pycrfsuite.Tagger()
    tagger.open(model_path)
    try:
        return [list(tagger.tag(x)) for x in xs]
    finally:
        tagger.close()


def harmonize_blocks(
    sents: Sequence[Sentence], preds: Sequence[Sequence[str]], gaz: Gazetteer, size: int = DOC_SENTENCES
) -> list[list[str]]:
    """Predicted labels made consistent per name (``harmonize``) within blocks of ``size`` sentences."""
    keys = [[gaz.word(w).key for w, _ in s] for s in sents]
    out: list[list[str]] = []
    for a in range(0, len(sents), size):
        out.extend(harmonize(keys[a : a + size], preds[a : a + size], propagate=DOC_PROPAGATE))
    return out


def score_tagger(
    tagger: EntityTagger, sents: Sequence[Sentence], doc_sentences: int = 0
) -> dict[str, dict[str, float | int]]:
    """Entity-level scores (``entity_prf``) of a loaded tagger on gold sentences: sentence by sentence,
    or with ``doc_sentences`` > 0 as documents of that many consecutive sentences (``tag_document``)."""
    gold = [[t for _, t in s] for s in sents]
    words = [[w for w, _ in s] for s in sents]
    if doc_sentences > 0:
        pred = [
            t for a in range(0, len(words), doc_sentences) for t in tagger.tag_document(words[a : a + doc_sentences])
        ]
    else:
        pred = [tagger.tag_tokens(w) for w in words]
    return entity_prf(gold, pred)
