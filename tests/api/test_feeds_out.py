"""Atom feeds out (issue 20, item 3): each feed parsed back with feedparser, entries linked to the reader and to
the original, conditional GET by ETag and by date, and the reader pages that link them."""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from urllib.parse import quote, unquote, urlencode

import feedparser
import lxml.etree
import lxml.html
import pytest
from fastapi.testclient import TestClient

from marsad.web.atom import Entry, Feed, Link, atom_time, render

ATOM = "{http://www.w3.org/2005/Atom}"


def _story(client: TestClient) -> dict[str, Any]:
    return client.get("/api/stories?min_size=3&limit=1").json()["items"][0]


def _entity(client: TestClient) -> dict[str, Any]:
    return client.get("/api/entities?limit=1").json()["items"][0]


def _feeds(client: TestClient) -> dict[str, str]:
    """Feed URL -> the reader page it mirrors."""
    story, entity = _story(client), _entity(client)
    cid, source = quote(entity["canonical_id"], safe=""), quote("العربية", safe="")
    return {"/feeds/top.atom": "/",
            f"/stories/{story['id']}.atom": f"/stories/{story['id']}",
            f"/entities/{cid}.atom": f"/entities/{cid}",
            f"/sources/{source}.atom": f"/sources/{source}",
            "/search.atom?" + urlencode({"q": "الأهلي"}): "/search?" + urlencode({"q": "الأهلي"})}


def _parse(client: TestClient, url: str) -> Any:
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code, r.text[:300])
    assert r.headers["content-type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(r.content)
    assert not parsed.bozo, (url, parsed.get("bozo_exception"))
    assert parsed.version == "atom10"
    return parsed


def test_every_feed_is_valid_atom_in_arabic_with_linked_entries(client: TestClient) -> None:
    for url in _feeds(client):
        feed = _parse(client, url)
        assert feed.feed.language == "ar" and feed.feed.title and feed.feed.updated_parsed, url
        assert feed.entries, url
        for e in feed.entries:
            assert e.id.startswith("tag:marsad,2025:") and e.title and e.updated_parsed and e.summary, (url, e.id)
            assert e.id.isascii()
            alternates = [link.href for link in e.links if link.rel == "alternate"]
            assert alternates[0].startswith("http://testserver/"), alternates
        assert feed.feed.id.startswith("tag:marsad,2025:feed/") and feed.feed.id.isascii()
        self_link = [link.href for link in feed.feed.links if link.rel == "self"]
        assert [unquote(h) for h in self_link] == [unquote("http://testserver" + url)], self_link


def test_article_entries_link_the_reader_page_and_the_original(client: TestClient, sample_store: Any) -> None:
    story = _story(client)
    feed = _parse(client, f"/stories/{story['id']}.atom")
    members = {m["id"] for m in client.get(f"/api/stories/{story['id']}").json()["members"] if not m["duplicate_of"]}
    ids = {int(e.id.rsplit("/", 1)[1]) for e in feed.entries}
    assert ids == members
    for e in feed.entries:
        art = sample_store.get_article(int(e.id.rsplit("/", 1)[1]))
        hrefs = [link.href for link in e.links if link.rel == "alternate"]
        assert hrefs[0] == f"http://testserver/articles/{art['id']}"
        if art["url"]:
            assert art["url"] in hrefs
        assert e.author == art["source"]
    times = [e.updated_parsed for e in feed.entries]
    assert times == sorted(times, reverse=True)                      # newest first
    summary = client.get(f"/api/stories/{story['id']}").json()["summary"]
    assert feed.feed.subtitle == " ".join(s["text"] for s in summary)


def test_top_feed_has_the_front_page_stories_with_their_summaries(client: TestClient) -> None:
    feed = _parse(client, "/feeds/top.atom")
    top = client.get("/api/stories/top").json()["items"]
    assert [e.id for e in feed.entries] == [f"tag:marsad,2025:story/{t['story']['id']}" for t in top]
    first = client.get(f"/api/stories/{top[0]['story']['id']}").json()
    assert feed.entries[0].summary == " ".join(s["text"] for s in first["summary"])
    assert feed.entries[0].link == f"http://testserver/stories/{first['id']}"


def test_search_feed_holds_the_matches(client: TestClient) -> None:
    feed = _parse(client, "/search.atom?q=" + quote("بوريرام"))
    hits = client.get("/api/search", params={"q": "بوريرام", "k": 30}).json()["hits"]
    assert {e.id for e in feed.entries} == {f"tag:marsad,2025:article/{h['id']}" for h in hits}
    assert client.get("/search.atom").status_code == 422
    assert client.get("/search.atom?q=%20").status_code == 400


def test_conditional_get_by_etag_and_by_date(client: TestClient) -> None:
    for url in _feeds(client):
        first = client.get(url)
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        again = client.get(url)
        assert again.headers["etag"] == etag and again.content == first.content       # stable bytes, stable ETag
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
        assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
        assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
        earlier = format_datetime(parsedate_to_datetime(modified) - timedelta(seconds=1), usegmt=True)
        assert client.get(url, headers={"If-Modified-Since": earlier}).status_code == 200
        # If-None-Match wins over If-Modified-Since (RFC 9110): a changed ETag is answered in full
        assert client.get(url, headers={"If-None-Match": '"other"', "If-Modified-Since": modified}).status_code == 200
        not_modified = client.get(url, headers={"If-None-Match": etag})
        assert not_modified.content == b"" and not_modified.headers["etag"] == etag


def test_unknown_things_have_no_feed(client: TestClient) -> None:
    assert client.get("/stories/999999.atom").status_code == 404
    assert client.get("/entities/PERS:nobody-at-all.atom").status_code == 404
    assert client.get("/sources/no-such-outlet.atom").status_code == 404


def test_reader_pages_link_their_feed_in_the_head_and_on_the_page(client: TestClient) -> None:
    for url, page in _feeds(client).items():
        html = client.get(page).text
        doc = lxml.html.fromstring(html)
        head = doc.xpath('//head/link[@rel="alternate"][@type="application/atom+xml"]/@href')
        visible = doc.xpath('//main//a[@type="application/atom+xml"]/@href')
        assert [unquote(h) for h in head] == [unquote(h) for h in visible] == [unquote(url)], (page, head, visible)
    assert not lxml.html.fromstring(client.get("/stories").text).xpath('//link[@type="application/atom+xml"]')


def test_hostile_text_stays_text_in_the_feed(client: TestClient, sample_store: Any) -> None:
    story = next(s for s in client.get("/api/stories?limit=100").json()["items"] if "<script>" in s["headline"])
    r = client.get(f"/stories/{story['id']}.atom")
    root = lxml.etree.fromstring(r.content)
    assert not root.findall(f".//{ATOM}script") and not root.xpath("//*[local-name()='script']")
    titles = [t.text for t in root.iter(f"{ATOM}title")]
    assert any("<script>" in (t or "") for t in titles)                  # the text, escaped by the XML writer


def test_render_drops_characters_xml_cannot_carry() -> None:
    body = render(Feed(id="tag:marsad,2025:feed/x", title="a\x00b\x1bc", links=[Link("http://x/")],
                       entries=[Entry(id="tag:marsad,2025:article/1", title="t\x07", updated=atom_time("2025-01-01"),
                                      links=[Link("http://x/1")], summary="s\x0c")]))
    parsed = feedparser.parse(body)
    assert not parsed.bozo and parsed.feed.title == "abc" and parsed.entries[0].title == "t"


@pytest.mark.parametrize("method", ["HEAD"])
def test_head_answers_without_a_body(client: TestClient, method: str) -> None:
    r = client.request(method, "/feeds/top.atom")
    assert r.status_code == 200 and r.content == b"" and r.headers["etag"]
