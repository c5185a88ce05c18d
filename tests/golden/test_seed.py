"""The seed page done right: exactly two articles, in text and in HTML (UTF-8 and windows-1256)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from marsad.extraction import extract
from marsad.models import Article, RawDocument
from tests.golden.seed_pages import SEED_TAGS, build_seed_html, parse_seed

GOLDEN = Path(__file__).with_name("seed_expected.json")
SECOND_TITLE = "كوريا الشمالية تحذّر واشنطن.. نشر القاذفات الاستراتيجية «تهور عسكري»"
BOILERPLATE_MARKERS = ("المصدر:", "كلمات دلالية", "إقرأ أيضاً", "آخر تحديث", "مقالات مشابهة", "•",
                       "شارك", "تابعونا", "جميع الحقوق", "ملفات تعريف الارتباط", "الرئيسية")


def _raw(data: bytes, kind: str, ref: str) -> RawDocument:
    return RawDocument(data=data, kind=kind, ref=ref, sha256=hashlib.sha256(data).hexdigest())


def _pages(seed_bytes: bytes) -> dict[str, RawDocument]:
    text = seed_bytes.decode("utf-8")
    return {
        "text": _raw(seed_bytes, "text", "seed.txt"),
        "html-utf8": _raw(build_seed_html(text, "utf-8"), "html", "seed-utf8.html"),
        "html-cp1256": _raw(build_seed_html(text, "cp1256"), "html", "seed-cp1256.html"),
        "html-cp1256-undeclared": _raw(
            build_seed_html(text, "cp1256").replace(b"charset=windows-1256", b"charset=iso-8859-1"),
            "html", "seed-mislabelled.html"),
        "html-run-together-tags": _raw(build_seed_html(text, "utf-8", tags_as_links=False), "html", "seed-tags.html"),
    }


@pytest.fixture(scope="module", params=["text", "html-utf8", "html-cp1256", "html-cp1256-undeclared",
                                        "html-run-together-tags"])
def seed_articles(request: pytest.FixtureRequest, seed_bytes: bytes) -> tuple[str, list[Article], dict]:
    page = _pages(seed_bytes)[request.param]
    return request.param, extract(page), parse_seed(seed_bytes.decode("utf-8"))


def test_exactly_two_articles(seed_articles: tuple[str, list[Article], dict]) -> None:
    _, articles, _ = seed_articles
    assert len(articles) == 2


def test_first_article(seed_articles: tuple[str, list[Article], dict]) -> None:
    _, (first, _second), parts = seed_articles
    assert first.title == ""                       # no title on the page: none invented
    assert first.title_derived and first.display_title.startswith("أكد أحد الموالين للكرملين")
    assert first.source == "صدى البلد"
    assert first.tags == SEED_TAGS
    assert first.published_at is None and first.updated_at is None   # not borrowed from the second
    assert first.related_headlines == parts["related"] and len(first.related_headlines) == 10
    assert first.text.split("\n\n") == parts["first_paragraphs"]
    assert first.language == "ar"


def test_second_article(seed_articles: tuple[str, list[Article], dict]) -> None:
    _, (_first, second), parts = seed_articles
    assert second.title == SECOND_TITLE
    paragraphs = second.text.split("\n\n")
    assert len(paragraphs) == 6 and paragraphs == parts["second_paragraphs"]
    assert second.updated_at == "2025-04-17T13:57:00"
    assert second.published_at is None
    assert second.related_headlines == []
    assert second.origin["role"] == "read_also" and second.origin["position"] == 1


def test_no_boilerplate_in_bodies(seed_articles: tuple[str, list[Article], dict]) -> None:
    _, articles, _ = seed_articles
    for art in articles:
        for line in art.text.split("\n"):
            assert not line.startswith(BOILERPLATE_MARKERS), line
        assert "window.dataLayer" not in art.text and "سياسة الخصوصية" not in art.text


def test_origin_records_page_and_position(seed_articles: tuple[str, list[Article], dict]) -> None:
    kind, articles, _ = seed_articles
    for pos, art in enumerate(articles):
        assert art.origin["position"] == pos and art.origin["page"].startswith("seed")
        assert art.raw_sha256
    if kind.startswith("html-cp1256"):
        assert articles[0].origin["encoding"] == "cp1256"


def test_golden_json_of_the_text_page(seed_bytes: bytes) -> None:
    """The whole article JSON of the seed text page, frozen. Review every change to the golden file."""
    got = [a.to_dict() for a in extract(_pages(seed_bytes)["text"])]
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert got == expected
