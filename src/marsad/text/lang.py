"""Language of a text: script counts, then stopwords for Latin-script text.

A heuristic (no model): good enough to tell Arabic, English and French news apart and to flag
mixed-script text. The enrichment stage may replace it with a trained identifier.
"""

from __future__ import annotations

import re

_AR_RUN = re.compile(r"[\u0621-\u064a\u0671-\u06d3]+")
_LAT_WORD = re.compile(r"[a-zàâçéèêëîïôûùüÿœæ]+", re.I)
_EN = frozenset(
    "the of and to in is that for on with as was by at from it an are be this has have said".split()
)
_FR = frozenset(
    "le la les des de du et en un une est que qui dans pour sur au aux par pas avec ce il elle a été".split()
)


def script_shares(text: str) -> tuple[float, float]:
    """Share of Arabic letters and of Latin letters among all letters of ``text``."""
    ar = sum(map(len, _AR_RUN.findall(text)))
    lat = sum(len(w) for w in _LAT_WORD.findall(text))
    total = ar + lat
    if not total:
        return 0.0, 0.0
    return ar / total, lat / total


def detect_language(text: str) -> str | None:
    """ISO 639-1 code ("ar", "en", "fr") of the dominant language, or None when there is no text."""
    sample = text[:1500]
    ar, lat = script_shares(sample)
    if ar == 0 and lat == 0:
        return None
    if ar >= 0.5:
        return "ar"
    words = [w.lower() for w in _LAT_WORD.findall(sample)]
    en = sum(w in _EN for w in words)
    fr = sum(w in _FR for w in words)
    if fr > en:
        return "fr"
    if en or lat:
        return "en"
    return None
