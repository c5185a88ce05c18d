"""Entity mentions grouped into canonical entities inside one article.

A mention's canonical id is ``TYPE:name_key`` (see ``marsad.text.names``), so كيم جونج أون and
كيم جونغ أون share one id. Inside an article a bare given or family name (ترامب) joins the full
name mentioned nearby (دونالد ترمب) when exactly one full name of that type ends or starts with it;
otherwise it stays its own entity. Across articles the store refines this with context (the
entities an article co-mentions), so different people who share a family name are not merged.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from marsad.text.clitics import ARTICLE, CLITIC_AL, LIL, PROCLITICS
from marsad.text.names import is_arabic, name_key, word_keys
from marsad.text.normalize import MATCH


@dataclass(slots=True)
class Mention:
    """One entity mention with its canonical id and name (JSON fields are a stable contract)."""

    text: str
    type: str
    start: int
    end: int
    canonical_id: str
    canonical_name: str
    score: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        """The mention as article/analyze JSON."""
        return {"text": self.text, "type": self.type, "start": self.start, "end": self.end,
                "canonical_id": self.canonical_id, "canonical_name": self.canonical_name,
                "score": round(self.score, 3)}


def cid(type_: str, key: str) -> str:
    """Canonical id of an entity from its type and name key."""
    return f"{type_}:{key}"


def strip_clitic(text: str, start: int, end: int, words: set[str]) -> tuple[str, int, int, str]:
    """Drop a conjunction/preposition glued to a name (ANERcorp tags them inside the span).

    Returns (surface, start, end, key form). وال/بال/فال/كال lose their first letter; لل keeps its
    surface (no substring spells الـ) but is keyed as ال; a single و ف ب ك ل is dropped only when
    the bare word stands alone elsewhere in the text, so بوتين, كيم and لبنان stay whole.
    """
    first = text.split()[0] if text.split() else ""
    if first.startswith(CLITIC_AL) and len(first) > 4:
        return text[1:], start + 1, end, text[1:]
    if first.startswith(LIL) and len(first) > 4:
        return text, start, end, ARTICLE + text[2:]
    if first[:1] in PROCLITICS and len(first) > 3 and MATCH(first[1:]) in words:
        return text[1:], start + 1, end, text[1:]
    return text, start, end, text


def group_mentions(spans: list[Any], text: str | None = None) -> list[Mention]:
    """Canonicalize the NER spans of one article (objects with text, type, start, end, score)."""
    words = {MATCH(w) for w in (text or "").split()}
    cleaned = []
    for span in spans:
        surface, start, end, form = strip_clitic(span.text, span.start, span.end, words)
        key = name_key(form)
        if len(key) < 3 and not is_latin_name(form):  # "بي", stray letters: not names
            continue
        cleaned.append((surface, start, end, key, span.type, float(span.score), len(form.split())))
    # one type per name within an article: majority vote (the tagger may call بيونج يانج LOC, then ORG)
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for _, _, _, key, type_, _, _ in cleaned:
        votes[key][type_] += 1
    typed = [(s, a, b, k, votes[k].most_common(1)[0][0], sc, n) for s, a, b, k, _, sc, n in cleaned]
    full_names: dict[str, set[str]] = defaultdict(set)   # TYPE:word key -> keys of multiword names
    for surface, _, _, key, type_, _, n in typed:
        if n > 1:
            for wk in set(word_keys(surface)):
                full_names[f"{type_}:{wk}"].add(key)
    mentions: list[tuple[str, int, int, str, str, float, int]] = []
    for surface, a, b, key, type_, score, n in typed:
        if n == 1 and type_ == "PERS" and len(full_names.get(f"{type_}:{key}", ())) == 1:
            key = next(iter(full_names[f"{type_}:{key}"]))
        mentions.append((surface, a, b, cid(type_, key), type_, score, n))
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    for surface, _, _, c, _, _, _ in mentions:
        forms[c][surface] += 1
    # inside one article the full name is usually written once and the bare name after it: any share counts
    names = {c: display_name(f.items(), share=0.0) for c, f in forms.items()}
    return [Mention(s, t, a, b, c, names[c], sc) for s, a, b, c, t, sc, _ in mentions]


DISPLAY_SHARE = 0.05
"""A form is common enough to be an entity's display name when it has this share of its top form's mentions."""
DISPLAY_WORDS = 4
"""Beyond this many words a form is not "fuller" (titles and run-on spans are not what a reader expects)."""


def display_name(forms: Iterable[tuple[str, int]], *, share: float = DISPLAY_SHARE) -> str:
    """The name readers expect from an entity's (form, mentions): the fullest common form.

    Arabic forms first (a Latin form only when there is no other); among forms with at least ``share`` of the
    top form's mentions, the one with the most words (up to ``DISPLAY_WORDS``), then the most mentioned, then
    the longest: كيم جونغ أون, not the bare كيم that is written more often.
    """
    items = [(f, n) for f, n in forms if f.strip()]
    if not items:
        return ""
    arabic = [(f, n) for f, n in items if is_arabic(f)]
    items = arabic or items
    floor = share * max(n for _, n in items)
    common = [(f, n) for f, n in items if n >= floor]
    return max(common, key=lambda fn: (min(len(fn[0].split()), DISPLAY_WORDS), fn[1], len(fn[0]), fn[0]))[0]


def is_latin_name(text: str) -> bool:
    """True for a Latin-script mention (linked to its Arabic entity through a gazetteer pair when one exists)."""
    return not is_arabic(text)


_LINKS: dict[tuple[str, str], tuple[str, str]] | None = None


def latin_link(latin: str, type_: str) -> tuple[str, str] | None:
    """(Arabic name key, Arabic form) linked to a Latin-script name through a gazetteer pair, if any."""
    global _LINKS
    if _LINKS is None:
        import gzip
        from importlib.resources import files

        links: dict[tuple[str, str], tuple[str, str]] = {}
        path = files("marsad") / "data" / "name-links.tsv.gz"
        with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("#"):
                    continue
                lk, t, akey, form = line.rstrip("\n").split("\t")
                links[(lk, t)] = (akey, form)
        _LINKS = links
    from marsad.text.names import latin_key

    return _LINKS.get((latin_key(latin), type_))
