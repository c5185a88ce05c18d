"""Lexical search over SQLite FTS5: the ``articles_fts`` index (schema v5), BM25 with a title boost, filters.

``articles_fts`` holds the analyzed strings of ``marsad.text.analyzer.index_fields`` under rowid =
``articles.id``, contentless (the analyzed text is not stored twice). It is filled by the SQL function
``marsad_fts(title, text, column)`` (registered on every connection), so the migration, each insert and
update, and a rebuild run the same statement. Filters are read from ``articles`` (and
``article_entities``) at query time, so they never go stale.

A ``ParsedQuery`` (``marsad.text.analyzer``, backend-neutral) is compiled here into an FTS5 MATCH string
(``fts_match`` / ``fts_match_any``): a term matches its exact keys in the exact columns OR its stems in the
stem columns, and every key reaches FTS5 as a quoted string literal (``"`` doubled inside), so FTS5
operators, column filters, ``*``, ``^``, ``:``, brackets and braces in a query are just characters.
"""

from __future__ import annotations

import json
import sqlite3
import time
import weakref
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from marsad.models import SearchFilters
from marsad.store.sqlite_common import SQLiteMixin, filter_sql
from marsad.text.analyzer import FTS_COLUMNS, ParsedQuery, QueryTerm, fields_for, index_field

# BM25 column weights (title_exact, title_stem, body_exact, body_stem), tuned on bench/search_eval.py
# (ANT, seed 1, headline and first-sentence queries), not on the test gold. A word found in its exact
# form scores in both its exact and its stem column, so exact spellings rank above inflected ones.
W_TITLE_EXACT = 8.0
W_TITLE_STEM = 4.0
W_BODY_EXACT = 1.0
W_BODY_STEM = 0.5
BM25_WEIGHTS = (W_TITLE_EXACT, W_TITLE_STEM, W_BODY_EXACT, W_BODY_STEM)

RELAX_MAX_TERMS = 8     # the any-word fallback uses at most this many of a query's rarest terms
RELAX_MAX_DF = 0.05     # and none found in more than this share of the articles (unless all are)
RELAX_MAX_POSTINGS = 5_000
"""... and only as many, rarest first, as are found in this many documents together (bounds the fallback's work)."""
FETCH_EXTRA = 20
"""Unfiltered searches rank ``k + FETCH_EXTRA`` from the index alone, then drop copies (fetching more if needed)."""
MAX_FETCH = 5_000
COMMON_DF = 0.2
"""A single word in more than this share of the articles is not required by the all-words query of a query with at
least ``COMMON_MIN_CLAUSES`` clauses (see _all_words)."""
COMMON_MIN_CLAUSES = 4
DF_REFRESH = 0.05
"""A cached document frequency is counted again once the store has grown by this share since."""
DF_CACHE_SIZE = 100_000
"""Terms whose document frequency is kept per store (the cache starts afresh when full)."""

FTS_TITLE_SQL = "coalesce(nullif(display_title, ''), title)"
"""The title that is indexed: the page's title, or the derived headline when it has none."""

_ANALYZED = ", ".join(f"marsad_fts({FTS_TITLE_SQL}, text, {i})" for i in range(len(FTS_COLUMNS)))
_FILL_SQL = f"INSERT INTO articles_fts(rowid, {', '.join(FTS_COLUMNS)}) SELECT id, {_ANALYZED} FROM articles"
_INSERT_SQL = f"INSERT INTO articles_fts(rowid, {', '.join(FTS_COLUMNS)}) VALUES (?, ?, ?, ?, ?)"
_DELETE_SQL = (f"INSERT INTO articles_fts(articles_fts, rowid, {', '.join(FTS_COLUMNS)}) "
               f"SELECT 'delete', id, {_ANALYZED} FROM articles")


_EXACT_COLUMNS = "{title_exact body_exact}"
_STEM_COLUMNS = "{title_stem body_stem}"


def fts_string(text: str) -> str:
    """``text`` as an FTS5 string literal: in double quotes, inner quotes doubled."""
    return '"' + text.replace('"', '""') + '"'


def fts_term(term: QueryTerm, *, clitics: bool = False) -> str:
    """FTS5 expression of one term: its exact keys in the exact columns OR its stems in the stem columns; with
    ``clitics``, a single word's exact key also with a conjunction or preposition glued on."""
    exact = fts_string(" ".join(term.exact))
    if clitics and (forms := term.clitic_keys):
        exact = "(" + " OR ".join(fts_string(f) for f in (term.exact[0], *forms)) + ")"
    return f"({_EXACT_COLUMNS} : {exact} OR {_STEM_COLUMNS} : {fts_string(' '.join(term.stems))})"


def _fts_or(terms: tuple[QueryTerm, ...], *, clitics: bool = False) -> str:
    if len(terms) == 1:
        return fts_term(terms[0], clitics=clitics)
    return "(" + " OR ".join(fts_term(t, clitics=clitics) for t in terms) + ")"


def _fts_without(query: ParsedQuery, expr: str) -> str:
    return f"({expr}) NOT {_fts_or(query.excluded)}" if query.excluded else expr


def fts_match(query: ParsedQuery) -> str:
    """FTS5 MATCH expression requiring every clause of ``query`` (and none of its exclusions)."""
    return _fts_without(query, " AND ".join(_fts_or(clause) for clause in query.clauses))


def fts_match_any(query: ParsedQuery, terms: tuple[QueryTerm, ...] | None = None) -> str:
    """FTS5 MATCH expression accepting any of ``terms`` (default: every wanted term of ``query``), also with a
    clitic glued on, and none of its exclusions."""
    return _fts_without(query, _fts_or(terms or query.terms, clitics=True))


def register_search_functions(conn: sqlite3.Connection) -> None:
    """Register ``marsad_fts(title, text, column)`` (deterministic) on a connection."""
    conn.create_function("marsad_fts", 3, index_field, deterministic=True)


_DF_CACHE: weakref.WeakKeyDictionary[Any, dict[str, tuple[int, int]]] = weakref.WeakKeyDictionary()


def _only_duplicates(filters: SearchFilters) -> bool:
    """True when the filters do nothing but leave copies out (or keep them): the index can rank on its own."""
    return filters == replace(SearchFilters(), include_duplicates=filters.include_duplicates)


class SQLiteSearch(SQLiteMixin):
    """The search half of ``SQLiteStore`` (a mixin: it uses the store's connection and transactions)."""

    _fts_pending: list[tuple[int, str, str, str, str]]

    def _index_article(self, article_id: int, title: str, text: str) -> None:
        """Index one article as written: ``title`` is ``index_title`` of it. Inside a transaction the row waits
        for ``_flush_index`` (at commit, or before anything reads the index).

        FTS5 writes its pending terms out as a new segment whenever any statement of the transaction opens a
        statement journal, which the article writes between two index inserts do: indexed one by one, every
        article became a segment of its own plus a merge. Held to the end of the batch, a batch is one segment."""
        row = (article_id, *fields_for(title, text))
        if self._in_tx:
            self._fts_pending.append(row)
        else:
            self.conn.execute(_INSERT_SQL, row)

    def _flush_index(self) -> None:
        """Write the index rows held back in this transaction (one statement, so one FTS5 segment)."""
        if self._fts_pending:
            rows, self._fts_pending = self._fts_pending, []
            self.conn.executemany(_INSERT_SQL, rows)

    def _unindex_article(self, article_id: int) -> None:
        """Remove one article from the index, before its row changes (contentless FTS5 needs the old values)."""
        self._flush_index()
        self.conn.execute(_DELETE_SQL + " WHERE id = ?", (article_id,))

    def search_lexical(self, query: ParsedQuery, *, k: int, filters: SearchFilters,
                       match_all: bool = True) -> list[tuple[int, float]]:
        """Best ``k`` (article id, BM25 score; higher is better) for ``query`` within ``filters``.

        ``match_all=False`` accepts articles with any of the query's informative terms (the fallback for short
        lists). Without filters other than leaving copies out, the index is ranked on its own and only the top
        of its list is checked against ``articles`` (a join would read every matching article's row).
        """
        self._flush_index()
        expr = fts_match(self._all_words(query)) if match_all else fts_match_any(query, self._informative_terms(query))
        weights = ", ".join(repr(float(w)) for w in BM25_WEIGHTS)
        if _only_duplicates(filters):
            fetch = k + FETCH_EXTRA
            while True:
                rows = self.conn.execute(
                    f"SELECT rowid, bm25(articles_fts, {weights}) AS r FROM articles_fts WHERE articles_fts MATCH ? "
                    "ORDER BY r, rowid LIMIT ?", (expr, fetch)).fetchall()
                if filters.include_duplicates:
                    return [(row[0], -row[1]) for row in rows[:k]]
                copies = {r[0] for r in self.conn.execute(
                    "SELECT id FROM articles WHERE id IN (SELECT value FROM json_each(?)) AND duplicate_of IS NOT NULL",
                    (json.dumps([row[0] for row in rows]),))}
                kept = [(row[0], -row[1]) for row in rows if row[0] not in copies]
                if len(kept) >= k or len(rows) < fetch:
                    return kept[:k]
                if fetch >= MAX_FETCH:
                    break                         # mostly copies at the top: rank with the join below
                fetch = min(fetch * 4, MAX_FETCH)
        where, params = filter_sql(filters)
        sql = (f"SELECT articles_fts.rowid, bm25(articles_fts, {weights}) AS r FROM articles_fts "
               "JOIN articles a ON a.id = articles_fts.rowid WHERE articles_fts MATCH ?"
               + "".join(f" AND {w}" for w in where) + " ORDER BY r, articles_fts.rowid LIMIT ?")
        rows = self.conn.execute(sql, [expr, *params, k]).fetchall()
        return [(row[0], -row[1]) for row in rows]

    def _doc_count(self, key: str, articles: int) -> int:
        """Articles whose index holds ``key`` in any column (``fts5vocab``), cached per store until it has grown by
        ``DF_REFRESH``: fts5vocab counts by walking the term's posting list (0.1 s for في at 1M articles)."""
        cache = _DF_CACHE.setdefault(self, {})
        hit = cache.get(key)
        if hit is not None and articles <= hit[1] * (1 + DF_REFRESH):
            return hit[0]
        self._flush_index()
        if not self.conn.execute("SELECT 1 FROM temp.sqlite_master WHERE name = 'articles_fts_vocab'").fetchone():
            self.conn.execute("CREATE VIRTUAL TABLE temp.articles_fts_vocab USING fts5vocab(main, articles_fts, row)")
        row = self.conn.execute("SELECT doc FROM temp.articles_fts_vocab WHERE term = ?", (key,)).fetchone()
        if len(cache) >= DF_CACHE_SIZE:
            cache.clear()
        cache[key] = (int(row[0]) if row else 0, articles)
        return cache[key][0]

    def _all_words(self, query: ParsedQuery) -> ParsedQuery:
        """A query of ``COMMON_MIN_CLAUSES`` clauses or more without the clauses of single words whose exact key or
        stem is in more than ``COMMON_DF`` of the articles (في, هو, قال). BM25 gives such a word little weight (IDF
        log((N - n + 0.5) / (n + 0.5)): at most log 4, a rare word's about 7) and most articles have it, but FTS5's
        bm25() computes each phrase's IDF by walking its whole posting list: في alone cost 0.1 s of a 0.2 s
        headline query at 1M articles. Shorter queries keep every word (each one counts more there)."""
        if len(query.clauses) < COMMON_MIN_CLAUSES:
            return query
        articles = self.conn.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0] or 1

        def common(term: QueryTerm) -> bool:
            df = max(self._doc_count(term.exact[0], articles), self._doc_count(term.stems[0], articles))
            return df > COMMON_DF * articles

        kept = tuple(c for c in query.clauses if len(c) > 1 or c[0].phrase or not common(c[0]))
        return replace(query, clauses=kept) if kept and len(kept) < len(query.clauses) else query

    def _informative_terms(self, query: ParsedQuery) -> tuple[QueryTerm, ...]:
        """The rarest terms of a query: at most ``RELAX_MAX_TERMS``, none in more than ``RELAX_MAX_DF`` of the
        articles, and no more than fit, rarest first, in ``RELAX_MAX_POSTINGS`` documents (counted over each
        term's exact key and stem), unless only the rarest one is left. An any-word query over them finds the
        articles that share the query's rare words without scoring most of the store: BM25 weighs a common word
        little, so the articles it would add rank below those."""
        articles = self.conn.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0] or 1

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
        """Drop and rebuild ``articles_fts`` from ``articles`` in one transaction; report counts, time, size."""
        started = time.perf_counter()
        total = self.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        done = 0
        with self.transaction():
            self._fts_pending.clear()    # every row is indexed again from the table below
            self.conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('delete-all')")
            last = 0
            while True:
                ids = [r[0] for r in self.conn.execute(
                    "SELECT id FROM articles WHERE id > ? ORDER BY id LIMIT ?", (last, batch))]
                if not ids:
                    break
                self.conn.execute(_FILL_SQL + " WHERE id > ? AND id <= ?", (last, ids[-1]))
                last = ids[-1]
                done += len(ids)
                if progress:
                    progress(done, total)
            self.conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('optimize')")
        return {"articles": done, "seconds": round(time.perf_counter() - started, 3), **self.search_index_size()}

    def search_index_size(self) -> dict[str, Any]:
        """Rows and bytes of the search index (``bytes`` is None when SQLite lacks the dbstat table)."""
        self._flush_index()
        rows = self.conn.execute("SELECT count(*) FROM articles_fts_docsize").fetchone()[0]
        try:
            size = self.conn.execute(
                "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name LIKE 'articles_fts%'").fetchone()[0]
        except sqlite3.Error:
            size = None
        return {"indexed": rows, "bytes": size}
