"""The JSON API (``/api/...``): thin over the store, search and related; every parameter validated.

Endpoints are plain ``def``: FastAPI runs them in worker threads, each with its own read-only connection.
"""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Annotated, Any, Literal, Protocol

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.exceptions import HTTPException

from marsad.models import EntityType, SearchFilters, SearchMode
from marsad.store.base import FeedStateStore, ReaderStore, StoryStore
from marsad.times import as_utc, parse_iso, to_iso
from marsad.version import __version__
from marsad.web import schemas
from marsad.web.deps import cached, check_token, store_of
from marsad.web.views import feed_health, rank_stories

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": schemas.ErrorResponse, "description": text}
    for code, text in ((400, "Bad query"), (404, "Not found"), (422, "Invalid parameter"),
                       (503, "Store unavailable"))
}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS, **{code: {"model": schemas.ErrorResponse, "description": text}
                 for code, text in ((401, "No token"), (403, "Read-only server or wrong token"),
                                    (413, "Body too large"))}}

router = APIRouter(prefix="/api", responses=ERRORS)

MAX_ID = 2**62
DATE = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"
CATEGORIES = Literal["politics", "economy", "sport", "technology", "culture", "society"]
FRONT_WINDOWS_H = (72, 24 * 14, None)
"""The front page reads stories updated this many hours before now, widening while too few are found."""

Limit = Annotated[int, Query(ge=1, le=100, description="Items per page (1-100).")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip.")]
ArticleId = Annotated[int, Path(ge=1, le=MAX_ID, description="Article id.")]
Text200 = Annotated[str | None, Query(max_length=200)]
Since = Annotated[str | None, Query(pattern=DATE, description="Published on or after (YYYY[-MM[-DD]]).")]
Until = Annotated[str | None, Query(pattern=DATE, description="Published on or before, inclusive (YYYY[-MM[-DD]]).")]


def _next(total: int, limit: int, offset: int) -> int | None:
    return offset + limit if offset + limit < total else None


def _clean(value: str | None) -> str | None:
    """A text parameter without NUL and surrogates (which SQLite and UTF-8 cannot take), None when empty."""
    if value is None:
        return None
    value = value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8").strip()
    return value or None


class FrontPageStore(ReaderStore, StoryStore, Protocol):
    """What the front page reads: the latest publication time and stories (pages of them, and by update time)."""


def front_page(store: FrontPageStore, limit: int) -> tuple[str | None, list[Any]]:
    """("now", ranked stories): now is the latest publication time in the store, not the wall clock."""
    now = parse_iso(store.latest_published())
    if now is None:                       # nothing dated: the latest story update stands for now
        _, rows = store.story_page(limit=limit)
        known = [as_utc(t) for t in (parse_iso(r.get("last_updated")) for r in rows) if t]
        if not known:
            return None, []
        return to_iso(max(known)), rank_stories(rows, max(known))[:limit]
    now = as_utc(now)
    stories: list[dict[str, Any]] = []
    for hours in FRONT_WINDOWS_H:
        since = None if hours is None else to_iso(now - timedelta(hours=hours))
        stories = store.list_stories(since=since, limit=500)
        if sum(1 for s in stories if s["size"] >= 2) >= limit:
            break
    return to_iso(now), rank_stories(stories, now)[:limit]


@router.get("/health", response_model=schemas.Health, summary="The store is readable; counts")
def health(request: Request) -> dict[str, Any]:
    """Counts of the store and whether writes are enabled."""
    counts = cached(request, "counts", lambda store: store.reader_counts())
    return {"status": "ok", "version": __version__, "writable": request.app.state.options.token is not None,
            **counts}


@router.get("/articles", response_model=schemas.ArticlePage, summary="Articles, newest first, with filters")
def articles(request: Request, limit: Limit = 20, offset: Offset = 0,
             source: Annotated[list[str] | None, Query(max_length=20)] = None,
             since: Since = None, until: Until = None, category: CATEGORIES | None = None,
             story: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
             include_duplicates: bool = False) -> dict[str, Any]:
    """A page of article summaries (id, title, source, time, URL, story, category)."""
    sources = tuple(s for s in (_clean(x) for x in source or []) if s)
    filters = SearchFilters(sources=sources, since=since, until=until, category=category, story_id=story,
                            include_duplicates=include_duplicates)
    total, rows = store_of(request).list_articles(filters, limit=limit, offset=offset)
    return {"total": total, "limit": limit, "offset": offset, "next_offset": _next(total, limit, offset),
            "items": rows}


@router.get("/articles/{article_id}", response_model=schemas.Article, summary="One article (the article JSON)")
def article(request: Request, article_id: ArticleId) -> dict[str, Any]:
    """The stored article with its text, enrichment, story and duplicate links."""
    art = store_of(request).get_article(article_id)
    if art is None:
        raise HTTPException(404, f"no article {article_id}")
    return art


@router.get("/articles/{article_id}/related", response_model=schemas.RelatedResponse,
            summary="Related articles with the reason for each")
def related_articles(request: Request, article_id: ArticleId,
                     k: Annotated[int, Query(ge=1, le=50)] = 10) -> dict[str, Any]:
    """Same story first, then shared entities and topic, then semantic neighbours; copies folded."""
    from marsad.query.related import RelatedOptions, related

    store = store_of(request)
    if store.get_article(article_id) is None:
        raise HTTPException(404, f"no article {article_id}")
    return related(store, article_id, RelatedOptions(k=k)).to_dict()


@router.get("/stories", response_model=schemas.StoryPage, summary="Stories, most recently updated first")
def stories(request: Request, limit: Limit = 20, offset: Offset = 0,
            min_size: Annotated[int, Query(ge=1, le=10_000)] = 1) -> dict[str, Any]:
    """A page of stories (without members: ask for one story to get them)."""
    total, rows = store_of(request).story_page(min_size=min_size, limit=limit, offset=offset)
    return {"total": total, "limit": limit, "offset": offset, "next_offset": _next(total, limit, offset),
            "items": rows}


@router.get("/stories/top", response_model=schemas.FrontPage, summary="Top stories now (breaking first)")
def top_stories(request: Request, limit: Annotated[int, Query(ge=1, le=50)] = 12) -> dict[str, Any]:
    """Stories ranked by how fast their coverage grows before "now" (the store's latest publication time)."""
    now, ranked = cached(request, ("front", limit), lambda store: front_page(store, limit))
    return {"now": now, "items": [{"story": r.story, "score": r.score, "recent": r.recent, "previous": r.previous,
                                   "recent_outlets": r.recent_outlets, "breaking": r.breaking} for r in ranked]}


def full_story(request: Request, story_id: int) -> dict[str, Any] | None:
    """A story with its members, summary sentences and what's new (None when there is none)."""
    from marsad.query.summaries import with_summary

    store = store_of(request)
    row = store.get_story(story_id, members=True)
    return None if row is None or not row.get("size") else with_summary(store, row)


@router.get("/stories/{story_id}", response_model=schemas.StoryDetail,
            summary="One story with members, timeline, summary and what's new")
def story(request: Request, story_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> dict[str, Any]:
    """A story (a merged one answers with the story it was merged into) with its member articles, its extractive
    summary across outlets (``summary``: sentences linked to their articles) and ``whats_new``."""
    row = full_story(request, story_id)
    if row is None:
        raise HTTPException(404, f"no story {story_id}")
    return row


@router.get("/search", response_model=schemas.SearchResponse, summary="Arabic-aware search with filters")
def search(request: Request, q: Annotated[str, Query(min_length=1, max_length=500, description="The query.")],
           k: Annotated[int, Query(ge=1, le=100)] = 10,
           source: Annotated[list[str] | None, Query(max_length=20)] = None,
           since: Since = None, until: Until = None, category: CATEGORIES | None = None,
           entity: Text200 = None, story: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
           mode: SearchMode = SearchMode.LEXICAL, group: bool = False,
           include_duplicates: bool = False) -> dict[str, Any]:
    """Every word in its exact or stemmed form, "phrases", -exclusions, OR; hits with escaped, marked snippets."""
    from marsad.query import search as do_search

    sources = tuple(s for s in (_clean(x) for x in source or []) if s)
    filters = SearchFilters(sources=sources, since=since, until=until, category=category, entity=_clean(entity),
                            story_id=story, include_duplicates=include_duplicates)
    return do_search(store_of(request), _clean(q) or "", k=k, filters=filters, mode=mode,
                     group_by_story=group).to_dict()


@router.get("/entities", response_model=schemas.EntityPage, summary="Entities with every spelling seen")
def entities(request: Request, limit: Limit = 20, offset: Offset = 0, type: EntityType | None = None,
             prefix: Text200 = None) -> dict[str, Any]:
    """Canonical entities, most mentioned first, with their variants; ``prefix`` filters on the name key."""
    from marsad.text.names import name_key

    key = name_key(_clean(prefix) or "") or None if prefix else None
    total, rows = store_of(request).entity_page(type_=type, prefix=key, limit=limit, offset=offset)
    return {"total": total, "limit": limit, "offset": offset, "next_offset": _next(total, limit, offset),
            "items": rows}


@router.get("/entities/{cid}", response_model=schemas.EntityDetail, summary="One entity and its stories")
def entity(request: Request, cid: Annotated[str, Path(min_length=3, max_length=200, pattern=r"^(PERS|LOC|ORG|MISC):.+",
                                                       description="Canonical id TYPE:key")],
           stories: Annotated[int, Query(ge=1, le=100)] = 20) -> dict[str, Any]:
    """Every spelling variant seen, counts, and the stories it appears in."""
    store = store_of(request)
    row = store.get_entity(_clean(cid) or "")
    if row is None:
        raise HTTPException(404, f"no entity {cid}")
    row["stories"] = store.entity_stories(row["canonical_id"], limit=stories)
    return row


def _feeds(store: FeedStateStore, source: str | None = None) -> list[dict[str, Any]]:
    rows = [dict(r) for r in store.list_feeds()]
    for row in rows:
        row["health"] = feed_health(row)
    return [r for r in rows if source is None or r.get("source") == source]


@router.get("/sources", response_model=schemas.SourceList, summary="Outlets with volume; feed health")
def sources(request: Request) -> dict[str, Any]:
    """Every outlet with its article count and span, and every watched feed's health."""
    store = store_of(request)
    return {"items": store.list_sources(), "feeds": _feeds(store)}


@router.get("/sources/{name:path}", response_model=schemas.SourceDetail, summary="One outlet: volume per day, feeds")
def source(request: Request, name: Annotated[str, Path(min_length=1, max_length=200)]) -> dict[str, Any]:
    """Articles per publication day and the health of the outlet's feeds."""
    store = store_of(request)
    name = _clean(name) or ""
    row = store.source_summary(name)
    if row is None:
        raise HTTPException(404, f"no articles from a source named {name!r}")
    return {**row, "volume": store.source_volume(name), "feeds": _feeds(store, name)}


def _ingest(request: Request, records: list[dict[str, Any]]) -> dict[str, Any]:
    """Ingest JSONL records into the store (one writer at a time), with enrichment and clustering."""
    from marsad.config import IngestOptions
    from marsad.ingestion.pipeline import ingest
    from marsad.store import open_store

    check_token(request)
    data = "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode("utf-8")
    pool = request.app.state.pool
    with pool.write_lock:
        store = open_store(pool.path)
        try:
            report = ingest(["-"], store, IngestOptions(max_input_bytes=request.app.state.options.max_body_bytes),
                            stdin=io.BytesIO(data))
        finally:
            store.close()
    return report.to_dict()


@router.post("/ingest/page", response_model=schemas.IngestReport, responses=WRITE_ERRORS,
             dependencies=[Depends(check_token)],
             summary="Ingest one page's HTML (needs the token)")
def ingest_page(request: Request, page: schemas.PageSubmission) -> dict[str, Any]:
    """Extract, enrich, deduplicate and store the articles of one page."""
    record: dict[str, Any] = {"html": page.html}
    if page.url:
        record["url"] = page.url
    if page.source:
        record["source"] = page.source
    return _ingest(request, [record])


@router.post("/ingest/records", response_model=schemas.IngestReport, responses=WRITE_ERRORS,
             dependencies=[Depends(check_token)],
             summary="Ingest JSONL records (needs the token)")
def ingest_records(request: Request, body: schemas.RecordSubmission) -> dict[str, Any]:
    """Each record as one line of the JSONL input (url, source, title, text or html, published, ...)."""
    return _ingest(request, body.records)


WatchlistName = Annotated[str, Path(min_length=1, max_length=80, description="Watchlist name.")]


def watchlist_articles(store: Any, name: str, limit: int = 50) -> list[dict[str, Any]]:
    """The articles a watchlist matched (as list rows), latest match first."""
    rows = []
    for aid in store.watchlist_article_ids(name, limit=limit):
        art = store.get_article(aid)
        if art is not None:
            category = art.get("category")
            rows.append({"id": art["id"], "title": art.get("display_title") or art.get("title") or "",
                         "source": art.get("source"), "published_at": art.get("published_at"),
                         "url": art.get("url"), "story_id": art.get("story_id"),
                         "duplicate_of": art.get("duplicate_of"),
                         "category": category.get("label") if isinstance(category, dict) else None})
    return rows


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "secret"}


@router.get("/watchlists", response_model=schemas.WatchlistList, summary="Watchlists with their delivery health")
def watchlists(request: Request) -> dict[str, Any]:
    """Every watchlist (not its secret) with matches and alerts pending, sent and failed."""
    return {"watchlists": [_public(r) for r in store_of(request).list_watchlists()]}


@router.get("/watchlists/{name}", response_model=schemas.WatchlistDetail,
            summary="A watchlist, its latest matches and alerts")
def watchlist(request: Request, name: WatchlistName) -> dict[str, Any]:
    """A watchlist with its health, the articles it matched (latest first) and its latest alerts."""
    store = store_of(request)
    name = _clean(name) or ""
    row = next((r for r in store.list_watchlists() if r["name"] == name), None)
    if row is None:
        raise HTTPException(404, f"no watchlist named {name!r}")
    alerts = [{k: v for k, v in a.items() if k != "body"} for a in store.recent_alerts(name, limit=20)]
    return {**_public(row), "articles": watchlist_articles(store, name), "alerts": alerts}


def _writable(request: Request) -> Any:
    from marsad.store import open_store

    return open_store(request.app.state.pool.path)


@router.post("/watchlists", response_model=schemas.WatchlistCreated, status_code=201,
             responses={**WRITE_ERRORS, 409: {"model": schemas.ErrorResponse, "description": "Name taken"}},
             dependencies=[Depends(check_token)], summary="Add a watchlist (needs the token)")
def add_watchlist(request: Request, body: schemas.WatchlistSubmission) -> dict[str, Any]:
    """Add a watchlist; the answer holds the secret its webhooks are signed with, shown this once."""
    from marsad.ingestion.alerts import make_watchlist

    row = make_watchlist(body.name, query=body.query, entity=body.entity, sources=body.sources,
                         category=body.category, min_outlets=body.min_outlets, webhook=body.webhook,
                         email=body.email, digest=body.digest)
    store = _writable(request)
    try:
        if not store.add_watchlist(row):
            raise HTTPException(409, f"there is already a watchlist named {row['name']!r}")
        stored = store.get_watchlist(row["name"])
    finally:
        store.close()
    return {**stored, "secret": row["secret"]}


@router.delete("/watchlists/{name}", status_code=204, responses=WRITE_ERRORS,
               dependencies=[Depends(check_token)], summary="Remove a watchlist (needs the token)")
def remove_watchlist(request: Request, name: WatchlistName) -> None:
    """Remove a watchlist with its matches and alerts."""
    store = _writable(request)
    try:
        if not store.remove_watchlist(_clean(name) or ""):
            raise HTTPException(404, f"no watchlist named {name!r}")
    finally:
        store.close()
