"""Search over the store: Arabic-aware lexical search now; semantic and hybrid ranking plug into ``engine``.

A layer above ``store`` (it reads through the ``Store`` interface) and below ``pipeline`` / ``serve``.
"""

from marsad.models import SearchFilters
from marsad.query.engine import SearchGroup, SearchHit, SearchResponse, group_hits, resolve_entity, search
from marsad.query.fuse import rrf
from marsad.query.snippet import Snippet, highlight_spans, make_snippet, mark_html
from marsad.text.analyzer import ParsedQuery, parse_query

__all__ = [
    "ParsedQuery",
    "SearchFilters",
    "SearchGroup",
    "SearchHit",
    "SearchResponse",
    "Snippet",
    "group_hits",
    "highlight_spans",
    "make_snippet",
    "mark_html",
    "parse_query",
    "resolve_entity",
    "rrf",
    "search",
]
