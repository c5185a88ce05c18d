"""Property tests (Hypothesis) for what tests/unit/test_ingest.py checks by example."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marsad.ingestion.pipeline import ingest
from marsad.store.sqlite import SQLiteStore
from tests.unit.test_ingest import _jsonl, _snapshot, _words


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 30), st.lists(_words, min_size=8, max_size=40)), min_size=1, max_size=12))
def test_property_ingesting_twice_adds_nothing(tmp_path: Path, items: list[tuple[int, list[str]]]) -> None:
    records = [{"url": f"https://h.example/{n}", "source": "س", "title": f"خبر {n}", "text": " ".join(ws)}
               for n, ws in items]
    src = _jsonl(tmp_path / "p.jsonl", records)
    store = SQLiteStore(":memory:")
    ingest([src], store)
    before = _snapshot(store)
    again = ingest([src], store)
    assert again.stored == 0 and again.updated == 0
    assert again.duplicate + again.rejected == len(records)
    assert _snapshot(store) == before
