"""Near-duplicate precision/recall on the pair sets of ``bench/neardup_pairs.py``.

    python bench/neardup_eval.py [--synthetic 300] [--write-docs]

Pairs: real SaudiNewsNet pairs labelled by reading (tests/quality/gold/README-neardup.md), seeded
synthetic edits of SaudiNewsNet articles (republisher edits = duplicates; a changed number, negation or
name = not), and ANS headline pairs (agree and disagree are both not copies). The decision is the
stream's own (``marsad.stories.dedupe.near_duplicate_pair``: LSH candidate, thresholds, changed-fact
guard), with entities from ``enrich.analyze`` as the pipeline has them; the word-3-gram Jaccard >= 0.5
baseline is printed beside it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.neardup_pairs import Pair, all_pairs, evaluate, jaccard3_baseline  # noqa: E402
from marsad.config import data_dir  # noqa: E402
from marsad.enrich.analyze import analyze  # noqa: E402
from marsad.stories.dedupe import near_duplicate_pair  # noqa: E402


def marsad_is_dup(pair: Pair) -> bool:
    """The pipeline's near-duplicate decision for a pair (entities from enrichment)."""
    ma = analyze(pair.a.text, pair.a.title).entities
    mb = analyze(pair.b.text, pair.b.title).entities
    return near_duplicate_pair(pair.a.title, pair.a.text, pair.b.title, pair.b.text, mentions_a=ma, mentions_b=mb)[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--synthetic", type=int, default=300)
    ap.add_argument("--write-docs", action="store_true")
    args = ap.parse_args()
    pairs = all_pairs(data_dir(), n=args.synthetic)
    started = time.perf_counter()
    ours = evaluate(pairs, marsad_is_dup)
    seconds = time.perf_counter() - started
    base = evaluate(pairs, jaccard3_baseline(0.5))
    print(json.dumps({"marsad": ours["overall"], "baseline_jaccard3_0.5": base["overall"],
                      "seconds": round(seconds, 1)}, ensure_ascii=False))
    rows = ["| pairs | n (dup/not) | Marsad P | Marsad R | Marsad F1 | Marsad false-dup rate | baseline F1 | "
            "baseline false-dup rate |", "|---|---|---|---|---|---|---|---|"]
    saudi = [p for p in pairs if p.kind.startswith("saudi")]
    held = [p for i, p in enumerate(saudi) if i % 2 == 1]       # the odd-numbered real pairs: not tuned on
    ours["per_kind"]["saudi-real, held out (odd rows)"] = evaluate(held, marsad_is_dup)["overall"]
    base["per_kind"]["saudi-real, held out (odd rows)"] = evaluate(held, jaccard3_baseline(0.5))["overall"]
    ours["per_kind"]["saudi-real, all"] = evaluate(saudi, marsad_is_dup)["overall"]
    base["per_kind"]["saudi-real, all"] = evaluate(saudi, jaccard3_baseline(0.5))["overall"]
    groups = {"all": ours["overall"]} | ours["per_kind"]
    base_groups = {"all": base["overall"]} | base["per_kind"]

    def f(x: float | None) -> str:
        return "—" if x is None else f"{x:.3f}"

    for kind, r in groups.items():
        b = base_groups[kind]
        pos, neg = r["tp"] + r["fn"], r["fp"] + r["tn"]
        rows.append(f"| {kind} | {pos}/{neg} | {f(r['precision'])} | {f(r['recall'])} | {f(r['f1'])} | "
                    f"{f(r['fpr'])} | {f(b['f1'])} | {f(b['fpr'])} |")
    print("\n".join(rows))
    if args.write_docs:
        from bench.docs import write_section

        write_section("neardup-quality", "\n".join(rows), heading="Near-duplicate quality (SaudiNewsNet + ANS pairs)")


if __name__ == "__main__":
    main()
