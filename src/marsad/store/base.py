"""The storage interface the pipeline and the CLI use; SQLite implements it, PostgreSQL can.

A backend stores raw inputs (content-addressed), articles (one row per identity, with a
version history), runs and one outcome row per input unit. The pipeline decides outcomes;
the backend makes each batch atomic.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from marsad.models import Article


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

    @abstractmethod
    def stats(self) -> dict[str, Any]:
        """Counts for `marsad stats`."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection."""
