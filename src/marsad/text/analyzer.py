"""Search analysis: the strings an article is indexed under, and any user string made a safe query.

Every word is indexed twice: its match key, unstemmed (``exact``: names and rare words match as spelled,
بوتين stays بوتين), and its Snowball stem (``stem``: التحالفات finds تحالف). A query term matches its
exact form in the exact columns OR its stem in the stem columns, so BM25 gives an exact spelling the
credit of both columns.

Query syntax (nothing else is special, and nothing a user types can raise anything but ``QueryError``)::

    word word          all words (each in its exact or stemmed form)
    "a phrase"         the words in this order; «» and “” quote too
    -word  NOT word    exclude articles with this word (or -"a phrase"); -1 is just the number 1
    word OR word       either word (OR binds the two words around it)
    AND                ignored (all words are required anyway)

A ``ParsedQuery`` is backend-neutral: clauses of terms (words and phrases, each with its exact keys and
stems), exclusions and OR groups. Each store backend compiles it for its own full-text engine (SQLite:
``marsad.store.sqlite_search.fts_match``, where every term becomes a quoted FTS5 string, so FTS5 operators,
column filters, ``*``, ``^``, ``:``, brackets and braces in a query are just characters).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING

from marsad.errors import QueryError
from marsad.text.clitics import BEFORE_ARTICLE, LIL_PREFIXES, SEARCH_PREFIXES
from marsad.text.stem import stem_word, surface_keys
from marsad.text.tokenize import TOKEN_RE, Token, iter_tokens

if TYPE_CHECKING:
    from marsad.models import Article

FTS_COLUMNS = ("title_exact", "title_stem", "body_exact", "body_stem")
"""Columns of the search index, in order (weights of ``bm25()`` follow this order)."""


def _searchable(key: str) -> bool:
    """True when FTS5's unicode61 tokenizer finds a token in ``key`` (letters or digits)."""
    return any(ch.isalnum() for ch in key)


@dataclass(frozen=True, slots=True)
class IndexTerm:
    """One indexed word: where it is in the original text, its exact key and its stem."""

    start: int
    end: int
    exact: str
    stem: str


@lru_cache(maxsize=200_000)
def word_keys(word: str) -> tuple[str, str] | None:
    """(exact key, stem) of one token, or None when it holds nothing FTS5 can index. Cached: words repeat."""
    keys = surface_keys(word)
    return keys if _searchable(keys[0]) else None


def index_terms(text: str) -> list[IndexTerm]:
    """The searchable words of ``text`` with offsets into it, exact keys and stems (same tokens as ``tokenize``)."""
    out = []
    for m in TOKEN_RE.finditer(text):
        keys = word_keys(m.group())
        if keys is not None:
            out.append(IndexTerm(m.start(), m.end(), keys[0], keys[1]))
    return out


def _tokens(text: str) -> list[Token]:
    return [t for t in iter_tokens(text) if _searchable(t.norm)]


Fields = tuple[str, str, str, str]
"""The four analyzed strings of one article, in ``FTS_COLUMNS`` order."""

_RECENT: OrderedDict[tuple[str, str], Fields] = OrderedDict()
_RECENT_MAX = 1024   # a write batch's articles, primed by the workers that analyzed them (``prime``)
_RECENT_LOCK = threading.Lock()


def analyze_fields(title: str, text: str) -> Fields:
    """The four analyzed strings of ``title`` and ``text`` (uncached: what a worker computes for ``prime``)."""
    return (*_analyzed(title), *_analyzed(text))


def prime(title: str, text: str, fields: Fields) -> None:
    """Remember fields analyzed elsewhere (a worker process), so the writer's index step does not redo them.

    Safe because the fields are a pure function of (title, text): a stale key is never asked for.
    """
    with _RECENT_LOCK:
        _RECENT[(title, text)] = fields
        _RECENT.move_to_end((title, text))
        while len(_RECENT) > _RECENT_MAX:
            _RECENT.popitem(last=False)


def fields_for(title: str, text: str) -> Fields:
    """The four analyzed strings of an article, cached: the store's SQL function asks for the four columns of one
    row one after the other, and a run's workers prime the articles of a batch before the writer indexes them."""
    key = (title, text)
    fields = _RECENT.get(key)
    if fields is None:
        fields = analyze_fields(title, text)
        prime(title, text, fields)
    return fields


def _analyzed(text: str) -> tuple[str, str]:
    """(exact keys, stems) of ``text``, space-joined: ``index_terms`` without offsets, for speed."""
    keys = [k for m in TOKEN_RE.finditer(text) if (k := word_keys(m.group())) is not None]
    return " ".join(k[0] for k in keys), " ".join(k[1] for k in keys)


def index_title(article: Article) -> str:
    """The title an article is indexed under: its page title, or the derived headline when it has none (the same
    choice as the stores' ``coalesce(nullif(display_title, ''), title)``)."""
    return article.display_title or article.title or ""


def index_fields(title: str, text: str) -> dict[str, str]:
    """The analyzed, space-joined strings of the FTS columns ``title_exact title_stem body_exact body_stem``."""
    return dict(zip(FTS_COLUMNS, fields_for(title or "", text or ""), strict=True))


def index_field(title: str | None, text: str | None, column: int) -> str:
    """One column of ``index_fields`` by position (what the store's ``marsad_fts`` SQL function returns)."""
    return fields_for(title or "", text or "")[column]


# -- queries ---------------------------------------------------------------------------------------

# Conjunctions and prepositions written joined to the next word. The stemmer strips them, but it also strips
# the first letter of names (بوتين → وتين, وبوتين → بوت), so the any-word fallback also looks a query word up
# with them (and ال) in front: بوتين finds وبوتين, لبوتين, فبوتين; مفاوضات finds المفاوضات. Not in the
# all-words query: the rarer glued forms would outweigh the plain one in BM25 (known-item MRR@10 with
# 3-word queries fell from 0.986 to 0.957).
_PROCLITICS = SEARCH_PREFIXES   # Snowball stems مفاوضات and المفاوضات apart
_AL_PROCLITICS = BEFORE_ARTICLE   # before ال (ل + ال is written لل)
_L_AL = LIL_PREFIXES


def clitic_forms(key: str) -> tuple[str, ...]:
    """Exact keys of an Arabic word with a conjunction / preposition glued in front (none for short words)."""
    if len(key) < 3 or not "\u0621" <= key[0] <= "\u064a":
        return ()
    if key.startswith("ال") and len(key) > 3:
        return tuple(p + key for p in _AL_PROCLITICS) + tuple(p + key[2:] for p in _L_AL)
    return tuple(p + key for p in _PROCLITICS)


def strip_clitic(key: str, keys: frozenset[str]) -> str | None:
    """The word of ``keys`` that ``key`` is with a clitic in front (وبوتين → بوتين), or None."""
    for n in (1, 2, 3):
        rest = key[n:]
        if rest in keys and key in clitic_forms(rest):
            return rest
    return None


@dataclass(frozen=True, slots=True)
class QueryTerm:
    """A word or a phrase of a query: its surface words, their exact keys and their stems."""

    surface: str
    exact: tuple[str, ...]
    stems: tuple[str, ...]

    @property
    def phrase(self) -> bool:
        """True for a multiword term (matched as a phrase)."""
        return len(self.exact) > 1

    @property
    def clitic_keys(self) -> tuple[str, ...]:
        """A single word's exact key with a conjunction or preposition glued on (none for a phrase)."""
        return () if self.phrase else clitic_forms(self.exact[0])


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """A user query made safe: required clauses (each an OR of terms) and excluded terms.

    A backend matches it two ways: every clause required, or (the fallback when too few articles match
    them all) any term, also with a clitic glued on (بوتين: وبوتين); both keep the exclusions.
    ``exact_keys`` / ``stem_keys`` are what snippets highlight.
    """

    text: str
    clauses: tuple[tuple[QueryTerm, ...], ...]
    excluded: tuple[QueryTerm, ...] = ()

    @property
    def terms(self) -> tuple[QueryTerm, ...]:
        """The wanted terms, in query order."""
        return tuple(t for clause in self.clauses for t in clause)

    @property
    def can_relax(self) -> bool:
        """True when the any-word query can find more than the every-clause one: several terms, or clitic forms."""
        return len(self.terms) > 1 or any(t.clitic_keys for t in self.terms)

    @property
    def exact_keys(self) -> frozenset[str]:
        """Exact keys of the wanted words (for highlighting)."""
        return frozenset(k for t in self.terms for k in t.exact)

    @property
    def stem_keys(self) -> frozenset[str]:
        """Stems of the wanted words (for highlighting)."""
        return frozenset(s for t in self.terms for s in t.stems)


# A quoted phrase (ASCII, Arabic «» or curly quotes; an unclosed quote runs to the end) or a run of non-space.
# A leading - excludes only before a letter or a quote: "2 -1" is a score, not "2 without 1".
_CHUNK = re.compile(r'(?P<neg>-(?=[^\W\d_]|["«“]))?'
                    r'(?:"(?P<q1>[^"]*)"?|«(?P<q2>[^»]*)»?|“(?P<q3>[^”]*)”?|(?P<bare>[^\s"«“]+))')
_JOINERS = frozenset("-'’_")  # words joined by these stay one phrase (jong-un, o'brien)
MAX_QUERY_CHARS = 2000
MAX_QUERY_TERMS = 64


def _query_terms(chunk: str, *, phrase: bool) -> list[QueryTerm]:
    """Terms of one chunk: a quoted chunk is one phrase; a bare chunk splits where words are not joined."""
    tokens = _tokens(chunk)
    if not tokens:
        return []
    groups: list[list[Token]] = [[tokens[0]]]
    for prev, tok in pairwise(tokens):
        gap = chunk[prev.end:tok.start]
        if phrase or (gap and set(gap) <= _JOINERS):
            groups[-1].append(tok)
        else:
            groups.append([tok])
    return [QueryTerm(chunk[g[0].start:g[-1].end], tuple(t.norm for t in g), tuple(stem_word(t.text) for t in g))
            for g in groups]


def parse_query(q: str) -> ParsedQuery:
    """Turn any user string into a safe query; raise ``QueryError`` when it has nothing to search for."""
    if not isinstance(q, str):
        raise QueryError(f"a search query must be text, not {type(q).__name__}")
    text = q.strip()
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is {len(text)} characters long; shorten it to at most {MAX_QUERY_CHARS}")
    clauses: list[list[QueryTerm]] = []
    excluded: list[QueryTerm] = []
    pending_or = negate_next = False
    for m in _CHUNK.finditer(text):
        bare = m.group("bare")
        if bare in ("OR", "|"):
            pending_or = bool(clauses)
            continue
        if bare in ("AND", "&", "&&"):
            continue
        if bare == "NOT" and not m.group("neg"):
            negate_next = True
            continue
        quoted = next((g for g in (m.group("q1"), m.group("q2"), m.group("q3")) if g is not None), None)
        found = _query_terms(quoted if quoted is not None else bare or "", phrase=quoted is not None)
        if not found:
            continue
        if m.group("neg") or negate_next:
            excluded.extend(found)
        elif pending_or:
            clauses[-1].append(found[0])
            clauses.extend([t] for t in found[1:])
        else:
            for term in found:
                if not any(len(c) == 1 and c[0].exact == term.exact for c in clauses):  # repeats add nothing
                    clauses.append([term])
        pending_or = negate_next = False
    if not clauses:
        if excluded:
            raise QueryError(f"the query {q!r} only excludes words; add at least one word to search for")
        raise QueryError(f"the query {q!r} has no words to search for (only spaces, punctuation or operators); "
                         "type some words, or a \"quoted phrase\"")
    if sum(len(c) for c in clauses) + len(excluded) > MAX_QUERY_TERMS:
        raise QueryError(f"the query has more than {MAX_QUERY_TERMS} words; shorten it")
    return ParsedQuery(text, tuple(tuple(c) for c in clauses), tuple(excluded))
