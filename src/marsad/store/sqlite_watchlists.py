"""SQLite side of watchlists (mixed into ``SQLiteStore``): watchlists, their matches, the alert outbox and the
delivery attempts (``WatchlistStore``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from marsad.store.rows import WATCHLIST_COLUMNS, WATCHLIST_HEALTH, watchlist_row
from marsad.store.sqlite_common import SQLiteMixin, chunks, marks
from marsad.times import now_iso as _now


class SQLiteWatchlists(SQLiteMixin):
    """Watchlists and alerts (a mixin of ``SQLiteStore``)."""

    def add_watchlist(self, row: dict[str, Any]) -> bool:
        """Store a watchlist; False when the name is taken."""
        values = [json.dumps(list(row.get("sources") or []), ensure_ascii=False) if c == "sources" else row.get(c)
                  for c in WATCHLIST_COLUMNS]
        with self.transaction():
            cur = self.conn.execute(
                f"INSERT INTO watchlists({', '.join(WATCHLIST_COLUMNS)}, created_at) "
                f"VALUES ({marks(len(WATCHLIST_COLUMNS) + 1)}) ON CONFLICT (name) DO NOTHING", (*values, _now()))
            return cur.rowcount == 1

    def get_watchlist(self, name: str) -> dict[str, Any] | None:
        """One watchlist, or None."""
        row = self.conn.execute("SELECT * FROM watchlists WHERE name = ?", (name,)).fetchone()
        return watchlist_row(row) if row else None

    def list_watchlists(self, *, health: bool = True) -> list[dict[str, Any]]:
        """Every watchlist (with its health unless ``health`` is False)."""
        extra = f", {WATCHLIST_HEALTH}" if health else ""
        rows = self.conn.execute(f"SELECT w.*{extra} FROM watchlists w ORDER BY w.name").fetchall()
        return [watchlist_row(r) for r in rows]

    def remove_watchlist(self, name: str) -> bool:
        """Delete a watchlist and everything it made."""
        with self.transaction():
            self.conn.execute("DELETE FROM delivery_attempts WHERE alert_id IN "
                              "(SELECT id FROM alert_outbox WHERE watchlist = ?)", (name,))
            self.conn.execute("DELETE FROM alert_outbox WHERE watchlist = ?", (name,))
            self.conn.execute("DELETE FROM watch_matches WHERE watchlist = ?", (name,))
            return self.conn.execute("DELETE FROM watchlists WHERE name = ?", (name,)).rowcount == 1

    def add_match(self, watchlist: str, article_id: int, *, digest_window: str | None = None) -> bool:
        """Record a match; False when known."""
        with self.transaction():
            cur = self.conn.execute(
                "INSERT INTO watch_matches(watchlist, article_id, matched_at, digest_window) VALUES (?,?,?,?) "
                "ON CONFLICT DO NOTHING", (watchlist, article_id, _now(), digest_window))
            return cur.rowcount == 1

    def enqueue_alert(self, *, key: str, channel: str, watchlist: str, target: str, body: str,
                      article_id: int | None = None, story_id: int | None = None) -> bool:
        """An alert in the outbox, due now; False when (key, channel) is there."""
        now = _now()
        with self.transaction():
            cur = self.conn.execute(
                "INSERT INTO alert_outbox(key, channel, watchlist, target, body, article_id, story_id, "
                "next_attempt_at, created_at) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (key, channel) DO NOTHING",
                (key, channel, watchlist, target, body, article_id, story_id, now, now))
            return cur.rowcount == 1

    def article_story_ids(self, ids: Sequence[int]) -> dict[int, int | None]:
        """article id -> story id."""
        out: dict[int, int | None] = {}
        for part in chunks(list(ids)):
            for r in self.conn.execute(f"SELECT id, story_id FROM articles WHERE id IN ({marks(len(part))})", part):
                out[r[0]] = r[1]
        return out

    def story_outlets(self, story_ids: Sequence[int]) -> dict[int, set[str]]:
        """story id -> outlets of its articles."""
        out: dict[int, set[str]] = {}
        for part in chunks(list(story_ids)):
            for r in self.conn.execute(f"SELECT DISTINCT story_id, source FROM articles WHERE story_id IN "
                                       f"({marks(len(part))}) AND source IS NOT NULL", part):
                out.setdefault(r[0], set()).add(r[1])
        return out

    def matched_stories(self, watchlist: str, story_ids: Sequence[int]) -> set[int]:
        """Stories among ``story_ids`` with an article the watchlist matched."""
        found: set[int] = set()
        for part in chunks(list(story_ids)):
            found.update(r[0] for r in self.conn.execute(
                "SELECT DISTINCT a.story_id FROM watch_matches m JOIN articles a ON a.id = m.article_id "
                f"WHERE m.watchlist = ? AND a.story_id IN ({marks(len(part))})", (watchlist, *part)))
        return found

    def undigested_matches(self, watchlist: str, *, before_window: str) -> list[tuple[str, int]]:
        """(window, article id) of matches waiting for a digest whose window has closed."""
        return [(r[0], r[1]) for r in self.conn.execute(
            "SELECT digest_window, article_id FROM watch_matches WHERE watchlist = ? AND digest_key IS NULL "
            "AND digest_window IS NOT NULL AND digest_window < ? ORDER BY digest_window, article_id",
            (watchlist, before_window))]

    def mark_digested(self, watchlist: str, article_ids: Sequence[int], key: str) -> None:
        """Note the digest that carried these matches."""
        with self.transaction():
            for part in chunks(list(article_ids)):
                self.conn.execute(f"UPDATE watch_matches SET digest_key = ? WHERE watchlist = ? AND article_id IN "
                                  f"({marks(len(part))})", (key, watchlist, *part))

    def due_alerts(self, now: str, *, limit: int = 100) -> list[dict[str, Any]]:
        """Pending alerts due at ``now``, oldest first."""
        rows = self.conn.execute("SELECT * FROM alert_outbox WHERE status = 'pending' AND next_attempt_at <= ? "
                                 "ORDER BY next_attempt_at, id LIMIT ?", (now, limit)).fetchall()
        return [dict(r) for r in rows]

    def next_alert_due(self) -> str | None:
        """The earliest pending due time."""
        row = self.conn.execute("SELECT min(next_attempt_at) FROM alert_outbox WHERE status = 'pending'").fetchone()
        return row[0] if row else None

    def record_attempt(self, alert_id: int, *, ok: bool, status: int | None, error: str | None, seconds: float,
                       next_attempt_at: str | None) -> None:
        """One attempt, and the alert's new state."""
        now = _now()
        with self.transaction():
            self.conn.execute("INSERT INTO delivery_attempts(alert_id, at, ok, status, error, seconds) "
                              "SELECT ?,?,?,?,?,? WHERE EXISTS (SELECT 1 FROM alert_outbox WHERE id = ?)",
                              (alert_id, now, int(ok), status, error, seconds, alert_id))   # gone: removed meanwhile
            if ok:
                self.conn.execute("UPDATE alert_outbox SET status = 'sent', attempts = attempts + 1, sent_at = ?, "
                                  "last_error = NULL WHERE id = ?", (now, alert_id))
            else:
                self.conn.execute(
                    "UPDATE alert_outbox SET status = ?, attempts = attempts + 1, last_error = ?, "
                    "next_attempt_at = coalesce(?, next_attempt_at) WHERE id = ?",
                    ("pending" if next_attempt_at else "failed", error, next_attempt_at, alert_id))

    def watchlist_article_ids(self, watchlist: str, *, limit: int = 50) -> list[int]:
        """Matched article ids, latest first."""
        return [r[0] for r in self.conn.execute(
            "SELECT article_id FROM watch_matches WHERE watchlist = ? ORDER BY matched_at DESC, article_id DESC "
            "LIMIT ?", (watchlist, limit))]

    def recent_alerts(self, watchlist: str, *, limit: int = 20) -> list[dict[str, Any]]:
        """Latest outbox rows of a watchlist."""
        rows = self.conn.execute("SELECT * FROM alert_outbox WHERE watchlist = ? ORDER BY id DESC LIMIT ?",
                                 (watchlist, limit)).fetchall()
        return [dict(r) for r in rows]
