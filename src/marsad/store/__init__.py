"""Storage behind small role protocols (``marsad.store.roles``) combined in ``Store``; SQLite is the embedded
default, PostgreSQL (``marsad.store.postgres``, opened by a ``postgresql://`` URL) the server one."""

from marsad.store.base import (
    ArticleStore,
    EntityMentions,
    EntityStore,
    FeedStateStore,
    MaintenanceStore,
    ReaderStore,
    RelatedReads,
    RelatedRow,
    SearchStore,
    Store,
    StoredArticle,
    StoryStore,
    TableDump,
    Transactional,
    VectorStore,
    WatchlistStore,
)
from marsad.store.open import open_store
from marsad.store.sqlite import SQLiteStore

__all__ = ["ArticleStore", "EntityMentions", "EntityStore", "FeedStateStore", "MaintenanceStore", "ReaderStore",
           "RelatedReads", "RelatedRow", "SQLiteStore", "SearchStore", "Store", "StoredArticle", "StoryStore",
           "TableDump", "Transactional", "VectorStore", "WatchlistStore", "open_store"]
