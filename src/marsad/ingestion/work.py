"""The per-article work of a run, the part any worker can do: extract, hash, enrich, featurize one input.

Kept apart from ``pipeline`` (which decides and writes) so that a worker process, local or on a Dask cluster
(``ingestion.distributed``), imports only what it runs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from marsad.config import ExtractOptions
from marsad.errors import InputError
from marsad.extraction import extract
from marsad.models import Article, RawDocument
from marsad.text.analyzer import Fields, analyze_fields, index_title
from marsad.text.tokenize import match_words


def content_hash(text: str) -> str:
    """Hash of the match-normalized words of ``text``: equal for texts a reader would call identical."""
    return hashlib.sha1(" ".join(match_words(text)).encode("utf-8")).hexdigest()


@dataclass(slots=True)
class Extracted:
    """The articles of one input, with their clustering features when clustering is on."""

    articles: list[Article]
    features: list[Any]      # marsad.enrich.features.Features | None, one per article
    index: list[Fields] = field(default_factory=list)   # the search index's analyzed fields, one per article


_Result = Extracted | tuple[str, str]


def _extract_safe(raw: RawDocument, options: ExtractOptions, enrich: bool = False,
                  embedder: str | None = None) -> _Result:
    try:
        articles = extract(raw, options)
        features: list[Any] = []
        index: list[Fields] = []
        for art in articles:  # hashed, enriched and featurized here so that worker processes share the cost
            art.content_hash = content_hash(art.text)
            if enrich:
                _enrich(art)
            if embedder is not None:
                from marsad.enrich.features import article_features

                features.append(article_features(art, embedder))
            else:
                features.append(None)
            index.append(analyze_fields(index_title(art), art.text or ""))   # the writer's index step, done here
        return Extracted(articles, features, index)
    except InputError as exc:
        return (exc.code, exc.message)
    except Exception as exc:  # a bug or an unexpected library error on one input must not stop the run
        return ("extract_error", f"{type(exc).__name__}: {exc}")


def preload(enrich: bool, embedder: str | None) -> None:
    """Load the models and tables the per-article work reads, once, in this process: worker processes forked
    afterwards inherit them (copy-on-write) instead of each loading its own (about 6 s of CPU and 300 MB each)."""
    if not enrich and embedder is None:
        return
    from marsad.enrich.keyphrases import default_df_table

    if enrich:
        from marsad.enrich.category import default_classifier
        from marsad.enrich.ner_net import selected_tagger

        selected_tagger()      # the tagger analyze() uses: the CRF, or the neural one with MARSAD_NER=neural
        default_classifier()
        default_df_table()
    if embedder is not None:
        from marsad.enrich.embed import get_embedder
        from marsad.enrich.features import story_df

        default_df_table()
        story_df()
        model = get_embedder(embedder) if embedder != "none" else None
        if model is not None:
            model.encode([" "])     # the USE encoder reads its weights on first use


def _enrich(art: Article) -> None:
    """Entities, keyphrases, category (and language when extraction had none) of one article."""
    from marsad.enrich.analyze import analyze

    analysis = analyze(art.text, art.title)
    art.entities = analysis.entities
    art.keyphrases = analysis.keyphrases
    art.category = analysis.category
    art.language = art.language or analysis.language


