"""The web reader's HTML over TestClient: content, right to left, Gregorian and Hijri dates, escaping.
(The browser tests in tests/web check the same pages rendered and clicked.)"""

from __future__ import annotations

import re
from typing import Any

import lxml.html
from fastapi.testclient import TestClient

from marsad.models import SearchFilters
from marsad.web.views import count_ar


def _hostile(sample_store: Any) -> list[dict[str, Any]]:
    """The stored articles whose title carries a script tag."""
    return [a for a in sample_store.iter_articles() if "<script" in (a["title"] or "")]


def test_every_page_is_rtl_arabic_with_landmarks(client: TestClient) -> None:
    for url in ("/", "/stories", "/stories/10", "/articles/35", "/search?q=الأهلي", "/entities", "/entities/ORG:اهلي",
                "/sources", "/sources/الجزيرة نت", "/no/such/page"):
        html = client.get(url).text
        assert '<html lang="ar" dir="rtl">' in html, url
        for landmark in ("<header", "<nav", '<main id="main"', "<footer", 'class="skip" href="#main"'):
            assert landmark in html, (url, landmark)
        assert "<script" not in html.lower(), url          # the reader has no script at all
        head = html.split("<main", 1)[0]                 # nothing external in the page's frame
        assert re.search(r"(src|href)=\"https?://", head) is None, url


def test_home_says_what_now_means_and_lists_stories(client: TestClient, sample_store: Any) -> None:
    html = client.get("/").text
    assert "وقت آخر مقال منشور في المخزن" in html and "لا ساعة الجهاز" in html
    story = sample_store.get_story(sample_store.get_article(35)["story_id"])
    assert html.index(story["headline"]) < html.index("</ol>")
    assert 'class="chip outlet"' in html


def test_story_page(client: TestClient, sample_store: Any) -> None:
    sid = sample_store.get_article(35)["story_id"]
    story = sample_store.get_story(sid)
    html = client.get(f"/stories/{sid}").text
    assert story["headline"] in html
    for member in story["members"]:
        assert f'href="/articles/{member["id"]}"' in html
    assert html.count("<rect ") >= len(story["members"])           # one bar piece per outlet-hour at least
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and 'role="img"' in html
    for entity in story["entities"][:3]:
        assert entity["name"] in html


def test_article_page_has_both_calendars_link_and_related(client: TestClient) -> None:
    html = client.get("/articles/35").text
    assert "25 أبريل 2025" in html and "27 شوال 1446 هـ" in html
    assert 'rel="noopener noreferrer nofollow"' in html and 'href="https://www.skynewsarabia.com/' in html
    assert 'href="/entities/ORG%3A' in html                          # entities link to their pages
    assert "من القصة نفسها" in html                                  # the related list says why


def _active_parts(html: str) -> list[str]:
    """Script elements, event-handler attributes and script URLs in a parsed page (all should be absent)."""
    tree = lxml.html.fromstring(html)
    found = [f"<{el.tag}>" for el in tree.iter("script", "iframe", "object", "embed")]
    for el in tree.iter():
        for name, value in el.attrib.items():
            if name.lower().startswith("on"):
                found.append(f"{el.tag} {name}")
            if name in ("href", "src", "action") and value.strip().lower().startswith(("javascript:", "data:text")):
                found.append(f"{el.tag} {name}={value}")
    return found


def test_hostile_article_is_shown_as_text(client: TestClient, sample_store: Any) -> None:
    hostile = _hostile(sample_store)
    assert len(hostile) >= 2
    for art in hostile:
        html = client.get(f"/articles/{art['id']}").text
        assert _active_parts(html) == []
        text = lxml.html.fromstring(html).text_content()
        assert '<script>document.title="PWNED"</script>' in text         # shown, as text
    copy = next(a for a in sample_store.iter_articles() if a["url"] == "javascript:window.__pwned=1")
    page = client.get(f"/articles/{copy['id']}").text
    assert _active_parts(page) == [] and "ليس رابط ويب" in page
    source = client.get("/sources").text
    assert "موقع &lt;b&gt;تجريبي&lt;/b&gt;" in source and _active_parts(source) == []


def test_hostile_query_is_escaped(client: TestClient) -> None:
    html = client.get("/search", params={"q": '<script>document.title="PWNED"</script> تطعيم'}).text
    assert _active_parts(html) == []
    assert "&lt;script&gt;" in html
    assert "<mark>" in html                                          # the real word still matched


def test_search_page_groups_and_marks(client: TestClient) -> None:
    html = client.get("/search", params={"q": "الأهلي بوريرام"}).text
    assert "<mark>" in html and "أخرى من القصة نفسها" in html
    assert 'value="الأهلي بوريرام"' in html                          # the form keeps the query
    bad = client.get("/search", params={"q": "الأهلي", "since": "امس"})
    assert bad.status_code == 400 and "تعذّر البحث" in bad.text
    assert client.get("/search", params={"q": "x", "category": "weather"}).status_code == 422


def test_entity_and_source_pages(client: TestClient, sample_store: Any) -> None:
    html = client.get("/entities/ORG:اهلي").text
    assert "الأهلى" in html and "الأهلي" in html and "كل التهجئات" in html
    assert f'href="/stories/{sample_store.get_article(35)["story_id"]}"' in html
    src = client.get("/sources/الجزيرة نت").text
    total, _ = sample_store.list_articles(SearchFilters(sources=("الجزيرة نت",), include_duplicates=True), limit=1)
    assert count_ar(total, "article") in src and "<svg" in src
    assert client.get("/sources/لا أحد").status_code == 404
    assert client.get("/stories/0").status_code == 422
