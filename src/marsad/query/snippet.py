"""Snippets on the original text: the passage with most query words, with highlight spans and safe HTML.

Matching uses the same keys as the index (a word is marked when its exact key or its stem is one of
the query's), but every offset points into the text the reader sees: nothing shown is normalized.
"""

from __future__ import annotations

import html
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from marsad.text.analyzer import ParsedQuery, strip_clitic, word_keys
from marsad.text.tokenize import TOKEN_RE

SNIPPET_CHARS = 240
"""Target length of a snippet in characters (it ends on word boundaries)."""

_LEAD_CHARS = 40  # context kept before the first marked word
_ELLIPSIS = "…"


@dataclass(frozen=True, slots=True)
class Snippet:
    """A passage of the original text and the (start, end) spans of its marked words."""

    text: str
    highlights: list[tuple[int, int]] = field(default_factory=list)

    def html(self) -> str:
        """The passage HTML-escaped, marked words wrapped in ``<mark>``."""
        return mark_html(self.text, self.highlights)


def mark_html(text: str, spans: list[tuple[int, int]]) -> str:
    """Escape ``text`` for HTML and wrap each span in ``<mark>`` (spans sorted, not overlapping)."""
    out: list[str] = []
    pos = 0
    for start, end in spans:
        out.append(html.escape(text[pos:start], quote=True))
        out.append(f"<mark>{html.escape(text[start:end], quote=True)}</mark>")
        pos = end
    out.append(html.escape(text[pos:], quote=True))
    return "".join(out)


def _query_index(query: ParsedQuery) -> tuple[dict[str, int], dict[str, int]]:
    """Exact key -> term number and stem -> term number (to count distinct query words in a window)."""
    exact: dict[str, int] = {}
    stems: dict[str, int] = {}
    for i, term in enumerate(query.terms):
        for key in term.exact:
            exact.setdefault(key, i)
        for key in term.stems:
            stems.setdefault(key, i)
    return exact, stems


def highlight_spans(text: str, query: ParsedQuery) -> list[tuple[int, int]]:
    """(start, end) in ``text`` of every word matching a wanted query word (exactly or by stem)."""
    return [(s, e) for s, e, _ in _matches(text, query)]


class _Matcher:
    """The query words' keys, and what each word seen so far matched: one per query, shared by every text a
    search marks (titles and passages of a result page repeat most of their words)."""

    __slots__ = ("ends", "exact", "keys", "seen", "stems")

    def __init__(self, query: ParsedQuery) -> None:
        self.exact, self.stems = _query_index(query)
        self.keys = frozenset(self.exact)
        self.ends = tuple(self.keys)    # strip_clitic can only find a word that ends with a query key
        self.seen: dict[str, int | None] = {}

    def which(self, word: str) -> int | None:
        """The query term number ``word`` matches (exact key, stem, or exact key after a clitic), or None."""
        if word in self.seen:
            return self.seen[word]
        which = None
        if (found := word_keys(word)) is not None:
            which = self.exact.get(found[0], self.stems.get(found[1]))
            if which is None and found[0].endswith(self.ends) and \
                    (bare := strip_clitic(found[0], self.keys)) is not None:   # a clitic-glued query word
                which = self.exact[bare]
        if len(self.seen) < _SEEN_MAX:
            self.seen[word] = which
        return which


_SEEN_MAX = 50_000   # distinct words remembered per query
_MATCHERS: OrderedDict[ParsedQuery, _Matcher] = OrderedDict()
_MATCHERS_MAX = 32   # queries being served at once (request threads)
_MATCHERS_LOCK = threading.Lock()


def _matcher(query: ParsedQuery) -> _Matcher:
    with _MATCHERS_LOCK:
        matcher = _MATCHERS.get(query)
        if matcher is None:
            matcher = _MATCHERS[query] = _Matcher(query)
            if len(_MATCHERS) > _MATCHERS_MAX:
                _MATCHERS.popitem(last=False)
        else:
            _MATCHERS.move_to_end(query)
        return matcher


def _matches(text: str, query: ParsedQuery) -> list[tuple[int, int, int]]:
    """(start, end, query term number) of every word of ``text`` that matches a query word (the same tokens and
    keys as ``index_terms``; each distinct word is looked up once per query, across texts)."""
    which = _matcher(query).which
    out = []
    for m in TOKEN_RE.finditer(text):
        term = which(m.group())
        if term is not None:
            out.append((m.start(), m.end(), term))
    return out


def _word_start(text: str, pos: int) -> int:
    """Move ``pos`` left to the start of the word it is in (or stays at a space)."""
    while pos > 0 and not text[pos - 1].isspace():
        pos -= 1
    return pos


def _word_end(text: str, pos: int) -> int:
    """Move ``pos`` right to the end of the word it is in."""
    while pos < len(text) and not text[pos].isspace():
        pos += 1
    return pos


def make_snippet(text: str, query: ParsedQuery, *, chars: int = SNIPPET_CHARS) -> Snippet:
    """The window of about ``chars`` characters with the most distinct query words (then most marks)."""
    text = text.replace("\r", " ").replace("\n", " ").replace("\t", " ")  # one line; offsets unchanged
    matches = _matches(text, query)
    if not matches:
        start, end = 0, _word_end(text, min(chars, len(text)))
    else:
        best: tuple[int, int, int] | None = None
        best_start = j = 0
        for i, (first, _, _) in enumerate(matches):
            j = max(j, i + 1)
            while j < len(matches) and matches[j][1] <= first + chars - _LEAD_CHARS:
                j += 1
            inside = matches[i:j]
            key = (len({m[2] for m in inside}), len(inside), -first)
            if best is None or key > best:
                best, best_start = key, first
        start = 0 if best_start <= _LEAD_CHARS else _word_start(text, best_start - _LEAD_CHARS)
        end = _word_end(text, min(len(text), start + chars))
    body = text[start:end].strip()
    offset = start + (len(text[start:end]) - len(text[start:end].lstrip()))
    prefix = _ELLIPSIS if start > 0 else ""
    suffix = _ELLIPSIS if end < len(text.rstrip()) else ""
    shift = len(prefix) - offset
    spans = [(s + shift, e + shift) for s, e, _ in matches if s >= offset and e <= offset + len(body)]
    return Snippet(prefix + body + suffix, spans)
