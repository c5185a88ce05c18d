"""Near-duplicate evaluation pairs (bench/neardup_pairs.py): the builders, the gold file and the harness."""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from bench.neardup_pairs import (
    ANS_KINDS,
    GOLD_TSV,
    NEGATIVE_KINDS,
    POSITIVE_KINDS,
    SAUDI_KINDS,
    Doc,
    Pair,
    all_pairs,
    ans_pairs,
    edit_cut,
    edit_fact_name,
    edit_fact_negation,
    edit_fact_number,
    evaluate,
    jaccard3_baseline,
    read_gold,
    saudi_gold_pairs,
    synthetic_pairs,
)

TEXT = (
    "أعلنت وزارة الصحة في الرياض اليوم أنه تم افتتاح 15 مركزاً صحياً جديداً في المنطقة. "
    "وقال المتحدث الرسمي إن المراكز ستخدم أكثر من 200 ألف نسمة. "
    "وأضاف أن الوزارة ستفتتح مراكز أخرى في جدة خلال العام المقبل.\n"
    "يذكر أن الوزارة كانت قد أعلنت خطة لتطوير الرعاية الأولية."
)


def doc(text: str = TEXT, title: str = "افتتاح 15 مركزاً صحياً في الرياض", ref: str = "r") -> Doc:
    return Doc(title=title, text=text, source="alriyadh", date="2015-08-01T10:00:00", ref=ref)


# --- no data needed ---------------------------------------------------------------------------------------------


def test_gold_tsv_format() -> None:
    """The gold file: the agreed header, dup/not labels, a note on every row, no pair twice."""
    header = GOLD_TSV.read_text(encoding="utf-8").splitlines()[0]
    assert header == "url_a\turl_b\tlabel\tnote"
    rows = read_gold()
    assert len(rows) >= 150
    assert all(r["note"].strip() for r in rows)
    keys = [frozenset((r["url_a"], r["url_b"])) for r in rows]
    assert len(set(keys)) == len(keys)
    assert all(r["url_a"] != r["url_b"] for r in rows)
    labels = Counter(r["label"] for r in rows)
    assert labels["dup"] >= 50 and labels["not"] >= 50, labels


def test_evaluate_counts_on_a_hand_made_list() -> None:
    """tp/fp/fn/tn, precision, recall, F1 and FPR overall and per kind on six pairs."""
    d = doc()
    pairs = [
        Pair(d, d, True, "x"),    # guessed dup  -> tp
        Pair(d, d, True, "x"),    # guessed not  -> fn
        Pair(d, d, False, "x"),   # guessed dup  -> fp
        Pair(d, d, False, "y"),   # guessed not  -> tn
        Pair(d, d, False, "y"),   # guessed not  -> tn
        Pair(d, d, True, "y"),    # guessed dup  -> tp
    ]
    guesses = iter([True, False, True, False, False, True])
    result = evaluate(pairs, lambda _p: next(guesses))
    x, y, overall = result["per_kind"]["x"], result["per_kind"]["y"], result["overall"]
    assert (x["tp"], x["fp"], x["fn"], x["tn"], x["n"]) == (1, 1, 1, 0, 3)
    assert x["precision"] == 0.5 and x["recall"] == 0.5 and x["f1"] == 0.5 and x["fpr"] == 1.0
    assert (y["tp"], y["fp"], y["fn"], y["tn"]) == (1, 0, 0, 2)
    assert y["precision"] == 1.0 and y["recall"] == 1.0 and y["f1"] == 1.0 and y["fpr"] == 0.0
    assert (overall["tp"], overall["fp"], overall["fn"], overall["tn"], overall["n"]) == (2, 1, 1, 2, 6)
    assert overall["precision"] == pytest.approx(2 / 3)
    assert overall["recall"] == pytest.approx(2 / 3)
    assert overall["f1"] == pytest.approx(2 / 3)
    assert overall["fpr"] == pytest.approx(1 / 3)


def test_evaluate_leaves_undefined_rates_as_none() -> None:
    """No predicted positives: precision None; no positives: recall None; no negatives: FPR None."""
    d = doc()
    only_negatives = evaluate([Pair(d, d, False, "n")], lambda _p: False)["overall"]
    assert only_negatives["precision"] is None and only_negatives["recall"] is None
    assert only_negatives["f1"] is None and only_negatives["fpr"] == 0.0
    only_positives = evaluate([Pair(d, d, True, "p")], lambda _p: False)["overall"]
    assert only_positives["precision"] is None and only_positives["recall"] == 0.0
    assert only_positives["f1"] == 0.0 and only_positives["fpr"] is None
    assert evaluate([], lambda _p: True) == {"overall": evaluate([], lambda _p: True)["overall"], "per_kind": {}}


def test_fact_edits_change_one_fact() -> None:
    """Number, negation and name edits change the text in the intended way and nothing else much."""
    for seed in range(20):
        rng = random.Random(seed)
        num = edit_fact_number(doc(), rng)
        assert num is not None
        assert set(re.findall(r"\d+", num.text)) != set(re.findall(r"\d+", TEXT))
        assert len(num.text.split()) == len(TEXT.split())
        neg = edit_fact_negation(doc(), rng)
        assert neg is not None
        assert len(re.findall(r"(?<!\w)(?:لم|لن|لا)(?!\w)", neg.text)) > len(
            re.findall(r"(?<!\w)(?:لم|لن|لا)(?!\w)", TEXT))
        name = edit_fact_name(doc(), rng)
        assert name is not None and name.text != TEXT
    assert edit_fact_number(doc("لا رقم في هذا النص سوى عام 2015 وهو سنة"), random.Random(1)) is None


def test_cut_keeps_most_of_the_text() -> None:
    """The cut drops the last paragraph when it is 10-40% of the words."""
    cut = edit_cut(doc(), random.Random(0))
    assert cut is not None and TEXT.startswith(cut.text) and len(cut.text) < len(TEXT)


# --- real data ----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pairs(data: Path) -> list[Pair]:
    """Every pair with the default settings."""
    return all_pairs(data)


@pytest.mark.slow
def test_synthetic_pairs_are_deterministic(data: Path) -> None:
    """Same seed, same pairs; another seed, other pairs."""
    first = synthetic_pairs(data, n=90, seed=7)
    assert first == synthetic_pairs(data, n=90, seed=7)
    assert first != synthetic_pairs(data, n=90, seed=8)
    assert len(first) == 90


@pytest.mark.slow
def test_every_kind_is_present(pairs: list[Pair]) -> None:
    """Real, synthetic and ANS kinds all have pairs."""
    kinds = Counter(p.kind for p in pairs)
    for kind in (*SAUDI_KINDS, *POSITIVE_KINDS, *NEGATIVE_KINDS, *ANS_KINDS):
        assert kinds[kind] > 0, f"no pairs of kind {kind}: {sorted(kinds.items())}"


def test_labels_are_balanced_enough(pairs: list[Pair]) -> None:
    """Positives and negatives both well represented where both exist; counts are reported on failure."""
    by_kind: dict[str, Counter[bool]] = {}
    for p in pairs:
        by_kind.setdefault(p.kind, Counter())[p.label] += 1
    report = {k: (c[True], c[False]) for k, c in sorted(by_kind.items())}
    print("pairs per kind (dup, not):", report)
    synthetic = [p for p in pairs if p.kind.startswith("syn-")]
    share = sum(p.label for p in synthetic) / len(synthetic)
    assert 0.45 <= share <= 0.55, report
    real = [p for p in pairs if p.kind.startswith("saudi-")]
    share = sum(p.label for p in real) / len(real)
    assert 0.3 <= share <= 0.7, report
    assert all(not p.label for p in pairs if p.kind.startswith("ans-")), report
    assert all(c[True] == 0 or c[False] == 0 for k, c in by_kind.items() if k.startswith("syn-")), report


def test_gold_loads_every_url(data: Path) -> None:
    """Every url of the gold file is in the data; pairs are cross-outlet and at most three calendar days apart."""
    rows = read_gold()
    gold = saudi_gold_pairs(data)
    assert len(gold) == len(rows)
    for row, pair in zip(rows, gold, strict=True):
        assert (pair.a.ref, pair.b.ref) == (row["url_a"], row["url_b"])
        assert pair.label == (row["label"] == "dup")
        assert pair.a.text and pair.b.text and pair.a.source != pair.b.source
        assert pair.a.date and pair.b.date
        days = datetime.fromisoformat(pair.a.date).date() - datetime.fromisoformat(pair.b.date).date()
        assert abs(days.days) <= 3  # calendar days of extraction, as the candidates were mined


@pytest.mark.slow
def test_synthetic_pairs_are_well_formed(data: Path) -> None:
    """Source articles have at least 80 words; an edited copy differs from its source and names another outlet."""
    for p in synthetic_pairs(data):
        assert len(p.a.text.split()) >= 80
        assert p.a.text != p.b.text
        if p.kind == "syn-same-source-day":
            assert p.a.source == p.b.source and p.a.ref != p.b.ref
        else:
            assert p.a.source != p.b.source and p.b.ref.startswith(p.a.ref + "#")


def test_ans_pairs(data: Path) -> None:
    """ANS dev: agree and disagree rows become negatives; 'other' rows are left out."""
    ans = ans_pairs(data, "dev")
    kinds = Counter(p.kind for p in ans)
    assert set(kinds) == {"ans-agree", "ans-disagree"}
    assert all(p.a.title == "" and p.a.text and p.b.text and not p.label for p in ans)
    with pytest.raises(ValueError, match="split"):
        ans_pairs(data, "test")


def test_baseline_exercises_the_harness(pairs: list[Pair]) -> None:
    """The word-3-gram Jaccard baseline scores every pair."""
    result = evaluate(pairs, jaccard3_baseline())
    assert result["overall"]["n"] == len(pairs)
    assert set(result["per_kind"]) == {p.kind for p in pairs}
