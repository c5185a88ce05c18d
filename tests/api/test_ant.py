"""The reader over real ANT records (one day of the multi-source corpus, five outlets): what an editor would see."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from marsad.store import open_store
from marsad.web.app import create_app


@pytest.fixture(scope="module")
def ant(ant_db: Path) -> Iterator[tuple[TestClient, Any]]:
    """A client and a store over the ANT sample."""
    store = open_store(ant_db, readonly=True)
    with TestClient(create_app(ant_db)) as c:
        yield c, store
    store.close()


def test_front_page_of_a_historical_corpus(ant: tuple[TestClient, Any]) -> None:
    client, _ = ant
    top = client.get("/api/stories/top", params={"limit": 12}).json()
    assert top["now"] is not None and top["now"].startswith("2018-05-")     # the corpus' time, not today
    assert len(top["items"]) == 12
    assert sum(1 for i in top["items"] if len(i["story"]["outlets"]) >= 2) >= 3     # cross-outlet stories lead
    html = client.get("/").text
    for item in top["items"][:5]:
        assert str(escape(item["story"]["headline"])) in html


def test_biggest_story_page(ant: tuple[TestClient, Any]) -> None:
    client, store = ant
    biggest = max(store.list_stories(limit=None), key=lambda s: s["size"])
    assert biggest["size"] >= 3
    html = client.get(f"/stories/{biggest['id']}").text
    story = client.get(f"/api/stories/{biggest['id']}").json()
    for member in story["members"]:
        assert f'href="/articles/{member["id"]}"' in html
    assert html.count('class="outlet-group"') == len({m["source"] for m in story["members"]})


def test_search_and_entity_pages(ant: tuple[TestClient, Any]) -> None:
    client, store = ant
    top = store.list_entities(limit=1)[0]
    page = client.get(f"/api/entities/{top['canonical_id']}").json()
    assert page["mentions"] == top["mentions"] and page["variants"] == [
        {**v, "articles": page["variants"][i]["articles"]} for i, v in enumerate(top["variants"])]
    html = client.get(f"/entities/{top['canonical_id']}").text
    for variant in top["variants"][:5]:
        assert str(escape(variant["form"])) in html
    art = next(a for a in store.iter_articles() if a["duplicate_of"] is None and len(a["title"].split()) >= 4)
    found = client.get("/api/search", params={"q": art["title"], "k": 5}).json()
    assert art["id"] in [h["id"] for h in found["hits"]]
    assert "<mark>" in client.get("/search", params={"q": art["title"]}).text


def test_every_article_page_renders(ant: tuple[TestClient, Any]) -> None:
    client, store = ant
    ids = [a["id"] for a in store.iter_articles()][::15]
    for article_id in ids:
        resp = client.get(f"/articles/{article_id}")
        assert resp.status_code == 200, article_id
        assert "هـ" in resp.text or "تاريخ النشر غير معروف" in resp.text
