"""The neural Arabic NER tagger: a BiLSTM-CRF run with onnxruntime, trained by ``scripts/train_ner_neural.py``.

Per token the network reads: the pretrained word vector (Word2Vec of the ANT news, pruned, float16) of
the word and of its most frequent clitic-stripped reading (``Gazetteer.segment``), the stripped proclitic,
the characters of the word (a char CNN), the word's PPMI cluster ids, and binary facts (shape, stopword,
``ال``, gazetteer types of the word and of its stripped readings, multi-word gazetteer B/I marks). A
BiLSTM gives emission scores; a CRF transition matrix trained with it is decoded here (Viterbi, and
forward-backward for each span's marginal score) in numpy. ``encode_sentence`` is the one feature
function: training calls it too.

Files in ``marsad/data`` (all written by the training script): ``ner-net.onnx`` (the network),
``ner-net.json`` (labels, transitions, char and prefix vocabularies), ``ner-net-words.txt.gz`` and
``ner-net-vectors.npy`` (the word vectors, row i for line i), and the CRF tagger's gazetteer
``ner-gazetteer.tsv.gz`` (names and clusters), and with ``crf_weight`` the CRF ``ner-crf.model``. Loaded once
per process by ``selected_tagger`` with ``MARSAD_NER=neural`` (the CRF is the default).
"""

from __future__ import annotations

import gzip
import io
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Any

import numpy as np

from marsad.config import ner_tagger_name
from marsad.enrich.ner import (
    _LIGHT,
    DOC_PASS_IN_ENTITIES,
    DOC_PROPAGATE,
    STOPWORDS,
    EntitySpan,
    EntityTagger,
    Gazetteer,
    NerTagger,
    _gaz_feats,
    _sentences,
    _shape,
    _text_tokens,
    bio_spans,
    default_tagger,
    harmonize,
    sentence_features,
    strip_clitic,
)
from marsad.errors import ConfigError
from marsad.text.normalize import MATCH

__all__ = [
    "BINARY_FEATURES",
    "MAX_CHARS",
    "NetVocab",
    "NeuralNerTagger",
    "SentenceInputs",
    "encode_sentence",
    "forward_backward",
    "selected_tagger",
    "viterbi",
]

ONNX_NAME = "ner-net.onnx"
CONFIG_NAME = "ner-net.json"
WORDS_NAME = "ner-net-words.txt.gz"
VECTORS_NAME = "ner-net-vectors.npy"

MAX_CHARS = 16  # characters of a word the char CNN reads (the first 8 and the last 8 of longer words)
SHAPES = ("empty", "num", "mixed", "ar", "LAT", "lat", "punct")
GAZ_TYPES = ("PERS", "LOC", "ORG")
# The binary inputs, in this order: shape one-hot, stopword, al, gazetteer types (word, clitic-stripped
# readings), multi-word gazetteer marks, BOS, EOS.
BINARY_FEATURES: tuple[str, ...] = (
    *(f"sh={s}" for s in SHAPES),
    "stop",
    "al",
    *(f"g={t}" for t in GAZ_TYPES),
    *(f"sg={t}" for t in GAZ_TYPES),
    *(f"gp=B-{t}" for t in GAZ_TYPES),
    *(f"gp=I-{t}" for t in GAZ_TYPES),
    "BOS",
    "EOS",
)
_BIN = {f: i for i, f in enumerate(BINARY_FEATURES)}
N_CLUSTER_LEVELS = 3


@dataclass(frozen=True)
class NetVocab:
    """The lookup tables of the network's inputs (index 0 = unknown or padding everywhere)."""

    words: dict[str, int]  # match-normalized word -> row of the vector table (0: unknown)
    chars: dict[str, int]  # character -> id (0: padding, 1: unknown)
    prefixes: dict[str, int]  # stripped proclitic -> id (0: none, 1: unknown)
    cluster_sizes: tuple[int, ...]  # ids per cluster level (+1 for "none", id 0)

    @classmethod
    def from_config(cls, words: Sequence[str], config: dict[str, Any]) -> NetVocab:
        return cls(
            {w: i for i, w in enumerate(words) if i > 0},
            {c: i for i, c in enumerate(config["chars"]) if i > 1},
            {p: i for i, p in enumerate(config["prefixes"]) if i > 1},
            tuple(config["cluster_sizes"]),
        )


@dataclass
class SentenceInputs:
    """The network's inputs for one sentence of ``n`` tokens (a batch of one)."""

    word: np.ndarray  # (n,) int64 rows of the vector table
    seg: np.ndarray  # (n,) int64 rows: the clitic-stripped reading
    prefix: np.ndarray  # (n,) int64
    chars: np.ndarray  # (n, MAX_CHARS) int64
    clusters: np.ndarray  # (n, N_CLUSTER_LEVELS) int64
    binary: np.ndarray  # (n, len(BINARY_FEATURES)) float32


class _TokenCode:
    __slots__ = ("bits", "chars", "clusters", "key", "norm", "prefix", "seg", "shape", "word")

    def __init__(self, surface: str, gaz: Gazetteer, vocab: NetVocab) -> None:
        self.norm = norm = MATCH(surface)
        self.shape = shape = _shape(surface)
        seg = gaz.segment(norm) if shape == "ar" else (norm if norm in gaz.rank else None)
        self.key = key = seg or norm
        self.word = vocab.words.get(norm, 0)
        self.seg = vocab.words.get(key, 0)
        pre = norm[: len(norm) - len(key)] if key != norm and norm.endswith(key) else ""
        self.prefix = vocab.prefixes.get(pre, 1) if pre else 0
        light = _LIGHT(surface)
        if len(light) > MAX_CHARS:
            light = light[: MAX_CHARS // 2] + light[-MAX_CHARS // 2 :]
        chars = vocab.chars
        self.chars = [chars.get(c, 1) for c in light] + [0] * (MAX_CHARS - len(light))
        clus = gaz.clusters.get(seg, ()) if seg is not None else ()
        self.clusters = [
            (int(c) + 1 if c != "-" and int(c) + 1 < size else 0) if k < len(clus) else 0
            for k, (c, size) in enumerate(zip((*clus, *["-"] * N_CLUSTER_LEVELS), vocab.cluster_sizes, strict=False))
        ]
        bits = [_BIN["sh=" + shape]]
        strip = strip_clitic(norm)
        if norm in STOPWORDS:
            bits.append(_BIN["stop"])
        if norm.startswith("ال") or (strip != norm and "ال" in norm[:4]):
            bits.append(_BIN["al"])
        if shape == "ar":
            for g in _gaz_feats(norm, gaz):
                b = _BIN.get(("sg=" + g[1:]) if g.startswith("s") else ("g=" + g))
                if b is not None:
                    bits.append(b)
        self.bits = bits


class SentenceEncoder:
    """Turns tokens into network inputs; keeps one code per word type (the tagger's word cache)."""

    def __init__(self, gaz: Gazetteer, vocab: NetVocab, cache_size: int = 50_000) -> None:
        self.gaz = gaz
        self.vocab = vocab
        self._cache: dict[str, _TokenCode] = {}
        self._cache_size = cache_size

    def code(self, surface: str) -> _TokenCode:
        c = self._cache.get(surface)
        if c is None:
            if len(self._cache) >= self._cache_size:
                self._cache.clear()
            c = self._cache[surface] = _TokenCode(surface, self.gaz, self.vocab)
        return c

    def encode(self, words: Sequence[str]) -> SentenceInputs:
        return encode_sentence(words, self)


def encode_sentence(words: Sequence[str], enc: SentenceEncoder) -> SentenceInputs:
    """The network's inputs for one tokenized sentence (ANERcorp tokens: clitics attached)."""
    codes = [enc.code(w) for w in words]
    n = len(codes)
    binary = np.zeros((n, len(BINARY_FEATURES)), dtype=np.float32)
    for i, c in enumerate(codes):
        binary[i, c.bits] = 1.0
    if n:
        binary[0, _BIN["BOS"]] = 1.0
        binary[n - 1, _BIN["EOS"]] = 1.0
    phrases = enc.gaz.phrase_tags([c.norm for c in codes]) if enc.gaz.phrases else []
    for i, marks in enumerate(phrases):
        for m in marks:
            b = _BIN.get("gp=" + m)
            if b is not None:
                binary[i, b] = 1.0
    return SentenceInputs(
        word=np.fromiter((c.word for c in codes), dtype=np.int64, count=n),
        seg=np.fromiter((c.seg for c in codes), dtype=np.int64, count=n),
        prefix=np.fromiter((c.prefix for c in codes), dtype=np.int64, count=n),
        chars=np.array([c.chars for c in codes], dtype=np.int64).reshape(n, MAX_CHARS),
        clusters=np.array([c.clusters for c in codes], dtype=np.int64).reshape(n, N_CLUSTER_LEVELS),
        binary=binary,
    )


# ---------------------------------------------------------------------------------------------
# CRF decoding in numpy
# ---------------------------------------------------------------------------------------------


def viterbi(emissions: np.ndarray, trans: np.ndarray, start: np.ndarray, end: np.ndarray) -> list[int]:
    """The best label sequence of a linear-chain CRF: ``emissions`` (n, L), ``trans[i, j]`` the score of
    label i followed by j, ``start``/``end`` the scores of the first and last label."""
    n = len(emissions)
    if n == 0:
        return []
    score = start + emissions[0]
    back = np.zeros((n, len(start)), dtype=np.int64)
    for t in range(1, n):
        cand = score[:, None] + trans
        back[t] = cand.argmax(0)
        score = cand.max(0) + emissions[t]
    best = [int((score + end).argmax())]
    for t in range(n - 1, 0, -1):
        best.append(int(back[t, best[-1]]))
    return best[::-1]


def forward_backward(emissions: np.ndarray, trans: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Per-token label marginals (n, L) of a linear-chain CRF (scaled forward-backward in probability space)."""
    n = len(emissions)
    e = np.exp(emissions - emissions.max(axis=1, keepdims=True))
    t_max = trans.max()
    tr = np.exp(trans - t_max)
    alpha = np.empty_like(e)
    beta = np.empty_like(e)
    a = np.exp(start - start.max()) * e[0]
    alpha[0] = a / a.sum()
    for t in range(1, n):
        a = (alpha[t - 1] @ tr) * e[t]
        alpha[t] = a / a.sum()
    b = np.exp(end - end.max())
    beta[n - 1] = b / b.sum()
    for t in range(n - 2, -1, -1):
        b = tr @ (e[t + 1] * beta[t + 1])
        beta[t] = b / b.sum()
    m = alpha * beta
    return m / m.sum(axis=1, keepdims=True)


# ---------------------------------------------------------------------------------------------
# The network
# ---------------------------------------------------------------------------------------------


class NeuralNet:
    """The ONNX network with its vectors and CRF parameters; ``scores(inputs)`` -> emissions (n, L)."""

    def __init__(self, onnx: bytes, config: dict[str, Any], words: list[str], vectors: np.ndarray, source: str) -> None:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        try:
            self.session = ort.InferenceSession(onnx, sess_options=opts, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own exception types
            raise ConfigError(f"cannot load the NER network {source}: {exc}") from exc
        self.config = config
        self.labels: tuple[str, ...] = tuple(config["labels"])
        self.trans = np.asarray(config["transitions"], dtype=np.float64)
        self.start = np.asarray(config["start"], dtype=np.float64)
        self.end = np.asarray(config["end"], dtype=np.float64)
        self.vectors = vectors
        self.vocab = NetVocab.from_config(words, config)
        self.source = source
        self._lock = threading.Lock()

    def emissions(self, x: SentenceInputs) -> np.ndarray:
        vec = self.vectors
        feed = {
            "wvec": vec[x.word][None].astype(np.float32),
            "svec": vec[x.seg][None].astype(np.float32),
            "prefix": x.prefix[None],
            "chars": x.chars[None],
            "clusters": x.clusters[None],
            "binary": x.binary[None],
        }
        (out,) = self.session.run(["emissions"], feed)
        return np.asarray(out[0], dtype=np.float64)

    def decode(self, em: np.ndarray) -> list[str]:
        return [self.labels[i] for i in viterbi(em, self.trans, self.start, self.end)]

    def marginals(self, em: np.ndarray) -> np.ndarray:
        return forward_backward(em, self.trans, self.start, self.end)

    @classmethod
    def load_dir(cls, root: Traversable | Path) -> NeuralNet:
        """Read the four network files from a folder (or the package's data folder)."""
        files = {n: root / n for n in (ONNX_NAME, CONFIG_NAME, WORDS_NAME, VECTORS_NAME)}
        missing = [n for n, f in files.items() if not f.is_file()]
        if missing:
            raise ConfigError(
                f"NER network files missing in {root}: {', '.join(missing)} "
                "(build them with `python scripts/train_ner_neural.py`)"
            )
        try:
            config = json.loads(files[CONFIG_NAME].read_text(encoding="utf-8"))
            with gzip.open(io.BytesIO(files[WORDS_NAME].read_bytes()), "rt", encoding="utf-8") as fh:
                words = fh.read().split("\n")
            vectors = np.load(io.BytesIO(files[VECTORS_NAME].read_bytes()), allow_pickle=False)
        except (OSError, ValueError, EOFError, UnicodeDecodeError, KeyError) as exc:
            raise ConfigError(f"cannot load the NER network in {root}: {exc}") from exc
        if len(words) != len(vectors):
            raise ConfigError(f"NER network in {root}: {len(words)} words but {len(vectors)} vectors")
        return cls(files[ONNX_NAME].read_bytes(), config, words, vectors, str(files[ONNX_NAME]))

    @classmethod
    def bundled(cls) -> NeuralNet:
        return cls.load_dir(resources.files("marsad") / "data")


# ---------------------------------------------------------------------------------------------
# The tagger (the same interface as the CRF's ``NerTagger``)
# ---------------------------------------------------------------------------------------------


# Proclitics (preposition, conjunction) that end a person's name when a gazetteer name follows them.
_NAME_BREAKERS = frozenset({"ب", "ل", "ك", "و", "ف", "وب", "ول", "فب", "فل"})


def bio_constraints(labels: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Transition and start scores that forbid invalid BIO sequences (``O`` -> ``I-X``, ``B-X`` -> ``I-Y``):
    0 where allowed, -1e9 where not."""
    n = len(labels)
    trans = np.zeros((n, n))
    start = np.zeros(n)
    for j, b in enumerate(labels):
        if b.startswith("I-"):
            start[j] = -1e9
            for i, a in enumerate(labels):
                if a == "O" or a[2:] != b[2:]:
                    trans[i, j] = -1e9
    return trans, start


class NeuralNerTagger:
    """The BiLSTM-CRF network and its gazetteer: ``entities``, ``tag_tokens``, ``tag_document`` as
    ``NerTagger``. Thread-safe (onnxruntime sessions are; the word cache is a plain dict).

    With ``crf`` and ``crf_weight`` > 0 the per-token label marginals of the network and of the CRF are
    mixed (``crf_weight`` on the CRF's) and the labels decoded from the mixture under BIO constraints
    (Viterbi over the log marginals): a two-model ensemble, the weight chosen on the dev split."""

    def __init__(
        self, net: NeuralNet, gazetteer: Gazetteer, crf: NerTagger | None = None, crf_weight: float = 0.0
    ) -> None:
        self.net = net
        self.gazetteer = gazetteer
        self.source = net.source
        self.labels = net.labels
        self.encoder = SentenceEncoder(gazetteer, net.vocab)
        self.crf = crf if crf_weight > 0 else None
        self.crf_weight = crf_weight if crf is not None else 0.0
        self._bio_trans, self._bio_start = bio_constraints(self.labels)
        self._no_end = np.zeros(len(self.labels))

    def _crf_marginals(self, words: Sequence[str]) -> np.ndarray:
        crf = self.crf
        assert crf is not None
        tagger = crf._tagger()
        tagger.set(sentence_features(words, crf.gazetteer))
        marginal = tagger.marginal
        crf_labels = set(crf.labels)
        out = np.zeros((len(words), len(self.labels)))
        for j, lab in enumerate(self.labels):
            if lab in crf_labels:
                out[:, j] = [marginal(lab, i) for i in range(len(words))]
        return out

    def _tag(self, words: Sequence[str]) -> tuple[list[str], np.ndarray | None, np.ndarray]:
        """Labels of one sentence, the mixed marginals (when mixing, else None) and the emissions."""
        em = self._emissions(words)
        if self.crf is None:
            return self._split_glued(words, self.net.decode(em)), None, em
        w = self.crf_weight
        mix = (1 - w) * self.net.marginals(em) + w * self._crf_marginals(words)
        path = viterbi(np.log(mix + 1e-12), self._bio_trans, self._bio_start, self._no_end)
        return self._split_glued(words, [self.labels[i] for i in path]), mix, em

    def _split_glued(self, words: Sequence[str], labels: list[str]) -> list[str]:
        """A person's name does not go on through a preposition or conjunction (heuristic): an ``I-PERS``
        word that is a proclitic (ب ل ك و ف, وب ول فب فل) on a gazetteer person name, and no name as
        written, starts a new person (``كيم ببوتين`` -> ``كيم`` + ``ببوتين``). On ANERcorp TRAIN gold
        such words are I-PERS once and B-PERS 148 times."""
        gaz = self.gazetteer
        for i, lab in enumerate(labels):
            if lab == "I-PERS":
                c = self.encoder.code(words[i])
                pre = c.norm[: len(c.norm) - len(c.key)] if c.key != c.norm else ""
                if pre in _NAME_BREAKERS and "PERS" in gaz.word_types(c.key) and not gaz.word_types(c.norm):
                    labels[i] = "B-PERS"
        return labels

    @classmethod
    def load(cls, path: str | Path | None = None) -> NeuralNerTagger:
        """The network in folder ``path`` (default: the one bundled in ``marsad/data``) with the
        gazetteer ``ner-gazetteer.tsv.gz`` found beside it."""
        from marsad.enrich.ner import GAZETTEER_NAME, MODEL_NAME, NerTagger

        root: Traversable | Path = resources.files("marsad") / "data" if path is None else Path(path)
        net = NeuralNet.load_dir(root)
        weight = float(net.config.get("crf_weight", 0.0))
        if weight > 0:  # the CRF's gazetteer is restricted to its attributes: the network reads it all the same
            crf = NerTagger.load(None) if path is None else NerTagger.load(Path(path) / MODEL_NAME)
            return cls(net, crf.gazetteer, crf, weight)
        gaz_file = root / GAZETTEER_NAME
        if not gaz_file.is_file():
            raise ConfigError(f"NER gazetteer not found: {gaz_file} (build it with `python scripts/train_ner.py`)")
        try:
            gaz = Gazetteer.read(gaz_file.read_bytes())
        except (OSError, ValueError, EOFError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot load the NER gazetteer {gaz_file}: {exc}") from exc
        return cls(net, gaz)

    def _emissions(self, words: Sequence[str]) -> np.ndarray:
        return self.net.emissions(self.encoder.encode(words))

    def tag_tokens(self, tokens: list[str]) -> list[str]:
        """BIO labels of one sentence given as tokens (ANERcorp tokenization)."""
        if not tokens:
            return []
        return self._tag(tokens)[0]

    def tag_document(self, sentences: Sequence[list[str]]) -> list[list[str]]:
        """BIO labels of a document's sentences, then made consistent per name (``harmonize``)."""
        tags = [self.tag_tokens(s) for s in sentences]
        code = self.encoder.code
        keys = [[code(w).key for w in s] for s in sentences]
        return harmonize(keys, tags, propagate=DOC_PROPAGATE)

    def entities(self, text: str) -> list[EntitySpan]:
        """Named entities of ``text`` with character offsets, as ``NerTagger.entities``: Latin-script
        sentences skipped, whole tokens (clitics attached); ``score`` is the smallest per-token CRF
        marginal of the span's labels."""
        code = self.encoder.code
        net = self.net
        label_ids = {lab: i for i, lab in enumerate(net.labels)}
        sents: list[list[tuple[str, int, int]]] = []
        tags: list[list[str]] = []
        ems: list[np.ndarray] = []
        mixes: list[np.ndarray | None] = []
        for sent in _sentences(_text_tokens(text, lambda w: code(w).norm)):
            shapes = [code(s).shape for s, _, _ in sent]
            n_ar = shapes.count("ar")
            if n_ar == 0 or n_ar < shapes.count("lat") + shapes.count("LAT"):
                continue  # trained on Arabic news text only: Latin-script sentences are left alone
            labels, mix, em = self._tag([s for s, _, _ in sent])
            sents.append(sent)
            ems.append(em)
            mixes.append(mix)
            tags.append(labels)
        if DOC_PASS_IN_ENTITIES:
            keys = [[code(s).key for s, _, _ in sent] for sent in sents]
            final = harmonize(keys, tags, propagate=DOC_PROPAGATE)
        else:
            final = tags
        out: list[EntitySpan] = []
        for sent, em, mix, labels in zip(sents, ems, mixes, final, strict=True):
            spans = bio_spans(labels)
            if not spans:
                continue
            marg = net.marginals(em) if mix is None else mix
            for typ, a, b in spans:
                start, end = sent[a][1], sent[b - 1][2]
                prob = min(float(marg[i, label_ids[labels[i]]]) for i in range(a, b))
                out.append(EntitySpan(text[start:end], typ, start, end, round(prob, 4)))
        return out


_NEURAL: NeuralNerTagger | None = None
_NEURAL_LOCK = threading.Lock()


def selected_tagger() -> EntityTagger:
    """The tagger the pipeline uses, loaded once per process: the CRF (``marsad.enrich.ner.default_tagger``),
    or with ``MARSAD_NER=neural`` (``marsad.config.ner_tagger_name``) the neural tagger mixed with it.

    The neural tagger scores higher on ANERcorp (held out 0.756 vs 0.734) but is not the default: with it the
    name-variant merge rate (tests/quality/test_name_variants.py, 0.933 / 0.931) and the related-articles
    precision (tests/quality/test_related_quality.py, 0.606) fall under their floors (docs/benchmarks.md)."""
    global _NEURAL
    if ner_tagger_name() != "neural":
        return default_tagger()
    if _NEURAL is None:
        with _NEURAL_LOCK:
            if _NEURAL is None:
                _NEURAL = NeuralNerTagger.load()
    return _NEURAL
