"""Test factories shared by every folder: articles as the pipeline would hand them to the store, and cheap stores.

``make_article`` fills what a stored article needs (a content hash included); ``memory_store`` is a throwaway
in-memory SQLite store; ``store_articles`` inserts articles in one transaction and returns their ids.
"""

from __future__ import annotations

import hashlib
from typing import Any

from marsad.models import Article
from marsad.store.sqlite import SQLiteStore


def make_article(title: str = "عنوان الخبر", text: str = "نص الخبر الأول عن كوريا الشمالية", *,
                 source: str | None = "مثال", published_at: str | None = "2018-05-01T10:00:00",
                 category: str | None = None, url: str | None = None, **fields: Any) -> Article:
    """An extracted, enriched-enough article; ``category`` is a label (confidence 0.9)."""
    art = Article(url=url, source=source, title=title, display_title=fields.pop("display_title", title), text=text,
                  published_at=published_at, category={"label": category, "confidence": 0.9} if category else None,
                  **fields)
    art.content_hash = "h-" + hashlib.sha1(f"{title}\n{text}".encode()).hexdigest()[:16]
    return art


def memory_store() -> SQLiteStore:
    """A throwaway SQLite store in memory (migrated, empty)."""
    return SQLiteStore(":memory:")


def store_articles(store: SQLiteStore, *articles: Article, duplicate_of: dict[int, int] | None = None) -> list[int]:
    """Insert ``articles`` in one transaction (identity by URL, else by position); ``duplicate_of`` maps the
    1-based position of an article to the id of its canonical."""
    ids = []
    with store.transaction():
        for i, art in enumerate(articles, 1):
            identity = f"url:{art.url}" if art.url else f"hash:{i}:{art.content_hash}"
            ids.append(store.insert_article(art, identity=identity, duplicate_of=(duplicate_of or {}).get(i)))
    return ids
