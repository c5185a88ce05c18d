"""Property tests (Hypothesis) for what tests/unit/test_encoding.py checks by example."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from marsad.text.encoding import (
    decode_bytes,
)
from tests.unit.test_encoding import _MIXED_ALPHABET, _encodable_cp1256


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=_MIXED_ALPHABET, min_size=1, max_size=200))
def test_property_utf8_round_trip(text: str) -> None:
    assume(text.strip())
    assert decode_bytes(text.encode("utf-8")).text == text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.text(alphabet=_MIXED_ALPHABET, min_size=3, max_size=200))
def test_property_declared_cp1256_round_trip(text: str) -> None:
    assume(_encodable_cp1256(text))
    assume(sum(1 for c in text if "\u0621" <= c <= "\u064a") >= 3)
    assert decode_bytes(text.encode("cp1256"), declared="windows-1256").text == text
