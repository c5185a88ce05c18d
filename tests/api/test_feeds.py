"""Feed health on the source API and page, from feed state kept by `marsad watch`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from marsad.store import open_store
from marsad.web.app import create_app


def test_feed_health_is_shown(sample_db: Path | str, store_copy: Callable[[Path | str], Path | str]) -> None:
    copy = store_copy(sample_db)
    store = open_store(copy)
    store.upsert_feed("https://www.aljazeera.net/rss", title="الجزيرة", source="الجزيرة نت", language="ar",
                      interval=900)
    store.save_feed_state("https://www.aljazeera.net/rss", error_count=3, last_error="timeout after 30 s")
    store.upsert_feed("https://www.alarabiya.net/feed", title="العربية", source="العربية", language="ar", interval=600)
    store.save_feed_state("https://www.alarabiya.net/feed", last_success="2025-04-25T20:00:00+00:00")
    store.close()
    with TestClient(create_app(copy)) as client:
        feeds = {f["source"]: f for f in client.get("/api/sources").json()["feeds"]}
        assert feeds["الجزيرة نت"]["health"] == "failing" and feeds["العربية"]["health"] == "ok"
        one = client.get("/api/sources/الجزيرة نت").json()
        assert [f["url"] for f in one["feeds"]] == ["https://www.aljazeera.net/rss"]
        html = client.get("/sources/الجزيرة نت").text
        assert "متعطلة" in html and "timeout after 30 s" in html and "سليمة" not in html
        assert "سليمة" in client.get("/sources/العربية").text
