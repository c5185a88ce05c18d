"""PostgreSQL side of features, near-duplicates and stories (``StoryStore``).

The same derived story rows as ``marsad.store.sqlite_stories``: ``refresh_stories`` reads a story's members and
computes outlets, span, hourly timeline, top entities and keyphrases in Python (the code SQLite uses, shared), so
both backends write the same JSON.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from marsad.store.postgres.common import STORY_COLUMNS, PgMixin, batches
from marsad.store.rows import story_row_json
from marsad.store.story_text import hour_bucket, lead
from marsad.times import now_iso, utc_iso

# The crawl time of an undated article's input, as ISO text (see sqlite_stories).
_CRAWLED = "(SELECT replace(r.fetched_at, ' ', 'T') FROM raw_inputs r WHERE r.sha256 = a.raw_sha256)"
_WHEN = f"coalesce(a.published_utc, {_CRAWLED}, a.created_at)"   # publication time by its UTC key
_FEATURES = ("minhash", "embedding", "embedder", "terms")


class PgStories(PgMixin):
    """Near-duplicate links, features and stories (a mixin of ``PostgresStore``)."""

    # -- features ------------------------------------------------------------------------------
    def put_features(self, article_id: int, row: dict[str, Any]) -> None:
        """Store (replace) an article's clustering features."""
        self._exec(
            "INSERT INTO article_features(article_id, minhash, embedding, embedder, terms) VALUES (%s,%s,%s,%s,%s) "
            "ON CONFLICT (article_id) DO UPDATE SET minhash = excluded.minhash, embedding = excluded.embedding, "
            "embedder = excluded.embedder, terms = excluded.terms",
            (article_id, row.get("minhash"), row.get("embedding"), row.get("embedder"), row.get("terms")))

    def get_features(self, article_id: int) -> dict[str, Any] | None:
        """An article's features row."""
        return self._one("SELECT minhash, embedding, embedder, terms FROM article_features WHERE article_id = %s",
                         (article_id,))

    def iter_cluster_rows(self, *, since: str | None = None, only_assigned: bool = False, after_id: int = 0,
                          batch: int = 2000) -> Iterator[dict[str, Any]]:
        """Articles in publication-time order (undated ones by crawl time, else ingest time) with what clustering
        needs (see ``SQLiteStories.iter_cluster_rows``). The order is read first (ids only), then the rows in
        batches, so no connection is held while the caller writes."""
        where = ["1=1"]
        params: list[Any] = []
        if since:
            where.append(f"{_WHEN} >= %s")
            params.append(since)
        if only_assigned:
            where.append("a.story_id IS NOT NULL")
        if after_id:
            where.append("a.id > %s")
            params.append(after_id)
        order = [r["id"] for r in self._all(f"SELECT a.id FROM articles a WHERE {' AND '.join(where)} "
                                            f"ORDER BY {_WHEN}, a.id", params)]
        for ids in batches(order, batch):
            rows = {r["id"]: r for r in self._all(
                "SELECT a.id, coalesce(nullif(a.display_title, ''), a.title) AS title, a.published_at, "
                f"a.created_at, CASE WHEN a.published_at IS NULL THEN {_CRAWLED} END AS fetched_at, a.source, "
                "length(a.text) AS length, a.entities, a.story_id, a.duplicate_of, a.duplicate_reason, f.minhash, "
                "f.embedding, f.embedder, f.terms FROM articles a LEFT JOIN article_features f "
                "ON f.article_id = a.id WHERE a.id = ANY(%s)", (ids,))}
            for aid in ids:
                d = rows.get(aid)
                if d is None:
                    continue
                feats = {k: d.pop(k) for k in _FEATURES}
                d["features"] = feats if feats["terms"] is not None else None
                yield d

    def latest_time(self) -> str | None:
        """The latest publication (else crawl, else ingest) time of any article."""
        value = self._value(f"SELECT max({_WHEN}) FROM articles a")
        return str(value) if value is not None else None

    # -- duplicates ------------------------------------------------------------------------------
    def set_duplicate(self, article_id: int, duplicate_of: int | None, reason: str | None) -> None:
        """Link an article to its group's canonical (None: it is a canonical)."""
        self._exec("UPDATE articles SET duplicate_of = %s, duplicate_reason = %s WHERE id = %s",
                   (duplicate_of, reason, article_id))

    def make_canonical(self, new: int, old: int, reason: str) -> None:
        """``new`` becomes its group's canonical (``reason``: most_complete / earliest); members follow."""
        with self._write() as conn:
            conn.execute("UPDATE articles SET duplicate_of = %s WHERE duplicate_of = %s AND id != %s", (new, old, new))
            conn.execute("UPDATE articles SET duplicate_of = %s, duplicate_reason = coalesce((SELECT duplicate_reason "
                         "FROM articles WHERE id = %s), 'near'), canonical_reason = NULL WHERE id = %s",
                         (new, new, old))
            conn.execute("UPDATE articles SET duplicate_of = NULL, duplicate_reason = NULL, canonical_reason = %s "
                         "WHERE id = %s", (reason, new))

    def set_canonical_reason(self, article_id: int, reason: str) -> None:
        """Why an article is its group's canonical (the first reason given stays)."""
        self._exec("UPDATE articles SET canonical_reason = coalesce(canonical_reason, %s) WHERE id = %s",
                   (reason, article_id))

    def duplicate_group(self, article_id: int) -> list[dict[str, Any]]:
        """The canonical and every duplicate of the group ``article_id`` belongs to."""
        head = self._value("SELECT coalesce(duplicate_of, id) FROM articles WHERE id = %s", (article_id,))
        if head is None:
            return []
        return self._all(
            "SELECT id, source, url, title, published_at, duplicate_of, duplicate_reason, canonical_reason "
            "FROM articles WHERE id = %s OR duplicate_of = %s "
            "ORDER BY duplicate_of IS NOT NULL, published_utc NULLS FIRST, id", (head, head))

    # -- stories ---------------------------------------------------------------------------------
    def set_story(self, article_id: int, story_id: int | None) -> None:
        """Put an article in a story."""
        self._exec("UPDATE articles SET story_id = %s WHERE id = %s", (story_id, article_id))

    def ensure_story(self, story_id: int) -> None:
        """A story row for ``story_id`` (empty until refreshed)."""
        self._exec("INSERT INTO stories(id, modified_at) VALUES (%s, %s) ON CONFLICT (id) DO NOTHING",
                   (story_id, now_iso()))

    def merge_story(self, gone: int, into: int) -> None:
        """Move a story's members into another; the old row stays with ``merged_into``."""
        with self._write() as conn:
            self.ensure_story(into)
            self.ensure_story(gone)
            conn.execute("UPDATE articles SET story_id = %s WHERE story_id = %s", (into, gone))
            conn.execute("UPDATE stories SET merged_into = %s, status = 'merged', size = 0, modified_at = %s "
                         "WHERE id = %s", (into, now_iso(), gone))
            conn.execute("UPDATE stories SET merged_into = %s WHERE merged_into = %s", (into, gone))

    def max_story_id(self) -> int:
        """The highest story id used (0 when none)."""
        return int(self._value("SELECT max(id) FROM stories") or 0)

    def reset_clustering(self) -> None:
        """Forget stories and near-duplicate links (exact duplicates stay): before a full re-cluster."""
        with self._write() as conn:
            conn.execute("UPDATE articles SET story_id = NULL, canonical_reason = NULL")
            conn.execute("UPDATE articles SET duplicate_of = NULL, duplicate_reason = NULL "
                         "WHERE duplicate_reason LIKE 'near%'")
            conn.execute("DELETE FROM stories")

    def refresh_stories(self, story_ids: Iterable[int], central: dict[int, int], *, active_since: str | None,
                        top: int = 10) -> None:
        """Recompute the rows of ``story_ids`` from their members (as ``SQLiteStories.refresh_stories``)."""
        with self._write() as conn:
            for sid in story_ids:
                self.ensure_story(sid)
                members = conn.execute(
                    "SELECT a.id, a.title, a.display_title, a.source, a.published_at, "
                    f"{_WHEN} AS at, a.keyphrases, a.duplicate_of FROM articles a WHERE a.story_id = %s "
                    "ORDER BY at, a.id", (sid,)).fetchall()
                if not members:
                    conn.execute("UPDATE stories SET size = 0, modified_at = %s WHERE id = %s", (now_iso(), sid))
                    continue
                dated = [utc_iso(m["published_at"]) for m in members]
                times = [utc_iso(m["at"]) or "" for m in members]
                span = [t for t in dated if t] or [t for t in times if t]
                outlets = Counter(m["source"] or "(unknown)" for m in members)
                timeline: Counter[tuple[str, str]] = Counter()
                for m, t in zip(members, dated, strict=True):
                    hour = hour_bucket(t)
                    if hour:
                        timeline[(hour, m["source"] or "(unknown)")] += 1
                kp: dict[str, float] = {}
                for m in members:
                    if m["duplicate_of"] is None:
                        for k in json.loads(m["keyphrases"] or "[]"):
                            kp[k["phrase"]] = kp.get(k["phrase"], 0.0) + float(k.get("score", 1.0))
                ents = conn.execute(
                    "SELECT e.cid, count(DISTINCT ae.article_id) AS n, (SELECT form FROM article_entities x WHERE "
                    "x.entity_id = e.id GROUP BY form ORDER BY sum(mentions) DESC, length(form) DESC, form LIMIT 1) "
                "AS name, "
                    "e.type FROM article_entities ae JOIN articles a ON a.id = ae.article_id "
                    "JOIN entities e ON e.id = ae.entity_id WHERE a.story_id = %s GROUP BY e.id "
                    "ORDER BY n DESC, e.cid LIMIT %s", (sid, top)).fetchall()
                centre_id = central.get(sid)
                centre = next((m for m in members if m["id"] == centre_id), None) or next(
                    (m for m in members if m["duplicate_of"] is None), members[0])
                text_row = conn.execute("SELECT text FROM articles WHERE id = %s", (centre["id"],)).fetchone()
                status = "active" if active_since is None or max(span) >= (utc_iso(active_since) or "") else "closed"
                conn.execute(
                    "UPDATE stories SET headline = %s, summary = %s, central_article = %s, first_seen = %s, "
                    "last_updated = %s, size = %s, outlets = %s, entities = %s, keyphrases = %s, timeline = %s, "
                    "status = CASE WHEN merged_into IS NULL THEN %s ELSE 'merged' END, modified_at = %s WHERE id = %s",
                    (centre["display_title"] or centre["title"], lead(text_row["text"] if text_row else ""),
                     centre["id"], min(span), max(span), len(members),
                     json.dumps([{"source": s, "articles": n} for s, n in outlets.most_common()], ensure_ascii=False),
                     json.dumps([{"canonical_id": e["cid"], "name": e["name"], "type": e["type"], "articles": e["n"]}
                                 for e in ents], ensure_ascii=False),
                     json.dumps([{"phrase": p, "score": round(kp[p], 3)}
                                 for p in sorted(kp, key=lambda x: -kp[x])[:top]], ensure_ascii=False),
                     json.dumps([{"hour": h, "source": s, "articles": n} for (h, s), n in sorted(timeline.items())],
                                ensure_ascii=False),
                     status, now_iso(), sid))

    def get_story(self, story_id: int, *, members: bool = True) -> dict[str, Any] | None:
        """A story with its members (following ``merged_into`` to the story that absorbed it)."""
        seen = set()
        row = self._one(f"SELECT {STORY_COLUMNS} FROM stories WHERE id = %s", (story_id,))
        while row is not None and row["merged_into"] is not None and row["id"] not in seen:
            seen.add(row["id"])
            row = self._one(f"SELECT {STORY_COLUMNS} FROM stories WHERE id = %s", (row["merged_into"],))
        if row is None:
            return None
        story = story_row_json(row)
        if members:
            story["members"] = self.story_members(story["id"])
        return story

    def story_members(self, story_id: int) -> list[dict[str, Any]]:
        """The members of a story, oldest first."""
        return self._all("SELECT id, source, url, title, published_at, duplicate_of, duplicate_reason FROM articles "
                         "WHERE story_id = %s ORDER BY coalesce(published_utc, created_at), id", (story_id,))

    def list_stories(self, *, since: str | None = None, limit: int | None = None, min_size: int = 1,
                     members: bool = False) -> list[dict[str, Any]]:
        """Stories (not merged away), most recently updated first."""
        sql = f"SELECT {STORY_COLUMNS} FROM stories WHERE merged_into IS NULL AND size >= %s"
        params: list[Any] = [min_size]
        if since:
            sql += " AND last_updated >= %s"
            params.append(since)
        sql += " ORDER BY last_updated DESC NULLS LAST, id DESC"
        if limit:
            sql += " LIMIT %s"
            params.append(limit)
        out = [story_row_json(r) for r in self._all(sql, params)]
        if members:
            for s in out:
                s["members"] = self.story_members(s["id"])
        return out
