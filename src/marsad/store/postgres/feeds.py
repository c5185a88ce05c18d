"""PostgreSQL side of live sources: per-feed state and the feed item URLs already handled (``FeedStateStore``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from marsad.store.postgres.common import PgMixin
from marsad.times import now_iso as _now
from marsad.times import to_iso, utc_now

FEED_STATE_FIELDS = frozenset({"etag", "last_modified", "last_polled", "last_success", "next_poll", "error_count",
                               "last_error", "interval", "polls", "not_modified", "items_seen", "items_new",
                               "last_new_items", "title", "language"})
"""The columns ``save_feed_state`` may set (SQLite's list)."""


class PgFeeds(PgMixin):
    """Feed state and feed items (a mixin of ``PostgresStore``)."""

    def upsert_feed(self, url: str, *, title: str | None, source: str | None, language: str | None,
                    interval: float) -> None:
        """Register a feed (keeping its state if known) and refresh its descriptive fields."""
        self._exec(
            "INSERT INTO feeds(url, title, source, language, interval, added_at) VALUES (%s,%s,%s,%s,%s,%s) "
            "ON CONFLICT (url) DO UPDATE SET title = coalesce(excluded.title, feeds.title), "
            "source = coalesce(excluded.source, feeds.source), language = coalesce(excluded.language, feeds.language)",
            (url, title, source, language, interval, _now()))

    def get_feed(self, url: str) -> dict[str, Any] | None:
        """One feed's state."""
        return self._one("SELECT * FROM feeds WHERE url = %s", (url,))

    def list_feeds(self) -> list[dict[str, Any]]:
        """All feeds with their state and the number of articles stored from each."""
        return self._all(
            "SELECT f.*, (SELECT count(*) FROM feed_items i WHERE i.feed_url = f.url AND i.status = 'ingested') "
            "AS articles FROM feeds f ORDER BY f.source NULLS FIRST, f.url")

    def save_feed_state(self, url: str, **fields: Any) -> None:
        """Update columns of a feed's state (names are checked against the table)."""
        bad = set(fields) - FEED_STATE_FIELDS
        if bad:
            raise ValueError(f"unknown feed state fields: {sorted(bad)}")
        if not fields:
            return
        sets = ", ".join(f"{k} = %s" for k in fields)
        self._exec(f"UPDATE feeds SET {sets} WHERE url = %s", (*fields.values(), url))

    def feed_item_status(self, url_key: str) -> tuple[str, int] | None:
        """(status, attempts) of a feed item URL already handled, or None."""
        row = self._one("SELECT status, attempts FROM feed_items WHERE url_key = %s", (url_key,))
        return (row["status"], row["attempts"]) if row else None

    def mark_feed_item(self, url_key: str, feed_url: str, *, status: str, article_id: int | None = None,
                       error: str | None = None, url: str | None = None) -> None:
        """Remember that a feed item URL was ingested, stored from the feed's text or failed, counting attempts."""
        now = _now()
        self._exec(
            "INSERT INTO feed_items(url_key, feed_url, article_id, status, last_error, first_seen, last_seen, url) "
            "VALUES (%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT (url_key) DO UPDATE SET status = excluded.status, "
            "article_id = coalesce(excluded.article_id, feed_items.article_id), last_error = excluded.last_error, "
            "attempts = feed_items.attempts + 1, last_seen = excluded.last_seen, "
            "url = coalesce(excluded.url, feed_items.url)",
            (url_key, feed_url, article_id, status, error, now, now, url))

    def pending_feed_items(self, feed_url: str, *, max_attempts: int) -> list[tuple[str, str, int | None]]:
        """Items of ``feed_url`` stored from the feed's text whose page is to be retried."""
        rows = self._all(
            "SELECT url_key, url, article_id FROM feed_items WHERE feed_url = %s AND status = 'feed' "
            "AND url IS NOT NULL AND attempts < %s ORDER BY first_seen, url_key", (feed_url, max_attempts))
        return [(r["url_key"], r["url"], r["article_id"]) for r in rows]

    def claim_feeds(self, owner: str, urls: Sequence[str], *, seconds: float) -> list[str]:
        """Lease to ``owner`` for ``seconds`` those of ``urls`` that no other watcher holds (or whose lease ran out):
        ``FOR UPDATE SKIP LOCKED``, so two watchers claiming at once never wait on or take the same feed."""
        if not urls:
            return []
        now = utc_now()
        with self._write() as conn:
            got = {r["url"] for r in conn.execute(
                "UPDATE feeds SET lease_owner = %s, lease_until = %s WHERE url IN (SELECT url FROM feeds "
                "WHERE url = ANY(%s) AND (lease_owner IS NULL OR lease_owner = %s OR lease_until IS NULL "
                "OR lease_until < %s) FOR UPDATE SKIP LOCKED) RETURNING url",
                (owner, to_iso(now + timedelta(seconds=seconds)), list(urls), owner, to_iso(now))).fetchall()}
        return [u for u in urls if u in got]

    def release_feeds(self, owner: str, urls: Sequence[str]) -> None:
        """Give back ``owner``'s leases on ``urls`` (a lease another watcher took over is left alone)."""
        if urls:
            self._exec("UPDATE feeds SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = %s "
                       "AND url = ANY(%s)", (owner, list(urls)))
