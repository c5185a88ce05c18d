"""Per-article features for near-duplicate detection and story clustering.

Computed once per article (in the ingest workers when there are several), stored in ``article_features``
so a restart or a re-cluster does not recompute them:

- **shingles → MinHash**: word 3-grams of the *skeleton* of the body — match-normalized words (diacritics,
  tatweel, hamza/alef/yeh/ة folds, ASCII digits) with the long vowels ا و ي dropped inside words and the
  hard-g letters folded, so transliteration variants meet (ترامب = ترمب, جونغ = جونج) — after removing the boilerplate
  that republishers add (datelines with agency names, "follow us", "read also", links). Word shingles over
  normalized Arabic, not character shingles over raw bytes: character n-grams of Arabic share so much
  morphology that almost every pair of news articles looks alike.
- **terms**: the lexical vector — light stems of clitic-free words (``enrich.keyphrases.topic_term``) folded
  to their skeleton, TF (title counted three times, lead twice) × IDF from the story-term table
  (``data/story-df.tsv.gz``, every term counted over 70,000 articles, `scripts/build_story_df.py`),
  L2-normalized, top 80 kept;
- **title terms**: the same over the headline alone (top 30): headlines name the event, and reactions to
  one event ("EU stays in the nuclear deal", "Putin worried by Trump's decision") share their headline's
  key terms more than their bodies.
- **embedding**: the sentence embedding of title + lead (``enrich.embed``), optional.
- **entities**: canonical entity ids with mention counts (after resolution in the store).
"""

from __future__ import annotations

import gzip
import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from rensa import RMinHash

from marsad.enrich.embed import embedding_text, get_embedder
from marsad.enrich.keyphrases import default_df_table, topic_term
from marsad.models import Article
from marsad.text.names import name_key
from marsad.text.tokenize import match_words
from marsad.times import timestamp

STORY_DF_PATH = Path(__file__).resolve().parents[1] / "data" / "story-df.tsv.gz"
DF_FLOOR = 3          # a term seen in fewer articles than this counts as seen in this many (rare is not junk)
TITLE_TERMS = 30
NUM_PERM = 128
MINHASH_SEED = 20180508
SHINGLE = 3
TOP_TERMS = 80
LEAD_WORDS = 60

# Lines republishers add around wire copy; dropped before shingling (not from the stored text).
_BOILERPLATE_LINE = re.compile(
    r"^\s*(?:تابعونا|تابعوا|تابع\s|تابعنا|اقرأ\s+أيضا|اقرأ\s+ايضا|إقرأ\s+أيضا|اقرا\s+ايضا|للمزيد|شاهد\s+أيضا|"
    r"شاهد\s+ايضا|المصدر\s*:|حقوق\s+النشر|جميع\s+الحقوق|للاشتراك|انضموا|اشترك|حمل\s+تطبيق|https?://|www\.)",
)
_AGENCY = (r"(?:واس|رويترز|أ\s*ف\s*ب|ا\s*ف\s*ب|فرانس\s*برس|د\s*ب\s*أ|الأناضول|الاناضول|سبق|قنا|وام|بنا|كونا|"
           r"سانا|أ\s*ش\s*أ|ا\s*ش\s*ا|معا|وفا|العربية\.نت|سكاي\s*نيوز\s*عربية)")
# "الرياض - واس -", "جدة (واس):", "واس - الرياض:" at the start of the text
_DATELINE = re.compile(
    rf"^\s*(?:[^\n.،:]{{0,40}}?[\s(\-–—]+)?{_AGENCY}\s*\)?\s*[-–—:]*\s*(?:[^\n.،:\-–—]{{0,25}}\s*[-–—:]+\s*)?"
)
_URL = re.compile(r"https?://\S+|www\.\S+|[@#]\w+")
_INNER_VOWEL = re.compile(r"\B[اوي]")
_HARD_G = str.maketrans({"غ": "ج", "ك": "ج", "ق": "ج", "گ": "ج"})
_NAME_PARTICLES = frozenset(name_key(w) for w in "عبد أبو بن ابن آل الشيخ الرئيس".split())


@dataclass(slots=True)
class Features:
    """What near-duplicate detection and clustering know of one article."""

    minhash: RMinHash | None          # None when the text has too few words to shingle
    shingles: int                     # number of distinct shingles (for containment estimates)
    terms: dict[str, float]           # L2-normalized TF-IDF over topic terms
    embedding: np.ndarray | None      # float32, L2-normalized
    embedder: str | None
    entities: dict[str, float] = field(default_factory=dict)   # entity word key -> salience weight
    time: float | None = None         # publication time, epoch seconds (UTC)
    source: str = ""
    length: int = 0                   # characters of the text (completeness)
    title_terms: dict[str, float] = field(default_factory=dict)  # L2-normalized TF-IDF of the headline

    # -- storage --------------------------------------------------------------------------------
    def to_row(self) -> dict[str, Any]:
        """The ``article_features`` columns."""
        return {
            "minhash": self.minhash.__getstate__() if self.minhash is not None else None,
            "embedding": self.embedding.astype(np.float16).tobytes() if self.embedding is not None else None,
            "embedder": self.embedder,
            "terms": json.dumps({"t": {k: round(v, 4) for k, v in self.terms.items()}, "s": self.shingles,
                                 "h": {k: round(v, 4) for k, v in self.title_terms.items()}}, ensure_ascii=False),
        }

    @classmethod
    def from_row(cls, row: dict[str, Any], *, entities: dict[str, float], time: float | None, source: str,
                 length: int, title: str | None = None) -> Features:
        """Rebuild features from an ``article_features`` row and the article's own fields (``title`` gives the
        headline terms of rows written before they were stored)."""
        mh = None
        if row.get("minhash"):
            mh = RMinHash(NUM_PERM, MINHASH_SEED)
            mh.__setstate__(row["minhash"])
        emb = None
        if row.get("embedding"):
            emb = np.frombuffer(row["embedding"], dtype=np.float16).astype(np.float32)
        data: dict[str, Any] = json.loads(row["terms"]) if row.get("terms") else {"t": {}, "s": 0}
        heads = data.get("h")
        if heads is None:
            heads = title_vector(title) if title else {}
        return cls(mh, int(data.get("s", 0)), dict(data.get("t", {})), emb, row.get("embedder"),
                   entities, time, source, length, dict(heads))


def strip_boilerplate(text: str) -> str:
    """The text without republishers' lines (follow us, read also, links) and without a leading dateline."""
    lines = [ln for ln in text.splitlines() if ln.strip() and not _BOILERPLATE_LINE.match(ln)]
    body = "\n".join(lines)
    body = _DATELINE.sub("", body, count=1)
    return _URL.sub(" ", body)


def skeleton_words(text: str) -> list[str]:
    """Match-normalized words with inner long vowels dropped and the hard-g letters (ج غ ك ق) folded:
    transliteration variants share a skeleton (ترامب = ترمب, جونغ = جونج)."""
    return _INNER_VOWEL.sub("", " ".join(match_words(text))).translate(_HARD_G).split()


def shingles(text: str, n: int = SHINGLE) -> set[str]:
    """Word n-gram shingles of the boilerplate-stripped skeleton."""
    words = skeleton_words(strip_boilerplate(text))
    if len(words) < n:
        return set()
    return {" ".join(words[i:i + n]) for i in range(len(words) - n + 1)}


def make_minhash(shingle_set: set[str]) -> RMinHash | None:
    """MinHash of a shingle set (None for an empty set)."""
    if not shingle_set:
        return None
    mh = RMinHash(NUM_PERM, MINHASH_SEED)
    mh.update(sorted(shingle_set))
    return mh


@lru_cache(maxsize=300_000)
def _story_term(word: str) -> str | None:
    term = topic_term(word)
    if not term:
        return None
    # spelling variants (ترامب/ترمب, زوكربيرغ/زوكربرغ) meet on their skeleton
    return _INNER_VOWEL.sub("", term) if len(term) > 3 else term


def story_terms(text: str) -> list[str]:
    """The story terms of a text, in order: light stems of clitic-free words, long vowels dropped."""
    default_df_table()   # clitic decisions read the keyphrase word counts: load them before any term is cached
    return [t for t in map(_story_term, match_words(text)) if t]


class StoryDf:
    """Document frequencies of story terms; ``idf`` = log((N + 1) / (max(df, DF_FLOOR) + 1))."""

    def __init__(self, n: int, df: dict[str, int]) -> None:
        self.n = n
        self.df = df
        self._unseen = math.log((n + 1) / (DF_FLOOR + 1)) if n else 1.0

    def idf(self, term: str) -> float:
        """Inverse document frequency of a term (the rarest possible value for unseen terms)."""
        df = self.df.get(term)
        if df is None or not self.n:
            return self._unseen
        return math.log((self.n + 1) / (max(df, DF_FLOOR) + 1))


@lru_cache(maxsize=1)
def story_df() -> StoryDf:
    """The bundled story-term table, loaded once (flat IDF when the file is absent or unreadable)."""
    n, df = 0, {}
    try:
        with gzip.open(STORY_DF_PATH, "rt", encoding="utf-8") as fh:
            for line in fh:
                term, _, count = line.rstrip("\n").partition("\t")
                if term == "#docs":
                    n = int(count)
                elif count and not term.startswith("#"):
                    df[term] = int(count)
    except (OSError, ValueError):
        n, df = 0, {}
    return StoryDf(n, df)


def _weigh(tf: Counter[str], top: int) -> dict[str, float]:
    table = story_df()
    weights = {t: (1 + math.log(c)) * table.idf(t) for t, c in tf.items()}
    best = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    norm = math.sqrt(sum(w * w for _, w in best)) or 1.0
    return {t: w / norm for t, w in best}


def term_vector(title: str, text: str, *, top: int = TOP_TERMS) -> dict[str, float]:
    """TF-IDF over story terms: title ×3, lead ×2, rest ×1; L2-normalized; the ``top`` heaviest kept."""
    tf: Counter[str] = Counter()
    for term in story_terms(title):
        tf[term] += 3
    for i, term in enumerate(story_terms(text)):
        tf[term] += 2 if i < LEAD_WORDS else 1
    return _weigh(tf, top)


def title_vector(title: str, *, top: int = TITLE_TERMS) -> dict[str, float]:
    """TF-IDF over the headline's story terms, L2-normalized."""
    return _weigh(Counter(story_terms(title)), top)


@lru_cache(maxsize=100_000)
def _word_key(word: str) -> str:
    return name_key(word)


def entity_words(mentions: list[dict[str, Any]]) -> set[str]:
    """Name keys of every word of an article's entity mentions (the names it shares with another)."""
    return {name_key(w) for m in mentions for w in str(m.get("text", "")).split() if w}


def entity_counts(mentions: list[dict[str, Any]], title: str = "") -> dict[str, float]:
    """Entity evidence of an article: the name keys of the words of its entity mentions -> weight
    (mentions, times three for a name that is also in the title: the title names what the story is about).

    Words, not whole canonical ids: "مارك زوكربيرغ", "زوكربرغ" and a tagger span that ran one word too far
    ("فيسبوك مارك زوكربيرغ") still share the key of زوكربيرغ; spelling variants share it by construction."""
    counts: Counter[str] = Counter()
    for m in mentions:
        for word in str(m.get("text", "")).split():
            key = _word_key(word)
            if len(key) >= 3 and key not in _NAME_PARTICLES:
                counts[key] += 1
    in_title = {_word_key(w) for w in title.split()} if title else set()
    return {k: float(n) * (3.0 if k in in_title else 1.0) for k, n in counts.items()}


def compute(title: str, text: str, *, embedding: np.ndarray | None = None, embedder: str | None = None,
            entities: list[dict[str, Any]] | None = None, published_at: str | None = None,
            source: str | None = None) -> Features:
    """All features of one article except the embedding, which callers batch (see ``embed_many``)."""
    sh = shingles(text)
    return Features(
        minhash=make_minhash(sh), shingles=len(sh), terms=term_vector(title, text), embedding=embedding,
        embedder=embedder, entities=entity_counts(entities or [], title), time=timestamp(published_at),
        source=source or "", length=len(text), title_terms=title_vector(title),
    )


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    """Cosine of two L2-normalized sparse vectors."""
    if len(a) > len(b):
        a, b = b, a
    # Shared terms only, in a's order: the same sum, bit for bit, as over all of a's terms (x + 0.0 == x), in
    # half the time (this runs ~2,000 times per placed article).
    return float(sum([w * b[t] for t, w in a.items() if t in b]))


def article_features(article: Article, embedder: str | None) -> Features:
    """Everything the decision step needs of one article, computed once in the per-article stage (any worker):
    shingles and MinHash, story terms, entity keys as found (the clusterer re-reads them after resolution) and the
    embedding of ``embedder`` (None or "none": no embedding)."""
    model = get_embedder(embedder) if embedder and embedder != "none" else None
    vec = model.encode([embedding_text(article.display_title or article.title, article.text)])[0] if model else None
    return compute(article.display_title or article.title, article.text, embedding=vec,
                   embedder=model.name if model else None, entities=article.entities,
                   published_at=article.published_at, source=article.source)
