"""Property tests (Hypothesis) for what tests/unit/test_tokenize_stem.py checks by example."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from marsad.text.tokenize import match_words, tokenize


@given(st.text(alphabet=st.sampled_from(list("ابتثجحخدذرزسشصضطظعغفقكلمنهويءأإآىة ٠١٢٣abc123.,؟ ")), max_size=60))
def test_tokens_are_ordered_and_within_bounds(text: str) -> None:
    tokens = tokenize(text)
    prev_end = 0
    for tok in tokens:
        assert prev_end <= tok.start < tok.end <= len(text)
        prev_end = tok.end
    assert all(w for w in match_words(text))
