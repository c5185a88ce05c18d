"""SQLite side of related articles (mixed into ``SQLiteStore``): the handful of indexed reads they need.

Every read goes through an index: candidates' rows by id, postings nearest an article through
``article_entities_postings``, an article's entities through ``article_entities_article`` (schema v6),
story members through ``articles_story``, copies through ``articles_duplicate_of``. The scoring stays in
``marsad.query.related``; rows come back as ``RelatedRow`` / ``EntityMentions``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from marsad.store.records import EntityMentions, RelatedRow
from marsad.store.sqlite_common import SQLiteMixin, chunks, marks

_RELATED_COLUMNS = (
    "a.id, coalesce(nullif(a.display_title, ''), a.title) AS title, a.source, a.published_at, a.url, a.story_id, "
    "a.duplicate_of, json_extract(a.category, '$.label') AS section, "
    "json_extract(a.category, '$.confidence') AS section_conf, (SELECT group_concat("
    "json_extract(value, '$.phrase'), char(31)) FROM json_each(a.keyphrases)) AS phrases, f.embedder, f.terms")
_SEP = "\x1f"      # char(31): joins the values of a group_concat


class SQLiteRelated(SQLiteMixin):
    """Related articles' reads (a mixin of ``SQLiteStore``)."""

    def related_rows(self, ids: Sequence[int]) -> list[RelatedRow]:
        """The articles of ``ids`` that exist, with section, keyphrases and features (no embedding)."""
        out: list[RelatedRow] = []
        for chunk in chunks(ids):
            for r in self.conn.execute(
                    f"SELECT {_RELATED_COLUMNS} FROM articles a LEFT JOIN article_features f ON f.article_id = a.id "
                    f"WHERE a.id IN ({marks(len(chunk))})", list(chunk)):
                out.append(RelatedRow(
                    id=r["id"], title=r["title"] or "", source=r["source"], published_at=r["published_at"],
                    url=r["url"], story_id=r["story_id"], duplicate_of=r["duplicate_of"], section=r["section"],
                    section_conf=r["section_conf"], phrases=tuple(p for p in (r["phrases"] or "").split(_SEP) if p),
                    embedder=r["embedder"], terms=r["terms"]))
        return out

    def article_embeddings(self, ids: Sequence[int]) -> dict[int, np.ndarray]:
        """article id -> its stored float16 embedding, for those of ``ids`` that have one (any embedder)."""
        out: dict[int, np.ndarray] = {}
        for chunk in chunks(ids):
            for aid, blob in self.conn.execute(
                    f"SELECT article_id, embedding FROM article_features WHERE article_id IN ({marks(len(chunk))}) "
                    "AND embedding IS NOT NULL", list(chunk)):
                out[aid] = np.frombuffer(blob, dtype=np.float16)
        return out

    def canonical_embedder(self, article_id: int) -> str | None:
        """The embedder of the article's canonical (itself unless it is a copy), or None when not embedded."""
        row = self.conn.execute("SELECT f.embedder FROM articles a LEFT JOIN article_features f "
                                "ON f.article_id = coalesce(a.duplicate_of, a.id) WHERE a.id = ?",
                                (article_id,)).fetchone()
        return (row[0] or None) if row else None

    def entity_mentions(self, ids: Sequence[int]) -> list[EntityMentions]:
        """Every (article, entity) of the articles ``ids``: mentions summed over its forms, and the forms."""
        out: list[EntityMentions] = []
        for chunk in chunks(ids):
            for aid, eid, n, forms in self.conn.execute(
                    "SELECT article_id, entity_id, sum(mentions), group_concat(form, char(31)) FROM article_entities "
                    f"WHERE article_id IN ({marks(len(chunk))}) GROUP BY article_id, entity_id", list(chunk)):
                out.append(EntityMentions(aid, eid, int(n), tuple(forms.split(_SEP))))
        return out

    def entity_ids(self, cids: Iterable[str]) -> set[int]:
        """Row ids of those of the canonical entities ``cids`` (``TYPE:key``) that exist."""
        keys = list(cids)
        if not keys:
            return set()
        return {r[0] for r in self.conn.execute(f"SELECT id FROM entities WHERE cid IN ({marks(len(keys))})", keys)}

    def entity_keys(self, entity_ids: Sequence[int]) -> set[str]:
        """The name keys (``TYPE:key`` without the type) of entities."""
        if not entity_ids:
            return set()
        return {r[0] for r in self.conn.execute(
            f"SELECT key FROM entities WHERE id IN ({marks(len(entity_ids))})", list(entity_ids))}

    def entity_document_frequency(self, entity_id: int, cap: int) -> int:
        """Articles-with-forms rows naming the entity, counted up to ``cap`` (beyond it an entity is common)."""
        return int(self.conn.execute("SELECT count(*) FROM (SELECT 1 FROM article_entities WHERE entity_id = ? "
                                     "LIMIT ?)", (entity_id, cap)).fetchone()[0])

    def approx_article_count(self) -> int:
        """About how many articles there are, without a scan (the largest id)."""
        return int(self.conn.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0])

    def entity_postings(self, entity_id: int, anchor: int, limit: int) -> list[int]:
        """Articles naming the entity, the ``limit`` nearest to the article ``anchor`` in id (insertion) order:
        half before it, nearest first, then half after it, nearest first (rows, so an article may repeat);
        read from the index ``article_entities_postings`` alone, no table row per posting."""
        half = max(1, limit // 2)
        before = self.conn.execute("SELECT article_id FROM article_entities WHERE entity_id = ? AND article_id < ? "
                                   "ORDER BY article_id DESC LIMIT ?", (entity_id, anchor, half)).fetchall()
        after = self.conn.execute("SELECT article_id FROM article_entities WHERE entity_id = ? AND article_id > ? "
                                  "ORDER BY article_id LIMIT ?", (entity_id, anchor, half)).fetchall()
        return [r[0] for r in before + after]

    def story_member_ids(self, story_id: int, limit: int) -> list[int]:
        """Ids of at most ``limit`` articles of a story (every copy included)."""
        return [r[0] for r in self.conn.execute("SELECT id FROM articles WHERE story_id = ? LIMIT ?",
                                                (story_id, limit))]

    def copies_of(self, canonical_ids: Sequence[int]) -> dict[int, list[int]]:
        """canonical id -> ids of its copies, in id order (canonicals without copies left out)."""
        out: dict[int, list[int]] = {}
        for chunk in chunks(canonical_ids):
            for cid, aid in self.conn.execute(
                    f"SELECT duplicate_of, id FROM articles WHERE duplicate_of IN ({marks(len(chunk))}) ORDER BY id",
                    list(chunk)):
                out.setdefault(cid, []).append(aid)
        return out

    def entity_recent_forms(self, entity_ids: Sequence[int], *, recent: int = 200,
                            top: int = 5) -> dict[int, list[str]]:
        """entity id -> its ``top`` surface forms by mentions over its latest ``recent`` rows (bounded work per
        entity), most mentioned first, then the longer, then by spelling."""
        out: dict[int, list[str]] = {}
        for eid in entity_ids:
            out[eid] = [r[0] for r in self.conn.execute(
                "SELECT form FROM (SELECT form, mentions FROM article_entities WHERE entity_id = ? "
                "ORDER BY article_id DESC LIMIT ?) GROUP BY form ORDER BY sum(mentions) DESC, length(form) DESC, form "
                "LIMIT ?", (eid, recent, top))]
        return out
