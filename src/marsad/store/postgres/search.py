"""Lexical search over PostgreSQL full text: a weighted ``tsvector`` per article, ``ts_rank_cd``, filters.

``articles.search`` holds the four analyzed strings of ``marsad.text.analyzer.index_fields`` (the same analysis
SQLite's FTS5 index holds), each ``to_tsvector('simple', ...)`` (no stemming or stop words of PostgreSQL's own:
the analyzer has done that) with a weight per column::

    title_exact A    title_stem B    body_exact C    body_stem D

concatenated in that order, so the positions of one column follow the previous one's. It is computed in Python
(PostgreSQL cannot call the analyzer) and written in the same statement as the article, so it never lags.
``articles.search_head`` (schema v9) is the same vector over the title and the first ``HEAD_WORDS`` words of the
body only: small enough to stay in the row (about 1.5 KB against 5 KB, which PostgreSQL moves out of the row and
compresses), it is what most matches are ranked by.

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

import re
import time
import weakref
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from marsad.models import Article, SearchFilters
from marsad.store.postgres.common import PgMixin, filter_sql, id_batches
from marsad.text.analyzer import ParsedQuery, QueryTerm, index_fields

# ts_rank_cd weights {D, C, B, A} (each at most 1): SQLite's BM25 weights 0.5, 1, 4, 8 divided by 8.
RANK_WEIGHTS = "{0.0625,0.125,0.5,1.0}"
RANK_NORMALIZATION = 1
"""Divide the rank by 1 + the log of the document length (long articles do not win by length alone)."""

HEAD_WORDS = 60
"""Body words in ``search_head`` (with the whole title)."""
RANK_CANDIDATES = 2_000
"""Matches ranked at most, the newest (step 1 of the ranking bound)."""
RANK_SLICE = 100
"""Candidates ranked by their whole vector (step 3), at least 4 k."""

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


def head_fields(fields: list[str]) -> list[str]:
    """The four strings of ``search_head``: the title's, and the first ``HEAD_WORDS`` words of the body's."""
    return [fields[0], fields[1], *(" ".join(f.split(" ", HEAD_WORDS)[:HEAD_WORDS]) for f in fields[2:])]


def vector_params(title: str, text: str) -> list[str]:
    """The parameters of ``_VECTOR`` for ``search`` then for ``search_head``."""
    fields = analyzed_fields(title, text)
    return [*fields, *head_fields(fields)]


def unweighted(tsquery: str) -> str:
    """A tsquery text without its column weights (``'key':AC`` -> ``'key'``): what the GIN index answers alone.
    Keys are quoted literals whose quotes are doubled, so ``':`` followed by weight letters only ends a key."""
    return re.sub(r"(?<=')(:[ABCD]+)(?=[ )|&]|$)", "", tsquery)


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
_COMMON_CACHE: weakref.WeakKeyDictionary[Any, tuple[dict[str, int], int]] = weakref.WeakKeyDictionary()


class PgSearch(PgMixin):
    """The search half of ``PostgresStore`` (a mixin)."""

    def _index_sql(self, article: Article) -> tuple[str, str, list[str]]:
        """(SQL of ``search``, SQL of ``search_head``, their parameters) for an article's INSERT / UPDATE."""
        return _VECTOR, _VECTOR, vector_params(article.display_title or article.title, article.text)

    def search_lexical(self, query: ParsedQuery, *, k: int, filters: SearchFilters,
                       match_all: bool = True) -> list[tuple[int, float]]:
        """Best ``k`` (article id, ``ts_rank_cd`` score; higher is better) for ``query`` within ``filters``;
        ``match_all=False`` accepts articles with any of the query's informative terms. Bounded as the module
        docstring says (match from the index, rank the heads, then the best articles)."""
        # The match leaves the exclusions to the weighted check: without weights they would exclude more.
        if match_all:
            kept = self._all_words(query)
            weighted = rank = ts_match(kept)
            match = unweighted(ts_match(replace(kept, excluded=())))
        else:
            terms = self._informative_terms(query)
            weighted = ts_match_any(query, terms)
            match = unweighted(ts_match_any(replace(query, excluded=()), terms))
            rank = _ts_without(query, _ts_or(terms))        # ranked without the clitic forms: far fewer keys
        where, params = filter_sql(filters)
        weights = f"'{RANK_WEIGHTS}'::float4[]"
        # The matches are materialized before they are ordered: asked for the newest matches directly, the planner
        # walks the primary key backwards testing every row's vector.
        if all(w == "a.duplicate_of IS NULL" for w in where):     # cap first, then leave copies out
            found = "SELECT id FROM articles, to_tsquery('simple', %s) mq WHERE search @@ mq"
            matched = ("SELECT a.id FROM (SELECT id FROM g ORDER BY id DESC LIMIT %s) t JOIN articles a ON a.id = t.id"
                       + "".join(f" AND {w}" for w in where))
            args: list[Any] = [match, RANK_CANDIDATES]
        else:                                                       # filters first, then cap
            found = ("SELECT a.id FROM articles a, to_tsquery('simple', %s) mq WHERE a.search @@ mq"
                     + "".join(f" AND {w}" for w in where))
            matched = "SELECT id FROM g ORDER BY id DESC LIMIT %s"
            args = [match, *params, RANK_CANDIDATES]
        sql = (f"WITH g AS MATERIALIZED ({found}), m AS MATERIALIZED ({matched}), "
               f"c AS MATERIALIZED (SELECT a.id, ts_rank_cd({weights}, coalesce(a.search_head, a.search), rq, "
               f"{RANK_NORMALIZATION}) AS h FROM m JOIN articles a ON a.id = m.id, to_tsquery('simple', %s) rq "
               "ORDER BY h DESC, a.id LIMIT %s) "
               f"SELECT c.id, ts_rank_cd({weights}, a.search, rq, {RANK_NORMALIZATION}) AS r FROM c "
               "JOIN articles a ON a.id = c.id, to_tsquery('simple', %s) wq, to_tsquery('simple', %s) rq "
               "WHERE a.search @@ wq ORDER BY r DESC, c.id LIMIT %s")
        args += [rank, max(RANK_SLICE, 4 * k), weighted, rank, k]
        with self._read() as conn, conn.transaction():
            conn.execute("SET LOCAL enable_seqscan = off")
            rows = conn.execute(sql, args).fetchall()
            conn.execute("RESET enable_seqscan")
        return [(int(r["id"]), float(r["r"])) for r in rows]

    def _article_span(self) -> int:
        return int(self._value("SELECT coalesce(max(id), 0) FROM articles") or 0) or 1

    def _doc_counts(self, keys: list[str], articles: int) -> dict[str, int]:
        """Articles whose vector holds each key in any column, counted up to ``COMMON_DF`` of the articles or
        ``RELAX_MAX_POSTINGS`` if more (beyond both a word is common to every rule that asks), cached until the
        store has grown by ``DF_REFRESH``; the keys not cached are counted in one statement. (SQLite reads the
        counts from fts5vocab; here each is a GIN index scan.)"""
        cache = _DF_CACHE.setdefault(self, {})
        common = self._common_keys(articles)
        out: dict[str, int] = {}
        missing = []
        for key in dict.fromkeys(keys):
            hit = cache.get(key)
            if key in common:
                out[key] = common[key]
            elif hit is not None and articles <= hit[1] * (1 + DF_REFRESH):
                out[key] = hit[0]
            else:
                missing.append(key)
        if missing:
            # with statistics, a key not among the commonest is in under a few % of the articles: the rules only
            # ask whether it is within the any-word budget
            cap = (RELAX_MAX_POSTINGS if common else max(int(COMMON_DF * articles), RELAX_MAX_POSTINGS)) + 1
            rows = self._all("SELECT k.i, (SELECT count(*) FROM (SELECT 1 FROM articles WHERE search @@ "
                             "to_tsquery('simple', k.q) LIMIT %s) s) AS n FROM unnest(%s::text[]) WITH ORDINALITY "
                             "AS k(q, i)", (cap, [ts_literal(key) for key in missing]))
            if len(cache) + len(missing) >= DF_CACHE_SIZE:
                cache.clear()
            for row in rows:
                key = missing[int(row["i"]) - 1]
                cache[key] = (int(row["n"] or 0), articles)
                out[key] = cache[key][0]
        return out

    def _common_keys(self, articles: int) -> dict[str, int]:
        """The commonest keys of the search vectors with their estimated document counts, from the statistics
        ``ANALYZE`` keeps (``pg_stats.most_common_elems``, about the 1,000 commonest); refreshed when the store has
        grown by ``DF_REFRESH``. Counting a word in 20% of the articles through the index costs tens of milliseconds
        at 100,000 articles; these need no count (every rule asking only needs to know they are common)."""
        hit = _COMMON_CACHE.get(self)
        if hit is not None and articles <= hit[1] * (1 + DF_REFRESH):
            return hit[0]
        row = self._one("SELECT most_common_elems::text::text[] AS e, most_common_elem_freqs AS f FROM pg_stats "
                        "WHERE schemaname = current_schema() AND tablename = 'articles' AND attname = 'search'")
        rows = int(self._value("SELECT reltuples::bigint FROM pg_class WHERE oid = 'articles'::regclass") or 0)
        common: dict[str, int] = {}
        if row and row["e"] and rows > 0:
            common = {key: int(freq * rows) for key, freq in zip(row["e"], row["f"], strict=False)}
        _COMMON_CACHE[self] = (common, articles)
        return common

    def _all_words(self, query: ParsedQuery) -> ParsedQuery:
        """A long query without its clauses of single very common words (as ``SQLiteSearch._all_words``)."""
        if len(query.clauses) < COMMON_MIN_CLAUSES:
            return query
        articles = self._article_span()
        singles = [c[0] for c in query.clauses if len(c) == 1 and not c[0].phrase]
        known = self._common_keys(articles)
        if known and min(known.values(), default=0) <= COMMON_DF * articles:
            counts = {k: known.get(k, 0) for t in singles for k in (t.exact[0], t.stems[0])}   # others are rarer
        else:
            counts = self._doc_counts([k for t in singles for k in (t.exact[0], t.stems[0])], articles)

        def common(term: QueryTerm) -> bool:
            return max(counts[term.exact[0]], counts[term.stems[0]]) > COMMON_DF * articles

        kept = tuple(c for c in query.clauses if len(c) > 1 or c[0].phrase or not common(c[0]))
        return replace(query, clauses=kept) if kept and len(kept) < len(query.clauses) else query

    def _informative_terms(self, query: ParsedQuery) -> tuple[QueryTerm, ...]:
        """The rarest terms of a query (as ``SQLiteSearch._informative_terms``)."""
        articles = self._article_span()
        counts = self._doc_counts([k for t in query.terms if not t.phrase for k in (t.exact[0], t.stems[0])],
                                  articles)

        def docs(key: str) -> int:
            return counts[key]

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
            for rows in id_batches(conn, "title, display_title, text", batch=batch):
                with conn.cursor() as cur:
                    cur.executemany(f"UPDATE articles SET search = {_VECTOR}, search_head = {_VECTOR} WHERE id = %s",
                                    [(*vector_params(r["display_title"] or r["title"], r["text"]), r["id"])
                                     for r in rows])
                done += len(rows)
                if progress:
                    progress(done, total)
            conn.execute("ANALYZE articles")          # the planner's and _common_keys' statistics of the vectors
        _DF_CACHE.pop(self, None)
        _COMMON_CACHE.pop(self, None)
        return {"articles": done, "seconds": round(time.perf_counter() - started, 3), **self.search_index_size()}

    def search_index_size(self) -> dict[str, Any]:
        """Articles with a search vector, and the bytes of the vectors and their GIN index."""
        row = self._one("SELECT count(search) AS n, coalesce(sum(pg_column_size(search)), 0)::bigint "
                        "+ pg_relation_size('articles_search') AS b FROM articles")
        assert row is not None
        return {"indexed": int(row["n"]), "bytes": int(row["b"])}
