"""Regenerate tests/golden/enrich_outputs.json: digests of keyphrases, category, clustering features and search
fields of 1,200 real articles (tests/golden/enrich_outputs.py). Review why they changed before committing."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]

from marsad.config import data_dir  # noqa: E402
from tests.golden.enrich_outputs import GOLDEN, as_json, snapshot  # noqa: E402

with tempfile.TemporaryDirectory() as tmp:
    GOLDEN.write_text(as_json(snapshot(data_dir(), Path(tmp))), encoding="utf-8")
print(f"wrote {GOLDEN}")
