"""Near-duplicates: republished copy with edits, across outlets and spellings.

Exact duplicates are found earlier, by the hash of the match-normalized text (``pipeline.content_hash``).
Here: MinHash LSH (rensa) over word 3-gram shingles of the boilerplate-stripped skeleton (see
``features``). A candidate from the LSH buckets is a near-duplicate when

- its estimated Jaccard is at least ``jaccard`` (0.35), or its estimated containment (the shorter text's
  shingles found in the longer) is at least ``containment`` (0.8) — a copy with a paragraph cut or a lead
  added — and both texts have at least ``min_shingles`` shingles (short texts are only exact duplicates:
  two headlines that differ by one word are often two different facts), and
- ``fact_conflict`` finds no changed fact between the two texts: a number replaced by another number in
  the same place, a negation added or removed, or (with entities) a named entity swapped for another.
  ANS "disagree" headline pairs are exactly such edits.

The index keeps a sliding window of recent articles (by publication time, default 7 days; republication
happens within days) and is rebuilt when the window slides, since rensa's index has no removal.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from rensa import RMinHash, RMinHashLSH

from marsad.enrich.features import NUM_PERM, Features, skeleton_words, strip_boilerplate
from marsad.text.names import name_key
from marsad.text.tokenize import match_words

# Tuned on the even-numbered labelled SaudiNewsNet pairs (bench/neardup_eval.py reports the odd ones apart).
LSH_THRESHOLD = 0.25       # candidate recall: 64 bands of 2 rows catch pairs well below the decision thresholds
LSH_BANDS = 64
JACCARD = 0.35
CONTAINMENT = 0.8
MIN_SHINGLES = 12
WINDOW_DAYS = 7.0

_NEGATIONS = frozenset(match_words("لا لم لن ليس ليست غير عدم بدون دون لسنا لستم"))
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)*$")


@dataclass(frozen=True, slots=True)
class NearDuplicate:
    """A stored article the new one is a near-duplicate of, with the evidence."""

    article_id: int
    jaccard: float
    containment: float


def containment_estimate(jaccard: float, size_a: int, size_b: int) -> float:
    """|A∩B| / min(|A|, |B|) from the Jaccard estimate and the set sizes."""
    if jaccard <= 0 or not size_a or not size_b:
        return 0.0
    inter = jaccard * (size_a + size_b) / (1 + jaccard)
    return min(1.0, inter / min(size_a, size_b))


def _aligned_words(text: str) -> tuple[list[str], list[str]]:
    """(match words, their skeletons) of the boilerplate-stripped text, index for index."""
    words = match_words(strip_boilerplate(text))
    return words, [skeleton_words(w)[0] if skeleton_words(w) else w for w in words]


def _negation(word: str) -> bool:
    """لا لم لن ليس ... alone or after the conjunctions و ف (ولم, فلا)."""
    return word in _NEGATIONS or (len(word) > 2 and word[0] in "وف" and word[1:] in _NEGATIONS)


def _number(word: str) -> str:
    return word.replace(",", "").replace(".", "")    # 2,464 = 2.464 (thousands separators differ by outlet)


def fact_conflict(text_a: str, text_b: str, *, entities_a: set[str] | None = None,
                  entities_b: set[str] | None = None) -> str | None:
    """Why two near-identical texts report different facts ("number", "negation", "entity"), or None.

    The texts are aligned word by word (skeletons, difflib); only small edited spans (up to 12 words a
    side) count, so a rewritten lead paragraph is an edit, not a conflict. A number replaced by another
    number, a negation word (لا لم لن ليس غير عدم ...) added or dropped, or a name replaced by another name
    (both words entity words of their texts, ``entities_*`` = name keys from enrichment) is a conflict;
    words split or joined differently (عبد الله / عبدالله, ال 17 / ال17) are not.
    """
    wa, a = _aligned_words(text_a)
    wb, b = _aligned_words(text_b)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal" or i2 - i1 > 12 or j2 - j1 > 12:
            continue
        left, right = a[i1:i2], b[j1:j2]
        if "".join(left) == "".join(right):
            continue                                   # the same letters, split or joined differently
        nums_l = {_number(w) for w in left if _NUMBER.match(w)}
        nums_r = {_number(w) for w in right if _NUMBER.match(w)}
        if op == "replace" and nums_l and nums_r and nums_l != nums_r:
            return "number"
        neg_l = sum(map(_negation, wa[i1:i2]))
        neg_r = sum(map(_negation, wb[j1:j2]))
        if neg_l != neg_r and (i2 - i1) + (j2 - j1) <= 4:
            return "negation"
        if op == "replace" and entities_a and entities_b and len(left) <= 2 and len(right) <= 2:
            gone = {name_key(w) for w in wa[i1:i2]} & entities_a
            new = {name_key(w) for w in wb[j1:j2]} & entities_b
            if gone and new and not gone & new and name_key("".join(wa[i1:i2])) != name_key("".join(wb[j1:j2])):
                return "entity"
    return None


class NearDupIndex:
    """Sliding-window MinHash LSH over recent articles."""

    def __init__(self, *, jaccard: float = JACCARD, containment: float = CONTAINMENT,
                 min_shingles: int = MIN_SHINGLES, window_days: float = WINDOW_DAYS) -> None:
        self.jaccard = jaccard
        self.containment = containment
        self.min_shingles = min_shingles
        self.window = window_days * 86400
        self._items: dict[int, tuple[RMinHash, int, float | None]] = {}
        self._lsh = RMinHashLSH(LSH_THRESHOLD, NUM_PERM, LSH_BANDS)
        self._clock: float | None = None      # latest publication time seen
        self._built_at: float | None = None

    def __len__(self) -> int:
        return len(self._items)

    def candidates(self, feats: Features) -> list[NearDuplicate]:
        """Indexed articles that pass the resemblance thresholds, best first (facts not yet checked)."""
        if feats.minhash is None or feats.shingles < self.min_shingles:
            return []
        found = []
        for key in self._lsh.query(feats.minhash):
            item = self._items.get(int(key))
            if item is None:
                continue
            mh, size, t = item
            if feats.time is not None and t is not None and abs(feats.time - t) > self.window:
                continue
            j = feats.minhash.jaccard(mh)
            c = containment_estimate(j, feats.shingles, size)
            if size >= self.min_shingles and (j >= self.jaccard or c >= self.containment):
                found.append(NearDuplicate(int(key), round(j, 4), round(c, 4)))
        found.sort(key=lambda d: (-d.jaccard, -d.containment, d.article_id))
        return found

    def time_of(self, article_id: int) -> float | None:
        """The time an indexed article was added with (its publication or crawl time), or None."""
        item = self._items.get(article_id)
        return item[2] if item else None

    def add(self, article_id: int, feats: Features) -> None:
        """Index an article (only articles long enough to be near-duplicates)."""
        if feats.minhash is None or feats.shingles < self.min_shingles or article_id in self._items:
            return
        self._items[article_id] = (feats.minhash, feats.shingles, feats.time)
        self._lsh.insert(article_id, feats.minhash)
        if feats.time is not None:
            self._clock = feats.time if self._clock is None else max(self._clock, feats.time)
            if self._built_at is None:
                self._built_at = self._clock
            elif self.window != float("inf") and self._clock - self._built_at > self.window / 2:
                self._slide()

    def _slide(self) -> None:
        """Drop articles older than the window and rebuild the LSH (rensa has no removal)."""
        assert self._clock is not None
        horizon = self._clock - self.window
        self._items = {k: v for k, v in self._items.items() if v[2] is None or v[2] >= horizon}
        self._lsh = RMinHashLSH(LSH_THRESHOLD, NUM_PERM, LSH_BANDS)
        for key, (mh, _, _) in self._items.items():
            self._lsh.insert(key, mh)
        self._built_at = self._clock


def near_duplicate_pair(title_a: str, text_a: str, title_b: str, text_b: str, *,
                        mentions_a: list[dict[str, Any]] | None = None,
                        mentions_b: list[dict[str, Any]] | None = None) -> tuple[bool, str]:
    """Whether ``b`` would be found a near-duplicate of a stored ``a`` (the stream's own path: LSH index,
    thresholds, changed-fact guard), with the reason: exact / near / no_candidate / below_threshold /
    too_short / conflict:<kind>."""
    from marsad.enrich.features import compute
    from marsad.text.tokenize import match_words

    if match_words(text_a) == match_words(text_b):
        return True, "exact"
    fa, fb = compute(title_a, text_a), compute(title_b, text_b)
    if fa.minhash is None or fb.minhash is None or min(fa.shingles, fb.shingles) < MIN_SHINGLES:
        return False, "too_short"
    index = NearDupIndex()
    index.add(1, fa)
    if 1 not in {int(k) for k in index._lsh.query(fb.minhash)}:
        return False, "no_candidate"
    if not index.candidates(fb):
        return False, "below_threshold"
    def words(ms: list[dict[str, Any]] | None) -> set[str]:
        return {name_key(w) for m in ms or [] for w in str(m.get("text", "")).split()}

    conflict = fact_conflict(text_a, text_b, entities_a=words(mentions_a), entities_b=words(mentions_b))
    return (False, f"conflict:{conflict}") if conflict else (True, "near")
