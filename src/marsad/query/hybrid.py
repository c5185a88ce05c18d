"""Semantic and hybrid rankings: the query embedded and looked up in the vector index, and reciprocal rank
fusion of that list with the lexical one (``fuse.rrf``), so neither score scale has to be calibrated."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from marsad.errors import QueryError
from marsad.models import SearchFilters
from marsad.query.fuse import rrf
from marsad.query.vectors import SemanticStore, default_embedder, semantic_ranking
from marsad.text.analyzer import ParsedQuery

HYBRID_DEPTH = 50
"""Each list fused in hybrid mode is this deep (or ``k`` when larger): rank 50 adds 1/110 at most."""

Ranking = list[tuple[int, float, str]]


def embed_query(query: ParsedQuery | str, embedder: str) -> np.ndarray:
    """The query as one L2-normalized vector of ``embedder`` (the raw query string, as typed)."""
    from marsad.enrich.embed import get_embedder

    model = get_embedder(embedder)
    if model is None:
        raise QueryError("semantic search needs an embedder: pass --embedder use (or the one the store was built with)")
    text = query.text if isinstance(query, ParsedQuery) else query
    return model.encode([text])[0]


def _embedder_name(store: SemanticStore, embedder: str | None) -> str:
    return embedder or default_embedder(store)


def semantic_search_ranking(store: SemanticStore, query: ParsedQuery, k: int, filters: SearchFilters, *,
                            embedder: str | None = None) -> Ranking:
    """The ``k`` articles nearest the query by meaning: (id, cosine, "semantic"), best first."""
    name = _embedder_name(store, embedder)
    vector = embed_query(query, name)
    return [(i, s, "semantic") for i, s in semantic_ranking(store, vector, k, filters, embedder=name)]


def hybrid_ranking(store: SemanticStore, query: ParsedQuery, k: int, filters: SearchFilters, *,
                   lexical: Callable[[SemanticStore, ParsedQuery, int, SearchFilters], Ranking],
                   embedder: str | None = None) -> Ranking:
    """Reciprocal rank fusion of the lexical and the semantic lists; a hit keeps how it matched lexically
    ("all" / "some"), or "semantic" when only its meaning was near."""
    depth = max(k, HYBRID_DEPTH)
    # Every-word matches, up to ``depth`` of them; the any-word fallback (costly: it scores every article with a
    # rare query word) only when fewer than ``k`` articles have every word, as in lexical mode.
    words: Ranking = [(i, s, "all") for i, s in store.search_lexical(query, k=depth, filters=filters)]
    if len(words) < k:
        words = lexical(store, query, k, filters)
    meaning = semantic_search_ranking(store, query, depth, filters, embedder=embedder)
    how = {i: m for i, _, m in meaning} | {i: m for i, _, m in words}
    fused = rrf([[i for i, _, _ in words], [i for i, _, _ in meaning]])
    return [(i, score, how[i]) for i, score in fused[:k]]
