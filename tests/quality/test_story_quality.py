"""Quality gates for stories and near-duplicates on real data, with floors a little under the measured figures
(docs/benchmarks.md; reproduce with `python bench/story_eval.py` and `python bench/neardup_eval.py`).

Stories: the 485 ANT articles of 8-9 May 2018, labelled by hand (tests/quality/gold/README.md), ingested
through the real pipeline (enrichment, entity resolution, near-duplicates, story engine with USE
embeddings). The engine's weights were fit on five other labelled stretches (1,298 articles); these gold days
were never tuned on.
Near-duplicates: SaudiNewsNet pairs labelled by reading, seeded synthetic edits and ANS headline pairs
(tests/quality/gold/README-neardup.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.neardup_pairs import all_pairs, evaluate
from bench.story_eval import (
    GOLD,
    SETS,
    featurize,
    load_gold,
    load_records,
    pipeline_labels,
    run_engine,
    topic_confusions,
)

from marsad.stories.bcubed import bcubed

pytestmark = pytest.mark.quality

# measured 0.894 B-cubed F1 (P 0.930, R 0.862), same-topic merges 4.0% (docs/benchmarks.md)
STORY_F1_FLOOR = 0.87
STORY_PRECISION_FLOOR = 0.91
SAME_TOPIC_MERGE_CEILING = 0.06
# The stretches labelled for issue 16, never fit on by the shipped weights (those were fit on the five development
# stretches): engine-only path (bench/story_embedders.py, USE). Measured F1 0.826 (P 0.843) and 0.821 (P 0.816);
# the two annotators of 14-16 May agree at 0.947.
HELD_OUT_FLOORS = {"2018-04-13_15": 0.80, "2018-05-14_16": 0.80}
HELD_OUT_PRECISION_FLOOR = 0.79


@pytest.fixture(scope="module")
def gold_days(data: Path) -> tuple[dict[str, tuple[str, str]], list[dict]]:
    gold = load_gold(SETS["gold"])
    return gold, load_records(data, gold)


def test_stories_on_hand_labelled_days(gold_days: tuple[dict[str, tuple[str, str]], list[dict]],
                                       tmp_path: Path) -> None:
    gold, records = gold_days
    system = pipeline_labels(records, "use", workers=2, tmp=tmp_path)
    assert len(system) == len(records) == 485            # every input ended in a story (copies included)
    scores = bcubed(system, {d: s for d, (s, _) in gold.items()})
    assert scores["f1"] >= STORY_F1_FLOOR, scores
    assert scores["precision"] >= STORY_PRECISION_FLOOR, scores
    assert topic_confusions(system, gold)["rate"] <= SAME_TOPIC_MERGE_CEILING


def test_the_two_annotators_agree_well_above_the_system() -> None:
    """The ceiling of the task: a second annotator labelled the same days independently."""
    one = {d: s for d, (s, _) in load_gold(SETS["gold"]).items()}
    two = {d: s for d, (s, _) in load_gold(SETS["annotator2"]).items()}
    assert set(one) == set(two)
    assert bcubed(two, one)["f1"] >= 0.95


@pytest.mark.parametrize("stretch", sorted(HELD_OUT_FLOORS))
def test_stories_on_held_out_stretches(data: Path, stretch: str) -> None:
    """Three-day stretches chosen for their big developing events (the strikes on Syria; the embassy opening and
    the Gaza border killings), scored with the shipped weights, which never saw them."""
    gold = load_gold(GOLD / f"ant-stories-{stretch}.tsv")
    records = load_records(data, gold)
    system = run_engine(records, featurize(records, "use"))
    scores = bcubed(system, {d: s for d, (s, _) in gold.items()})
    assert scores["f1"] >= HELD_OUT_FLOORS[stretch], scores
    assert scores["precision"] >= HELD_OUT_PRECISION_FLOOR, scores


def test_the_two_annotators_of_14_16_may_agree() -> None:
    one = {d: s for d, (s, _) in load_gold(GOLD / "ant-stories-2018-05-14_16.tsv").items()}
    two = {d: s for d, (s, _) in load_gold(GOLD / "ant-stories-2018-05-14_16.annotator2.tsv").items()}
    assert set(one) == set(two) and len(one) == 560
    assert bcubed(two, one)["f1"] >= 0.94


@pytest.fixture(scope="module")
def pairs(data: Path) -> list:
    return all_pairs(data, n=300)


def test_near_duplicates_on_real_synthetic_and_ans_pairs(pairs: list) -> None:
    from bench.neardup_eval import marsad_is_dup

    result = evaluate(pairs, marsad_is_dup)
    overall, kinds = result["overall"], result["per_kind"]
    # measured: all pairs P 0.885 R 0.939 F1 0.912; real SaudiNewsNet pairs P 0.922 R 0.856
    assert overall["f1"] >= 0.89, overall
    real = evaluate([p for p in pairs if p.kind.startswith("saudi")], marsad_is_dup)["overall"]
    assert real["precision"] >= 0.88 and real["recall"] >= 0.82, real
    # a changed number or negation is never a duplicate; ANS "disagree" headlines (a changed fact) almost never
    assert kinds["syn-fact-number"]["fp"] == 0 and kinds["syn-fact-negation"]["fp"] == 0
    assert kinds["ans-disagree"]["fpr"] <= 0.01 and kinds["ans-agree"]["fpr"] <= 0.01
    for kind in ("syn-boilerplate", "syn-lead", "syn-spelling", "syn-cut"):
        assert kinds[kind]["recall"] >= 0.95, (kind, kinds[kind])
