"""Story summaries on 20 gold stories of the ANT corpus (rules: tests/quality/gold/README-summaries.md; reproduce
the figures with `python bench/summary_eval.py`): what a program can measure has a floor, and the judgements
made by reading stay attached to the summaries they judged."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from bench.summary_eval import evaluate

pytestmark = pytest.mark.quality

JUDGED = Path(__file__).parent / "gold" / "summaries-judged.tsv"
# measured: mean outlet coverage 0.963, lowest 0.5, largest pairwise similarity 0.326; 17 judged redundant pairs
MEAN_COVERAGE_FLOOR = 0.9
MIN_COVERAGE_FLOOR = 0.5
PAIR_SIMILARITY_CEILING = 0.35
JUDGED_REDUNDANT_CEILING = 20          # of 200 pairs
STILL_AS_JUDGED_FLOOR = 18             # summaries unchanged since they were judged (of 20)


@pytest.fixture(scope="module")
def measured(data: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    return evaluate(data)


def _judged() -> dict[str, dict[str, str]]:
    with JUDGED.open(encoding="utf-8") as fh:
        return {r["story"]: r for r in csv.DictReader(fh, delimiter="\t")}


Measured = tuple[list[dict[str, Any]], dict[str, Any]]


def test_every_summary_has_three_to_five_linked_sentences(measured: Measured) -> None:
    rows, total = measured
    assert total["stories"] == 20
    assert total["sentences_3_to_5"] == 20, [(r["story"], r["sentences"]) for r in rows]
    assert total["all_linked"]


def test_outlet_coverage_and_lexical_redundancy(measured: tuple[list[dict[str, Any]], dict[str, Any]]) -> None:
    rows, total = measured
    assert total["mean_coverage"] >= MEAN_COVERAGE_FLOOR, total
    assert total["min_coverage"] >= MIN_COVERAGE_FLOOR, [(r["story"], r["coverage"]) for r in rows]
    assert total["max_pair_similarity"] < PAIR_SIMILARITY_CEILING, total


def test_judgements_cover_the_twenty_stories_and_still_describe_the_summaries(
        measured: tuple[list[dict[str, Any]], dict[str, Any]]) -> None:
    rows, _ = measured
    judged = _judged()
    assert sorted(judged) == sorted(r["story"] for r in rows)
    same = [r["story"] for r in rows if judged[r["story"]]["picked"].split() == r["picked"]]
    assert len(same) >= STILL_AS_JUDGED_FLOOR, (
        "the summaries changed since they were judged: write them out with `python bench/summary_eval.py --dump "
        f"FILE.md`, judge them again by the rules and update {JUDGED.name}; unchanged: {same}")


def test_judged_redundancy_off_story_and_main_event() -> None:
    judged = _judged().values()
    pairs = [p for r in judged for p in r["redundant_pairs"].split()]
    assert len(pairs) <= JUDGED_REDUNDANT_CEILING
    assert all(r["main_event"] == "yes" for r in judged)
    assert sum(len(r["off_story"].split()) for r in judged) <= 3
    for r in judged:                   # pairs and positions refer to picked sentences
        n = len(r["picked"].split())
        for pair in r["redundant_pairs"].split():
            i, j = map(int, pair.split("-"))
            assert 1 <= i < j <= n, (r["story"], pair)
        for column in ("off_story", "background", "dangling"):
            assert all(1 <= int(p) <= n for p in r[column].split()), (r["story"], column)
