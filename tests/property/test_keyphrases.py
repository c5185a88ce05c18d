"""Property tests (Hypothesis) for what tests/unit/test_keyphrases.py checks by example."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marsad.enrich.keyphrases import extract_keyphrases
from tests.unit.test_keyphrases import _ALPHABET, _WORDS


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=st.one_of(st.text(alphabet=_ALPHABET, max_size=400),
                   st.lists(st.sampled_from(_WORDS), max_size=80).map(" ".join)),
    title=st.text(alphabet=_ALPHABET, max_size=60),
    k=st.integers(min_value=0, max_value=12),
)
def test_never_raises_sorted_scores(body: str, title: str, k: int) -> None:
    got = extract_keyphrases(body, title, k=k)
    assert len(got) <= max(k, 0)
    scores = [p.score for p in got]
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert scores == sorted(scores, reverse=True)
    assert all(p.phrase and p.phrase == p.phrase.strip() for p in got)
