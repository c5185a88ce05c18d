"""Plain typed records a store hands back where a dict of columns would be too loose (backend-neutral)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """What the pipeline needs to know about an already stored article to decide an outcome."""

    id: int
    content_hash: str
    title: str
    duplicate_of: int | None


@dataclass(frozen=True, slots=True)
class RelatedRow:
    """An article as related articles read it: what it is, where it belongs, its section, keyphrases and
    features (``terms``: the stored term-vector JSON of ``article_features``, None when not computed)."""

    id: int
    title: str
    source: str | None
    published_at: str | None
    url: str | None
    story_id: int | None
    duplicate_of: int | None
    section: str | None               # the category label
    section_conf: float | None        # the category's confidence
    phrases: tuple[str, ...]          # keyphrases as written, in stored order
    embedder: str | None
    terms: str | None


@dataclass(frozen=True, slots=True)
class EntityMentions:
    """One canonical entity in one article: its mentions summed over the article's surface forms of it."""

    article_id: int
    entity_id: int
    mentions: int
    forms: tuple[str, ...]
