"""SQLite side of semantic search (mixed into ``SQLiteStore``): read the stored article embeddings.

The embeddings are the float16 rows of ``article_features`` (one embedder per row); the vector index
itself (``marsad.query.vectors``) lives beside the database file and is built from what these methods read.
Filters are the lexical search's (``sqlite_common.filter_sql``), so both modes keep the same articles.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from marsad.models import SearchFilters
from marsad.store.sqlite_common import SQLiteMixin, filter_sql

EMBEDDER_SAMPLE = 5000
"""The default embedder is the most common one among the latest ``EMBEDDER_SAMPLE`` feature rows: a full
count reads every embedding (gigabytes at a million articles)."""


class SQLiteVectors(SQLiteMixin):
    """Stored embeddings and filtered ids for the vector index (a mixin of ``SQLiteStore``)."""

    def sidecar_path(self, suffix: str) -> Path | None:
        """``<db><suffix>`` beside the database file, or None for an in-memory store."""
        return None if self.path == ":memory:" else Path(self.path + suffix)

    def embedder_counts(self, *, sample: int | None = EMBEDDER_SAMPLE) -> dict[str, int]:
        """Embedded articles per embedder name, most first; over the latest ``sample`` feature rows (None: all)."""
        sql = "SELECT embedder FROM article_features WHERE embedding IS NOT NULL AND embedder IS NOT NULL"
        rows = self.conn.execute(sql + (" ORDER BY article_id DESC LIMIT ?" if sample else ""),
                                 (sample,) if sample else ()).fetchall()
        return dict(Counter(r[0] for r in rows).most_common())

    def max_features_id(self) -> int:
        """The highest article id with a features row (0 when none): what the vector index has caught up to."""
        return int(self.conn.execute("SELECT coalesce(max(article_id), 0) FROM article_features").fetchone()[0])

    def iter_embeddings(self, embedder: str, *, after_id: int = 0, duplicates: bool | None = False,
                        batch: int = 20000) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(ids int64, float16 matrix) batches of the articles embedded by ``embedder``, in id order, with
        id > ``after_id``; ``duplicates``: False leaves copies out, True gives only copies, None gives both."""
        where = "f.embedder = ? AND f.embedding IS NOT NULL AND f.article_id > ?"
        if duplicates is not None:
            where += " AND a.duplicate_of IS " + ("NOT NULL" if duplicates else "NULL")
        cur = self.conn.execute("SELECT f.article_id, f.embedding FROM article_features f JOIN articles a "
                                f"ON a.id = f.article_id WHERE {where} ORDER BY f.article_id", (embedder, after_id))
        while rows := cur.fetchmany(batch):
            ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
            yield ids, np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float16).reshape(len(rows), -1)

    def filter_article_ids(self, ids: list[int], filters: SearchFilters) -> set[int]:
        """Those of ``ids`` that pass ``filters`` (duplicates are left out unless the filters include them)."""
        if not ids:
            return set()
        where, params = filter_sql(filters)
        sql = ("SELECT a.id FROM articles a WHERE a.id IN (SELECT value FROM json_each(?))"
               + "".join(f" AND {w}" for w in where))
        return {r[0] for r in self.conn.execute(sql, [json.dumps(ids), *params])}

    def filtered_article_ids(self, filters: SearchFilters, *, limit: int | None) -> list[int] | None:
        """Ids of every article passing ``filters``, or None when there are more than ``limit`` of them."""
        where, params = filter_sql(filters)
        sql = "SELECT a.id FROM articles a" + (" WHERE " + " AND ".join(where) if where else "")
        if limit is not None:
            sql += f" LIMIT {int(limit) + 1}"
        ids = [r[0] for r in self.conn.execute(sql, params)]
        return None if limit is not None and len(ids) > limit else ids

    def embeddings_of(self, ids: list[int], embedder: str) -> tuple[np.ndarray, np.ndarray]:
        """(ids, float16 matrix) of those of ``ids`` embedded by ``embedder``."""
        found = self.conn.execute(
            "SELECT article_id, embedding FROM article_features WHERE article_id IN (SELECT value FROM json_each(?)) "
            "AND embedder = ? AND embedding IS NOT NULL ORDER BY article_id", (json.dumps(ids), embedder)).fetchall()
        if not found:
            return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float16)
        return (np.array([r[0] for r in found], dtype=np.int64),
                np.frombuffer(b"".join(r[1] for r in found), dtype=np.float16).reshape(len(found), -1))
