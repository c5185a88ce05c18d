"""Property tests (Hypothesis) for what tests/unit/test_search.py checks by example."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from marsad.errors import QueryError
from marsad.models import SearchFilters
from marsad.query import parse_query, search
from marsad.store.sqlite_search import fts_match, fts_match_any
from tests.unit.test_search import _HOSTILE, _HYPO_STORE


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_HOSTILE)
def test_any_text_is_a_safe_query_or_a_query_error(text: str) -> None:
    try:
        q = parse_query(text)
    except QueryError:
        return
    for expr in (fts_match(q), fts_match_any(q)):                    # both really run against FTS5
        _HYPO_STORE.conn.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", (expr,)).fetchall()
    for match_all in (True, False):
        _HYPO_STORE.search_lexical(q, k=5, filters=SearchFilters(), match_all=match_all)
    search(_HYPO_STORE, q, k=3)
