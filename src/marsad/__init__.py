"""Marsad (مرصد): an Arabic-first news intelligence engine.

The library in five calls, over the shared types (``RawDocument`` in, ``Article`` out) and one error tree::

    import marsad

    articles = marsad.extract(raw)                          # a page or record into clean articles
    store = marsad.open_store("news.db")                    # a path (SQLite) or a store URL
    report = marsad.ingest(["corpus.jsonl.gz"], store)      # files into the store; counts add up
    hits = marsad.search(store, "كيم جونغ أون").hits         # Arabic-aware search
    items = marsad.related(store, hits[0].id).items         # what to read next, with reasons

The stages live in subpackages named for the flow (``sources`` → ``extraction`` → ``enrich`` → ``stories`` →
``ingestion`` → ``store`` → ``query`` → ``cli`` / ``web``); ``docs/architecture.md`` draws it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from marsad.version import __version__

if TYPE_CHECKING:                      # the checker sees the real names; at run time they load on first use
    from marsad.config import ExtractOptions, IngestOptions
    from marsad.errors import (
        ConfigError,
        DateParseError,
        InputError,
        MarsadError,
        QueryError,
        SchemaError,
        StoreError,
    )
    from marsad.extraction import extract
    from marsad.ingestion.pipeline import RunReport, ingest
    from marsad.models import Article, RawDocument, SearchFilters
    from marsad.query.engine import SearchResponse
    from marsad.query.related import RelatedList, RelatedOptions
    from marsad.store import Store, open_store

_LAZY = {
    "ExtractOptions": "marsad.config", "IngestOptions": "marsad.config",
    "ConfigError": "marsad.errors", "DateParseError": "marsad.errors", "InputError": "marsad.errors",
    "MarsadError": "marsad.errors", "QueryError": "marsad.errors", "SchemaError": "marsad.errors",
    "StoreError": "marsad.errors",
    "extract": "marsad.extraction", "ingest": "marsad.ingestion.pipeline", "RunReport": "marsad.ingestion.pipeline",
    "Article": "marsad.models", "RawDocument": "marsad.models", "SearchFilters": "marsad.models",
    "Store": "marsad.store", "open_store": "marsad.store",
}


def __getattr__(name: str) -> Any:
    """Load a public name on first use, so that `import marsad` (and every `marsad` command) stays cheap."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'marsad' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names (``__all__``) with the module's own."""
    return sorted(set(globals()) | set(__all__))


def search(store: Store, query: str, *, k: int = 10, filters: SearchFilters | None = None, mode: str = "lexical",
           group_by_story: bool = False) -> SearchResponse:
    """Search ``store``: any string is a safe query (``QueryError`` when it has nothing to search for); ``mode`` is
    lexical, semantic or hybrid."""
    from marsad.query.engine import search as _search

    return _search(store, query, k=k, filters=filters, mode=mode, group_by_story=group_by_story)


def related(store: Store, article_id: int, options: RelatedOptions | None = None) -> RelatedList:
    """The related list of a stored article, each item with the reason it is there."""
    from marsad.query.related import related as _related

    return _related(store, article_id, options)


__all__ = [
    "Article",
    "ConfigError",
    "DateParseError",
    "ExtractOptions",
    "IngestOptions",
    "InputError",
    "MarsadError",
    "QueryError",
    "RawDocument",
    "RunReport",
    "SchemaError",
    "SearchFilters",
    "Store",
    "StoreError",
    "__version__",
    "extract",
    "ingest",
    "open_store",
    "related",
    "search",
]
