"""What the per-article enrichment gives real articles, frozen as digests: speed work must not change it (issue 18).

1,200 articles (every 25th record of ANT multi-outlet and of SaudiNewsNet, 600 each) through extraction, then the
stages whose cost was cut: keyphrases (phrases and scores), category (label and confidence), clustering features
(MinHash state, shingle count, story terms and headline terms with their weights; no embedding, no entities) and
the search index's analyzed fields. Each stage's output is kept as a short digest per article, so a change names
the stage and the article. NER is left out (its own gates watch it). A change that should change these outputs (a
new rule, a new table) regenerates the file with ``python scripts/make_enrich_golden.py`` and says so.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from marsad.config import ExtractOptions
from marsad.errors import InputError
from marsad.models import Article, RawDocument

GOLDEN = Path(__file__).with_name("enrich_outputs.json")
CORPORA = ("ant-multisource.jsonl.gz", "saudinewsnet.jsonl.gz")
EVERY = 25
PER_CORPUS = 600
STAGES = ("keyphrases", "category", "features", "index")


def articles(data: Path, folder: Path) -> Iterator[Article]:
    """The frozen slice's articles, in order (its records written to a JSONL file in ``folder`` and read back as
    ``marsad ingest`` reads them)."""
    from marsad.extraction import extract
    from marsad.sources.files import iter_inputs

    path = folder / "slice.jsonl"
    with open(path, "wb") as out:
        for name in CORPORA:
            with gzip.open(data / name, "rb") as fh:
                out.writelines(islice(fh, 0, EVERY * PER_CORPUS, EVERY))
    for raw in iter_inputs([path]):
        if not isinstance(raw, RawDocument):     # a blank record is rejected by the reader: not an article
            continue
        try:
            yield from extract(raw, ExtractOptions())
        except InputError:                        # too short to be an article: rejected, as ingest does
            continue


def _digest(value: Any) -> str:
    return hashlib.sha1(json.dumps(value, ensure_ascii=False).encode("utf-8")).hexdigest()[:10]


def outputs(art: Article) -> dict[str, str]:
    """The digest of each stage's output for one article."""
    from marsad.enrich.category import default_classifier
    from marsad.enrich.features import compute
    from marsad.enrich.keyphrases import extract_keyphrases
    from marsad.text.analyzer import analyze_fields, index_title

    title = art.display_title or art.title
    cat = default_classifier().predict(art.title, art.text)
    feats = compute(title, art.text, published_at=art.published_at, source=art.source)
    return {
        "keyphrases": _digest([[k.phrase, repr(k.score)] for k in extract_keyphrases(art.text, art.title)]),
        "category": _digest([cat.label, repr(cat.confidence)]),
        "features": _digest([feats.minhash.__getstate__().hex() if feats.minhash is not None else None,
                             feats.shingles, [[t, repr(w)] for t, w in feats.terms.items()],
                             [[t, repr(w)] for t, w in feats.title_terms.items()], feats.time, feats.length]),
        "index": _digest(list(analyze_fields(index_title(art), art.text or ""))),
    }


def snapshot(data: Path, folder: Path) -> dict[str, Any]:
    """Digests of every stage for every article of the slice, and a digest of the articles' keys."""
    refs: list[str] = []
    digests: dict[str, list[str]] = {s: [] for s in STAGES}
    for art in articles(data, folder):
        refs.append(str(art.url or art.external_id or art.content_hash))
        for stage, d in outputs(art).items():
            digests[stage].append(d)
    return {"articles": len(refs), "refs": _digest(refs), "digests": digests}


def as_json(snap: dict[str, Any]) -> str:
    """The snapshot as the golden file holds it."""
    return json.dumps(snap, indent=0) + "\n"
