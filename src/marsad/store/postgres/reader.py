"""PostgreSQL side of the reader: the paged and aggregated reads ``marsad serve`` needs (``ReaderStore``).

``change_marker`` is in ``store.py`` with the write counter it reads.
"""

from __future__ import annotations

from typing import Any

from marsad.models import SearchFilters
from marsad.store.postgres.common import CATEGORY_LABEL, STORY_COLUMNS, PgMixin, filter_sql
from marsad.store.rows import entity_display_name, published_at_of, story_row_json

_LIST_COLUMNS = ("a.id, coalesce(nullif(a.display_title, ''), a.title) AS title, a.source, a.published_at, a.url, "
                 f"a.story_id, a.duplicate_of, {CATEGORY_LABEL} AS category, a.language")


class PgReader(PgMixin):
    """The reader's paged reads (a mixin of ``PostgresStore``)."""

    def _variants(self, entity_id: int) -> list[dict[str, Any]]:
        """Every surface form of an entity with its mentions, most frequent first."""
        rows = self._all("SELECT form, sum(mentions) AS n, count(DISTINCT article_id) AS a FROM article_entities "
                         "WHERE entity_id = %s GROUP BY form ORDER BY n DESC, length(form) DESC, form", (entity_id,))
        return [{"form": r["form"], "count": int(r["n"]), "articles": r["a"]} for r in rows]

    def list_articles(self, filters: SearchFilters, *, limit: int, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
        """(total, a page of article summaries) passing ``filters``, newest publication first."""
        where, params = filter_sql(filters)
        cond = (" WHERE " + " AND ".join(where)) if where else ""
        total = self._value(f"SELECT count(*) FROM articles a{cond}", params)
        rows = self._all(f"SELECT {_LIST_COLUMNS} FROM articles a{cond} ORDER BY a.published_utc IS NULL, "
                         "a.published_utc DESC, a.id DESC LIMIT %s OFFSET %s", [*params, limit, offset])
        return int(total), rows

    def list_sources(self) -> list[dict[str, Any]]:
        """Every outlet with its article count, copies, first and last publication time, most articles first."""
        same = " AND coalesce(f.source, '') = g.source"
        return self._all(
            "WITH g AS (SELECT coalesce(source, '') AS source, count(*) AS articles, count(duplicate_of) AS "
            "duplicates, min(published_utc) AS lo, max(published_utc) AS hi FROM articles GROUP BY 1) "
            f"SELECT source, articles, duplicates, {published_at_of('g.lo', same)} AS first_published, "
            f"{published_at_of('g.hi', same)} AS last_published FROM g ORDER BY 2 DESC, 1")

    def source_names(self) -> list[str]:
        """Every outlet name, sorted."""
        return [r["source"] for r in self._all("SELECT DISTINCT source FROM articles WHERE source IS NOT NULL "
                                               "AND source != '' ORDER BY source")]

    def source_summary(self, source: str) -> dict[str, Any] | None:
        """One outlet's article count, copies, first and last publication time, or None when it has no article."""
        same = " AND f.source = g.source"
        row = self._one(
            "WITH g AS (SELECT %s::text AS source, count(*) AS articles, count(duplicate_of) AS duplicates, "
            "min(published_utc) AS lo, max(published_utc) AS hi FROM articles WHERE source = %s) "
            f"SELECT source, articles, duplicates, {published_at_of('g.lo', same)} AS first_published, "
            f"{published_at_of('g.hi', same)} AS last_published FROM g", (source, source))
        return row if row and row["articles"] else None

    def source_volume(self, source: str) -> list[dict[str, Any]]:
        """Articles per publication day (``YYYY-MM-DD``) of one outlet, oldest first; undated ones left out. The day
        is the one the page printed (``published_at``'s own date, before any conversion to UTC)."""
        return self._all("SELECT substr(published_at, 1, 10) AS day, count(*) AS articles FROM articles "
                         "WHERE source = %s AND published_at IS NOT NULL GROUP BY 1 ORDER BY 1", (source,))

    def get_entity(self, cid: str) -> dict[str, Any] | None:
        """One canonical entity (``TYPE:key``) with its variants and counts, or None."""
        row = self._one("SELECT id, cid, type, key, latin FROM entities WHERE cid = %s", (cid,))
        if row is None:
            return None
        counts = self._one("SELECT coalesce(sum(mentions), 0) AS m, count(DISTINCT article_id) AS a FROM "
                           "article_entities WHERE entity_id = %s", (row["id"],))
        assert counts is not None
        variants = self._variants(row["id"])
        return {"id": row["id"], "canonical_id": row["cid"], "canonical_name": entity_display_name(variants),
                "type": row["type"], "key": row["key"], "latin": row["latin"], "mentions": int(counts["m"]),
                "articles": counts["a"], "variants": variants}

    def entity_stories(self, cid: str, *, limit: int = 20) -> list[dict[str, Any]]:
        """Stories with articles naming the entity: the story row (no members) and ``entity_articles``, most first."""
        rows = self._all(
            f"SELECT {', '.join('s.' + c.strip() for c in STORY_COLUMNS.split(','))}, count(DISTINCT a.id) AS n "
            "FROM article_entities ae JOIN entities e ON e.id = ae.entity_id JOIN articles a ON a.id = ae.article_id "
            "JOIN stories s ON s.id = a.story_id WHERE e.cid = %s AND s.merged_into IS NULL "
            "GROUP BY s.id ORDER BY n DESC, s.last_updated DESC NULLS LAST, s.id LIMIT %s", (cid, limit))
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
            where.append("e.type = %s")
            params.append(type_)
        if prefix:
            where.append("e.key ILIKE %s ESCAPE '\\'")  # SQLite's LIKE ignores ASCII case
            params.append(prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
        cond = " AND ".join(where)
        total = self._value(f"SELECT count(*) FROM entities e WHERE {cond} AND EXISTS (SELECT 1 FROM article_entities "
                            "ae WHERE ae.entity_id = e.id)", params)
        rows = self._all(
            "SELECT e.id, e.cid, e.type, e.latin, sum(ae.mentions) AS mentions, count(DISTINCT ae.article_id) AS "
            f"articles FROM entities e JOIN article_entities ae ON ae.entity_id = e.id WHERE {cond} GROUP BY e.id "
            "ORDER BY mentions DESC, e.id LIMIT %s OFFSET %s", [*params, limit, offset])
        out = []
        for r in rows:
            variants = self._variants(r["id"])
            out.append({"canonical_id": r["cid"], "canonical_name": entity_display_name(variants),
                        "type": r["type"], "latin": r["latin"], "mentions": int(r["mentions"]),
                        "articles": r["articles"], "variants": variants})
        return int(total), out

    def story_page(self, *, min_size: int = 1, limit: int = 50, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
        """(total, a page of stories without members), most recently updated first (merged ones left out)."""
        total = self._value("SELECT count(*) FROM stories WHERE merged_into IS NULL AND size >= %s", (min_size,))
        rows = self._all(f"SELECT {STORY_COLUMNS} FROM stories WHERE merged_into IS NULL AND size >= %s "
                         "ORDER BY last_updated DESC NULLS LAST, id DESC LIMIT %s OFFSET %s",
                         (min_size, limit, offset))
        return int(total), [story_row_json(r) for r in rows]

    def latest_published(self, *, sample: int = 50) -> str | None:
        """The latest publication time in UTC (ISO): the store's "now" for a front page (read from the UTC key;
        ``sample`` is kept for callers and unused)."""
        row = self._one("SELECT max(published_utc) AS t FROM articles")
        return row["t"] if row else None

    def reader_counts(self) -> dict[str, Any]:
        """Cheap counts for a health check: articles, stories, entities, latest publication, schema version."""
        row = self._one(
            "SELECT (SELECT count(*) FROM articles) AS articles, (SELECT count(*) FROM stories WHERE merged_into IS "
            "NULL AND size > 0) AS stories, (SELECT count(*) FROM entities) AS entities, "
            f"{published_at_of('(SELECT max(published_utc) FROM articles)')} AS latest_published, "
            "(SELECT version FROM marsad_schema) AS schema_version")
        assert row is not None
        return row
