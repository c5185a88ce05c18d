"""The Arabic web reader: server-rendered Jinja2 pages, right to left, no script.

Every template is autoescaped and nothing is marked safe: article text, titles, queries and highlights are
printed as text (highlights as escaped pieces inside ``<mark>``); links to outlets are http(s) only.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.exceptions import HTTPException

from marsad.errors import QueryError
from marsad.models import EntityType, SearchFilters, SearchMode
from marsad.version import __version__
from marsad.web import views
from marsad.web.api import DATE, MAX_ID, _clean, _feeds, front_page, full_story, watchlist_articles
from marsad.web.deps import WEB_DIR, cached, store_of

router = APIRouter(include_in_schema=False)
CATEGORY_OR_EMPTY = "^(" + "|".join(views.CATEGORIES_AR) + ")?$"

NAV = (("/", "الرئيسية"), ("/search", "بحث"), ("/stories", "القصص"), ("/entities", "الأسماء"),
       ("/sources", "المصادر"), ("/watchlists", "المراقبة"))


def _seg(value: Any) -> str:
    """One URL path segment (everything escaped, ``/`` included)."""
    return quote(str(value), safe="")


def _query(**params: Any) -> str:
    """A query string from the non-empty parameters (lists repeat their key)."""
    pairs: list[tuple[str, Any]] = []
    for key, value in params.items():
        for v in value if isinstance(value, (list, tuple)) else [value]:
            if v not in (None, "", False):
                pairs.append((key, v))
    return urlencode(pairs)


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The template environment: autoescape on for every template, undefined names are errors."""
    env = Environment(loader=FileSystemLoader(WEB_DIR / "templates"), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(seg=_seg, short_date=views.short_date, count_ar=views.count_ar, safe_href=views.safe_href,
                       category_ar=lambda c: views.CATEGORIES_AR.get(c or "", c or ""),
                       type_ar=lambda t: views.TYPES_AR.get(t or "", t or ""),
                       reason_ar=lambda r: views.REASONS_AR.get(r, r))
    env.globals.update(nav=NAV, version=__version__, query=_query, show_date=views.show_date,
                       segments=views.segments)
    return env


@dataclass(frozen=True, slots=True)
class FeedLink:
    """The Atom feed of a page: linked from its head (``rel=alternate``) and shown as a link on the page."""

    href: str
    title: str


def render(request: Request, template: str, *, status: int = 200, headers: dict[str, str] | None = None,
           feed: FeedLink | None = None, **context: Any) -> HTMLResponse:
    """A page: the template rendered with the request's path (for the current nav item), its feed and ``context``."""
    html = environment().get_template(template).render(path=request.url.path, feed=feed, **context)
    return HTMLResponse(html, status_code=status, headers=headers)


def error_page(request: Request, status: int, message: str, *, headers: dict[str, str] | None = None) -> HTMLResponse:
    """The reader's error page (no details beyond the message)."""
    titles = {404: "الصفحة غير موجودة", 400: "طلب غير مفهوم", 422: "قيمة غير صالحة", 413: "الطلب كبير جداً",
              405: "طريقة غير مسموحة", 503: "المخزن غير متاح", 500: "خطأ غير متوقع"}
    return render(request, "error.html", status=status, headers=headers, title=titles.get(status, "خطأ"),
                  message=message, status_code=status)


def _pager(total: int, limit: int, offset: int, base: str, **params: Any) -> dict[str, Any]:
    """Previous / next links of a list page."""
    page = offset // limit + 1
    pages = max(1, math.ceil(total / limit))
    prev = f"{base}?{_query(**params, offset=max(0, offset - limit))}" if offset > 0 else None
    nxt = f"{base}?{_query(**params, offset=offset + limit)}" if offset + limit < total else None
    return {"page": page, "pages": pages, "prev": prev, "next": nxt, "total": total}


Offset = Annotated[int, Query(ge=0, le=1_000_000)]


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    """Top stories now, breaking first."""
    size = request.app.state.options.front_page
    now, ranked = cached(request, ("front", size), lambda store: front_page(store, size))
    return render(request, "home.html", title="مرصد — أهم القصص الآن", now=now, ranked=ranked,
                  feed=FeedLink("/feeds/top.atom", "خلاصة أهم القصص"),
                  counts=cached(request, "counts", lambda store: store.reader_counts()))


@router.get("/stories", response_class=HTMLResponse)
def stories_page(request: Request, offset: Offset = 0,
                 min_size: Annotated[int, Query(ge=1, le=10_000)] = 2) -> HTMLResponse:
    """Every story, most recently updated first."""
    limit = request.app.state.options.page_size
    total, rows = store_of(request).story_page(min_size=min_size, limit=limit, offset=offset)
    return render(request, "stories.html", title="القصص", stories=rows, min_size=min_size,
                  pager=_pager(total, limit, offset, "/stories", min_size=min_size))


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story_page(request: Request, story_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> HTMLResponse:
    """Headline, summary, members by outlet, coverage per hour, entities, keyphrases."""
    story = full_story(request, story_id)
    if story is None:
        raise HTTPException(404, f"لا توجد قصة رقمها {story_id}")
    if story["id"] != story_id:
        return RedirectResponse(f"/stories/{story['id']}", status_code=301)   # type: ignore[return-value]
    return render(request, "story.html", title=story["headline"], story=story,
                  feed=FeedLink(f"/stories/{story_id}.atom", f"خلاصة القصة: {story['headline']}"),
                  groups=views.group_by_outlet(story.get("members") or []),
                  chart=views.timeline_chart(story.get("timeline") or []))


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(request: Request, article_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> HTMLResponse:
    """The clean text, source and link, Gregorian and Hijri dates, tags, entities, the related list."""
    from marsad.query.related import RelatedOptions, related

    store = store_of(request)
    art = store.get_article(article_id)
    if art is None:
        raise HTTPException(404, f"لا يوجد مقال رقمه {article_id}")
    rel = related(store, article_id, RelatedOptions(k=8))
    seen: dict[str, dict[str, Any]] = {}
    for m in art.get("entities") or []:
        cid = m.get("canonical_id")
        if cid:
            entry = seen.setdefault(cid, {"cid": cid, "name": m.get("canonical_name") or m.get("text", ""),
                                          "type": m.get("type", ""), "count": 0})
            entry["count"] += 1
    ents = sorted(seen.values(), key=lambda e: (-e["count"], e["name"]))
    story = store.get_story(art["story_id"], members=False) if art.get("story_id") else None
    original = store.get_article(art["duplicate_of"]) if art.get("duplicate_of") else None
    return render(request, "article.html", title=art.get("display_title") or art.get("title") or "مقال", art=art,
                  paragraphs=views.paragraphs(art.get("text") or ""), entities=ents, related=rel.items,
                  story=story, original=original, published=views.show_date(art.get("published_at")),
                  updated=views.show_date(art.get("updated_at")))


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, q: Annotated[str, Query(max_length=500)] = "",
                source: Annotated[str, Query(max_length=200)] = "",
                since: Annotated[str, Query(max_length=10)] = "", until: Annotated[str, Query(max_length=10)] = "",
                category: Annotated[str, Query(pattern=CATEGORY_OR_EMPTY)] = "",
                entity: Annotated[str, Query(max_length=200)] = "",
                mode: SearchMode = SearchMode.LEXICAL,
                k: Annotated[int, Query(ge=1, le=50)] = 10) -> HTMLResponse:
    """The search form with filters; results grouped by story, matched words marked."""
    from marsad.query import search as do_search

    store = store_of(request)
    form = {"q": q, "source": source, "since": since, "until": until, "category": category, "entity": entity,
            "mode": mode}
    sources = store.source_names()
    response, error = None, None
    query = _clean(q)
    if query:
        try:
            for name in ("since", "until"):
                if form[name] and not re.fullmatch(DATE, form[name]):
                    raise QueryError("اكتب التاريخ على الصورة YYYY-MM-DD (أو YYYY-MM أو YYYY)")
            filters = SearchFilters(sources=(source,) if _clean(source) else (), since=since or None,
                                    until=until or None, category=category or None, entity=_clean(entity))
            response = do_search(store, query, k=k, filters=filters, mode=mode, group_by_story=True)
        except QueryError as exc:
            error = exc.message
    more = f"/search?{_query(**form, k=min(50, k + 10))}" if response and len(response.groups or []) == k < 50 else None
    feed_query = _query(**{**form, "mode": "" if mode == SearchMode.LEXICAL else mode})
    feed = FeedLink(f"/search.atom?{feed_query}", f"خلاصة البحث: {query}") if response else None
    return render(request, "search.html", status=400 if error else 200, title=f"بحث: {q}" if q else "بحث", feed=feed,
                  form=form, more=more, sources=sources, categories=views.CATEGORIES_AR, response=response, error=error)


@router.get("/entities", response_class=HTMLResponse)
def entities_page(request: Request, offset: Offset = 0, type: EntityType | None = None,
                  prefix: Annotated[str, Query(max_length=200)] = "") -> HTMLResponse:
    """Entities, most mentioned first, with their spellings."""
    from marsad.text.names import name_key

    limit = request.app.state.options.page_size
    key = name_key(_clean(prefix) or "") or None if prefix else None
    total, rows = store_of(request).entity_page(type_=type, prefix=key, limit=limit, offset=offset)
    return render(request, "entities.html", title="الأسماء", entities=rows, type=type, prefix=prefix,
                  types=views.TYPES_AR, pager=_pager(total, limit, offset, "/entities", type=type, prefix=prefix))


@router.get("/entities/{cid}", response_class=HTMLResponse)
def entity_page(request: Request, cid: Annotated[str, Path(min_length=3, max_length=200)]) -> HTMLResponse:
    """Every spelling seen, counts, the stories it appears in, its latest articles."""
    store = store_of(request)
    row = store.get_entity(_clean(cid) or "")
    if row is None:
        raise HTTPException(404, f"لا يوجد اسم بالمعرّف {cid}")
    stories = store.entity_stories(row["canonical_id"], limit=20)
    _, latest = store.list_articles(SearchFilters(entity=row["canonical_id"]), limit=10)
    return render(request, "entity.html", title=row["canonical_name"], entity=row, stories=stories, latest=latest,
                  feed=FeedLink(f"/entities/{_seg(row['canonical_id'])}.atom", f"خلاصة {row['canonical_name']}"))


@router.get("/sources", response_class=HTMLResponse)
def sources_page(request: Request) -> HTMLResponse:
    """Every outlet with its volume, and the watched feeds."""
    store = store_of(request)
    return render(request, "sources.html", title="المصادر", sources=store.list_sources(), feeds=_feeds(store))


@router.get("/sources/{name:path}", response_class=HTMLResponse)
def source_page(request: Request, name: Annotated[str, Path(min_length=1, max_length=200)],
                offset: Offset = 0) -> HTMLResponse:
    """Volume per day as a chart, feed health, latest articles."""
    store = store_of(request)
    name = _clean(name) or ""
    row = store.source_summary(name)
    if row is None:
        raise HTTPException(404, f"لا توجد مقالات من مصدر اسمه {name}")
    limit = request.app.state.options.page_size
    total, latest = store.list_articles(SearchFilters(sources=(name,), include_duplicates=True), limit=limit,
                                        offset=offset)
    return render(request, "source.html", title=name, source=row, chart=views.volume_chart(store.source_volume(name)),
                  feeds=_feeds(store, name), latest=latest,
                  feed=FeedLink(f"/sources/{_seg(name)}.atom", f"خلاصة {name}"),
                  pager=_pager(total, limit, offset, f"/sources/{_seg(name)}"))


HEALTH_AR = {"ok": "سليمة", "retrying": "تُعاد المحاولة", "failing": "متعطلة", "idle": "بلا تنبيهات"}
STATUS_AR = {"sent": "أُرسل", "pending": "ينتظر", "failed": "فشل"}


def _with_health(row: dict[str, Any]) -> dict[str, Any]:
    """A watchlist with its delivery health in one word: failing (an alert given up), retrying (an alert waiting
    after a failed attempt), ok (alerts sent), idle (none yet)."""
    health = ("failing" if row["failed"] else "retrying" if row["pending"] and row["last_error"] else
              "ok" if row["sent"] or row["pending"] else "idle")
    return {**{k: v for k, v in row.items() if k != "secret"}, "health": health}


@router.get("/watchlists", response_class=HTMLResponse)
def watchlists_page(request: Request) -> HTMLResponse:
    """Every watchlist: what it watches, its matches and the health of its deliveries."""
    rows = [_with_health(r) for r in store_of(request).list_watchlists()]
    return render(request, "watchlists.html", title="قوائم المراقبة", watchlists=rows, health_ar=HEALTH_AR)


@router.get("/watchlists/{name}", response_class=HTMLResponse)
def watchlist_page(request: Request, name: Annotated[str, Path(min_length=1, max_length=80)]) -> HTMLResponse:
    """One watchlist: its matches (latest first), its last alerts and how their delivery went."""
    store = store_of(request)
    name = _clean(name) or ""
    row = next((r for r in store.list_watchlists() if r["name"] == name), None)
    if row is None:
        raise HTTPException(404, f"لا توجد قائمة مراقبة اسمها {name}")
    return render(request, "watchlist.html", title=name, watchlist=_with_health(row),
                  articles=watchlist_articles(store, name, 30), alerts=store.recent_alerts(name, limit=20),
                  health_ar=HEALTH_AR, status_ar=STATUS_AR, feed=FeedLink(f"/watchlists/{_seg(name)}.atom",
                                                                           f"خلاصة {name}"))
