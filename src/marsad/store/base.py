"""The storage interface: ``Store``, every role of ``marsad.store.roles`` in one protocol. SQLite
(``marsad.store.sqlite``) and PostgreSQL (``marsad.store.postgres``) implement it.

A backend stores raw inputs (content-addressed), articles (one row per identity, with a version history), runs
and one outcome row per input unit. The pipeline decides outcomes; the backend makes each batch atomic. Rows
that are not article / story JSON come back as the plain records of ``marsad.store.records``.
"""

from __future__ import annotations

from typing import Protocol

from marsad.store.records import EntityMentions, RelatedRow, StoredArticle
from marsad.store.roles import (
    ArticleStore,
    EntityStore,
    FeedStateStore,
    MaintenanceStore,
    ReaderStore,
    RelatedReads,
    SearchStore,
    StoryStore,
    TableDump,
    Transactional,
    VectorStore,
    WatchlistStore,
)

__all__ = ["ArticleStore", "EntityMentions", "EntityStore", "FeedStateStore", "MaintenanceStore", "ReaderStore",
           "RelatedReads", "RelatedRow", "SearchStore", "Store", "StoredArticle", "StoryStore", "TableDump",
           "Transactional", "VectorStore", "WatchlistStore"]


class Store(ArticleStore, EntityStore, StoryStore, SearchStore, VectorStore, FeedStateStore, ReaderStore,
            RelatedReads, WatchlistStore, MaintenanceStore, TableDump, Protocol):
    """Everything a backend implements: every role. All writes happen inside ``transaction()``; a failure rolls
    the batch back."""
