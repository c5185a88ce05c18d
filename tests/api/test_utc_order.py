"""The API and the feeds order and filter publication times by their instant, on both backends, and hand back
``published_at`` as the page gave it (its own UTC offset). The four articles of tests/store/test_utc_order.py:
newest first in UTC D, B, A, C; as text D, C, A, B."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from marsad.store import open_store
from marsad.web.app import create_app
from tests.api.conftest import StoreRef, _new
from tests.factories import add, article
from tests.store.test_utc_order import UTC, A, B, C, D

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture()
def utc_client(api_backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[TestClient,
                                                                                                   dict[str, int]]]:
    """The reader over a store of the four articles, all in story 1."""
    ref: StoreRef = _new(api_backend, request, tmp_path, "utc.db")
    store = open_store(ref)
    try:
        ids = dict(zip("ABCD", add(store, *(article(f"نص الخبر {n} عن قمة موسكو والرئيسين", title=f"قمة موسكو {n}",
                                                    source="مثال", published_at=when)
                                            for n, when in zip("ABCD", (A, B, C, D), strict=True))), strict=True))
        with store.transaction():
            for aid in ids.values():
                store.set_story(aid, 1)
            store.refresh_stories([1], {1: ids["A"]}, active_since=None)
    finally:
        store.close()
    with TestClient(create_app(ref)) as client:
        yield client, ids


def _order(ids: dict[str, int], found: list[int]) -> str:
    back = {v: k for k, v in ids.items()}
    return "".join(back[i] for i in found)


def test_articles_search_sources_and_health_by_instant(utc_client: tuple[TestClient, dict[str, int]]) -> None:
    client, ids = utc_client
    items = client.get("/api/articles").json()["items"]
    assert _order(ids, [i["id"] for i in items]) == "DBAC"
    assert [i["published_at"] for i in items] == [D, B, A, C]                  # the page's own offsets
    day8 = client.get("/api/articles", params={"until": "2018-05-08"}).json()["items"]
    assert _order(ids, [i["id"] for i in day8]) == "BAC"                        # C's local day is the 9th
    hits = client.get("/api/search", params={"q": "قمة موسكو", "until": "2018-05-08"}).json()["hits"]
    assert sorted(_order(ids, [h["id"] for h in hits])) == ["A", "B", "C"]
    hits = client.get("/api/search", params={"q": "قمة موسكو", "since": "2018-05-09"}).json()["hits"]
    assert _order(ids, [h["id"] for h in hits]) == "D"
    source = client.get("/api/sources/مثال").json()
    assert (source["first_published"], source["last_published"]) == (C, D)
    assert client.get("/api/health").json()["latest_published"] == D
    story = client.get("/api/stories/1").json()
    assert _order(ids, [m["id"] for m in story["members"]]) == "CABD"
    assert (story["first_seen"], story["last_updated"]) == (UTC[C], UTC[D])


def test_story_and_source_feeds_are_newest_first_by_instant(utc_client: tuple[TestClient, dict[str, int]]) -> None:
    client, ids = utc_client
    for path in ("/stories/1.atom", "/sources/مثال.atom"):
        feed = ET.fromstring(client.get(path).content)
        entries = [int(e.findtext(f"{ATOM}id", "").rsplit("/", 1)[1]) for e in feed.iter(f"{ATOM}entry")]
        assert _order(ids, entries) == "DBAC", path
