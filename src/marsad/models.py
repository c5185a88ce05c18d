"""Shared data types that flow through the stages: RawDocument in, Article out."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, Literal, get_args

from marsad.errors import QueryError

EntityType = Literal["PERS", "LOC", "ORG", "MISC"]
"""Named-entity types (ANERcorp's): person, location, organization, miscellaneous."""
ENTITY_TYPES: tuple[EntityType, ...] = get_args(EntityType)


@dataclass(slots=True)
class RawDocument:
    """One input unit as read from a source, before extraction.

    ``data`` is the raw bytes exactly as read (kept content-addressed in the store).
    ``kind`` says how to extract it: ``html``, ``text`` or ``record`` (a JSON record whose
    fields are in ``fields``). ``ref`` names where it came from (path, path:line, URL, WARC offset).
    """

    data: bytes
    kind: DocumentKind
    ref: str
    url: str | None = None
    media_type: str | None = None
    charset: str | None = None          # declared by the transport (HTTP header, WARC), if any
    fetched_at: str | None = None       # ISO 8601; anchors relative dates like "منذ 3 ساعات"
    source: str | None = None           # outlet name supplied by the caller or the record
    fields: dict[str, Any] = field(default_factory=dict)
    sha256: str = ""


@dataclass(slots=True)
class Article:
    """A clean article recovered from a page or record. Field names are a stable contract."""

    url: str | None = None
    source: str | None = None
    title: str = ""
    text: str = ""
    published_at: str | None = None
    updated_at: str | None = None
    language: str | None = None
    tags: list[str] = field(default_factory=list)
    related_headlines: list[str] = field(default_factory=list)
    origin: dict[str, Any] = field(default_factory=dict)
    raw_sha256: str = ""
    external_id: str | None = None
    author: str | None = None
    site_name: str | None = None
    canonical_url: str | None = None
    display_title: str = ""              # title, or a headline derived for readers when title is empty
    title_derived: bool = False          # True when display_title was derived, not found on the page
    id: int | None = None                # assigned by the store
    content_hash: str = ""               # sha1 of match-normalized text; assigned by the pipeline
    entities: list[dict[str, Any]] = field(default_factory=list)    # mentions (see marsad.enrich.entities)
    keyphrases: list[dict[str, Any]] = field(default_factory=list)  # {"phrase", "score"}, ranked
    category: dict[str, Any] | None = None                          # {"label", "confidence"}
    text_source: str = "page"            # "page": text from the input itself; "feed": a feed item's own text

    def to_dict(self) -> dict[str, Any]:
        """Return the article as a JSON-ready dict (the stable article JSON)."""
        return asdict(self)


ARTICLE_JSON_FIELDS = (
    "id", "external_id", "url", "source", "title", "text", "published_at", "updated_at",
    "language", "tags", "related_headlines", "origin", "raw_sha256",
)
"""Fields every article JSON carries (issue contract). More may be added, never renamed."""


_ISO_PREFIX = re.compile(
    r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])([T ]([01]\d|2[0-3])(:[0-5]\d(:[0-5]\d)?)?)?)?)?", re.ASCII)


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """What a search is limited to; every backend applies the same filters.

    ``since`` / ``until`` are ISO date prefixes compared with the publication time in UTC (the store's
    ``published_utc`` key, not the page-local ``published_at`` text; ``until`` is inclusive: ``2018-03`` keeps all
    of March). ``entity`` is a canonical id ``TYPE:key`` or an entity row id.
    Duplicates (rows with ``duplicate_of``) are left out unless ``include_duplicates``.
    """

    sources: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    category: str | None = None
    entity: str | int | None = None
    story_id: int | None = None
    include_duplicates: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.sources, str):
            object.__setattr__(self, "sources", (self.sources,))
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None and not _ISO_PREFIX.fullmatch(value):
                raise QueryError(f"{name} {value!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD")
        if self.since and self.until and self.since[: len(self.until)] > self.until:
            raise QueryError(f"since {self.since} is after until {self.until}: no article can match")


class Outcome(StrEnum):
    """Where one input ended (the ``outcomes`` table): every input ends in exactly one of these."""

    STORED = "stored"
    UPDATED = "updated"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


class RunStatus(StrEnum):
    """How an ingestion run ended."""

    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


class ErrorPolicy(StrEnum):
    """What a bad input does to a batch: ``reject`` logs it and goes on, ``raise`` stops at it."""

    REJECT = "reject"
    RAISE = "raise"


class SearchMode(StrEnum):
    """How ``search`` ranks: words (FTS), meaning (embeddings), or both fused (RRF)."""

    LEXICAL = "lexical"
    SEMANTIC = "semantic"
    HYBRID = "hybrid"


DocumentKind = Literal["html", "text", "record"]
"""How a ``RawDocument`` is extracted."""
