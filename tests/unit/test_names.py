"""Name keys: real spelling variants from the ANT corpus and the seed merge; near-misses do not."""

from __future__ import annotations

import pytest

from marsad.text.names import latin_key, name_key, word_keys

MERGE = [
    # counts in ant-multisource: ترامب 14867 / ترمب 1777; نتانياهو 1169 / نتنياهو 900; ...
    ["ترمب", "ترامب"],
    ["نتنياهو", "نتانياهو"],
    ["كيم جونغ أون", "كيم جونج أون", "كيم جونغ اون", "كيم جونغ-أون", "كيم جونغ أُون"],
    ["بيونغ يانغ", "بيونج يانج", "بيونغيانغ", "بيونجيانج", "بيونغ يانج"],
    ["الأمريكية", "الأميركية", "الأمريكيّة"],
    ["الكرملين", "كرملين"],
    ["عبد الله", "عبدالله"],
    ["مسؤول", "مسئول"],
    ["ديمتري بيسكوف", "دميتري بيسكوف", "ديميتري بيسكوف"],
    ["فلاديمير بوتين", "فلاديمير بوتن"],
]
APART = [
    ("علي", "علا"), ("عمر", "عمرو"), ("سوريا", "روسيا"), ("كوريا الشمالية", "كوريا الجنوبية"),
    ("حماس", "حمص"), ("دونالد ترامب", "إيفانكا ترامب"), ("مصر", "قطر"), ("إيران", "العراق"),
    ("جو بايدن", "هانتر بايدن"), ("كيم جونغ أون", "كيم يو جونغ"),
]


@pytest.mark.parametrize("variants", MERGE, ids=lambda v: v[0])
def test_real_variants_share_a_key(variants: list[str]) -> None:
    assert len({name_key(v) for v in variants}) == 1, {v: name_key(v) for v in variants}


@pytest.mark.parametrize(("a", "b"), APART)
def test_near_misses_keep_apart(a: str, b: str) -> None:
    assert name_key(a) != name_key(b)


def test_latin_keys() -> None:
    assert latin_key("Kim Jong-un") == latin_key("kim jong un") == "kimjongun"
    assert name_key("Netanyahu") == "netanyahu"
    assert latin_key("Benjamín") == "benjamin"


def test_word_keys_let_a_bare_surname_find_the_full_name() -> None:
    assert name_key("ترامب") in word_keys("دونالد ترمب")
    assert word_keys("") == []
