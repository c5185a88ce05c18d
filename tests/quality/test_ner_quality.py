"""NER quality gate: both bundled taggers scored on the ANERcorp sentences they never saw.

The split is the training scripts' (scripts/train_ner.py, scripts/train_ner_neural.py): sentences cut at "."
tokens, the last 10% held out (a contiguous block of whole articles). Entity level, exact span and type
(conlleval). "sentence": each sentence tagged alone; "document": documents of 10 consecutive sentences with a
name's type made consistent per document and untagged mentions of a tagged name tagged (``harmonize``, what
``tag_document`` does; the pipeline's ``entities`` leaves it off, see ``DOC_PASS_IN_ENTITIES``).

  * ``crf`` (the default tagger): 0.7343 (P 0.8115 / R 0.6705), document 0.7482 (ner-crf-metrics.json);
  * ``neural`` (``MARSAD_NER=neural``: a BiLSTM-CRF whose marginals are mixed half and half with the CRF's, the
    weight chosen on dev): 0.7564 (P 0.8257 / R 0.6979), document 0.7600 (ner-metrics.json).

Overall floors sit 0.01 under the measured figures, per-type floors 0.02 (one MISC entity of 103 moves its F1 by
~0.01). Runs in ~10 s. Retraining rewrites the model files and the metrics JSON: update the figures here.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from marsad.enrich.ner import EntityTagger, NerTagger
from marsad.enrich.ner_net import NeuralNerTagger
from marsad.train.conll import Sentence, read_conll, split_heldout, split_sentences
from marsad.train.ner import DOC_SENTENCES, score_tagger
from tests.conftest import need_file

pytestmark = pytest.mark.quality

# tagger -> (sentence F1, document F1, per-type sentence F1, its metrics file)
MEASURED = {
    "crf": (0.7343, 0.7482, {"PERS": 0.7621, "LOC": 0.8571, "ORG": 0.6287, "MISC": 0.5101}, "ner-crf-metrics.json"),
    "neural": (0.7564, 0.7600, {"PERS": 0.8007, "LOC": 0.8566, "ORG": 0.6596, "MISC": 0.5200}, "ner-metrics.json"),
}
TAGGERS = sorted(MEASURED)
TYPES = ("PERS", "LOC", "ORG", "MISC")


@pytest.fixture(scope="module")
def heldout(data: Path) -> list[Sentence]:
    corpus = need_file(data / "anercorp-train.conll", "ANERcorp (anercorp-train.conll)")
    sents = split_sentences(read_conll(corpus))
    _, held = split_heldout(sents)
    # the split the models were measured on (and never trained on)
    assert len(sents) == 4162 and len(held) == 416 and sum(map(len, held)) == 12201
    return held


@pytest.fixture(scope="module", params=TAGGERS)
def tagged(request: pytest.FixtureRequest, heldout: list[Sentence]) -> tuple[str, dict, dict]:
    """(tagger name, sentence scores, document scores)."""
    tagger: EntityTagger = NerTagger.load() if request.param == "crf" else NeuralNerTagger.load()
    return (
        request.param,
        score_tagger(tagger, heldout),
        score_tagger(tagger, heldout, doc_sentences=DOC_SENTENCES),
    )


def test_overall_f1_floor(tagged: tuple[str, dict, dict]) -> None:
    name, scores, _ = tagged
    assert scores["overall"]["gold"] == 950
    assert scores["overall"]["f1"] >= MEASURED[name][0] - 0.01, (name, scores["overall"])


@pytest.mark.parametrize("typ", TYPES)
def test_per_type_f1_floor(tagged: tuple[str, dict, dict], typ: str) -> None:
    name, scores, _ = tagged
    assert scores[typ]["f1"] >= MEASURED[name][2][typ] - 0.02, (name, scores[typ])


def test_document_level_f1_floor(tagged: tuple[str, dict, dict]) -> None:
    name, _, doc_scores = tagged
    assert doc_scores["overall"]["gold"] == 950
    assert doc_scores["overall"]["f1"] >= MEASURED[name][1] - 0.01, (name, doc_scores["overall"])


def test_bundled_metrics_match_the_bundled_models(tagged: tuple[str, dict, dict]) -> None:
    name, scores, _ = tagged
    sentence_f1, doc_f1, type_f1, file = MEASURED[name]
    metrics = json.loads((resources.files("marsad") / "data" / file).read_text(encoding="utf-8"))
    assert metrics["heldout"]["overall"]["f1"] == pytest.approx(scores["overall"]["f1"], abs=0.002)
    assert metrics["heldout"]["overall"]["f1"] == pytest.approx(sentence_f1, abs=0.002)
    assert metrics["heldout_documents"]["scores"]["overall"]["f1"] >= doc_f1 - 0.01
    for typ, f1 in type_f1.items():
        assert metrics["heldout"][typ]["f1"] == pytest.approx(f1, abs=0.002)
    credits = metrics["credits"]
    assert "ANERcorp" in credits and "ANETAC" in credits and "ArabNamer" in credits
    if name == "neural":  # what ships with the network: SaudiNewsNet (CC BY-NC-SA) must not
        assert "ANT corpus" in credits and "SaudiNewsNet" not in credits
