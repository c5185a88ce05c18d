"""SQLite side of the reader (mixed into ``SQLiteStore``): the paged and aggregated reads ``marsad serve`` needs.

Article listings, sources with their volume per day, one entity with its variants and the stories it
appears in, stories and entities page by page. Read-only: nothing here writes.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from marsad.models import SearchFilters
from marsad.store.rows import entity_display_name, published_at_of, story_row_json
from marsad.store.sqlite_common import STORY_COLUMNS, SQLiteMixin, filter_sql

_LIST_COLUMNS = ("a.id, coalesce(nullif(a.display_title, ''), a.title) AS title, a.source, a.published_at, a.url, "
                 "a.story_id, a.duplicate_of, json_extract(a.category, '$.label') AS category, a.language")


def _variants(conn: sqlite3.Connection, entity_id: int) -> list[dict[str, Any]]:
    """Every surface form of an entity with its mentions, most frequent first."""
    rows = conn.execute("SELECT form, sum(mentions) AS n, count(DISTINCT article_id) AS a FROM article_entities "
                        "WHERE entity_id = ? GROUP BY form ORDER BY n DESC, length(form) DESC, form",
                        (entity_id,)).fetchall()
    return [{"form": r[0], "count": r[1], "articles": r[2]} for r in rows]


class SQLiteReader(SQLiteMixin):
    """The reader's paged reads (a mixin of ``SQLiteStore``)."""

    def list_articles(self, filters: SearchFilters, *, limit: int, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
        """(total, a page of article summaries) passing ``filters``, newest publication first."""
        where, params = filter_sql(filters)
        cond = (" WHERE " + " AND ".join(where)) if where else ""
        total = self.conn.execute(f"SELECT count(*) FROM articles a{cond}", params).fetchone()[0]
        rows = self.conn.execute(
            f"SELECT {_LIST_COLUMNS} FROM articles a{cond} ORDER BY a.published_utc IS NULL, a.published_utc DESC, "
            "a.id DESC LIMIT ? OFFSET ?", [*params, limit, offset]).fetchall()
        return int(total), [dict(r) for r in rows]

    def list_sources(self) -> list[dict[str, Any]]:
        """Every outlet with its article count, copies, first and last publication time, most articles first."""
        same = " AND coalesce(f.source, '') = g.source"
        rows = self.conn.execute(
            "WITH g AS (SELECT coalesce(source, '') AS source, count(*) AS articles, sum(duplicate_of IS NOT NULL) "
            "AS duplicates, min(published_utc) AS lo, max(published_utc) AS hi FROM articles GROUP BY 1) "
            f"SELECT source, articles, duplicates, {published_at_of('g.lo', same)} AS first_published, "
            f"{published_at_of('g.hi', same)} AS last_published FROM g ORDER BY 2 DESC, 1").fetchall()
        return [dict(r) for r in rows]

    def source_names(self) -> list[str]:
        """Every outlet name, sorted (read from the source index, no scan of the articles)."""
        return [r[0] for r in self.conn.execute("SELECT DISTINCT source FROM articles WHERE source IS NOT NULL "
                                                "AND source != '' ORDER BY source")]

    def source_summary(self, source: str) -> dict[str, Any] | None:
        """One outlet's article count, copies, first and last publication time, or None when it has no article."""
        same = " AND f.source = g.source"
        row = self.conn.execute(
            "WITH g AS (SELECT ? AS source, count(*) AS articles, sum(duplicate_of IS NOT NULL) AS duplicates, "
            "min(published_utc) AS lo, max(published_utc) AS hi FROM articles WHERE source = ?) "
            f"SELECT source, articles, duplicates, {published_at_of('g.lo', same)} AS first_published, "
            f"{published_at_of('g.hi', same)} AS last_published FROM g", (source, source)).fetchone()
        return dict(row) if row and row["articles"] else None

    def source_volume(self, source: str) -> list[dict[str, Any]]:
        """Articles per publication day (``YYYY-MM-DD``) of one outlet, oldest first; undated ones left out. The day
        is the one the page printed (``published_at``'s own date, before any conversion to UTC)."""
        rows = self.conn.execute(
            "SELECT substr(published_at, 1, 10) AS day, count(*) AS articles FROM articles WHERE source = ? "
            "AND published_at IS NOT NULL GROUP BY 1 ORDER BY 1", (source,)).fetchall()
        return [dict(r) for r in rows]

    def get_entity(self, cid: str) -> dict[str, Any] | None:
        """One canonical entity (``TYPE:key``) with its variants and counts, or None."""
        row = self.conn.execute("SELECT id, cid, type, key, latin FROM entities WHERE cid = ?", (cid,)).fetchone()
        if row is None:
            return None
        counts = self.conn.execute("SELECT coalesce(sum(mentions), 0), count(DISTINCT article_id) FROM "
                                   "article_entities WHERE entity_id = ?", (row["id"],)).fetchone()
        variants = _variants(self.conn, row["id"])
        return {"id": row["id"], "canonical_id": row["cid"], "canonical_name": entity_display_name(variants),
                "type": row["type"], "key": row["key"], "latin": row["latin"], "mentions": counts[0],
                "articles": counts[1], "variants": variants}

    def entity_stories(self, cid: str, *, limit: int = 20) -> list[dict[str, Any]]:
        """Stories with articles naming the entity: the story row (no members) and ``entity_articles``, most first."""
        rows = self.conn.execute(
            f"SELECT {', '.join('s.' + c.strip() for c in STORY_COLUMNS.split(','))}, count(DISTINCT a.id) AS n "
            "FROM article_entities ae JOIN entities e ON e.id = ae.entity_id JOIN articles a ON a.id = ae.article_id "
            "JOIN stories s ON s.id = a.story_id WHERE e.cid = ? AND s.merged_into IS NULL "
            "GROUP BY s.id ORDER BY n DESC, s.last_updated DESC, s.id LIMIT ?", (cid, limit)).fetchall()
        out = []
        for r in rows:
            story = story_row_json(r)
            story["entity_articles"] = story.pop("n")
            out.append(story)
        return out

    def entity_page(self, *, type_: str | None = None, prefix: str | None = None, limit: int = 50,
                    offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
        """(total, a page of entities with variants), most mentioned first; ``prefix`` filters on the name key."""
        where, params = ["1=1"], []
        if type_:
            where.append("e.type = ?")
            params.append(type_)
        if prefix:
            where.append("e.key LIKE ? ESCAPE '\\'")
            params.append(prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
        cond = " AND ".join(where)
        total = self.conn.execute(
            f"SELECT count(*) FROM entities e WHERE {cond} AND EXISTS (SELECT 1 FROM article_entities ae "
            "WHERE ae.entity_id = e.id)", params).fetchone()[0]
        rows = self.conn.execute(
            "SELECT e.id, e.cid, e.type, e.latin, sum(ae.mentions) AS mentions, count(DISTINCT ae.article_id) AS "
            f"articles FROM entities e JOIN article_entities ae ON ae.entity_id = e.id WHERE {cond} GROUP BY e.id "
            "ORDER BY mentions DESC, e.id LIMIT ? OFFSET ?", [*params, limit, offset]).fetchall()
        out = []
        for r in rows:
            variants = _variants(self.conn, r["id"])
            out.append({"canonical_id": r["cid"], "canonical_name": entity_display_name(variants),
                        "type": r["type"], "latin": r["latin"], "mentions": r["mentions"], "articles": r["articles"],
                        "variants": variants})
        return int(total), out

    def story_page(self, *, min_size: int = 1, limit: int = 50, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
        """(total, a page of stories without members), most recently updated first (merged ones left out)."""
        total = self.conn.execute("SELECT count(*) FROM stories WHERE merged_into IS NULL AND size >= ?",
                                  (min_size,)).fetchone()[0]
        rows = self.conn.execute(
            f"SELECT {STORY_COLUMNS} FROM stories WHERE merged_into IS NULL AND size >= ? "
            "ORDER BY last_updated DESC, id DESC LIMIT ? OFFSET ?", (min_size, limit, offset)).fetchall()
        return int(total), [story_row_json(r) for r in rows]

    def latest_published(self, *, sample: int = 50) -> str | None:
        """The latest publication time in UTC (ISO): the store's "now" for a front page (read from the UTC key;
        ``sample`` is kept for callers and unused)."""
        return self.conn.execute("SELECT max(published_utc) FROM articles").fetchone()[0]

    def reader_counts(self) -> dict[str, Any]:
        """Cheap counts for a health check: articles, stories, entities, latest publication, schema version."""
        q = self.conn.execute
        return {"articles": q("SELECT count(*) FROM articles").fetchone()[0],
                "stories": q("SELECT count(*) FROM stories WHERE merged_into IS NULL AND size > 0").fetchone()[0],
                "entities": q("SELECT count(*) FROM entities").fetchone()[0],
                "latest_published": q(f"SELECT {published_at_of('(SELECT max(published_utc) FROM articles)')}"
                                      ).fetchone()[0],
                "schema_version": q("PRAGMA user_version").fetchone()[0]}

