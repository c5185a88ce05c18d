"""SQLite store: WAL, foreign keys, schema versions with migrations, atomic batches."""

from __future__ import annotations

import json
import os
import sqlite3
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import timedelta
from pathlib import Path
from typing import Any

from marsad.errors import SchemaError, SchemaUpgradeNeeded, StoreError
from marsad.models import Article
from marsad.store.base import Store
from marsad.store.records import StoredArticle
from marsad.store.rows import HIT_FIELDS, NAME_FORMS, article_row_json, entity_display_name, published_at_of
from marsad.store.sqlite_common import chunks, marks
from marsad.store.sqlite_dump import SQLiteDump
from marsad.store.sqlite_reader import SQLiteReader
from marsad.store.sqlite_related import SQLiteRelated
from marsad.store.sqlite_search import SQLiteSearch, register_search_functions
from marsad.store.sqlite_stories import SQLiteStories
from marsad.store.sqlite_vectors import SQLiteVectors
from marsad.store.sqlite_watchlists import SQLiteWatchlists
from marsad.text.analyzer import index_title
from marsad.times import now_iso as _now
from marsad.times import to_iso, utc_iso, utc_now

# Each migration takes the schema from version i to i+1. Never edit a released one: add another.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE raw_inputs (
        sha256      TEXT PRIMARY KEY,
        kind        TEXT NOT NULL,
        media_type  TEXT,
        size        INTEGER NOT NULL,
        first_ref   TEXT NOT NULL,
        url         TEXT,
        fetched_at  TEXT,
        first_seen  TEXT NOT NULL,
        data        BLOB NOT NULL            -- zlib-compressed raw bytes
    );
    CREATE TABLE articles (
        id                INTEGER PRIMARY KEY,
        identity          TEXT NOT NULL UNIQUE, -- url:<canonical> | ext:<source>:<id> | hash:<content_hash>
        external_id       TEXT,
        url               TEXT,
        canonical_url     TEXT,
        source            TEXT,
        site_name         TEXT,
        author            TEXT,
        title             TEXT NOT NULL DEFAULT '',
        display_title     TEXT NOT NULL DEFAULT '',
        title_derived     INTEGER NOT NULL DEFAULT 0,
        text              TEXT NOT NULL,
        published_at      TEXT,
        updated_at        TEXT,
        language          TEXT,
        tags              TEXT NOT NULL DEFAULT '[]',
        related_headlines TEXT NOT NULL DEFAULT '[]',
        origin            TEXT NOT NULL DEFAULT '{}',
        raw_sha256        TEXT REFERENCES raw_inputs(sha256),
        content_hash      TEXT NOT NULL,
        duplicate_of      INTEGER REFERENCES articles(id),
        version           INTEGER NOT NULL DEFAULT 1,
        created_at        TEXT NOT NULL,
        modified_at       TEXT NOT NULL
    );
    CREATE INDEX articles_content_hash ON articles(content_hash);
    CREATE INDEX articles_source ON articles(source);
    CREATE INDEX articles_published ON articles(published_at);
    CREATE TABLE article_history (
        article_id    INTEGER NOT NULL REFERENCES articles(id),
        version       INTEGER NOT NULL,
        title         TEXT NOT NULL,
        text          TEXT NOT NULL,
        raw_sha256    TEXT REFERENCES raw_inputs(sha256),
        content_hash  TEXT NOT NULL,
        replaced_at   TEXT NOT NULL,
        PRIMARY KEY (article_id, version)
    );
    CREATE TABLE runs (
        id          INTEGER PRIMARY KEY,
        started_at  TEXT NOT NULL,
        finished_at TEXT,
        status      TEXT NOT NULL DEFAULT 'running',
        args        TEXT NOT NULL DEFAULT '{}',
        counts      TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE outcomes (
        id            INTEGER PRIMARY KEY,
        run_id        INTEGER NOT NULL REFERENCES runs(id),
        ref           TEXT NOT NULL,
        outcome       TEXT NOT NULL CHECK (outcome IN ('stored', 'updated', 'duplicate', 'rejected')),
        article_id    INTEGER REFERENCES articles(id),
        duplicate_of  INTEGER REFERENCES articles(id),
        reason_code   TEXT,
        message       TEXT,
        raw_sha256    TEXT,
        at            TEXT NOT NULL
    );
    CREATE INDEX outcomes_run ON outcomes(run_id, outcome);
    """,
    # 2: live sources. Per-feed state survives restarts; feed_items remembers item URLs already handled.
    """
    CREATE TABLE feeds (
        url             TEXT PRIMARY KEY,
        title           TEXT,
        source          TEXT,
        language        TEXT,
        interval        REAL NOT NULL,            -- current poll interval in seconds (adapted)
        etag            TEXT,
        last_modified   TEXT,
        last_polled     TEXT,
        last_success    TEXT,
        next_poll       TEXT,                     -- ISO UTC; NULL = due now
        error_count     INTEGER NOT NULL DEFAULT 0, -- consecutive failures
        last_error      TEXT,
        polls           INTEGER NOT NULL DEFAULT 0,
        not_modified    INTEGER NOT NULL DEFAULT 0,
        items_seen      INTEGER NOT NULL DEFAULT 0,
        items_new       INTEGER NOT NULL DEFAULT 0,
        last_new_items  INTEGER NOT NULL DEFAULT 0,
        added_at        TEXT NOT NULL
    );
    CREATE TABLE feed_items (
        url_key      TEXT PRIMARY KEY,
        feed_url     TEXT NOT NULL,
        article_id   INTEGER REFERENCES articles(id),
        status       TEXT NOT NULL,              -- ingested | failed
        attempts     INTEGER NOT NULL DEFAULT 1,
        last_error   TEXT,
        first_seen   TEXT NOT NULL,
        last_seen    TEXT NOT NULL
    );
    CREATE INDEX feed_items_feed ON feed_items(feed_url);
    """,
    # 3: enrichment. Counts and variants are derived from article_entities, never kept as counters.
    """
    ALTER TABLE articles ADD COLUMN entities TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE articles ADD COLUMN keyphrases TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE articles ADD COLUMN category TEXT;
    CREATE TABLE entities (
        id          INTEGER PRIMARY KEY,
        cid         TEXT NOT NULL UNIQUE,        -- TYPE:name_key
        type        TEXT NOT NULL,
        key         TEXT NOT NULL,
        latin       TEXT,                        -- a Latin-script form linked through a gazetteer pair
        created_at  TEXT NOT NULL
    );
    CREATE TABLE entity_aliases (                -- word keys of multiword names: where a bare name may belong
        alias      TEXT NOT NULL,
        type       TEXT NOT NULL,
        entity_id  INTEGER NOT NULL REFERENCES entities(id),
        PRIMARY KEY (alias, type, entity_id)
    );
    CREATE TABLE article_entities (
        article_id  INTEGER NOT NULL REFERENCES articles(id),
        entity_id   INTEGER NOT NULL REFERENCES entities(id),
        form        TEXT NOT NULL,
        mentions    INTEGER NOT NULL,
        PRIMARY KEY (article_id, entity_id, form)
    );
    CREATE INDEX article_entities_entity ON article_entities(entity_id);
    """,
    # 4: near-duplicates and stories. A story row is derived state: `marsad cluster --rebuild` remakes it.
    """
    ALTER TABLE articles ADD COLUMN story_id INTEGER;
    ALTER TABLE articles ADD COLUMN duplicate_reason TEXT;       -- exact | near:<score> ; canonical_reason below
    ALTER TABLE articles ADD COLUMN canonical_reason TEXT;       -- on a group's canonical: earliest | most_complete
    CREATE INDEX articles_story ON articles(story_id);
    CREATE INDEX articles_duplicate_of ON articles(duplicate_of);
    CREATE TABLE stories (
        id              INTEGER PRIMARY KEY,
        headline        TEXT NOT NULL DEFAULT '',
        summary         TEXT NOT NULL DEFAULT '',
        central_article INTEGER,
        first_seen      TEXT,
        last_updated    TEXT,
        size            INTEGER NOT NULL DEFAULT 0,
        outlets         TEXT NOT NULL DEFAULT '[]',
        entities        TEXT NOT NULL DEFAULT '[]',
        keyphrases      TEXT NOT NULL DEFAULT '[]',
        timeline        TEXT NOT NULL DEFAULT '[]',
        merged_into     INTEGER,
        status          TEXT NOT NULL DEFAULT 'active',  -- active | closed | merged
        modified_at     TEXT NOT NULL
    );
    CREATE INDEX stories_last_updated ON stories(last_updated);
    CREATE TABLE article_features (                  -- what clustering and semantic search need per article
        article_id  INTEGER PRIMARY KEY REFERENCES articles(id),
        minhash     BLOB,                            -- uint32 MinHash signature of the body shingles
        embedding   BLOB,                            -- float16 sentence embedding of title + lead
        embedder    TEXT,
        terms       TEXT                             -- JSON {term: weight}, the lexical vector
    );
    """,
    # 5: lexical search. articles_fts rowid = articles.id; columns from marsad.text.analyzer.index_fields via the
    # SQL function marsad_fts (store/sqlite_search.py), so existing rows are indexed here as well. Contentless
    # (half the size): a row is removed with the values it was indexed with, so an analyzer change needs a
    # migration that rebuilds the index (tests/unit/test_search.py pins the analyzer output).
    """
    CREATE VIRTUAL TABLE articles_fts USING fts5(title_exact, title_stem, body_exact, body_stem,
        content = '', tokenize = 'unicode61 remove_diacritics 0');
    INSERT INTO articles_fts(rowid, title_exact, title_stem, body_exact, body_stem)
        SELECT id, marsad_fts(coalesce(nullif(display_title, ''), title), text, 0),
               marsad_fts(coalesce(nullif(display_title, ''), title), text, 1),
               marsad_fts(coalesce(nullif(display_title, ''), title), text, 2),
               marsad_fts(coalesce(nullif(display_title, ''), title), text, 3) FROM articles;
    """,
    # 6: related articles (marsad/related.py) read the entities side of their candidates from indexes alone: the
    # articles naming an entity nearest an article (and the forms named most), and each candidate's entities with
    # their mentions. Without them every posting and entity row is a table row read (random pages at 1M articles).
    """
    CREATE INDEX IF NOT EXISTS article_entities_postings ON article_entities(entity_id, article_id, mentions, form);
    CREATE INDEX IF NOT EXISTS article_entities_article ON article_entities(article_id, entity_id, mentions, form);
    """,
    # 7: several watchers share the feed list: a feed is leased by one watcher at a time, until lease_until (ISO UTC);
    # a watcher that dies leaves a lease that simply runs out.
    """
    ALTER TABLE feeds ADD COLUMN lease_owner TEXT;
    ALTER TABLE feeds ADD COLUMN lease_until TEXT;
    """,
    # 8: feeds never lose an item. An item whose page cannot be fetched is stored from the feed's own text
    # (articles.text_source = 'feed', feed_items.status = 'feed' with the item's url), and upgraded in place when a
    # later pass fetches the page.
    """
    ALTER TABLE articles ADD COLUMN text_source TEXT NOT NULL DEFAULT 'page';  -- page | feed
    ALTER TABLE feed_items ADD COLUMN url TEXT;
    """,
    # 9: watchlists and their alerts (issue 20). A match is recorded inside the ingest transaction that stores the
    # article, with its alerts in the outbox; `marsad deliver` sends the outbox (an item is marked sent only after
    # the receiver took it) and keeps every attempt. PostgreSQL has these tables at its version 10.
    """
    CREATE TABLE watchlists (
        name         TEXT PRIMARY KEY,
        query        TEXT,
        entity       TEXT,
        sources      TEXT NOT NULL DEFAULT '[]',       -- JSON list of outlet names (any of them)
        category     TEXT,
        min_outlets  INTEGER,                          -- fire once per story when it reaches this many outlets
        webhook      TEXT,
        email        TEXT,
        digest       TEXT,                             -- NULL (one alert per match) | hourly | daily
        secret       TEXT NOT NULL,                    -- HMAC key of the webhook signature
        created_at   TEXT NOT NULL
    );
    CREATE TABLE watch_matches (
        watchlist    TEXT NOT NULL REFERENCES watchlists(name),
        article_id   INTEGER NOT NULL REFERENCES articles(id),
        matched_at   TEXT NOT NULL,
        digest_window TEXT,                            -- digest window (UTC hour or day) of a digest watchlist
        digest_key   TEXT,                             -- the digest alert that carried it
        PRIMARY KEY (watchlist, article_id)
    );
    CREATE INDEX watch_matches_digest ON watch_matches(watchlist, digest_key, digest_window);
    CREATE TABLE alert_outbox (
        id               INTEGER PRIMARY KEY,
        key              TEXT NOT NULL,                -- idempotency key: the same for every channel of one alert
        channel          TEXT NOT NULL,                -- webhook | email
        watchlist        TEXT NOT NULL REFERENCES watchlists(name),
        target           TEXT NOT NULL,                -- the webhook URL or the email address
        body             TEXT NOT NULL,                -- the JSON body, fixed when the alert is made
        article_id       INTEGER,
        story_id         INTEGER,
        status           TEXT NOT NULL DEFAULT 'pending',  -- pending | sent | failed (gave up)
        attempts         INTEGER NOT NULL DEFAULT 0,
        next_attempt_at  TEXT NOT NULL,
        last_error       TEXT,
        created_at       TEXT NOT NULL,
        sent_at          TEXT,
        UNIQUE (key, channel)
    );
    CREATE INDEX alert_outbox_due ON alert_outbox(status, next_attempt_at);
    CREATE INDEX alert_outbox_watchlist ON alert_outbox(watchlist, id);
    CREATE TABLE delivery_attempts (
        id          INTEGER PRIMARY KEY,
        alert_id    INTEGER NOT NULL REFERENCES alert_outbox(id),
        at          TEXT NOT NULL,
        ok          INTEGER NOT NULL,
        status      INTEGER,                           -- HTTP status (webhooks) or SMTP reply code
        error       TEXT,
        seconds     REAL NOT NULL
    );
    CREATE INDEX delivery_attempts_alert ON delivery_attempts(alert_id);
    """,
    # 10: a UTC sort key for the publication time. published_at keeps the page's own offset ("...T23:30:00+03:00"),
    # so as text it does not sort or compare in time order; published_utc is the same instant in UTC
    # (marsad.times.utc_iso: "YYYY-MM-DDTHH:MM:SS+00:00", a date alone as its midnight; NULL when published_at is
    # absent or unreadable), written beside it by the store and filled here for the rows already there (the SQL
    # function marsad_utc). Every ordering and filter by publication time reads it. PostgreSQL: its version 11.
    """
    ALTER TABLE articles ADD COLUMN published_utc TEXT;
    UPDATE articles SET published_utc = marsad_utc(published_at) WHERE published_at IS NOT NULL;
    DROP INDEX IF EXISTS articles_published;
    CREATE INDEX articles_published_utc ON articles(published_utc);
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)

_ARTICLE_COLUMNS = (
    "id, external_id, url, canonical_url, source, site_name, author, title, display_title, title_derived, "
    "text, published_at, updated_at, language, tags, related_headlines, origin, raw_sha256, content_hash, "
    "duplicate_of, version, created_at, modified_at, entities, keyphrases, category, story_id, duplicate_reason, "
    "canonical_reason, text_source"
)


def _enrichment(article: Article) -> tuple[str, str, str | None]:
    return (json.dumps(article.entities, ensure_ascii=False), json.dumps(article.keyphrases, ensure_ascii=False),
            json.dumps(article.category, ensure_ascii=False) if article.category else None)


class SQLiteStore(SQLiteSearch, SQLiteStories, SQLiteVectors, SQLiteReader, SQLiteRelated, SQLiteWatchlists, SQLiteDump,
                  Store):
    """The embedded default store. ``path=":memory:"`` gives a throwaway store for tests."""

    def __init__(self, path: str | os.PathLike[str] = "marsad.db", *, readonly: bool = False) -> None:
        self.path = str(path)
        self.readonly = readonly
        self._in_tx = False
        self._fts_pending = []
        try:
            if self.path != ":memory:":
                p = Path(self.path)
                if readonly and not p.exists():
                    raise StoreError(f"no store at {self.path}: run `marsad ingest` first or pass --db")
                if not readonly:
                    parent = p.parent if str(p.parent) else Path(".")
                    if not parent.exists():
                        raise StoreError(f"cannot create the store {self.path}: folder {parent} does not exist")
                    if p.exists() and not os.access(p, os.W_OK):
                        raise StoreError(f"cannot write to the store {self.path}: permission denied")
                    if not p.exists() and not os.access(parent, os.W_OK):
                        raise StoreError(f"cannot create the store {self.path}: folder {parent} is not writable")
            uri = f"file:{self.path}?mode=ro" if readonly else self.path
            self.conn = sqlite3.connect(uri, uri=readonly, isolation_level=None, check_same_thread=False)
            self.conn.row_factory = sqlite3.Row
            register_search_functions(self.conn)
            self.conn.create_function("marsad_utc", 1, utc_iso, deterministic=True)   # migration 10 fills with it
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.conn.execute("PRAGMA busy_timeout = 10000")
            if not readonly:
                self.conn.execute("PRAGMA journal_mode = WAL")
                self.conn.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the store {self.path}: {exc} (is it a Marsad SQLite file?)") from exc

    # -- schema ----------------------------------------------------------------------------
    def _migrate(self) -> None:
        version = self._version()
        if version == 0 and not self.readonly:
            version = self._checked_version()        # under the write lock: another process may be creating it
        elif version == 0:
            self._refuse_foreign()
        if version == SCHEMA_VERSION:
            return
        if self.readonly:
            raise SchemaUpgradeNeeded(f"the store {self.path} needs a schema upgrade; open it once without read-only")
        for target in range(version, SCHEMA_VERSION):
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                if self._version() > target:          # another process migrated it meanwhile (stores opened at once)
                    self.conn.execute("COMMIT")
                    continue
                for statement in _split_sql(MIGRATIONS[target]):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {target + 1}")
                self.conn.execute("COMMIT")
            except sqlite3.Error:
                self.conn.execute("ROLLBACK")
                raise

    def _version(self) -> int:
        version = int(self.conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise SchemaError(
                f"the store {self.path} has schema version {version}, newer than this Marsad ({SCHEMA_VERSION}); "
                "upgrade Marsad"
            )
        return version

    def _checked_version(self) -> int:
        """The version read under the write lock, after refusing a file that holds another application's tables."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            version = self._version()
            if version == 0:
                self._refuse_foreign()
        finally:
            self.conn.execute("COMMIT")
        return version

    def _refuse_foreign(self) -> None:
        tables = self.conn.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
        if tables:
            raise SchemaError(f"{self.path} is an SQLite file but not a Marsad store (it has other tables)")

    # -- transactions ------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Commit everything written inside together, or roll all of it back."""
        if self._in_tx:
            yield
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot write to the store {self.path}: {exc}") from exc
        self._in_tx = True
        try:
            yield
            self._flush_index()
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise StoreError(f"writing to the store {self.path} failed and was rolled back: {exc}") from exc
        except BaseException:
            self._rollback()
            raise
        finally:
            self._in_tx = False

    def _rollback(self) -> None:
        self._fts_pending.clear()
        with suppress(sqlite3.Error):
            self.conn.execute("ROLLBACK")

    # -- writes ------------------------------------------------------------------------------
    def put_raw(self, sha256: str, data: bytes, *, kind: str, ref: str, url: str | None,
                media_type: str | None, fetched_at: str | None) -> None:
        """Keep a raw input, zlib-compressed; a second copy of the same bytes is ignored."""
        self.conn.execute(
            "INSERT OR IGNORE INTO raw_inputs(sha256, kind, media_type, size, first_ref, url, fetched_at, "
            "first_seen, data) VALUES (?,?,?,?,?,?,?,?,?)",
            (sha256, kind, media_type, len(data), ref, url, fetched_at, _now(), zlib.compress(data, 1)),
        )

    def find_by_identity(self, identity: str) -> StoredArticle | None:
        """The article stored under ``identity``."""
        row = self.conn.execute(
            "SELECT id, content_hash, title, duplicate_of FROM articles WHERE identity = ?", (identity,)
        ).fetchone()
        return StoredArticle(row[0], row[1], row[2], row[3]) if row else None

    def find_by_content_hash(self, content_hash: str) -> StoredArticle | None:
        """The earliest article with this content hash that is not itself a duplicate."""
        row = self.conn.execute(
            "SELECT id, content_hash, title, duplicate_of FROM articles WHERE content_hash = ? "
            "ORDER BY duplicate_of IS NOT NULL, id LIMIT 1",
            (content_hash,),
        ).fetchone()
        return StoredArticle(row[0], row[1], row[2], row[3]) if row else None

    def known_version(self, article_id: int, content_hash: str) -> bool:
        """True when the history of the article holds a version with this content hash."""
        return self.conn.execute(
            "SELECT 1 FROM article_history WHERE article_id = ? AND content_hash = ? LIMIT 1",
            (article_id, content_hash),
        ).fetchone() is not None

    def insert_article(self, article: Article, *, identity: str, duplicate_of: int | None) -> int:
        """Insert a new article row."""
        now = _now()
        cur = self.conn.execute(
            "INSERT INTO articles(identity, external_id, url, canonical_url, source, site_name, author, title, "
            "display_title, title_derived, text, published_at, published_utc, updated_at, language, tags, "
            "related_headlines, origin, raw_sha256, content_hash, duplicate_of, created_at, modified_at, entities, "
            "keyphrases, category, text_source) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (identity, article.external_id, article.url, article.canonical_url, article.source, article.site_name,
             article.author, article.title, article.display_title, int(article.title_derived), article.text,
             article.published_at, utc_iso(article.published_at), article.updated_at, article.language,
             json.dumps(article.tags, ensure_ascii=False), json.dumps(article.related_headlines, ensure_ascii=False),
             json.dumps(article.origin, ensure_ascii=False), article.raw_sha256 or None, article.content_hash,
             duplicate_of, now, now, *_enrichment(article), article.text_source),
        )
        assert cur.lastrowid is not None
        self._index_article(cur.lastrowid, index_title(article), article.text or "")
        return cur.lastrowid

    def update_article(self, article_id: int, article: Article) -> None:
        """Replace the content of an article, moving the old version into ``article_history``."""
        now = _now()
        self._unindex_article(article_id)
        self.conn.execute(
            "INSERT INTO article_history(article_id, version, title, text, raw_sha256, content_hash, replaced_at) "
            "SELECT id, version, title, text, raw_sha256, content_hash, ? FROM articles WHERE id = ?",
            (now, article_id),
        )
        self.conn.execute(
            "UPDATE articles SET external_id = coalesce(?, external_id), url = coalesce(?, url), "
            "canonical_url = coalesce(?, canonical_url), source = coalesce(?, source), "
            "site_name = coalesce(?, site_name), author = coalesce(?, author), title = ?, display_title = ?, "
            "title_derived = ?, text = ?, published_at = coalesce(?, published_at), "
            "published_utc = CASE WHEN ? IS NULL THEN published_utc ELSE ? END, updated_at = ?, language = ?, "
            "tags = ?, related_headlines = ?, origin = ?, raw_sha256 = ?, content_hash = ?, "
            "version = version + 1, modified_at = ?, entities = ?, keyphrases = ?, category = ?, text_source = ? "
            "WHERE id = ?",
            (article.external_id, article.url, article.canonical_url, article.source, article.site_name,
             article.author, article.title, article.display_title, int(article.title_derived), article.text,
             article.published_at, article.published_at, utc_iso(article.published_at), article.updated_at,
             article.language,
             json.dumps(article.tags, ensure_ascii=False), json.dumps(article.related_headlines, ensure_ascii=False),
             json.dumps(article.origin, ensure_ascii=False), article.raw_sha256 or None, article.content_hash,
             now, *_enrichment(article), article.text_source, article_id),
        )
        self._index_article(article_id, index_title(article), article.text or "")

    def start_run(self, args: dict[str, Any]) -> int:
        """Open a run."""
        with self.transaction():
            cur = self.conn.execute(
                "INSERT INTO runs(started_at, args) VALUES (?, ?)", (_now(), json.dumps(args, ensure_ascii=False))
            )
        assert cur.lastrowid is not None
        return cur.lastrowid

    def finish_run(self, run_id: int, counts: dict[str, Any], status: str) -> None:
        """Close a run."""
        with self.transaction():
            self.conn.execute(
                "UPDATE runs SET finished_at = ?, status = ?, counts = ? WHERE id = ?",
                (_now(), status, json.dumps(counts, ensure_ascii=False), run_id),
            )

    def log_outcome(self, run_id: int, *, ref: str, outcome: str, article_id: int | None = None,
                    duplicate_of: int | None = None, reason_code: str | None = None,
                    message: str | None = None, raw_sha256: str | None = None) -> None:
        """Record one input unit's outcome."""
        self.conn.execute(
            "INSERT INTO outcomes(run_id, ref, outcome, article_id, duplicate_of, reason_code, message, raw_sha256, at)"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            (run_id, ref, outcome, article_id, duplicate_of, reason_code, message, raw_sha256, _now()),
        )

    # -- reads -------------------------------------------------------------------------------
    def get_article(self, article_id: int) -> dict[str, Any] | None:
        """One article as article JSON."""
        row = self.conn.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ?", (article_id,)).fetchone()
        return article_row_json(row) if row else None

    def article_briefs(self, ids: Sequence[int], *, text: bool = False) -> dict[int, dict[str, Any]]:
        """id -> the hit fields (and ``text``) of those of ``ids`` that exist, one statement per 500 ids."""
        cols = ", ".join(HIT_FIELDS + (("text",) if text else ()))
        out: dict[int, dict[str, Any]] = {}
        for chunk in chunks(list(ids)):
            for row in self.conn.execute(f"SELECT {cols} FROM articles WHERE id IN ({marks(len(chunk))})", chunk):
                out[row["id"]] = dict(row)
        return out

    def iter_articles(self, *, batch: int = 1000) -> Iterator[dict[str, Any]]:
        """All articles by id, read in pages so memory stays flat."""
        last = 0
        while True:
            rows = self.conn.execute(
                f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id > ? ORDER BY id LIMIT ?", (last, batch)
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield article_row_json(row)
            last = rows[-1]["id"]

    def iter_rejections(self) -> Iterator[dict[str, Any]]:
        """Rejected inputs with run, reference, reason code and message."""
        for row in self.conn.execute(
            "SELECT run_id, ref, reason_code, message, raw_sha256, at FROM outcomes WHERE outcome = 'rejected' "
            "ORDER BY id"
        ):
            yield dict(row)

    def get_raw(self, sha256: str) -> bytes | None:
        """Raw bytes of a kept input."""
        row = self.conn.execute("SELECT data FROM raw_inputs WHERE sha256 = ?", (sha256,)).fetchone()
        return zlib.decompress(row[0]) if row else None

    def stats(self) -> dict[str, Any]:
        """Counts of articles, sources, languages, raw inputs, runs and rejections."""
        q = self.conn.execute
        articles = q("SELECT count(*) FROM articles").fetchone()[0]
        unique = q("SELECT count(*) FROM articles WHERE duplicate_of IS NULL").fetchone()[0]
        by_source = dict(q("SELECT coalesce(source, '(unknown)'), count(*) FROM articles GROUP BY 1 "
                           "ORDER BY 2 DESC, 1").fetchall())
        by_language = dict(q("SELECT coalesce(language, '(unknown)'), count(*) FROM articles GROUP BY 1 "
                             "ORDER BY 2 DESC").fetchall())
        dated = q("SELECT count(*), "
                  f"{published_at_of('(SELECT min(published_utc) FROM articles)')}, "
                  f"{published_at_of('(SELECT max(published_utc) FROM articles)')} FROM articles "
                  "WHERE published_at IS NOT NULL").fetchone()
        rejections = dict(q("SELECT reason_code, count(*) FROM outcomes WHERE outcome = 'rejected' GROUP BY 1 "
                            "ORDER BY 2 DESC").fetchall())
        raw = q("SELECT count(*), coalesce(sum(size), 0) FROM raw_inputs").fetchone()
        runs = q("SELECT count(*) FROM runs").fetchone()[0]
        updated = q("SELECT count(*) FROM articles WHERE version > 1").fetchone()[0]
        return {
            "db": self.path,
            "schema_version": q("PRAGMA user_version").fetchone()[0],
            "articles": articles,
            "unique_articles": unique,
            "exact_duplicates": articles - unique,
            "updated_articles": updated,
            "with_date": dated[0],
            "date_range": [dated[1], dated[2]],
            "by_source": by_source,
            "by_language": by_language,
            "raw_inputs": raw[0],
            "raw_bytes": raw[1],
            "runs": runs,
            "rejected_inputs": rejections,
        }

    def change_marker(self) -> int:
        """SQLite's ``PRAGMA data_version``: changes whenever another connection commits (not on this one's own
        writes), so a cache built on this connection is stale when it differs."""
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def integrity_check(self) -> str:
        """SQLite's quick_check plus a foreign key check: "ok" or the first problems found."""
        result = self.conn.execute("PRAGMA quick_check").fetchone()[0]
        fk = self.conn.execute("PRAGMA foreign_key_check").fetchall()
        return result if not fk else f"{result}; {len(fk)} foreign key violations"

    # -- entities ------------------------------------------------------------------------------
    def entity_id(self, cid: str) -> int | None:
        """Row id of the canonical entity ``cid``."""
        row = self.conn.execute("SELECT id FROM entities WHERE cid = ?", (cid,)).fetchone()
        return row[0] if row else None

    def create_entity(self, cid: str, type_: str, key: str, *, latin: str | None = None,
                      aliases: list[str] | None = None) -> int:
        """Create a canonical entity (or return the existing one) and register its word-key aliases."""
        self.conn.execute("INSERT OR IGNORE INTO entities(cid, type, key, latin, created_at) VALUES (?,?,?,?,?)",
                          (cid, type_, key, latin, _now()))
        eid = self.entity_id(cid)
        assert eid is not None
        if latin:
            self.conn.execute("UPDATE entities SET latin = coalesce(latin, ?) WHERE id = ?", (latin, eid))
        for alias in aliases or []:
            self.conn.execute("INSERT OR IGNORE INTO entity_aliases(alias, type, entity_id) VALUES (?,?,?)",
                              (alias, type_, eid))
        return eid

    def note_latin(self, entity_id: int, latin: str) -> None:
        """Record a Latin-script form of an entity (the first one seen is kept)."""
        self.conn.execute("UPDATE entities SET latin = coalesce(latin, ?) WHERE id = ?", (latin, entity_id))

    def alias_candidates(self, alias: str, type_: str) -> list[tuple[int, str, int]]:
        """Entities a bare name may belong to: (id, cid, mentions), most mentioned first."""
        rows = self.conn.execute(
            "SELECT e.id, e.cid, coalesce((SELECT sum(mentions) FROM article_entities ae "
            "WHERE ae.entity_id = e.id), 0) AS n FROM entity_aliases a JOIN entities e ON e.id = a.entity_id "
            "WHERE a.alias = ? AND a.type = ? ORDER BY n DESC, e.id", (alias, type_)).fetchall()
        return [(r[0], r[1], r[2]) for r in rows]

    def cooccurring(self, entity_id: int, *, articles: int = 200) -> set[int]:
        """Entities co-mentioned with ``entity_id`` in its most recent articles (its context)."""
        rows = self.conn.execute(
            "SELECT DISTINCT entity_id FROM article_entities WHERE article_id IN (SELECT article_id FROM "
            "article_entities WHERE entity_id = ? ORDER BY article_id DESC LIMIT ?) AND entity_id != ?",
            (entity_id, articles, entity_id)).fetchall()
        return {r[0] for r in rows}

    def add_aliases(self, entity_id: int, type_: str, aliases: list[str]) -> None:
        """Register more aliases of an entity under ``type_`` (known ones are kept)."""
        self.conn.executemany("INSERT OR IGNORE INTO entity_aliases(alias, type, entity_id) VALUES (?,?,?)",
                              [(alias, type_, entity_id) for alias in aliases])

    def replace_article_entities(self, article_id: int, rows: list[tuple[int, str, int]]) -> None:
        """Set an article's (entity_id, form, mentions) rows."""
        self.conn.execute("DELETE FROM article_entities WHERE article_id = ?", (article_id,))
        self.conn.executemany("INSERT INTO article_entities(article_id, entity_id, form, mentions) VALUES (?,?,?,?)",
                              [(article_id, eid, form, n) for eid, form, n in rows])

    def entity_names(self, ids: set[int]) -> dict[int, tuple[str, str]]:
        """id -> (canonical id, display name: the fullest common of its most mentioned forms so far)."""
        out: dict[int, tuple[str, str]] = {}
        for eid in ids:
            row = self.conn.execute("SELECT cid FROM entities WHERE id = ?", (eid,)).fetchone()
            forms = self.conn.execute(
                "SELECT form, sum(mentions) AS n FROM article_entities WHERE entity_id = ? GROUP BY form "
                "ORDER BY n DESC, length(form) DESC, form LIMIT ?", (eid, NAME_FORMS)).fetchall()
            out[eid] = (row[0], entity_display_name([{"form": f, "count": n} for f, n in forms]))
        return out

    def set_article_entities_json(self, article_id: int, mentions: list[dict[str, Any]]) -> None:
        """Store the resolved mentions of an article (canonical ids from the entity table)."""
        self.conn.execute("UPDATE articles SET entities = ? WHERE id = ?",
                          (json.dumps(mentions, ensure_ascii=False), article_id))

    def list_entities(self, *, type_: str | None = None, limit: int | None = None,
                      min_articles: int = 1) -> list[dict[str, Any]]:
        """Canonical entities with their surface forms, types and counts, most mentioned first."""
        sql = ("SELECT e.id, e.cid, e.type, e.latin, sum(ae.mentions) AS mentions, count(DISTINCT ae.article_id) "
               "AS articles FROM entities e JOIN article_entities ae ON ae.entity_id = e.id "
               + ("WHERE e.type = ? " if type_ else "") + "GROUP BY e.id HAVING articles >= ? "
               "ORDER BY mentions DESC, e.id" + (" LIMIT ?" if limit else ""))
        params: list[Any] = [p for p in (type_,) if p] + [min_articles] + ([limit] if limit else [])
        out = []
        for row in self.conn.execute(sql, params).fetchall():
            forms = self.conn.execute(
                "SELECT form, sum(mentions) AS n FROM article_entities WHERE entity_id = ? GROUP BY form "
                "ORDER BY n DESC, length(form) DESC, form", (row["id"],)).fetchall()
            variants = [{"form": f, "count": n} for f, n in forms]
            out.append({"canonical_id": row["cid"], "canonical_name": entity_display_name(variants),
                        "type": row["type"], "latin": row["latin"], "mentions": row["mentions"],
                        "articles": row["articles"], "variants": variants})
        return out

    # -- live sources --------------------------------------------------------------------------
    def upsert_feed(self, url: str, *, title: str | None, source: str | None, language: str | None,
                    interval: float) -> None:
        """Register a feed (keeping its state if known) and refresh its descriptive fields."""
        with self.transaction():
            self.conn.execute(
                "INSERT INTO feeds(url, title, source, language, interval, added_at) VALUES (?,?,?,?,?,?) "
                "ON CONFLICT(url) DO UPDATE SET title = coalesce(excluded.title, title), "
                "source = coalesce(excluded.source, source), language = coalesce(excluded.language, language)",
                (url, title, source, language, interval, _now()),
            )

    def get_feed(self, url: str) -> dict[str, Any] | None:
        """One feed's state."""
        row = self.conn.execute("SELECT * FROM feeds WHERE url = ?", (url,)).fetchone()
        return dict(row) if row else None

    def list_feeds(self) -> list[dict[str, Any]]:
        """All feeds with their state and the number of articles stored from each."""
        rows = self.conn.execute(
            "SELECT f.*, (SELECT count(*) FROM feed_items i WHERE i.feed_url = f.url AND i.status = 'ingested') "
            "AS articles FROM feeds f ORDER BY f.source, f.url"
        ).fetchall()
        return [dict(r) for r in rows]

    def save_feed_state(self, url: str, **fields: Any) -> None:
        """Update columns of a feed's state (names are checked against the table)."""
        allowed = {"etag", "last_modified", "last_polled", "last_success", "next_poll", "error_count",
                   "last_error", "interval", "polls", "not_modified", "items_seen", "items_new", "last_new_items",
                   "title", "language"}
        bad = set(fields) - allowed
        if bad:
            raise ValueError(f"unknown feed state fields: {sorted(bad)}")
        if not fields:
            return
        sets = ", ".join(f"{k} = ?" for k in fields)
        with self.transaction():
            self.conn.execute(f"UPDATE feeds SET {sets} WHERE url = ?", (*fields.values(), url))

    def feed_item_status(self, url_key: str) -> tuple[str, int] | None:
        """(status, attempts) of a feed item URL already handled, or None."""
        row = self.conn.execute("SELECT status, attempts FROM feed_items WHERE url_key = ?", (url_key,)).fetchone()
        return (row[0], row[1]) if row else None

    def mark_feed_item(self, url_key: str, feed_url: str, *, status: str, article_id: int | None = None,
                       error: str | None = None, url: str | None = None) -> None:
        """Remember that a feed item URL was ingested, stored from the feed's text or failed, counting attempts."""
        now = _now()
        self.conn.execute(
            "INSERT INTO feed_items(url_key, feed_url, article_id, status, last_error, first_seen, last_seen, url) "
            "VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(url_key) DO UPDATE SET status = excluded.status, "
            "article_id = coalesce(excluded.article_id, article_id), last_error = excluded.last_error, "
            "attempts = attempts + 1, last_seen = excluded.last_seen, url = coalesce(excluded.url, url)",
            (url_key, feed_url, article_id, status, error, now, now, url),
        )

    def pending_feed_items(self, feed_url: str, *, max_attempts: int) -> list[tuple[str, str, int | None]]:
        """Items of ``feed_url`` stored from the feed's text whose page is to be retried."""
        rows = self.conn.execute(
            "SELECT url_key, url, article_id FROM feed_items WHERE feed_url = ? AND status = 'feed' "
            "AND url IS NOT NULL AND attempts < ? ORDER BY first_seen, url_key", (feed_url, max_attempts)).fetchall()
        return [(r[0], r[1], r[2]) for r in rows]

    def claim_feeds(self, owner: str, urls: Sequence[str], *, seconds: float) -> list[str]:
        """Lease to ``owner`` for ``seconds`` those of ``urls`` that no other watcher holds (or whose lease ran out);
        the feeds leased, in the order given."""
        if not urls:
            return []
        now = utc_now()
        marks = ",".join("?" * len(urls))
        with self.transaction():
            got = {r[0] for r in self.conn.execute(
                f"UPDATE feeds SET lease_owner = ?, lease_until = ? WHERE url IN ({marks}) AND (lease_owner IS NULL "
                "OR lease_owner = ? OR lease_until IS NULL OR lease_until < ?) RETURNING url",
                (owner, to_iso(now + timedelta(seconds=seconds)), *urls, owner, to_iso(now)))}
        return [u for u in urls if u in got]

    def release_feeds(self, owner: str, urls: Sequence[str]) -> None:
        """Give back ``owner``'s leases on ``urls`` (a lease another watcher took over is left alone)."""
        if not urls:
            return
        marks = ",".join("?" * len(urls))
        with self.transaction():
            self.conn.execute(f"UPDATE feeds SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ? "
                              f"AND url IN ({marks})", (owner, *urls))

    def close(self) -> None:
        """Close the connection (checkpointing the WAL)."""
        with suppress(sqlite3.Error):
            self.conn.close()


def _split_sql(script: str) -> list[str]:
    """Statements of a migration script (comments removed first: they may contain ';')."""
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
