"""Story summaries on 20 hand-labelled gold stories of the ANT corpus: the measures a program can take, and the
summaries written out for a person to judge (rules: tests/quality/gold/README-summaries.md).

    python bench/summary_eval.py                     # the table of automatic measures
    python bench/summary_eval.py --dump FILE.md      # also every summary with its sentences, to judge by reading

The 20 stories: the gold stories of 8-9 May 2018 (tests/quality/gold/ant-stories-2018-05-08_09.tsv) with at
least three articles from at least two outlets, largest first (ties by slug). Each story's articles go to
``marsad.stories.summary.summarize`` as the store would hand them (id, url, source, title, text, published_at);
gold stories, not the system's clusters, so the summary is judged apart from clustering.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "src"))

from bench.story_eval import SETS, load_gold, load_records  # noqa: E402
from marsad.config import data_dir  # noqa: E402
from marsad.stories.summary import StorySummary, sentence_similarity, summarize  # noqa: E402

STORIES = 20
MIN_ARTICLES = 3
MIN_OUTLETS = 2


def gold_stories(data: Path | None = None) -> list[tuple[str, list[dict[str, Any]]]]:
    """(slug, articles) of the judged gold stories; an article's ``id`` is its 1-based line in time order and
    ``docno`` is kept."""
    gold = load_gold(SETS["gold"])
    records = load_records(data or data_dir(), gold)
    by_story: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for i, r in enumerate(records, 1):
        by_story[gold[r["docno"]][0].split(":", 1)[1]].append(
            {"id": i, "docno": r["docno"], "url": r["url"], "source": r["source"], "title": r["title"],
             "text": r.get("text") or "", "published_at": r["published_at"]})
    chosen = [(slug, arts) for slug, arts in by_story.items()
              if len(arts) >= MIN_ARTICLES and len({a["source"] for a in arts}) >= MIN_OUTLETS]
    chosen.sort(key=lambda kv: (-len(kv[1]), kv[0]))
    return chosen[:STORIES]


def measures(articles: list[dict[str, Any]], result: StorySummary, *, cap: int = 5) -> dict[str, Any]:
    """What a program can judge of one summary: size, outlet coverage, similarity of picked pairs, links."""
    outlets = {a["source"] for a in articles}
    picked = result.summary
    shown = {s.source for s in picked}
    sims = [sentence_similarity(a.text, b.text) for i, a in enumerate(picked) for b in picked[i + 1:]]
    by_id = {a["id"]: a for a in articles}
    linked = all(s.article_id in by_id and s.text in by_id[s.article_id]["text"]
                 and s.url == by_id[s.article_id]["url"] for s in picked + result.whats_new)
    return {"articles": len(articles), "outlets": len(outlets), "sentences": len(picked),
            "outlets_shown": len(shown), "coverage": round(len(shown) / min(len(outlets), cap), 3),
            "max_pair_similarity": round(max(sims, default=0.0), 3), "linked": linked,
            "whats_new": len(result.whats_new)}


def evaluate(data: Path | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Per-story measures and their summary over the 20 stories."""
    rows = []
    for slug, arts in gold_stories(data):
        result = summarize(arts)
        rows.append({"story": slug, **measures(arts, result),
                     "picked": [f"{next(a['docno'] for a in arts if a['id'] == s.article_id)}#{s.position}"
                                for s in result.summary]})
    total = {"stories": len(rows),
             "sentences_3_to_5": sum(3 <= r["sentences"] <= 5 for r in rows),
             "mean_coverage": round(statistics.mean(r["coverage"] for r in rows), 3),
             "min_coverage": min(r["coverage"] for r in rows),
             "max_pair_similarity": max(r["max_pair_similarity"] for r in rows),
             "all_linked": all(r["linked"] for r in rows)}
    return rows, total


def dump(path: Path, data: Path | None = None) -> None:
    """Every judged story with its summary and what's new, as Markdown to read."""
    lines = ["# Summaries of the 20 judged gold stories (bench/summary_eval.py --dump)", ""]
    for slug, arts in gold_stories(data):
        result = summarize(arts)
        docno = {a["id"]: a["docno"] for a in arts}
        outlets = sorted({a["source"] for a in arts})
        lines += [f"## {slug}", "", f"{len(arts)} articles from {', '.join(outlets)}", "", "Summary:", ""]
        lines += [f"{i}. [{docno[s.article_id]}#{s.position}, {s.source}] {s.text}"
                  for i, s in enumerate(result.summary, 1)]
        lines += ["", "What's new:", ""]
        new = [f"- [{docno[s.article_id]}#{s.position}, {s.source}] {s.text}" for s in result.whats_new]
        lines += new or ["- (none)"]
        lines += [""]
    path.write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    """Print the table (and write the dump when asked)."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dump", type=Path, help="write every summary to this Markdown file, to judge by reading")
    args = ap.parse_args()
    rows, total = evaluate()
    print(f"{'story':<40} {'arts':>4} {'outl':>4} {'sent':>4} {'shown':>5} {'cover':>6} {'maxsim':>6} {'new':>4}")
    for r in rows:
        print(f"{r['story']:<40} {r['articles']:>4} {r['outlets']:>4} {r['sentences']:>4} {r['outlets_shown']:>5} "
              f"{r['coverage']:>6.2f} {r['max_pair_similarity']:>6.3f} {r['whats_new']:>4}")
    print(json.dumps(total))
    if args.dump:
        dump(args.dump)


if __name__ == "__main__":
    main()
