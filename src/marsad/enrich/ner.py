"""Arabic named-entity tagging: the shared parts (spans, gazetteer, document pass) and the CRF tagger.

The default tagger (``default_tagger``) is the CRF below (python-crfsuite, ``scripts/train_ner.py``, which
also builds the gazetteer). ``marsad.enrich.ner_net`` holds the neural one (a BiLSTM-CRF run with onnxruntime,
``scripts/train_ner_neural.py``, mixed with this CRF; it reads the gazetteer, the tokenization and the document
pass defined here) and ``selected_tagger``, what the pipeline uses: this CRF, or the neural tagger with
``MARSAD_NER=neural``.

``scripts/train_ner.py`` builds the two files shipped in ``marsad/data``: ``ner-crf.model`` (the CRF)
and ``ner-gazetteer.tsv.gz`` (the lexicon its features read: match-normalized names -> types, and
distributional word clusters). Credits: ANERcorp (Benajiba et al., CC BY-SA 4.0, CAMeL Lab split)
for the labels; ANETAC (Hadj Ameur et al.) and ArabNamer (CC BY 4.0) for the names; the ANT corpus
(Chouigui et al.) for the clusters. The CRF's held-out scores are in ``marsad/data/ner-crf-metrics.json``.

Clitics follow the training data: ANERcorp keeps proclitics attached and tags the whole token
(``وروسيا`` B-LOC, ``لبوتين`` B-PERS), so a span covers whole tokens as written: ``وبوتين`` tagged as
a person gives the span ``وبوتين``, never ``بوتين``. Callers that need a key strip clitics themselves;
``Gazetteer.segment`` (``default_tagger().gazetteer.segment(MATCH(word))``) gives the most frequent
known reading of a word (``ببوتين`` -> ``بوتين``, but ``بغداد`` stays ``بغداد``).

Types are ANERcorp's: PERS, LOC, ORG, MISC. ANERcorp tags the Kremlin (الكرملين) as ORG.

Only what tagging needs lives here (features, the gazetteer, the tagger, loaded once per process);
reading ANERcorp, the held-out split and the entity scorer are in ``marsad.train``.

``entities`` runs ``marsad.text.tokenize`` (words and numbers with offsets) and adds back each
punctuation character between tokens as a token (ANERcorp has punctuation tokens), cuts the stream
into sentences at . ? ؟ ! and line breaks, and tags sentence by sentence. ``tag_document`` then runs
``harmonize`` (a heuristic, measured on ANERcorp), which makes a name's type consistent across the text and
tags untagged mentions of a name tagged elsewhere in it; ``entities`` does so only with
``DOC_PASS_IN_ENTITIES`` (off: see there). ``NerTagger`` restricts the features of the gazetteer it is
given to the attributes its model knows (``Gazetteer.restrict``): build training features from a
gazetteer no tagger holds.
"""

from __future__ import annotations

import gzip
import io
import re
import struct
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import islice
from pathlib import Path
from typing import Protocol

import pycrfsuite

from marsad.errors import ConfigError
from marsad.text.clitics import NER_PREFIXES
from marsad.text.normalize import MATCH, Profile, remove_diacritics, remove_tatweel, unicode_nfc
from marsad.text.stem import stem_word
from marsad.text.tokenize import TOKEN_RE

__all__ = [
    "EntitySpan",
    "EntityTagger",
    "Gazetteer",
    "NerTagger",
    "bio_spans",
    "default_tagger",
    "harmonize",
    "model_attributes",
    "sentence_features",
    "strip_clitic",
]

MODEL_NAME = "ner-crf.model"
GAZETTEER_NAME = "ner-gazetteer.tsv.gz"

# ---------------------------------------------------------------------------------------------
# BIO spans (conlleval rules; the entity scorer of ``marsad.train.metrics`` reads them the same way)
# ---------------------------------------------------------------------------------------------


def bio_spans(tags: Sequence[str]) -> list[tuple[str, int, int]]:
    """Entity spans ``(type, start, end)`` (token indices, end exclusive) of a BIO sequence.

    Like conlleval: an ``I-X`` that does not continue an ``X`` chunk starts a new chunk."""
    spans: list[tuple[str, int, int]] = []
    cur_type: str | None = None
    cur_start = 0
    for i, tag in enumerate(tags):
        prefix, _, typ = tag.partition("-")
        if prefix == "B" or (prefix == "I" and typ != cur_type):
            if cur_type is not None:
                spans.append((cur_type, cur_start, i))
            cur_type, cur_start = typ, i
        elif prefix != "I":  # O or anything else closes the chunk
            if cur_type is not None:
                spans.append((cur_type, cur_start, i))
            cur_type = None
    if cur_type is not None:
        spans.append((cur_type, cur_start, len(tags)))
    return spans


# ---------------------------------------------------------------------------------------------
# Features
# ---------------------------------------------------------------------------------------------

_LIGHT = Profile("ner_light", [unicode_nfc, remove_diacritics, remove_tatweel])

# Proclitic strings ANERcorp leaves attached, longest first; only stripped when >= 2 letters remain.
CLITICS = NER_PREFIXES

_STOPWORDS_RAW = """
في من إلى الى على علي عن مع أن إن ان او أو ما لا لم لن قد هذا هذه ذلك تلك هؤلاء التي الذي الذين
اللذين اللتين كان كانت يكون تكون كما لكن ثم بعد قبل حتى عند بين كل هو هي هم هما نحن أنا انه إنه
أنه انها أنها إنها أي غير أيضا ايضا حيث إذا اذا لو منذ خلال ضد نحو لدى عليه عليها فيه فيها منه
منها له لها لهم به بها وقد وفي ومن وأن وإن وان ولا ولم وهو وهي وكان وكانت فقد فإن بأن بان لأن
لان كذلك أكثر اكثر أقل بعض جميع عدة قال وقال قالت وقالت يوم أمس امس اليوم الذي التي وذلك هناك هنا
""".split()
STOPWORDS = frozenset(MATCH(w) for w in _STOPWORDS_RAW)

_AR_LETTER = re.compile(r"[\u0621-\u064a\u0671-\u06d3]")
_LAT_LETTER = re.compile(r"[a-z]", re.I)


def strip_clitic(norm: str) -> str:
    """The match-normalized word without its leading proclitic (و ف ب ل ك ال وال بال لل ...),
    or the word itself. Keeps at least two letters."""
    for c in CLITICS:
        if norm.startswith(c) and len(norm) - len(c) >= 2:
            return norm[len(c) :]
    return norm


@lru_cache(maxsize=20_000)
def _clitic_variants(norm: str) -> tuple[str, ...]:
    """Every reading of ``norm`` with one leading proclitic removed (also keeping ``ال``)."""
    out: list[str] = []
    for c in CLITICS:
        if norm.startswith(c) and len(norm) - len(c) >= 2:
            rest = norm[len(c) :]
            out.append(rest)
            if (c.endswith("ال") and len(c) > 2) or c.endswith("لل"):
                out.append("ال" + rest)
    return tuple(out)


def _shape(word: str) -> str:
    if not word:
        return "empty"
    if word[0].isdigit() or (word[0] in "+-" and word[1:2].isdigit()):
        return "num"
    ar = _AR_LETTER.search(word) is not None
    lat = _LAT_LETTER.search(word) is not None
    if ar and lat:
        return "mixed"
    if ar:
        return "ar"
    if lat:
        return "LAT" if word[:1].isupper() else "lat"
    if any(ch.isdigit() for ch in word):
        return "num"
    return "punct"


_WINDOW = (-2, -1, 1, 2)
_PAD = tuple(f"{off}:pad" for off in _WINDOW)

# Document-level consistency (``harmonize``): also tag untagged mentions of a name tagged elsewhere
# (chosen on the dev split carved from ANERcorp TRAIN: F1 0.742 -> 0.754 with 10-sentence documents).
DOC_PROPAGATE = True
# Whether ``entities()`` (the pipeline's tagger) runs that document pass. Off: on held-out ANERcorp it adds 0.014
# F1 (0.734 -> 0.748), but the pipeline's name resolution reads each mention's type, and the pass moved enough
# mention types to drop the name-variant merge rate below its floor (0.955 -> 0.933, tests/quality/
# test_name_variants.py; measured with the CRF). ``tag_document`` always runs it (the document-level figures in
# ner-metrics.json and ner-crf-metrics.json).
DOC_PASS_IN_ENTITIES = False

CLUSTERS_MARK = "#clusters"
_WORD_CACHE_SIZE = 30_000  # word types whose features are kept (~3 KB each); the older half goes when full


class Gazetteer:
    """The lexical resources of the tagger: match-normalized names -> types ("PERS", "LOC", "ORG"),
    single words and multi-word phrases; and distributional word clusters (word -> cluster ids at
    several granularities, in corpus-frequency order, which also drives clitic segmentation)."""

    def __init__(self, entries: dict[str, frozenset[str]], clusters: dict[str, tuple[str, ...]] | None = None) -> None:
        self.clusters: dict[str, tuple[str, ...]] = clusters or {}
        self.rank: dict[str, int] = {w: i for i, w in enumerate(self.clusters)}
        self.words: dict[str, frozenset[str]] = {}
        self.phrases: dict[str, frozenset[str]] = {}
        self.max_len = 1
        for key, types in entries.items():
            n = key.count(" ") + 1
            if n == 1:
                self.words[key] = types
            else:
                self.phrases[key] = types
                self.max_len = max(self.max_len, n)
        self._firsts = frozenset(k.partition(" ")[0] for k in self.phrases)
        self._word_cache: dict[str, _Word] = {}
        self.known: frozenset[str] | None = None

    def restrict(self, known: frozenset[str] | None) -> None:
        """Give only these CRF attributes (a model's own) from now on: crfsuite ignores the others
        anyway, and passing fewer strings to it is the larger half of the tagging time saved."""
        self.known = known
        self._word_cache.clear()

    def word(self, surface: str) -> _Word:
        """The token-level facts and features of one surface word (cached)."""
        w = self._word_cache.get(surface)
        if w is None:
            if len(self._word_cache) >= _WORD_CACHE_SIZE:  # forget the older half (insertion order)
                for key in list(islice(self._word_cache, _WORD_CACHE_SIZE // 2)):
                    del self._word_cache[key]
            w = self._word_cache[surface] = _Word(surface, self)
        return w

    def __len__(self) -> int:
        return len(self.words) + len(self.phrases)

    @classmethod
    def read(cls, data: bytes) -> Gazetteer:
        """Parse the gzipped TSV written by the training script.

        Two sections: name rows ``norm<TAB>TYPE|TYPE``, then after the line ``#clusters`` word-cluster
        rows ``norm<TAB>c1 c2 c3`` in corpus-frequency order. Other ``#`` lines are comments."""
        entries: dict[str, frozenset[str]] = {}
        clusters: dict[str, tuple[str, ...]] = {}
        in_clusters = False
        with gzip.open(io.BytesIO(data), "rt", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("#"):
                    in_clusters = in_clusters or line.rstrip() == CLUSTERS_MARK
                    continue
                key, tab, value = line.rstrip("\n").partition("\t")
                if not tab:
                    continue
                if in_clusters:
                    clusters[key] = tuple(value.split())
                else:
                    entries[key] = frozenset(value.split("|"))
        return cls(entries, clusters)

    def segment(self, norm: str) -> str | None:
        """The most frequent corpus word among ``norm`` and its clitic-stripped readings, if any is known."""
        rank = self.rank
        best, best_rank = None, len(rank)
        for v in (norm, *_clitic_variants(norm)):
            r = rank.get(v, best_rank)
            if r < best_rank:
                best, best_rank = v, r
        return best

    def word_types(self, norm: str) -> frozenset[str]:
        return self.words.get(norm, frozenset())

    def phrase_tags(self, norms: Sequence[str]) -> list[list[str]]:
        """Per token: ``B-TYPE``/``I-TYPE`` marks from the longest multi-word gazetteer match
        (tried on the words as written and with a leading clitic stripped from the first word)."""
        out: list[list[str]] = [[] for _ in norms]
        if not self.phrases:
            return out
        n = len(norms)
        firsts = self._firsts
        i = 0
        while i < n:
            matched = 0
            starts = [f for f in (norms[i], *_clitic_variants(norms[i])) if f in firsts]
            for length in range(min(self.max_len, n - i), 1, -1) if starts else ():
                tail = " ".join(norms[i + 1 : i + length])
                for first in starts:
                    types = self.phrases.get(first + " " + tail)
                    if types:
                        for t in sorted(types):
                            out[i].append("B-" + t)
                            for j in range(i + 1, i + length):
                                out[j].append("I-" + t)
                        matched = length
                        break
                if matched:
                    break
            i += matched or 1
        return out


class _Word:
    """Facts about one word, and its own (position-independent) features, reused by the window
    features of its neighbours."""

    __slots__ = ("clus", "gaz", "key", "norm", "own", "seg", "shape", "stem", "stop", "strip", "win")

    def __init__(self, word: str, gaz: Gazetteer) -> None:
        self.norm, self.strip, self.stem, self.shape, self.stop = _word_facts(word)
        w = self.norm
        seg = gaz.segment(w) if self.shape == "ar" else (w if w in gaz.rank else None)
        self.seg = seg
        self.key = seg or w  # the word as a name key (``harmonize``): its most frequent reading
        self.clus: tuple[str, ...] = gaz.clusters[seg] if seg is not None else ()
        self.gaz = _gaz_feats(w, gaz) if self.shape == "ar" else []
        light = _LIGHT(word)
        # Low-cardinality features are interned: cached words then share one copy of each string.
        own = [
            "bias",
            "w=" + w,
            "wr=" + light,
            "st=" + self.strip,
            "stem=" + self.stem,
            *map(
                sys.intern,
                (
                    "sh=" + self.shape,
                    "len=" + str(min(len(w), 8)),
                    "p1=" + w[:1],
                    "p2=" + w[:2],
                    "p3=" + w[:3],
                    "s1=" + w[-1:],
                    "s2=" + w[-2:],
                    "s3=" + w[-3:],
                    "sr1=" + light[-1:],
                    "ss2=" + self.strip[-2:],
                    "sp2=" + self.strip[:2],
                ),
            ),
        ]
        if seg is not None and seg != w:
            own.append("sg=" + seg)
        if self.stop:
            own.append("stop")
        if w.startswith("ال") or (self.strip != w and "ال" in w[:4]):
            own.append("al")
        own.extend(sys.intern("g=" + t) for t in self.gaz)
        clus = [(k, c) for k, c in enumerate(self.clus) if c != "-"]  # "-": no id at that granularity
        own.extend(sys.intern(f"c{k}={c}") for k, c in clus)
        known = gaz.known
        self.own = tuple(own if known is None else [a for a in own if a in known])
        # The features this word gives a neighbour at offset -2, -1, +1, +2 (``_WINDOW`` order), built
        # once per word type: a sentence then only concatenates tuples.
        win = []
        for off in _WINDOW:
            f = [f"{off}:w={w}", f"{off}:st={self.strip}", sys.intern(f"{off}:sh={self.shape}")]
            if self.stop:
                f.append(sys.intern(f"{off}:stop"))
            f.extend(sys.intern(f"{off}:g={t}") for t in self.gaz)
            if off in (-1, 1):
                f.extend(sys.intern(f"{off}:c{k}={c}") for k, c in clus)
                f.append(f"{off}:stem={self.stem}")
                f.append(sys.intern(f"{off}:s2={w[-2:]}"))
            elif len(self.clus) > 1 and self.clus[1] != "-":
                f.append(sys.intern(f"{off}:c1={self.clus[1]}"))
            win.append(tuple(f if known is None else [a for a in f if a in known]))
        self.win = tuple(win)


def _word_facts(word: str) -> tuple[str, str, str, str, bool]:
    norm = MATCH(word)
    strip = strip_clitic(norm)
    stem = stem_word(word) if norm and not norm[0].isdigit() else norm
    return norm, strip, stem, _shape(word), norm in STOPWORDS


def _gaz_feats(norm: str, gaz: Gazetteer) -> list[str]:
    feats = sorted(gaz.word_types(norm))
    strip_types: set[str] = set()
    for v in _clitic_variants(norm):
        strip_types.update(gaz.word_types(v))
    feats.extend("s" + t for t in sorted(strip_types))
    return feats


def sentence_features(words: Sequence[str], gaz: Gazetteer) -> list[list[str]]:
    """CRF attributes of each token of one sentence.

    Token: match-normalized word, lightly normalized surface (keeps ى/ة), clitic-stripped word
    (greedy) and the corpus-frequency segmentation (the most frequent known word among the word and
    its clitic-stripped readings), Snowball stem, prefixes/suffixes 1-3, shape, length, stopword,
    ``ال``, gazetteer types of the word and of its clitic-stripped readings, multi-word gazetteer
    B/I marks (longest match), distributional word clusters at 3 granularities. Window ±2 of word,
    stripped word, shape, stopword, gazetteer and cluster features (stem and suffix at ±1), word
    bigrams, BOS/EOS."""
    bases = [gaz.word(w) for w in words]
    phrases = gaz.phrase_tags([b.norm for b in bases])
    known = gaz.known
    n = len(bases)
    out: list[list[str]] = []
    for i, b in enumerate(bases):
        f = list(b.own)
        extra = ["BOS"] if i == 0 else []
        if i == n - 1:
            extra.append("EOS")
        if phrases[i]:
            extra.extend("gp=" + t for t in phrases[i])
        for k, off in enumerate(_WINDOW):
            j = i + off
            if j < 0 or j >= n:
                extra.append(_PAD[k])
                continue
            f.extend(bases[j].win[k])
            if phrases[j]:
                extra.extend(f"{off}:gp={t}" for t in phrases[j])
        if i > 0:
            extra.append("w-1|w=" + bases[i - 1].norm + "|" + b.norm)
        if i < n - 1:
            extra.append("w|w+1=" + b.norm + "|" + bases[i + 1].norm)
        f.extend(extra if known is None else [a for a in extra if a in known])
        out.append(f)
    return out


# ---------------------------------------------------------------------------------------------
# Document-level consistency of a name's type
# ---------------------------------------------------------------------------------------------


def harmonize(
    keys: Sequence[Sequence[str]], tags: Sequence[Sequence[str]], *, propagate: bool = False
) -> list[list[str]]:
    """Tags of one document's sentences made consistent per name (heuristic, measured on ANERcorp).

    ``keys[s][i]`` is token i of sentence s as a name key (match-normalized, leading clitic removed).
    A name (the key sequence of a span) tagged with one type in more than half of its mentions, and
    mentioned at least twice, takes that type at every mention (a person tagged ORG once and PERS
    twice is a person). With ``propagate``, an untagged occurrence of a name tagged elsewhere in the
    document (every token ``O``) is tagged too."""
    out = [list(t) for t in tags]
    spans = [(s, typ, a, b) for s, t in enumerate(out) for typ, a, b in bio_spans(t)]
    counts: dict[tuple[str, ...], dict[str, int]] = {}
    for s, typ, a, b in spans:
        by_type = counts.setdefault(tuple(keys[s][a:b]), {})
        by_type[typ] = by_type.get(typ, 0) + 1
    major: dict[tuple[str, ...], str] = {}
    for key, by_type in counts.items():
        typ, n = max(by_type.items(), key=lambda kv: (kv[1], kv[0]))
        if 2 * n > sum(by_type.values()):
            major[key] = typ
    for s, typ, a, b in spans:
        want = major.get(tuple(keys[s][a:b]))
        if want is not None and want != typ and sum(counts[tuple(keys[s][a:b])].values()) >= 2:
            out[s][a:b] = ["B-" + want] + ["I-" + want] * (b - a - 1)
    if propagate and major:
        firsts: dict[str, list[tuple[str, ...]]] = {}
        for key in sorted(major, key=len, reverse=True):
            if key[0] not in STOPWORDS and len(key[0]) >= 3:
                firsts.setdefault(key[0], []).append(key)
        for s, sent in enumerate(keys):
            i = 0
            while i < len(sent):
                step = 1
                for key in firsts.get(sent[i], ()):
                    b = i + len(key)
                    if tuple(sent[i:b]) == key and all(t == "O" for t in out[s][i:b]):
                        typ = major[key]
                        out[s][i:b] = ["B-" + typ] + ["I-" + typ] * (len(key) - 1)
                        step = len(key)
                        break
                i += step
    return out


# ---------------------------------------------------------------------------------------------
# Tagger
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EntitySpan:
    """A named entity found in a text."""

    text: str  # surface text exactly as in the input (text[start:end]), clitics included
    type: str  # "PERS" | "LOC" | "ORG" | "MISC"
    start: int  # character offsets into the input text
    end: int
    score: float  # CRF marginal probability of the span's labels: the smallest over its tokens, 0-1
    # (exact for one-token spans; for longer spans an upper bound of the joint marginal)


_SENT_END = frozenset(".?!؟")
_MAX_SENT_TOKENS = 250


def _text_tokens(text: str, norm_of: Callable[[str], str]) -> Iterator[tuple[str, int, int, bool]]:
    """Tokens as ANERcorp has them: words/numbers of ``marsad.text.tokenize`` plus each
    punctuation character between them. Yields ``(surface, start, end, newline_before)``.

    Same tokens as ``iter_tokens`` (a match with an empty match key is no token), but the key comes
    from ``norm_of`` (a tagger's word cache), so a word type is normalized once per process, not per token."""
    pos = 0
    for m in TOKEN_RE.finditer(text):
        surface = m.group()
        if not norm_of(surface):
            continue
        start, end = m.span()
        yield from _gap_tokens(text, pos, start)
        yield surface, start, end, "\n" in text[pos:start]
        pos = end
    yield from _gap_tokens(text, pos, len(text))


def _gap_tokens(text: str, start: int, end: int) -> Iterator[tuple[str, int, int, bool]]:
    nl = False
    for k in range(start, end):
        ch = text[k]
        if ch == "\n":
            nl = True
        elif not ch.isspace() and ch.isprintable():
            yield ch, k, k + 1, nl
            nl = False


def _sentences(tokens: Iterable[tuple[str, int, int, bool]]) -> Iterator[list[tuple[str, int, int]]]:
    cur: list[tuple[str, int, int]] = []
    for surface, start, end, nl in tokens:
        if cur and (nl or len(cur) >= _MAX_SENT_TOKENS):
            yield cur
            cur = []
        cur.append((surface, start, end))
        if surface in _SENT_END:
            yield cur
            cur = []
    if cur:
        yield cur


def model_attributes(model: bytes) -> frozenset[str] | None:
    """The attribute strings a CRFsuite model knows, read from its attribute dictionary (the CQDB
    chunk of the ``lCRF`` file: its backward array lists every key), or None for another layout."""
    try:
        if model[:4] != b"lCRF" or model[8:12] != b"FOMC":
            return None
        (off,) = struct.unpack_from("<I", model, 36)
        magic, _, _, _, n, bwd = struct.unpack_from("<4sIIIII", model, off)
        if magic != b"CQDB":
            return None
        out = []
        for ref in struct.unpack_from(f"<{n}I", model, off + bwd):
            (size,) = struct.unpack_from("<I", model, off + ref + 4)
            out.append(model[off + ref + 8 : off + ref + 7 + size].decode("utf-8"))
        return frozenset(out)
    except (struct.error, UnicodeDecodeError):
        return None


class NerTagger:
    """A loaded CRF model and its gazetteer. Thread-safe (one crfsuite tagger per thread)."""

    def __init__(self, model: bytes, gazetteer: Gazetteer, source: str = "<memory>") -> None:
        self._model = model
        self.gazetteer = gazetteer
        self.source = source
        self._local = threading.local()
        self.labels: tuple[str, ...] = tuple(self._tagger().labels())
        gazetteer.restrict(model_attributes(model))

    @classmethod
    def load(cls, path: str | Path | None = None) -> NerTagger:
        """Load a model: ``path`` is the ``.model`` file (its gazetteer ``ner-gazetteer.tsv.gz``
        beside it) or a folder holding both; default: the model bundled in ``marsad/data``."""
        if path is None:
            root = resources.files("marsad") / "data"
            model_res, gaz_res = root / MODEL_NAME, root / GAZETTEER_NAME
            if not model_res.is_file() or not gaz_res.is_file():
                raise ConfigError(
                    f"the bundled NER model is missing ({MODEL_NAME} / {GAZETTEER_NAME} in marsad/data); "
                    "build it with `python scripts/train_ner.py`"
                )
            return cls._from_bytes(model_res.read_bytes(), gaz_res.read_bytes(), str(model_res))
        p = Path(path)
        model_path = p / MODEL_NAME if p.is_dir() else p
        gaz_path = model_path.with_name(GAZETTEER_NAME)
        for f in (model_path, gaz_path):
            if not f.is_file():
                raise ConfigError(f"NER model file not found: {f} (build it with `python scripts/train_ner.py`)")
        return cls._from_bytes(model_path.read_bytes(), gaz_path.read_bytes(), str(model_path))

    @classmethod
    def _from_bytes(cls, model: bytes, gazetteer: bytes, source: str) -> NerTagger:
        try:
            return cls(model, Gazetteer.read(gazetteer), source=source)
        except (OSError, ValueError, EOFError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot load the NER model {source}: {exc}") from exc

    def _tagger(self) -> pycrfsuite.Tagger:
        tagger = getattr(self._local, "tagger", None)
        if tagger is None:
            tagger = pycrfsuite.Tagger()
            try:
                tagger.open_inmemory(self._model)
            except (ValueError, OSError) as exc:
                raise ConfigError(f"not a CRFsuite model: {self.source} ({exc})") from exc
            self._local.tagger = tagger
        return tagger

    def tag_tokens(self, tokens: list[str]) -> list[str]:
        """BIO labels of one sentence given as tokens (ANERcorp tokenization: clitics attached,
        punctuation as separate tokens)."""
        if not tokens:
            return []
        return list(self._tagger().tag(sentence_features(tokens, self.gazetteer)))

    def tag_document(self, sentences: Sequence[list[str]]) -> list[list[str]]:
        """BIO labels of a document's sentences (as ``tag_tokens``), then made consistent per name
        across the document (``harmonize``)."""
        word = self.gazetteer.word
        tagger = self._tagger()
        tags = [list(tagger.tag(sentence_features(s, self.gazetteer))) if s else [] for s in sentences]
        keys = [[word(w).key for w in s] for s in sentences]
        return harmonize(keys, tags, propagate=DOC_PROPAGATE)

    def entities(self, text: str) -> list[EntitySpan]:
        """Named entities of ``text`` with character offsets (``text[start:end] == span.text``).

        Sentences with no Arabic words, or more Latin than Arabic words, are skipped (the model was
        trained on Arabic news only). A span covers whole tokens, attached clitics included. With
        ``DOC_PASS_IN_ENTITIES`` the text is one document whose names get one type (``harmonize``); off by default."""
        word = self.gazetteer.word
        tagger = self._tagger()
        sents: list[list[tuple[str, int, int]]] = []
        feats: list[list[list[str]]] = []
        tags: list[list[str]] = []
        probs: list[list[float]] = []
        for sent in _sentences(_text_tokens(text, lambda w: self.gazetteer.word(w).norm)):
            shapes = [word(s).shape for s, _, _ in sent]
            n_ar = shapes.count("ar")
            if n_ar == 0 or n_ar < shapes.count("lat") + shapes.count("LAT"):
                continue  # the model knows Arabic news text only: Latin-script sentences are left alone
            x = sentence_features([s for s, _, _ in sent], self.gazetteer)
            labels = list(tagger.tag(x))
            sents.append(sent)
            feats.append(x)
            tags.append(labels)
            probs.append([tagger.marginal(t, i) if t != "O" else 1.0 for i, t in enumerate(labels)])
        keys = [[word(s).key for s, _, _ in sent] for sent in sents]
        final = harmonize(keys, tags, propagate=DOC_PROPAGATE) if DOC_PASS_IN_ENTITIES else tags
        out: list[EntitySpan] = []
        for sent, x, first, labels, prob in zip(sents, feats, tags, final, probs, strict=True):
            if labels != first:  # changed by harmonize: the marginals of the final labels
                tagger.set(x)
                prob = [tagger.marginal(t, i) if t != "O" else 1.0 for i, t in enumerate(labels)]
            for typ, a, b in bio_spans(labels):
                start, end = sent[a][1], sent[b - 1][2]
                out.append(EntitySpan(text[start:end], typ, start, end, round(min(prob[a:b]), 4)))
        return out


class EntityTagger(Protocol):
    """What the pipeline and the quality gates use of a tagger (the CRF ``NerTagger`` or the neural
    ``marsad.enrich.ner_net.NeuralNerTagger``)."""

    gazetteer: Gazetteer
    source: str

    def entities(self, text: str) -> list[EntitySpan]: ...

    def tag_tokens(self, tokens: list[str]) -> list[str]: ...

    def tag_document(self, sentences: Sequence[list[str]]) -> list[list[str]]: ...


_DEFAULT: NerTagger | None = None
_DEFAULT_LOCK = threading.Lock()


def default_tagger() -> NerTagger:
    """The bundled CRF, loaded once per process. The pipeline asks ``marsad.enrich.ner_net.selected_tagger``,
    which gives this one unless ``MARSAD_NER=neural``."""
    global _DEFAULT
    if _DEFAULT is None:
        with _DEFAULT_LOCK:
            if _DEFAULT is None:
                _DEFAULT = NerTagger.load()
    return _DEFAULT
