"""PostgreSQL side of watchlists (mixed into ``PostgresStore``): watchlists, their matches, the alert outbox and
the delivery attempts (``WatchlistStore``), the same rows SQLite keeps."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from marsad.store.postgres.common import PgMixin, next_id
from marsad.store.rows import WATCHLIST_COLUMNS, WATCHLIST_HEALTH, watchlist_row
from marsad.times import now_iso as _now


class PgWatchlists(PgMixin):
    """Watchlists and alerts (a mixin of ``PostgresStore``)."""

    def add_watchlist(self, row: dict[str, Any]) -> bool:
        """Store a watchlist; False when the name is taken."""
        values = [json.dumps(list(row.get("sources") or []), ensure_ascii=False) if c == "sources" else row.get(c)
                  for c in WATCHLIST_COLUMNS]
        with self._write() as conn:
            cur = conn.execute(
                f"INSERT INTO watchlists({', '.join(WATCHLIST_COLUMNS)}, created_at) "
                f"VALUES ({', '.join(['%s'] * (len(WATCHLIST_COLUMNS) + 1))}) ON CONFLICT (name) DO NOTHING",
                (*values, _now()))
            return cur.rowcount == 1

    def get_watchlist(self, name: str) -> dict[str, Any] | None:
        """One watchlist, or None."""
        row = self._one("SELECT * FROM watchlists WHERE name = %s", (name,))
        return watchlist_row(row) if row else None

    def list_watchlists(self, *, health: bool = True) -> list[dict[str, Any]]:
        """Every watchlist (with its health unless ``health`` is False)."""
        extra = f", {WATCHLIST_HEALTH}" if health else ""
        return [watchlist_row(r) for r in self._all(f"SELECT w.*{extra} FROM watchlists w ORDER BY w.name")]

    def remove_watchlist(self, name: str) -> bool:
        """Delete a watchlist and everything it made."""
        with self._write() as conn:
            conn.execute("DELETE FROM delivery_attempts WHERE alert_id IN "
                         "(SELECT id FROM alert_outbox WHERE watchlist = %s)", (name,))
            conn.execute("DELETE FROM alert_outbox WHERE watchlist = %s", (name,))
            conn.execute("DELETE FROM watch_matches WHERE watchlist = %s", (name,))
            return conn.execute("DELETE FROM watchlists WHERE name = %s", (name,)).rowcount == 1

    def add_match(self, watchlist: str, article_id: int, *, digest_window: str | None = None) -> bool:
        """Record a match; False when known."""
        with self._write() as conn:
            cur = conn.execute(
                "INSERT INTO watch_matches(watchlist, article_id, matched_at, digest_window) VALUES (%s,%s,%s,%s) "
                "ON CONFLICT DO NOTHING", (watchlist, article_id, _now(), digest_window))
            return cur.rowcount == 1

    def enqueue_alert(self, *, key: str, channel: str, watchlist: str, target: str, body: str,
                      article_id: int | None = None, story_id: int | None = None) -> bool:
        """An alert in the outbox, due now; False when (key, channel) is there."""
        now = _now()
        with self._write() as conn:
            cur = conn.execute(
                "INSERT INTO alert_outbox(id, key, channel, watchlist, target, body, article_id, story_id, "
                f"next_attempt_at, created_at) VALUES ({next_id('alert_outbox')},%s,%s,%s,%s,%s,%s,%s,%s,%s) "
                "ON CONFLICT (key, channel) DO NOTHING",
                (key, channel, watchlist, target, body, article_id, story_id, now, now))
            return cur.rowcount == 1

    def article_story_ids(self, ids: Sequence[int]) -> dict[int, int | None]:
        """article id -> story id."""
        if not ids:
            return {}
        return {r["id"]: r["story_id"] for r in self._all(
            "SELECT id, story_id FROM articles WHERE id = ANY(%s)", (list(ids),))}

    def story_outlets(self, story_ids: Sequence[int]) -> dict[int, set[str]]:
        """story id -> outlets of its articles."""
        out: dict[int, set[str]] = {}
        if not story_ids:
            return out
        for r in self._all("SELECT DISTINCT story_id, source FROM articles WHERE story_id = ANY(%s) "
                           "AND source IS NOT NULL", (list(story_ids),)):
            out.setdefault(r["story_id"], set()).add(r["source"])
        return out

    def matched_stories(self, watchlist: str, story_ids: Sequence[int]) -> set[int]:
        """Stories among ``story_ids`` with an article the watchlist matched."""
        if not story_ids:
            return set()
        return {r["story_id"] for r in self._all(
            "SELECT DISTINCT a.story_id FROM watch_matches m JOIN articles a ON a.id = m.article_id "
            "WHERE m.watchlist = %s AND a.story_id = ANY(%s)", (watchlist, list(story_ids)))}

    def undigested_matches(self, watchlist: str, *, before_window: str) -> list[tuple[str, int]]:
        """(window, article id) of matches waiting for a digest whose window has closed."""
        return [(r["digest_window"], r["article_id"]) for r in self._all(
            "SELECT digest_window, article_id FROM watch_matches WHERE watchlist = %s AND digest_key IS NULL "
            "AND digest_window IS NOT NULL AND digest_window < %s ORDER BY digest_window, article_id",
            (watchlist, before_window))]

    def mark_digested(self, watchlist: str, article_ids: Sequence[int], key: str) -> None:
        """Note the digest that carried these matches."""
        self._exec("UPDATE watch_matches SET digest_key = %s WHERE watchlist = %s AND article_id = ANY(%s)",
                   (key, watchlist, list(article_ids)))

    def due_alerts(self, now: str, *, limit: int = 100) -> list[dict[str, Any]]:
        """Pending alerts due at ``now``, oldest first."""
        return self._all("SELECT * FROM alert_outbox WHERE status = 'pending' AND next_attempt_at <= %s "
                         "ORDER BY next_attempt_at, id LIMIT %s", (now, limit))

    def next_alert_due(self) -> str | None:
        """The earliest pending due time."""
        value = self._value("SELECT min(next_attempt_at) FROM alert_outbox WHERE status = 'pending'")
        return str(value) if value is not None else None

    def record_attempt(self, alert_id: int, *, ok: bool, status: int | None, error: str | None, seconds: float,
                       next_attempt_at: str | None) -> None:
        """One attempt, and the alert's new state."""
        now = _now()
        with self._write() as conn:
            conn.execute(f"INSERT INTO delivery_attempts(id, alert_id, at, ok, status, error, seconds) "
                         f"SELECT {next_id('delivery_attempts')},%s,%s,%s,%s,%s,%s "
                         "WHERE EXISTS (SELECT 1 FROM alert_outbox WHERE id = %s)",
                         (alert_id, now, int(ok), status, error, float(seconds), alert_id))   # gone: removed meanwhile
            if ok:
                conn.execute("UPDATE alert_outbox SET status = 'sent', attempts = attempts + 1, sent_at = %s, "
                             "last_error = NULL WHERE id = %s", (now, alert_id))
            else:
                conn.execute(
                    "UPDATE alert_outbox SET status = %s, attempts = attempts + 1, last_error = %s, "
                    "next_attempt_at = coalesce(%s, next_attempt_at) WHERE id = %s",
                    ("pending" if next_attempt_at else "failed", error, next_attempt_at, alert_id))

    def watchlist_article_ids(self, watchlist: str, *, limit: int = 50) -> list[int]:
        """Matched article ids, latest first."""
        return [r["article_id"] for r in self._all(
            "SELECT article_id FROM watch_matches WHERE watchlist = %s ORDER BY matched_at DESC, article_id DESC "
            "LIMIT %s", (watchlist, limit))]

    def recent_alerts(self, watchlist: str, *, limit: int = 20) -> list[dict[str, Any]]:
        """Latest outbox rows of a watchlist."""
        return self._all("SELECT * FROM alert_outbox WHERE watchlist = %s ORDER BY id DESC LIMIT %s",
                         (watchlist, limit))
