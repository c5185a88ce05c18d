"""PostgreSQL side of canonical entities: aliases, mentions, names (``EntityStore``)."""

from __future__ import annotations

import json
from typing import Any

from marsad.store.postgres.common import PgMixin, next_id
from marsad.store.rows import NAME_FORMS, entity_display_name
from marsad.times import now_iso as _now


class PgEntities(PgMixin):
    """Canonical entities across articles (a mixin of ``PostgresStore``)."""

    def entity_id(self, cid: str) -> int | None:
        """Row id of the canonical entity ``cid``."""
        value = self._value("SELECT id FROM entities WHERE cid = %s", (cid,))
        return int(value) if value is not None else None

    def create_entity(self, cid: str, type_: str, key: str, *, latin: str | None = None,
                      aliases: list[str] | None = None) -> int:
        """Create a canonical entity (or return the existing one) and register its word-key aliases."""
        with self._write() as conn:
            conn.execute(f"INSERT INTO entities(id, cid, type, key, latin, created_at) VALUES ({next_id('entities')}, "
                         "%s, %s, %s, %s, %s) ON CONFLICT (cid) DO NOTHING", (cid, type_, key, latin, _now()))
            eid = self.entity_id(cid)
            assert eid is not None
            if latin:
                conn.execute("UPDATE entities SET latin = coalesce(latin, %s) WHERE id = %s", (latin, eid))
            for alias in aliases or []:
                conn.execute("INSERT INTO entity_aliases(alias, type, entity_id) VALUES (%s,%s,%s) "
                             "ON CONFLICT DO NOTHING", (alias, type_, eid))
        return eid

    def note_latin(self, entity_id: int, latin: str) -> None:
        """Record a Latin-script form of an entity (the first one seen is kept)."""
        self._exec("UPDATE entities SET latin = coalesce(latin, %s) WHERE id = %s", (latin, entity_id))

    def alias_candidates(self, alias: str, type_: str) -> list[tuple[int, str, int]]:
        """Entities a bare name may belong to: (id, cid, mentions), most mentioned first."""
        rows = self._all(
            "SELECT e.id, e.cid, coalesce((SELECT sum(mentions) FROM article_entities ae "
            "WHERE ae.entity_id = e.id), 0) AS n FROM entity_aliases a JOIN entities e ON e.id = a.entity_id "
            "WHERE a.alias = %s AND a.type = %s ORDER BY n DESC, e.id", (alias, type_))
        return [(r["id"], r["cid"], int(r["n"])) for r in rows]

    def cooccurring(self, entity_id: int, *, articles: int = 200) -> set[int]:
        """Entities co-mentioned with ``entity_id`` in its most recent articles (its context)."""
        rows = self._all(
            "SELECT DISTINCT entity_id FROM article_entities WHERE article_id IN (SELECT article_id FROM "
            "article_entities WHERE entity_id = %s ORDER BY article_id DESC LIMIT %s) AND entity_id != %s",
            (entity_id, articles, entity_id))
        return {r["entity_id"] for r in rows}

    def add_aliases(self, entity_id: int, type_: str, aliases: list[str]) -> None:
        """Register more aliases of an entity under ``type_`` (known ones are kept)."""
        with self._write() as conn, conn.cursor() as cur:
            cur.executemany("INSERT INTO entity_aliases(alias, type, entity_id) VALUES (%s,%s,%s) "
                            "ON CONFLICT DO NOTHING", [(alias, type_, entity_id) for alias in aliases])

    def replace_article_entities(self, article_id: int, rows: list[tuple[int, str, int]]) -> None:
        """Set an article's (entity_id, form, mentions) rows."""
        with self._write() as conn:
            conn.execute("DELETE FROM article_entities WHERE article_id = %s", (article_id,))
            if rows:
                with conn.cursor() as cur:
                    cur.executemany("INSERT INTO article_entities(article_id, entity_id, form, mentions) "
                                    "VALUES (%s,%s,%s,%s)", [(article_id, eid, form, n) for eid, form, n in rows])

    def entity_names(self, ids: set[int]) -> dict[int, tuple[str, str]]:
        """id -> (canonical id, display name: the fullest common of its most mentioned forms so far)."""
        out: dict[int, tuple[str, str]] = {}
        for eid in ids:
            cid = self._value("SELECT cid FROM entities WHERE id = %s", (eid,))
            forms = self._all(
                "SELECT form, sum(mentions) AS n FROM article_entities WHERE entity_id = %s GROUP BY form "
                "ORDER BY n DESC, length(form) DESC, form LIMIT %s", (eid, NAME_FORMS))
            out[eid] = (cid, entity_display_name([{"form": f["form"], "count": int(f["n"])} for f in forms]))
        return out

    def set_article_entities_json(self, article_id: int, mentions: list[dict[str, Any]]) -> None:
        """Store the resolved mentions of an article (canonical ids from the entity table)."""
        self._exec("UPDATE articles SET entities = %s WHERE id = %s",
                   (json.dumps(mentions, ensure_ascii=False), article_id))

    def list_entities(self, *, type_: str | None = None, limit: int | None = None,
                      min_articles: int = 1) -> list[dict[str, Any]]:
        """Canonical entities with their surface forms, types and counts, most mentioned first."""
        sql = ("SELECT e.id, e.cid, e.type, e.latin, sum(ae.mentions) AS mentions, count(DISTINCT ae.article_id) "
               "AS articles FROM entities e JOIN article_entities ae ON ae.entity_id = e.id "
               + ("WHERE e.type = %s " if type_ else "") + "GROUP BY e.id HAVING count(DISTINCT ae.article_id) >= %s "
               "ORDER BY mentions DESC, e.id" + (" LIMIT %s" if limit else ""))
        params: list[Any] = [p for p in (type_,) if p] + [min_articles] + ([limit] if limit else [])
        out = []
        for row in self._all(sql, params):
            forms = self._all("SELECT form, sum(mentions) AS n FROM article_entities WHERE entity_id = %s "
                              "GROUP BY form ORDER BY n DESC, length(form) DESC, form", (row["id"],))
            variants = [{"form": f["form"], "count": int(f["n"])} for f in forms]
            out.append({"canonical_id": row["cid"], "canonical_name": entity_display_name(variants),
                        "type": row["type"], "latin": row["latin"], "mentions": int(row["mentions"]),
                        "articles": row["articles"], "variants": variants})
        return out
