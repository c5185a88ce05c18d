"""News category of an article: a linear model over Arabic words, stems and word bigrams.

Taxonomy
--------
Six stable English labels (``LABELS``): ``politics``, ``economy``, ``sport``, ``technology``
(technology and science), ``culture`` (culture and arts), ``society``.

The model is trained only on real, labelled sections of the ANT corpus (Chouigui et al.): ANT v2.1
multi-outlet (AlArabiya, BBC, CNN, France24, Sky News Arabia; 2018) and ANT v1.1 Jawhara FM
(Tunisia; 2013-2017). Outlet sections map to the taxonomy as follows (``ANT_SECTIONS``,
``JAWHARA_SECTIONS``):

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

import gzip
import hashlib
import json
import random
import re
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from marsad.errors import ConfigError
from marsad.text.normalize import MATCH
from marsad.text.stem import stem_word
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

ANT_SECTIONS: dict[str, str] = {
    "middleEast": "politics",
    "internationalNews": "politics",
    "economy": "economy",
    "sport": "sport",
    "technology": "technology",
    "culture": "culture",
}
JAWHARA_SECTIONS: dict[str, str] = {
    "politic": "politics",
    "internationalNews": "politics",
    "economy": "economy",
    "sport": "sport",
    "technology": "technology",
    "culture": "culture",
    "society": "society",
    # "localNews" and "diverse": mixed bags, excluded (see the module docstring).
}
CORPORA: dict[str, dict[str, str]] = {
    "ant-multisource.jsonl.gz": ANT_SECTIONS,
    "ant-jawharafm.jsonl.gz": JAWHARA_SECTIONS,
}
TEST_FRACTION = 0.15


@dataclass(frozen=True, slots=True)
class Category:
    """The category of an article and the calibrated probability of that label (0-1).

    ``confidence == 0.0`` means the text could not be classified (empty or not Arabic).
    """

    label: str
    confidence: float


# --------------------------------------------------------------------------------------------
# Features


@lru_cache(maxsize=300_000)
def _keys(surface: str) -> tuple[str, str]:
    """Match key and stem of one surface word."""
    return MATCH(surface), stem_word(surface)


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


# --------------------------------------------------------------------------------------------
# Labelled data (training script and quality gate share this, so both see the same split)


@dataclass(frozen=True, slots=True)
class LabelledArticle:
    """One corpus article with its outlet section and taxonomy label (None: excluded section)."""

    corpus: str
    docno: str
    source: str
    section: str
    label: str | None
    title: str
    text: str
    time: datetime | None


def parse_time(value: str | None) -> datetime | None:
    """Corpus timestamps: RFC 822 (ANT v2.1), ISO 8601 (Jawhara) or dd/mm/yyyy; naive means UTC."""
    if not value:
        return None
    value = value.strip()
    try:
        if value[:4].isdigit():
            dt = datetime.fromisoformat(value)
        elif re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", value):
            dt = datetime.strptime(value, "%d/%m/%Y")
        else:
            dt = parsedate_to_datetime(value)
    except (ValueError, TypeError, IndexError):
        return None
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def read_corpus(path: Path, sections: dict[str, str], *, extra: dict[str, str] | None = None) -> list[LabelledArticle]:
    """All articles of one ANT JSONL(.gz) file; ``label`` is ``sections`` (then ``extra``) of the section."""
    mapping = {**sections, **(extra or {})}
    opener = gzip.open if path.suffix == ".gz" else open
    out: list[LabelledArticle] = []
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            section = row.get("category") or ""
            title = row.get("title") or ""
            text = row.get("text") or ""
            if not (title.strip() or text.strip()):
                continue
            out.append(
                LabelledArticle(
                    corpus=path.name,
                    docno=str(row.get("docno") or ""),
                    source=str(row.get("source") or ""),
                    section=section,
                    label=mapping.get(section),
                    title=title,
                    text=text,
                    time=parse_time(row.get("time")),
                )
            )
    return out


def _dup_key(article: LabelledArticle) -> str:
    text = article.text.strip()
    key = MATCH(text[:2000]) if len(text) >= 200 else "T:" + MATCH(article.title + "\n" + text)
    return hashlib.blake2b(key.encode(), digest_size=16).hexdigest()


_FAR_FUTURE = datetime.max.replace(tzinfo=UTC)


def _order(article: LabelledArticle) -> tuple[datetime, str, str]:
    return (article.time or _FAR_FUTURE, article.corpus, article.docno)


def dedupe(articles: Iterable[LabelledArticle]) -> list[LabelledArticle]:
    """One article per text: the earliest copy, its label resolved over all copies (module docstring)."""
    groups: dict[str, list[LabelledArticle]] = {}
    for art in articles:
        groups.setdefault(_dup_key(art), []).append(art)
    out: list[LabelledArticle] = []
    for copies in groups.values():
        copies.sort(key=_order)
        first = copies[0]
        labels = {a.label for a in copies if a.label is not None}
        specific = labels - {"politics"}
        label: str | None
        if len(specific) > 1:
            label = None  # ambiguous: e.g. filed under both sport and culture
        elif specific:
            label = specific.pop()
        else:
            label = labels.pop() if labels else None
        if label != first.label:
            first = LabelledArticle(first.corpus, first.docno, first.source, first.section, label,
                                    first.title, first.text, first.time)
        out.append(first)
    return out


def time_split(
    articles: Sequence[LabelledArticle], test_fraction: float = TEST_FRACTION
) -> tuple[list[LabelledArticle], list[LabelledArticle]]:
    """Per corpus, the latest ``test_fraction`` of articles (all sections, by time) is the test set.

    Articles without a usable time go to training. Excluded-section articles (label None) are
    counted for the cut but dropped from both sides.
    """
    train: list[LabelledArticle] = []
    test: list[LabelledArticle] = []
    by_corpus: dict[str, list[LabelledArticle]] = {}
    for art in articles:
        by_corpus.setdefault(art.corpus, []).append(art)
    for corpus in sorted(by_corpus):
        arts = sorted(by_corpus[corpus], key=_order)
        dated = [a for a in arts if a.time is not None]
        cut = len(dated) - round(len(dated) * test_fraction)
        late = {id(a) for a in dated[cut:]}
        for a in arts:
            if a.label is None:
                continue
            (test if id(a) in late else train).append(a)
    return train, test


def random_split(
    articles: Sequence[LabelledArticle], test_fraction: float = TEST_FRACTION, seed: int = 0
) -> tuple[list[LabelledArticle], list[LabelledArticle]]:
    """A seeded random split of the labelled articles, stratified by label (for comparison only)."""
    rng = random.Random(seed)
    train: list[LabelledArticle] = []
    test: list[LabelledArticle] = []
    by_label: dict[str, list[LabelledArticle]] = {}
    for art in sorted(articles, key=_order):
        if art.label is not None:
            by_label.setdefault(art.label, []).append(art)
    for label in sorted(by_label):
        arts = by_label[label]
        rng.shuffle(arts)
        k = round(len(arts) * test_fraction)
        test.extend(arts[:k])
        train.extend(arts[k:])
    return train, test


def load_labelled(data: Path, *, localnews_as_society: bool = False) -> list[LabelledArticle]:
    """Both ANT corpora from ``data``, deduplicated, with taxonomy labels (None: excluded)."""
    articles: list[LabelledArticle] = []
    for name, sections in CORPORA.items():
        path = data / name
        if not path.exists():
            raise ConfigError(f"{name} not found in {data}; set MARSAD_DATA")
        extra = {"localNews": "society"} if localnews_as_society and sections is JAWHARA_SECTIONS else None
        articles.extend(read_corpus(path, sections, extra=extra))
    return dedupe(articles)


def iter_docs(articles: Iterable[LabelledArticle]) -> Iterator[tuple[str, str]]:
    """``(title, text)`` of each article."""
    for a in articles:
        yield a.title, a.text
