"""PostgreSQL side of semantic search: read the stored article embeddings (``VectorStore``).

A PostgreSQL store has no file of its own, so ``sidecar_path`` is None: ``marsad.query.vectors`` then keeps the
vector index it derives from these embeddings in memory, per store object (rebuilt when a process opens the store,
brought up to date as articles arrive).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from marsad.models import SearchFilters
from marsad.store.postgres.common import PgMixin, filter_sql

EMBEDDER_SAMPLE = 5000


def _matrix(rows: list[dict[str, object]]) -> tuple[np.ndarray, np.ndarray]:
    ids = np.fromiter((int(r["article_id"]) for r in rows), dtype=np.int64, count=len(rows))  # type: ignore[call-overload]
    blob = b"".join(bytes(r["embedding"]) for r in rows)  # type: ignore[call-overload]
    return ids, np.frombuffer(blob, dtype=np.float16).reshape(len(rows), -1)


class PgVectors(PgMixin):
    """Stored embeddings and filtered ids for the vector index (a mixin of ``PostgresStore``)."""

    def sidecar_path(self, suffix: str) -> Path | None:
        """None: a database server has no folder of the store's (the vector index stays in memory)."""
        return None

    def embedder_counts(self, *, sample: int | None = EMBEDDER_SAMPLE) -> dict[str, int]:
        """Embedded articles per embedder name, most first; over the latest ``sample`` feature rows (None: all)."""
        sql = "SELECT embedder FROM article_features WHERE embedding IS NOT NULL AND embedder IS NOT NULL"
        rows = self._all(sql + (" ORDER BY article_id DESC LIMIT %s" if sample else ""), (sample,) if sample else ())
        return dict(Counter(r["embedder"] for r in rows).most_common())

    def max_features_id(self) -> int:
        """The highest article id with a features row (0 when none)."""
        return int(self._value("SELECT coalesce(max(article_id), 0) FROM article_features") or 0)

    def iter_embeddings(self, embedder: str, *, after_id: int = 0, duplicates: bool | None = False,
                        batch: int = 20000) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(ids int64, float16 matrix) batches of the articles embedded by ``embedder``, in id order, with
        id > ``after_id``; ``duplicates``: False leaves copies out, True gives only copies, None gives both."""
        where = "f.embedder = %s AND f.embedding IS NOT NULL AND f.article_id > %s"
        if duplicates is not None:
            where += " AND a.duplicate_of IS " + ("NOT NULL" if duplicates else "NULL")
        last = after_id
        while rows := self._all("SELECT f.article_id, f.embedding FROM article_features f JOIN articles a "
                                f"ON a.id = f.article_id WHERE {where} ORDER BY f.article_id LIMIT %s",
                                (embedder, last, batch)):
            yield _matrix(rows)
            last = int(rows[-1]["article_id"])

    def filter_article_ids(self, ids: list[int], filters: SearchFilters) -> set[int]:
        """Those of ``ids`` that pass ``filters`` (duplicates are left out unless the filters include them)."""
        if not ids:
            return set()
        where, params = filter_sql(filters)
        sql = "SELECT a.id FROM articles a WHERE a.id = ANY(%s)" + "".join(f" AND {w}" for w in where)
        return {r["id"] for r in self._all(sql, [list(ids), *params])}

    def filtered_article_ids(self, filters: SearchFilters, *, limit: int | None) -> list[int] | None:
        """Ids of every article passing ``filters``, or None when there are more than ``limit`` of them."""
        where, params = filter_sql(filters)
        sql = "SELECT a.id FROM articles a" + (" WHERE " + " AND ".join(where) if where else "")
        if limit is not None:
            sql += f" LIMIT {int(limit) + 1}"
        ids = [r["id"] for r in self._all(sql, params)]
        return None if limit is not None and len(ids) > limit else ids

    def embeddings_of(self, ids: list[int], embedder: str) -> tuple[np.ndarray, np.ndarray]:
        """(ids, float16 matrix) of those of ``ids`` embedded by ``embedder``."""
        found = self._all("SELECT article_id, embedding FROM article_features WHERE article_id = ANY(%s) "
                          "AND embedder = %s AND embedding IS NOT NULL ORDER BY article_id", (list(ids), embedder))
        if not found:
            return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float16)
        return _matrix(found)
