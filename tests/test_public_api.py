"""The public library API: the names ``marsad`` exports are pinned, and the five calls work end to end."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import marsad

REPO = Path(__file__).resolve().parents[1]

PUBLIC = {
    "Article", "ConfigError", "DateParseError", "ExtractOptions", "IngestOptions", "InputError", "MarsadError",
    "QueryError", "RawDocument", "RunReport", "SchemaError", "SearchFilters", "Store", "StoreError", "__version__",
    "extract", "ingest", "open_store", "related", "search",
}


def test_the_public_names_are_pinned() -> None:
    assert set(marsad.__all__) == PUBLIC
    for name in PUBLIC:
        assert getattr(marsad, name) is not None, name


def test_import_marsad_is_cheap_and_loads_names_on_first_use() -> None:
    code = ("import sys, marsad; heavy = [m for m in ('marsad.extraction', 'marsad.ingestion.pipeline', "
            "'marsad.store', 'numpy') if m in sys.modules]; assert not heavy, heavy; "
            "from marsad import extract, open_store; assert callable(extract) and callable(open_store); "
            "assert 'marsad.extraction' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
    assert set(marsad.__all__) <= set(dir(marsad))


def test_the_calls_are_functions_even_after_the_stage_packages_load() -> None:
    importlib.import_module("marsad.extraction.html")
    importlib.import_module("marsad.ingestion.watch")
    import marsad.extraction.page as page  # the stage packages do not shadow the calls, nor the calls them

    assert callable(marsad.extract) and callable(marsad.ingest) and page.extract is marsad.extract


def test_extract_ingest_search_related_end_to_end(tmp_path: Path) -> None:
    page = (REPO / "samples" / "pages" / "aggregator-seed-style.txt").read_bytes()
    articles = marsad.extract(marsad.RawDocument(data=page, kind="text", ref="seed.txt"))
    assert len(articles) == 2 and all(isinstance(a, marsad.Article) and a.text for a in articles)

    store = marsad.open_store(tmp_path / "news.db")
    try:
        report = marsad.ingest([REPO / "samples" / "wire"], store,
                               marsad.IngestOptions(embedder="none", progress=False))
        report.check()
        assert report.stored > 10 and report.rejected == 0
        hits = marsad.search(store, "كوريا الشمالية", k=5).hits
        assert hits and "كوريا" in (hits[0].title + hits[0].snippet)
        listed = marsad.related(store, hits[0].id)
        assert listed.article["id"] == hits[0].id
        assert all(item.id != hits[0].id and item.reason for item in listed.items)
    finally:
        store.close()
