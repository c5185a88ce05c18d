"""``search()``: rank articles for a query (lexical now; semantic and hybrid plug in here), build hits
with snippets on the original text, and optionally group hits of one story together."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any, Protocol

from marsad.errors import QueryError
from marsad.models import ENTITY_TYPES, SearchFilters, SearchMode
from marsad.query.hybrid import hybrid_ranking, semantic_search_ranking
from marsad.query.snippet import SNIPPET_CHARS, Snippet, highlight_spans, make_snippet
from marsad.query.vectors import SemanticStore
from marsad.store.base import ArticleStore, EntityStore, SearchStore
from marsad.text.analyzer import ParsedQuery, parse_query
from marsad.text.names import name_key

MODES = tuple(SearchMode)
MAX_K = 1000
GROUP_POOL = 5
"""Grouped mode ranks ``GROUP_POOL * k`` articles so that ``k`` stories can be filled."""


class QueryStore(SemanticStore, EntityStore, ArticleStore, Protocol):
    """What ``search`` asks of a store: lexical and semantic search, entity lookups (the entity filter) and
    the articles (hits are built from them)."""


@dataclass(slots=True)
class SearchHit:
    """One article found: where it ranks, why (score) and a marked passage of its original text."""

    id: int
    title: str
    source: str | None
    published_at: str | None
    url: str | None
    score: float
    rank: int
    story_id: int | None
    snippet: str
    highlights: list[tuple[int, int]]
    snippet_html: str
    title_highlights: list[tuple[int, int]]
    matched: str = "all"                     # "all": every query clause; "some": the any-word fallback;
    #                                          "semantic": found by meaning only (semantic and hybrid modes)

    def to_dict(self) -> dict[str, Any]:
        """The hit as JSON (spans as [start, end] lists)."""
        d = asdict(self)
        d["highlights"] = [list(s) for s in self.highlights]
        d["title_highlights"] = [list(s) for s in self.title_highlights]
        return d


@dataclass(slots=True)
class SearchGroup:
    """Hits of one story (or one article without a story): the best hit first, the others after."""

    story_id: int | None
    rank: int
    score: float
    hits: list[SearchHit]

    def to_dict(self) -> dict[str, Any]:
        """The group as JSON: its best hit id and every hit id in rank order."""
        return {"story_id": self.story_id, "rank": self.rank, "score": self.score, "best": self.hits[0].id,
                "size": len(self.hits), "hit_ids": [h.id for h in self.hits],
                "others": [{"id": h.id, "title": h.title, "source": h.source, "published_at": h.published_at,
                            "score": h.score} for h in self.hits[1:]]}


@dataclass(slots=True)
class SearchResponse:
    """What ``search`` returns; ``to_dict`` is the stable JSON of ``marsad search --json``.

    ``total`` is the number of hits returned (one per group when grouped). When grouped, ``hits``
    holds each group's best hit and ``groups`` all of them.
    """

    query: str
    k: int
    mode: str
    hits: list[SearchHit]
    groups: list[SearchGroup] | None = None
    filters: dict[str, Any] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Hits returned."""
        return len(self.hits)

    def to_dict(self) -> dict[str, Any]:
        """The response as JSON."""
        d: dict[str, Any] = {"query": self.query, "k": self.k, "total": self.total, "mode": self.mode,
                             "filters": self.filters, "hits": [h.to_dict() for h in self.hits]}
        if self.groups is not None:
            d["groups"] = [g.to_dict() for g in self.groups]
        return d


def resolve_entity(store: EntityStore, entity: str | int) -> tuple[int, str]:
    """(Row id, canonical id) of an entity given as a row id, ``TYPE:key``, ``TYPE:name`` or a bare name.

    A name is keyed like the enrichment keys it (``marsad.text.names.name_key``); a single word such as
    بوتين also finds the full name it belongs to through the entity aliases, the most mentioned first.
    """
    if isinstance(entity, int) or entity.strip().isdigit():
        return int(entity), str(entity).strip()
    value = entity.strip()
    if (found := store.entity_id(value)) is not None:
        return found, value
    type_, _, name = value.partition(":") if ":" in value else ("", "", value)
    types = (type_.upper(),) if type_ else ENTITY_TYPES
    key = name_key(name)
    candidates: list[tuple[int, int, str]] = []   # (mentions, id, cid) of entities the word belongs to
    if key:
        for t in types:
            if (eid := store.entity_id(f"{t}:{key}")) is not None:
                return eid, f"{t}:{key}"
            candidates.extend((n, i, c) for i, c, n in store.alias_candidates(key, t))
    if candidates:
        _, eid, cid = max(candidates)
        return eid, cid
    raise QueryError(f"no entity {entity!r} in the store: give a canonical id TYPE:key as listed by "
                     "`marsad entities` (TYPE is PERS, LOC, ORG or MISC) or a name that occurs in the articles")


def lexical_ranking(store: SearchStore, query: ParsedQuery, k: int,
                    filters: SearchFilters) -> list[tuple[int, float, str]]:
    """Articles with every query clause first; when fewer than ``k``, those with any term (also with a
    clitic glued on) after them."""
    ranked = [(i, s, "all") for i, s in store.search_lexical(query, k=k, filters=filters)]
    if len(ranked) < k and query.can_relax:
        seen = {i for i, _, _ in ranked}
        more = store.search_lexical(query, k=k + len(seen), filters=filters, match_all=False)
        ranked += [(i, s, "some") for i, s in more if i not in seen][: k - len(ranked)]
    return ranked


def _rank(store: QueryStore, query: ParsedQuery, mode: SearchMode | str, k: int, filters: SearchFilters,
          embedder: str | None = None) -> list[tuple[int, float, str]]:
    """(article id, score, how it matched), best first, for the search mode."""
    if mode == SearchMode.LEXICAL:
        return lexical_ranking(store, query, k, filters)
    if mode == SearchMode.SEMANTIC:
        return semantic_search_ranking(store, query, k, filters, embedder=embedder)
    return hybrid_ranking(store, query, k, filters, lexical=lexical_ranking, embedder=embedder)


def _hit(art: dict[str, Any], query: ParsedQuery, score: float, rank: int, matched: str,
         snippet_chars: int) -> SearchHit:
    """The hit of one ranked article (``art``: its ``article_briefs`` row). Without ``text`` in the row the passage
    is deferred: the hit is listed by its title only (``snippet`` empty) until ``with_passage`` adds it."""
    title = art.get("display_title") or art.get("title") or ""
    snip = make_snippet(art["text"] or "", query, chars=snippet_chars) if "text" in art else Snippet("")
    return SearchHit(id=art["id"], title=title, source=art.get("source"), published_at=art.get("published_at"),
                     url=art.get("url"), score=round(score, 4), rank=rank, story_id=art.get("story_id"),
                     snippet=snip.text, highlights=snip.highlights, snippet_html=snip.html(),
                     title_highlights=highlight_spans(title, query), matched=matched)


def with_passage(hit: SearchHit, text: str, query: ParsedQuery, snippet_chars: int) -> None:
    """Fill in the passage of a hit built without one."""
    snip = make_snippet(text, query, chars=snippet_chars)
    hit.snippet, hit.highlights, hit.snippet_html = snip.text, snip.highlights, snip.html()


def search(store: QueryStore, query: str | ParsedQuery, *, k: int = 10, filters: SearchFilters | None = None,
           mode: SearchMode | str = SearchMode.LEXICAL, group_by_story: bool = False,
           snippet_chars: int = SNIPPET_CHARS, embedder: str | None = None) -> SearchResponse:
    """Search the store. Any string is a safe query; one with nothing to search for raises ``QueryError``.

    ``embedder`` embeds the query in semantic and hybrid modes (default: the one most articles have)."""
    parsed = query if isinstance(query, ParsedQuery) else parse_query(query)
    if mode not in MODES:
        raise QueryError(f"unknown search mode {mode!r}: choose one of {', '.join(MODES)}")
    if not 1 <= k <= MAX_K:
        raise QueryError(f"k must be between 1 and {MAX_K}, not {k}")
    filters = filters or SearchFilters()
    shown: dict[str, Any] = {key: value for key, value in asdict(filters).items() if value not in (None, (), False)}
    if filters.entity is not None:
        eid, shown["entity"] = resolve_entity(store, filters.entity)
        filters = replace(filters, entity=eid)
    pool = min(k * GROUP_POOL, MAX_K * GROUP_POOL) if group_by_story else k
    ranked = _rank(store, parsed, mode, pool, filters, embedder)
    # one read for every hit; grouped, the texts are read for the k groups' best hits only (their passages)
    briefs = store.article_briefs([article_id for article_id, _, _ in ranked], text=not group_by_story)
    hits = [_hit(briefs[article_id], parsed, score, rank, matched, snippet_chars)
            for rank, (article_id, score, matched) in enumerate(ranked, 1) if article_id in briefs]
    if not group_by_story:
        return SearchResponse(parsed.text, k, mode, hits, filters=shown)
    groups = group_hits(hits)[:k]
    texts = store.article_briefs([g.hits[0].id for g in groups], text=True)
    for group in groups:
        best = group.hits[0]
        with_passage(best, texts[best.id]["text"] if best.id in texts else "", parsed, snippet_chars)
    return SearchResponse(parsed.text, k, mode, [g.hits[0] for g in groups], groups, filters=shown)


def group_hits(hits: list[SearchHit]) -> list[SearchGroup]:
    """Collapse hits of one story into one group (ranked by its best hit); storyless hits stand alone."""
    groups: list[SearchGroup] = []
    by_story: dict[int, SearchGroup] = {}
    for hit in hits:
        if hit.story_id is not None and hit.story_id in by_story:
            by_story[hit.story_id].hits.append(hit)
            continue
        group = SearchGroup(hit.story_id, len(groups) + 1, hit.score, [hit])
        groups.append(group)
        if hit.story_id is not None:
            by_story[hit.story_id] = group
    return groups
