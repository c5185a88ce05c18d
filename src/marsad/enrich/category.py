"""News category of an article: a linear model over Arabic words, stems and word bigrams.

Taxonomy
--------
Six stable English labels (``LABELS``): ``politics``, ``economy``, ``sport``, ``technology``
(technology and science), ``culture`` (culture and arts), ``society``.

The model is trained only on real, labelled sections of the ANT corpus (Chouigui et al.): ANT v2.1
multi-outlet (AlArabiya, BBC, CNN, France24, Sky News Arabia; 2018) and ANT v1.1 Jawhara FM
(Tunisia; 2013-2017). Outlet sections map to the taxonomy as follows (``ANT_SECTIONS``,
``JAWHARA_SECTIONS`` in ``marsad.train.category``, with the corpus reading and the held-out split):

* ``politics`` ← ANT ``middleEast`` + ``internationalNews``, Jawhara ``politic`` + ``internationalNews``.
  These outlets' regional and world desks are overwhelmingly politics, conflict and diplomacy.
* ``economy``, ``sport``, ``technology``, ``culture`` ← the section of the same name in both corpora.
* ``society`` ← Jawhara ``society`` only (ANT multi-outlet has no such section), so this label is
  learnt from one Tunisian outlet's regional desk and is the least general of the six: in practice
  it means crime, police, arrests, accidents and local incidents ("faits divers"); schools, health
  campaigns or family stories from elsewhere often land in politics instead.
* Jawhara ``localNews`` (Tunisian national and local news: government, parties, courts, strikes,
  incidents ...) and ``diverse`` (odd-news miscellany) are mixed bags with no single topic: they are
  **excluded from training** and from the test set. Reading ``localNews`` as ``society`` was
  measured (``scripts/train_category.py --localnews-as-society``) and rejected: on the same held-out
  set society precision fell from 0.96 to 0.64 and macro-F1 from 0.90 to 0.86, because most of
  ``localNews`` is Tunisian politics.
* There is **no health label**: neither corpus has a health section, and we do not invent training
  data. Health stories fall into whichever trained label they resemble (often society or technology).

An article filed in two sections (ANT outlets cross-post) is kept once, at its earliest copy; if one
of its sections maps to ``politics`` and another to a more specific label (sport, culture, ...), the
specific label wins (``internationalNews`` is a catch-all desk); two different specific labels make
the article ambiguous and it is dropped.

Features and model
------------------
Title and body (first ``MAX_CHARS`` characters) are tokenized; each word gives its match key
(``marsad.text.normalize.MATCH``), its stem (``marsad.text.stem.stem_word``) and the bigram with
the previous word; title words are added again with a ``t:`` prefix. Numbers, one-letter words,
outlet self-references (``OUTLET_WORDS``) and outlet boilerplate lines (``scrub``: app promos,
disclaimers, related-link lines) are left out, so the model learns topics rather than outlets
(several outlets cover only some sections). Each training article is also used a second time as
its headline alone, so a bare headline (a "related articles" list) is classified too. Features are hashed into
``n_features`` buckets (scikit-learn ``FeatureHasher``), weighted by sublinear tf x idf and
L2-normalized; a linear SVM (class-weight balanced) scores the labels, and a softmax with a single
temperature, fitted on out-of-fold scores of the training set, turns scores into calibrated
probabilities. The bundled file holds only numpy arrays (idf, coefficients as float32, intercepts,
temperature) plus metadata; only the stateless hasher comes from scikit-learn at run time.

Text that is not Arabic
-----------------------
An article with fewer than ``MIN_ARABIC_WORDS`` Arabic words (empty, Latin-script, numbers only)
is not classified: ``predict`` returns ``Category(FALLBACK_LABEL, 0.0)``. A confidence of exactly
0.0 never comes from the model (its smallest possible top probability is 1/6), so callers can test
``confidence == 0.0`` (or any threshold) to mean "no category".
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from marsad.errors import ConfigError
from marsad.text.stem import surface_keys
from marsad.text.tokenize import TOKEN_RE

LABELS: tuple[str, ...] = ("politics", "economy", "sport", "technology", "culture", "society")

FORMAT = 1
"""Version of the model file layout; a file of another format is refused."""
FEATURES_VERSION = "words+stems+bigrams+title-outlets/2"
"""Version of ``featurize``; a model trained on other features is refused."""
MODEL_FILE = "category-model.joblib"
MAX_CHARS = 4000
MIN_ARABIC_WORDS = 3
FALLBACK_LABEL = "politics"



@dataclass(frozen=True, slots=True)
class Category:
    """The category of an article and the calibrated probability of that label (0-1).

    ``confidence == 0.0`` means the text could not be classified (empty or not Arabic).
    """

    label: str
    confidence: float


# --------------------------------------------------------------------------------------------
# Features


_keys = surface_keys
"""Match key and stem of one surface word (shared with the search analyzer: one cache per process)."""


# Outlet boilerplate lines (app promos, disclaimers, "related" links): they mark the outlet, not the topic.
_BOILERPLATE_LINE = re.compile(
    r"^[^\n]*(?:شعارات ب[أا]هم الموضوعات"  # BBC: app promo
    r"|تمثل ر[أا]ي كتابها"  # AlArabiya: opinion disclaimer
    r"|قد يهمك"  # CNN: related link
    r"|^للمزيد ?:)[^\n]*$",  # France24: related link
    re.MULTILINE,
)
# Match keys of outlet self-references (names, transliterated call letters) left out of the features.
OUTLET_WORDS = frozenset("cnn bbc afp الجوهره جوهره سكاي نيوز فرانس نت بي سي اف".split())


def scrub(text: str) -> str:
    """Drop outlet boilerplate lines (BBC app promo, AlArabiya opinion disclaimer, related-link lines)."""
    return _BOILERPLATE_LINE.sub("", text)


def _words(text: str) -> tuple[list[tuple[str, str]], int]:
    """(match key, stem) of each word of ``text`` (no numbers, no one-letter words) and the Arabic word count."""
    out: list[tuple[str, str]] = []
    arabic = 0
    for m in TOKEN_RE.finditer(text):
        kind = m.lastgroup
        if kind == "num":
            continue
        norm, stem = _keys(m.group())
        if len(norm) < 2 or norm in OUTLET_WORDS:
            continue
        if kind == "ar":
            arabic += 1
        out.append((norm, stem))
    return out, arabic


def analyze(title: str, text: str) -> tuple[list[str], int]:
    """Feature strings of an article and its number of Arabic words."""
    title_words, ar_title = _words(title or "")
    body_words, ar_body = _words(scrub((text or "")[:MAX_CHARS]))
    feats: list[str] = []
    append = feats.append
    for norm, stem in title_words:
        append("t:" + norm)
        append("t:s:" + stem)
    for seq in (title_words, body_words):
        prev = ""
        for norm, stem in seq:
            append(norm)
            append("s:" + stem)
            if prev:
                append(prev + " " + norm)
            prev = norm
    return feats, ar_title + ar_body


def featurize(title: str, text: str) -> list[str]:
    """Feature strings of an article (match keys, ``s:`` stems, word bigrams, ``t:`` title words)."""
    return analyze(title, text)[0]


def _hasher(n_features: int) -> Any:
    try:
        from sklearn.feature_extraction import FeatureHasher
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ConfigError("the category classifier needs scikit-learn: pip install scikit-learn") from exc
    return FeatureHasher(n_features=n_features, input_type="string", alternate_sign=False, dtype=np.float32)


def hash_features(feature_lists: Iterable[list[str]], n_features: int) -> Any:
    """Hash feature lists into a CSR matrix of raw counts (float32)."""
    return _hasher(n_features).transform(feature_lists).tocsr()


def tfidf(counts: Any, idf: np.ndarray) -> Any:
    """Sublinear tf x idf, rows L2-normalized (in place on ``counts``, which is returned)."""
    counts.sum_duplicates()
    data = counts.data
    np.log(data, out=data)
    data += 1.0
    data *= idf[counts.indices]
    norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1), dtype=np.float32).ravel())
    norms[norms == 0] = 1.0
    data /= np.repeat(norms, np.diff(counts.indptr))
    return counts


def softmax(scores: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Row-wise softmax of ``scores / temperature``."""
    z = scores / temperature
    z = z - z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


# --------------------------------------------------------------------------------------------
# Classifier


def _sklearn_version() -> str | None:
    try:
        import sklearn
    except ImportError:
        return None
    return str(sklearn.__version__)


class CategoryClassifier:
    """A trained category model (see the module docstring). Build with ``load``."""

    def __init__(self, model: dict[str, Any], *, source: str = "<memory>") -> None:
        self.source = source
        self.labels: tuple[str, ...] = tuple(model["labels"])
        self.n_features = int(model["n_features"])
        self.idf = np.asarray(model["idf"], dtype=np.float32)
        self.coef_t = np.ascontiguousarray(np.asarray(model["coef"], dtype=np.float32).T)
        self.intercept = np.asarray(model["intercept"], dtype=np.float32)
        self.temperature = float(model["temperature"])
        self.meta: dict[str, Any] = dict(model.get("meta", {}))

    @classmethod
    def load(cls, path: str | Path | None = None) -> CategoryClassifier:
        """Load a model file, by default the one bundled in ``marsad/data``.

        Raises ``ConfigError`` when the file is missing, unreadable, of another format or feature
        version, or when this scikit-learn hashes features differently from the one that trained it.
        A different scikit-learn version that still hashes the same only warns. A joblib file is
        a pickle: load only model files you trust (the bundled one, or one you trained).
        """
        if path is None:
            ref = resources.files("marsad").joinpath("data", MODEL_FILE)
            with resources.as_file(ref) as p:
                return cls._load_file(Path(p))
        return cls._load_file(Path(path))

    @classmethod
    def _load_file(cls, path: Path) -> CategoryClassifier:
        if not path.is_file():
            raise ConfigError(f"category model not found at {path}; build it with scripts/train_category.py")
        try:
            import joblib
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ConfigError("the category classifier needs joblib: pip install scikit-learn") from exc
        try:
            model = joblib.load(path)
        except Exception as exc:
            raise ConfigError(f"cannot read the category model {path}: {exc}") from exc
        if not isinstance(model, dict) or model.get("format") != FORMAT:
            found = model.get("format") if isinstance(model, dict) else type(model).__name__
            raise ConfigError(
                f"category model {path} has format {found!r}, this Marsad reads format {FORMAT}; "
                "retrain with scripts/train_category.py"
            )
        if model.get("features_version") != FEATURES_VERSION:
            raise ConfigError(
                f"category model {path} was trained on features {model.get('features_version')!r}, this Marsad "
                f"computes {FEATURES_VERSION!r}; retrain with scripts/train_category.py"
            )
        if tuple(model.get("labels", ())) != LABELS:
            raise ConfigError(f"category model {path} has labels {model.get('labels')!r}, expected {LABELS!r}")
        trained_with = model.get("sklearn_version")
        running = _sklearn_version()
        if running is None:
            raise ConfigError("the category classifier needs scikit-learn: pip install scikit-learn")
        probe = model.get("probe") or {}
        if probe:
            got = hash_features([list(probe["features"])], int(model["n_features"])).indices.tolist()
            if sorted(got) != sorted(probe["indices"]):
                raise ConfigError(
                    f"scikit-learn {running} hashes features differently from scikit-learn {trained_with} that "
                    f"trained {path}; install scikit-learn=={trained_with} or retrain with scripts/train_category.py"
                )
        if trained_with and trained_with.split(".")[:2] != running.split(".")[:2]:
            warnings.warn(
                f"category model {path} was trained with scikit-learn {trained_with}, running {running}; "
                "feature hashing checked identical, predictions should match",
                UserWarning,
                stacklevel=3,
            )
        return cls(model, source=str(path))

    def probabilities(self, docs: Sequence[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
        """Calibrated probabilities (n x len(labels)) and the Arabic word count of each document."""
        feats: list[list[str]] = []
        arabic = np.zeros(len(docs), dtype=np.int64)
        for i, (title, text) in enumerate(docs):
            f, n = analyze(title or "", text or "")
            feats.append(f)
            arabic[i] = n
        if not docs:
            return np.zeros((0, len(self.labels)), dtype=np.float32), arabic
        x = tfidf(hash_features(feats, self.n_features), self.idf)
        scores = np.asarray(x @ self.coef_t) + self.intercept
        return softmax(scores.astype(np.float64), self.temperature), arabic

    def predict(self, title: str, text: str) -> Category:
        """Category of one article (``Category(FALLBACK_LABEL, 0.0)`` when it is not Arabic)."""
        return self.predict_many([(title, text)])[0]

    def predict_many(self, docs: list[tuple[str, str]]) -> list[Category]:
        """Categories of many ``(title, text)`` pairs, in order (batched: faster than ``predict``)."""
        out: list[Category] = []
        for start in range(0, len(docs), 2048):
            chunk = docs[start : start + 2048]
            probs, arabic = self.probabilities(chunk)
            best = probs.argmax(axis=1) if len(chunk) else np.zeros(0, dtype=np.int64)
            for i in range(len(chunk)):
                if arabic[i] < MIN_ARABIC_WORDS:
                    out.append(Category(FALLBACK_LABEL, 0.0))
                else:
                    j = int(best[i])
                    out.append(Category(self.labels[j], float(probs[i, j])))
        return out


@cache
def default_classifier() -> CategoryClassifier:
    """The bundled classifier, loaded once per process."""
    return CategoryClassifier.load()
