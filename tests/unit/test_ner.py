"""The Arabic NER taggers (marsad.enrich.ner, the CRF; marsad.enrich.ner_net, the neural default): API,
offsets, the seed page, CRF decoding in numpy, the entity scorer."""

from __future__ import annotations

import dataclasses
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from marsad.config import ner_tagger_name
from marsad.enrich.ner import (
    EntitySpan,
    EntityTagger,
    NerTagger,
    bio_spans,
    default_tagger,
    harmonize,
    model_attributes,
    sentence_features,
    strip_clitic,
)
from marsad.enrich.ner_net import NeuralNerTagger, forward_backward, selected_tagger, viterbi
from marsad.errors import ConfigError
from marsad.text.normalize import MATCH
from marsad.train.conll import split_heldout, split_sentences
from marsad.train.metrics import entity_prf


@pytest.fixture(scope="module")
def crf() -> NerTagger:
    return NerTagger.load()


@pytest.fixture(scope="module")
def neural() -> NeuralNerTagger:
    return NeuralNerTagger.load()


@pytest.fixture(scope="module", params=["crf", "neural"])
def tagger(request: pytest.FixtureRequest) -> EntityTagger:
    """Both bundled taggers: the CRF (the default) and the neural one (``MARSAD_NER=neural``)."""
    return NerTagger.load() if request.param == "crf" else NeuralNerTagger.load()


@pytest.fixture(scope="module")
def seed_entities(seed_path: Path, tagger: EntityTagger) -> tuple[str, list[EntitySpan]]:
    text = seed_path.read_text(encoding="utf-8")
    return text, tagger.entities(text)


# --- the seed page ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("names", "types"),
    [
        (("كيم جونج أون",), {"PERS"}),
        (("بوتين", "فلاديمير بوتين"), {"PERS"}),
        (("روسيا",), {"LOC"}),
        (("كوريا الشمالية",), {"LOC"}),
        (("الكرملين",), {"ORG", "LOC"}),  # ANERcorp tags the Kremlin ORG (6 of 6 times); either is accepted
        (("ديمتري بيسكوف",), {"PERS"}),
    ],
)
def test_seed_page_entities(
    seed_entities: tuple[str, list[EntitySpan]], names: tuple[str, ...], types: set[str]
) -> None:
    _, spans = seed_entities
    found = {(s.text, s.type) for s in spans}
    assert any((name, t) in found for name in names for t in types), (names, sorted(found))


def test_seed_page_offsets_and_scores(seed_entities: tuple[str, list[EntitySpan]]) -> None:
    text, spans = seed_entities
    assert len(spans) > 20
    last_end = -1
    for s in spans:
        assert text[s.start : s.end] == s.text
        assert s.type in {"PERS", "LOC", "ORG", "MISC"}
        assert 0.0 <= s.score <= 1.0
        assert s.start >= last_end  # sorted, non-overlapping
        assert s.text == s.text.strip() and s.text
        last_end = s.end


def test_clitics_stay_attached_as_in_anercorp(tagger: EntityTagger) -> None:
    # ANERcorp tags the whole token (وروسيا B-LOC): the span is the token as written.
    text = "وقال المتحدث إن وروسيا والصين تعارضان القرار ."
    spans = tagger.entities(text)
    for s in spans:
        assert text[s.start : s.end] == s.text
    assert any(MATCH(s.text) == MATCH("وروسيا") and s.type == "LOC" for s in spans), spans
    assert strip_clitic(MATCH("وروسيا")) == "روسيا"


# --- robustness ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n  ",
        "Russian President Vladimir Putin met North Korean leader Kim Jong Un at the Vostochny cosmodrome.",
        "!!! ... ،،، 2025 - 13:57",
        "بوتين",
        "كيم" * 500,
        "والتقى كيم ببوتين في منطقة آمور (Amur) بشرق روسيا يوم 13/9/2023.",
    ],
)
def test_entities_never_crash(tagger: NerTagger, text: str) -> None:
    spans = tagger.entities(text)
    for s in spans:
        assert text[s.start : s.end] == s.text


def test_latin_only_text_gives_no_entities(tagger: EntityTagger) -> None:
    assert tagger.entities("Putin met Kim Jong Un in Russia on Wednesday.") == []


def test_tag_tokens(tagger: EntityTagger) -> None:
    tokens = "التقى الرئيس الروسي فلاديمير بوتين في موسكو .".split()
    tags = tagger.tag_tokens(tokens)
    assert len(tags) == len(tokens)
    assert all(t == "O" or t[:2] in ("B-", "I-") for t in tags)
    assert tags[3:5] == ["B-PERS", "I-PERS"]
    assert tags[6] == "B-LOC"
    assert tagger.tag_tokens([]) == []


def test_entity_span_is_frozen() -> None:
    span = EntitySpan("روسيا", "LOC", 0, 5, 0.9)
    with pytest.raises(dataclasses.FrozenInstanceError):
        span.type = "ORG"  # type: ignore[misc]


def test_default_tagger_is_cached() -> None:
    assert default_tagger() is default_tagger()


def test_load_missing_model_is_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        NerTagger.load(tmp_path / "nothing.model")
    with pytest.raises(ConfigError):
        NerTagger.load(tmp_path)


def test_the_default_tagger_is_the_crf_and_marsad_ner_picks(monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(default_tagger(), NerTagger)
    monkeypatch.delenv("MARSAD_NER", raising=False)
    assert selected_tagger() is default_tagger()
    monkeypatch.setenv("MARSAD_NER", "neural")
    assert ner_tagger_name() == "neural"
    assert isinstance(selected_tagger(), NeuralNerTagger) and selected_tagger() is selected_tagger()
    monkeypatch.setenv("MARSAD_NER", "bert")
    with pytest.raises(ConfigError, match="MARSAD_NER"):
        ner_tagger_name()
    monkeypatch.delenv("MARSAD_NER")
    assert ner_tagger_name() == "crf"


def test_the_neural_tagger_mixes_the_crf_and_splits_glued_names(neural: NeuralNerTagger) -> None:
    assert neural.crf is not None and neural.crf_weight == 0.5
    # "Kim [met] with Putin": the proclitic ب before a known person name ends the first name
    tags = neural.tag_tokens("والتقى كيم ببوتين في موسكو .".split())
    assert tags[1:3] == ["B-PERS", "B-PERS"], tags


def test_load_missing_network_is_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="missing"):
        NeuralNerTagger.load(tmp_path)


def test_load_broken_network_is_config_error(tmp_path: Path, neural: NeuralNerTagger) -> None:
    data = Path(neural.source).parent
    for f in ("ner-net.json", "ner-net-words.txt.gz", "ner-net-vectors.npy", "ner-gazetteer.tsv.gz"):
        (tmp_path / f).write_bytes((data / f).read_bytes())
    (tmp_path / "ner-net.onnx").write_bytes(b"not a network")
    with pytest.raises(ConfigError, match="cannot load"):
        NeuralNerTagger.load(tmp_path)


def test_load_broken_model_is_config_error(tmp_path: Path, crf: NerTagger) -> None:
    bundled = crf
    assert bundled.labels and "O" in bundled.labels
    (tmp_path / "ner-crf.model").write_bytes(b"not a model")
    gaz = Path(bundled.source).with_name("ner-gazetteer.tsv.gz")
    (tmp_path / "ner-gazetteer.tsv.gz").write_bytes(gaz.read_bytes())
    with pytest.raises(ConfigError):
        NerTagger.load(tmp_path)


# --- attributes the model knows --------------------------------------------------------------


def test_model_attributes_read_from_the_model_file(crf: NerTagger) -> None:
    known = model_attributes(Path(crf.source).read_bytes())
    assert known is not None and "bias" in known and "BOS" in known
    assert 10_000 < len(known) < 1_000_000
    assert model_attributes(b"not a model") is None
    assert model_attributes(b"lCRF" + b"\0" * 40) is None


def test_known_attributes_only_change_nothing(crf: NerTagger) -> None:
    tagger = crf
    # crfsuite ignores attributes it does not know: tags and marginals are the same without them
    words = "وقال الرئيس الروسي فلاديمير بوتين في موسكو إن كيم جونج أون سيزور روسيا قريبا .".split()
    gaz = tagger.gazetteer
    assert gaz.known is not None
    restricted = sentence_features(words, gaz)
    gaz.restrict(None)
    try:
        full = sentence_features(words, gaz)
    finally:
        gaz.restrict(model_attributes(Path(tagger.source).read_bytes()))
    assert sum(map(len, restricted)) < sum(map(len, full))
    crf = tagger._tagger()
    assert crf.tag(restricted) == crf.tag(full)
    p_restricted = [crf.marginal(t, i) for i, t in enumerate(crf.tag(restricted))]
    p_full = [crf.marginal(t, i) for i, t in enumerate(crf.tag(full))]
    assert p_restricted == pytest.approx(p_full, abs=1e-9)


# --- document-level consistency --------------------------------------------------------------


def test_harmonize_gives_a_name_its_majority_type() -> None:
    keys = [["قال", "جوزيه", "ان"], ["جوزيه", "مدرب"], ["ورفض", "جوزيه"], ["البنك", "التجاري"]]
    tags = [["O", "B-PERS", "O"], ["B-ORG", "O"], ["O", "B-PERS"], ["B-ORG", "I-ORG"]]
    out = harmonize(keys, tags)
    assert out == [["O", "B-PERS", "O"], ["B-PERS", "O"], ["O", "B-PERS"], ["B-ORG", "I-ORG"]]
    assert tags[1] == ["B-ORG", "O"]  # the input is left as it was


def test_harmonize_leaves_ties_and_single_mentions() -> None:
    keys = [["سول"], ["سول"], ["ليون"]]
    tags = [["B-LOC"], ["B-ORG"], ["B-ORG"]]
    assert harmonize(keys, tags) == [["B-LOC"], ["B-ORG"], ["B-ORG"]]


def test_harmonize_propagates_a_tagged_name_to_untagged_mentions() -> None:
    keys = [["البنك", "التجاري", "الدولي"], ["وقال", "البنك", "التجاري", "ان"], ["في", "البنك", "المركزي"]]
    tags = [["B-ORG", "I-ORG", "O"], ["O", "O", "O", "O"], ["O", "O", "O"]]
    assert harmonize(keys, tags) == tags  # off by default
    out = harmonize(keys, tags, propagate=True)
    assert out[1] == ["O", "B-ORG", "I-ORG", "O"]
    assert out[2] == ["O", "O", "O"]  # "البنك" alone was never tagged: not a name here
    # a stopword is never propagated, whatever it was tagged
    assert harmonize([["في"], ["في"]], [["B-LOC"], ["O"]], propagate=True) == [["B-LOC"], ["O"]]


def test_entities_are_consistent_across_a_text(tagger: EntityTagger) -> None:
    text = "وصل جوزيه إلى القاهرة أمس .\nوقال جوزيه إن الفريق جاهز .\nوأضاف جوزيه أن المباراة صعبة ."
    spans = [s for s in tagger.entities(text) if MATCH(s.text).endswith("جوزيه")]
    assert len({s.type for s in spans}) <= 1, spans
    for s in spans:
        assert text[s.start : s.end] == s.text and 0.0 < s.score <= 1.0


# --- the scorer and the split ----------------------------------------------------------------


def test_bio_spans_conlleval_rules() -> None:
    assert bio_spans(["B-PERS", "I-PERS", "O", "B-LOC"]) == [("PERS", 0, 2), ("LOC", 3, 4)]
    assert bio_spans(["O", "I-ORG", "I-ORG"]) == [("ORG", 1, 3)]  # I- after O opens a chunk
    assert bio_spans(["B-PERS", "I-LOC"]) == [("PERS", 0, 1), ("LOC", 1, 2)]  # type change splits
    assert bio_spans(["B-LOC", "B-LOC"]) == [("LOC", 0, 1), ("LOC", 1, 2)]
    assert bio_spans([]) == []


def test_entity_prf_hand_made() -> None:
    gold = ["B-PERS", "I-PERS", "O", "B-LOC", "O", "B-ORG", "I-ORG", "O"]
    pred = ["B-PERS", "I-PERS", "O", "B-ORG", "O", "B-ORG", "O", "B-MISC"]
    s = entity_prf(gold, pred)
    # gold: PERS(0,2) LOC(3,4) ORG(5,7); pred: PERS(0,2) ORG(3,4) ORG(5,6) MISC(7,8): 1 correct
    assert s["overall"]["correct"] == 1 and s["overall"]["gold"] == 3 and s["overall"]["pred"] == 4
    assert s["overall"]["precision"] == 0.25
    assert s["overall"]["recall"] == pytest.approx(1 / 3, abs=1e-4)
    assert s["overall"]["f1"] == pytest.approx(2 * 0.25 * (1 / 3) / (0.25 + 1 / 3), abs=1e-4)
    assert s["PERS"]["f1"] == 1.0
    assert s["LOC"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "gold": 1, "pred": 0, "correct": 0}
    assert s["ORG"]["pred"] == 2 and s["ORG"]["correct"] == 0
    assert s["MISC"]["gold"] == 0 and s["MISC"]["pred"] == 1
    assert list(s) == ["overall", "PERS", "LOC", "ORG", "MISC"]


def test_entity_prf_perfect_empty_and_sentences() -> None:
    tags = ["B-LOC", "I-LOC", "O"]
    assert entity_prf(tags, tags)["overall"]["f1"] == 1.0
    assert entity_prf(["O", "O"], ["O", "O"])["overall"] == {
        "precision": 0.0, "recall": 0.0, "f1": 0.0, "gold": 0, "pred": 0, "correct": 0,
    }  # fmt: skip
    # per-sentence input: chunks never run across sentence boundaries
    s = entity_prf([["B-PERS"], ["I-PERS"]], [["B-PERS"], ["I-PERS"]])
    assert s["overall"]["gold"] == 2 and s["overall"]["f1"] == 1.0
    with pytest.raises(ValueError):
        entity_prf(["O"], ["O", "O"])
    with pytest.raises(ValueError):
        entity_prf([["O"]], [["O"], ["O"]])


def test_split_is_deterministic_and_disjoint() -> None:
    tokens = [(w, "O") for w in "a b . c . d e f . g . h . i . j . k . l . m . n".split()]
    sents = split_sentences(tokens)
    assert [len(s) for s in sents] == [3, 2, 4, 2, 2, 2, 2, 2, 2, 2, 1]
    train, held = split_heldout(sents)
    assert train + held == sents and len(held) == 1 and held[0] == [("n", "O")]
    assert split_heldout(sents) == (train, held)


# --- CRF decoding of the neural tagger (numpy) -----------------------------------------------


def _all_paths(n: int, n_labels: int) -> list[tuple[int, ...]]:
    paths: list[tuple[int, ...]] = [()]
    for _ in range(n):
        paths = [(*p, k) for p in paths for k in range(n_labels)]
    return paths


def _path_score(p: tuple[int, ...], em: np.ndarray, trans: np.ndarray, start: np.ndarray, end: np.ndarray) -> float:
    steps = sum(trans[a, b] for a, b in pairwise(p))
    return float(start[p[0]] + end[p[-1]] + sum(em[i, k] for i, k in enumerate(p)) + steps)


@pytest.mark.parametrize("seed", range(5))
def test_viterbi_and_marginals_match_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, n_labels = 4, 3
    em, trans = rng.normal(size=(n, n_labels)), rng.normal(size=(n_labels, n_labels))
    start, end = rng.normal(size=n_labels), rng.normal(size=n_labels)
    paths = _all_paths(n, n_labels)
    scores = np.array([_path_score(p, em, trans, start, end) for p in paths])
    assert tuple(viterbi(em, trans, start, end)) == paths[int(scores.argmax())]
    probs = np.exp(scores - scores.max())
    probs /= probs.sum()
    want = np.zeros((n, n_labels))
    for p, pr in zip(paths, probs, strict=True):
        for i, k in enumerate(p):
            want[i, k] += pr
    got = forward_backward(em, trans, start, end)
    assert got == pytest.approx(want, abs=1e-9)
    assert viterbi(em[:0], trans, start, end) == []


def test_neural_spans_score_is_a_marginal(neural: NeuralNerTagger) -> None:
    text = "التقى الرئيس الروسي فلاديمير بوتين في موسكو الزعيم الكوري كيم جونج أون ."
    spans = neural.entities(text)
    assert {(s.text, s.type) for s in spans} >= {("فلاديمير بوتين", "PERS"), ("موسكو", "LOC")}
    assert all(0.3 < s.score <= 1.0 for s in spans)
