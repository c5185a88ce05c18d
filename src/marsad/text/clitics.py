"""Arabic proclitics as data: the one table every module strips or adds clitics with.

Conjunctions (و ف) and prepositions (ب ل ك) are written joined to the next word, also before the
article ال; ل + ال is written لل (the alef drops). Every set below is built from these atoms, in a
fixed order (some callers emit forms in table order, so the order is part of the contract).
"""

from __future__ import annotations

__all__ = [
    "ARTICLE",
    "ARTICLE_PREFIXES",
    "BARE_PREFIXES",
    "BEFORE_ARTICLE",
    "CLITIC_AL",
    "CLITIC_ARTICLE",
    "CONJUNCTIONS",
    "DOUBLE_PROCLITICS",
    "LIL",
    "LIL_PREFIXES",
    "NER_PREFIXES",
    "PREFIXES",
    "PREPOSITIONS",
    "PROCLITICS",
    "SEARCH_PREFIXES",
    "SINGLE_CLITIC_PREFIXES",
]

CONJUNCTIONS: tuple[str, ...] = ("و", "ف")
PREPOSITIONS: tuple[str, ...] = ("ب", "ل", "ك")
ARTICLE = "ال"
LIL = "لل"
"""ل + ال as written (للرئيس)."""

PROCLITICS: tuple[str, ...] = CONJUNCTIONS + PREPOSITIONS
"""One letter: و ف ب ل ك."""

DOUBLE_PROCLITICS: tuple[str, ...] = tuple(c + p for c in CONJUNCTIONS for p in PREPOSITIONS)
"""A conjunction then a preposition: وب ول وك فب فل فك."""

BEFORE_ARTICLE: tuple[str, ...] = tuple(p for p in PROCLITICS + DOUBLE_PROCLITICS if not p.endswith("ل"))
"""Clitics written in front of a full ال: و ف ب ك وب وك فب فك (ل + ال is لل)."""

CLITIC_AL: tuple[str, ...] = tuple(p + ARTICLE for p in PROCLITICS if p != "ل")
"""One clitic + ال written in full: وال فال بال كال."""

CLITIC_ARTICLE: tuple[str, ...] = (*CLITIC_AL, LIL)
"""One clitic + the article: وال فال بال كال لل."""

LIL_PREFIXES: tuple[str, ...] = (LIL, *(c + LIL for c in CONJUNCTIONS))
"""ل + ال, alone or after a conjunction: لل ولل فلل."""


ARTICLE_PREFIXES: tuple[str, ...] = (
    *(c + p + ARTICLE for p in ("ب", "ك") for c in CONJUNCTIONS),
    *LIL_PREFIXES[1:],
    *CLITIC_AL,
    LIL,
    ARTICLE,
)
"""The article with any clitics before it, longest first: وبال فبال وكال فكال ولل فلل وال فال بال كال لل ال."""

BARE_PREFIXES: tuple[str, ...] = DOUBLE_PROCLITICS + PROCLITICS
"""Clitics without the article, longest first: وب ول وك فب فل فك و ف ب ل ك."""

PREFIXES: tuple[str, ...] = ARTICLE_PREFIXES + BARE_PREFIXES
"""The combined prefix list, longest first (the first prefix that matches a word is its longest)."""

# Subsets that differ on purpose (behaviour pinned by models and goldens):
NER_PREFIXES: tuple[str, ...] = tuple(p for p in PREFIXES if not p.startswith(("وك", "فك")))
"""``PREFIXES`` without وك/فك(ال): the bundled NER CRF was trained on features of this set (change = retrain)."""

SEARCH_PREFIXES: tuple[str, ...] = (*PROCLITICS, *DOUBLE_PROCLITICS, ARTICLE, *CLITIC_ARTICLE)
"""Glued by the any-word search in front of a bare word: no three-letter stacks (وبال, ولل), query strings unchanged."""

SINGLE_CLITIC_PREFIXES: tuple[str, ...] = (*CLITIC_ARTICLE, *PROCLITICS)
"""One conjunction or preposition, with or without ال: the tag matcher of ``extraction.sections`` (goldens pin it)."""
