"""Keyphrase quality gate: exact-match P/R/F1 at 5 and 10 on all 100 AKEC training documents.

Figures and their meaning: ``python bench/keyphrase_eval.py`` (in-sample) and ``--fit`` (5-fold
cross-validation, same to three decimals). Measured exact F1@5 = 0.1008, F1@10 = 0.1609 with the
bundled ANT table (0.0993 / 0.1544 without it); floors sit 0.01 under the measurement.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.keyphrase_eval import evaluate, load_akec

from marsad.enrich import keyphrases as kp
from tests.conftest import need_file

pytestmark = pytest.mark.quality

FLOORS = {"exact@5": 0.090, "exact@10": 0.150}


@pytest.fixture(scope="module")
def scores(data: Path) -> dict[str, dict[str, float]]:
    root = data / "akec-train"
    need_file(root / "keyphrases" / "sort_frequency.txt", "AKEC crowd keyphrases")
    need_file(root / "documents", "AKEC documents")
    docs = load_akec(root)
    assert len(docs) == 100
    kp.set_df_table(None)
    return evaluate(docs)


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_exact_f1_floor(scores: dict[str, dict[str, float]], name: str) -> None:
    assert scores[name]["F1"] >= FLOORS[name], f"{name} F1 {scores[name]['F1']:.4f} < {FLOORS[name]}"


def test_precision_at_ten(scores: dict[str, dict[str, float]]) -> None:
    assert scores["exact@10"]["P"] >= 0.55          # measured 0.576: most returned phrases are crowd phrases
    assert scores["partial@10"]["P"] >= 0.83        # measured 0.853
