"""Arabic stemming with the unstemmed form kept beside it.

Snowball Arabic (PyStemmer, C) is fast, but it strips letters it takes for clitics from names
(فلاديمير → لاديمير, بوتين → وتين), so every term carries both forms: ``norm`` (match key,
exact names) and ``stem`` (recall for inflected words). Search and matching use both.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import Stemmer

from marsad.text.normalize import MATCH, Profile, remove_diacritics, remove_tatweel, unicode_nfc
from marsad.text.tokenize import iter_tokens

# Snowball Arabic does its own hamza/alef handling and needs ة to strip feminine endings,
# so it gets the word with only diacritics and tatweel removed; its output is then match-folded.
_PRE_STEM = Profile("pre_stem", [unicode_nfc, remove_diacritics, remove_tatweel])

_AR_STEMMER = Stemmer.Stemmer("arabic")
_EN_STEMMER = Stemmer.Stemmer("english")


@dataclass(frozen=True, slots=True)
class Term:
    """An indexable term: surface form, match key (unstemmed) and stem."""

    surface: str
    norm: str
    stem: str
    start: int
    end: int


@lru_cache(maxsize=200_000)
def stem_word(word: str) -> str:
    """Match-folded stem of one word (Arabic via Snowball Arabic, Latin via Snowball English)."""
    if not word:
        return word
    first = word[0]
    if "\u0600" <= first <= "\u06ff" or "\ufb50" <= first <= "\ufeff":
        return MATCH(_AR_STEMMER.stemWord(_PRE_STEM(word))) or MATCH(word)
    norm = MATCH(word)
    if not norm or norm[0].isdigit():
        return norm
    return _EN_STEMMER.stemWord(norm) or norm


@lru_cache(maxsize=300_000)
def surface_keys(surface: str) -> tuple[str, str]:
    """(match key, stem) of one token's surface, cached once for every stage that reads words (category, search
    analysis, keyphrases): a new word is normalized and stemmed once per process, not once per stage."""
    return MATCH(surface), stem_word(surface)


def terms(text: str) -> list[Term]:
    """Tokenize ``text`` and return each token with its unstemmed key and its stem."""
    return [Term(t.text, t.norm, stem_word(t.text), t.start, t.end) for t in iter_tokens(text)]
