"""Regenerate tests/golden/seed_expected.json from the seed page. Review the diff before committing:
golden files freeze bugs too."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from marsad.extraction import extract  # noqa: E402
from marsad.models import RawDocument  # noqa: E402

seed = REPO.parent / "shared" / "seed" / "000_c7426974ea916e2a.txt"
data = seed.read_bytes()
raw = RawDocument(data=data, kind="text", ref="seed.txt", sha256=hashlib.sha256(data).hexdigest())
out = [a.to_dict() for a in extract(raw)]
target = REPO / "tests" / "golden" / "seed_expected.json"
target.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
print(f"wrote {target} ({len(out)} articles)")
