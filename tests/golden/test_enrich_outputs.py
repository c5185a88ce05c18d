"""Keyphrases, category, clustering features and search fields of 1,200 real ANT + SaudiNewsNet articles are as
frozen: the speed work on enrichment changed no output (issue 18)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.golden.enrich_outputs import GOLDEN, STAGES, as_json, snapshot


@pytest.mark.slow
def test_enrichment_outputs_are_as_frozen(data: Path, tmp_path: Path) -> None:
    got = json.loads(as_json(snapshot(data, tmp_path)))
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert got["articles"] == want["articles"] >= 1000
    assert got["refs"] == want["refs"]
    for stage in STAGES:
        changed = [i for i, (g, w) in enumerate(zip(got["digests"][stage], want["digests"][stage], strict=True))
                   if g != w]
        assert not changed, f"{stage}: {len(changed)} articles changed, first at {changed[:5]}"
