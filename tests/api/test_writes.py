"""Write endpoints: only with a token (constant-time compare), 401/403 otherwise, body size limited."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from marsad.errors import ConfigError
from marsad.web.app import ServeOptions, StorePool, create_app

TOKEN = "a-long-enough-test-token-42"
RECORD = {"url": "https://example.org/news/api-1", "source": "وكالة الاختبار", "title": "افتتاح معرض الكتاب في المدينة",
          "text": "افتتح وزير الثقافة اليوم معرض الكتاب السنوي بمشاركة أكثر من ثلاثمئة دار نشر عربية وأجنبية، "
                  "ويستمر المعرض عشرة أيام تقام خلالها ندوات وأمسيات شعرية.",
          "published": "2025-04-26T08:00:00+03:00"}


@pytest.fixture()
def writable(sample_db: Path | str, store_copy: Callable[[Path | str], Path | str]) -> Iterator[TestClient]:
    """A reader with a token over a fresh copy of the sample store (in the backend under test)."""
    with TestClient(create_app(store_copy(sample_db), token=TOKEN)) as c:
        yield c


def test_read_only_server_refuses_writes(client: TestClient) -> None:
    resp = client.post("/api/ingest/records", json={"records": [RECORD]},
                       headers={"Authorization": f"Bearer {TOKEN}"})
    assert resp.status_code == 403 and resp.json()["error"]["code"] == "forbidden"
    assert "--token" in resp.json()["error"]["message"]
    assert client.get("/api/health").json()["writable"] is False


def test_token_is_required_and_checked(writable: TestClient) -> None:
    no_auth = writable.post("/api/ingest/records", json={"records": [RECORD]})
    assert no_auth.status_code == 401 and no_auth.headers["www-authenticate"] == "Bearer"
    wrong = writable.post("/api/ingest/records", json={"records": [RECORD]},
                          headers={"Authorization": "Bearer " + TOKEN[:-1] + "x"})
    assert wrong.status_code == 403
    basic = writable.post("/api/ingest/records", json={"records": [RECORD]}, headers={"Authorization": "Basic abc"})
    assert basic.status_code == 401
    # a refused write never reaches validation of the body
    assert writable.post("/api/ingest/records", json={"nope": 1}).status_code == 401


def test_ingest_records_then_read_them(writable: TestClient) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    before = writable.get("/api/health").json()["articles"]
    report = writable.post("/api/ingest/records", json={"records": [RECORD]}, headers=auth).json()
    assert report["stored"] == 1 and report["rejected"] == 0
    assert writable.get("/api/health").json()["articles"] == before + 1
    found = writable.get("/api/articles", params={"source": "وكالة الاختبار"}).json()
    assert [a["title"] for a in found["items"]] == [RECORD["title"]]
    again = writable.post("/api/ingest/records", json={"records": [RECORD]}, headers=auth).json()
    assert again["duplicate"] == 1 and again["stored"] == 0          # re-ingesting adds nothing
    page = writable.post("/api/ingest/page", headers=auth, json={
        "html": "<html><head><title>صفحة مرسلة</title></head><body><article><h1>صفحة مرسلة</h1><p>"
                + RECORD["text"].replace("الكتاب", "الفنون") + "</p></article></body></html>",
        "url": "https://example.org/news/page-2", "source": "وكالة الاختبار"}).json()
    assert page["stored"] + page["duplicate"] == 1


@pytest.mark.parametrize("body", [{"records": []}, {"records": "x"}, {"records": [RECORD], "extra": 1}, {}])
def test_bad_bodies_are_422(writable: TestClient, body: object) -> None:
    resp = writable.post("/api/ingest/records", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert resp.status_code == 422 and resp.json()["error"]["code"] == "invalid_parameter"


def test_page_url_must_be_http(writable: TestClient) -> None:
    resp = writable.post("/api/ingest/page", json={"html": "<p>x</p>", "url": "javascript:alert(1)"},
                         headers={"Authorization": f"Bearer {TOKEN}"})
    assert resp.status_code == 422


def test_body_size_limit(writable: TestClient) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    big = writable.post("/api/ingest/page", json={"html": "x" * (3 * 1024 * 1024)}, headers=auth)
    assert big.status_code == 413 and big.json()["error"]["code"] == "payload_too_large"

    def chunks() -> Iterator[bytes]:                 # no Content-Length: counted while it streams in
        yield b'{"html": "'
        for _ in range(40):
            yield b"x" * 65536
        yield b'"}'

    streamed = writable.post("/api/ingest/page", content=chunks(),
                             headers={**auth, "Content-Type": "application/json"})
    assert streamed.status_code == 413


def test_options_are_validated_once() -> None:
    with pytest.raises(ConfigError, match="at least 16"):
        ServeOptions(token="short")
    with pytest.raises(ConfigError):
        ServeOptions(threads=0)


def test_missing_store_fails_at_start(tmp_path: Path) -> None:
    from marsad.errors import StoreError

    with pytest.raises(StoreError, match="no store"):
        create_app(tmp_path / "absent.db")


def test_each_thread_has_its_own_connection(sample_db: Path | str) -> None:
    import threading

    pool = StorePool(str(sample_db))
    here = pool.get()
    assert pool.get() is here
    other: list[object] = []
    t = threading.Thread(target=lambda: other.append(pool.get()))
    t.start()
    t.join()
    assert other[0] is not here
    if hasattr(here, "conn"):                       # SQLite: one connection each (PostgreSQL: a pool each)
        assert other[0].conn is not here.conn       # type: ignore[attr-defined]
    assert here.readonly
    pool.close_all()
