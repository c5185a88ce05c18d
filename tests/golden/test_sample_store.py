"""The sample corpus's stored result is frozen: speed work must leave every decision as it was (issue 18)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.golden.sample_store import GOLDEN, as_json, snapshot


def test_the_sample_corpus_is_stored_exactly_as_frozen(tmp_path: Path) -> None:
    got = json.loads(as_json(snapshot(tmp_path / "sample.db")))
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert got["rejected"] == want["rejected"]
    assert [a["key"] for a in got["articles"]] == [a["key"] for a in want["articles"]]
    for g, w in zip(got["articles"], want["articles"], strict=True):
        assert g == w, g["key"]
    assert got["stories"] == want["stories"]
    assert len(want["articles"]) > 40 and len(want["stories"]) >= 7    # the corpus's seven stories at least
