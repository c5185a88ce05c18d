"""Regenerate tests/golden/seed_entities.json: the seed page's entities as `marsad entities` lists them after an
ingest (display name, type, counts, forms). Review the diff before committing: golden files freeze bugs too."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))

from tests.golden.test_seed_enrichment import seed_entities  # noqa: E402

seed = REPO.parent / "shared" / "seed" / "000_c7426974ea916e2a.txt"
with tempfile.TemporaryDirectory() as tmp:
    rows = seed_entities(seed, str(Path(tmp) / "seed.db"))
target = REPO / "tests" / "golden" / "seed_entities.json"
target.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
print(f"wrote {target} ({len(rows)} entities)")
