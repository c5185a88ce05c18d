"""Storage behind a small interface (``Store``); SQLite is the embedded default."""

from marsad.store.base import Store, StoredArticle
from marsad.store.sqlite import SQLiteStore, open_store

__all__ = ["SQLiteStore", "Store", "StoredArticle", "open_store"]
