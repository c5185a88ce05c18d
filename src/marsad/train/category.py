"""Labelled data of the category classifier: the ANT corpora, their section -> label mapping,
duplicate removal and the held-out split.

``scripts/train_category.py`` and the category quality gate share this, so both see the same split.
The taxonomy and the reasons behind the mapping are in the docstring of ``marsad.enrich.category``.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import random
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import numpy as np

from marsad.enrich import category as cat
from marsad.errors import ConfigError
from marsad.text.normalize import MATCH

__all__ = [
    "ANT_SECTIONS",
    "CORPORA",
    "JAWHARA_SECTIONS",
    "TEST_FRACTION",
    "LabelledArticle",
    "dedupe",
    "ece",
    "evaluate",
    "fit_temperature",
    "idf_of",
    "iter_docs",
    "load_labelled",
    "parse_time",
    "random_split",
    "read_corpus",
    "time_split",
]

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


# --------------------------------------------------------------------------------------------
# Fitting and scoring


def idf_of(counts: Any) -> np.ndarray:
    """Smoothed idf of hashed buckets (as scikit-learn's TfidfTransformer(smooth_idf=True))."""
    n_docs, n_features = counts.shape
    df = np.bincount(counts.indices, minlength=n_features)
    return (np.log((1 + n_docs) / (1 + df)) + 1).astype(np.float32)


def fit_temperature(scores: np.ndarray, y: np.ndarray) -> float:
    """Temperature T minimizing the log loss of softmax(scores / T) (one parameter: argmax unchanged)."""

    def nll(log_t: float) -> float:
        p = cat.softmax(scores.astype(np.float64), float(np.exp(log_t)))
        return float(-np.mean(np.log(np.clip(p[np.arange(len(y)), y], 1e-12, None))))

    from scipy.optimize import minimize_scalar  # training only: keeps the quality gate light

    res = minimize_scalar(nll, bounds=(-5.0, 3.0), method="bounded")
    return float(np.exp(res.x))


def ece(probs: np.ndarray, y: np.ndarray, bins: int = 15) -> float:
    """Expected calibration error of the top label."""
    conf = probs.max(axis=1)
    hit = probs.argmax(axis=1) == y
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in itertools.pairwise(edges):
        k = (conf > lo) & (conf <= hi)
        if k.any():
            total += k.mean() * abs(hit[k].mean() - conf[k].mean())
    return float(total)


def evaluate(model: dict[str, Any], feats: list[list[str]], y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities and predicted label indices of a model dict (as trained) on feature lists."""
    clf = cat.CategoryClassifier(model)
    x = cat.tfidf(cat.hash_features(feats, clf.n_features), clf.idf)
    probs = cat.softmax((np.asarray(x @ clf.coef_t) + clf.intercept).astype(np.float64), clf.temperature)
    return probs, probs.argmax(axis=1)
