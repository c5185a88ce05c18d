"""Lexical search over PostgreSQL full text: a weighted ``tsvector`` per article, ``ts_rank_cd``, filters.

``articles.search`` holds the four analyzed strings of ``marsad.text.analyzer.index_fields`` (the same analysis
SQLite's FTS5 index holds), each ``to_tsvector('simple', ...)`` (no stemming or stop words of PostgreSQL's own:
the analyzer has done that) with a weight per column::

    title_exact A    title_stem B    body_exact C    body_stem D

concatenated in that order, so the positions of one column follow the previous one's. It is computed in Python
(PostgreSQL cannot call the analyzer) and written in the same statement as the article, so it never lags.

A ``ParsedQuery`` compiles to a ``tsquery`` the way ``sqlite_search.fts_match`` compiles it to FTS5: a term is
its exact keys restricted to the exact weights (``:AC``) OR its stems restricted to the stem weights (``:BD``); a
phrase joins its words with ``<->``; clauses are joined with ``&``, the terms of a clause with ``|``; exclusions
are ``& !(...)``. The string holds nothing but analyzer keys, each a quoted tsquery literal (quotes and
backslashes escaped), the operators above and brackets; it reaches PostgreSQL as a parameter of
``to_tsquery('simple', %s)``, never pasted into the SQL. Ranking: ``ts_rank_cd`` with the column weights scaled
from SQLite's BM25 weights (title exact 8, title stem 4, body exact 1, body stem 0.5) and normalized by the log
of the document length; scores differ from SQLite's, the order of the contract cases does not.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from marsad.models import Article, SearchFilters
from marsad.store.postgres.common import PgMixin, filter_sql
from marsad.text.analyzer import ParsedQuery, QueryTerm, index_fields

# ts_rank_cd weights {D, C, B, A} (each at most 1): SQLite's BM25 weights 0.5, 1, 4, 8 divided by 8.
RANK_WEIGHTS = "{0.0625,0.125,0.5,1.0}"
RANK_NORMALIZATION = 1
"""Divide the rank by 1 + the log of the document length (long articles do not win by length alone)."""

MAX_INDEXED_WORDS = 20_000
"""Words of one column that are indexed: a tsvector holds at most 1 MB (and positions stop at 16383), so the
rest of a very long body is not searchable on PostgreSQL (SQLite indexes all of it)."""

# The same tuning as marsad.store.sqlite_search (see there for why).
RELAX_MAX_TERMS = 8
RELAX_MAX_DF = 0.05
RELAX_MAX_POSTINGS = 5_000
COMMON_DF = 0.2
COMMON_MIN_CLAUSES = 4
DF_REFRESH = 0.05
DF_CACHE_SIZE = 100_000

EXACT_WEIGHTS = "AC"
STEM_WEIGHTS = "BD"

_VECTOR = ("setweight(to_tsvector('simple', %s), 'A') || setweight(to_tsvector('simple', %s), 'B') || "
           "setweight(to_tsvector('simple', %s), 'C') || setweight(to_tsvector('simple', %s), 'D')")
"""The search vector of the four analyzed strings (parameters), in column order."""


def _capped(analyzed: str) -> str:
    words = analyzed.split(" ", MAX_INDEXED_WORDS)
    return analyzed if len(words) <= MAX_INDEXED_WORDS else " ".join(words[:MAX_INDEXED_WORDS])


def analyzed_fields(title: str, text: str) -> list[str]:
    """The four analyzed strings the search vector is made of (``index_fields``, capped)."""
    return [_capped(v) for v in index_fields(title, text).values()]


def ts_literal(key: str, weights: str = "") -> str:
    """One analyzer key as a quoted tsquery operand restricted to ``weights`` (none: any column): quotes and
    backslashes escaped, so nothing in it is an operator."""
    return "'" + key.replace("\\", "\\\\").replace("'", "''") + "'" + (":" + weights if weights else "")


def _sequence(keys: tuple[str, ...], weights: str) -> str:
    """A word, or a phrase of words in this order (``<->``)."""
    if len(keys) == 1:
        return ts_literal(keys[0], weights)
    return "(" + " <-> ".join(ts_literal(k, weights) for k in keys) + ")"


def ts_term(term: QueryTerm, *, clitics: bool = False) -> str:
    """tsquery of one term: its exact keys in the exact columns OR its stems in the stem columns; with
    ``clitics``, a single word's exact key also with a conjunction or preposition glued on."""
    exact = _sequence(term.exact, EXACT_WEIGHTS)
    if clitics and (forms := term.clitic_keys):
        exact = "(" + " | ".join(ts_literal(f, EXACT_WEIGHTS) for f in (term.exact[0], *forms)) + ")"
    return f"({exact} | {_sequence(term.stems, STEM_WEIGHTS)})"


def _ts_or(terms: tuple[QueryTerm, ...], *, clitics: bool = False) -> str:
    if len(terms) == 1:
        return ts_term(terms[0], clitics=clitics)
    return "(" + " | ".join(ts_term(t, clitics=clitics) for t in terms) + ")"


def _ts_without(query: ParsedQuery, expr: str) -> str:
    return f"({expr}) & !{_ts_or(query.excluded)}" if query.excluded else expr


def ts_match(query: ParsedQuery) -> str:
    """tsquery text requiring every clause of ``query`` (and none of its exclusions)."""
    return _ts_without(query, " & ".join(_ts_or(clause) for clause in query.clauses))


def ts_match_any(query: ParsedQuery, terms: tuple[QueryTerm, ...] | None = None) -> str:
    """tsquery text accepting any of ``terms`` (default: every wanted term of ``query``), also with a clitic glued
    on, and none of its exclusions."""
    return _ts_without(query, _ts_or(terms or query.terms, clitics=True))


_DF_CACHE: weakref.WeakKeyDictionary[Any, dict[str, tuple[int, int]]] = weakref.WeakKeyDictionary()


class PgSearch(PgMixin):
    """The search half of ``PostgresStore`` (a mixin)."""

    def _index_sql(self, article: Article) -> tuple[str, list[str]]:
        """(SQL expression, parameters) of an article's search vector, for its INSERT / UPDATE."""
        return _VECTOR, analyzed_fields(article.display_title or article.title, article.text)

    def search_lexical(self, query: ParsedQuery, *, k: int, filters: SearchFilters,
                       match_all: bool = True) -> list[tuple[int, float]]:
        """Best ``k`` (article id, ``ts_rank_cd`` score; higher is better) for ``query`` within ``filters``;
        ``match_all=False`` accepts articles with any of the query's informative terms."""
        expr = ts_match(self._all_words(query)) if match_all else ts_match_any(query, self._informative_terms(query))
        where, params = filter_sql(filters)
        rows = self._all(
            f"SELECT a.id, ts_rank_cd('{RANK_WEIGHTS}'::float4[], a.search, q, {RANK_NORMALIZATION}) AS r "
            "FROM articles a, to_tsquery('simple', %s) q WHERE a.search @@ q" + "".join(f" AND {w}" for w in where)
            + " ORDER BY r DESC, a.id LIMIT %s", [expr, *params, k])
        return [(int(r["id"]), float(r["r"])) for r in rows]

    def _article_span(self) -> int:
        return int(self._value("SELECT coalesce(max(id), 0) FROM articles") or 0) or 1

    def _doc_count(self, key: str, articles: int) -> int:
        """Articles whose vector holds ``key`` in any column, counted up to ``COMMON_DF`` of the articles or
        ``RELAX_MAX_POSTINGS`` if more (beyond both a word is common to every rule that asks), cached until the
        store has grown by ``DF_REFRESH``. (SQLite reads the count from fts5vocab; here it is a GIN index scan.)"""
        cache = _DF_CACHE.setdefault(self, {})
        hit = cache.get(key)
        if hit is not None and articles <= hit[1] * (1 + DF_REFRESH):
            return hit[0]
        cap = max(int(COMMON_DF * articles), RELAX_MAX_POSTINGS) + 1
        n = self._value("SELECT count(*) FROM (SELECT 1 FROM articles WHERE search @@ to_tsquery('simple', %s) "
                        "LIMIT %s) s", (ts_literal(key), cap))
        if len(cache) >= DF_CACHE_SIZE:
            cache.clear()
        cache[key] = (int(n or 0), articles)
        return cache[key][0]

    def _all_words(self, query: ParsedQuery) -> ParsedQuery:
        """A long query without its clauses of single very common words (as ``SQLiteSearch._all_words``)."""
        if len(query.clauses) < COMMON_MIN_CLAUSES:
            return query
        articles = self._article_span()

        def common(term: QueryTerm) -> bool:
            df = max(self._doc_count(term.exact[0], articles), self._doc_count(term.stems[0], articles))
            return df > COMMON_DF * articles

        kept = tuple(c for c in query.clauses if len(c) > 1 or c[0].phrase or not common(c[0]))
        return replace(query, clauses=kept) if kept and len(kept) < len(query.clauses) else query

    def _informative_terms(self, query: ParsedQuery) -> tuple[QueryTerm, ...]:
        """The rarest terms of a query (as ``SQLiteSearch._informative_terms``)."""
        articles = self._article_span()

        def docs(key: str) -> int:
            return self._doc_count(key, articles)

        df = []
        for term in query.terms:
            exact = 0 if term.phrase else docs(term.exact[0])
            stem = 0 if term.phrase or term.stems[0] == term.exact[0] else docs(term.stems[0])
            df.append((exact, exact + stem, term))
        df.sort(key=lambda row: row[0])
        keep: list[QueryTerm] = []
        postings = 0
        for exact, both, term in df[:RELAX_MAX_TERMS]:
            if exact > RELAX_MAX_DF * articles or (keep and postings + both > RELAX_MAX_POSTINGS):
                break
            keep.append(term)
            postings += both
        return tuple(keep) or (df[0][2],)

    def rebuild_search_index(self, *, progress: Callable[[int, int], None] | None = None,
                             batch: int = 2000) -> dict[str, Any]:
        """Recompute every article's search vector from its row in one transaction; report counts, time, size."""
        started = time.perf_counter()
        total = int(self._value("SELECT count(*) FROM articles") or 0)
        done = 0
        with self._write() as conn:
            last = 0
            while True:
                rows = conn.execute("SELECT id, title, display_title, text FROM articles WHERE id > %s ORDER BY id "
                                    "LIMIT %s", (last, batch)).fetchall()
                if not rows:
                    break
                with conn.cursor() as cur:
                    cur.executemany(f"UPDATE articles SET search = {_VECTOR} WHERE id = %s",
                                    [(*analyzed_fields(r["display_title"] or r["title"], r["text"]), r["id"])
                                     for r in rows])
                last = rows[-1]["id"]
                done += len(rows)
                if progress:
                    progress(done, total)
        _DF_CACHE.pop(self, None)
        return {"articles": done, "seconds": round(time.perf_counter() - started, 3), **self.search_index_size()}

    def search_index_size(self) -> dict[str, Any]:
        """Articles with a search vector, and the bytes of the vectors and their GIN index."""
        row = self._one("SELECT count(search) AS n, coalesce(sum(pg_column_size(search)), 0)::bigint "
                        "+ pg_relation_size('articles_search') AS b FROM articles")
        assert row is not None
        return {"indexed": int(row["n"]), "bytes": int(row["b"])}
