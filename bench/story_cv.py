"""Story clustering, cross-validated over the labelled stretches: is the engine better than a tuned baseline
on data that neither was fit on?

    python bench/story_cv.py [--embedder use|none] [--write-docs]

Every labelled stretch but the gate days (``story_eval.stretches()``: the development stretches and any
``ant-stories-*.tsv`` labelled since) is held out one at a time: the engine's weights and threshold are fit on
the others (``story_eval.fit_engine``, as `scripts/fit_story_weights.py` does on all of them), then the
consolidation step's weights and threshold on the same others (``story_eval.fit_consolidation``); the
TF-IDF single-pass baseline's threshold is tuned on the same others, and all run on the held-out stretch. The
gold days are scored last with everything fit on all the stretches. This is the engine-only path (features
and entities from ``enrich.analyze``, no store), a few points away from the pipeline figures of
`bench/story_eval.py`. B-cubed F1 on one or two days moves by a few points with the fate of one large story,
so the average over held-out stretches is the figure to compare systems by. Beside B-cubed: same-topic merges
(pairs of different gold stories of one topic put in one story) and the biggest gold story's cards (how many
system stories its articles end in, and the share of it the largest one holds).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "src"))

from bench.story_eval import (  # noqa: E402
    SETS,
    baseline,
    featurize,
    fit_consolidation,
    fit_engine,
    load_gold,
    load_records,
    run_with,
    topic_confusions,
    tune_baseline,
)
from marsad.config import data_dir  # noqa: E402
from marsad.stories.bcubed import bcubed  # noqa: E402


def _subset(records: list[dict[str, Any]], feats: list[Any], gold: dict[str, tuple[str, str]],
            names: set[str]) -> tuple[list[dict[str, Any]], list[Any], dict[str, tuple[str, str]]]:
    keep = [i for i, r in enumerate(records) if gold[r["docno"]][0].split(":")[0] in names]
    return [records[i] for i in keep], [feats[i] for i in keep], {records[i]["docno"]: gold[records[i]["docno"]]
                                                                  for i in keep}


def biggest_story_cards(system: dict[str, int], gold: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """How many system stories the largest gold story ends in, and the share of it the largest one holds."""
    sizes: dict[str, int] = {}
    for story, _ in gold.values():
        sizes[story] = sizes.get(story, 0) + 1
    top = max(sizes, key=lambda k: (sizes[k], k))
    cards: dict[int, int] = {}
    for doc, (story, _) in gold.items():
        if story == top:
            cards[system[doc]] = cards.get(system[doc], 0) + 1
    return {"story": top.split(":")[-1], "articles": sizes[top], "cards": len(cards),
            "largest_share": round(max(cards.values()) / sizes[top], 3)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--embedder", default="use")
    ap.add_argument("--write-docs", action="store_true")
    ap.add_argument("--held", action="append", help="only these held-out stretches (names as in the table; "
                    "repeatable), to run folds in separate processes")
    ap.add_argument("--from-json", nargs="+", type=Path, help="build the table from the JSON rows these runs "
                    "printed instead of computing")
    ap.add_argument("--seconds", type=float, help="with --from-json: the runs' total time, for the table")
    args = ap.parse_args()
    started = time.perf_counter()
    if args.from_json:
        loaded = [json.loads(line) for path in args.from_json for line in path.read_text().splitlines()
                  if line.startswith("{")]
        order = {r["held_out"]: r for r in loaded}
        _table(sorted(order.values(), key=lambda r: (r["held_out"] == "gold", r["held_out"])), args,
               args.seconds if args.seconds is not None else 0.0)
        return
    use_emb = args.embedder != "none"
    dev_gold = load_gold(SETS["dev"])
    dev_records = load_records(data_dir(), dev_gold)
    dev_feats = featurize(dev_records, args.embedder)
    names = sorted({s.split(":")[0] for s, _ in dev_gold.values()})
    gold = load_gold(SETS["gold"])
    gold_records = load_records(data_dir(), gold)
    gold_feats = featurize(gold_records, args.embedder)
    rows = []
    for held in [*names, "gold"]:
        short = held.replace("ant-stories-", "").replace("dev-", "")
        if args.held and short not in args.held:
            continue
        train = set(names) - {held}
        tr = _subset(dev_records, dev_feats, dev_gold, train)
        te = (gold_records, gold_feats, gold) if held == "gold" else _subset(dev_records, dev_feats, dev_gold, {held})
        weights, threshold, _ = fit_engine(*tr, use_emb)
        cweights, cthreshold, _ = fit_consolidation(*tr, weights, threshold, use_emb)
        truth = {d: s for d, (s, _) in te[2].items()}
        plain_labels = run_with(te[0], te[1], weights, threshold, use_emb, (cweights, 2.0))
        labels = run_with(te[0], te[1], weights, threshold, use_emb, (cweights, cthreshold))
        bt = tune_baseline(*tr)
        base_labels = baseline(te[0], te[1], bt)
        row = {"held_out": held.replace("ant-stories-", "").replace("dev-", ""), "articles": len(te[0]),
               "engine": bcubed(labels, truth), "threshold": threshold,
               "consolidation": {"weights": cweights, "threshold": cthreshold},
               "engine_without_consolidation": bcubed(plain_labels, truth),
               "baseline": bcubed(base_labels, truth), "baseline_threshold": bt,
               "same_topic": {"engine": topic_confusions(labels, te[2]),
                              "without_consolidation": topic_confusions(plain_labels, te[2]),
                              "baseline": topic_confusions(base_labels, te[2])},
               "biggest": {"engine": biggest_story_cards(labels, te[2]),
                           "without_consolidation": biggest_story_cards(plain_labels, te[2])}}
        rows.append(row)
        print(json.dumps(row), flush=True)
    _table(rows, args, time.perf_counter() - started)


def _table(rows: list[dict[str, Any]], args: argparse.Namespace, seconds: float) -> None:
    """Print (and with --write-docs, write) the table of the folds' rows (the gold row last, if any)."""
    dev_rows = [r for r in rows if r["held_out"] != "gold"]
    mean = {k: sum(r[k]["f1"] for r in dev_rows) / len(dev_rows)
            for k in ("engine", "engine_without_consolidation", "baseline")}
    wins = sum(r["engine"]["f1"] > r["baseline"]["f1"] for r in dev_rows)

    def prf(x: dict[str, float]) -> str:
        return f"{x['precision']:.3f} / {x['recall']:.3f} / **{x['f1']:.3f}**"

    def merges(st: dict[str, Any]) -> str:
        e, w, b = st["engine"], st["without_consolidation"], st["baseline"]
        return f"{e['merged_pairs']} / {w['merged_pairs']} / {b['merged_pairs']} of {e['same_topic_pairs']}"

    def cards(x: dict[str, Any]) -> str:
        return f"{x['cards']} ({x['largest_share']:.0%})"

    lines = [f"Machine: {platform.machine()}, Python {platform.python_version()}. Command: "
             f"`python bench/story_cv.py{' --embedder ' + args.embedder if args.embedder != 'use' else ''}` "
             f"({seconds:.0f} s; embeddings: {args.embedder}).", "",
             "| held out | articles | Marsad P / R / F1 (threshold; consolidation threshold) | without consolidation "
             "P / R / F1 | baseline P / R / F1 (threshold) | same-topic merges: Marsad / without / baseline | "
             "biggest gold story (articles): cards with / without (share of the largest) |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        st, bg = r["same_topic"], r["biggest"]
        lines.append(f"| {r['held_out']} | {r['articles']} | {prf(r['engine'])} ({r['threshold']}; "
                     f"{r['consolidation']['threshold']}) | {prf(r['engine_without_consolidation'])} | "
                     f"{prf(r['baseline'])} ({r['baseline_threshold']}) | {merges(st)} | {bg['engine']['story']} "
                     f"({bg['engine']['articles']}): {cards(bg['engine'])} / {cards(bg['without_consolidation'])} |")
    lines.append(f"| mean of the {len(dev_rows)} held-out stretches | | **{mean['engine']:.3f}** | "
                 f"**{mean['engine_without_consolidation']:.3f}** | **{mean['baseline']:.3f}** | | |")
    lines.append("")
    lines.append(f"Marsad is better than the baseline on {wins} of the {len(dev_rows)} held-out stretches.")
    table = "\n".join(lines)
    print(table)
    if args.write_docs:
        from bench.docs import write_section

        write_section(f"stories-cv-{args.embedder}", table,
                      heading=f"Story clustering, cross-validated (embeddings: {args.embedder})")


if __name__ == "__main__":
    main()
