"""FeedStateStore and ReaderStore: feed state across restarts, the reader's pages, the change marker."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from marsad.models import SearchFilters
from marsad.store import Store
from tests.factories import add, article


def test_feed_state(store: Store) -> None:
    assert store.get_feed("https://e.com/rss") is None and store.list_feeds() == []
    store.upsert_feed("https://e.com/rss", title="أخبار", source="e", language="ar", interval=300.0)
    store.upsert_feed("https://e.com/rss", title=None, source=None, language=None, interval=60.0)  # keeps what is known
    feed = store.get_feed("https://e.com/rss")
    assert feed is not None
    assert (feed["title"], feed["source"], feed["language"], feed["interval"]) == ("أخبار", "e", "ar", 300.0)
    assert feed["next_poll"] is None and feed["error_count"] == 0
    store.save_feed_state("https://e.com/rss", etag='"v1"', next_poll="2024-01-01T00:05:00+00:00", error_count=2)
    feed = store.get_feed("https://e.com/rss")
    assert feed is not None and (feed["etag"], feed["error_count"]) == ('"v1"', 2)
    with pytest.raises(ValueError, match="unknown feed state fields"):
        store.save_feed_state("https://e.com/rss", colour="red")
    (aid,) = add(store, article())
    assert store.feed_item_status("k1") is None
    with store.transaction():
        store.mark_feed_item("k1", "https://e.com/rss", status="failed", error="timeout")
        store.mark_feed_item("k1", "https://e.com/rss", status="ingested", article_id=aid)
        store.mark_feed_item("k2", "https://e.com/rss", status="failed", error="404")
    assert store.feed_item_status("k1") == ("ingested", 2)
    assert store.feed_item_status("k2") == ("failed", 1)
    listed = store.list_feeds()
    assert [(f["url"], f["articles"]) for f in listed] == [("https://e.com/rss", 1)]
    store.upsert_feed("https://z.com/rss", title=None, source=None, language=None, interval=60.0)
    store.upsert_feed("https://a.com/rss", title=None, source="a", language=None, interval=60.0)
    assert [f["url"] for f in store.list_feeds()] == ["https://z.com/rss", "https://a.com/rss",   # no source first
                                                      "https://e.com/rss"]


def test_articles_stored_from_a_feed_and_their_pages_to_retry(store: Store) -> None:
    """Issue 17: an article stored from a feed's text says so, its item keeps its link until the page is fetched,
    and the upgrade replaces it in place (same id, next version, text_source back to "page")."""
    (aid,) = add(store, article("ملخص قصير من الخلاصة", text_source="feed"))
    assert store.get_article(aid)["text_source"] == "feed"  # type: ignore[index]
    with store.transaction():
        store.mark_feed_item("k1", "https://e.com/rss", status="feed", article_id=aid, error="HTTP 404",
                             url="https://e.com/a/1")
        store.mark_feed_item("k2", "https://e.com/rss", status="ingested", url="https://e.com/a/2")
        store.mark_feed_item("k3", "https://other.com/rss", status="feed", url="https://other.com/a/3")
    assert store.pending_feed_items("https://e.com/rss", max_attempts=3) == [("k1", "https://e.com/a/1", aid)]
    assert store.pending_feed_items("https://e.com/rss", max_attempts=1) == []   # one attempt made already
    with store.transaction():
        store.mark_feed_item("k1", "https://e.com/rss", status="feed", error="timeout")   # url and article kept
    assert store.pending_feed_items("https://e.com/rss", max_attempts=3) == [("k1", "https://e.com/a/1", aid)]
    assert store.feed_item_status("k1") == ("feed", 2)
    with store.transaction():
        store.update_article(aid, article("النص الكامل للخبر كما نشر في الصفحة"))
        store.mark_feed_item("k1", "https://e.com/rss", status="ingested", article_id=aid)
    got = store.get_article(aid)
    assert got is not None and (got["text_source"], got["version"]) == ("page", 2)
    assert store.pending_feed_items("https://e.com/rss", max_attempts=3) == []


def test_feed_leases_one_watcher_at_a_time(backend: Callable[[Path], Store], tmp_path: Path) -> None:
    """Two watchers (two connections) share the feed list: a feed is leased to one until released or run out."""
    first, second = backend(tmp_path), backend(tmp_path)
    try:
        urls = ["https://a.example/rss", "https://b.example/rss", "https://c.example/rss"]
        for u in urls:
            first.upsert_feed(u, title=None, source=None, language=None, interval=900.0)
        assert first.claim_feeds("w1", urls[:2], seconds=600) == urls[:2]
        assert second.claim_feeds("w2", urls, seconds=600) == urls[2:]        # only the free one
        assert first.claim_feeds("w1", urls[:2], seconds=600) == urls[:2]     # a holder renews its own
        second.release_feeds("w2", urls[:2])                                  # not its leases: nothing happens
        assert second.claim_feeds("w2", urls[:1], seconds=600) == []
        first.release_feeds("w1", urls[:1])
        assert second.claim_feeds("w2", urls[:1], seconds=600) == urls[:1]
        assert first.claim_feeds("w1", urls[1:2], seconds=-5) == urls[1:2]    # a lease already run out ...
        assert second.claim_feeds("w2", urls[1:2], seconds=600) == urls[1:2]  # ... is taken over
        assert first.claim_feeds("w1", [], seconds=600) == []
        assert {f["url"]: f["lease_owner"] for f in first.list_feeds()} == dict.fromkeys(urls, "w2")
    finally:
        first.close()
        second.close()


def test_feed_state_survives_a_restart(backend: Callable[[Path], Store], tmp_path: Path) -> None:
    first = backend(tmp_path)
    first.upsert_feed("https://e.com/rss", title="t", source="e", language=None, interval=120.0)
    first.save_feed_state("https://e.com/rss", polls=3)
    first.close()
    again = backend(tmp_path)
    assert again.get_feed("https://e.com/rss")["polls"] == 3  # type: ignore[index]
    again.close()


def test_change_marker_changes_when_another_connection_commits(backend: Callable[[Path], Store],
                                                              tmp_path: Path) -> None:
    reader, writer = backend(tmp_path), backend(tmp_path)
    try:
        before = reader.change_marker()
        assert reader.change_marker() == before                 # nothing happened
        add(writer, article())
        after = reader.change_marker()
        assert after != before
        assert reader.change_marker() == after                  # stable again until the next commit
        mine = writer.change_marker()
        with writer.transaction():
            writer.set_story(1, 7)
        assert reader.change_marker() != after
        assert writer.change_marker() == mine                   # a connection's own writes do not move its marker
        assert reader.get_article(1)["story_id"] == 7  # type: ignore[index]
    finally:
        reader.close()
        writer.close()


def test_reader_pages(store: Store) -> None:
    a, b, c, d = add(store,
                     article("أ", title="أول", source="bbc", published_at="2024-03-01T10:00:00+00:00",
                             category="politics"),
                     article("ب", title="ثان", source="bbc", published_at="2024-03-02T01:00:00+03:00"),
                     article("أ ", title="أول", source="cnn", published_at="2024-03-01T23:00:00+00:00"),
                     article("د", title="رابع", source="cnn", published_at=None),
                     duplicate_of={3: 1})
    total, page = store.list_articles(SearchFilters(), limit=2)
    assert total == 3 and [r["id"] for r in page] == [b, a]              # newest first, copies left out
    total, page = store.list_articles(SearchFilters(include_duplicates=True), limit=10, offset=1)
    assert total == 4 and [r["id"] for r in page] == [b, a, d]      # in UTC: c (23:00) is newer than b (22:00)
    assert [r["id"] for r in store.list_articles(SearchFilters(include_duplicates=True), limit=1)[1]] == [c]
    assert page[1]["category"] == "politics" and page[1]["title"] == "أول"
    assert [(s["source"], s["articles"], s["duplicates"]) for s in store.list_sources()] == [("bbc", 2, 0),
                                                                                             ("cnn", 2, 1)]
    assert store.source_names() == ["bbc", "cnn"]
    summary = store.source_summary("bbc")
    assert summary is not None and summary["articles"] == 2 and summary["first_published"].startswith("2024-03-01")
    assert store.source_summary("nobody") is None
    assert store.source_volume("bbc") == [{"day": "2024-03-01", "articles": 1}, {"day": "2024-03-02", "articles": 1}]
    assert store.latest_published() == "2024-03-01T23:00:00+00:00"       # 2024-03-02T01:00+03:00 is earlier
    counts = store.reader_counts()
    assert (counts["articles"], counts["stories"], counts["entities"]) == (4, 0, 0)


def test_reader_entities_and_stories(store: Store) -> None:
    a, b = add(store, article("أ", title="قمة"), article("ب", title="لقاء"))
    with store.transaction():
        putin = store.create_entity("PERS:بوتين", "PERS", "بوتين")
        kim = store.create_entity("PERS:كيم", "PERS", "كيم")
        store.replace_article_entities(a, [(putin, "بوتين", 2), (kim, "كيم", 1)])
        store.replace_article_entities(b, [(putin, "وبوتين", 1)])
        store.set_story(a, 1)
        store.set_story(b, 1)
        store.refresh_stories([1], {1: a}, active_since=None)
    entity = store.get_entity("PERS:بوتين")
    assert entity is not None
    assert (entity["id"], entity["canonical_name"], entity["mentions"], entity["articles"]) == (putin, "بوتين", 3, 2)
    assert entity["variants"] == [{"form": "بوتين", "count": 2, "articles": 1},
                                  {"form": "وبوتين", "count": 1, "articles": 1}]
    assert store.get_entity("PERS:غيره") is None
    stories = store.entity_stories("PERS:كيم")
    assert [(s["id"], s["entity_articles"]) for s in stories] == [(1, 1)]
    total, page = store.entity_page(limit=1)
    assert total == 2 and [e["canonical_id"] for e in page] == ["PERS:بوتين"]
    assert store.entity_page(prefix="كي")[1][0]["canonical_id"] == "PERS:كيم"
    assert store.entity_page(prefix="%")[0] == 0                          # LIKE wildcards are plain characters
    total, page = store.story_page()
    assert total == 1 and page[0]["headline"] == "قمة" and "members" not in page[0]
    assert store.reader_counts()["stories"] == 1
