"""Near-duplicates and stories in the store: the stream (``pipeline``) and the backfill (`marsad cluster`).

``Clusterer`` owns a near-duplicate index and a story engine (``marsad.stories``), warmed from the store's
recent window when it starts, and writes what they decide inside the caller's transaction:

- an exact duplicate (same match-normalized text, new URL) joins its canonical's story as coverage;
- a near-duplicate (MinHash LSH + no changed fact) gets ``duplicate_of`` = its group's canonical and
  ``duplicate_reason`` = ``near:<jaccard>``; the canonical is the earliest published copy unless a later one
  is clearly more complete (20% longer): then the group moves to it (``canonical_reason`` most_complete);
- any other article is placed by the story engine (join, new story, or a merge of two stories).

Story rows are refreshed from their members at each ``flush`` (end of a batch). The backfill
(``recluster``) resets stories and near-duplicate links and replays the whole store in publication
order through the same ``Clusterer``, so the stream and the backfill make the same decisions for
articles that arrive in time order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from marsad.enrich.embed import get_embedder
from marsad.enrich.features import Features, article_features, entity_counts, entity_words
from marsad.models import Article
from marsad.store.base import Store
from marsad.stories.dedupe import NearDupIndex, fact_conflict
from marsad.stories.engine import KEEP_DAYS, StoryEngine
from marsad.times import from_timestamp, timestamp

MORE_COMPLETE = 1.2


def article_time(published_at: str | None, fetched_at: str | None = None) -> float | None:
    """When an article happened for clustering: its publication time, else the crawl time of its input (a news
    crawl fetches most articles within a day of publication; a first crawl's backlog is the exception), else
    None (no time evidence). Without the crawl time, an undated corpus such as SaudiNewsNet had no time
    evidence at all, and weeks of one war's coverage chained into one story."""
    return timestamp(published_at) or timestamp(fetched_at)


class Clusterer:
    """Decides duplicates and stories for new articles and keeps the store's story rows current."""

    def __init__(self, store: Store, *, embedder: str | None = "use", threshold: float | None = None) -> None:
        self.store = store
        self.embedder = embedder if embedder and embedder != "none" else None
        kwargs = {"threshold": threshold} if threshold is not None else {}
        self.engine = StoryEngine(use_embeddings=self.embedder is not None, next_id=store.max_story_id() + 1,
                                  **kwargs)
        self.dedupe = NearDupIndex()
        self.counts: Counter[str] = Counter()
        self._extra: set[int] = set()      # stories touched outside the engine's memory
        self._seen_id = 0                  # the largest article id this clusterer has taken in or placed
        self._marker: int | None = None    # the store's change marker when it last looked (None: never)

    # -- start -----------------------------------------------------------------------------------
    def warm(self) -> int:
        """Load the recent window (``KEEP_DAYS`` before the newest article) from the store."""
        self._marker = self.store.change_marker()
        self._seen_id = self.store.approx_article_count()          # the largest id
        latest = timestamp(self.store.latest_time())
        if latest is None:
            return 0
        since = from_timestamp(latest - KEEP_DAYS * 86400)
        n = self._take_in(self.store.iter_cluster_rows(since=since, only_assigned=True))
        self.engine.touched.clear()
        return n

    def sync(self) -> int:
        """Take in what other writers (another `marsad ingest`, the watcher, the API) committed since this clusterer
        last looked: their articles join the near-duplicate index and the stories, and new story ids continue after
        theirs. Called inside the write transaction before a batch is placed (the store's write lock is held: no one
        commits meanwhile); one cheap marker read when nobody else wrote. Returns the articles taken in."""
        marker = self.store.change_marker()
        if marker == self._marker:
            return 0
        self._marker = marker
        n = self._take_in(self.store.iter_cluster_rows(only_assigned=True, after_id=self._seen_id))
        self.engine.reserve_ids(self.store.max_story_id())
        self._seen_id = max(self._seen_id, self.store.approx_article_count())
        self.engine.touched.clear()
        if n:
            self.counts["synced_from_other_writers"] += n
        return n

    def _take_in(self, rows: Iterable[dict[str, Any]]) -> int:
        """Replay stored decisions (in time order) into the engine and the near-duplicate index."""
        n = 0
        ordered = sorted(rows, key=lambda r: (article_time(r["published_at"], r["fetched_at"]) or 0.0, r["id"]))
        for row in ordered:
            feats = self._from_row(row)
            if feats is None:
                continue
            dup = row["duplicate_of"] is not None
            self.engine.restore(row["story_id"], row["id"], feats, duplicate=dup)
            if not dup:
                self.dedupe.add(row["id"], feats)
            n += 1
        return n

    def _from_row(self, row: dict[str, Any]) -> Features | None:
        import json

        if row.get("features") is None:
            return None
        mentions = json.loads(row["entities"]) if row.get("entities") else []
        return Features.from_row(row["features"], entities=entity_counts(mentions, row.get("title") or ""),
                                 title=row.get("title"),
                                 time=article_time(row["published_at"], row["fetched_at"]),
                                 source=row["source"] or "", length=row["length"] or 0)

    # -- decisions -------------------------------------------------------------------------------
    def features_for(self, article: Article, feats: Features | None, fetched_at: str | None = None) -> Features:
        """The article's features (computed now if the worker did not), entities as resolved in the store;
        ``fetched_at`` (the crawl time of its input) dates an undated article."""
        if feats is None or (self.embedder and feats.embedding is None):
            feats = article_features(article, self.embedder)
        if not self.embedder:
            feats.embedding, feats.embedder = None, None
        feats.entities = entity_counts(article.entities, article.display_title or article.title)
        if feats.time is None:
            feats.time = article_time(article.published_at, fetched_at)
        return feats

    def place(self, article_id: int, article: Article, feats: Features | None,
              fetched_at: str | None = None) -> tuple[str, int | None]:
        """Place a newly stored article: ("near", canonical id), ("canonical", old canonical id) when it
        replaced a less complete copy, or ("story", story id)."""
        feats = self.features_for(article, feats, fetched_at)
        self._seen_id = max(self._seen_id, article_id)
        self.store.put_features(article_id, feats.to_row())
        near = self._near_duplicate(article_id, article, feats)
        if near is not None:
            return near
        self.dedupe.add(article_id, feats)
        decision = self.engine.add(article_id, feats)
        self.store.set_story(article_id, decision.story_id)
        self.counts["new_story" if decision.new_story else "joined_story"] += 1
        for gone, into in self.engine.merges:
            self.store.merge_story(gone, into)
            self.counts["merged_stories"] += 1
        self.engine.merges.clear()
        return ("story", decision.story_id)

    def _near_duplicate(self, article_id: int, article: Article, feats: Features) -> tuple[str, int] | None:
        for cand in self.dedupe.candidates(feats):
            other = self.store.get_article(cand.article_id)
            if other is None:
                continue
            conflict = fact_conflict(article.text, other["text"], entities_a=entity_words(article.entities),
                                     entities_b=entity_words(other.get("entities") or []))
            if conflict:
                self.counts[f"not_duplicate_{conflict}"] += 1
                continue
            canonical_id = other["duplicate_of"] or other["id"]
            canon = other if canonical_id == other["id"] else (self.store.get_article(canonical_id) or other)
            story_id = self.engine.by_article.get(canonical_id) or canon.get("story_id")
            reason = f"near:{cand.jaccard:.2f}"
            longer = len(article.text) > MORE_COMPLETE * len(canon["text"])
            # the canonical's time as this article's is taken: published, else crawled (kept by the index)
            canon_time = timestamp(canon.get("published_at")) or self.dedupe.time_of(canonical_id)
            earlier = (feats.time is not None and (canon_time is None or feats.time < canon_time)
                       and len(article.text) >= 0.8 * len(canon["text"]))   # a dated copy beats an undated one
            if longer or earlier:
                self.store.make_canonical(article_id, canonical_id, "most_complete" if longer else "earliest")
                self.store.set_duplicate(canonical_id, article_id, reason)
                self.dedupe.add(article_id, feats)
                self._join_story(article_id, story_id, feats)
                self.counts["canonical_replaced"] += 1
                return ("canonical", canonical_id)
            self.store.set_duplicate(article_id, canonical_id, reason)
            self.store.set_canonical_reason(canonical_id, "earliest")
            self._join_story(article_id, story_id, feats)
            self.counts["near_duplicate"] += 1
            return ("near", canonical_id)
        return None

    def _join_story(self, article_id: int, story_id: int | None, feats: Features) -> None:
        if story_id is None:
            return
        self.store.set_story(article_id, story_id)
        if story_id in self.engine.stories:
            self.engine.attach(article_id, story_id, time=feats.time, source=feats.source)
        else:
            self._extra.add(story_id)

    def place_exact_duplicate(self, article_id: int, canonical_id: int, article: Article,
                              fetched_at: str | None = None) -> None:
        """An exact copy under a new identity counts as coverage in its canonical's story."""
        self._seen_id = max(self._seen_id, article_id)
        story_id = self.engine.by_article.get(canonical_id)
        if story_id is None:
            row = self.store.get_article(canonical_id)
            story_id = row.get("story_id") if row else None
        self.store.set_duplicate(article_id, canonical_id, "exact")
        self.store.set_canonical_reason(canonical_id, "earliest")
        self._join_story(article_id, story_id, Features(None, 0, {}, None, None, time=article_time(
            article.published_at, fetched_at), source=article.source or ""))
        self.counts["exact_duplicate"] += 1

    def flush(self) -> None:
        """Write the touched stories' rows (inside the caller's transaction)."""
        touched = self.engine.touched | self._extra
        if not touched:
            return
        central = {sid: s.central[0] for sid, s in self.engine.stories.items() if sid in touched and s.central}
        clock = self.engine._clock
        active_since = from_timestamp(clock - self.engine.horizon) if clock is not None else None
        self.store.refresh_stories(sorted(touched), central, active_since=active_since)
        self.engine.touched.clear()
        self._extra.clear()


def recluster(store: Store, *, embedder: str | None = "use", threshold: float | None = None,
              batch: int = 500, progress: Callable[[int], None] | None = None,
              compute: Callable[[list[Article]], list[Any]] | None = None) -> dict[str, Any]:
    """Re-cluster the whole store from scratch in publication order (the backfill). ``compute``: computes the
    features of the articles of a batch that need them elsewhere (``--dask``), in order; the decisions stay here."""
    import time

    started = time.perf_counter()
    with store.transaction():
        store.reset_clustering()
    clusterer = Clusterer(store, embedder=embedder, threshold=threshold)
    clusterer.dedupe = NearDupIndex(window_days=float("inf"))
    done = 0
    rows = list(store.iter_cluster_rows())  # ids, times and features only; texts are read per batch
    # publication order in UTC (stored times keep their own offsets; an undated article at its crawl time),
    # articles with neither time after the others in ingest order (the near-duplicate index keeps every
    # article in a backfill, so an undated copy still meets its original); exact copies last: their
    # canonical (the first stored) has its story by then
    rows.sort(key=lambda r: (r["duplicate_of"] is not None and r["duplicate_reason"] in (None, "exact"),
                             (t := article_time(r["published_at"], r["fetched_at"])) is None, t or 0.0, r["id"]))
    for i in range(0, len(rows), batch):
        chunk = rows[i:i + batch]
        with store.transaction():
            todo: list[tuple[dict[str, Any], Article, Any]] = []
            for row in chunk:
                art = store.get_article(row["id"])
                if art is None:
                    continue
                article = Article(title=art["title"], display_title=art.get("display_title") or "",
                                  text=art["text"], published_at=art["published_at"], source=art["source"],
                                  entities=art.get("entities") or [], keyphrases=art.get("keyphrases") or [])
                feats = None
                if not (row["duplicate_of"] is not None and row["duplicate_reason"] in (None, "exact")):
                    feats = clusterer._from_row(row)
                    model = get_embedder(clusterer.embedder) if clusterer.embedder else None
                    if feats is not None and (feats.embedder or None) != (model.name if model else None):
                        feats = None    # embedded with another model: recompute
                todo.append((row, article, feats))
            if compute is not None:     # the features still missing, computed elsewhere in one go
                missing = [i for i, (row, _, feats) in enumerate(todo) if feats is None
                           and not (row["duplicate_of"] is not None and row["duplicate_reason"] in (None, "exact"))]
                for i, feats in zip(missing, compute([todo[i][1] for i in missing]), strict=True):
                    todo[i] = (todo[i][0], todo[i][1], feats)
            for row, article, feats in todo:
                if row["duplicate_of"] is not None and row["duplicate_reason"] in (None, "exact"):
                    clusterer.place_exact_duplicate(row["id"], row["duplicate_of"], article, row["fetched_at"])
                else:
                    clusterer.place(row["id"], article, feats, row["fetched_at"])
                done += 1
            clusterer.flush()
        if progress:
            progress(len(chunk))
    seconds = time.perf_counter() - started
    stories = store.list_stories(limit=None, min_size=1)
    return {"articles": done, "stories": len(stories), "multi_article_stories": sum(s["size"] > 1 for s in stories),
            **dict(clusterer.counts), "seconds": round(seconds, 2),
            "articles_per_second": round(done / seconds, 1) if seconds else None}
