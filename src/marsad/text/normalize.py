"""Arabic normalization as small named steps composed into named profiles.

Never normalize what the reader sees: the ``display`` profile only cleans invisible and
whitespace noise; the ``match`` profile (alias ``search``) builds keys for hashing, matching
and indexing. Each step is a tiny function; pure character maps are fused into one
``str.translate`` table when a profile is built, so a profile costs one pass per table.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from marsad.text import chars

Table = dict[int, str | None]


@dataclass(frozen=True, slots=True)
class Step:
    """One named normalization step: either a character table or a function."""

    name: str
    table: Table | None = None
    func: Callable[[str], str] | None = None

    def __call__(self, text: str) -> str:
        if self.table is not None:
            return text.translate(self.table)
        assert self.func is not None
        return self.func(text)


def _delete(characters: str) -> Table:
    return {ord(c): None for c in characters}


def _mapping(mapping: dict[str, str]) -> Table:
    return {ord(k): v for k, v in mapping.items()}


_MULTISPACE = re.compile(r" {2,}")
_SPACE_AROUND_NL = re.compile(r" *\n *")
_MANY_NL = re.compile(r"\n{3,}")
_PRESENTATION = re.compile("[\ufb50-\ufdff\ufe70-\ufefe]+")


def nfc(text: str) -> str:
    """Unicode canonical composition (NFC)."""
    return unicodedata.normalize("NFC", text)


def fold_presentation_forms(text: str) -> str:
    """Fold Arabic presentation forms (legacy shaped glyphs, U+FB50–U+FEFE) with NFKC."""
    return _PRESENTATION.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


def unify_whitespace(text: str) -> str:
    """One kind of space, \\n line ends, no trailing spaces, at most one blank line in a row."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    if _ODD_SPACE.search(text) is not None:
        text = text.translate(_WHITESPACE_TABLE)
    if "  " in text:
        text = _MULTISPACE.sub(" ", text)
    if " \n" in text or "\n " in text:
        text = _SPACE_AROUND_NL.sub("\n", text)
    if "\n\n\n" in text:
        text = _MANY_NL.sub("\n\n", text)
    return text.strip()


def casefold_latin(text: str) -> str:
    """Lower-case Latin letters (Arabic has no case)."""
    return text.lower()


_WHITESPACE_TABLE: Table = {**{ord(c): " " for c in chars.SPACES}, **{ord(c): "\n" for c in chars.LINE_BREAKS}}
_ODD_SPACE = re.compile("[" + re.escape(chars.SPACES + chars.LINE_BREAKS) + "]")

remove_bidi_controls = Step("remove_bidi_controls", table=_delete(chars.BIDI_CONTROLS))
remove_zero_width = Step("remove_zero_width", table=_delete(chars.ZERO_WIDTH))
remove_diacritics = Step("remove_diacritics", table=_delete(chars.DIACRITICS))
remove_tatweel = Step("remove_tatweel", table=_delete(chars.TATWEEL))
normalize_alef = Step("normalize_alef", table=_mapping(chars.ALEF_VARIANTS))
normalize_yeh = Step("normalize_yeh", table=_mapping(chars.YEH_VARIANTS))
normalize_teh_marbuta = Step("normalize_teh_marbuta", table=_mapping(chars.TEH_MARBUTA))
normalize_hamza_carriers = Step("normalize_hamza_carriers", table=_mapping(chars.HAMZA_CARRIERS))
normalize_persian_letters = Step("normalize_persian_letters", table=_mapping(chars.PERSIAN_LETTERS))
normalize_digits = Step("normalize_digits", table=_mapping(chars.DIGITS))
normalize_punctuation = Step("normalize_punctuation", table=_mapping(chars.PUNCTUATION))
unicode_nfc = Step("nfc", func=nfc)
presentation_forms = Step("fold_presentation_forms", func=fold_presentation_forms)
whitespace = Step("unify_whitespace", func=unify_whitespace)
lowercase = Step("casefold_latin", func=casefold_latin)


def _compose_tables(first: Table, second: Table) -> Table:
    """Return one table equal to applying ``first`` then ``second``."""
    out: Table = {}
    for key, value in first.items():
        out[key] = None if value is None else value.translate(second) or None
    for key, value in second.items():
        out.setdefault(key, value)
    return out


class _FastTable:
    """A translate table as a list indexed by code point (2-3x faster than a dict in CPython),
    skipped entirely when a regex finds none of its characters (the common case for deletions)."""

    __slots__ = ("guard", "name", "seq")

    def __init__(self, name: str, table: Table) -> None:
        self.name = name
        size = max(table) + 1
        seq: list[str] = [chr(i) for i in range(size)]
        for key, value in table.items():
            seq[key] = "" if value is None else value
        self.seq = seq
        self.guard = re.compile("[" + "".join(re.escape(chr(k)) for k in sorted(table)) + "]")

    def __call__(self, text: str) -> str:
        if self.guard.search(text) is None:
            return text
        return text.translate(self.seq)


class Profile:
    """A named sequence of steps; adjacent table steps are fused into one translate table."""

    def __init__(self, name: str, steps: Iterable[Step]) -> None:
        self.name = name
        self.steps: tuple[Step, ...] = tuple(steps)
        fused: list[Step] = []
        for step in self.steps:
            if step.table is not None and fused and fused[-1].table is not None:
                prev = fused.pop()
                assert prev.table is not None
                fused.append(Step(f"{prev.name}+{step.name}", table=_compose_tables(prev.table, step.table)))
            else:
                fused.append(step)
        self._compiled: tuple[Callable[[str], str], ...] = tuple(
            _FastTable(st.name, st.table) if st.table is not None else st for st in fused
        )

    def __call__(self, text: str) -> str:
        for step in self._compiled:
            text = step(text)
        return text

    def __repr__(self) -> str:
        return f"Profile({self.name!r}, [{', '.join(s.name for s in self.steps)}])"


DISPLAY = Profile(
    "display",
    [remove_bidi_controls, remove_zero_width, unicode_nfc, whitespace],
)
"""What the reader sees: NFC, no bidi/zero-width controls, unified whitespace. Letters untouched."""

MATCH = Profile(
    "match",
    [
        remove_bidi_controls,
        remove_zero_width,
        presentation_forms,
        unicode_nfc,
        remove_diacritics,
        remove_tatweel,
        normalize_alef,
        normalize_yeh,
        normalize_teh_marbuta,
        normalize_hamza_carriers,
        normalize_persian_letters,
        normalize_digits,
        normalize_punctuation,
        lowercase,
        unicode_nfc,
        whitespace,
    ],
)
"""Keys for hashing, matching and search: diacritics/tatweel gone, letter variants folded,
digits ASCII, punctuation unified, Latin lower-cased."""

PROFILES: dict[str, Profile] = {"display": DISPLAY, "match": MATCH, "search": MATCH}


def normalize(text: str, profile: str = "match") -> str:
    """Normalize ``text`` with the named profile (``display``, ``match`` or ``search``)."""
    try:
        return PROFILES[profile](text)
    except KeyError:
        raise ValueError(f"unknown profile {profile!r}; choose one of {sorted(PROFILES)}") from None


def display(text: str) -> str:
    """Clean text for readers without changing a letter."""
    return DISPLAY(text)


def match_key(text: str) -> str:
    """Match/search key of ``text``."""
    return MATCH(text)


_DIGIT_TABLE = _mapping({k: v for k, v in chars.DIGITS.items() if v.isdigit()})


def ascii_digits(text: str) -> str:
    """Only convert Arabic-Indic and Persian digits to ASCII (for parsers)."""
    return text.translate(_DIGIT_TABLE)
