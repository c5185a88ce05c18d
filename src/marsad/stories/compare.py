"""Pairwise comparison of two articles: the evidence the story engine and the duplicate finder use.

``compare`` scores a *pair* with the engine's logistic weights (an article against a one-article story)
and runs the near-duplicate test, so `marsad similarity` explains a decision in the engine's own terms; beside
that same-story probability it gives the graded ``event_similarity`` (``marsad.stories.similarity``: how much
of one event the two share) with its who / what / where / when evidence.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from marsad.enrich.embed import embedding_text, get_embedder
from marsad.enrich.features import Features, compute, cosine, entity_words
from marsad.stories.dedupe import CONTAINMENT, JACCARD, MIN_SHINGLES, containment_estimate, fact_conflict
from marsad.stories.engine import (
    THRESHOLD,
    THRESHOLD_NO_EMB,
    WEIGHTS,
    WEIGHTS_NO_EMB,
    emb_scale,
    logistic,
    pair_evidence,
)
from marsad.stories.similarity import WHERE_TYPES, WHO_TYPES, event_evidence, event_similarity
from marsad.text.tokenize import match_words


def _names(mentions: list[dict[str, Any]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in mentions:
        cid = m.get("canonical_id")
        if cid and cid not in out:
            out[cid] = m.get("canonical_name") or m.get("text") or cid
    return out


def same_story_score(fa: Features, fb: Features, semantic: float | None) -> tuple[float, float]:
    """The engine's same-story probability of a pair (an article against a one-article story) and the
    threshold that decides it; ``semantic``: the raw embedding cosine (None without an embedder)."""
    lexical = cosine(fa.terms, fb.terms)
    headline = cosine(fa.title_terms, fb.title_terms)
    # the engine's entity evidence (salience-weighted entity words), averaged over both directions
    entity_overlap = (pair_evidence(fa, {}, None, fb.entities)["ent"]
                      + pair_evidence(fb, {}, None, fa.entities)["ent"]) / 2
    hours_away = min(1.0, abs(fa.time - fb.time) / 86400) if fa.time is not None and fb.time is not None else 0.5
    ev = {"lex": lexical, "lex_m": lexical, "title": headline, "title_m": headline, "ent": entity_overlap,
          "hours": hours_away}
    weights, threshold = WEIGHTS_NO_EMB, THRESHOLD_NO_EMB
    if semantic is not None:
        ev["emb"] = ev["emb_m"] = emb_scale(semantic)
        weights, threshold = WEIGHTS, THRESHOLD
    return logistic(ev, weights), threshold


def compare(a: dict[str, Any], b: dict[str, Any], *, embedder: str | None = "use") -> dict[str, Any]:
    """Score two article dicts (title, text, published_at, entities; optional id, story_id)."""
    model = get_embedder(embedder) if embedder and embedder != "none" else None
    ta = a.get("display_title") or a.get("title") or ""
    tb = b.get("display_title") or b.get("title") or ""
    fa = compute(ta, a["text"], entities=a.get("entities"), published_at=a.get("published_at"))
    fb = compute(tb, b["text"], entities=b.get("entities"), published_at=b.get("published_at"))
    semantic = None
    if model is not None:
        vecs = model.encode([embedding_text(ta, a["text"]), embedding_text(tb, b["text"])])
        semantic = float(np.dot(vecs[0], vecs[1]))
    lexical = cosine(fa.terms, fb.terms)
    headline = cosine(fa.title_terms, fb.title_terms)
    na, nb = _names(a.get("entities") or []), _names(b.get("entities") or [])
    shared = sorted(set(na) & set(nb))
    entity_overlap = (pair_evidence(fa, {}, None, fb.entities)["ent"]
                      + pair_evidence(fb, {}, None, fa.entities)["ent"]) / 2
    score, threshold = same_story_score(fa, fb, semantic)
    if model is not None:
        fa.embedding, fb.embedding = vecs[0], vecs[1]
    event = event_evidence(fa, fb, a.get("entities") or [], b.get("entities") or [], title_a=ta, title_b=tb)
    types = {c: str(m.get("type") or "") for m in [*(a.get("entities") or []), *(b.get("entities") or [])]
             if (c := m.get("canonical_id"))}
    jaccard = fa.minhash.jaccard(fb.minhash) if fa.minhash is not None and fb.minhash is not None else 0.0
    containment = containment_estimate(jaccard, fa.shingles, fb.shingles)
    long_enough = min(fa.shingles, fb.shingles) >= MIN_SHINGLES
    resembles = long_enough and (jaccard >= JACCARD or containment >= CONTAINMENT)
    conflict = fact_conflict(a["text"], b["text"], entities_a=entity_words(a.get("entities") or []),
                             entities_b=entity_words(b.get("entities") or [])) \
        if resembles else None
    identical = match_words(a["text"]) == match_words(b["text"])
    near_duplicate = identical or bool(resembles and conflict is None)
    both_stored = a.get("story_id") is not None and b.get("story_id") is not None
    hours = abs(fa.time - fb.time) / 3600 if fa.time is not None and fb.time is not None else None
    return {
        "a": {"id": a.get("id"), "title": a.get("display_title") or a.get("title"), "story_id": a.get("story_id")},
        "b": {"id": b.get("id"), "title": b.get("display_title") or b.get("title"), "story_id": b.get("story_id")},
        "score": round(score, 4),
        "event_similarity": round(event_similarity(event), 4),
        "same_story": bool(near_duplicate or score >= threshold),
        "near_duplicate": near_duplicate,
        "stored_same_story": (a["story_id"] == b["story_id"]) if both_stored else None,
        "threshold": threshold,
        "evidence": {
            "lexical": round(lexical, 4),
            "headline": round(headline, 4),
            "semantic": round(semantic, 4) if semantic is not None else None,
            "embedder": model.name if model is not None else None,
            "entity_overlap": round(entity_overlap, 4),
            "shared_entities": [{"canonical_id": c, "name": na[c]} for c in shared],
            "jaccard": round(jaccard, 4),
            "containment": round(containment, 4),
            "fact_conflict": conflict,
            "hours_apart": round(hours, 2) if hours is not None else None,
            "published": [a.get("published_at"), b.get("published_at")],
            # the graded similarity's evidence: who (people, organisations), what (words, headline, meaning),
            # where (places), when (publication times); each 0-1
            "event": {"who": round(event["who"], 4), "where": round(event["where"], 4),
                      "what": {k: round(event[k], 4) for k in ("lex", "title", "emb") if k in event},
                      "when": round(event["when"], 4),
                      "shared_people_organisations": [na[c] for c in shared if types.get(c) in WHO_TYPES],
                      "shared_places": [na[c] for c in shared if types.get(c) in WHERE_TYPES]},
        },
    }

