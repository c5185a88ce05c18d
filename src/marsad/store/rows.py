"""What every backend does the same way with its rows: decode article and story rows into their JSON, and build
the filter clause of ``SearchFilters`` (in the backend's placeholder and JSON dialect), so the backends keep the
same articles and hand back the same values."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from marsad.enrich.entities import display_name
from marsad.models import SearchFilters


def article_row_json(row: Mapping[str, Any]) -> dict[str, Any]:
    """An ``articles`` row as article JSON (JSON columns decoded, ``title_derived`` a bool)."""
    d = dict(row)
    for key in ("tags", "related_headlines", "origin", "entities", "keyphrases"):
        d[key] = json.loads(d[key]) if d.get(key) else ([] if key != "origin" else {})
    if "category" in d:
        d["category"] = json.loads(d["category"]) if d["category"] else None
    d["title_derived"] = bool(d.get("title_derived"))
    return d


HIT_FIELDS = ("id", "title", "display_title", "source", "published_at", "url", "story_id")
"""The columns of ``articles`` a search hit shows (``article_briefs``); ``text`` is added when asked."""


NAME_FORMS = 30
"""How many of an entity's most mentioned forms its display name is chosen from while ingesting."""


def entity_display_name(variants: Sequence[Mapping[str, Any]]) -> str:
    """An entity's display name from its variants (``form``, ``count``): the fullest common form."""
    return display_name((str(v["form"]), int(v["count"])) for v in variants)


def story_row_json(row: Mapping[str, Any]) -> dict[str, Any]:
    """A ``stories`` row as story JSON (JSON columns decoded; ``lead`` repeats the central article's lead, which
    ``summary`` holds in a row and the summary sentences replace in a full story: ``marsad.query.summaries``)."""
    d = dict(row)
    for key in ("outlets", "entities", "keyphrases", "timeline"):
        d[key] = json.loads(d[key]) if d.get(key) else []
    if "summary" in d:
        d["lead"] = d["summary"]
    return d


def published_at_of(bound: str, same_group: str = "") -> str:
    """SQL of the stored ``published_at`` (the page's own offset kept) of the article whose UTC key
    ``published_utc`` is ``bound`` (an expression such as ``g.lo``, the group's min key), within ``same_group``
    (extra conditions on ``articles f``): the first or last publication in time order, shown as stored."""
    return f"(SELECT f.published_at FROM articles f WHERE f.published_utc = {bound}{same_group} ORDER BY f.id LIMIT 1)"


def filter_sql(filters: SearchFilters, *, mark: str, category_label: str,
               any_of: Callable[[Sequence[str]], tuple[str, list[Any]]]) -> tuple[list[str], list[Any]]:
    """WHERE conditions over ``articles a`` (and their parameters) for ``filters``: ``mark`` is the backend's
    placeholder, ``category_label`` its expression for the category label, ``any_of(values)`` its "one of these
    sources" condition and parameters."""
    where: list[str] = []
    params: list[Any] = []
    if not filters.include_duplicates:
        where.append("a.duplicate_of IS NULL")
    if filters.sources:
        sql, values = any_of(filters.sources)
        where.append(sql)
        params.extend(values)
    if filters.since:   # on the UTC key: published_at keeps the page's offset and does not compare as text
        where.append(f"a.published_utc >= {mark}")
        params.append(filters.since)
    if filters.until:
        where.append(f"substr(a.published_utc, 1, {mark}) <= {mark}")
        params.extend([len(filters.until), filters.until])
    if filters.category:
        where.append(f"{category_label} = {mark}")
        params.append(filters.category)
    if filters.story_id is not None:
        where.append(f"a.story_id = {mark}")
        params.append(filters.story_id)
    if filters.entity is not None:
        entity = filters.entity
        if isinstance(entity, int) or entity.isdigit():
            where.append(f"a.id IN (SELECT article_id FROM article_entities WHERE entity_id = {mark})")
            params.append(int(entity))
        else:
            where.append("a.id IN (SELECT ae.article_id FROM article_entities ae JOIN entities e "
                         f"ON e.id = ae.entity_id WHERE e.cid = {mark})")
            params.append(entity)
    return where, params


def quote_ident(name: str) -> str:
    """A quoted SQL identifier (``key`` and ``type`` are column names)."""
    return '"' + name.replace('"', '""') + '"'


def column_list(names: Sequence[str]) -> str:
    """Quoted column names, comma-separated."""
    return ", ".join(quote_ident(n) for n in names)


# -- watchlists ---------------------------------------------------------------------------------------

WATCHLIST_COLUMNS = ("name", "query", "entity", "sources", "category", "min_outlets", "webhook", "email", "digest",
                     "secret")
"""What ``add_watchlist`` takes (``created_at`` is the store's)."""

WATCHLIST_HEALTH = (
    "(SELECT count(*) FROM watch_matches m WHERE m.watchlist = w.name) AS matches, "
    "(SELECT max(matched_at) FROM watch_matches m WHERE m.watchlist = w.name) AS last_match_at, "
    "(SELECT count(*) FROM alert_outbox o WHERE o.watchlist = w.name AND o.status = 'pending') AS pending, "
    "(SELECT count(*) FROM alert_outbox o WHERE o.watchlist = w.name AND o.status = 'sent') AS sent, "
    "(SELECT count(*) FROM alert_outbox o WHERE o.watchlist = w.name AND o.status = 'failed') AS failed, "
    "(SELECT max(sent_at) FROM alert_outbox o WHERE o.watchlist = w.name) AS last_sent_at, "
    "(SELECT o.last_error FROM alert_outbox o WHERE o.watchlist = w.name AND o.last_error IS NOT NULL "
    "AND o.status != 'sent' ORDER BY o.id DESC LIMIT 1) AS last_error"
)
"""A watchlist's delivery health, columns over ``watchlists w`` (the same SQL in both dialects)."""


def watchlist_row(row: Any) -> dict[str, Any]:
    """A watchlist row as a dict, its sources decoded from JSON."""
    d = dict(row)
    d["sources"] = json.loads(d["sources"]) if d.get("sources") else []
    return d
