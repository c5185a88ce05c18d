"""Tokenizer for Arabic, Latin and numbers, with offsets into the original (display) text.

Tokens are found on the text the reader sees so their ``start``/``end`` point into it; the
match key of each token is computed per token. Arabic tokens keep diacritics and tatweel
inside them (they belong to the word); clitics are not split here (see ``stem``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from marsad.text.normalize import MATCH

# Arabic letters (incl. Persian/Urdu additions and presentation forms), with marks and tatweel inside words.
_AR = r"\u0621-\u063a\u0641-\u064a\u0671-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06fc\u06ff\ufb50-\ufdff\ufe70-\ufefc"
_AR_MARKS = r"\u0640\u064b-\u065f\u0670\u06d6-\u06ed\u08d3-\u08ff"
_DIG = r"0-9\u0660-\u0669\u06f0-\u06f9"

TOKEN_RE = re.compile(
    rf"(?P<ar>[{_AR}][{_AR}{_AR_MARKS}]*)"
    rf"|(?P<num>[{_DIG}]+(?:[.,\u066b\u066c:/][{_DIG}]+)*%?)"
    r"|(?P<lat>[^\W\d_\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]+"
    r"(?:['’\-][^\W\d_\u0600-\u06ff]+)*)"
)


@dataclass(frozen=True, slots=True)
class Token:
    """A token: its surface text, span in the source text, kind (ar/lat/num) and match key."""

    text: str
    start: int
    end: int
    kind: str
    norm: str


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into Arabic, Latin and number tokens with offsets and match keys."""
    return list(iter_tokens(text))


def iter_tokens(text: str) -> Iterator[Token]:
    """Yield tokens of ``text`` lazily (see ``tokenize``)."""
    for m in TOKEN_RE.finditer(text):
        kind = m.lastgroup or "lat"
        surface = m.group()
        norm = MATCH(surface)
        if not norm:
            continue
        yield Token(surface, m.start(), m.end(), kind, norm)


_WORD_KEYS = re.compile(rf"[{_AR}a-z0-9]+(?:[.,][0-9]+)*", re.IGNORECASE)


def match_words(text: str) -> list[str]:
    """Fast path: the match keys of the words of ``text``, without offsets (for hashing/shingling).

    The last few texts' words are kept: an article's body is read for its content hash, its shingles and its story
    terms, and is normalized once."""
    got = _RECENT_WORDS.get(text)
    if got is not None:
        return list(got)
    words = _WORD_KEYS.findall(MATCH(text))
    if len(_RECENT_WORDS) >= _RECENT_MAX:
        _RECENT_WORDS.clear()
    _RECENT_WORDS[text] = tuple(words)
    return words


_RECENT_WORDS: dict[str, tuple[str, ...]] = {}
_RECENT_MAX = 8
