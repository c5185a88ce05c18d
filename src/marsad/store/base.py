"""The storage interface the pipeline and the CLI use; SQLite implements it, PostgreSQL can.

A backend stores raw inputs (content-addressed), articles (one row per identity, with a
version history), runs and one outcome row per input unit. The pipeline decides outcomes;
the backend makes each batch atomic.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from marsad.models import Article, SearchFilters
from marsad.text.analyzer import ParsedQuery


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """What the pipeline needs to know about an already stored article to decide an outcome."""

    id: int
    content_hash: str
    title: str
    duplicate_of: int | None


class Store(ABC):
    """Abstract store. All writes happen inside ``transaction()``; a failure rolls the batch back."""

    @abstractmethod
    def transaction(self) -> AbstractContextManager[None]:
        """Context manager: everything written inside commits together or not at all."""

    @abstractmethod
    def put_raw(self, sha256: str, data: bytes, *, kind: str, ref: str, url: str | None,
                media_type: str | None, fetched_at: str | None) -> None:
        """Keep a raw input (idempotent on ``sha256``)."""

    @abstractmethod
    def find_by_identity(self, identity: str) -> StoredArticle | None:
        """The article stored under this identity (canonical URL / external id / content hash)."""

    @abstractmethod
    def find_by_content_hash(self, content_hash: str) -> StoredArticle | None:
        """The earliest stored article with this match-normalized text hash."""

    @abstractmethod
    def known_version(self, article_id: int, content_hash: str) -> bool:
        """True when an earlier version of the article had this content (a stale copy, not an update)."""

    @abstractmethod
    def insert_article(self, article: Article, *, identity: str, duplicate_of: int | None) -> int:
        """Insert a new article row and return its id."""

    @abstractmethod
    def update_article(self, article_id: int, article: Article) -> None:
        """Replace an article's content, keeping the previous version in the history."""

    @abstractmethod
    def start_run(self, args: dict[str, Any]) -> int:
        """Open an ingestion run and return its id."""

    @abstractmethod
    def finish_run(self, run_id: int, counts: dict[str, Any], status: str) -> None:
        """Close a run with its counts and status (ok / failed / interrupted)."""

    @abstractmethod
    def log_outcome(self, run_id: int, *, ref: str, outcome: str, article_id: int | None = None,
                    duplicate_of: int | None = None, reason_code: str | None = None,
                    message: str | None = None, raw_sha256: str | None = None) -> None:
        """Record where one input unit ended: stored, updated, duplicate or rejected."""

    # -- entities (canonical entities across articles) --
    @abstractmethod
    def entity_id(self, cid: str) -> int | None:
        """Row id of the canonical entity ``cid`` (TYPE:name_key)."""

    @abstractmethod
    def create_entity(self, cid: str, type_: str, key: str, *, latin: str | None = None,
                      aliases: list[str] | None = None) -> int:
        """Create (or find) a canonical entity and register its word-key aliases."""

    @abstractmethod
    def note_latin(self, entity_id: int, latin: str) -> None:
        """Record a Latin-script form of an entity."""

    @abstractmethod
    def alias_candidates(self, alias: str, type_: str) -> list[tuple[int, str, int]]:
        """(id, cid, mentions) of entities a bare name may belong to, most mentioned first."""

    @abstractmethod
    def cooccurring(self, entity_id: int, *, articles: int = 200) -> set[int]:
        """Ids of entities co-mentioned with ``entity_id`` in its recent articles."""

    @abstractmethod
    def replace_article_entities(self, article_id: int, rows: list[tuple[int, str, int]]) -> None:
        """Set an article's (entity id, surface form, mentions) rows."""

    @abstractmethod
    def entity_names(self, ids: set[int]) -> dict[int, tuple[str, str]]:
        """id -> (canonical id, canonical name)."""

    @abstractmethod
    def set_article_entities_json(self, article_id: int, mentions: list[dict[str, Any]]) -> None:
        """Store an article's resolved mentions."""

    @abstractmethod
    def list_entities(self, *, type_: str | None = None, limit: int | None = None,
                      min_articles: int = 1) -> list[dict[str, Any]]:
        """Canonical entities with variants, types and counts."""

    @abstractmethod
    def get_article(self, article_id: int) -> dict[str, Any] | None:
        """One article as article JSON, or None."""

    @abstractmethod
    def iter_articles(self, *, batch: int = 1000) -> Iterator[dict[str, Any]]:
        """All articles as article JSON, by id."""

    @abstractmethod
    def iter_rejections(self) -> Iterator[dict[str, Any]]:
        """All rejected inputs with their reasons."""

    @abstractmethod
    def get_raw(self, sha256: str) -> bytes | None:
        """The raw bytes of a kept input."""

    # -- search (lexical; semantic search and related articles come later) --
    @abstractmethod
    def search_lexical(self, query: ParsedQuery, *, k: int, filters: SearchFilters,
                       match_all: bool = True) -> list[tuple[int, float]]:
        """Best ``k`` (article id, score; higher is better) for ``query`` within ``filters``.

        ``match_all`` requires every clause of the query; ``False`` accepts any of its terms.
        """

    @abstractmethod
    def rebuild_search_index(self) -> dict[str, Any]:
        """Rebuild the search index from the stored articles: {"articles", "seconds", "indexed", "bytes"}."""

    # -- semantic search (marsad.query.vectors builds the vector index from these) --
    @abstractmethod
    def sidecar_path(self, suffix: str) -> Path | None:
        """Where a file belonging to the store goes (``<db><suffix>``), or None when it has no file."""

    @abstractmethod
    def embedder_counts(self, *, sample: int | None = 5000) -> dict[str, int]:
        """Embedded articles per embedder name, most first (over the latest ``sample`` rows; None: all)."""

    @abstractmethod
    def max_features_id(self) -> int:
        """The highest article id with a features row (0 when none)."""

    @abstractmethod
    def iter_embeddings(self, embedder: str, *, after_id: int = 0, duplicates: bool | None = False,
                        batch: int = 20000) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(ids, float16 matrix) batches of the articles embedded by ``embedder`` with id > ``after_id``."""

    @abstractmethod
    def filter_article_ids(self, ids: list[int], filters: SearchFilters) -> set[int]:
        """Those of ``ids`` that pass ``filters``."""

    @abstractmethod
    def filtered_article_ids(self, filters: SearchFilters, *, limit: int | None) -> list[int] | None:
        """Ids of every article passing ``filters``, or None when there are more than ``limit``."""

    @abstractmethod
    def embeddings_of(self, ids: list[int], embedder: str) -> tuple[np.ndarray, np.ndarray]:
        """(ids, float16 matrix) of those of ``ids`` embedded by ``embedder``."""

    @abstractmethod
    def stats(self) -> dict[str, Any]:
        """Counts for `marsad stats`."""

    # -- near-duplicates and stories (marsad.ingestion.clustering decides, the store keeps) --
    @abstractmethod
    def put_features(self, article_id: int, row: dict[str, Any]) -> None:
        """Store an article's clustering features (minhash, embedding, embedder, terms)."""

    @abstractmethod
    def get_features(self, article_id: int) -> dict[str, Any] | None:
        """An article's features row, or None."""

    @abstractmethod
    def iter_cluster_rows(self, *, since: str | None = None, only_assigned: bool = False,
                          batch: int = 2000) -> Iterator[dict[str, Any]]:
        """Articles in publication-time order with story, duplicate links, entities and features."""

    @abstractmethod
    def latest_time(self) -> str | None:
        """The latest publication (else ingest) time of any article."""

    @abstractmethod
    def set_duplicate(self, article_id: int, duplicate_of: int | None, reason: str | None) -> None:
        """Link an article to its duplicate group's canonical (None: it is one)."""

    @abstractmethod
    def make_canonical(self, new: int, old: int, reason: str) -> None:
        """Make ``new`` its group's canonical instead of ``old``; the members follow."""

    @abstractmethod
    def set_canonical_reason(self, article_id: int, reason: str) -> None:
        """Why an article is its group's canonical (earliest / most_complete), if not yet said."""

    @abstractmethod
    def duplicate_group(self, article_id: int) -> list[dict[str, Any]]:
        """The canonical and duplicates of an article's group."""

    @abstractmethod
    def set_story(self, article_id: int, story_id: int | None) -> None:
        """Put an article in a story."""

    @abstractmethod
    def merge_story(self, gone: int, into: int) -> None:
        """Move a story's members into another, keeping the old row with ``merged_into``."""

    @abstractmethod
    def max_story_id(self) -> int:
        """The highest story id used (0 when none)."""

    @abstractmethod
    def reset_clustering(self) -> None:
        """Forget stories and near-duplicate links before a full re-cluster (exact duplicates stay)."""

    @abstractmethod
    def refresh_stories(self, story_ids: Iterable[int], central: dict[int, int], *, active_since: str | None,
                        top: int = 10) -> None:
        """Recompute story rows (headline, summary, span, outlets, timeline, entities, keyphrases)."""

    @abstractmethod
    def get_story(self, story_id: int, *, members: bool = True) -> dict[str, Any] | None:
        """A story with its members, following merges."""

    @abstractmethod
    def list_stories(self, *, since: str | None = None, limit: int | None = None, min_size: int = 1,
                     members: bool = False) -> list[dict[str, Any]]:
        """Stories not merged away, most recently updated first."""

    # -- the reader (marsad serve): pages and aggregates, read-only --
    @abstractmethod
    def list_articles(self, filters: SearchFilters, *, limit: int, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
        """(total, a page of article summaries) passing ``filters``, newest publication first."""

    @abstractmethod
    def list_sources(self) -> list[dict[str, Any]]:
        """Every outlet with its article count, copies, first and last publication time."""

    @abstractmethod
    def source_names(self) -> list[str]:
        """Every outlet name, sorted."""

    @abstractmethod
    def source_summary(self, source: str) -> dict[str, Any] | None:
        """One outlet's counts and span, or None."""

    @abstractmethod
    def source_volume(self, source: str) -> list[dict[str, Any]]:
        """Articles per publication day of one outlet, oldest first."""

    @abstractmethod
    def list_feeds(self) -> list[dict[str, Any]]:
        """Every watched feed with its state and the number of articles stored from it."""

    @abstractmethod
    def get_entity(self, cid: str) -> dict[str, Any] | None:
        """One canonical entity (``TYPE:key``) with its variants and counts, or None."""

    @abstractmethod
    def entity_stories(self, cid: str, *, limit: int = 20) -> list[dict[str, Any]]:
        """Stories with articles naming the entity, the most such articles first."""

    @abstractmethod
    def entity_page(self, *, type_: str | None = None, prefix: str | None = None, limit: int = 50,
                    offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
        """(total, a page of entities with variants), most mentioned first."""

    @abstractmethod
    def story_page(self, *, min_size: int = 1, limit: int = 50, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
        """(total, a page of stories without members), most recently updated first."""

    @abstractmethod
    def latest_published(self, *, sample: int = 50) -> str | None:
        """The latest publication time in UTC: the store's "now" for a front page."""

    @abstractmethod
    def reader_counts(self) -> dict[str, Any]:
        """Cheap counts for a health check."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection."""
