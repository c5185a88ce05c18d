"""Regenerate tests/golden/sample_store.json: the sample corpus through the full pipeline, as stored.
Review the diff before committing: it freezes every decision (duplicates, stories, entities, keyphrases)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]

from tests.golden.sample_store import GOLDEN, as_json, snapshot  # noqa: E402

with tempfile.TemporaryDirectory() as tmp:
    GOLDEN.write_text(as_json(snapshot(Path(tmp) / "sample.db")), encoding="utf-8")
print(f"wrote {GOLDEN}")
