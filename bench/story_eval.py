"""Story clustering quality on hand-labelled days of the ANT corpus: B-cubed P/R/F1 and topic confusions.

    python bench/story_eval.py                       # gold days 2018-05-08/09 (485 articles), USE embeddings
    python bench/story_eval.py --set dev             # the development day 2018-04-10 (used to fit weights)
    python bench/story_eval.py --embedder none       # lexical + entities only
    python bench/story_eval.py --baseline            # also the TF-IDF single-pass baseline, threshold swept
    python bench/story_eval.py --write-docs          # write the table into docs/benchmarks.md

Articles go through the library's own path: ``features.compute`` on the extracted record, entities from
``enrich.analyze`` (canonical ids), embeddings in batches, then ``StoryEngine`` in publication-time order.
Labels and rules: ``tests/quality/gold/README.md``.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import itertools
import json
import sys
import time
from collections import defaultdict
from collections.abc import Iterable
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "src"))

from marsad.config import data_dir  # noqa: E402
from marsad.enrich.features import Features, compute, cosine  # noqa: E402
from marsad.stories.bcubed import bcubed  # noqa: E402
from marsad.stories.engine import StoryEngine  # noqa: E402

GOLD = REPO / "tests" / "quality" / "gold"
GATE = GOLD / "ant-stories-2018-05-08_09.tsv"


def stretches() -> tuple[Path, ...]:
    """Every labelled stretch but the gate days (``ant-stories-*.tsv``, second annotators' files left out):
    the development stretches and any stretch labelled since, found by name so new ones join the fits."""
    return tuple(sorted(p for p in GOLD.glob("ant-stories-*.tsv") if p != GATE and ".annotator" not in p.name))


SETS = {
    "gold": (GATE,),
    "dev": stretches(),
    "annotator2": (GOLD / "ant-stories-2018-05-08_09.annotator2.tsv",),
}


def load_gold(paths: Path | tuple[Path, ...]) -> dict[str, tuple[str, str]]:
    """docno -> (story, topic); stories of different files are kept apart (prefixed by the file)."""
    out: dict[str, tuple[str, str]] = {}
    for path in (paths,) if isinstance(paths, Path) else paths:
        with path.open(encoding="utf-8") as fh:
            for r in csv.DictReader(fh, delimiter="\t"):
                out[r["docno"]] = (f"{path.stem}:{r['story']}", r["topic"])
    return out


def load_records(data: Path, docnos: Iterable[str]) -> list[dict[str, Any]]:
    """The ANT records of the labelled docnos, with an ISO ``published_at``, in time order."""
    wanted = set(docnos)
    out = []
    with gzip.open(data / "ant-multisource.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if rec["docno"] in wanted:
                rec["published_at"] = parsedate_to_datetime(rec["time"]).isoformat()
                out.append(rec)
    out.sort(key=lambda r: (r["published_at"], r["docno"]))
    return out


def featurize(records: list[dict[str, Any]], embedder: str | None, entities: bool = True) -> list[Features]:
    """Features of each record as the pipeline computes them."""
    return featurize_with_mentions(records, embedder, entities)[0]


def featurize_with_mentions(records: list[dict[str, Any]], embedder: str | None,
                            entities: bool = True) -> tuple[list[Features], list[list[dict[str, Any]]]]:
    """Features of each record and its entity mentions. With ``$MARSAD_FEATURE_CACHE`` set to a folder, each
    record's result is kept there (per embedder) and read back on the next run: a bench-only shortcut for
    iterating on the engine; clear the folder after changing features, entities or embeddings."""
    import os
    import pickle

    cache = os.environ.get("MARSAD_FEATURE_CACHE")
    path = Path(cache) / f"feats-{embedder}-{int(entities)}.pkl" if cache else None
    if path is not None:
        known: dict[str, Any] = pickle.loads(path.read_bytes()) if path.exists() else {}
        todo = [r for r in records if r["docno"] not in known]
        if todo:
            known.update(zip((r["docno"] for r in todo), zip(*featurize_with_mentions_now(todo, embedder, entities),
                                                              strict=True), strict=True))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(pickle.dumps(known))
        return [known[r["docno"]][0] for r in records], [known[r["docno"]][1] for r in records]
    return featurize_with_mentions_now(records, embedder, entities)


def featurize_with_mentions_now(records: list[dict[str, Any]], embedder: str | None,
                                entities: bool = True) -> tuple[list[Features], list[list[dict[str, Any]]]]:
    """Features and entity mentions of each record, computed."""
    from marsad.enrich.analyze import analyze
    from marsad.enrich.embed import embedding_text, get_embedder

    model = get_embedder(embedder) if embedder and embedder != "none" else None
    vecs = model.encode([embedding_text(r["title"], r["text"]) for r in records]) if model else None
    feats, all_mentions = [], []
    for i, r in enumerate(records):
        mentions = analyze(r["text"], r["title"]).entities if entities else []
        all_mentions.append(mentions)
        feats.append(compute(r["title"], r["text"], embedding=None if vecs is None else vecs[i],
                             embedder=model.name if model else None, entities=mentions,
                             published_at=r["published_at"], source=r["source"]))
    return feats, all_mentions


def run_engine(records: list[dict[str, Any]], feats: list[Features], **kwargs: Any) -> dict[str, int]:
    engine = StoryEngine(use_embeddings=any(f.embedding is not None for f in feats), **kwargs)
    assigned = [engine.add(i, f).story_id for i, f in enumerate(feats)]
    into = dict(engine.merges)   # stories merged later: follow the chain to the surviving story

    def final(sid: int) -> int:
        while sid in into:
            sid = into[sid]
        return sid

    return {records[i]["docno"]: final(sid) for i, sid in enumerate(assigned)}


def pipeline_labels(records: list[dict[str, Any]], embedder: str | None = "use", workers: int = 2,
                    tmp: Path | None = None) -> dict[str, int]:
    """docno -> story id through the real path: `marsad ingest` of the ANT records (extraction, enrichment,
    entity resolution in the store, near-duplicates, stories) into a throwaway SQLite store."""
    import tempfile

    from marsad.config import IngestOptions
    from marsad.ingestion.pipeline import ingest
    from marsad.store.sqlite import SQLiteStore

    with tempfile.TemporaryDirectory(dir=tmp) as folder:
        src = Path(folder) / "records.jsonl"
        keep = ("docno", "url", "source", "category", "title", "time", "abstract", "text")
        src.write_text("".join(json.dumps({k: r[k] for k in keep if k in r}, ensure_ascii=False) + "\n"
                               for r in records), encoding="utf-8")
        store = SQLiteStore(Path(folder) / "m.db")
        try:
            ingest([src], store, IngestOptions(workers=workers, embedder=embedder or "none"))
            story = {a["id"]: a["story_id"] for a in store.iter_articles()}
            # every input line ends somewhere: a copy of a known URL is an outcome pointing at the stored article
            line_of = {f"{src}:{i + 1}": r["docno"] for i, r in enumerate(records)}
            rows = store.conn.execute("SELECT ref, article_id FROM outcomes WHERE article_id IS NOT NULL")
            return {line_of[ref]: story[aid] for ref, aid in rows if ref in line_of}
        finally:
            store.close()


def baseline(records: list[dict[str, Any]], feats: list[Features], threshold: float) -> dict[str, int]:
    """TF-IDF single pass: join the most similar story centroid if cosine >= threshold."""
    cents: list[dict[str, float]] = []
    out = {}
    for r, f in zip(records, feats, strict=True):
        best, sim = -1, 0.0
        for sid, c in enumerate(cents):
            norm = sum(w * w for w in c.values()) ** 0.5 or 1.0
            s = cosine(f.terms, {t: w / norm for t, w in c.items()})
            if s > sim:
                best, sim = sid, s
        if best >= 0 and sim >= threshold:
            for t, w in f.terms.items():
                cents[best][t] = cents[best].get(t, 0.0) + w
        else:
            cents.append(dict(f.terms))
            best = len(cents) - 1
        out[r["docno"]] = best
    return out


def topic_confusions(system: dict[str, int], gold: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """Pairs of different gold stories of one topic that the system put in one story."""
    stories_by_topic: dict[str, set[str]] = defaultdict(set)
    for story, topic in gold.values():
        stories_by_topic[topic].add(story)
    same_topic_pairs = sum(len(s) * (len(s) - 1) // 2 for s in stories_by_topic.values())
    clusters: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for doc, sid in system.items():
        clusters[sid].add(gold[doc])
    merged = set()
    for members in clusters.values():
        for (s1, t1), (s2, t2) in itertools.combinations(sorted(members), 2):
            if t1 == t2:
                merged.add((s1, s2))
    return {"merged_pairs": len(merged), "same_topic_pairs": same_topic_pairs,
            "rate": round(len(merged) / same_topic_pairs, 4) if same_topic_pairs else 0.0}


FIT_KEYS = ("lex", "lex_m", "emb", "emb_m", "title", "title_m", "ent", "hours")
THRESHOLDS = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)


def training_pairs(records: list[dict[str, Any]], feats: list[Features], gold: dict[str, tuple[str, str]],
                   use_emb: bool) -> tuple[Any, Any]:
    """Evidence of (article, earlier gold story within the horizon) pairs, labelled 1 for the article's story."""
    import numpy as np

    engine = StoryEngine(use_embeddings=use_emb)
    story_of: dict[str, int] = {}
    x, y = [], []
    for i, (r, f) in enumerate(zip(records, feats, strict=True)):
        label = gold[r["docno"]][0]
        for story in engine.stories.values():
            if f.time is not None and story.last_updated is not None and f.time - story.last_updated > engine.horizon:
                continue
            ev = engine.evidence(f, story)
            x.append([ev.get(k, 0.0) for k in FIT_KEYS])
            y.append(int(story_of.get(label) == story.id))
        sid = story_of.get(label)
        if sid is None:
            sid = story_of[label] = engine._new_story(f.time).id
        engine._join(engine.stories[sid], i, f)
    return np.array(x), np.array(y)


def fit_engine(records: list[dict[str, Any]], feats: list[Features], gold: dict[str, tuple[str, str]],
               use_emb: bool) -> tuple[dict[str, float], float, dict[float, dict[str, float]]]:
    """Logistic weights on the pairs, then the threshold with the best B-cubed F1 on the same records:
    (weights rounded to 0.1 as written in the engine, threshold, scores per threshold)."""
    from sklearn.linear_model import LogisticRegression

    from marsad.stories import engine as eng

    xa, ya = training_pairs(records, feats, gold, use_emb)
    model = LogisticRegression(C=1.0, max_iter=3000).fit(xa, ya)
    weights = {"bias": round(float(model.intercept_[0]), 1)}
    weights.update({k: round(float(w), 1) for k, w in zip(FIT_KEYS, model.coef_[0], strict=True)})
    truth = {d: s for d, (s, _) in gold.items()}
    target = eng.WEIGHTS if use_emb else eng.WEIGHTS_NO_EMB
    saved = dict(target)
    target.clear()
    target.update(weights)
    try:
        scores = {t: bcubed(run_engine(records, feats, threshold=t, consolidate_threshold=2.0), truth)
                  for t in THRESHOLDS}
    finally:
        target.clear()
        target.update(saved)
    best = max(scores, key=lambda t: scores[t]["f1"])
    return weights, best, scores


def run_with(records: list[dict[str, Any]], feats: list[Features], weights: dict[str, float], threshold: float,
             use_emb: bool, consolidation: tuple[dict[str, float], float] | None = None) -> dict[str, int]:
    """The engine's labels with the given weights (restored afterwards); ``consolidation``: its weights and
    threshold (None: the engine's own)."""
    from marsad.stories import engine as eng

    target = eng.WEIGHTS if use_emb else eng.WEIGHTS_NO_EMB
    ctarget = eng.CONSOLIDATE_WEIGHTS if use_emb else eng.CONSOLIDATE_WEIGHTS_NO_EMB
    saved, csaved = dict(target), dict(ctarget)
    target.clear()
    target.update(weights)
    kwargs: dict[str, Any] = {}
    if consolidation is not None:
        ctarget.clear()
        ctarget.update(consolidation[0])
        kwargs["consolidate_threshold"] = consolidation[1]
    try:
        return run_engine(records, feats, threshold=threshold, **kwargs)
    finally:
        target.clear()
        target.update(saved)
        ctarget.clear()
        ctarget.update(csaved)


CONSOLIDATE_KEYS = ("lex", "lex_m", "emb", "emb_m", "title", "title_m", "ent", "gap")
CONSOLIDATE_THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.8, 2.0)   # 2.0: never consolidate


def consolidation_pairs(records: list[dict[str, Any]], feats: list[Features], gold: dict[str, tuple[str, str]],
                        weights: dict[str, float], threshold: float, use_emb: bool) -> tuple[Any, Any]:
    """Evidence of the story pairs the consolidation step examines (with merging off), labelled 1 when most
    article pairs their merge would make are pairs of one gold story."""
    import numpy as np

    from marsad.stories import engine as eng

    target = eng.WEIGHTS if use_emb else eng.WEIGHTS_NO_EMB
    saved = dict(target)
    target.clear()
    target.update(weights)
    try:
        engine = StoryEngine(use_embeddings=use_emb, threshold=threshold, consolidate_threshold=2.0)
        engine.consolidation_log = []
        for i, f in enumerate(feats):
            engine.add(i, f)
    finally:
        target.clear()
        target.update(saved)

    def right_merge(a: list[int], b: list[int]) -> bool:
        """Whether most of the article pairs a merge of the two would make are pairs of one gold story."""
        ga = [gold[records[i]["docno"]][0] for i in a]
        gb = [gold[records[i]["docno"]][0] for i in b]
        same = sum(x == y for x in ga for y in gb)
        return 2 * same > len(ga) * len(gb)

    x = [[ev.get(k, 0.0) for k in CONSOLIDATE_KEYS] for ev, _, _ in engine.consolidation_log]
    y = [int(right_merge(a, b)) for _, a, b in engine.consolidation_log]
    return np.array(x), np.array(y)


def fit_consolidation(records: list[dict[str, Any]], feats: list[Features], gold: dict[str, tuple[str, str]],
                      weights: dict[str, float], threshold: float, use_emb: bool
                      ) -> tuple[dict[str, float], float, dict[float, dict[str, float]]]:
    """Logistic weights of the consolidation step on the examined story pairs, then its threshold with the best
    B-cubed F1 on the same records (2.0 = consolidation off wins)."""
    from sklearn.linear_model import LogisticRegression

    xa, ya = consolidation_pairs(records, feats, gold, weights, threshold, use_emb)
    if len(set(ya.tolist())) < 2:
        return {"bias": -30.0}, 2.0, {}
    model = LogisticRegression(C=1.0, max_iter=3000).fit(xa, ya)
    cweights = {"bias": round(float(model.intercept_[0]), 1)}
    cweights.update({k: round(float(w), 1) for k, w in zip(CONSOLIDATE_KEYS, model.coef_[0], strict=True)})
    truth = {d: s for d, (s, _) in gold.items()}
    scores = {t: bcubed(run_with(records, feats, weights, threshold, use_emb, (cweights, t)), truth)
              for t in CONSOLIDATE_THRESHOLDS}
    best = max(scores, key=lambda t: (round(scores[t]["f1"], 4), -t))
    return cweights, best, scores


def tune_baseline(records: list[dict[str, Any]], feats: list[Features], gold: dict[str, tuple[str, str]]) -> float:
    """The TF-IDF single-pass baseline's best threshold on these records."""
    truth = {d: s for d, (s, _) in gold.items()}
    return max((t / 100 for t in range(10, 70, 2)), key=lambda t: bcubed(baseline(records, feats, t), truth)["f1"])


def evaluate(which: str = "gold", embedder: str | None = "use", data: Path | None = None,
             entities: bool = True, **engine_kwargs: Any) -> dict[str, Any]:
    gold = load_gold(SETS[which])
    records = load_records(data or data_dir(), gold)
    started = time.perf_counter()
    if engine_kwargs.pop("pipeline", False):
        system = pipeline_labels(records, embedder)
        feat_s, cluster_s = time.perf_counter() - started, 0.0
    else:
        feats = featurize(records, embedder, entities)
        feat_s = time.perf_counter() - started
        started = time.perf_counter()
        system = run_engine(records, feats, **engine_kwargs)
        cluster_s = time.perf_counter() - started
    scores = bcubed(system, {d: s for d, (s, _) in gold.items()})
    return {"set": which, "embedder": embedder or "none", "articles": len(records),
            "gold_stories": len({s for s, _ in gold.values()}), "system_stories": len(set(system.values())),
            **scores, "topic_confusions": topic_confusions(system, gold),
            "feature_seconds": round(feat_s, 2), "cluster_seconds": round(cluster_s, 3)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", default="gold", choices=sorted(SETS))
    ap.add_argument("--embedder", default="use")
    ap.add_argument("--no-entities", action="store_true")
    ap.add_argument("--threshold", type=float)
    ap.add_argument("--baseline", action="store_true")
    ap.add_argument("--engine-only", action="store_true",
                    help="skip the store: features + engine directly (faster; entities unresolved)")
    ap.add_argument("--write-docs", action="store_true")
    args = ap.parse_args()
    kwargs: dict[str, Any] = {"threshold": args.threshold} if args.threshold is not None else {}
    if not args.engine_only and args.threshold is None:
        kwargs["pipeline"] = True
    rows = []
    for emb in ([args.embedder] if not args.write_docs else ["use", "none"]):
        res = evaluate(args.set, emb, entities=not args.no_entities, **kwargs)
        print(json.dumps(res, ensure_ascii=False))
        rows.append(res)
    if args.baseline or args.write_docs:
        gold = load_gold(SETS[args.set])
        records = load_records(data_dir(), gold)
        feats = featurize(records, None, entities=False)
        truth = {d: s for d, (s, _) in gold.items()}

        def tuned(which: str) -> float:
            if which == args.set:
                return tune_baseline(records, feats, gold)
            g = load_gold(SETS[which])
            recs = load_records(data_dir(), g)
            return tune_baseline(recs, featurize(recs, None, entities=False), g)

        for which in ("dev", args.set):
            t = tuned(which)
            labels = baseline(records, feats, t)
            res = bcubed(labels, truth)
            print(json.dumps({"baseline_tfidf_single_pass": res, "threshold": t, "tuned_on": which}))
            name = "the dev days (fair)" if which == "dev" else "this gold set itself (an oracle)"
            rows.append({"embedder": f"baseline: TF-IDF single pass, threshold {t} tuned on {name}", **res,
                         "topic_confusions": topic_confusions(labels, gold)})
        if args.set == "gold":
            other = {d: s for d, (s, _) in load_gold(SETS["annotator2"]).items()}
            rows.append({"embedder": "second annotator (human agreement)", **bcubed(other, truth),
                         "topic_confusions": topic_confusions(other, gold)})
    if args.write_docs:
        from bench.docs import write_section

        lines = ["| system | B³ precision | B³ recall | B³ F1 | same-topic merges |", "|---|---|---|---|---|"]
        for r in rows:
            r["embedder"] = {"use": "Marsad, USE embeddings (default)", "none": "Marsad, no embeddings"}.get(
                r["embedder"], r["embedder"])
            tc = r["topic_confusions"]
            merges = f"{tc['merged_pairs']} of {tc['same_topic_pairs']} ({tc['rate']:.1%})" if tc.get("rate") \
                is not None else "—"
            lines.append(f"| {r['embedder']} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | {merges} |")
        write_section("stories-quality", "\n".join(lines), heading=f"Story clustering quality ({args.set} set)")


if __name__ == "__main__":
    main()
