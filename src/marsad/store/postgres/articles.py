"""PostgreSQL side of articles: raw inputs, articles with their history, runs and outcomes (``ArticleStore``)."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator, Sequence
from typing import Any

from marsad.models import Article
from marsad.store.postgres.common import ARTICLE_COLUMNS, PgMixin, next_id
from marsad.store.records import StoredArticle
from marsad.store.rows import HIT_FIELDS, article_row_json
from marsad.times import now_iso as _now
from marsad.times import utc_iso


def _enrichment(article: Article) -> tuple[str, str, str | None]:
    return (json.dumps(article.entities, ensure_ascii=False), json.dumps(article.keyphrases, ensure_ascii=False),
            json.dumps(article.category, ensure_ascii=False) if article.category else None)


def _stored(row: dict[str, Any] | None) -> StoredArticle | None:
    return StoredArticle(row["id"], row["content_hash"], row["title"], row["duplicate_of"]) if row else None


class PgArticles(PgMixin):
    """Raw inputs, articles, runs and outcomes (a mixin of ``PostgresStore``)."""

    def put_raw(self, sha256: str, data: bytes, *, kind: str, ref: str, url: str | None,
                media_type: str | None, fetched_at: str | None) -> None:
        """Keep a raw input, zlib-compressed; a second copy of the same bytes is ignored."""
        self._exec(
            "INSERT INTO raw_inputs(sha256, kind, media_type, size, first_ref, url, fetched_at, first_seen, data) "
            "VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT (sha256) DO NOTHING",
            (sha256, kind, media_type, len(data), ref, url, fetched_at, _now(), zlib.compress(data, 1)))

    def find_by_identity(self, identity: str) -> StoredArticle | None:
        """The article stored under ``identity``."""
        return _stored(self._one("SELECT id, content_hash, title, duplicate_of FROM articles WHERE identity = %s",
                                 (identity,)))

    def find_by_content_hash(self, content_hash: str) -> StoredArticle | None:
        """The earliest article with this content hash that is not itself a duplicate."""
        return _stored(self._one("SELECT id, content_hash, title, duplicate_of FROM articles WHERE content_hash = %s "
                                 "ORDER BY duplicate_of IS NOT NULL, id LIMIT 1", (content_hash,)))

    def known_version(self, article_id: int, content_hash: str) -> bool:
        """True when the history of the article holds a version with this content hash."""
        return self._one("SELECT 1 AS x FROM article_history WHERE article_id = %s AND content_hash = %s LIMIT 1",
                         (article_id, content_hash)) is not None

    def insert_article(self, article: Article, *, identity: str, duplicate_of: int | None) -> int:
        """Insert a new article row (indexed for search in the same statement)."""
        now = _now()
        search, head, fields = self._index_sql(article)
        with self._write() as conn:
            row = conn.execute(
                "INSERT INTO articles(id, identity, external_id, url, canonical_url, source, site_name, author, title, "
                "display_title, title_derived, text, published_at, published_utc, updated_at, language, tags, "
                "related_headlines, origin, raw_sha256, content_hash, duplicate_of, created_at, modified_at, entities, "
                f"keyphrases, category, text_source, search, search_head) VALUES ({next_id('articles')}, "
                "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s, "
                f"{search}, {head}) RETURNING id",
                (identity, article.external_id, article.url, article.canonical_url, article.source, article.site_name,
                 article.author, article.title, article.display_title, int(article.title_derived), article.text,
                 article.published_at, utc_iso(article.published_at), article.updated_at, article.language,
                 json.dumps(article.tags, ensure_ascii=False),
                 json.dumps(article.related_headlines, ensure_ascii=False),
                 json.dumps(article.origin, ensure_ascii=False), article.raw_sha256 or None, article.content_hash,
                 duplicate_of, now, now, *_enrichment(article), article.text_source, *fields)).fetchone()
        assert row is not None
        return int(row["id"])

    def update_article(self, article_id: int, article: Article) -> None:
        """Replace the content of an article, moving the old version into ``article_history``."""
        now = _now()
        search, head, fields = self._index_sql(article)
        with self._write() as conn:
            conn.execute(
                "INSERT INTO article_history(article_id, version, title, text, raw_sha256, content_hash, replaced_at) "
                "SELECT id, version, title, text, raw_sha256, content_hash, %s FROM articles WHERE id = %s",
                (now, article_id))
            conn.execute(
                "UPDATE articles SET external_id = coalesce(%s, external_id), url = coalesce(%s, url), "
                "canonical_url = coalesce(%s, canonical_url), source = coalesce(%s, source), "
                "site_name = coalesce(%s, site_name), author = coalesce(%s, author), title = %s, display_title = %s, "
                "title_derived = %s, text = %s, published_at = coalesce(%s, published_at), "
                "published_utc = CASE WHEN %s::text IS NULL THEN published_utc ELSE %s END, updated_at = %s, "
                "language = %s, tags = %s, related_headlines = %s, origin = %s, raw_sha256 = %s, content_hash = %s, "
                "version = version + 1, modified_at = %s, entities = %s, keyphrases = %s, category = %s, "
                f"text_source = %s, search = {search}, search_head = {head} WHERE id = %s",
                (article.external_id, article.url, article.canonical_url, article.source, article.site_name,
                 article.author, article.title, article.display_title, int(article.title_derived), article.text,
                 article.published_at, article.published_at, utc_iso(article.published_at), article.updated_at,
                 article.language, json.dumps(article.tags, ensure_ascii=False),
                 json.dumps(article.related_headlines, ensure_ascii=False),
                 json.dumps(article.origin, ensure_ascii=False), article.raw_sha256 or None, article.content_hash,
                 now, *_enrichment(article), article.text_source, *fields, article_id))

    def start_run(self, args: dict[str, Any]) -> int:
        """Open a run."""
        with self._write() as conn:
            row = conn.execute(f"INSERT INTO runs(id, started_at, args) VALUES ({next_id('runs')}, %s, %s) "
                               "RETURNING id", (_now(), json.dumps(args, ensure_ascii=False))).fetchone()
        assert row is not None
        return int(row["id"])

    def finish_run(self, run_id: int, counts: dict[str, Any], status: str) -> None:
        """Close a run."""
        self._exec("UPDATE runs SET finished_at = %s, status = %s, counts = %s WHERE id = %s",
                   (_now(), status, json.dumps(counts, ensure_ascii=False), run_id))

    def log_outcome(self, run_id: int, *, ref: str, outcome: str, article_id: int | None = None,
                    duplicate_of: int | None = None, reason_code: str | None = None,
                    message: str | None = None, raw_sha256: str | None = None) -> None:
        """Record one input unit's outcome."""
        self._exec(
            "INSERT INTO outcomes(id, run_id, ref, outcome, article_id, duplicate_of, reason_code, message, "
            f"raw_sha256, at) VALUES ({next_id('outcomes')}, %s,%s,%s,%s,%s,%s,%s,%s,%s)",
            (run_id, ref, outcome, article_id, duplicate_of, reason_code, message, raw_sha256, _now()))

    def get_article(self, article_id: int) -> dict[str, Any] | None:
        """One article as article JSON."""
        row = self._one(f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE id = %s", (article_id,))
        return article_row_json(row) if row else None

    def article_briefs(self, ids: Sequence[int], *, text: bool = False) -> dict[int, dict[str, Any]]:
        """id -> the hit fields (and ``text``) of those of ``ids`` that exist, in one statement."""
        if not ids:
            return {}
        cols = ", ".join(HIT_FIELDS + (("text",) if text else ()))
        rows = self._all(f"SELECT {cols} FROM articles WHERE id = ANY(%s)", ([int(i) for i in ids],))
        return {r["id"]: r for r in rows}

    def iter_articles(self, *, batch: int = 1000) -> Iterator[dict[str, Any]]:
        """All articles by id, read in pages (no connection is held between them)."""
        last = 0
        while True:
            rows = self._all(f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE id > %s ORDER BY id LIMIT %s",
                             (last, batch))
            if not rows:
                return
            for row in rows:
                yield article_row_json(row)
            last = rows[-1]["id"]

    def iter_rejections(self) -> Iterator[dict[str, Any]]:
        """Rejected inputs with run, reference, reason code and message."""
        yield from self._all("SELECT run_id, ref, reason_code, message, raw_sha256, at FROM outcomes "
                             "WHERE outcome = 'rejected' ORDER BY id")

    def get_raw(self, sha256: str) -> bytes | None:
        """Raw bytes of a kept input."""
        data = self._value("SELECT data FROM raw_inputs WHERE sha256 = %s", (sha256,))
        return zlib.decompress(data) if data is not None else None
