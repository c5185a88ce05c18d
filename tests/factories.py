"""Test factories shared by every folder: articles as the pipeline hands them to the store, rows, cheap stores.

``article`` fills what a stored article needs (a content hash included); ``add`` inserts articles in one transaction
and returns their ids; ``features`` is an ``article_features`` row; ``memory_store`` a throwaway in-memory store.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np

from marsad.models import Article
from marsad.store import SQLiteStore, Store


def memory_store() -> SQLiteStore:
    """A throwaway SQLite store in memory (migrated, empty)."""
    return SQLiteStore(":memory:")


def article(text: str = "نص الخبر الأول عن كوريا الشمالية", *, title: str = "عنوان", source: str | None = "مثال",
            published_at: str | None = "2024-05-01T10:00:00+00:00", url: str | None = None,
            category: str | None = None, keyphrases: tuple[str, ...] = (), **kw: Any) -> Article:
    """An article as the pipeline hands it to the store (content hash from the text)."""
    art = Article(url=url, source=source, title=title, display_title=title, text=text, published_at=published_at,
                  category={"label": category, "confidence": 0.9} if category else None,
                  keyphrases=[{"phrase": p, "score": 1.0} for p in keyphrases], **kw)
    art.content_hash = "h-" + hashlib.sha1(f"{title}\n{text}".encode()).hexdigest()[:16]
    return art


def add(store: Store, *articles: Article, duplicate_of: dict[int, int] | None = None) -> list[int]:
    """Insert ``articles`` in one transaction (identities ``hash:1``, ``hash:2``, ...); their ids."""
    ids = []
    with store.transaction():
        for art in articles:
            n = len(ids) + 1
            ids.append(store.insert_article(art, identity=f"hash:{n}-{art.content_hash}",
                                            duplicate_of=(duplicate_of or {}).get(n)))
    return ids


def features(vector: list[float] | None = None, *, embedder: str = "use",
             terms: dict[str, float] | None = None) -> dict[str, Any]:
    """A features row: float16 embedding, embedder name, terms JSON (``{"t": {...}}``), a minhash blob."""
    return {"minhash": np.arange(4, dtype=np.uint32).tobytes(),
            "embedding": None if vector is None else np.asarray(vector, dtype=np.float16).tobytes(),
            "embedder": embedder if vector is not None else None,
            "terms": json.dumps({"t": terms or {}}, ensure_ascii=False)}
