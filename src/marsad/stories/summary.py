"""A story's extractive summary across its outlets and its "what's new" list; pure, deterministic.

**Summary.** Every sentence of every article (``text.sentences``; a leading dateline cut off, sentences with
links or republishers' lines left out: ``enrich.features.strip_boilerplate``) becomes a TF-IDF vector over story
terms (light stems of clitic-free words, the IDF of the story-term table: ``enrich.features``) plus its numbers.
The story's centroid is the mean of its articles' term vectors (each article weighs the same, whatever its
length). A sentence scores its cosine with the centroid, less further down its article (news leads carry the
event) and a little less when very short. Sentences are picked greedily, best first: one from an outlet not yet
represented is preferred while it scores at least ``outlet_ratio`` of the best remaining one, and one that states
a fact already picked is dropped (``same_fact``: close vectors, a shared number in somewhat close sentences, or
most of its terms inside the other's; never with fewer than ``min_shared`` terms in common). Picked sentences
are shown in time order, each with its article. The gate is lexical: paraphrases across outlets get through
(tests/quality/gold/README-summaries.md has the judged figures).

**What's new.** The latest articles are those published in the last ``new_window_hours`` before the story's
newest article (when that is every article, the newest article alone); a sentence of theirs is new when no
sentence of an earlier article is close to it. New sentences are ranked by the same centrality, deduplicated
and capped, and shown in time order.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from marsad.enrich.features import story_df, story_terms, strip_boilerplate, term_vector
from marsad.errors import ConfigError
from marsad.text.sentences import split_sentences
from marsad.times import as_utc, parse_iso

Vector = dict[str, float]
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


@dataclass(frozen=True, slots=True)
class SummaryOptions:
    """How long a summary is and what counts as the same fact; validated once."""

    min_sentences: int = 3
    max_sentences: int = 5
    max_new: int = 5                # at most this many "what's new" sentences
    min_words: int = 6              # shorter sentences are fragments (captions, bylines)
    max_words: int = 60             # longer ones are run-on paragraphs without punctuation
    full_words: int = 15            # sentences shorter than this score a little less (by the root of the share)
    redundant: float = 0.3          # cosine at or above which two sentences state the same fact
    contained: float = 0.6          # ... or this share of the shorter sentence's terms is in the other
    outlet_ratio: float = 0.6       # a new outlet's sentence is preferred while it scores this share of the best
    new_window_hours: float = 6.0   # the latest articles: this close to the story's newest publication time
    new_match: float = 0.4          # a latest sentence this close to an earlier one is not new
    min_shared: int = 3             # two sentences sharing fewer terms than this are never the same fact
    lead_decay: float = 0.15        # a sentence's score is divided by 1 + lead_decay x its position in the article

    def __post_init__(self) -> None:
        if not 1 <= self.min_sentences <= self.max_sentences:
            raise ConfigError(f"need 1 <= min_sentences <= max_sentences, got {self.min_sentences} and "
                              f"{self.max_sentences}")
        for name in ("redundant", "contained", "outlet_ratio", "new_match"):
            if not 0.0 < getattr(self, name) <= 1.0:
                raise ConfigError(f"{name} must be in (0, 1], got {getattr(self, name)}")
        if self.min_words < 1 or self.max_words < self.min_words:
            raise ConfigError("need 1 <= min_words <= max_words")


@dataclass(frozen=True, slots=True)
class SummarySentence:
    """One sentence shown, with the article it comes from (``position``: its index among the article's sentences)."""

    text: str
    article_id: int | None
    url: str | None
    source: str | None
    published_at: str | None
    position: int

    def to_dict(self) -> dict[str, Any]:
        """The sentence as JSON."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class StorySummary:
    """A story's summary sentences and what is new in its latest articles."""

    summary: list[SummarySentence]
    whats_new: list[SummarySentence]

    def to_dict(self) -> dict[str, Any]:
        """``{"summary": [...], "whats_new": [...]}``."""
        return {"summary": [s.to_dict() for s in self.summary], "whats_new": [s.to_dict() for s in self.whats_new]}


@dataclass(slots=True)
class _Candidate:
    sentence: SummarySentence
    order: tuple[Any, ...]      # time order of the article, then position
    vector: Vector
    terms: frozenset[str]
    words: int
    fits: bool                  # within the word bounds (others only fill a summary shorter than the minimum)
    score: float = 0.0


_NUMBER = re.compile(r"[0-9\u0660-\u0669\u06f0-\u06f9][0-9\u0660-\u0669\u06f0-\u06f9.,\u066b\u066c]*")
_YEAR = re.compile(r"(19|20)\d\d")
NUMBER_IDF_SHARE = 0.6
"""A number's weight in a sentence vector, as a share of the rarest term's IDF: numbers are facts (1200 cases, the
27th minute), shared numbers say two sentences report the same one. Years are left out (background, not facts)."""


def sentence_terms(text: str) -> list[str]:
    """Story terms of a sentence plus its numbers (``#`` + ASCII digits; years left out)."""
    numbers = [n.rstrip(".,\u066b\u066c").translate(_DIGITS) for n in _NUMBER.findall(text)]
    return story_terms(text) + ["#" + n for n in numbers if n and not _YEAR.fullmatch(n)]


def _idf(term: str) -> float:
    table = story_df()
    return NUMBER_IDF_SHARE * table.idf("") if term.startswith("#") else table.idf(term)


def _vector(terms: Iterable[str]) -> Vector:
    tf = Counter(terms)
    weights = {t: (1 + math.log(c)) * _idf(t) for t, c in tf.items()}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {t: w / norm for t, w in weights.items()}


def _cosine(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


def same_fact(a: _Candidate, b: _Candidate, options: SummaryOptions) -> bool:
    """Whether two sentences say the same thing: close vectors, or a shared number of three digits or more in
    sentences somewhat close, or the shorter mostly inside the longer."""
    shared = a.terms & b.terms
    if len(shared) < options.min_shared:
        return False
    cosine = _cosine(a.vector, b.vector)
    if cosine >= options.redundant:
        return True
    if cosine >= options.redundant / 2 and any(t.startswith("#") and len(t) >= 4 for t in shared):
        return True
    return len(shared) / min(len(a.terms), len(b.terms)) >= options.contained


def _close(a: _Candidate, b: _Candidate, options: SummaryOptions) -> bool:
    """Whether an earlier sentence already says what a latest one says (what's new leaves it out)."""
    return len(a.terms & b.terms) >= options.min_shared and _cosine(a.vector, b.vector) >= options.new_match


def sentence_similarity(a: str, b: str) -> float:
    """Cosine of two sentences' TF-IDF story-term vectors (what the summary calls close; for judging)."""
    return _cosine(_vector(sentence_terms(a)), _vector(sentence_terms(b)))


def _time_key(article: Mapping[str, Any]) -> tuple[int, str, int]:
    when = parse_iso(article.get("published_at"))
    iso = as_utc(when).isoformat() if when is not None else ""
    return (0 if iso else 1, iso, int(article.get("id") or 0))


def _candidates(article: Mapping[str, Any], rank: int, options: SummaryOptions) -> list[_Candidate]:
    out = []
    for position, span in enumerate(split_sentences(str(article.get("text") or ""))):
        text = strip_boilerplate(span.text).strip()
        # a leading dateline goes from an article's first sentence; any other change (a link, a "follow us" line,
        # an agency name taken for a dateline further down) leaves the sentence out
        if not text or text not in span.text or (position and text != span.text) or not text[0].isalnum():
            continue
        terms = sentence_terms(text)
        words = len(text.split())
        if len(terms) < 2 or words > 2 * options.max_words:
            continue
        fits = options.min_words <= words <= options.max_words and not text.endswith(":")
        sentence = SummarySentence(text, article.get("id"), article.get("url"), article.get("source"),
                                   article.get("published_at"), position)
        out.append(_Candidate(sentence, (rank, position), _vector(terms), frozenset(terms), words, fits))
    return out


def _centroid(articles: Sequence[Mapping[str, Any]]) -> Vector:
    total: dict[str, float] = {}
    for art in articles:
        for term, w in term_vector(str(art.get("title") or ""), str(art.get("text") or "")).items():
            total[term] = total.get(term, 0.0) + w
    norm = math.sqrt(sum(w * w for w in total.values())) or 1.0
    return {t: w / norm for t, w in total.items()}


def _pick(pool: list[_Candidate], limit: int, options: SummaryOptions, *, prefer_outlets: bool) -> list[_Candidate]:
    ranked = sorted(pool, key=lambda c: (-c.score, c.order))
    picked: list[_Candidate] = []
    outlets: set[str] = set()
    while ranked and len(picked) < limit:
        best = ranked[0]
        if prefer_outlets:
            fresh = next((c for c in ranked if (c.sentence.source or "") not in outlets), None)
            if fresh is not None and fresh.score >= options.outlet_ratio * best.score:
                best = fresh
        picked.append(best)
        outlets.add(best.sentence.source or "")
        ranked = [c for c in ranked if c is not best and not same_fact(c, best, options)]
    return sorted(picked, key=lambda c: c.order)


def _latest_split(articles: list[Mapping[str, Any]], hours: float) -> tuple[list[int], list[int]]:
    """Indexes (in time order) of the earlier and the latest articles."""
    times = [parse_iso(a.get("published_at")) for a in articles]
    dated = [as_utc(t) for t in times if t is not None]
    if len(articles) < 2 or not dated:
        return list(range(len(articles))), []
    newest = max(dated)
    cut = newest - timedelta(hours=hours)
    latest = [i for i, t in enumerate(times) if t is not None and as_utc(t) >= cut]
    if len(latest) == len(articles):
        latest = [i for i, t in enumerate(times) if t is not None and as_utc(t) == newest]
        if len(latest) == len(articles):
            return list(range(len(articles))), []
    chosen = set(latest)
    return [i for i in range(len(articles)) if i not in chosen], latest


def summarize(articles: Sequence[Mapping[str, Any]], options: SummaryOptions | None = None) -> StorySummary:
    """The summary and "what's new" of a story from its articles (dicts with ``id``, ``url``, ``source``,
    ``title``, ``text``, ``published_at``); copies should be left out by the caller (they repeat their original)."""
    options = options or SummaryOptions()
    ordered = sorted(articles, key=_time_key)
    per_article = [_candidates(a, rank, options) for rank, a in enumerate(ordered)]
    centroid = _centroid(ordered)
    for cands in per_article:
        for c in cands:
            lead = 1.0 / (1.0 + options.lead_decay * c.sentence.position)
            body = min(1.0, c.words / options.full_words) ** 0.5     # cosine favours short sentences: temper it
            c.score = round(_cosine(c.vector, centroid) * lead * body, 9)
    pool = [c for cands in per_article for c in cands if c.score > 0]
    summary = _pick([c for c in pool if c.fits], options.max_sentences, options, prefer_outlets=True)
    if len(summary) < options.min_sentences:      # short articles: fill with what is left, still no fact twice
        rest = [c for c in pool if not c.fits and not any(same_fact(c, p, options) for p in summary)]
        summary = sorted(summary + _pick(rest, options.min_sentences - len(summary), options, prefer_outlets=True),
                         key=lambda c: c.order)

    earlier, latest = _latest_split(list(ordered), options.new_window_hours)
    new: list[_Candidate] = []
    if latest:
        before = [c for i in earlier for c in per_article[i]]
        for i in latest:
            for c in per_article[i]:
                if c.fits and c.score > 0 and not any(_close(c, b, options) for b in before):
                    new.append(c)
    whats_new = _pick(new, options.max_new, options, prefer_outlets=False)
    return StorySummary([c.sentence for c in summary], [c.sentence for c in whats_new])
