"""Online story clustering: articles arrive in time order; a story is born, grows, merges and ages out.

For each new article (not a duplicate) the engine scores the stories it could belong to and joins the best
one if the score reaches ``threshold``, else starts a new story. Evidence, each in 0–1:

- ``lex``: cosine of the article's TF-IDF vector (match-normalized light stems) with the story centroid,
  and with its most similar recent member (``lex_m``: single-link, so a story that drifts — new facts, new
  words — still catches articles on its newest turn);
- ``emb``: the same two with sentence embeddings of title + lead (``emb``, ``emb_m``), rescaled from the
  encoder's range of unrelated texts; absent when clustering runs without embeddings;
- ``title``: cosine of the article's headline terms with the story's headline centroid, and with its most
  similar member headline among the last ``TITLE_MEMBERS`` (``title_m``): reactions to one event rarely share
  a body with its first report but do share its headline's key terms;
- ``ent``: the share of the article's canonical entities (spelling variants already merged) the story
  has, each weighted down by how many active stories carry it (إيران is weak evidence, بومبيو strong);
- ``hours``: the distance to the story's newest member (in days, capped at one): coverage of one event is
  bunched; articles more than ``horizon_hours`` away from the story's span are not compared at all;
- age: a story takes articles at full score for ``AGE_GRACE_DAYS`` after its first article; after that the
  score is halved every ``AGE_HALF_LIFE_DAYS``, so even the closest coverage starts a new story about four
  days in. This is a prior, not fitted (the labelled stretches are one or two days long, so they cannot teach
  it): without it, single-link evidence let a story chain through a fortnight of related coverage (a Champions
  League semi-final, the other semi-final, the final's build-up, the Clasico: 102 articles over 12 days of
  ANT, May 2018), which the labelling rules split into one story per match or event. Copies of a member
  still join through the near-duplicate path, whatever the story's age.

The combination is a logistic score with weights fit on five development days of the ANT corpus
(labelled separately; never on the gold days), see ``WEIGHTS``.

Ageing and late articles: a story is *active* while its newest member is within ``horizon_hours`` of the
stream clock (the latest publication time seen). A late article (published well before the clock) is
compared with the stories whose span its own time falls near, so it joins the story of its day, not of
the arrival time. Stories beyond ``keep_days`` are dropped from memory (their rows stay in the store).

Merges: when an article scores above ``threshold`` for two stories whose centroids are themselves
similar (``merge_threshold``), the smaller story is merged into the larger: its members move, its row is
kept with ``merged_into`` so links to it still resolve. Stories are never split: an article that drifted
away stays where it was put (the score it joined with is kept in the decision).

Consolidation: a developing event is often split early (its first reports share few words with the later
coverage) and an arriving article rarely scores high for both pieces, so the merge above seldom fires. So a
story is re-examined as it grows (when its size reaches 2, 3, 4, 6, 9, 14, ...: ``CONSOLIDATE_SIZES``, a fixed
schedule, so a warm start after a restart examines at the same sizes as one long run): it is
compared with the active stories whose span lies within ``CONSOLIDATE_GAP_HOURS`` of its own, story with
story (``story_evidence``: centroids, closest members, headlines, shared entities, time gap), and merged with
each whose logistic score (``CONSOLIDATE_WEIGHTS``, fit on training stretches only by
``scripts/fit_story_weights.py``) reaches ``consolidate_threshold``; the age prior applies to the span of
the merged story. The stream and the backfill both place articles through ``add``, so both consolidate. Off by
default (``CONSOLIDATE_THRESHOLD`` above 1): on the labelled stretches it did not pay (see the constants).
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from marsad.enrich.features import Features, cosine

# logistic weights over the evidence (see StoryEngine.evidence); fit on the five development stretches (1,298
# articles; never the gold days) by scripts/fit_story_weights.py, rounded. THRESHOLD is their best B-cubed F1.
WEIGHTS: dict[str, float] = {
    "bias": -8.0, "lex": 2.4, "lex_m": 2.4, "emb": 3.6, "emb_m": 3.5, "title": 2.1, "title_m": 2.1, "ent": 2.2,
    "hours": -2.2,
}
WEIGHTS_NO_EMB: dict[str, float] = {
    "bias": -7.6, "lex": 6.9, "lex_m": 6.4, "emb": 0.0, "emb_m": 0.0, "title": 3.9, "title_m": 3.8, "ent": 3.1,
    "hours": -2.1,
}
AGE_GRACE_DAYS = 2.0
AGE_HALF_LIFE_DAYS = 1.5
EMB_FLOOR = 0.25          # encoder cosine of unrelated news leads; rescaled to 0
EMB_SPAN = 0.55           # cosine at which the rescaled value reaches 1
THRESHOLD = 0.3
THRESHOLD_NO_EMB = 0.25    # without embeddings (dev best)
MERGE_THRESHOLD = 0.6
# story-with-story logistic weights of the consolidation step (see story_evidence), fit on the five development
# stretches by scripts/fit_story_weights.py (never the gold days), rounded; their best threshold there is 0.4.
# The step is OFF by default (CONSOLIDATE_THRESHOLD above 1): cross-validated over the held-out stretches it
# does not raise B-cubed F1 (+0.003 to -0.013), adds same-topic merges on two of them and costs about a third of
# the engine's speed (docs/benchmarks.md, "Consolidation"). The weights without embeddings are not fit
# (heuristic: the lexical ones scaled up as in WEIGHTS_NO_EMB).
CONSOLIDATE_WEIGHTS: dict[str, float] = {
    "bias": -5.5, "lex": 2.5, "lex_m": 3.0, "emb": 1.4, "emb_m": 1.8, "title": 0.7, "title_m": 0.4, "ent": 2.2,
    "gap": -0.9,
}
CONSOLIDATE_WEIGHTS_NO_EMB: dict[str, float] = {
    "bias": -5.5, "lex": 3.5, "lex_m": 4.0, "emb": 0.0, "emb_m": 0.0, "title": 1.0, "title_m": 0.6, "ent": 2.5,
    "gap": -0.9,
}
CONSOLIDATE_THRESHOLD = 2.0
CONSOLIDATE_GROWTH = 1.5     # heuristic: after size 4, re-examine a story each time it grew by half
CONSOLIDATE_GAP_HOURS = 24.0  # heuristic: only stories whose spans come this close are compared
CONSOLIDATE_CANDIDATES = 20
HORIZON_HOURS = 72.0
KEEP_DAYS = 14.0
RECENT_MEMBERS = 8
TITLE_MEMBERS = 100
CENTROID_TERMS = 200
CANDIDATE_TERMS = 25
MAX_CANDIDATES = 30


@dataclass(slots=True)
class Story:
    """The in-memory state of one story."""

    id: int
    first_seen: float | None
    last_updated: float | None
    size: int = 0
    terms: dict[str, float] = field(default_factory=dict)      # sum of member vectors
    emb: np.ndarray | None = None                             # sum of member embeddings
    entities: Counter[str] = field(default_factory=Counter)    # canonical id -> members mentioning it
    recent: list[tuple[int, dict[str, float], np.ndarray | None]] = field(default_factory=list)
    titles: dict[str, float] = field(default_factory=dict)     # sum of member headline vectors
    recent_titles: list[dict[str, float]] = field(default_factory=list)
    members: list[int] = field(default_factory=list)
    sources: Counter[str] = field(default_factory=Counter)
    central: tuple[int, float] | None = None                  # (article id, centrality)
    merged_into: int | None = None
    _centre: dict[str, float] | None = None                   # cached normalized centroids (None = stale)
    _centre_emb: np.ndarray | None = None
    _centre_title: dict[str, float] | None = None

    def changed(self) -> None:
        """Forget the cached centroids (after a join or a merge)."""
        self._centre = None
        self._centre_emb = None
        self._centre_title = None

    def centroid_titles(self) -> dict[str, float]:
        """The normalized sum of the members' headline vectors."""
        if self._centre_title is None:
            norm = math.sqrt(sum(w * w for w in self.titles.values())) or 1.0
            self._centre_title = {t: w / norm for t, w in self.titles.items()}
        return self._centre_title

    def centroid_terms(self) -> dict[str, float]:
        if self._centre is None:
            top = sorted(self.terms.items(), key=lambda kv: -kv[1])[:CENTROID_TERMS]
            norm = math.sqrt(sum(w * w for _, w in top)) or 1.0
            self._centre = {t: w / norm for t, w in top}
        return self._centre

    def centroid_emb(self) -> np.ndarray | None:
        if self.emb is None:
            return None
        if self._centre_emb is None:
            n = float(np.linalg.norm(self.emb))
            self._centre_emb = self.emb / n if n else self.emb
        return self._centre_emb


@dataclass(frozen=True, slots=True)
class Decision:
    """Where an article went and why."""

    article_id: int
    story_id: int
    new_story: bool
    score: float
    evidence: dict[str, float]
    merged: tuple[int, ...] = ()      # stories merged into ``story_id`` by this article


def emb_scale(cos: float) -> float:
    """An encoder cosine rescaled to 0-1 (0 at unrelated news, 1 at the same event; EMB_FLOOR, EMB_SPAN)."""
    return min(1.0, max(0.0, (cos - EMB_FLOOR) / EMB_SPAN))


def pair_evidence(a: Features, b_terms: dict[str, float], b_emb: np.ndarray | None,
                  b_entities: Mapping[str, float], entity_weight: Any = None) -> dict[str, float]:
    """Evidence between an article and a centroid (or another article); entity weights default to 1."""
    ev = {"lex": cosine(a.terms, b_terms)}
    if a.embedding is not None and b_emb is not None:
        ev["emb"] = emb_scale(float(np.dot(a.embedding, b_emb)))
    ent_total = 0.0
    ent_shared = 0.0
    for cid, salience in a.entities.items():
        w = salience * (entity_weight(cid) if entity_weight else 1.0)
        ent_total += w
        if b_entities.get(cid):
            ent_shared += w
    ev["ent"] = ent_shared / ent_total if ent_total else 0.0
    return ev


def _entity_overlap(a: Mapping[str, float], b: Mapping[str, float], weight: Any = None) -> float:
    """Weighted Jaccard of two entity distributions (each a share of members mentioning the entity)."""
    num = den = 0.0
    for cid in a.keys() | b.keys():
        w = weight(cid) if weight else 1.0
        x, y = a.get(cid, 0.0), b.get(cid, 0.0)
        num += w * min(x, y)
        den += w * max(x, y)
    return num / den if den else 0.0


def _schedule() -> tuple[int, ...]:
    sizes = [2, 3, 4]
    while sizes[-1] < 10**7:
        sizes.append(math.ceil(sizes[-1] * CONSOLIDATE_GROWTH))
    return tuple(sizes)


CONSOLIDATE_SIZES = _schedule()


def _reached(before: int, after: int) -> bool:
    """Whether a story that grew from ``before`` to ``after`` articles reached a size of the schedule."""
    i = bisect.bisect_right(CONSOLIDATE_SIZES, before)
    return i < len(CONSOLIDATE_SIZES) and CONSOLIDATE_SIZES[i] <= after


def logistic(ev: dict[str, float], weights: dict[str, float]) -> float:
    """The combined same-story probability of an evidence dict."""
    z = weights["bias"] + sum(weights.get(k, 0.0) * v for k, v in ev.items())
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


class StoryEngine:
    """Single-pass online clustering with merges; the same decisions for the stream and the backfill."""

    def __init__(self, *, threshold: float | None = None, merge_threshold: float = MERGE_THRESHOLD,
                 horizon_hours: float = HORIZON_HOURS, keep_days: float = KEEP_DAYS,
                 use_embeddings: bool = True, next_id: int = 1,
                 consolidate_threshold: float | None = None) -> None:
        self.threshold = threshold if threshold is not None else (THRESHOLD if use_embeddings else THRESHOLD_NO_EMB)
        self.merge_threshold = merge_threshold
        self.consolidate_threshold = CONSOLIDATE_THRESHOLD if consolidate_threshold is None \
            else consolidate_threshold                        # above 1: never consolidate
        self.consolidation_log: list[tuple[dict[str, float], list[int], list[int]]] | None = None  # for fitting
        self.horizon = horizon_hours * 3600
        self.keep = keep_days * 86400
        self.use_embeddings = use_embeddings
        self.stories: dict[int, Story] = {}
        self.by_article: dict[int, int] = {}
        self._term_index: dict[str, set[int]] = {}
        self._entity_index: dict[str, set[int]] = {}
        self._clock: float | None = None
        self._next_id = next_id
        self.touched: set[int] = set()        # stories changed since the caller last persisted
        self.merges: list[tuple[int, int]] = []  # (from, into) since the caller last persisted

    # -- scoring ---------------------------------------------------------------------------------
    def _entity_weight(self, cid: str) -> float:
        n = len(self._entity_index.get(cid, ()))
        return 1.0 / math.log2(2 + n)

    def _weights(self, feats: Features) -> dict[str, float]:
        return WEIGHTS if (self.use_embeddings and feats.embedding is not None) else WEIGHTS_NO_EMB

    def evidence(self, feats: Features, story: Story) -> dict[str, float]:
        """All evidence between an article and a story."""
        emb = story.centroid_emb() if (self.use_embeddings and feats.embedding is not None) else None
        ev = pair_evidence(feats, story.centroid_terms(), emb, story.entities, self._entity_weight)
        ev["lex_m"] = max((cosine(feats.terms, t) for _, t, _ in story.recent), default=0.0)
        ev["title"] = cosine(feats.title_terms, story.centroid_titles()) if feats.title_terms else 0.0
        ev["title_m"] = max((cosine(feats.title_terms, t) for t in story.recent_titles), default=0.0) \
            if feats.title_terms else 0.0
        if emb is not None and feats.embedding is not None:
            ev["emb_m"] = max((emb_scale(float(np.dot(feats.embedding, e))) for _, _, e in story.recent
                               if e is not None), default=0.0)
        ev["hours"] = self._hours_away(feats.time, story)
        return ev

    def _hours_away(self, t: float | None, story: Story) -> float:
        """Distance to the story's newest member, in days, capped at one: same-event coverage is bunched."""
        if t is None or story.last_updated is None:
            return 0.5
        return min(1.0, abs(t - story.last_updated) / 86400)

    def score(self, feats: Features, story: Story) -> tuple[float, dict[str, float]]:
        """Same-story probability of an article for a story (the age prior applied) and its evidence."""
        ev = self.evidence(feats, story)
        p = logistic(ev, self._weights(feats))
        age = self._age_days(feats.time, story)
        if age > AGE_GRACE_DAYS:
            ev["age"] = age
            p *= 0.5 ** ((age - AGE_GRACE_DAYS) / AGE_HALF_LIFE_DAYS)
        return p, ev

    def _age_days(self, t: float | None, story: Story) -> float:
        """Days from the story's first article to this one (0 when either is undated or the article is older)."""
        if t is None or story.first_seen is None:
            return 0.0
        return max(0.0, t - story.first_seen) / 86400

    def _candidates(self, feats: Features) -> list[Story]:
        votes: dict[int, float] = {}
        for term, w in sorted(feats.terms.items(), key=lambda kv: -kv[1])[:CANDIDATE_TERMS]:
            for sid in self._term_index.get(term, ()):
                votes[sid] = votes.get(sid, 0.0) + w
        for cid in feats.entities:
            for sid in self._entity_index.get(cid, ()):
                votes[sid] = votes.get(sid, 0.0) + 0.2
        out = []
        for sid in sorted(votes, key=lambda s: (-votes[s], s))[:MAX_CANDIDATES * 2]:
            story = self.stories.get(sid)
            if story is None or story.merged_into is not None:
                continue
            if feats.time is not None and story.last_updated is not None and story.first_seen is not None and (
                    feats.time - story.last_updated > self.horizon or story.first_seen - feats.time > self.horizon):
                continue
            out.append(story)
            if len(out) >= MAX_CANDIDATES:
                break
        return out

    # -- decisions -------------------------------------------------------------------------------
    def add(self, article_id: int, feats: Features) -> Decision:
        """Place one article (not a duplicate) and return the decision."""
        scored = sorted(((*self.score(feats, s), s) for s in self._candidates(feats)),
                        key=lambda x: (-x[0], x[2].id))
        merged: list[int] = []
        if scored and scored[0][0] >= self.threshold:
            best_score, ev, story = scored[0]
            new = False
            for other_score, _, other in scored[1:4]:
                if other_score >= self.merge_threshold and best_score >= self.merge_threshold \
                        and self._similar_stories(story, other):
                    story = self._merge(story, other)
                    merged.append(other.id if story.id != other.id else scored[0][2].id)
        else:
            best_score, ev = (scored[0][0], scored[0][1]) if scored else (0.0, {})
            story = self._new_story(feats.time)
            new = True
        before = story.size
        self._join(story, article_id, feats)
        if not new and (self.consolidate_threshold <= 1.0 or self.consolidation_log is not None) \
                and _reached(before, story.size):
            story, gone = self._consolidate(story)
            merged.extend(gone)
        self._advance(feats.time)
        return Decision(article_id, story.id, new, round(best_score, 4),
                        {k: round(v, 4) for k, v in ev.items()}, tuple(merged))

    def attach(self, article_id: int, story_id: int, *, time: float | None, source: str) -> None:
        """Count a duplicate as coverage of its canonical's story (no change to the centroid)."""
        story = self.stories.get(story_id)
        if story is None:
            return
        story.size += 1
        story.members.append(article_id)
        story.sources[source] += 1
        self._extend_span(story, time)
        self.by_article[article_id] = story_id
        self.touched.add(story_id)

    def reserve_ids(self, used: int) -> None:
        """Story ids up to ``used`` are taken (by another writer): new stories get larger ones."""
        self._next_id = max(self._next_id, used + 1)

    def restore(self, story_id: int, article_id: int, feats: Features, *, duplicate: bool = False) -> None:
        """Replay a stored membership (warm start after a restart) without deciding anything."""
        story = self.stories.get(story_id)
        if story is None:
            story = Story(story_id, feats.time, feats.time)
            self.stories[story_id] = story
            self._next_id = max(self._next_id, story_id + 1)
        if duplicate:
            self.attach(article_id, story_id, time=feats.time, source=feats.source)
        else:
            self._join(story, article_id, feats)
        self._advance(feats.time)
        self.touched.discard(story_id)

    def _similar_stories(self, a: Story, b: Story) -> bool:
        ca, cb = a.centroid_terms(), b.centroid_terms()
        lex = cosine(ca, cb)
        ea, eb = a.centroid_emb(), b.centroid_emb()
        emb = emb_scale(float(np.dot(ea, eb))) if ea is not None and eb is not None else None
        return lex >= 0.5 or (emb is not None and emb >= 0.8 and lex >= 0.3)

    def story_evidence(self, a: Story, b: Story) -> dict[str, float]:
        """Evidence that two stories cover one event (each in 0-1, ``gap`` in days capped at one)."""
        ev = {"lex": cosine(a.centroid_terms(), b.centroid_terms()),
              "lex_m": max((cosine(x, y) for _, x, _ in a.recent for _, y, _ in b.recent), default=0.0),
              "title": cosine(a.centroid_titles(), b.centroid_titles()),
              "title_m": max((cosine(x, y) for x in a.recent_titles[-RECENT_MEMBERS:]
                              for y in b.recent_titles[-RECENT_MEMBERS:]), default=0.0)}
        ea, eb = a.centroid_emb(), b.centroid_emb()
        if self.use_embeddings and ea is not None and eb is not None:
            ev["emb"] = emb_scale(float(np.dot(ea, eb)))
            ev["emb_m"] = max((emb_scale(float(np.dot(x, y))) for _, _, x in a.recent for _, _, y in b.recent
                               if x is not None and y is not None), default=0.0)
        ev["ent"] = _entity_overlap({c: n / a.size for c, n in a.entities.items()},
                                    {c: n / b.size for c, n in b.entities.items()}, self._entity_weight)
        ev["gap"] = self._gap_days(a, b)
        return ev

    def _gap_days(self, a: Story, b: Story) -> float:
        """Days between two stories' spans (0 when they overlap), capped at one."""
        if a.first_seen is None or a.last_updated is None or b.first_seen is None or b.last_updated is None:
            return 0.5
        return min(1.0, max(0.0, max(a.first_seen, b.first_seen) - min(a.last_updated, b.last_updated)) / 86400)

    def story_score(self, a: Story, b: Story) -> tuple[float, dict[str, float]]:
        """Same-event probability of two stories (the age prior applied to their joint span)."""
        ev = self.story_evidence(a, b)
        p = logistic(ev, CONSOLIDATE_WEIGHTS if "emb" in ev else CONSOLIDATE_WEIGHTS_NO_EMB)
        if None not in (a.first_seen, b.first_seen, a.last_updated, b.last_updated):
            span = (max(a.last_updated, b.last_updated) - min(a.first_seen, b.first_seen)) / 86400  # type: ignore[type-var,operator]
            if span > AGE_GRACE_DAYS:
                p *= 0.5 ** ((span - AGE_GRACE_DAYS) / AGE_HALF_LIFE_DAYS)
        return p, ev

    def _story_candidates(self, story: Story) -> list[Story]:
        """Active stories sharing top centroid terms or entities with ``story``, spans within the gap."""
        votes: dict[int, float] = {}
        for term, w in list(story.centroid_terms().items())[:CANDIDATE_TERMS]:
            for sid in self._term_index.get(term, ()):
                votes[sid] = votes.get(sid, 0.0) + w
        for cid, _ in story.entities.most_common(CANDIDATE_TERMS):
            for sid in self._entity_index.get(cid, ()):
                votes[sid] = votes.get(sid, 0.0) + 0.2
        votes.pop(story.id, None)
        out = []
        for sid in sorted(votes, key=lambda s: (-votes[s], s)):
            other = self.stories.get(sid)
            if other is None or other.merged_into is not None:
                continue
            if self._gap_days(story, other) * 24 > CONSOLIDATE_GAP_HOURS:
                continue
            out.append(other)
            if len(out) >= CONSOLIDATE_CANDIDATES:
                break
        return out

    def _consolidate(self, story: Story) -> tuple[Story, list[int]]:
        """Re-examine a grown story: merge it with the stories of the same event (returns the survivor and the
        ids merged away)."""
        gone: list[int] = []
        for other in self._story_candidates(story):
            p, ev = self.story_score(story, other)
            if self.consolidation_log is not None:
                self.consolidation_log.append((ev, list(story.members), list(other.members)))
            if p >= self.consolidate_threshold:
                keep = self._merge(story, other)
                gone.append(other.id if keep is story else story.id)
                story = keep
        return story, gone

    def _new_story(self, t: float | None) -> Story:
        story = Story(self._next_id, t, t)
        self._next_id += 1
        self.stories[story.id] = story
        return story

    def _extend_span(self, story: Story, t: float | None) -> None:
        if t is None:
            return
        story.first_seen = t if story.first_seen is None else min(story.first_seen, t)
        story.last_updated = t if story.last_updated is None else max(story.last_updated, t)

    def _join(self, story: Story, article_id: int, feats: Features) -> None:
        story.changed()
        for term, w in feats.terms.items():
            story.terms[term] = story.terms.get(term, 0.0) + w
        if feats.embedding is not None:
            story.emb = feats.embedding.copy() if story.emb is None else story.emb + feats.embedding
        for cid in feats.entities:
            story.entities[cid] += 1
            self._entity_index.setdefault(cid, set()).add(story.id)
        story.recent.append((article_id, feats.terms, feats.embedding))
        del story.recent[:-RECENT_MEMBERS]
        if feats.title_terms:
            for term, w in feats.title_terms.items():
                story.titles[term] = story.titles.get(term, 0.0) + w
            story.recent_titles.append(feats.title_terms)
            del story.recent_titles[:-TITLE_MEMBERS]
        story.size += 1
        story.members.append(article_id)
        story.sources[feats.source] += 1
        self._extend_span(story, feats.time)
        for term, _ in sorted(feats.terms.items(), key=lambda kv: -kv[1])[:CANDIDATE_TERMS]:
            self._term_index.setdefault(term, set()).add(story.id)
        centre = story.centroid_terms()
        if story.central is not None:
            cur = next((t for a, t, _ in story.recent if a == story.central[0]), None)
            if cur is not None:
                story.central = (story.central[0], cosine(cur, centre))
        mine = cosine(feats.terms, centre)
        if story.central is None or mine > story.central[1]:
            story.central = (article_id, mine)
        self.by_article[article_id] = story.id
        self.touched.add(story.id)

    def _merge(self, keep: Story, gone: Story) -> Story:
        if gone.size > keep.size:
            keep, gone = gone, keep
        keep.changed()
        for term, w in gone.terms.items():
            keep.terms[term] = keep.terms.get(term, 0.0) + w
        if gone.emb is not None:
            keep.emb = gone.emb.copy() if keep.emb is None else keep.emb + gone.emb
        keep.entities.update(gone.entities)
        for cid in gone.entities:
            self._entity_index.setdefault(cid, set()).add(keep.id)
            self._entity_index[cid].discard(gone.id)
        keep.recent = (keep.recent + gone.recent)[-RECENT_MEMBERS:]
        for term, w in gone.titles.items():
            keep.titles[term] = keep.titles.get(term, 0.0) + w
        keep.recent_titles = (keep.recent_titles + gone.recent_titles)[-TITLE_MEMBERS:]
        keep.size += gone.size
        keep.members.extend(gone.members)
        keep.sources.update(gone.sources)
        self._extend_span(keep, gone.first_seen)
        self._extend_span(keep, gone.last_updated)
        for aid in gone.members:
            self.by_article[aid] = keep.id
        for term in list(gone.terms):
            ids = self._term_index.get(term)
            if ids is not None and gone.id in ids:
                ids.discard(gone.id)
                ids.add(keep.id)
        gone.merged_into = keep.id
        self.merges.append((gone.id, keep.id))
        self.touched.update((keep.id, gone.id))
        return keep

    def _advance(self, t: float | None) -> None:
        """Move the stream clock; forget stories older than ``keep_days`` (their rows stay stored)."""
        if t is None or (self._clock is not None and t <= self._clock):
            return
        old = self._clock
        self._clock = t
        if old is not None and int(old // 86400) == int(t // 86400):
            return  # forget at most once a day
        horizon = t - self.keep
        for sid in [s.id for s in self.stories.values()
                    if s.last_updated is not None and s.last_updated < horizon]:
            self._forget(sid)

    def _forget(self, sid: int) -> None:
        story = self.stories.pop(sid)
        for term in story.terms:
            ids = self._term_index.get(term)
            if ids is not None:
                ids.discard(sid)
                if not ids:
                    del self._term_index[term]
        for cid in story.entities:
            ids = self._entity_index.get(cid)
            if ids is not None:
                ids.discard(sid)
                if not ids:
                    del self._entity_index[cid]
        for aid in story.members:
            self.by_article.pop(aid, None)

    def active(self, story: Story) -> bool:
        """Whether a story still takes articles at the current clock."""
        if self._clock is None or story.last_updated is None:
            return True
        return self._clock - story.last_updated <= self.horizon
