"""Keyphrase extraction: the seed article's own tags, grammatical phrases, robustness on arbitrary text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from bench.keyphrase_eval import norm_phrase

from marsad.enrich import keyphrases as kp
from marsad.enrich.keyphrases import Keyphrase, extract_keyphrases
from marsad.text.normalize import MATCH

SEED_TAGS = [
    "التعاون العسكري", "الحرب", "الزعيم الكوري الشمالي", "الزعيم الكوري الشمالي كيم جونج أون",
    "الصواريخ", "العلاقات الوثيقة", "المتحدث باسم الكرملين",
]
PARTICLES = {MATCH(w) for w in (
    "في من إلى الى على عن مع أن إن لا ما و ثم أو بين حتى منذ قد لقد كان كانت هذا هذه ذلك التي الذي "
    "لم لن ف ب ل ك باسم بن"
).split()}
ONLY_NUMBER = re.compile(r"^[\d\s.,:/%\u0660-\u0669\u06f0-\u06f9٫٬-]+$")


@pytest.fixture(scope="module")
def seed_article(seed_path: Path) -> str:
    """The seed page's first article: its paragraphs before the line "المصدر:"."""
    text = seed_path.read_text(encoding="utf-8")
    lines = []
    for line in text.splitlines():
        if line.strip().startswith("المصدر:"):
            break
        lines.append(line)
    return "\n".join(lines).strip()


@pytest.fixture(autouse=True)
def _bundled_table() -> Iterator[None]:
    kp.set_df_table(None)
    yield
    kp.set_df_table(None)


def _assert_grammatical(phrases: list[Keyphrase]) -> None:
    for p in phrases:
        words = MATCH(p.phrase).split()
        assert words, p
        assert words[0] not in PARTICLES and words[-1] not in PARTICLES, f"particle at an edge: {p.phrase}"
        assert not ONLY_NUMBER.match(p.phrase), f"a number is not a keyphrase: {p.phrase}"
        assert all(len(w) > 1 for w in words), f"dangling clitic fragment: {p.phrase}"
        assert not words[0].startswith(("وال", "بال", "فال", "كال", "لل")), f"clitic left on: {p.phrase}"
        assert len(words) <= kp.MAX_WORDS + 2


def test_seed_tags_in_top_ten(seed_article: str) -> None:
    got = extract_keyphrases(seed_article, k=10)
    gold = {norm_phrase(t) for t in SEED_TAGS}
    hits = [p.phrase for p in got if norm_phrase(p.phrase) in gold]
    assert len(hits) >= 3, f"only {hits} of the seed tags in {[p.phrase for p in got]}"
    assert 5 <= len(got) <= 10
    _assert_grammatical(got)


def test_seed_phrases_are_surface_forms(seed_article: str) -> None:
    for p in extract_keyphrases(seed_article, k=10):
        assert " ".join(p.phrase.split()) in " ".join(seed_article.split()) or p.phrase.startswith("ال"), p


def test_seed_without_table_still_works(seed_article: str) -> None:
    kp.set_df_table(kp.DfTable())
    got = extract_keyphrases(seed_article)
    assert 5 <= len(got) <= 10
    _assert_grammatical(got)
    gold = {norm_phrase(t) for t in SEED_TAGS}
    assert any(norm_phrase(p.phrase) in gold for p in got)


def test_title_counts() -> None:
    text = ("أعلنت وزارة الصحة اليوم عن حملة تطعيم جديدة في المدارس الحكومية. وقالت الوزارة إن الحملة تستهدف "
            "الأطفال في المرحلة الابتدائية. وأضافت أن اللقاحات متوفرة مجانا في المراكز الصحية.")
    got = extract_keyphrases(text, "حملة تطعيم جديدة في المدارس")
    assert got and norm_phrase(got[0].phrase) in {norm_phrase("حملة تطعيم"), norm_phrase("حملة تطعيم جديدة")}


def test_bridge_inside_and_clitic_dropped() -> None:
    text = ("وقال المتحدث باسم الكرملين إن الزيارة مهمة. وأكد المتحدث باسم الكرملين أن والعلاقات الثنائية "
            "متينة. العلاقات الثنائية بين البلدين قديمة، والعلاقات الثنائية تتطور.")
    phrases = [p.phrase for p in extract_keyphrases(text)]
    assert "المتحدث باسم الكرملين" in phrases
    assert "العلاقات الثنائية" in phrases
    assert not any(p.startswith(("والعلاقات", "باسم")) or p.endswith("باسم") for p in phrases)


@pytest.mark.parametrize("text", ["", "   ", "\n\n", "123 456", "في من إلى على", "!!! ... ؟"])
def test_empty_or_phraseless(text: str) -> None:
    assert extract_keyphrases(text) == []


def test_k_and_min_k() -> None:
    text = " ".join(f"الشركة الوطنية {w} تعلن نتائجها" for w in ("للنفط", "للغاز", "للكهرباء", "للمياه"))
    assert len(extract_keyphrases(text, k=2)) <= 2
    assert extract_keyphrases(text, k=0) == []


def test_missing_table_file(tmp_path: Path) -> None:
    assert not kp.load_df_table(tmp_path / "absent.tsv.gz")
    bad = tmp_path / "bad.tsv.gz"
    bad.write_bytes(b"not gzip")
    assert not kp.load_df_table(bad)


_ARABIC = "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئةى"
_ALPHABET = _ARABIC * 3 + "\u064b\u064e\u064f\u0650\u0651\u0652\u0640" + "      \n،.؛؟!:«»\"()-" + "0123٤٥٦" + "abcXYZ"
_WORDS = ["في", "من", "إلى", "و", "الـ", "ال", "لل", "بال", "باسم", "بن", "أبو", "قال", "كان", "الزعيم", "الكوري",
          "الشمالي", "روسيا", "وكوريا", "الشمالية", "المتحدث", "الكرملين", "2024", "ﻻ", "ﷲ", "\u200f", "ـــ"]
