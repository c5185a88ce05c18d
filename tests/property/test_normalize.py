"""Property tests (Hypothesis) for what tests/unit/test_normalize.py checks by example."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from marsad.text.normalize import DISPLAY, MATCH
from tests.unit.test_normalize import _mixed


@settings(max_examples=400, deadline=None)
@given(st.text(_mixed, max_size=80))
def test_normalizing_twice_changes_nothing(text: str) -> None:
    for profile in (DISPLAY, MATCH):
        once = profile(text)
        assert profile(once) == once


@settings(max_examples=200, deadline=None)
@given(st.text(_mixed, max_size=80))
def test_match_of_display_equals_match(text: str) -> None:
    # Keys built from what readers see equal keys built from the raw text.
    assert MATCH(DISPLAY(text)) == MATCH(text)
