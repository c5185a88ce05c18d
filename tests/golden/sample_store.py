"""The stored result of the sample corpus as a reviewable snapshot: what the full pipeline decides (issue 18).

Speed work must not change it (``test_sample_store.py``); a change that should change it (a retrained model, a new
rule) regenerates it with ``python scripts/make_sample_store_golden.py`` and the diff is reviewed like code.
Stories are shown as their members' keys (URL, else record id), so story ids may change without the snapshot changing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from marsad.config import IngestOptions
from marsad.ingestion.pipeline import ingest
from marsad.store.sqlite import SQLiteStore

REPO = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).with_name("sample_store.json")


def _key(article: dict[str, Any]) -> str:
    """How the snapshot names an article: its URL, else its record id, else its text's hash."""
    return str(article["url"] or article["external_id"] or article["content_hash"])


def snapshot(db: Path) -> dict[str, Any]:
    """Ingest ``samples/`` (full pipeline, one process) into a new store at ``db`` and describe what was stored."""
    store = SQLiteStore(db)
    try:
        ingest([str(REPO / "samples")], store, IngestOptions(workers=1, progress=False))
        articles = list(store.iter_articles())
        by_id = {a["id"]: _key(a) for a in articles}
        stories: dict[Any, list[str]] = {}
        out_articles = []
        for a in articles:
            stories.setdefault(a["story_id"], []).append(_key(a))
            entities = json.loads(a["entities"]) if isinstance(a["entities"], str) else a["entities"] or []
            keyphrases = json.loads(a["keyphrases"]) if isinstance(a["keyphrases"], str) else a["keyphrases"] or []
            category = json.loads(a["category"]) if isinstance(a["category"], str) else a["category"]
            out_articles.append({
                "key": _key(a), "title": a["title"], "display_title": a["display_title"],
                "published_at": a["published_at"], "language": a["language"], "content_hash": a["content_hash"],
                "duplicate_of": by_id.get(a["duplicate_of"]),
                "category": (category or {}).get("label"),
                "entities": sorted({(e.get("canonical_id") or "", e["type"], e["text"]) for e in entities}),
                "keyphrases": [k["phrase"] for k in keyphrases],
            })
        rejected = sorted((r["ref"].replace(str(REPO) + "/", ""), r["reason_code"]) for r in store.iter_rejections())
        return {
            "articles": out_articles,
            "stories": sorted(sorted(members) for sid, members in stories.items() if sid is not None),
            "rejected": rejected,
        }
    finally:
        store.close()


def as_json(snap: dict[str, Any]) -> str:
    """The snapshot as the golden file holds it (tuples as lists)."""
    return json.dumps(snap, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
