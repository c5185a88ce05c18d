"""Watchlists over the API (token-guarded writes), their page and their Atom feed, on both backends."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient

from marsad.web.app import create_app
from tests.api.test_writes import RECORD, TOKEN

AUTH = {"Authorization": f"Bearer {TOKEN}"}
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture()
def writable(sample_db: Path | str, store_copy: Callable[[Path | str], Path | str]) -> Iterator[TestClient]:
    with TestClient(create_app(store_copy(sample_db), token=TOKEN)) as c:
        yield c


def test_add_match_list_feed_page_and_remove(writable: TestClient) -> None:
    spec = {"name": "كتب", "query": "معرض الكتاب -السيارات", "webhook": "https://hooks.example/books",
            "email": "desk@example.org"}
    assert writable.post("/api/watchlists", json=spec).status_code == 401               # no token
    created = writable.post("/api/watchlists", json=spec, headers=AUTH)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["name"] == "كتب" and len(body["secret"]) == 64 and body["matches"] == 0
    assert writable.post("/api/watchlists", json=spec, headers=AUTH).status_code == 409
    bad = writable.post("/api/watchlists", json={"name": "x"}, headers=AUTH)
    assert bad.status_code == 422 and "something to watch" in bad.json()["error"]["message"]
    assert writable.post("/api/watchlists", json={**spec, "name": "y", "digest": "weekly"},
                         headers=AUTH).status_code == 422

    report = writable.post("/api/ingest/records", json={"records": [RECORD]}, headers=AUTH).json()
    assert report["stored"] == 1
    (row,) = writable.get("/api/watchlists").json()["watchlists"]
    assert (row["matches"], row["pending"], row["sent"]) == (1, 2, 0) and "secret" not in row
    detail = writable.get("/api/watchlists/كتب").json()
    assert [a["title"] for a in detail["articles"]] == [RECORD["title"]]
    assert sorted(a["channel"] for a in detail["alerts"]) == ["email", "webhook"]
    assert {a["status"] for a in detail["alerts"]} == {"pending"} and "body" not in detail["alerts"][0]
    assert writable.get("/api/watchlists/nothing").status_code == 404

    feed = writable.get("/watchlists/كتب.atom")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/atom+xml")
    entries = ElementTree.fromstring(feed.content).findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [RECORD["title"]]
    assert writable.get("/watchlists/كتب.atom", headers={"If-None-Match": feed.headers["etag"]}).status_code == 304
    assert writable.get("/watchlists/nothing.atom").status_code == 404

    page = writable.get("/watchlists")
    assert page.status_code == 200 and "كتب" in page.text and "/watchlists/%D9%83%D8%AA%D8%A8.atom" in page.text
    one = writable.get("/watchlists/كتب")
    assert RECORD["title"] in one.text and "hooks.example/books" in one.text and body["secret"] not in one.text
    assert 'rel="alternate" type="application/atom+xml"' in one.text

    assert writable.delete("/api/watchlists/كتب").status_code == 401
    assert writable.delete("/api/watchlists/كتب", headers=AUTH).status_code == 204
    assert writable.delete("/api/watchlists/كتب", headers=AUTH).status_code == 404
    assert writable.get("/api/watchlists").json() == {"watchlists": []}


def test_read_only_reader_lists_but_refuses_writes(client: TestClient) -> None:
    assert client.get("/api/watchlists").json() == {"watchlists": []}
    assert client.post("/api/watchlists", json={"name": "a", "query": "b"}, headers=AUTH).status_code == 403
    assert "لا قوائم مراقبة" in client.get("/watchlists").text
