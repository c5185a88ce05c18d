"""Title and date of a page from every signal it carries, reconciled by agreement.

A real page states its headline three or four times (``og:title``, JSON-LD ``headline``, ``<h1>``,
``<title>``) and its date as many (JSON-LD, meta tags, ``<time>``, the URL, a dateline in the text).
Any one of them can be wrong: a ``<title>`` that holds only the site's name, a logo in an ``<h1>``,
a meta tag converted to UTC that moves the day, a related story's date. Each signal is a witness
with a weight; the value most witnesses agree on wins, and a title that is only the site's name
never wins. The published date keeps the page's own UTC offset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from urllib.parse import urlsplit

from marsad.text.dates import ParsedDate, parse_machine_date
from marsad.text.normalize import MATCH

# Weights of the witnesses: structured data first, then what the reader sees, then guesses.
TITLE_WEIGHTS = {"og": 2.0, "jsonld": 2.0, "h1": 1.5, "twitter": 1.0, "title": 1.0}
DATE_WEIGHTS = {"jsonld": 2.0, "meta": 2.0, "time": 1.5, "dateline": 1.5, "url": 1.0, "line": 0.75,
                "htmldate": 0.5}
_TITLE_PRIORITY = ("og", "jsonld", "h1", "twitter", "title")
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—»·:]\s+|\s*[|»·]\s*|\s*:\s+")
_SAME_INSTANT = timedelta(minutes=2)


@dataclass(frozen=True, slots=True)
class TitleWitness:
    """One place the page states a title."""

    source: str      # og | jsonld | h1 | twitter | title
    text: str


@dataclass(frozen=True, slots=True)
class DateWitness:
    """One place the page states its publication date."""

    source: str      # jsonld | meta | time | dateline | line | url | htmldate
    value: datetime
    has_time: bool

    @property
    def weight(self) -> float:
        """How much this witness counts."""
        return DATE_WEIGHTS.get(self.source, 0.5)

    @property
    def precision(self) -> int:
        """3 time with the page's own offset, 2 time in UTC, 1 time without offset, 0 date only."""
        if not self.has_time:
            return 0
        offset = self.value.utcoffset()
        if offset is None:
            return 1
        return 2 if offset == timedelta(0) else 3

    def iso(self) -> str:
        """ISO 8601 text with the offset the page gave (a date alone when there was no time)."""
        return self.value.isoformat(timespec="seconds") if self.has_time else self.value.date().isoformat()


@lru_cache(maxsize=4096)     # the same few titles and site names are keyed many times per page
def _key(text: str) -> str:
    return re.sub(r"[^\w ]+", "", MATCH(text)).strip()


def strip_site_name(title: str, site_names: set[str]) -> str:
    """``title`` without a leading or trailing segment that is the site's name ("Site | Headline")."""
    keys = {_key(s) for s in site_names if _key(s)}
    parts = [p for p in _TITLE_SEPARATORS.split(title) if p.strip()]
    if len(parts) < 2 or not keys:
        return title.strip()
    while len(parts) > 1 and _key(parts[-1]) in keys:
        title = title[: title.rfind(parts[-1])].rstrip(" |-–—»·:")
        parts = parts[:-1]
    while len(parts) > 1 and _key(parts[0]) in keys:
        title = title[title.find(parts[0]) + len(parts[0]):].lstrip(" |-–—»·:")
        parts = parts[1:]
    return title.strip()


def _contains(longer: str, shorter: str) -> bool:
    """``shorter`` is ``longer`` or a whole separated segment run of it (a headline inside "Headline - Site")."""
    if not shorter or not longer:
        return False
    if longer == shorter:
        return True
    return len(shorter) >= 8 and (longer.startswith(shorter + " ") or longer.endswith(" " + shorter))


def choose_title(witnesses: list[TitleWitness], site_names: set[str]) -> str:
    """The headline most witnesses agree on, with site-name prefixes and suffixes removed; "" if none.

    A witness that is only the site's name is never chosen. Agreement is equality of match keys, or one
    witness holding the other as a separated segment ("Headline - Site" supports "Headline").
    """
    site_keys = {_key(s) for s in site_names if _key(s)}
    cleaned = [(w, strip_site_name(w.text, site_names)) for w in witnesses if w.text.strip()]
    keyed = [(w, text, _key(text)) for w, text in cleaned]
    usable = [(w, text, key) for w, text, key in keyed if key and key not in site_keys]
    if not usable:
        return ""
    best: tuple[float, int, int] | None = None
    chosen = ""
    for w, text, key in usable:
        support = sum(TITLE_WEIGHTS.get(o.source, 0.5) for o, _, okey in keyed
                      if okey and (okey == key or _contains(okey, key) or _contains(key, okey)))
        # Ties: the text others contain (no site suffix left), then the more trusted source.
        contained = sum(1 for _, _, okey in keyed if okey != key and _contains(okey, key))
        rank = (support, contained, -_TITLE_PRIORITY.index(w.source) if w.source in _TITLE_PRIORITY else -9)
        if best is None or rank > best:
            best, chosen = rank, text
    return chosen


def url_date(url: str | None) -> DateWitness | None:
    """A date written in a URL path (``/2019/07/14/``, ``/2019-07-14-``, ``/20190714/``); None when absent."""
    if not url:
        return None
    path = urlsplit(url).path
    m = (re.search(r"(?<!\d)(19[89]\d|20\d\d)[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?!\d)", path)
         or re.search(r"(?<!\d)(19[89]\d|20\d\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?!\d)", path))
    if m is None:
        return None
    try:
        return DateWitness("url", datetime(int(m[1]), int(m[2]), int(m[3])), False)
    except ValueError:
        return None


def machine_witness(source: str, value: str | None) -> DateWitness | None:
    """A witness from a machine date (ISO 8601, RFC 822); None when ``value`` is not one."""
    if not value:
        return None
    dt = parse_machine_date(value)
    if dt is None:
        return None
    has_time = bool(re.search(r"\d{1,2}:\d{2}", value))
    return DateWitness(source, dt, has_time)


def parsed_witness(source: str, parsed: ParsedDate) -> DateWitness:
    """A witness from an Arabic date found in the page's text."""
    return DateWitness(source, parsed.value, parsed.has_time)


def _agree(a: DateWitness, b: DateWitness) -> bool:
    """Same local calendar day, or (both timed with an offset) the same instant."""
    if a.value.date() == b.value.date():
        return True
    if a.has_time and b.has_time and a.value.tzinfo is not None and b.value.tzinfo is not None:
        return abs(a.value - b.value) <= _SAME_INSTANT
    return False


def choose_date(witnesses: list[DateWitness]) -> DateWitness | None:
    """The publication date most witnesses agree on, in its most precise form (keeping the page's offset).

    Support is the summed weight of the witnesses that agree with a candidate. Among the witnesses of the
    winner's local day, the most precise form is returned: a time with the page's own offset beats the
    same instant in UTC (which may fall on another day), which beats a time without offset, then a date.
    """
    if not witnesses:
        return None
    scored = []
    for i, w in enumerate(witnesses):
        support = sum(o.weight for o in witnesses if _agree(w, o))
        scored.append((support, w.weight, w.precision, -i, w))
    winner = max(scored, key=lambda s: s[:4])[4]
    same_day = [w for w in witnesses if w.value.date() == winner.value.date() and _agree(winner, w)]
    return max(same_day, key=lambda w: (w.precision, w.weight))
