"""The JSON API over a store built from samples/ (and the hostile fixtures): content, paging, errors, caching."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from marsad.models import SearchFilters
from marsad.query.related import REASONS
from marsad.web.app import CSP

ERROR_KEYS = {"code", "message"}


def _error(resp: Any, status: int, code: str) -> str:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error"} and set(body["error"]) >= ERROR_KEYS, body
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return str(body["error"]["message"])


def test_health_counts_match_the_store(client: TestClient, sample_store: Any) -> None:
    body = client.get("/api/health").json()
    stats = sample_store.stats()
    assert body["status"] == "ok" and body["writable"] is False
    assert body["articles"] == stats["articles"] > 40
    assert body["schema_version"] == stats["schema_version"]
    assert body["stories"] == len(sample_store.list_stories())


def test_articles_pages_cover_every_canonical_article_once(client: TestClient, sample_store: Any) -> None:
    seen: list[int] = []
    offset: int | None = 0
    while offset is not None:
        page = client.get("/api/articles", params={"limit": 7, "offset": offset}).json()
        assert page["limit"] == 7 and page["offset"] == offset and len(page["items"]) <= 7
        seen += [a["id"] for a in page["items"]]
        offset = page["next_offset"]
    total, _ = sample_store.list_articles(SearchFilters(), limit=1)
    assert len(seen) == len(set(seen)) == total
    assert all(sample_store.get_article(i)["duplicate_of"] is None for i in seen)
    with_copies = client.get("/api/articles", params={"include_duplicates": True, "limit": 1}).json()["total"]
    assert with_copies == sample_store.stats()["articles"] > total


def test_article_filters(client: TestClient) -> None:
    page = client.get("/api/articles", params={"source": "الجزيرة نت", "limit": 100}).json()
    assert page["total"] >= 3 and {a["source"] for a in page["items"]} == {"الجزيرة نت"}
    dated = client.get("/api/articles", params={"since": "2025-04-25", "until": "2025-04-25", "limit": 100}).json()
    assert dated["total"] >= 3
    assert all(a["published_at"].startswith("2025-04-2") for a in dated["items"])
    sport = client.get("/api/articles", params={"category": "sport", "limit": 100}).json()
    assert sport["total"] >= 3 and all(a["category"] == "sport" for a in sport["items"])


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"offset": -1}, {"since": "yesterday"},
                                    {"until": "2025-13"}, {"category": "weather"}, {"story": 0}])
def test_article_list_rejects_bad_parameters(client: TestClient, params: dict[str, Any]) -> None:
    message = _error(client.get("/api/articles", params=params), 422, "invalid_parameter")
    assert next(iter(params)) in message


def test_since_after_until_is_a_bad_query(client: TestClient) -> None:
    message = _error(client.get("/api/articles", params={"since": "2025-05", "until": "2025-04"}), 400, "bad_query")
    assert "after" in message


def test_article_is_the_stored_article_json(client: TestClient, sample_store: Any) -> None:
    art = client.get("/api/articles/35").json()
    stored = sample_store.get_article(35)
    for key in ("id", "url", "source", "title", "text", "published_at", "tags", "origin", "entities", "story_id"):
        assert art[key] == stored[key]
    assert "no article 999999" in _error(client.get("/api/articles/999999"), 404, "not_found")
    _error(client.get("/api/articles/abc"), 422, "invalid_parameter")
    _error(client.get(f"/api/articles/{2**63}"), 422, "invalid_parameter")


def test_related_items_say_why(client: TestClient) -> None:
    body = client.get("/api/articles/35/related", params={"k": 5}).json()
    assert body["article"]["id"] == 35 and 1 <= len(body["items"]) <= 5
    assert all(item["reason"] in REASONS and item["id"] != 35 for item in body["items"])
    assert body["items"][0]["reason"] == "same_story"          # the Al-Ahli match has five outlets
    _error(client.get("/api/articles/424242/related"), 404, "not_found")
    _error(client.get("/api/articles/35/related", params={"k": 51}), 422, "invalid_parameter")


def test_story_has_members_and_an_hourly_timeline(client: TestClient, sample_store: Any) -> None:
    sid = sample_store.get_article(35)["story_id"]
    story = client.get(f"/api/stories/{sid}").json()
    assert story["size"] == len(story["members"]) >= 5
    assert 35 in {m["id"] for m in story["members"]}
    assert sum(p["articles"] for p in story["timeline"]) <= story["size"]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d", p["hour"]) for p in story["timeline"])
    assert {o["source"] for o in story["outlets"]} >= {p["source"] for p in story["timeline"]}
    _error(client.get("/api/stories/987654"), 404, "not_found")


def test_story_pages(client: TestClient) -> None:
    first = client.get("/api/stories", params={"limit": 3, "min_size": 2}).json()
    second = client.get("/api/stories", params={"limit": 3, "offset": 3, "min_size": 2}).json()
    assert first["total"] == second["total"] >= 5
    assert not {s["id"] for s in first["items"]} & {s["id"] for s in second["items"]}
    assert all(s["size"] >= 2 and s.get("members") is None for s in first["items"])
    updated = [s["last_updated"] for s in first["items"] + second["items"]]
    assert updated == sorted(updated, reverse=True)


def test_top_stories_now_is_the_latest_publication_breaking_first(client: TestClient, sample_store: Any) -> None:
    body = client.get("/api/stories/top", params={"limit": 10}).json()
    assert body["now"] == sample_store.latest_published()
    items = body["items"]
    assert items and len(items) <= 10
    flags = [i["breaking"] for i in items]
    assert flags == sorted(flags, reverse=True)                  # every breaking story before the others
    for group in (True, False):
        scores = [i["score"] for i in items if i["breaking"] is group]
        assert scores == sorted(scores, reverse=True)
    # the Al-Ahli match (five outlets within hours of "now") leads the front page
    assert items[0]["story"]["id"] == sample_store.get_article(35)["story_id"]
    assert items[0]["recent"] >= 2


def test_search_marks_the_words_and_groups_by_story(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "الأهلي بوريرام", "k": 5}).json()
    assert body["total"] >= 3 and body["mode"] == "lexical"
    for hit in body["hits"]:
        marked = {hit["snippet"][s:e] for s, e in hit["highlights"]}
        assert any("بوريرام" in w or "الأهلي" in w or "الأهلى" in w for w in marked), marked
    grouped = client.get("/api/search", params={"q": "الأهلي بوريرام", "group": True}).json()
    assert len(grouped["groups"]) < body["total"] or len(grouped["groups"]) == 1
    assert grouped["groups"][0]["size"] >= 3
    only = client.get("/api/search", params={"q": "الأهلي", "source": "العربية"}).json()
    assert only["total"] >= 1 and {h["source"] for h in only["hits"]} == {"العربية"}


def test_search_errors(client: TestClient) -> None:
    _error(client.get("/api/search"), 422, "invalid_parameter")
    _error(client.get("/api/search", params={"q": "x" * 501}), 422, "invalid_parameter")
    _error(client.get("/api/search", params={"q": '" - "'}), 400, "bad_query")
    _error(client.get("/api/search", params={"q": "الأهلي", "mode": "magic"}), 422, "invalid_parameter")
    message = _error(client.get("/api/search", params={"q": "الأهلي", "entity": "لا يوجد أبدا"}), 400, "bad_query")
    assert "no entity" in message


def test_search_snippets_of_hostile_text_are_escaped(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "window pwned", "include_duplicates": True}).json()
    assert body["hits"]
    for hit in body["hits"]:
        assert "<script" not in hit["snippet_html"] and "<img" not in hit["snippet_html"]
        assert "<mark>" in hit["snippet_html"]
    assert any("&lt;script&gt;" in h["snippet_html"] or "&lt;img" in h["snippet_html"] for h in body["hits"])


def test_entities_with_variants(client: TestClient, sample_store: Any) -> None:
    page = client.get("/api/entities", params={"limit": 5}).json()
    assert page["total"] == len(sample_store.list_entities()) and len(page["items"]) == 5
    mentions = [e["mentions"] for e in page["items"]]
    assert mentions == sorted(mentions, reverse=True)
    kim = next(e for e in page["items"] if e["canonical_name"].startswith("كيم"))
    assert len(kim["variants"]) >= 2 and sum(v["count"] for v in kim["variants"]) == kim["mentions"]
    people = client.get("/api/entities", params={"type": "PERS", "limit": 100}).json()
    assert people["items"] and {e["type"] for e in people["items"]} == {"PERS"}
    by_prefix = client.get("/api/entities", params={"prefix": "الأهلي"}).json()
    assert [e["canonical_id"] for e in by_prefix["items"]][:1] == ["ORG:اهلي"]


def test_entity_detail_lists_its_stories(client: TestClient, sample_store: Any) -> None:
    body = client.get("/api/entities/ORG:اهلي").json()
    assert body["canonical_name"] == "الأهلي" and {v["form"] for v in body["variants"]} >= {"الأهلي", "الأهلى"}
    assert sample_store.get_article(35)["story_id"] in {s["id"] for s in body["stories"]}
    assert all(s["entity_articles"] >= 1 for s in body["stories"])
    _error(client.get("/api/entities/PERS:لا_يوجد"), 404, "not_found")
    _error(client.get("/api/entities/NOPE:x"), 422, "invalid_parameter")


def test_sources_volume_and_feeds(client: TestClient, sample_store: Any) -> None:
    body = client.get("/api/sources").json()
    assert sum(s["articles"] for s in body["items"]) == sample_store.stats()["articles"]
    assert body["feeds"] == []                                   # nothing was watched into this store
    one = client.get("/api/sources/الجزيرة نت").json()
    assert sum(d["articles"] for d in one["volume"]) <= one["articles"]
    assert [d["day"] for d in one["volume"]] == sorted(d["day"] for d in one["volume"])
    _error(client.get("/api/sources/لا مصدر بهذا الاسم"), 404, "not_found")


def test_etag_and_304(client: TestClient) -> None:
    for url in ("/api/articles/35", "/api/stories/top", "/", "/articles/35"):
        first = client.get(url)
        etag = first.headers["etag"]
        assert first.headers["cache-control"] == "no-cache"
        assert client.get(url).headers["etag"] == etag               # the same body, the same tag
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
        assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get("/api/articles/36").headers["etag"] != client.get("/api/articles/35").headers["etag"]


def test_security_headers_everywhere(client: TestClient) -> None:
    for url in ("/api/health", "/", "/articles/35", "/no/such/page", "/api/articles/0", "/static/marsad.css"):
        headers = client.get(url).headers
        assert headers["content-security-policy"] == CSP
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"
        assert "camera=()" in headers["permissions-policy"]
    assert "script-src" not in CSP and "default-src 'none'" in CSP and "frame-ancestors 'none'" in CSP


def test_openapi_documents_the_api(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    for path in ("/api/articles", "/api/articles/{article_id}", "/api/articles/{article_id}/related",
                 "/api/stories/{story_id}", "/api/stories/top", "/api/search", "/api/entities/{cid}",
                 "/api/sources/{name}", "/api/health", "/api/ingest/records"):
        assert path in schema["paths"], path
    article = schema["paths"]["/api/articles/{article_id}"]["get"]["responses"]
    assert article["404"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorResponse")
    assert not any(p == "/" or p.startswith("/stories") for p in schema["paths"])   # pages stay out
    assert client.get("/docs").status_code == 404                  # no CDN-loaded Swagger UI


def test_head_is_get_without_a_body(client: TestClient) -> None:
    for url in ("/", "/api/health", "/static/marsad.css"):
        got, head = client.get(url), client.head(url)
        assert head.status_code == 200 and head.content == b"", url
        assert head.headers.get("etag") == got.headers.get("etag")
        assert head.headers["content-security-policy"] == CSP
