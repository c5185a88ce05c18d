"""Tokenizer offsets and kinds; stems beside unstemmed keys (names survive); URL keys."""

from __future__ import annotations

import pytest

from marsad.sources.urls import url_key
from marsad.text.stem import stem_word, terms
from marsad.text.tokenize import tokenize


def test_tokens_point_into_the_original_text() -> None:
    text = "التقى فلاديمير بوتين وكيم جونغ أون يوم ١٧ أبريل، في Vostochny بنسبة 3.5%"
    tokens = tokenize(text)
    for tok in tokens:
        assert text[tok.start:tok.end] == tok.text
    kinds = {t.text: t.kind for t in tokens}
    assert kinds["١٧"] == "num" and kinds["Vostochny"] == "lat" and kinds["بوتين"] == "ar"
    assert [t.norm for t in tokens if t.kind == "num"] == ["17", "3.5%"]
    assert "أبريل،" not in kinds  # punctuation is not part of a word


def test_diacritics_and_tatweel_stay_inside_a_word() -> None:
    (tok,) = tokenize("الـــرَّئيس")
    assert tok.text == "الـــرَّئيس" and tok.norm == "الرييس"


def test_stemmer_strips_names_so_the_unstemmed_form_is_kept() -> None:
    by_surface = {t.surface: t for t in terms("فلاديمير بوتين الصواريخ")}
    # Snowball Arabic damages names: the reason Term keeps `norm` beside `stem`.
    assert by_surface["فلاديمير"].stem != "فلاديمير" and by_surface["فلاديمير"].norm == "فلاديمير"
    assert by_surface["بوتين"].norm == "بوتين"
    assert by_surface["الصواريخ"].stem == "صواريخ"


def test_stems_conflate_inflections() -> None:
    assert stem_word("الشمالية") == stem_word("شمالية") == "شمال"
    assert stem_word("running") == stem_word("runs") == "run"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://www.example.com/news/1?utm_source=x&utm_medium=y", "http://example.com/news/1"),
        ("https://example.com/news/1/#comments", "https://EXAMPLE.com:443/news/1"),
        ("https://example.com/a?b=2&a=1&fbclid=zz", "https://example.com/a?a=1&b=2"),
        ("https://example.com/%D8%A7", "https://example.com/ا"),
    ],
)
def test_url_key_folds_spelling_of_one_url(a: str, b: str) -> None:
    assert url_key(a) == url_key(b) is not None


@pytest.mark.parametrize("bad", ["", "ftp://x/y", "not a url", "javascript:alert(1)", "https:///nohost"])
def test_url_key_refuses_non_http(bad: str) -> None:
    assert url_key(bad) is None


def test_url_key_keeps_meaningful_parameters() -> None:
    assert url_key("https://example.com/article?id=5") != url_key("https://example.com/article?id=6")
