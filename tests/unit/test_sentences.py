"""The sentence splitter: Arabic and Latin end marks, abbreviations, numbers, quotes, offsets."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from marsad.text.sentences import split_sentences


def _texts(text: str) -> list[str]:
    return [s.text for s in split_sentences(text)]


def test_arabic_end_marks_and_line_breaks() -> None:
    text = "هل ينجح الاتفاق؟ يقول المسؤولون نعم! وأضافوا أن المفاوضات مستمرة.\nسطر بلا علامة\n\nفقرة أخرى… ثم جملة."
    assert _texts(text) == ["هل ينجح الاتفاق؟", "يقول المسؤولون نعم!", "وأضافوا أن المفاوضات مستمرة.",
                            "سطر بلا علامة", "فقرة أخرى…", "ثم جملة."]


def test_no_split_inside_numbers_initials_and_abbreviations() -> None:
    text = "قال د. أحمد إن النمو بلغ 3.5 في المئة. ونقلت أ.ف.ب. عن U.S. officials أن الاتفاق قائم."
    assert _texts(text) == ["قال د. أحمد إن النمو بلغ 3.5 في المئة.",
                            "ونقلت أ.ف.ب. عن U.S. officials أن الاتفاق قائم."]


def test_closing_quotes_stay_with_their_sentence_and_commas_do_not_split() -> None:
    text = 'وقال الوزير: «سنواصل العمل.» وأضاف، في مؤتمر صحفي؛ أن الخطة "جاهزة". ثم غادر.'
    assert _texts(text) == ["وقال الوزير: «سنواصل العمل.»", 'وأضاف، في مؤتمر صحفي؛ أن الخطة "جاهزة".', "ثم غادر."]


def test_punctuation_only_pieces_are_left_out() -> None:
    assert _texts("... !!\n—\nجملة واحدة.") == ["جملة واحدة."]


@given(st.text(alphabet="أبت ثج.؟!\n«»0123456789 ", max_size=200))
def test_offsets_point_at_the_sentence_in_order(text: str) -> None:
    spans = split_sentences(text)
    last = 0
    for s in spans:
        assert text[s.start:s.end] == s.text == s.text.strip() and s.text
        assert s.start >= last
        last = s.end
    # nothing with a letter or digit is lost
    kept = "".join(s.text for s in spans)
    assert sorted(c for c in text if c.isalnum()) == sorted(c for c in kept if c.isalnum())
