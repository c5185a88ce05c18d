"""SQLite side of near-duplicates and stories (mixed into ``SQLiteStore``).

Story rows are derived state: ``refresh_stories`` recomputes a story's size, outlets, span, timeline,
top entities and keyphrases from its member articles, so a story is never out of step with them.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from marsad.store.rows import story_row_json
from marsad.store.sqlite_common import STORY_COLUMNS, SQLiteMixin
from marsad.store.story_text import hour_bucket as _hour
from marsad.store.story_text import lead
from marsad.times import now_iso, utc_iso

# The crawl time of an undated article's input (read only when published_at is NULL), as ISO text: a news crawl
# fetches most articles within a day of publication, so it stands in for the missing date in clustering.
_CRAWLED = "(SELECT replace(r.fetched_at, ' ', 'T') FROM raw_inputs r WHERE r.sha256 = a.raw_sha256)"
# Publication time in UTC (the stored key: published_at keeps the page's offset and does not sort as text).
_WHEN = f"coalesce(a.published_utc, {_CRAWLED}, a.created_at)"


class SQLiteStories(SQLiteMixin):
    """Near-duplicate links, features and stories (a mixin of ``SQLiteStore``)."""

    # -- features ------------------------------------------------------------------------------
    def put_features(self, article_id: int, row: dict[str, Any]) -> None:
        """Store (replace) an article's clustering features."""
        self.conn.execute(
            "INSERT OR REPLACE INTO article_features(article_id, minhash, embedding, embedder, terms) "
            "VALUES (?,?,?,?,?)",
            (article_id, row.get("minhash"), row.get("embedding"), row.get("embedder"), row.get("terms")))

    def get_features(self, article_id: int) -> dict[str, Any] | None:
        """An article's features row."""
        row = self.conn.execute("SELECT minhash, embedding, embedder, terms FROM article_features "
                                "WHERE article_id = ?", (article_id,)).fetchone()
        return dict(row) if row else None

    def iter_cluster_rows(self, *, since: str | None = None, only_assigned: bool = False, after_id: int = 0,
                          batch: int = 2000) -> Iterator[dict[str, Any]]:
        """Articles in publication-time order (undated ones by crawl time, else ingest time) with what
        clustering needs: id, published_at, fetched_at (the crawl time of the article's input, when known),
        created_at, source, text length, entities JSON, story_id, duplicate_of, duplicate_reason, and the
        features row (None when not computed)."""
        where = ["1=1"]
        params: list[Any] = []
        if since:
            where.append(f"{_WHEN} >= ?")
            params.append(since)
        if only_assigned:
            where.append("a.story_id IS NOT NULL")
        if after_id:
            where.append("a.id > ?")
            params.append(after_id)
        sql = ("SELECT a.id, coalesce(nullif(a.display_title, ''), a.title) AS title, a.published_at, a.created_at, "
               f"CASE WHEN a.published_at IS NULL THEN {_CRAWLED} END AS fetched_at, "
               "a.source, length(a.text) AS length, a.entities, a.story_id, a.duplicate_of, a.duplicate_reason, "
               "f.minhash, f.embedding, f.embedder, "
               "f.terms FROM articles a LEFT JOIN article_features f ON f.article_id = a.id WHERE "
               + " AND ".join(where) + f" ORDER BY {_WHEN}, a.id")
        cur = self.conn.execute(sql, params)
        while True:
            rows = cur.fetchmany(batch)
            if not rows:
                return
            for r in rows:
                d = dict(r)
                feats = {k: d.pop(k) for k in ("minhash", "embedding", "embedder", "terms")}
                d["features"] = feats if feats["terms"] is not None else None
                yield d

    def latest_time(self) -> str | None:
        """The latest publication (else crawl, else ingest) time of any article."""
        row = self.conn.execute(f"SELECT max({_WHEN}) FROM articles a").fetchone()
        return row[0] if row else None

    # -- duplicates ------------------------------------------------------------------------------
    def set_duplicate(self, article_id: int, duplicate_of: int | None, reason: str | None) -> None:
        """Link an article to its group's canonical (None: it is a canonical)."""
        self.conn.execute("UPDATE articles SET duplicate_of = ?, duplicate_reason = ? WHERE id = ?",
                          (duplicate_of, reason, article_id))

    def make_canonical(self, new: int, old: int, reason: str) -> None:
        """``new`` becomes its group's canonical (``reason``: most_complete / earliest); members follow."""
        self.conn.execute("UPDATE articles SET duplicate_of = ? WHERE duplicate_of = ? AND id != ?", (new, old, new))
        self.conn.execute("UPDATE articles SET duplicate_of = ?, duplicate_reason = coalesce(("
                          "SELECT duplicate_reason FROM articles WHERE id = ?), 'near'), canonical_reason = NULL "
                          "WHERE id = ?", (new, new, old))
        self.conn.execute("UPDATE articles SET duplicate_of = NULL, duplicate_reason = NULL, canonical_reason = ? "
                          "WHERE id = ?", (reason, new))

    def set_canonical_reason(self, article_id: int, reason: str) -> None:
        self.conn.execute("UPDATE articles SET canonical_reason = coalesce(canonical_reason, ?) WHERE id = ?",
                          (reason, article_id))

    def duplicate_group(self, article_id: int) -> list[dict[str, Any]]:
        """The canonical and every duplicate of the group ``article_id`` belongs to."""
        row = self.conn.execute("SELECT coalesce(duplicate_of, id) FROM articles WHERE id = ?",
                                (article_id,)).fetchone()
        if not row:
            return []
        return [dict(r) for r in self.conn.execute(
            "SELECT id, source, url, title, published_at, duplicate_of, duplicate_reason, canonical_reason "
            "FROM articles WHERE id = ? OR duplicate_of = ? ORDER BY duplicate_of IS NOT NULL, published_utc, id",
            (row[0], row[0]))]

    # -- stories ---------------------------------------------------------------------------------
    def set_story(self, article_id: int, story_id: int | None) -> None:
        self.conn.execute("UPDATE articles SET story_id = ? WHERE id = ?", (story_id, article_id))

    def ensure_story(self, story_id: int) -> None:
        self.conn.execute("INSERT OR IGNORE INTO stories(id, modified_at) VALUES (?, ?)", (story_id, now_iso()))

    def merge_story(self, gone: int, into: int) -> None:
        """Move a story's members into another; the old row stays with ``merged_into``."""
        self.ensure_story(into)
        self.ensure_story(gone)
        self.conn.execute("UPDATE articles SET story_id = ? WHERE story_id = ?", (into, gone))
        self.conn.execute("UPDATE stories SET merged_into = ?, status = 'merged', size = 0, modified_at = ? "
                          "WHERE id = ?", (into, now_iso(), gone))
        self.conn.execute("UPDATE stories SET merged_into = ? WHERE merged_into = ?", (into, gone))

    def max_story_id(self) -> int:
        row = self.conn.execute("SELECT max(id) FROM stories").fetchone()
        return int(row[0] or 0)

    def reset_clustering(self) -> None:
        """Forget stories and near-duplicate links (exact duplicates stay): before a full re-cluster."""
        self.conn.execute("UPDATE articles SET story_id = NULL, canonical_reason = NULL")
        self.conn.execute("UPDATE articles SET duplicate_of = NULL, duplicate_reason = NULL "
                          "WHERE duplicate_reason LIKE 'near%'")
        self.conn.execute("DELETE FROM stories")

    def refresh_stories(self, story_ids: Iterable[int], central: dict[int, int], *, active_since: str | None,
                        top: int = 10) -> None:
        """Recompute the rows of ``story_ids`` from their members; ``central`` gives each one's most
        central article (its headline and summary); stories last updated before ``active_since`` are closed."""
        for sid in story_ids:
            self.ensure_story(sid)
            members = self.conn.execute(
                "SELECT a.id, a.title, a.display_title, a.source, a.published_at, "
                f"{_WHEN} AS at, a.keyphrases, a.duplicate_of FROM articles a WHERE a.story_id = ? "
                "ORDER BY at, a.id", (sid,)).fetchall()
            if not members:
                self.conn.execute("UPDATE stories SET size = 0, modified_at = ? WHERE id = ?", (now_iso(), sid))
                continue
            dated = [utc_iso(m["published_at"]) for m in members]
            times = [utc_iso(m["at"]) or "" for m in members]   # published, else crawled, else ingested
            span = [t for t in dated if t] or [t for t in times if t]   # undated copies do not stretch a story
            outlets = Counter(m["source"] or "(unknown)" for m in members)
            timeline: Counter[tuple[str, str]] = Counter()
            for m, t in zip(members, dated, strict=True):
                hour = _hour(t)
                if hour:
                    timeline[(hour, m["source"] or "(unknown)")] += 1
            kp: dict[str, float] = {}
            for m in members:
                if m["duplicate_of"] is None:
                    for k in json.loads(m["keyphrases"] or "[]"):
                        kp[k["phrase"]] = kp.get(k["phrase"], 0.0) + float(k.get("score", 1.0))
            ents = self.conn.execute(
                "SELECT e.cid, count(DISTINCT ae.article_id) AS n, (SELECT form FROM article_entities x WHERE "
                "x.entity_id = e.id GROUP BY form ORDER BY sum(mentions) DESC, length(form) DESC, form LIMIT 1) "
                "AS name, "
                "e.type FROM article_entities ae JOIN articles a ON a.id = ae.article_id "
                "JOIN entities e ON e.id = ae.entity_id WHERE a.story_id = ? GROUP BY e.id "
                "ORDER BY n DESC, e.cid LIMIT ?", (sid, top)).fetchall()
            centre_id = central.get(sid)
            centre = next((m for m in members if m["id"] == centre_id), None) or next(
                (m for m in members if m["duplicate_of"] is None), members[0])
            text_row = self.conn.execute("SELECT text FROM articles WHERE id = ?", (centre["id"],)).fetchone()
            status = "active" if active_since is None or max(span) >= (utc_iso(active_since) or "") else "closed"
            self.conn.execute(
                "UPDATE stories SET headline = ?, summary = ?, central_article = ?, first_seen = ?, last_updated = ?, "
                "size = ?, outlets = ?, entities = ?, keyphrases = ?, timeline = ?, status = CASE WHEN merged_into "
                "IS NULL THEN ? ELSE 'merged' END, modified_at = ? WHERE id = ?",
                (centre["display_title"] or centre["title"], lead(text_row[0] if text_row else ""), centre["id"],
                 min(span), max(span), len(members),
                 json.dumps([{"source": s, "articles": n} for s, n in outlets.most_common()], ensure_ascii=False),
                 json.dumps([{"canonical_id": e["cid"], "name": e["name"], "type": e["type"], "articles": e["n"]}
                             for e in ents], ensure_ascii=False),
                 json.dumps([{"phrase": p, "score": round(kp[p], 3)} for p in sorted(kp, key=lambda x: -kp[x])[:top]],
                            ensure_ascii=False),
                 json.dumps([{"hour": h, "source": s, "articles": n} for (h, s), n in sorted(timeline.items())],
                            ensure_ascii=False),
                 status, now_iso(), sid))

    def get_story(self, story_id: int, *, members: bool = True) -> dict[str, Any] | None:
        """A story with its members (following ``merged_into`` to the story that absorbed it)."""
        seen = set()
        row = self.conn.execute(f"SELECT {STORY_COLUMNS} FROM stories WHERE id = ?", (story_id,)).fetchone()
        while row is not None and row["merged_into"] is not None and row["id"] not in seen:
            seen.add(row["id"])
            row = self.conn.execute(f"SELECT {STORY_COLUMNS} FROM stories WHERE id = ?",
                                    (row["merged_into"],)).fetchone()
        if row is None:
            return None
        story = story_row_json(row)
        if members:
            story["members"] = self.story_members(story["id"])
        return story

    def story_members(self, story_id: int) -> list[dict[str, Any]]:
        return [dict(r) for r in self.conn.execute(
            "SELECT id, source, url, title, published_at, duplicate_of, duplicate_reason FROM articles "
            "WHERE story_id = ? ORDER BY coalesce(published_utc, created_at), id", (story_id,))]

    def list_stories(self, *, since: str | None = None, limit: int | None = None, min_size: int = 1,
                     members: bool = False) -> list[dict[str, Any]]:
        """Stories (not merged away), most recently updated first."""
        sql = f"SELECT {STORY_COLUMNS} FROM stories WHERE merged_into IS NULL AND size >= ?"
        params: list[Any] = [min_size]
        if since:
            sql += " AND last_updated >= ?"
            params.append(since)
        sql += " ORDER BY last_updated DESC, id DESC"
        if limit:
            sql += " LIMIT ?"
            params.append(limit)
        out = [story_row_json(r) for r in self.conn.execute(sql, params)]
        if members:
            for s in out:
                s["members"] = self.story_members(s["id"])
        return out
