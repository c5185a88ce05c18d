"""Response and request models of the JSON API: they document the OpenAPI schema and check every answer.

Models allow extra fields: the store adds fields over time (never renames them), and the API passes them on.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, create_model

from marsad import models
from marsad.query import engine, related
from marsad.stories import summary as story_summary


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


def model_of(cls: type, doc: str, *, required: tuple[str, ...] = (), first: tuple[str, ...] = (),
             overrides: dict[str, Any] | None = None, extra: dict[str, Any] | None = None) -> type[BaseModel]:
    """The API model of a domain dataclass: its fields, types and defaults, so the two are never declared twice.
    ``required`` fields must be present in every answer (the domain type may default them); ``first`` fixes the
    order of the leading JSON keys (``id`` first); ``overrides`` gives a field another (JSON) type; ``extra`` adds
    the fields the store or the API adds to the domain type."""
    hints = get_type_hints(cls)
    fields: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name in required:
            default: Any = ...
        elif f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = Field(default_factory=f.default_factory)
        else:
            default = ...
        fields[f.name] = (hints[f.name], default)
    for name, (type_, default) in (overrides or {}).items():
        fields[name] = (type_, ... if name in required else default)
    fields.update(extra or {})
    ordered = {name: fields[name] for name in first} | fields
    return create_model(cls.__name__, __base__=_Open, __doc__=doc, **ordered)


class ErrorBody(BaseModel):
    """What went wrong: a stable machine code and a message that says what to do."""

    code: str
    message: str
    details: list[dict[str, Any]] | None = None


class ErrorResponse(BaseModel):
    """Every error of the API: ``{"error": {"code", "message"}}``."""

    error: ErrorBody


class Health(BaseModel):
    """The store is readable, and what it holds."""

    status: str
    version: str
    articles: int
    stories: int
    entities: int
    latest_published: str | None
    schema_version: int
    writable: bool = Field(description="True when write endpoints are enabled (a token is configured).")


class ArticleSummary(_Open):
    """An article in a list."""

    id: int
    title: str
    source: str | None
    published_at: str | None
    url: str | None
    story_id: int | None
    duplicate_of: int | None
    category: str | None = None


class ArticlePage(BaseModel):
    """A page of articles."""

    total: int
    limit: int
    offset: int
    next_offset: int | None
    items: list[ArticleSummary]


if TYPE_CHECKING:                                     # the checker sees a model; the API gets the derived one
    class Article(_Open): ...
else:
    Article = model_of(
        models.Article, "The stable article JSON (see the README), with enrichment, story and duplicate links.",
        required=("id", "external_id", "url", "source", "title", "text", "published_at", "updated_at", "language",
                  "tags", "related_headlines", "origin", "raw_sha256"),
        first=("id", "external_id", "url", "source", "title", "display_title", "text", "published_at", "updated_at",
               "language", "tags", "related_headlines", "origin", "raw_sha256", "entities", "keyphrases", "category"),
        overrides={"id": (int, ...), "raw_sha256": (str | None, ...)},
        extra={"story_id": (int | None, None), "duplicate_of": (int | None, None)})


class Outlet(BaseModel):
    """An outlet covering a story and how many of its articles."""

    source: str
    articles: int


class TimelinePoint(BaseModel):
    """Articles of one outlet in one UTC hour (``YYYY-MM-DDTHH``)."""

    hour: str
    source: str
    articles: int


class StoryEntity(_Open):
    """An entity of a story."""

    canonical_id: str
    name: str
    type: str
    articles: int


class Keyphrase(_Open):
    """A ranked keyphrase."""

    phrase: str
    score: float


class StoryMember(_Open):
    """An article of a story."""

    id: int
    source: str | None
    url: str | None
    title: str
    published_at: str | None
    duplicate_of: int | None
    duplicate_reason: str | None


class Story(_Open):
    """One event across outlets: headline, summary, span, outlets, hourly timeline, entities, keyphrases."""

    id: int
    headline: str
    summary: str
    central_article: int | None
    first_seen: str | None
    last_updated: str | None
    size: int
    status: str
    outlets: list[Outlet]
    entities: list[StoryEntity]
    keyphrases: list[Keyphrase]
    timeline: list[TimelinePoint]
    members: list[StoryMember] | None = None
    lead: str | None = Field(None, description="The central article's lead (what ``summary`` holds in a list row).")


if TYPE_CHECKING:
    class SummarySentence(BaseModel):
        """One sentence of a story summary with the article it comes from."""
else:
    SummarySentence = model_of(story_summary.SummarySentence,
                               "One sentence of a story summary, with the article it comes from.")


class StoryDetail(Story):
    """One story in full: members, and the extractive summary across outlets with what is new in the latest
    articles (each sentence linked to its article)."""

    summary: list[SummarySentence] = Field(  # type: ignore[assignment]
        description="Three to five sentences across the story's outlets, no fact twice, in time order.")
    whats_new: list[SummarySentence] = Field(
        description="Sentences of the latest articles with no close match in earlier ones.")
    lead: str = Field(description="The central article's lead.")


class StoryPage(BaseModel):
    """A page of stories, most recently updated first."""

    total: int
    limit: int
    offset: int
    next_offset: int | None
    items: list[Story]


class RankedStory(BaseModel):
    """A story on the front page with how fast its coverage grows."""

    story: Story
    score: float = Field(description="Articles weighted by age (half-life 6 h before now) times outlets.")
    recent: int = Field(description="Articles in the 6 hours before now.")
    previous: int = Field(description="Articles in the 6 hours before those.")
    recent_outlets: int
    breaking: bool


class FrontPage(BaseModel):
    """Top stories "now": now is the store's latest publication time, not the wall clock."""

    now: str | None
    items: list[RankedStory]


if TYPE_CHECKING:
    class RelatedItem(_Open): ...
else:
    RelatedItem = model_of(related.RelatedItem, "An entry of a related list and why it is there.")


class RelatedResponse(BaseModel):
    """Articles related to one article."""

    article: dict[str, Any]
    k: int
    items: list[RelatedItem]


if TYPE_CHECKING:
    class SearchHit(_Open): ...
else:
    SearchHit = model_of(
        engine.SearchHit, "One article found, with a marked passage (offsets into ``snippet``; ``snippet_html`` is "
        "escaped).", required=("matched",),
        overrides={"highlights": (list[list[int]], ...), "title_highlights": (list[list[int]], ...)})


class SearchGroup(_Open):
    """Hits of one story."""

    story_id: int | None
    rank: int
    score: float
    best: int
    size: int
    hit_ids: list[int]
    others: list[dict[str, Any]]


class SearchResponse(_Open):
    """Search results (``marsad search --json``)."""

    query: str
    k: int
    total: int
    mode: str
    filters: dict[str, Any]
    hits: list[SearchHit]
    groups: list[SearchGroup] | None = None


class Variant(BaseModel):
    """One spelling of an entity and how often it was seen."""

    form: str
    count: int
    articles: int | None = None


class Entity(_Open):
    """A canonical entity with every spelling seen."""

    canonical_id: str
    canonical_name: str
    type: str
    latin: str | None
    mentions: int
    articles: int
    variants: list[Variant]


class EntityPage(BaseModel):
    """A page of entities, most mentioned first."""

    total: int
    limit: int
    offset: int
    next_offset: int | None
    items: list[Entity]


class EntityDetail(Entity):
    """An entity with the stories it appears in (``entity_articles``: its articles in each story)."""

    stories: list[Story]


class Feed(_Open):
    """A watched feed's health."""

    url: str
    source: str | None
    title: str | None
    health: str
    error_count: int
    last_success: str | None
    last_error: str | None
    interval: float
    articles: int


class Source(BaseModel):
    """An outlet and its volume."""

    source: str
    articles: int
    duplicates: int
    first_published: str | None
    last_published: str | None


class SourceList(BaseModel):
    """Every outlet, most articles first, and every watched feed."""

    items: list[Source]
    feeds: list[Feed]


class DayVolume(BaseModel):
    """Articles of an outlet on one publication day."""

    day: str
    articles: int


class SourceDetail(Source):
    """An outlet with its volume per day and its feeds."""

    volume: list[DayVolume]
    feeds: list[Feed]


class PageSubmission(BaseModel):
    """A page to ingest: its HTML as fetched, and where it came from."""

    model_config = ConfigDict(extra="forbid")

    html: str = Field(min_length=1, description="The page's HTML (UTF-8).")
    url: str | None = Field(default=None, max_length=2048, pattern=r"^https?://\S+$")
    source: str | None = Field(default=None, max_length=200)


class RecordSubmission(BaseModel):
    """Records to ingest, each one line of the JSONL input format (``url``, ``source``, ``title``, ``text``...)."""

    model_config = ConfigDict(extra="forbid")

    records: list[dict[str, Any]] = Field(min_length=1, max_length=500)


class IngestReport(_Open):
    """The run report of an ingest through the API (``marsad ingest --json``)."""

    run_id: int
    stored: int
    updated: int
    duplicate: int
    rejected: int


class WatchlistSubmission(BaseModel):
    """A watchlist to add (``marsad watchlist add``): at least one of query, entity, sources, category."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=80)
    query: str | None = Field(default=None, max_length=2000, description="Search syntax.")
    entity: str | None = Field(default=None, max_length=200, description="A name, every spelling counts.")
    sources: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=50)
    category: str | None = Field(default=None, max_length=50)
    min_outlets: int | None = Field(default=None, ge=2, le=1000)
    webhook: str | None = Field(default=None, max_length=2048, pattern=r"^https?://\S+$")
    email: str | None = Field(default=None, max_length=320)
    digest: Literal["hourly", "daily"] | None = None


class Watchlist(_Open):
    """A watchlist (never its secret) with its health: matches and alerts pending, sent and failed."""

    name: str
    query: str | None
    entity: str | None
    sources: list[str]
    category: str | None
    min_outlets: int | None
    webhook: str | None
    email: str | None
    digest: str | None
    created_at: str
    matches: int = 0
    pending: int = 0
    sent: int = 0
    failed: int = 0
    last_match_at: str | None = None
    last_sent_at: str | None = None
    last_error: str | None = None


class WatchlistCreated(Watchlist):
    """The watchlist added, with the secret its webhooks are signed with (shown this once)."""

    secret: str


class WatchlistList(BaseModel):
    """Every watchlist."""

    watchlists: list[Watchlist]


class Alert(_Open):
    """One alert of the outbox: where it goes and how its delivery went."""

    key: str
    channel: str
    target: str
    status: str
    attempts: int
    next_attempt_at: str
    last_error: str | None
    created_at: str
    sent_at: str | None
    article_id: int | None
    story_id: int | None


class WatchlistDetail(Watchlist):
    """A watchlist with its latest matches and alerts."""

    articles: list[ArticleSummary]
    alerts: list[Alert]
