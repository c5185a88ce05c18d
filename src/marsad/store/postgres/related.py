"""PostgreSQL side of related articles: the handful of indexed reads they score (``RelatedReads``).

The same reads as ``marsad.store.sqlite_related`` through the same indexes (schema v6); id lists travel as one
array parameter (``= ANY(%s)``), so there is no limit of parameters per statement to chunk around.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

import numpy as np

from marsad.store.postgres.common import PgMixin, batches
from marsad.store.records import EntityMentions, RelatedRow


def _phrases(keyphrases: str | None) -> tuple[str, ...]:
    """Keyphrases as written, in stored order (SQLite: ``json_each`` + ``group_concat``, empty ones dropped)."""
    out = []
    for item in json.loads(keyphrases or "[]"):
        phrase = item.get("phrase") if isinstance(item, dict) else None
        if phrase:
            out.append(str(phrase))
    return tuple(out)


def _category(category: str | None) -> tuple[str | None, float | None]:
    value = json.loads(category) if category else None
    if not isinstance(value, dict):
        return None, None
    return value.get("label"), value.get("confidence")


class PgRelated(PgMixin):
    """Related articles' reads (a mixin of ``PostgresStore``)."""

    def related_rows(self, ids: Sequence[int]) -> list[RelatedRow]:
        """The articles of ``ids`` that exist, with section, keyphrases and features (no embedding)."""
        out: list[RelatedRow] = []
        for chunk in batches(ids):
            for r in self._all(
                    "SELECT a.id, coalesce(nullif(a.display_title, ''), a.title) AS title, a.source, a.published_at, "
                    "a.url, a.story_id, a.duplicate_of, a.category, a.keyphrases, f.embedder, f.terms FROM articles a "
                    "LEFT JOIN article_features f ON f.article_id = a.id WHERE a.id = ANY(%s)", (chunk,)):
                section, conf = _category(r["category"])
                out.append(RelatedRow(
                    id=r["id"], title=r["title"] or "", source=r["source"], published_at=r["published_at"],
                    url=r["url"], story_id=r["story_id"], duplicate_of=r["duplicate_of"], section=section,
                    section_conf=conf, phrases=_phrases(r["keyphrases"]), embedder=r["embedder"], terms=r["terms"]))
        return out

    def article_embeddings(self, ids: Sequence[int]) -> dict[int, np.ndarray]:
        """article id -> its stored float16 embedding, for those of ``ids`` that have one (any embedder)."""
        out: dict[int, np.ndarray] = {}
        for chunk in batches(ids):
            for r in self._all("SELECT article_id, embedding FROM article_features WHERE article_id = ANY(%s) "
                               "AND embedding IS NOT NULL", (chunk,)):
                out[r["article_id"]] = np.frombuffer(bytes(r["embedding"]), dtype=np.float16)
        return out

    def canonical_embedder(self, article_id: int) -> str | None:
        """The embedder of the article's canonical (itself unless it is a copy), or None when not embedded."""
        row = self._one("SELECT f.embedder FROM articles a LEFT JOIN article_features f "
                        "ON f.article_id = coalesce(a.duplicate_of, a.id) WHERE a.id = %s", (article_id,))
        return (row["embedder"] or None) if row else None

    def entity_mentions(self, ids: Sequence[int]) -> list[EntityMentions]:
        """Every (article, entity) of the articles ``ids``: mentions summed over its forms, and the forms."""
        out: list[EntityMentions] = []
        for chunk in batches(ids):
            for r in self._all("SELECT article_id, entity_id, sum(mentions) AS n, array_agg(form) AS forms "
                               "FROM article_entities WHERE article_id = ANY(%s) GROUP BY article_id, entity_id",
                               (chunk,)):
                out.append(EntityMentions(r["article_id"], r["entity_id"], int(r["n"]), tuple(r["forms"])))
        return out

    def entity_ids(self, cids: Iterable[str]) -> set[int]:
        """Row ids of those of the canonical entities ``cids`` (``TYPE:key``) that exist."""
        keys = list(cids)
        if not keys:
            return set()
        return {r["id"] for r in self._all("SELECT id FROM entities WHERE cid = ANY(%s)", (keys,))}

    def entity_keys(self, entity_ids: Sequence[int]) -> set[str]:
        """The name keys (``TYPE:key`` without the type) of entities."""
        if not entity_ids:
            return set()
        return {r["key"] for r in self._all("SELECT key FROM entities WHERE id = ANY(%s)", (list(entity_ids),))}

    def entity_document_frequency(self, entity_id: int, cap: int) -> int:
        """Articles-with-forms rows naming the entity, counted up to ``cap``."""
        return int(self._value("SELECT count(*) FROM (SELECT 1 FROM article_entities WHERE entity_id = %s LIMIT %s) s",
                               (entity_id, cap)) or 0)

    def approx_article_count(self) -> int:
        """About how many articles there are, without a scan (the largest id)."""
        return int(self._value("SELECT coalesce(max(id), 0) FROM articles") or 0)

    def entity_postings(self, entity_id: int, anchor: int, limit: int) -> list[int]:
        """Articles naming the entity nearest the article ``anchor`` in id order: half before it, nearest first,
        then half after it, nearest first (from the ``article_entities_postings`` index)."""
        half = max(1, limit // 2)
        before = self._all("SELECT article_id FROM article_entities WHERE entity_id = %s AND article_id < %s "
                           "ORDER BY article_id DESC LIMIT %s", (entity_id, anchor, half))
        after = self._all("SELECT article_id FROM article_entities WHERE entity_id = %s AND article_id > %s "
                          "ORDER BY article_id LIMIT %s", (entity_id, anchor, half))
        return [r["article_id"] for r in before + after]

    def story_member_ids(self, story_id: int, limit: int) -> list[int]:
        """Ids of at most ``limit`` articles of a story (every copy included)."""
        return [r["id"] for r in self._all("SELECT id FROM articles WHERE story_id = %s LIMIT %s", (story_id, limit))]

    def copies_of(self, canonical_ids: Sequence[int]) -> dict[int, list[int]]:
        """canonical id -> ids of its copies, in id order (canonicals without copies left out)."""
        out: dict[int, list[int]] = {}
        for chunk in batches(canonical_ids):
            for r in self._all("SELECT duplicate_of, id FROM articles WHERE duplicate_of = ANY(%s) ORDER BY id",
                               (chunk,)):
                out.setdefault(r["duplicate_of"], []).append(r["id"])
        return out

    def entity_recent_forms(self, entity_ids: Sequence[int], *, recent: int = 200,
                            top: int = 5) -> dict[int, list[str]]:
        """entity id -> its ``top`` surface forms by mentions over its latest ``recent`` rows, most mentioned first,
        then the longer, then by spelling."""
        out: dict[int, list[str]] = {}
        for eid in entity_ids:
            out[eid] = [r["form"] for r in self._all(
                "SELECT form FROM (SELECT form, mentions FROM article_entities WHERE entity_id = %s "
                "ORDER BY article_id DESC LIMIT %s) s GROUP BY form ORDER BY sum(mentions) DESC, length(form) DESC, "
                "form LIMIT %s", (eid, recent, top))]
        return out
