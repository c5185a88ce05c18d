"""Sentence splitting for Arabic (and Latin) news text, with offsets into the text the reader sees.

A sentence ends at ``.`` ``!`` ``?`` ``؟`` ``…`` (or a run of them, with the closing quotes and brackets that
follow) when white space or the end of the text comes next, and at every line break (a paragraph or a line
without a final mark ends there too). A full stop does not end a sentence after a single letter (initials and
Arabic abbreviations: ``د.`` ``م.`` ``أ.ف.ب`` ``U.S.``), inside a number (``3.5``) or before a lower-case Latin
letter. ``،`` ``؛`` and ``:`` never end one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_END = re.compile(r"[.!?؟…]+[\"'»”’)\]]*(?=\s|$)")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


@dataclass(frozen=True, slots=True)
class SentenceSpan:
    """One sentence: its text (stripped) and where it is in the source text (``text[start:end]``)."""

    text: str
    start: int
    end: int


def _single_letter_before(line: str, dot: int) -> bool:
    """True when the word just before the full stop at ``dot`` is one letter (an initial or abbreviation)."""
    i = dot
    while i > 0 and line[i - 1] == ".":   # "أ.ف.ب." style: walk back over the dotted letters
        i -= 1
    j = i
    while j > 0 and _LETTER.match(line[j - 1]):
        j -= 1
    return i - j == 1 and (j == 0 or not _LETTER.match(line[j - 1]))


def _ends_here(line: str, m: re.Match[str]) -> bool:
    """Whether the end mark matched by ``m`` closes a sentence."""
    marks = m.group()
    if marks[0] != "." or marks.startswith(".."):
        return True
    if _single_letter_before(line, m.start()):
        return False
    rest = line[m.end():].lstrip()
    return not (rest[:1].isascii() and rest[:1].islower())


def split_sentences(text: str) -> list[SentenceSpan]:
    """The sentences of ``text`` in order, each with its offsets; empty pieces are left out."""
    out: list[SentenceSpan] = []
    pos = 0
    for line in text.split("\n"):
        start = 0
        for m in _END.finditer(line):
            if _ends_here(line, m):
                _add(out, line, start, m.end(), pos)
                start = m.end()
        _add(out, line, start, len(line), pos)
        pos += len(line) + 1
    return out


def _add(out: list[SentenceSpan], line: str, start: int, end: int, offset: int) -> None:
    piece = line[start:end]
    stripped = piece.strip()
    if not stripped or not any(ch.isalnum() for ch in stripped):
        return
    lead = len(piece) - len(piece.lstrip())
    begin = offset + start + lead
    out.append(SentenceSpan(stripped, begin, begin + len(stripped)))
