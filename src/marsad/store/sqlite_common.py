"""What every part of the SQLite store shares: the mixin base, the clock, row -> JSON, the filter clause.

Each ``sqlite_*`` mixin imports from here and from nowhere else in the store, so no mixin reaches into
another's private helpers.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, TypeVar

from marsad.models import SearchFilters

T = TypeVar("T")

STORY_COLUMNS = ("id, headline, summary, central_article, first_seen, last_updated, size, outlets, entities, "
                 "keyphrases, timeline, merged_into, status, modified_at")
"""Columns of a story row (``story_row_json`` reads them by name)."""


class SQLiteMixin:
    """What a mixin of ``SQLiteStore`` may use: the connection (Row factory), the path and transactions."""

    conn: sqlite3.Connection
    path: str
    if TYPE_CHECKING:
        def transaction(self) -> AbstractContextManager[None]: ...


def article_row_json(row: sqlite3.Row) -> dict[str, Any]:
    """An ``articles`` row as article JSON (JSON columns decoded, ``title_derived`` a bool)."""
    d = dict(row)
    for key in ("tags", "related_headlines", "origin", "entities", "keyphrases"):
        d[key] = json.loads(d[key]) if d.get(key) else ([] if key != "origin" else {})
    if "category" in d:
        d["category"] = json.loads(d["category"]) if d["category"] else None
    d["title_derived"] = bool(d.get("title_derived"))
    return d


def story_row_json(row: sqlite3.Row) -> dict[str, Any]:
    """A ``stories`` row as story JSON (JSON columns decoded)."""
    d = dict(row)
    for key in ("outlets", "entities", "keyphrases", "timeline"):
        d[key] = json.loads(d[key]) if d.get(key) else []
    return d


def filter_sql(filters: SearchFilters) -> tuple[list[str], list[Any]]:
    """WHERE conditions over ``articles a`` (and their parameters) for ``filters``: lexical search, vectors
    and the reader keep the same articles."""
    where: list[str] = []
    params: list[Any] = []
    if not filters.include_duplicates:
        where.append("a.duplicate_of IS NULL")
    if filters.sources:
        where.append(f"a.source IN ({', '.join('?' * len(filters.sources))})")
        params.extend(filters.sources)
    if filters.since:
        where.append("a.published_at >= ?")
        params.append(filters.since)
    if filters.until:
        where.append("substr(a.published_at, 1, ?) <= ?")
        params.extend([len(filters.until), filters.until])
    if filters.category:
        where.append("json_extract(a.category, '$.label') = ?")
        params.append(filters.category)
    if filters.story_id is not None:
        where.append("a.story_id = ?")
        params.append(filters.story_id)
    if filters.entity is not None:
        entity = filters.entity
        if isinstance(entity, int) or entity.isdigit():
            where.append("a.id IN (SELECT article_id FROM article_entities WHERE entity_id = ?)")
            params.append(int(entity))
        else:
            where.append("a.id IN (SELECT ae.article_id FROM article_entities ae JOIN entities e "
                         "ON e.id = ae.entity_id WHERE e.cid = ?)")
            params.append(entity)
    return where, params


def chunks(items: Sequence[T], size: int = 500) -> list[Sequence[T]]:
    """``items`` in slices of at most ``size`` (SQLite limits the parameters of one statement)."""
    return [items[i:i + size] for i in range(0, len(items), size)]


def marks(n: int) -> str:
    """``?,?,...`` for ``n`` parameters."""
    return ",".join("?" * n)
