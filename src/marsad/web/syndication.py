"""Atom feeds out: the front page, a story, an entity, an outlet and a search, each beside its reader page.

``/feeds/top.atom`` (top stories, one entry per story with its summary), ``/stories/{id}.atom``,
``/entities/{cid}.atom``, ``/sources/{name}.atom``, ``/search.atom?q=`` and ``/watchlists/{name}.atom`` (articles,
newest first). Every article feed is ``article_feed`` over a list of articles, so another one is one more query
and one more route. Conditional GET: an ``ETag`` (a hash of the body) and ``Last-Modified`` (the newest entry's
``updated``); ``If-None-Match`` is answered first and, only when it is absent, ``If-Modified-Since``, both with
304 (RFC 9110 section 13.2.2).
"""

from __future__ import annotations

from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from marsad.errors import QueryError
from marsad.models import SearchFilters, SearchMode
from marsad.store.story_text import lead
from marsad.times import utc_iso
from marsad.web import views
from marsad.web.api import CATEGORIES, MAX_ID, Since, Until, _clean, front_page, full_story
from marsad.web.atom import MEDIA_TYPE, Entry, Feed, Link, atom_time, render, tag_uri
from marsad.web.deps import cached, etag_of, store_of

router = APIRouter(include_in_schema=False)
FEED_ENTRIES = 30
"""Articles in an article feed."""
TOP_STORIES = 12
"""Stories in the front page feed."""


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _here(request: Request) -> str:
    """The absolute URI of this request (path percent-encoded, query as sent)."""
    query = f"?{request.url.query}" if request.url.query else ""
    return f"{_base(request)}{quote(request.url.path, safe='/:@')}{query}"


def _seg(value: Any) -> str:
    return quote(str(value), safe="")


def article_entry(base: str, art: dict[str, Any], summary: str | None = None) -> Entry:
    """An article as an entry: its reader page and its original as alternates, its outlet as author."""
    aid = int(art["id"])
    links = [Link(f"{base}/articles/{aid}", type="text/html", hreflang="ar", title="المقال في مرصد")]
    original = views.safe_href(art.get("url"))
    if original:
        links.append(Link(original, type="text/html", title="المقال في موقع المصدر"))
    published = atom_time(art.get("published_at")) if art.get("published_at") else None
    updated = atom_time(art.get("updated_at") or art.get("published_at") or art.get("created_at"))
    category = (art.get("category") or {}).get("label") if isinstance(art.get("category"), dict) else None
    return Entry(id=tag_uri(f"article/{aid}"), title=art.get("display_title") or art.get("title") or "مقال",
                 updated=max(updated, published) if published else updated, published=published,
                 authors=[art["source"]] if art.get("source") else [], links=links,
                 summary=summary if summary is not None else lead(str(art.get("text") or "")),
                 categories=[views.CATEGORIES_AR.get(category, category)] if category else [])


def story_entry(base: str, story: dict[str, Any]) -> Entry:
    """A story as an entry: headline, summary sentences, outlets as authors, its page and its own feed."""
    sid = int(story["id"])
    sentences = story.get("summary")
    text = " ".join(s["text"] for s in sentences) if isinstance(sentences, list) else str(sentences or "")
    return Entry(id=tag_uri(f"story/{sid}"), title=story.get("headline") or "قصة",
                 updated=atom_time(story.get("last_updated")),
                 published=atom_time(story.get("first_seen")) if story.get("first_seen") else None,
                 authors=[o["source"] for o in (story.get("outlets") or [])[:8] if o.get("source")],
                 links=[Link(f"{base}/stories/{sid}", type="text/html", hreflang="ar", title="القصة في مرصد"),
                        Link(f"{base}/stories/{sid}.atom", type="application/atom+xml", title="خلاصة القصة")],
                 summary=text or story.get("lead") or "")


def article_feed(request: Request, what: str, title: str, page: str, articles: list[dict[str, Any]], *,
                 subtitle: str = "") -> Feed:
    """A feed of articles (full article JSON, newest first): ``what`` names it in its id, ``page`` is the
    reader page it mirrors (a path)."""
    base = _base(request)
    entries = [article_entry(base, a) for a in articles]
    entries.sort(key=lambda e: (e.updated, e.id), reverse=True)
    return Feed(id=tag_uri(f"feed/{what}"), title=title, subtitle=subtitle, entries=entries,
                links=[Link(_here(request), rel="self", type="application/atom+xml"),
                       Link(f"{base}{page}", type="text/html", hreflang="ar")],
                fallback_updated=atom_time(store_of(request).latest_published()))


def _full(request: Request, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Whole articles (with text) of list rows."""
    store = store_of(request)
    found = [store.get_article(int(r["id"])) for r in rows]
    return [a for a in found if a is not None]


def atom_response(request: Request, feed: Feed) -> Response:
    """The feed, or 304 when the client's copy is current (by ETag, else by date)."""
    body = render(feed)
    etag = etag_of(body)
    headers = {"etag": etag, "last-modified": format_datetime(feed.updated, usegmt=True)}
    wants = request.headers.get("if-none-match")
    if wants is not None:
        if wants.strip() == "*" or etag in [t.strip().removeprefix("W/") for t in wants.split(",")]:
            return Response(status_code=304, headers=headers)
    elif since := request.headers.get("if-modified-since"):
        try:
            if feed.updated.replace(microsecond=0) <= parsedate_to_datetime(since):
                return Response(status_code=304, headers=headers)
        except (TypeError, ValueError, IndexError):
            pass                                           # an unreadable date is ignored (RFC 9110)
    return Response(body, media_type=MEDIA_TYPE, headers=headers)


@router.get("/feeds/top.atom")
def top_feed(request: Request) -> Response:
    """The front page: the top stories now, each with its summary."""
    def compute(store: Any) -> list[dict[str, Any]]:
        from marsad.query.summaries import with_summary

        _, ranked = front_page(store, TOP_STORIES)
        return [with_summary(store, store.get_story(r.story["id"], members=True) or r.story) for r in ranked]

    stories = cached(request, ("top-feed", TOP_STORIES), compute)
    base = _base(request)
    feed = Feed(id=tag_uri("feed/top"), title="مرصد — أهم القصص الآن",
                subtitle="القصص التي تنمو تغطيتها أسرع، مع ملخص من مصادرها",
                entries=[story_entry(base, s) for s in stories],
                links=[Link(_here(request), rel="self", type="application/atom+xml"),
                       Link(f"{base}/", type="text/html", hreflang="ar")],
                fallback_updated=atom_time(store_of(request).latest_published()))
    return atom_response(request, feed)


@router.get("/stories/{story_id}.atom")
def story_feed(request: Request, story_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Response:
    """A story's articles, newest first (copies left out); the summary is the feed's subtitle."""
    story = full_story(request, story_id)
    if story is None:
        raise HTTPException(404, f"لا توجد قصة رقمها {story_id}")
    members = [m for m in story.get("members") or [] if m.get("duplicate_of") is None]
    members.sort(key=lambda m: (utc_iso(m.get("published_at")) or "", m["id"]), reverse=True)   # in UTC order
    subtitle = " ".join(s["text"] for s in story["summary"]) or story.get("lead") or ""
    feed = article_feed(request, f"story/{story['id']}", f"قصة: {story['headline']}", f"/stories/{story['id']}",
                        _full(request, members[:FEED_ENTRIES]), subtitle=subtitle)
    return atom_response(request, feed)


@router.get("/entities/{cid}.atom")
def entity_feed(request: Request, cid: Annotated[str, Path(min_length=3, max_length=200)]) -> Response:
    """The latest articles naming an entity."""
    store = store_of(request)
    row = store.get_entity(_clean(cid) or "")
    if row is None:
        raise HTTPException(404, f"لا يوجد اسم بالمعرّف {cid}")
    _, rows = store.list_articles(SearchFilters(entity=row["canonical_id"]), limit=FEED_ENTRIES)
    feed = article_feed(request, f"entity/{row['canonical_id']}", f"أخبار {row['canonical_name']}",
                        f"/entities/{_seg(row['canonical_id'])}", _full(request, rows))
    return atom_response(request, feed)


@router.get("/sources/{name:path}.atom")
def source_feed(request: Request, name: Annotated[str, Path(min_length=1, max_length=200)]) -> Response:
    """An outlet's latest articles (copies included, as on its page)."""
    store = store_of(request)
    name = _clean(name) or ""
    if store.source_summary(name) is None:
        raise HTTPException(404, f"لا توجد مقالات من مصدر اسمه {name}")
    _, rows = store.list_articles(SearchFilters(sources=(name,), include_duplicates=True), limit=FEED_ENTRIES)
    feed = article_feed(request, f"source/{name}", f"مقالات {name}", f"/sources/{_seg(name)}", _full(request, rows))
    return atom_response(request, feed)


@router.get("/search.atom")
def search_feed(request: Request, q: Annotated[str, Query(min_length=1, max_length=500)],
                source: Annotated[str, Query(max_length=200)] = "",
                since: Since = None, until: Until = None,
                category: CATEGORIES | None = None, entity: Annotated[str, Query(max_length=200)] = "",
                mode: SearchMode = SearchMode.LEXICAL) -> Response:
    """The best matches of a search (the reader's filters), newest first; summaries are the marked passages."""
    from marsad.query import search as do_search

    query = _clean(q)
    if not query:
        raise QueryError("اكتب ما تبحث عنه في q")
    filters = SearchFilters(sources=(source,) if _clean(source) else (), since=since, until=until,
                            category=category, entity=_clean(entity))
    store = store_of(request)
    response = do_search(store, query, k=FEED_ENTRIES, filters=filters, mode=mode)
    snippets = {h.id: h.snippet for h in response.hits}
    articles = _full(request, [{"id": h.id} for h in response.hits])
    base = _base(request)
    feed = article_feed(request, f"search/{query}", f"بحث: {query}", f"/search?{request.url.query}", [])
    feed.entries = sorted((article_entry(base, a, snippets.get(int(a["id"]))) for a in articles),
                          key=lambda e: (e.updated, e.id), reverse=True)
    return atom_response(request, feed)


@router.get("/watchlists/{name}.atom")
def watchlist_feed(request: Request, name: Annotated[str, Path(min_length=1, max_length=80)]) -> Response:
    """The articles a watchlist matched, newest first."""
    store = store_of(request)
    name = _clean(name) or ""
    if store.get_watchlist(name) is None:
        raise HTTPException(404, f"لا توجد قائمة مراقبة اسمها {name}")
    rows = [{"id": i} for i in store.watchlist_article_ids(name, limit=FEED_ENTRIES)]
    feed = article_feed(request, f"watchlist/{name}", f"مراقبة: {name}", f"/watchlists/{_seg(name)}",
                        _full(request, rows))
    return atom_response(request, feed)
