"""Related articles: what a careful editor would list under an article, with the reason for each item.

``related(store, article_id)`` works in four steps, each cheap at scale because every read goes through an index:

1. **Candidates** — the article's story members (``articles_story``), the postings of its salient canonical
   entities nearest it in id order, so near its date (``article_entities_postings``; the articles sharing
   the most entity weight are kept), and its semantic neighbours (``semantic_neighbours``: the search layer's
   vector index — one function to swap).
2. **Evidence and relevance** per candidate (0-1): same story; entity overlap (canonical entities weighted by
   rarity, agencies ignored); topic (TF-IDF term cosine and shared keyphrases); embedding cosine; a mild decay
   with the distance in time. Category drift is cut: a candidate from a far section (a football match under a
   military story) is dropped unless it is the same story or shares strong entities; so is a candidate tied by
   nothing specific (no rare shared entity or name in its title, little shared vocabulary, a middling cosine),
   and one that shares names but not the matter (the term cosine without the words of either article's names
   under ``RelatedOptions.matter_floor``: a player's transfer under his injury).
3. **Collapsing** — copies (``duplicate_of``) fold into their canonical, the members of one story fold into
   one entry, and two entries that are near-copies of each other (very close embeddings and terms) fold
   together; ``collapsed`` lists what was folded, so the entry can expand.
4. **Diversity** — maximal marginal relevance over the entries with the embedding/term similarity between them.

Each item says why it is there (``same_story`` / ``shared_entities`` / ``similar_topic`` / ``semantic``), its
relevance ``score``, the entities it shares by name, its age relative to the article and whether it is
``background`` (older than ``RelatedOptions.background_days``).

The reads are the store's ``RelatedReads`` role (``store/sqlite_related.py`` for SQLite); ``_Reader`` turns its
rows into what the scorer sees.
"""

from __future__ import annotations

import json
import math
import re
import weakref
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from itertools import pairwise
from typing import Any, Protocol

import numpy as np

from marsad.enrich.keyphrases import topic_term
from marsad.errors import ConfigError, QueryError
from marsad.query.vectors import VectorIndex, _top, get_index
from marsad.store.base import RelatedReads, RelatedRow, VectorStore
from marsad.text.names import name_key
from marsad.text.normalize import match_key
from marsad.times import timestamp

MAX_SHARED = 5
"""Shared entities named per item (the heaviest)."""
EXACT_NEIGHBOURS = 50_000
"""Vector neighbours are found exactly up to this many vectors (deterministic), by the HNSW index above."""
SPECIFIC_DF = 0.03
"""An entity named in at most this share of the articles is specific (not الولايات المتحدة or ترامب) ..."""
SPECIFIC_MIN = 10
"""... and so is one named in at most this many articles, whatever the store's size (small stores)."""
REASONS = ("same_story", "shared_entities", "similar_topic", "semantic")
DF_CAP = 20_000
"""Entity document frequencies are counted up to this many rows (or just past ``SPECIFIC_DF``, if larger)."""
DF_REFRESH = 0.05
"""A cached document frequency is counted again once the store has grown by this share since."""
DF_CACHE_SIZE = 200_000
"""Entities whose document frequency is kept per store (the cache starts afresh when full)."""

# News agencies are named as sources, not as what an article is about.
_AGENCIES = frozenset(name_key(n) for n in (
    "رويترز", "فرانس برس", "فرانس بريس", "أسوشيتد برس", "اسوشيتد برس", "الأناضول", "د ب أ", "أ ف ب", "واس",
    "بلومبرغ", "بلومبيرغ", "سبوتنيك", "تاس", "شينخوا", "سكاي نيوز", "سكاي نيوز عربية", "العربية نت", "العربية",
    "بي بي سي", "سي إن إن", "فرانس 24", "الجزيرة"))

# Sections close enough that an item may cross between them (with a small penalty); any other pair of
# different, confidently classified sections is drift.
_NEAR_SECTIONS = frozenset(frozenset(p) for p in (
    ("politics", "economy"), ("politics", "society"), ("society", "culture"), ("economy", "technology"),
    ("society", "technology"), ("culture", "technology"), ("economy", "society")))


@dataclass(frozen=True, slots=True)
class RelatedOptions:
    """Options of the related list; validated once."""

    k: int = 10                        # entries shown
    background_days: float = 7.0       # an item this much older than the article is labelled background
    time_scale_days: float = 10.0      # relevance decays with the time distance on this scale (to 70% at most)
    min_score: float = 0.20            # weaker entries are not shown (a short list beats a padded one)
    mmr_lambda: float = 0.75           # relevance vs. novelty in maximal marginal relevance
    topic_lexical: float = 0.20        # term cosine that ties two articles on its own
    semantic_alone: float = 0.75       # embedding cosine that ties two articles on its own
    fold_similarity: float = 0.80      # two entries this similar are one piece of coverage: fold them
    matter_floor: float = 0.05         # term cosine without names below which a tie by names is another matter
    story_limit: int = 200             # members read from the article's story (all are folded into its entry)
    story_candidates: int = 40         # of those, the nearest by embedding are scored (one of them stands for it)
    entity_limit: int = 12             # salient entities of the article whose postings are read
    posting_limit: int = 150           # postings per entity (half before the article, half after)
    entity_candidates: int = 120       # of those, the articles sharing the most entity weight are kept
    semantic_limit: int = 60           # vector neighbours read
    scored_limit: int = 60             # entity and vector candidates scored: the best by embedding + entity weight
    collapsed_limit: int = 50          # ids listed in one entry's ``collapsed``

    def __post_init__(self) -> None:
        if not 1 <= self.k <= 100:
            raise ConfigError(f"k must be between 1 and 100, not {self.k}")
        if not 0.0 <= self.mmr_lambda <= 1.0:
            raise ConfigError(f"mmr_lambda must be between 0 and 1, not {self.mmr_lambda}")
        if not 0.0 <= self.min_score < 1.0:
            raise ConfigError(f"min_score must be in [0, 1), not {self.min_score}")
        for name in ("background_days", "time_scale_days"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{name} must be positive")


@dataclass(slots=True)
class RelatedItem:
    """One entry of a related list: the representative article and what was folded into it."""

    id: int
    title: str
    source: str | None
    published_at: str | None
    url: str | None
    story_id: int | None
    reason: str
    score: float
    shared_entities: list[str]
    background: bool
    age_days: float | None
    collapsed: list[int]


@dataclass(slots=True)
class RelatedList:
    """What ``related`` returns; ``to_dict`` is the stable JSON of ``marsad related --json``."""

    article: dict[str, Any]
    k: int
    items: list[RelatedItem] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The list as JSON."""
        return {"article": self.article, "k": self.k, "items": [asdict(i) for i in self.items]}


@dataclass(slots=True)
class _Doc:
    """An article as the scorer sees it."""

    id: int
    title: str
    source: str | None
    published_at: str | None
    url: str | None
    story_id: int | None
    duplicate_of: int | None
    category: str | None
    category_conf: float
    keyphrases: frozenset[str]
    time: float | None
    terms: dict[str, float] = field(default_factory=dict)
    embedding: np.ndarray | None = None
    embedder: str | None = None
    entities: dict[int, float] = field(default_factory=dict)     # entity row id -> mentions
    names: frozenset[str] = frozenset()                           # term keys of the words of its entity names


@dataclass(slots=True)
class _Scored:
    doc: _Doc
    score: float
    reason: str
    shared: list[int]                                             # shared entity ids, heaviest first
    members: list[int] = field(default_factory=list)              # folded ids (copies, same story, near-copies)


class RelatedStore(RelatedReads, VectorStore, Protocol):
    """What related articles ask of a store: its related reads, and its embeddings for the vector index."""


# -- reads -----------------------------------------------------------------------------------------------
class _Reader:
    """The store's related reads as the scorer wants them: ``_Doc`` objects, agencies left out, embeddings from
    the vector index where it holds them; caches the agencies' entity ids."""

    def __init__(self, store: RelatedStore, vectors: VectorIndex | None = None) -> None:
        self.store = store
        self.vectors = vectors            # embeddings of canonical articles come from here, not from the store
        self._agencies: frozenset[int] | None = None

    def docs(self, ids: list[int]) -> dict[int, _Doc]:
        """Articles with their features (terms, embedding); entities are read separately.

        An embedding is taken from the vector index when it holds the article (every canonical article of its
        embedder: the same float16 values, no blob to read and convert), else read from the store."""
        out = {r.id: _doc(r) for r in self.store.related_rows(ids)}
        self._attach_embeddings(out)
        return out

    def _attach_embeddings(self, docs: dict[int, _Doc]) -> None:
        """Set each doc's embedding: from the vector index when it holds the article, else from the store."""
        index, missing = self.vectors, []
        if index is not None and len(index):
            wanted = [d for d in docs.values() if d.embedder == index.embedder]
            ids = np.fromiter((d.id for d in wanted), dtype=np.int64, count=len(wanted))
            pos = np.clip(np.searchsorted(index.ids, ids), 0, len(index.ids) - 1)
            hit = index.ids[pos] == ids
            held = hit.tolist()
            found = [d for d, ok in zip(wanted, held, strict=True) if ok]
            for d, row in zip(found, index.rows(pos[hit]), strict=True):
                d.embedding = row
            missing += [d.id for d, ok in zip(wanted, held, strict=True) if not ok]
            missing += [d.id for d in docs.values() if d.embedder is not None and d.embedder != index.embedder]
        else:
            missing = [d.id for d in docs.values() if d.embedder is not None]
        for aid, vector in self.store.article_embeddings(missing).items():
            docs[aid].embedding = vector.astype(np.float32)

    def entities(self, ids: list[int]) -> dict[int, dict[int, float]]:
        """article id -> {entity row id: mentions}, agencies left out."""
        return self.entities_and_names(ids)[0]

    def entities_and_names(self, ids: list[int]) -> tuple[dict[int, dict[int, float]], dict[int, frozenset[str]]]:
        """article id -> {entity row id: mentions} (agencies left out), and article id -> the term keys of the
        words of every name it mentions (agencies included)."""
        out: dict[int, dict[int, float]] = {i: {} for i in ids}
        forms: dict[int, set[str]] = {i: set() for i in ids}
        agencies = self._agency_ids()
        for m in self.store.entity_mentions(ids):
            if m.entity_id not in agencies:
                out[m.article_id][m.entity_id] = float(m.mentions)
            forms[m.article_id].update(m.forms)
        return out, {i: frozenset().union(*map(_name_terms, f)) if f else frozenset() for i, f in forms.items()}

    def _agency_ids(self) -> frozenset[int]:
        cached = self._agencies
        if cached is None:
            cached = frozenset(self.store.entity_ids(f"ORG:{k}" for k in _AGENCIES))
            self._agencies = cached
        return cached

    def entity_keys(self, entity_ids: list[int]) -> set[str]:
        """The name keys of entities."""
        return self.store.entity_keys(entity_ids)

    def document_frequency(self, entity_id: int, cap: int) -> int:
        """Rows naming the entity, counted up to ``cap`` (beyond it an entity is common anyway)."""
        return self.store.entity_document_frequency(entity_id, cap)

    def article_count(self) -> int:
        """About how many articles there are (no scan)."""
        return self.store.approx_article_count()

    def postings(self, entity_id: int, anchor: int, limit: int) -> list[int]:
        """Articles naming the entity, the ``limit`` nearest to the article ``anchor`` in id (insertion) order."""
        return self.store.entity_postings(entity_id, anchor, limit)

    def story_members(self, story_id: int, limit: int) -> list[int]:
        return self.store.story_member_ids(story_id, limit)

    def copies(self, canonical_ids: list[int]) -> dict[int, list[int]]:
        """canonical id -> ids of its copies."""
        return self.store.copies_of(canonical_ids)

    def display_names(self, entity_ids: list[int], recent: int = 200) -> dict[int, str]:
        """Each entity's most mentioned spelling over its latest ``recent`` rows (bounded work per entity); a
        form with the conjunction و glued on gives way to the bare form when that occurs too."""
        out: dict[int, str] = {}
        for eid, forms in self.store.entity_recent_forms(entity_ids, recent=recent, top=5).items():
            bare = [f for f in forms if not (f.startswith("و") and f[1:] in forms)]
            if bare:
                out[eid] = bare[0]
        return out


_DF_CACHES: weakref.WeakKeyDictionary[RelatedStore, dict[int, tuple[int, int]]] = weakref.WeakKeyDictionary()


def _vector_index(store: RelatedStore, article_id: int) -> VectorIndex | None:
    """The vector index of the article's embedder (None when it has no embedding or the store has none)."""
    embedder = store.canonical_embedder(article_id)
    if not embedder:
        return None
    try:
        return get_index(store, embedder)
    except QueryError:            # no embeddings of this embedder in the store
        return None


def semantic_neighbours(store: VectorStore, vector: np.ndarray, embedder: str, k: int) -> list[tuple[int, float]]:
    """The ``k`` canonical articles nearest ``vector``: (id, cosine), best first.

    The one place related reads vectors: the search layer's vector index. Up to ``EXACT_NEIGHBOURS`` vectors
    the search is exact (one matrix product over the index's rows: a few milliseconds, and the same answer
    every time), above it the index's own (HNSW) search. Not filtered by date: nearness in time is weighed in
    the score, and older neighbours are shown as background."""
    try:
        index = get_index(store, embedder)
    except QueryError:            # no embeddings of this embedder in the store
        return []
    if len(index) == 0 or index.dim != vector.shape[0]:
        return []
    if len(index) > EXACT_NEIGHBOURS:
        return index.search(vector, k)
    scores = index.dense() @ vector.astype(np.float32)
    top = _top(scores, min(k, len(scores)))
    return [(int(index.ids[i]), float(scores[i])) for i in top]


def _nearest(index: VectorIndex | None, vector: np.ndarray | None, ids: list[int], k: int) -> list[int]:
    """The ``k`` of ``ids`` nearest ``vector`` in the index (ids it does not hold rank last), in id order."""
    if len(ids) <= k:
        return ids
    if index is None or vector is None or len(index) == 0 or index.dim != vector.shape[0]:
        return sorted(ids)[:k]
    wanted = np.asarray(ids, dtype=np.int64)
    pos = np.clip(np.searchsorted(index.ids, wanted), 0, len(index.ids) - 1)
    held = index.ids[pos] == wanted
    scores = np.full(len(ids), -np.inf, dtype=np.float32)
    scores[held] = index.rows(pos[held]) @ vector.astype(np.float32)
    return sorted(int(wanted[i]) for i in _top(scores, k))


# -- helpers ---------------------------------------------------------------------------------------------
def _doc(r: RelatedRow) -> _Doc:
    terms: dict[str, float] = {}
    if r.terms:
        terms = dict(json.loads(r.terms).get("t", {}))
    return _Doc(id=r.id, title=r.title, source=r.source, published_at=r.published_at, url=r.url,
                story_id=r.story_id, duplicate_of=r.duplicate_of,
                category=r.section, category_conf=float(r.section_conf or 0.0),
                keyphrases=frozenset(_phrase_key(k) for k in r.phrases),
                time=timestamp(r.published_at), terms=terms, embedder=r.embedder)


@lru_cache(maxsize=50_000)
def _phrase_key(phrase: str) -> str:
    return match_key(phrase)


def term_cosine(a: dict[str, float], b: dict[str, float]) -> float:
    """Cosine of two L2-normalized sparse term vectors, summed over the terms they share only."""
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b[t] for t, w in a.items() if t in b)


def _emb(a: _Doc, b: _Doc) -> float | None:
    if a.embedding is None or b.embedding is None or a.embedding.shape != b.embedding.shape:
        return None
    return float(np.dot(a.embedding, b.embedding))


def similarity_matrix(docs: list[_Doc], top_terms: int = 25) -> np.ndarray:
    """How alike candidates are, pairwise (for diversity and folding): the larger of the embedding cosine and
    the cosine of their heaviest terms."""
    n = len(docs)
    sim = np.zeros((n, n), dtype=np.float32)
    dims = {d.embedding.shape[0] for d in docs if d.embedding is not None}
    if len(dims) == 1:
        width = dims.pop()
        emb = np.stack([d.embedding if d.embedding is not None else np.zeros(width, np.float32) for d in docs])
        sim = np.maximum(sim, emb @ emb.T)
    heaviest = [sorted(d.terms.items(), key=lambda kv: -kv[1])[:top_terms] for d in docs]
    vocab: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for i, terms in enumerate(heaviest):
        for t, w in terms:
            rows.append(i)
            cols.append(vocab.setdefault(t, len(vocab)))
            vals.append(w)
    if vocab:
        dense = np.zeros((n, len(vocab)), dtype=np.float64)
        dense[rows, cols] = vals
        sim = np.maximum(sim.astype(np.float64), dense @ dense.T).astype(np.float32)
    np.fill_diagonal(sim, 1.0)
    return sim


def mmr(scores: list[float], sim: np.ndarray, k: int, lam: float) -> list[int]:
    """Maximal marginal relevance: indices picked one by one by ``lam * score - (1 - lam) * max similarity
    to those already picked``; ties go to the earlier index (deterministic)."""
    n = len(scores)
    relevance = lam * np.asarray(scores, dtype=np.float64)
    penalty = np.zeros(n, dtype=np.float64)
    left = np.ones(n, dtype=bool)
    chosen: list[int] = []
    while len(chosen) < min(k, n):
        value = np.where(left, relevance - (1 - lam) * penalty, -np.inf)
        best = int(np.argmax(value))
        chosen.append(best)
        left[best] = False
        penalty = np.maximum(penalty, sim[:, best].astype(np.float64))
    return chosen


def age_label(anchor: float | None, item: float | None, background_days: float) -> tuple[float | None, bool]:
    """(age in days of the item relative to the article — positive when older, background?)."""
    if anchor is None or item is None:
        return None, False
    age = (anchor - item) / 86400
    return round(age, 2), age > background_days


def drift(a: _Doc, b: _Doc) -> str:
    """"same", "near" or "far": how far apart the two articles' sections are (unknown counts as same)."""
    if not a.category or not b.category or a.category == b.category:
        return "same"
    if min(a.category_conf, b.category_conf) < 0.6:
        return "near"
    return "near" if frozenset((a.category, b.category)) in _NEAR_SECTIONS else "far"


# -- scoring ---------------------------------------------------------------------------------------------
class _Scorer:
    def __init__(self, anchor: _Doc, weights: dict[int, float], specific: set[int], options: RelatedOptions) -> None:
        self.a = anchor
        self.specific = specific           # those of them rare enough to tie two articles on their own
        self.title_keys: set[str] = set()  # name keys of the specific entities: one in a candidate's title ties it
        self.weights = weights             # the article's entities -> salience x rarity
        self.total = sum(weights.values()) or 1.0
        self.o = options

    def entity_overlap(self, c: _Doc) -> tuple[float, list[int]]:
        """Geometric mean of how much of the article's entity weight the candidate covers and how much of the
        candidate's mentions are about those entities; the shared entity ids, heaviest first."""
        shared = [e for e in self.weights if e in c.entities]
        if not shared or not c.entities:
            return 0.0, []
        coverage = sum(self.weights[e] for e in shared) / self.total
        focus = sum(c.entities[e] for e in shared) / sum(c.entities.values())
        shared.sort(key=lambda e: (-self.weights[e], e))
        return math.sqrt(coverage * focus), shared

    def score(self, c: _Doc) -> _Scored | None:
        a, o = self.a, self.o
        same_story = a.story_id is not None and c.story_id == a.story_id
        ent, shared = self.entity_overlap(c)
        lex = term_cosine(a.terms, c.terms)
        kp = len(a.keyphrases & c.keyphrases) / math.sqrt(len(a.keyphrases) * len(c.keyphrases)) \
            if a.keyphrases and c.keyphrases else 0.0
        emb = _emb(a, c)
        sem = min(1.0, max(0.0, (emb - 0.25) / 0.55)) if emb is not None else lex
        strong_entities = ent >= 0.45 and len(shared) >= 2
        in_title = bool(self.title_keys) and not self.title_keys.isdisjoint(_title_keys(c.title))
        base = 0.35 * sem + 0.25 * min(1.0, 1.5 * lex) + 0.25 * ent + 0.15 * kp + (0.05 if in_title else 0.0)
        if same_story:
            base = 0.6 + 0.4 * base
        gap = abs(a.time - c.time) / 86400 if a.time is not None and c.time is not None else math.inf
        base *= 0.7 + 0.3 * math.exp(-gap / o.time_scale_days)
        section = drift(a, c)
        if section == "far" and not (same_story or strong_entities):
            return None
        e = emb if emb is not None else 0.0
        specific = any(x in self.specific for x in shared)
        anchored = (same_story or lex >= o.topic_lexical or e >= o.semantic_alone
                    or ((specific or in_title) and e >= 0.45) or (ent >= 0.3 and e >= 0.55))
        if not anchored:          # a vague likeness only (two parliaments, two matches): not what an editor lists
            return None
        if not same_story and e < o.semantic_alone and matter_cosine(a, c) < o.matter_floor:
            return None           # the same names on another matter (a player's transfer vs. his injury)
        if section != "same" and not same_story:
            base *= 0.85
        if same_story:
            reason = "same_story"
        elif ent >= 0.3 and shared:
            reason = "shared_entities"
        elif lex >= 0.2 or kp >= 0.2:
            reason = "similar_topic"
        else:
            reason = "semantic"
        return _Scored(c, round(min(1.0, base), 4), reason, shared)


# -- the list --------------------------------------------------------------------------------------------
def related(store: RelatedStore, article_id: int, options: RelatedOptions | None = None) -> RelatedList:
    """The related list of a stored article (``QueryError`` when there is no such article)."""
    o = options or RelatedOptions()
    reader = _Reader(store, _vector_index(store, article_id))
    found = reader.docs([article_id])
    if article_id not in found:
        raise QueryError(f"no article {article_id} in the store: give an id listed by `marsad search` or "
                         "`marsad export`")
    anchor = found[article_id]
    head = {"id": anchor.id, "title": anchor.title, "story_id": anchor.story_id}
    canonical = anchor.duplicate_of or anchor.id
    if canonical != anchor.id:        # a copy: relate its canonical's neighbours, never the group itself
        anchor = reader.docs([canonical]).get(canonical, anchor)
    own_group = {canonical, article_id, *reader.copies([canonical]).get(canonical, [])}
    own_entities, own_names = reader.entities_and_names([anchor.id])
    anchor.entities, anchor.names = own_entities[anchor.id], own_names[anchor.id]
    weights, specific = _entity_weights(reader, anchor.entities, _DF_CACHES.setdefault(store, {}))

    candidates, story = _candidates(store, reader, anchor, weights, o)
    candidates -= own_group
    docs = reader.docs(sorted(candidates))
    # copies stand for their canonical
    canon_of = {i: (d.duplicate_of or i) for i, d in docs.items()}
    missing = sorted({c for c in canon_of.values() if c not in docs})
    docs.update(reader.docs(missing))
    canon_ids = sorted({c for c in canon_of.values() if c in docs and c not in own_group})
    ents, name_terms = reader.entities_and_names(canon_ids)
    scorer = _Scorer(anchor, weights, specific, o)
    scorer.title_keys = reader.entity_keys(sorted(specific))
    scored: dict[int, _Scored] = {}
    for cid in canon_ids:
        d = docs[cid]
        d.entities, d.names = ents.get(cid, {}), name_terms.get(cid, frozenset())
        s = scorer.score(d)
        if s is not None:
            scored[cid] = s
    copies = reader.copies(sorted(scored))
    for cid, s in scored.items():
        s.members = list(copies.get(cid, []))
    entries = _fold_stories(scored, reader, anchor, own_group, o, story)
    entries = [e for e in entries if e.score >= o.min_score]
    entries.sort(key=lambda e: (-e.score, e.doc.id))
    entries = _diversify(entries, o)
    names = reader.display_names(sorted({eid for e in entries for eid in e.shared[:MAX_SHARED]}))
    items = []
    for e in entries:
        age, background = age_label(anchor.time, e.doc.time, o.background_days)
        shared = _distinct_names([names[i] for i in e.shared[:MAX_SHARED] if i in names])
        collapsed = sorted(set(e.members) - {e.doc.id} - own_group)[: o.collapsed_limit]
        items.append(RelatedItem(id=e.doc.id, title=e.doc.title, source=e.doc.source, published_at=e.doc.published_at,
                                 url=e.doc.url, story_id=e.doc.story_id, reason=e.reason, score=e.score,
                                 shared_entities=shared, background=background, age_days=age, collapsed=collapsed))
    return RelatedList(head, o.k, items)


@lru_cache(maxsize=50_000)
def _title_keys(title: str) -> frozenset[str]:
    """Name keys of the words of a title and of each pair of adjacent words (two-word names: their keys
    joined, as ``name_key`` joins the words of a name)."""
    keys = [_word_key(w) for w in title.split()]
    return frozenset(k for k in (*keys, *(x + y for x, y in pairwise(keys))) if len(k) >= 3)


_INNER_VOWEL = re.compile(r"\B[اوي]")


@lru_cache(maxsize=100_000)
def _name_terms(form: str) -> frozenset[str]:
    """The term keys (as ``enrich.features.term_vector`` keys words: light stem, inner long vowels dropped) of
    the words of a name as written."""
    out = set()
    for word in match_key(form).split():
        term = topic_term(word)
        if term:
            out.add(_INNER_VOWEL.sub("", term) if len(term) > 3 else term)
    return frozenset(out)


def matter_cosine(a: _Doc, b: _Doc) -> float:
    """Cosine of the two term vectors without the words of either article's names: how far they share what
    happened, not only who it happened to."""
    names = a.names | b.names
    x = {t: w for t, w in a.terms.items() if t not in names}
    y = {t: w for t, w in b.terms.items() if t not in names}
    norm = math.sqrt(sum(w * w for w in x.values()) * sum(w * w for w in y.values()))
    return term_cosine(x, y) / norm if norm else 0.0


@lru_cache(maxsize=100_000)
def _word_key(text: str) -> str:
    return name_key(text)


def _distinct_names(names: list[str]) -> list[str]:
    """Names without those that are only part of another one shown (الحريري beside سعد الحريري)."""
    keys = [set(match_key(n).split()) for n in names]
    out = []
    for i, name in enumerate(names):
        if any(j != i and keys[i] < keys[j] for j in range(len(names))) or name in out:
            continue
        out.append(name)
    return out


def _entity_weights(reader: _Reader, entities: dict[int, float],
                    cache: dict[int, tuple[int, int]] | None = None) -> tuple[dict[int, float], set[int]]:
    """Salience (log mentions) x rarity (IDF over the store) of the article's entities, and those specific
    enough to tie two articles on their own (named in at most ``SPECIFIC_DF`` of the articles).

    Document frequencies are counted up to ``DF_CAP`` or just past the specific share, whichever is larger
    (so the specific test stays exact and a very common entity gets the floor weight); ``cache`` (entity id ->
    (count, store size when counted)) keeps them until the store has grown by ``DF_REFRESH``."""
    n = max(reader.article_count(), 2)
    cap = max(DF_CAP, int(SPECIFIC_DF * n) + 1)
    weights, specific = {}, set()
    for eid, mentions in entities.items():
        hit = cache.get(eid) if cache is not None else None
        if hit is not None and n <= hit[1] * (1 + DF_REFRESH):
            df = hit[0]
        else:
            df = reader.document_frequency(eid, cap)
            if cache is not None:
                if len(cache) >= DF_CACHE_SIZE:
                    cache.clear()
                cache[eid] = (df, n)
        weights[eid] = (1 + math.log(mentions)) * math.log(1 + n / (1 + df))
        if df <= max(SPECIFIC_DF * n, SPECIFIC_MIN):
            specific.add(eid)
    return weights, specific


def _candidates(store: RelatedStore, reader: _Reader, anchor: _Doc, weights: dict[int, float],
                o: RelatedOptions) -> tuple[set[int], list[int]]:
    """Candidates: the story members nearest the article by embedding, the articles sharing the most entity
    weight among the postings near the article, and its semantic neighbours; and every story member read
    (they all fold into the story's entry)."""
    found: set[int] = set()
    story: list[int] = []
    if anchor.story_id is not None:
        story = [i for i in reader.story_members(anchor.story_id, o.story_limit) if i != anchor.id]
        found.update(_nearest(reader.vectors, anchor.embedding, story, o.story_candidates))
    shared: dict[int, float] = {}
    if weights:
        for eid in sorted(weights, key=lambda e: (-weights[e], e))[: o.entity_limit]:
            for aid in set(reader.postings(eid, anchor.id, o.posting_limit)):
                shared[aid] = shared.get(aid, 0.0) + weights[eid]
    by_entities = sorted(shared, key=lambda i: (-shared[i], i))[: o.entity_candidates]
    near: dict[int, float] = {}
    if anchor.embedding is not None and anchor.embedder:
        near = dict(semantic_neighbours(store, anchor.embedding, anchor.embedder, o.semantic_limit))
    others = sorted((set(by_entities) | set(near)) - found - {anchor.id})
    if len(others) > o.scored_limit:
        total = sum(weights.values()) or 1.0
        cos = _cosines(reader.vectors, anchor.embedding, [i for i in others if i not in near])
        cos.update(near)

        def prescore(i: int) -> float:
            sem = min(1.0, max(0.0, (cos[i] - 0.25) / 0.55)) if i in cos else 0.0
            return 0.35 * sem + 0.25 * min(1.0, shared.get(i, 0.0) / total)

        others = sorted(others, key=lambda i: (-prescore(i), i))[: o.scored_limit]
    found.update(others)
    return found, story


def _cosines(index: VectorIndex | None, vector: np.ndarray | None, ids: list[int]) -> dict[int, float]:
    """id -> cosine with ``vector`` for those of ``ids`` the vector index holds."""
    if index is None or vector is None or not ids or len(index) == 0 or index.dim != vector.shape[0]:
        return {}
    wanted = np.asarray(ids, dtype=np.int64)
    pos = np.clip(np.searchsorted(index.ids, wanted), 0, len(index.ids) - 1)
    held = index.ids[pos] == wanted
    scores = index.rows(pos[held]) @ vector.astype(np.float32)
    return {int(i): float(c) for i, c in zip(wanted[held], scores, strict=True)}


def _fold_stories(scored: dict[int, _Scored], reader: _Reader, anchor: _Doc, own_group: set[int],
                  o: RelatedOptions, story: list[int]) -> list[_Scored]:
    """One entry per story (its most relevant member stands for it; the rest are listed under it; ``story``:
    the members of the article's own story read as candidates)."""
    by_story: dict[int, list[_Scored]] = {}
    entries: list[_Scored] = []
    for s in sorted(scored.values(), key=lambda s: (-s.score, s.doc.id)):
        if s.doc.story_id is None:
            entries.append(s)
        else:
            by_story.setdefault(s.doc.story_id, []).append(s)
    for sid, group in by_story.items():
        best = group[0]
        members = set(best.members)
        for other in group[1:]:
            members.add(other.doc.id)
            members.update(other.members)
        if sid != anchor.story_id:
            members.update(reader.story_members(sid, o.collapsed_limit + len(own_group)))
        else:
            members.update(story)
        best.members = sorted(members - own_group - {best.doc.id})
        entries.append(best)
    return entries


def _diversify(entries: list[_Scored], o: RelatedOptions) -> list[_Scored]:
    """MMR over the entries; an entry nearly identical to one already picked folds into it."""
    pool = entries[: 3 * o.k]
    if not pool:
        return []
    sim = similarity_matrix([e.doc for e in pool])
    order = mmr([e.score for e in pool], sim, len(pool), o.mmr_lambda)
    picked: list[int] = []
    for i in order:
        twin = next((j for j in picked if sim[i, j] >= o.fold_similarity), None)
        if twin is not None:
            pool[twin].members = sorted({*pool[twin].members, pool[i].doc.id, *pool[i].members})
            continue
        picked.append(i)
        if len(picked) == o.k:
            break
    return [pool[i] for i in picked]
