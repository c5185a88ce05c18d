"""Graded event similarity of two articles: how much of one event they share (who, what, where, when).

The same-story score (``compare``'s ``score``) is a probability that two articles belong to one story; it is
near 0 for everything short of the same event and says nothing of how close two different events are. The
graded similarity grows with the share of the event: the same event scores high, another aspect of it
(a strike and the funeral of its victims) lower, a related event of the same actors or place lower still,
unrelated articles near 0 (grades of ``tests/quality/gold/README-similarity.md``).

Evidence, each in 0–1:

- ``who``: the share of person and organisation name keys the two articles have in common (salience-weighted,
  averaged over both directions); ``where``: the same for places;
- ``what``: lexical cosine of the story vectors (``lex``), of the headlines (``title``), and the rescaled
  embedding cosine (``emb``; absent without an embedder);
- ``when``: 1 for articles published within a day of each other, falling to 0 at ``WHEN_DAYS`` days apart,
  0.5 when either is undated (no evidence either way).

The score is a logistic over them, fit on grades (``bench/similarity_eval.py --fit``, training stretches only).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from marsad.enrich.features import Features, cosine, entity_counts
from marsad.stories.engine import emb_scale

WHEN_DAYS = 4.0
WHO_TYPES = ("PERS", "ORG")
WHERE_TYPES = ("LOC",)
# logistic weights over event_evidence, fit on grades derived from the five development stretches' labels
# (1,000 pairs; never the gold days) by bench/similarity_eval.py --fit, rounded. ``when`` is a prior, not fit:
# the labelled stretches span one to two days, so every pair is within a day and the fit gives it 0; its 1.0
# is taken out of the bias so that pairs within a day score as fit.
GRADED_WEIGHTS: dict[str, float] = {
    "bias": -2.8, "lex": 2.6, "title": 2.4, "emb": 2.3, "who": 1.3, "where": 0.8, "when": 1.0,
}
GRADED_WEIGHTS_NO_EMB: dict[str, float] = {
    "bias": -2.8, "lex": 4.0, "title": 3.0, "emb": 0.0, "who": 1.5, "where": 0.8, "when": 1.0,
}
EVENT_KEYS = ("lex", "title", "emb", "who", "where", "when")


def typed_entities(mentions: Iterable[Mapping[str, Any]], types: tuple[str, ...], title: str = "") -> dict[str, float]:
    """Entity word keys (as ``entity_counts``) of the mentions of the given types."""
    return entity_counts([dict(m) for m in mentions if m.get("type") in types], title)


def _share(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Salience-weighted share of ``a``'s keys that ``b`` has, averaged with the reverse direction."""
    def one(x: Mapping[str, float], y: Mapping[str, float]) -> float:
        total = sum(x.values())
        return sum(w for k, w in x.items() if k in y) / total if total else 0.0

    if not a and not b:
        return 0.0
    return (one(a, b) + one(b, a)) / 2


def event_evidence(fa: Features, fb: Features, mentions_a: Iterable[Mapping[str, Any]],
                   mentions_b: Iterable[Mapping[str, Any]], *, title_a: str = "",
                   title_b: str = "") -> dict[str, float]:
    """Who / what / where / when evidence of two articles' features and entity mentions."""
    ma, mb = list(mentions_a), list(mentions_b)
    ev = {"lex": cosine(fa.terms, fb.terms),
          "title": cosine(fa.title_terms, fb.title_terms) if fa.title_terms and fb.title_terms else 0.0}
    if fa.embedding is not None and fb.embedding is not None:
        ev["emb"] = emb_scale(float(np.dot(fa.embedding, fb.embedding)))
    ev["who"] = _share(typed_entities(ma, WHO_TYPES, title_a), typed_entities(mb, WHO_TYPES, title_b))
    ev["where"] = _share(typed_entities(ma, WHERE_TYPES, title_a), typed_entities(mb, WHERE_TYPES, title_b))
    if fa.time is None or fb.time is None:
        ev["when"] = 0.5
    else:
        days = abs(fa.time - fb.time) / 86400
        ev["when"] = 1.0 if days <= 1 else max(0.0, 1 - (days - 1) / (WHEN_DAYS - 1))
    return ev


def event_similarity(ev: Mapping[str, float]) -> float:
    """The graded similarity in [0, 1] of an ``event_evidence`` dict."""
    weights = GRADED_WEIGHTS if "emb" in ev else GRADED_WEIGHTS_NO_EMB
    z = weights["bias"] + sum(weights.get(k, 0.0) * v for k, v in ev.items())
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
