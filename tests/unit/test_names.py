"""Name keys: real spelling variants from the ANT corpus and the seed merge; near-misses do not."""

from __future__ import annotations

import pytest

from marsad.text.names import (
    latin_key,
    loose_key,
    name_key,
    one_vowel_apart,
    sound_key,
    spelling_distance,
    spelling_key,
    word_keys,
)

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


def test_spelling_key_keeps_vowels_and_folds_only_script_noise() -> None:
    assert spelling_key("ترامب") != spelling_key("ترمب")                      # a spelling of its own...
    assert name_key("ترامب") == name_key("ترمب")                              # ...of one name
    assert len({spelling_key(v) for v in ["كيم جونغ أون", "كيم جونغ اون", "كيم جونغ أُون", "كيم  جونغ أون"]}) == 1
    assert spelling_key("الكرملين") == spelling_key("كرملين")
    assert spelling_key("ألاسكا") != spelling_key("لاسكا")                   # أل is the name's own letters
    assert spelling_key("Kim Jong-un") == "kimjongun"


def test_joined_abd_names_meet_the_spaced_ones() -> None:
    assert name_key("عبدالفتاح السيسي") == name_key("عبد الفتاح السيسي")
    assert name_key("عبدالله الثاني") == name_key("عبد الله الثاني")


def test_sound_key_folds_the_consonants_transliterations_swap() -> None:
    for a, b in [("كيم يونغ شول", "كيم يونغ تشول"), ("غوتيريش", "غوتيريس"), ("سيرخيو راموس", "سيرجيو راموس"),
                 ("سناب شات", "سناب تشات"), ("هورست زيهوفر", "هورست سيهوفر")]:
        assert sound_key(a) == sound_key(b) and name_key(a) != name_key(b), (a, b)
    assert sound_key("Trump") == "" and sound_key("ميركل") != sound_key("ماكرون")


def test_loose_key_is_a_hint_for_long_names_only() -> None:
    assert loose_key("كيم يونغ أون") == loose_key("كيم جونغ أون")            # Korean ي / ج
    assert loose_key("أنطونيو غوتيريس") == loose_key("أنطونيو غوتيريش")
    assert loose_key("عمر") == "" and loose_key("Putin") == ""


@pytest.mark.parametrize(("a", "b", "near"), [
    ("ترامب", "ترمب", True), ("تورونتو", "تورنتو", True), ("أمريكا", "أميركا", True), ("جوجل", "غوغل", True),
    ("المانيا", "ألمانيا", True), ("ميركل", "ماركل", False), ("كونتي", "كانتي", False),
    ("الناصرية", "الناصرة", False), ("عمرو دياب", "عمرو أديب", False)])
def test_one_vowel_apart_tells_spelling_variants_from_other_names(a: str, b: str, near: bool) -> None:
    assert one_vowel_apart(a, b) is near


def test_spelling_distance() -> None:
    assert spelling_distance("ترامب", "ترمب") == 1 and spelling_distance("جوجل", "غوغل") == 0
    assert spelling_distance("المانيا", "ألمانيا") == 0
    assert spelling_distance("جورج كلوني", "جيورجيو كيليني") >= 3
