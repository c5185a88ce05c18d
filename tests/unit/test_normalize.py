"""Normalization profiles: display keeps letters, match folds variants; both are idempotent."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st

from marsad.text.normalize import DISPLAY, MATCH, PROFILES, ascii_digits, normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\u200fكيم\u200e جونغ", "كيم جونغ"),                 # bidi marks removed
        ("كوريا\u00a0الشمالية", "كوريا الشمالية"),            # NBSP -> space
        ("بيونغ\u200cيانغ", "بيونغيانغ"),                      # ZWNJ removed
        ("  سطر  أول \r\n\r\n\r\n سطر ثان  ", "سطر أول\n\nسطر ثان"),
        ("أَكَّدَ", "أَكَّدَ"),                                  # display never drops diacritics
        ("إيران ى ة ١٢", "إيران ى ة ١٢"),                      # nor folds letters or digits
    ],
)
def test_display_profile(raw: str, expected: str) -> None:
    assert DISPLAY(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("أَكَّدَ", "اكد"),                      # diacritics
        ("الـــرئيس", "الرييس"),                 # tatweel (and ئ folds to ي)
        ("أإآٱ", "اااا"),                         # alef forms
        ("مصطفى", "مصطفي"),                      # alef maqsura
        ("الشمالية", "الشماليه"),                # teh marbuta
        ("مسئول مسؤول", "مسيول مسوول"),          # hamza carriers fold the same way every time
        ("١٧ ۱۷ 17", "17 17 17"),                # Arabic-Indic, Persian, ASCII digits
        ("٣٫٥٪", "3.5%"),
        ("«تهور عسكري»", '"تهور عسكري"'),        # quotes
        ("“بي-1بي” – ‘x’", '"بي-1بي" - \'x\''),  # quotes and dashes
        ("نعم، لا؛ لماذا؟", "نعم, لا; لماذا?"),  # Arabic punctuation
        ("Kim Jong UN", "kim jong un"),          # Latin case
        ("ﻛﻮﺭﻳﺎ", "كوريا"),                      # presentation forms
        ("پ ک ی", "پ ك ي"),                      # Persian look-alikes (پ has no Arabic twin: kept)
    ],
)
def test_match_profile(raw: str, expected: str) -> None:
    assert MATCH(raw) == expected


def test_transliteration_variants_are_not_folded_by_match() -> None:
    # ج/غ and ترمب/ترامب are spelling variants of names: that is the name-key's job, not match's.
    assert MATCH("كيم جونج أون") != MATCH("كيم جونغ أون")
    assert MATCH("الأمريكية") == "الامريكيه"


def test_search_is_match_and_unknown_profile_is_a_clear_error() -> None:
    assert PROFILES["search"] is PROFILES["match"]
    with pytest.raises(ValueError, match="unknown profile"):
        normalize("x", "nope")


def test_ascii_digits_only_touches_digits() -> None:
    assert ascii_digits("آخر تحديث: ١٧ أبريل ٢٠٢٥ - ١٣:٥٧") == "آخر تحديث: 17 أبريل 2025 - 13:57"


_arabic = st.characters(min_codepoint=0x0600, max_codepoint=0x06FF)
_mixed = st.one_of(
    _arabic,
    st.characters(min_codepoint=0x20, max_codepoint=0x17F),
    st.sampled_from([*list("\u200e\u200f\u200c\u200d\ufeff\xa0\r\n\t «»“”–—ـ٫٬"), "́", "ّ"]),
    st.characters(min_codepoint=0xFB50, max_codepoint=0xFEFF),
)
