"""Reciprocal rank fusion: one ranking from several (lexical, semantic) without comparing their scores."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

RRF_K = 60
"""The constant of Cormack, Clarke and Büttcher (SIGIR 2009): damps the weight of the very top ranks."""


def rrf(rank_lists: Iterable[Sequence[K]], k: int = RRF_K) -> list[tuple[K, float]]:
    """Fuse rankings (best first) into (item, score) pairs, best first: score = sum of 1 / (k + rank).

    An item missing from a list gets nothing from it; ranks start at 1; an item repeated within one
    list counts once, at its best rank. Ties keep the order of first appearance.
    """
    if k < 0:
        raise ValueError(f"rrf k must be >= 0, not {k}")
    scores: dict[K, float] = {}
    for ranking in rank_lists:
        seen: set[K] = set()
        for rank, item in enumerate(ranking, 1):
            if item in seen:
                continue
            seen.add(item)
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    order = {item: i for i, item in enumerate(scores)}
    return sorted(scores.items(), key=lambda kv: (-kv[1], order[kv[0]]))
