"""The store's roles: small protocols, each what one part of Marsad asks of storage.

Code above the store annotates with the narrowest role it uses (``ArticleStore`` for ingestion,
``SearchStore`` for search, ``RelatedReads`` for related articles, ``ReaderStore`` for the web reader, ...);
``marsad.store.base.Store`` combines them all, and a backend (``SQLiteStore``, ``PostgresStore``) implements
``Store``. All writes happen inside ``transaction()``; a failure rolls the batch back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from marsad.models import Article, SearchFilters
from marsad.store.dump import Key, TableSpec
from marsad.store.records import EntityMentions, RelatedRow, StoredArticle
from marsad.text.analyzer import ParsedQuery


class Transactional(Protocol):
    """Writes grouped into one atomic batch."""

    def transaction(self) -> AbstractContextManager[None]:
        """Context manager: everything written inside commits together or not at all."""


class ArticleStore(Transactional, Protocol):
    """Raw inputs, articles (one row per identity, with a version history), runs and outcomes."""

    def put_raw(self, sha256: str, data: bytes, *, kind: str, ref: str, url: str | None,
                media_type: str | None, fetched_at: str | None) -> None:
        """Keep a raw input (idempotent on ``sha256``)."""

    def find_by_identity(self, identity: str) -> StoredArticle | None:
        """The article stored under this identity (canonical URL / external id / content hash)."""

    def find_by_content_hash(self, content_hash: str) -> StoredArticle | None:
        """The earliest stored article with this match-normalized text hash."""

    def known_version(self, article_id: int, content_hash: str) -> bool:
        """True when an earlier version of the article had this content (a stale copy, not an update)."""

    def insert_article(self, article: Article, *, identity: str, duplicate_of: int | None) -> int:
        """Insert a new article row and return its id."""

    def update_article(self, article_id: int, article: Article) -> None:
        """Replace an article's content, keeping the previous version in the history."""

    def start_run(self, args: dict[str, Any]) -> int:
        """Open an ingestion run and return its id."""

    def finish_run(self, run_id: int, counts: dict[str, Any], status: str) -> None:
        """Close a run with its counts and status (ok / failed / interrupted)."""

    def log_outcome(self, run_id: int, *, ref: str, outcome: str, article_id: int | None = None,
                    duplicate_of: int | None = None, reason_code: str | None = None,
                    message: str | None = None, raw_sha256: str | None = None) -> None:
        """Record where one input unit ended: stored, updated, duplicate or rejected."""

    def get_article(self, article_id: int) -> dict[str, Any] | None:
        """One article as article JSON, or None."""

    def article_briefs(self, ids: Sequence[int], *, text: bool = False) -> dict[int, dict[str, Any]]:
        """id -> what a search hit shows of each of the articles ``ids`` that exist (``HIT_FIELDS``, and
        ``text`` when asked), in one read: no JSON columns decoded."""

    def iter_articles(self, *, batch: int = 1000) -> Iterator[dict[str, Any]]:
        """All articles as article JSON, by id."""

    def iter_rejections(self) -> Iterator[dict[str, Any]]:
        """All rejected inputs with their reasons."""

    def get_raw(self, sha256: str) -> bytes | None:
        """The raw bytes of a kept input."""


class EntityStore(Transactional, Protocol):
    """Canonical entities across articles: aliases, mentions, names."""

    def entity_id(self, cid: str) -> int | None:
        """Row id of the canonical entity ``cid`` (TYPE:name_key)."""

    def create_entity(self, cid: str, type_: str, key: str, *, latin: str | None = None,
                      aliases: list[str] | None = None) -> int:
        """Create (or find) a canonical entity and register its word-key aliases."""

    def note_latin(self, entity_id: int, latin: str) -> None:
        """Record a Latin-script form of an entity."""

    def add_aliases(self, entity_id: int, type_: str, aliases: list[str]) -> None:
        """Register more aliases (a spelling seen, a key) of an entity under ``type_`` (known ones are kept)."""

    def alias_candidates(self, alias: str, type_: str) -> list[tuple[int, str, int]]:
        """(id, cid, mentions) of entities a bare name may belong to, most mentioned first."""

    def cooccurring(self, entity_id: int, *, articles: int = 200) -> set[int]:
        """Ids of entities co-mentioned with ``entity_id`` in its recent articles."""

    def entity_document_frequency(self, entity_id: int, cap: int) -> int:
        """Article-entity rows naming the entity, counted up to ``cap`` (as in ``RelatedReads``)."""

    def approx_article_count(self) -> int:
        """About how many articles there are, without a scan (as in ``RelatedReads``)."""

    def replace_article_entities(self, article_id: int, rows: list[tuple[int, str, int]]) -> None:
        """Set an article's (entity id, surface form, mentions) rows."""

    def entity_names(self, ids: set[int]) -> dict[int, tuple[str, str]]:
        """id -> (canonical id, canonical name)."""

    def set_article_entities_json(self, article_id: int, mentions: list[dict[str, Any]]) -> None:
        """Store an article's resolved mentions."""

    def list_entities(self, *, type_: str | None = None, limit: int | None = None,
                      min_articles: int = 1) -> list[dict[str, Any]]:
        """Canonical entities with variants, types and counts."""


class StoryStore(Transactional, Protocol):
    """Per-article features, near-duplicate links and stories (``marsad.ingestion.clustering`` decides, the store
    keeps)."""

    def put_features(self, article_id: int, row: dict[str, Any]) -> None:
        """Store an article's clustering features (minhash, embedding, embedder, terms)."""

    def get_features(self, article_id: int) -> dict[str, Any] | None:
        """An article's features row, or None."""

    def iter_cluster_rows(self, *, since: str | None = None, only_assigned: bool = False, after_id: int = 0,
                          batch: int = 2000) -> Iterator[dict[str, Any]]:
        """Articles in publication-time order with story, duplicate links, entities and features (``after_id``:
        only articles with a larger id: what other writers committed since a clusterer last looked)."""

    def latest_time(self) -> str | None:
        """The latest publication (else ingest) time of any article."""

    def set_duplicate(self, article_id: int, duplicate_of: int | None, reason: str | None) -> None:
        """Link an article to its duplicate group's canonical (None: it is one)."""

    def make_canonical(self, new: int, old: int, reason: str) -> None:
        """Make ``new`` its group's canonical instead of ``old``; the members follow."""

    def set_canonical_reason(self, article_id: int, reason: str) -> None:
        """Why an article is its group's canonical (earliest / most_complete), if not yet said."""

    def duplicate_group(self, article_id: int) -> list[dict[str, Any]]:
        """The canonical and duplicates of an article's group."""

    def set_story(self, article_id: int, story_id: int | None) -> None:
        """Put an article in a story."""

    def merge_story(self, gone: int, into: int) -> None:
        """Move a story's members into another, keeping the old row with ``merged_into``."""

    def max_story_id(self) -> int:
        """The highest story id used (0 when none)."""

    def refresh_stories(self, story_ids: Iterable[int], central: dict[int, int], *, active_since: str | None,
                        top: int = 10) -> None:
        """Recompute story rows (headline, summary, span, outlets, timeline, entities, keyphrases)."""

    def get_story(self, story_id: int, *, members: bool = True) -> dict[str, Any] | None:
        """A story with its members, following merges."""

    def list_stories(self, *, since: str | None = None, limit: int | None = None, min_size: int = 1,
                     members: bool = False) -> list[dict[str, Any]]:
        """Stories not merged away, most recently updated first."""


class SearchStore(Protocol):
    """Lexical search over a ``ParsedQuery`` (each backend compiles it for its own full-text engine) and filters."""

    def search_lexical(self, query: ParsedQuery, *, k: int, filters: SearchFilters,
                       match_all: bool = True) -> list[tuple[int, float]]:
        """Best ``k`` (article id, score; higher is better) for ``query`` within ``filters``.

        ``match_all`` requires every clause of the query; ``False`` accepts any of its terms.
        """

    def rebuild_search_index(self, *, progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
        """Rebuild the search index from the stored articles: {"articles", "seconds", "indexed", "bytes"};
        ``progress(done, total)`` is called as it goes."""

    def filter_article_ids(self, ids: list[int], filters: SearchFilters) -> set[int]:
        """Those of ``ids`` that pass ``filters``."""

    def filtered_article_ids(self, filters: SearchFilters, *, limit: int | None) -> list[int] | None:
        """Ids of every article passing ``filters``, or None when there are more than ``limit``."""


class VectorStore(Protocol):
    """Stored embeddings, from which ``marsad.query.vectors`` builds the vector index."""

    def sidecar_path(self, suffix: str) -> Path | None:
        """Where a file belonging to the store goes (``<db><suffix>``), or None when it has no file."""

    def embedder_counts(self, *, sample: int | None = 5000) -> dict[str, int]:
        """Embedded articles per embedder name, most first (over the latest ``sample`` rows; None: all)."""

    def max_features_id(self) -> int:
        """The highest article id with a features row (0 when none)."""

    def iter_embeddings(self, embedder: str, *, after_id: int = 0, duplicates: bool | None = False,
                        batch: int = 20000) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(ids, float16 matrix) batches of the articles embedded by ``embedder`` with id > ``after_id``."""

    def embeddings_of(self, ids: list[int], embedder: str) -> tuple[np.ndarray, np.ndarray]:
        """(ids, float16 matrix) of those of ``ids`` embedded by ``embedder``."""


class FeedStateStore(Protocol):
    """Live sources: per-feed state that survives restarts, and the feed item URLs already handled."""

    def upsert_feed(self, url: str, *, title: str | None, source: str | None, language: str | None,
                    interval: float) -> None:
        """Register a feed (keeping its state if known) and refresh its descriptive fields."""

    def get_feed(self, url: str) -> dict[str, Any] | None:
        """One feed's state, or None."""

    def list_feeds(self) -> list[dict[str, Any]]:
        """Every watched feed with its state and the number of articles stored from it."""

    def save_feed_state(self, url: str, **fields: Any) -> None:
        """Update fields of a feed's state (``ValueError`` for a field the state does not have)."""

    def feed_item_status(self, url_key: str) -> tuple[str, int] | None:
        """(status, attempts) of a feed item URL already handled, or None."""

    def mark_feed_item(self, url_key: str, feed_url: str, *, status: str, article_id: int | None = None,
                       error: str | None = None, url: str | None = None) -> None:
        """Remember that a feed item URL was ingested, stored from the feed's text (``feed``: its page is retried)
        or failed, counting attempts; ``url`` is the item's link, kept so a later pass can retry its page."""

    def pending_feed_items(self, feed_url: str, *, max_attempts: int) -> list[tuple[str, str, int | None]]:
        """(url key, url, article id) of ``feed_url``'s items stored from the feed's text whose page is still to be
        fetched (fewer than ``max_attempts`` attempts)."""

    def claim_feeds(self, owner: str, urls: Sequence[str], *, seconds: float) -> list[str]:
        """Lease to ``owner`` for ``seconds`` those of ``urls`` that no other watcher holds or whose lease ran out
        (several watchers share one feed list; a watcher that dies leaves a lease that expires). The feeds leased."""

    def release_feeds(self, owner: str, urls: Sequence[str]) -> None:
        """Give back ``owner``'s leases on ``urls``."""


class ReaderStore(Protocol):
    """The reader's pages and aggregates (``marsad serve``), read-only."""

    def list_articles(self, filters: SearchFilters, *, limit: int, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
        """(total, a page of article summaries) passing ``filters``, newest publication first."""

    def list_sources(self) -> list[dict[str, Any]]:
        """Every outlet with its article count, copies, first and last publication time."""

    def source_names(self) -> list[str]:
        """Every outlet name, sorted."""

    def source_summary(self, source: str) -> dict[str, Any] | None:
        """One outlet's counts and span, or None."""

    def source_volume(self, source: str) -> list[dict[str, Any]]:
        """Articles per publication day of one outlet, oldest first."""

    def get_entity(self, cid: str) -> dict[str, Any] | None:
        """One canonical entity (``TYPE:key``) with its variants and counts, or None."""

    def entity_stories(self, cid: str, *, limit: int = 20) -> list[dict[str, Any]]:
        """Stories with articles naming the entity, the most such articles first."""

    def entity_page(self, *, type_: str | None = None, prefix: str | None = None, limit: int = 50,
                    offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
        """(total, a page of entities with variants), most mentioned first."""

    def story_page(self, *, min_size: int = 1, limit: int = 50, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
        """(total, a page of stories without members), most recently updated first."""

    def latest_published(self, *, sample: int = 50) -> str | None:
        """The latest publication time in UTC: the store's "now" for a front page."""

    def reader_counts(self) -> dict[str, Any]:
        """Cheap counts for a health check."""

    def change_marker(self) -> int:
        """A number that changes whenever another connection commits (a cache built on this connection is stale
        then); what this connection writes itself does not change it."""


class RelatedReads(Protocol):
    """The indexed reads related articles (``marsad.query.related``) score; rows as plain records."""

    def related_rows(self, ids: Sequence[int]) -> list[RelatedRow]:
        """The articles of ``ids`` that exist, with section, keyphrases and features (no embedding)."""

    def article_embeddings(self, ids: Sequence[int]) -> dict[int, np.ndarray]:
        """article id -> its stored float16 embedding, for those of ``ids`` that have one (any embedder)."""

    def canonical_embedder(self, article_id: int) -> str | None:
        """The embedder of the article's canonical (itself unless it is a copy), or None when not embedded."""

    def entity_mentions(self, ids: Sequence[int]) -> list[EntityMentions]:
        """Every (article, entity) of the articles ``ids``: mentions summed over its forms, and the forms."""

    def entity_ids(self, cids: Iterable[str]) -> set[int]:
        """Row ids of those of the canonical entities ``cids`` (``TYPE:key``) that exist."""

    def entity_keys(self, entity_ids: Sequence[int]) -> set[str]:
        """The name keys of entities."""

    def entity_document_frequency(self, entity_id: int, cap: int) -> int:
        """Article-entity rows naming the entity, counted up to ``cap`` (beyond it an entity is common anyway)."""

    def approx_article_count(self) -> int:
        """About how many articles there are, without a scan (the largest id)."""

    def entity_postings(self, entity_id: int, anchor: int, limit: int) -> list[int]:
        """Articles naming the entity nearest the article ``anchor`` in id order: up to ``limit // 2`` before it,
        nearest first, then as many after it, nearest first."""

    def story_member_ids(self, story_id: int, limit: int) -> list[int]:
        """Ids of at most ``limit`` articles of a story (copies included)."""

    def copies_of(self, canonical_ids: Sequence[int]) -> dict[int, list[int]]:
        """canonical id -> ids of its copies, in id order (canonicals without copies left out)."""

    def entity_recent_forms(self, entity_ids: Sequence[int], *, recent: int = 200,
                            top: int = 5) -> dict[int, list[str]]:
        """entity id -> its ``top`` surface forms by mentions over its latest ``recent`` rows, most first."""


class WatchlistStore(Transactional, Protocol):
    """Watchlists, the articles they matched, and their alerts: an outbox written inside the ingest transaction
    and sent by ``marsad deliver`` (``marsad.ingestion.alerts`` decides, the store keeps), with every attempt."""

    def add_watchlist(self, row: dict[str, Any]) -> bool:
        """Store a watchlist (``name``, ``query``, ``entity``, ``sources`` list, ``category``, ``min_outlets``,
        ``webhook``, ``email``, ``digest``, ``secret``); False when the name is taken."""

    def get_watchlist(self, name: str) -> dict[str, Any] | None:
        """One watchlist (``sources`` as a list), or None."""

    def list_watchlists(self, *, health: bool = True) -> list[dict[str, Any]]:
        """Every watchlist by name, with its health (unless ``health`` is False: what matching reads): ``matches``,
        ``pending``, ``sent``, ``failed`` alerts, ``last_match_at``, ``last_sent_at`` and ``last_error`` (of its
        latest unsent alert)."""

    def remove_watchlist(self, name: str) -> bool:
        """Delete a watchlist with its matches, alerts and attempts; False when there was none."""

    def add_match(self, watchlist: str, article_id: int, *, digest_window: str | None = None) -> bool:
        """Record that an article matched a watchlist; False when it was recorded before."""

    def enqueue_alert(self, *, key: str, channel: str, watchlist: str, target: str, body: str,
                      article_id: int | None = None, story_id: int | None = None) -> bool:
        """Put an alert in the outbox, due now; False when (key, channel) is there already."""

    def article_story_ids(self, ids: Sequence[int]) -> dict[int, int | None]:
        """article id -> its story id, for those of ``ids`` that exist."""

    def story_outlets(self, story_ids: Sequence[int]) -> dict[int, set[str]]:
        """story id -> the outlets of its articles (copies included), for those of ``story_ids`` with articles."""

    def matched_stories(self, watchlist: str, story_ids: Sequence[int]) -> set[int]:
        """Those of ``story_ids`` holding an article the watchlist matched."""

    def undigested_matches(self, watchlist: str, *, before_window: str) -> list[tuple[str, int]]:
        """(digest window, article id) of matches not yet in a digest whose window is before ``before_window``,
        by window then article id."""

    def mark_digested(self, watchlist: str, article_ids: Sequence[int], key: str) -> None:
        """Note the digest alert that carried these matches."""

    def due_alerts(self, now: str, *, limit: int = 100) -> list[dict[str, Any]]:
        """Pending outbox rows due at ``now`` (ISO UTC), oldest first."""

    def next_alert_due(self) -> str | None:
        """When the earliest pending alert is due, or None when none is pending."""

    def record_attempt(self, alert_id: int, *, ok: bool, status: int | None, error: str | None, seconds: float,
                       next_attempt_at: str | None) -> None:
        """Keep one delivery attempt: sent when ``ok``; else pending again at ``next_attempt_at``, or failed for
        good when it is None (nothing when the alert is gone: its watchlist was removed meanwhile)."""

    def watchlist_article_ids(self, watchlist: str, *, limit: int = 50) -> list[int]:
        """Ids of the articles a watchlist matched, latest match first."""

    def recent_alerts(self, watchlist: str, *, limit: int = 20) -> list[dict[str, Any]]:
        """A watchlist's latest outbox rows (with ``body``), newest first."""


class MaintenanceStore(Protocol):
    """Counts, consistency checks, resets and closing."""

    def stats(self) -> dict[str, Any]:
        """Counts for `marsad stats`."""

    def integrity_check(self) -> str:
        """"ok", or the first problems the backend's own consistency checks find."""

    def reset_clustering(self) -> None:
        """Forget stories and near-duplicate links before a full re-cluster (exact duplicates stay)."""

    def close(self) -> None:
        """Release the connection."""


class TableDump(Transactional, Protocol):
    """Every stored row as plain values, table by table: what ``marsad copy`` moves between backends.

    Derived state is not dumped: the search index (rebuilt with ``rebuild_search_index``) and the vector sidecar
    files (``marsad reindex --vectors``). Values are int, float, str, bytes or None (JSON columns as their text,
    byte for byte: a backend keeping jsonb must give back the text it was given). Keys are ordered in binary
    order (PostgreSQL: ``COLLATE "C"`` on text keys), so that every backend walks a table in the same order.
    The canonical checksum is ``marsad.store.dump.Checksum``.
    """

    def dump_tables(self) -> list[TableSpec]:
        """Every table a copy moves, in an order in which rows load with their foreign keys satisfied."""

    def dump_rows(self, table: str, *, after: Key | None, batch: int,
                  columns: Sequence[str] | None = None) -> list[tuple[Any, ...]]:
        """Up to ``batch`` rows of ``table`` with a key after ``after`` (None: from the start), in key order;
        values in the order of ``columns`` (default: the table's ``TableSpec.columns``)."""

    def last_key(self, table: str) -> Key | None:
        """The largest key of ``table``, or None when it is empty."""

    def load_rows(self, table: str, rows: Sequence[Sequence[Any]]) -> int:
        """Insert rows (values in ``TableSpec.columns`` order) inside the caller's transaction, leaving out those
        whose primary key is already there; the number inserted. Other constraints are enforced. After a load
        into a table with a generated key (articles, runs, outcomes, entities, stories) the next generated key
        must come after the largest loaded one: SQLite does it by itself, PostgreSQL calls ``setval`` on the
        table's sequence."""

    def update_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Set ``columns`` of existing rows inside the caller's transaction; each row is its key values followed
        by the new values (how a copy fills ``TableSpec.deferred`` columns)."""

    def table_count(self, table: str) -> int:
        """How many rows ``table`` holds."""

    def table_checksum(self, table: str) -> str:
        """``marsad.store.dump.Checksum`` of every row of ``table`` in key order: equal on two backends exactly
        when they hold the same values."""
