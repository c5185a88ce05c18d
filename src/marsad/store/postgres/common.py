"""What every part of the PostgreSQL store shares: the mixin base, row -> JSON, the filter clause.

Each mixin module imports from here and from nowhere else in ``marsad.store.postgres``. Rows come back as dicts
(psycopg's ``dict_row``); statements use ``%s`` parameters only.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from psycopg import Connection
from psycopg.types.string import StrDumperUnknown

from marsad.models import SearchFilters

if TYPE_CHECKING:
    from marsad.models import Article

Conn = Connection[dict[str, Any]]
"""A connection whose rows are dicts (``psycopg.rows.dict_row``)."""

class NulFreeStr(StrDumperUnknown):
    """Strings as psycopg sends them, with NUL (which a PostgreSQL ``text`` cannot hold, SQLite can) replaced by
    U+FFFD, so an input holding ``\\u0000`` is stored instead of failing its whole batch."""

    def dump(self, obj: str) -> bytes:
        return super().dump(obj.replace("\x00", "\ufffd") if "\x00" in obj else obj)  # type: ignore[return-value]


def configure(conn: Conn) -> None:
    """Set up a new connection (pooled or not): the NUL-free string dumper."""
    conn.adapters.register_dumper(str, NulFreeStr)


STORY_COLUMNS = ("id, headline, summary, central_article, first_seen, last_updated, size, outlets, entities, "
                 "keyphrases, timeline, merged_into, status, modified_at")
"""Columns of a story row (``story_row_json`` reads them by name)."""

ARTICLE_COLUMNS = (
    "id, external_id, url, canonical_url, source, site_name, author, title, display_title, title_derived, "
    "text, published_at, updated_at, language, tags, related_headlines, origin, raw_sha256, content_hash, "
    "duplicate_of, version, created_at, modified_at, entities, keyphrases, category, story_id, duplicate_reason, "
    "canonical_reason"
)
"""The columns of article JSON, in SQLite's order (the search vector is not one of them)."""


class PgMixin:
    """What a mixin of ``PostgresStore`` may use: connections (the batch's inside ``transaction()``), the
    store's name, transactions."""

    where: str
    if TYPE_CHECKING:
        def transaction(self) -> AbstractContextManager[None]: ...

        def _read(self) -> AbstractContextManager[Conn]: ...

        def _write(self) -> AbstractContextManager[Conn]: ...

        def _index_sql(self, article: Article) -> tuple[str, list[str]]: ...

    def _all(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        """Every row of a read."""
        with self._read() as conn:
            return conn.execute(sql, params).fetchall()

    def _one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> dict[str, Any] | None:
        """The first row of a read, or None."""
        with self._read() as conn:
            return conn.execute(sql, params).fetchone()

    def _value(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        """The first column of the first row of a read (None when there is no row)."""
        row = self._one(sql, params)
        return next(iter(row.values())) if row else None

    def _exec(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> None:
        """Run a write inside the current batch (or a batch of its own)."""
        with self._write() as conn:
            conn.execute(sql, params)


def next_id(table: str) -> str:
    """SQL for the next id of ``table``: ``max(id) + 1``, SQLite's rowid rule (writers are serialized)."""
    return f"(SELECT coalesce(max(id), 0) + 1 FROM {table})"


def article_row_json(row: dict[str, Any]) -> dict[str, Any]:
    """An ``articles`` row as article JSON (JSON columns decoded, ``title_derived`` a bool), as SQLite gives it."""
    d = dict(row)
    for key in ("tags", "related_headlines", "origin", "entities", "keyphrases"):
        d[key] = json.loads(d[key]) if d.get(key) else ([] if key != "origin" else {})
    if "category" in d:
        d["category"] = json.loads(d["category"]) if d["category"] else None
    d["title_derived"] = bool(d.get("title_derived"))
    return d


def story_row_json(row: dict[str, Any]) -> dict[str, Any]:
    """A ``stories`` row as story JSON (JSON columns decoded)."""
    d = dict(row)
    for key in ("outlets", "entities", "keyphrases", "timeline"):
        d[key] = json.loads(d[key]) if d.get(key) else []
    return d


CATEGORY_LABEL = "(a.category::jsonb ->> 'label')"
"""The category label of ``articles a`` (SQLite: ``json_extract(a.category, '$.label')``)."""


def filter_sql(filters: SearchFilters) -> tuple[list[str], list[Any]]:
    """WHERE conditions over ``articles a`` (and their parameters) for ``filters``: the same semantics as
    ``marsad.store.sqlite_common.filter_sql``, so both backends keep the same articles."""
    where: list[str] = []
    params: list[Any] = []
    if not filters.include_duplicates:
        where.append("a.duplicate_of IS NULL")
    if filters.sources:
        where.append("a.source = ANY(%s)")
        params.append(list(filters.sources))
    if filters.since:
        where.append("a.published_at >= %s")
        params.append(filters.since)
    if filters.until:
        where.append("substr(a.published_at, 1, %s) <= %s")
        params.extend([len(filters.until), filters.until])
    if filters.category:
        where.append(f"{CATEGORY_LABEL} = %s")
        params.append(filters.category)
    if filters.story_id is not None:
        where.append("a.story_id = %s")
        params.append(filters.story_id)
    if filters.entity is not None:
        entity = filters.entity
        if isinstance(entity, int) or entity.isdigit():
            where.append("a.id IN (SELECT article_id FROM article_entities WHERE entity_id = %s)")
            params.append(int(entity))
        else:
            where.append("a.id IN (SELECT ae.article_id FROM article_entities ae JOIN entities e "
                         "ON e.id = ae.entity_id WHERE e.cid = %s)")
            params.append(entity)
    return where, params


def batches(items: Sequence[Any], size: int = 10_000) -> Iterator[list[Any]]:
    """``items`` as lists of at most ``size`` (one array parameter each)."""
    for i in range(0, len(items), size):
        yield list(items[i:i + size])
