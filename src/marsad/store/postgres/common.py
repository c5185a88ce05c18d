"""What every part of the PostgreSQL store shares: the mixin base, row -> JSON, the filter clause.

Each mixin module imports from here and from nowhere else in ``marsad.store.postgres``. Rows come back as dicts
(psycopg's ``dict_row``); statements use ``%s`` parameters only.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from psycopg import Connection
from psycopg.types.string import StrDumperUnknown

from marsad.models import SearchFilters
from marsad.store.rows import filter_sql as neutral_filter_sql

if TYPE_CHECKING:
    from marsad.models import Article

Conn = Connection[dict[str, Any]]
"""A connection whose rows are dicts (``psycopg.rows.dict_row``)."""

class NulFreeStr(StrDumperUnknown):
    """Strings as psycopg sends them, with NUL (which a PostgreSQL ``text`` cannot hold, SQLite can) replaced by
    U+FFFD, so an input holding ``\\u0000`` is stored instead of failing its whole batch."""

    def dump(self, obj: str) -> bytes:
        return super().dump(obj.replace("\x00", "\ufffd") if "\x00" in obj else obj)  # type: ignore[return-value]


def id_batches(conn: Conn, columns: str, where: str = "TRUE", batch: int = 5000) -> Iterator[list[dict[str, Any]]]:
    """``articles`` rows (``id`` and ``columns``) matching ``where``, ``batch`` at a time in id order (keyset: each
    batch starts after the last id of the one before, so rows updated meanwhile are never read twice)."""
    last = 0
    while True:
        rows = conn.execute(f"SELECT id, {columns} FROM articles WHERE id > %s AND ({where}) ORDER BY id LIMIT %s",
                            (last, batch)).fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1]["id"]


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
    "canonical_reason, text_source"
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

        def _index_sql(self, article: Article) -> tuple[str, str, list[str]]: ...

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


CATEGORY_LABEL = "(a.category::jsonb ->> 'label')"
"""The category label of ``articles a`` (SQLite: ``json_extract(a.category, '$.label')``)."""


def filter_sql(filters: SearchFilters) -> tuple[list[str], list[Any]]:
    """WHERE conditions over ``articles a`` for ``filters`` in PostgreSQL's dialect
    (``marsad.store.rows.filter_sql``)."""
    return neutral_filter_sql(filters, mark="%s", category_label=CATEGORY_LABEL,
                              any_of=lambda values: ("a.source = ANY(%s)", [list(values)]))


def batches(items: Sequence[Any], size: int = 10_000) -> Iterator[list[Any]]:
    """``items`` as lists of at most ``size`` (one array parameter each)."""
    for i in range(0, len(items), size):
        yield list(items[i:i + size])
