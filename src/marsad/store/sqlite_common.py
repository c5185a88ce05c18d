"""What every part of the SQLite store shares: the mixin base, the clock, row -> JSON, the filter clause.

Each ``sqlite_*`` mixin imports from here and from nowhere else in the store, so no mixin reaches into
another's private helpers.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, TypeVar

from marsad.models import SearchFilters
from marsad.store.rows import filter_sql as neutral_filter_sql

T = TypeVar("T")

STORY_COLUMNS = ("id, headline, summary, central_article, first_seen, last_updated, size, outlets, entities, "
                 "keyphrases, timeline, merged_into, status, modified_at")
"""Columns of a story row (``story_row_json`` reads them by name)."""


class SQLiteMixin:
    """What a mixin of ``SQLiteStore`` may use: the connection (Row factory), the path and transactions."""

    conn: sqlite3.Connection
    path: str
    _in_tx: bool
    if TYPE_CHECKING:
        def transaction(self) -> AbstractContextManager[None]: ...


def filter_sql(filters: SearchFilters) -> tuple[list[str], list[Any]]:
    """WHERE conditions over ``articles a`` for ``filters`` in SQLite's dialect (``marsad.store.rows.filter_sql``)."""
    return neutral_filter_sql(filters, mark="?", category_label="json_extract(a.category, '$.label')",
                              any_of=lambda values: (f"a.source IN ({marks(len(values))})", list(values)))


def chunks(items: Sequence[T], size: int = 500) -> list[Sequence[T]]:
    """``items`` in slices of at most ``size`` (SQLite limits the parameters of one statement)."""
    return [items[i:i + size] for i in range(0, len(items), size)]


def marks(n: int) -> str:
    """``?,?,...`` for ``n`` parameters."""
    return ",".join("?" * n)
