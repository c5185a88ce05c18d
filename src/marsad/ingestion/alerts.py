"""Watchlists: what an analyst watches, matched against each new article inside the ingest transaction.

A watchlist holds a query (the search analyzer's syntax, tested on the article's analyzed fields in Python:
every clause present, no exclusion), an entity (a name: every spelling with the same name key counts, and a bare
name also matches the full names it is part of: ترمب matches دونالد ترامب; a name given without a type also matches
where the title or text spells it, word by word by name key, when the tagger missed it), outlets and a category;
whatever is given must all hold. A match is recorded with its alerts in the outbox in the same transaction that
stores the article, so an article is never stored without its alerts, nor alerted without being stored.

With ``min_outlets`` K a watchlist fires once per story: when a story holding an article it matched reaches K
outlets (breaking news). With ``digest`` (hourly / daily) matches wait for their UTC window to close, then go out
as one alert (``make_digests``, called by ``marsad deliver``). The alert body is fixed when the alert is made:
``{"watchlist", "key", "article": {id, title, url, source, published_at, story_id}}`` (a story alert adds
``story``; a digest holds ``articles`` and ``window``). ``key`` is the idempotency key, a stable hash of the
watchlist and the article (or story, or digest window): a receiver drops repeats by it.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Protocol
from urllib.parse import urlsplit

from marsad.errors import ConfigError
from marsad.models import ENTITY_TYPES, Article
from marsad.store.base import ArticleStore, WatchlistStore
from marsad.text.analyzer import ParsedQuery, QueryTerm, index_fields, parse_query
from marsad.text.names import name_key
from marsad.times import to_iso, utc_now

DIGESTS = ("hourly", "daily")
CHANNELS = ("webhook", "email")
_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")
_NAME = re.compile(r"[^\s/\\?#%]{1,80}")


def new_secret() -> str:
    """A webhook signing secret (shown once by ``watchlist add``)."""
    return secrets.token_hex(32)


def make_watchlist(name: str, *, query: str | None = None, entity: str | None = None,
                   sources: Sequence[str] = (), category: str | None = None, min_outlets: int | None = None,
                   webhook: str | None = None, email: str | None = None, digest: str | None = None) -> dict[str, Any]:
    """A checked watchlist row with a new secret; ``ConfigError`` (or ``QueryError``) says what is wrong."""
    name = (name or "").strip()
    if not _NAME.fullmatch(name):
        raise ConfigError(f"a watchlist name is 1-80 characters without spaces, '/', '\\', '?', '#' or '%': {name!r}")
    query = (query or "").strip() or None
    entity = (entity or "").strip() or None
    sources = [s.strip() for s in sources if s and s.strip()]
    category = (category or "").strip() or None
    if not (query or entity or sources or category):
        raise ConfigError("a watchlist needs something to watch: --query, --entity, --source or --category")
    if query:
        parse_query(query)                       # a QueryError now rather than at every article
    if entity and not _entity_keys(entity)[1]:
        raise ConfigError(f"--entity {entity!r} has no letters to match a name by")
    if min_outlets is not None and min_outlets < 2:
        raise ConfigError(f"--min-outlets is the number of outlets a story must reach (2 or more), not {min_outlets}")
    if webhook:
        try:
            parts = urlsplit(webhook)
            scheme, hostname = parts.scheme, parts.hostname
        except ValueError:   # "http://[" and other URLs urlsplit cannot read
            scheme, hostname = "", None
        if scheme not in ("http", "https") or not hostname:
            raise ConfigError(f"--webhook must be an http:// or https:// URL, not {webhook!r}")
    if email and not _EMAIL.fullmatch(email):
        raise ConfigError(f"--email {email!r} is not an email address")
    if digest is not None and digest not in DIGESTS:
        raise ConfigError(f"--digest must be one of {', '.join(DIGESTS)}, not {digest!r}")
    if digest and min_outlets:
        raise ConfigError("--digest and --min-outlets do not go together: a story alert goes out when it happens")
    return {"name": name, "query": query, "entity": entity, "sources": sources, "category": category,
            "min_outlets": min_outlets, "webhook": webhook or None, "email": email or None, "digest": digest,
            "secret": new_secret()}


def public_view(row: dict[str, Any]) -> dict[str, Any]:
    """A watchlist as shown to users: everything but its secret."""
    return {k: v for k, v in row.items() if k != "secret"}


def _entity_keys(entity: str) -> tuple[str | None, frozenset[str]]:
    """(entity type or None, the name keys a watched entity matches): ``TYPE:name`` limits the type; a Latin name
    also takes the Arabic key of its gazetteer pair."""
    type_, _, name = entity.partition(":")
    if not name or type_.upper() not in ENTITY_TYPES:
        type_, name = "", entity
    keys = {k for k in (name_key(name),) if k}
    from marsad.enrich.entities import is_latin_name, latin_link

    if is_latin_name(name):
        for t in ((type_.upper(),) if type_ else ENTITY_TYPES):
            if link := latin_link(name, t):
                keys.add(link[0])
    return (type_.upper() or None), frozenset(keys)


@lru_cache(maxsize=100_000)
def _word_key(word: str) -> str:
    """The name key of a word or name (cached: names and words repeat across articles)."""
    return name_key(word)


_CLITICS = frozenset("وفبلك")   # a conjunction or preposition written joined to a name: وترامب, لترمب


@lru_cache(maxsize=100_000)
def _token_keys(word: str) -> frozenset[str]:
    """The name keys one word of a text may stand for: itself, and without a joined conjunction or preposition."""
    keys = {_word_key(word)}
    if len(word) > 3 and word[0] in _CLITICS:
        keys.add(_word_key(word[1:]))
    keys.discard("")
    return frozenset(keys)


@dataclass(frozen=True, slots=True)
class Watch:
    """A watchlist compiled for matching: its parsed query, the name keys of its entity and of the entity's words."""

    row: dict[str, Any]
    query: ParsedQuery | None
    entity_type: str | None
    entity_keys: frozenset[str]
    entity_words: tuple[str, ...] = ()

    @classmethod
    def of(cls, row: dict[str, Any]) -> Watch:
        """Compile a stored watchlist."""
        etype, keys = _entity_keys(row["entity"]) if row.get("entity") else (None, frozenset())
        words: tuple[str, ...] = ()
        if row.get("entity") and etype is None:
            words = tuple(k for k in (_word_key(w) for w in str(row["entity"]).split()) if k)
        return cls(row, parse_query(row["query"]) if row.get("query") else None, etype, keys, words)

    @property
    def name(self) -> str:
        """The watchlist's name."""
        return str(self.row["name"])

    def matches(self, article: Article, analyzed: AnalyzedArticle) -> bool:
        """True when the article (``analyzed``: the same article, analyzed on demand) passes every criterion."""
        row = self.row
        if row.get("sources") and article.source not in row["sources"]:
            return False
        if row.get("category") and (article.category or {}).get("label") != row["category"]:
            return False
        if self.entity_keys and not (self.entity_keys & analyzed.names(self.entity_type) or
                                     (self.entity_words and analyzed.says(self.entity_words))):
            return False
        return self.query is None or analyzed.satisfies(self.query)


class AnalyzedArticle:
    """An article's words as the search index holds them (exact keys and stems of title and body) and the name keys
    of its entities, each made once, when a watchlist first asks."""

    def __init__(self, article: Article) -> None:
        self._article = article
        self._names: dict[str, frozenset[str]] | None = None
        self._token_keys: tuple[list[frozenset[str]], ...] | None = None
        self._all_token_keys: frozenset[str] = frozenset()
        self._words: tuple[tuple[list[str], list[str]], tuple[list[str], list[str]], set[str], set[str]] | None = None

    def _analyzed(self) -> tuple[tuple[list[str], list[str]], tuple[list[str], list[str]], set[str], set[str]]:
        """(exact keys of title and body, stems of title and body, every exact key, every stem), made once."""
        if self._words is None:
            f = index_fields(self._article.display_title or self._article.title, self._article.text)
            exact = (f["title_exact"].split(), f["body_exact"].split())
            stem = (f["title_stem"].split(), f["body_stem"].split())
            self._words = (exact, stem, set(exact[0]) | set(exact[1]), set(stem[0]) | set(stem[1]))
        return self._words

    def names(self, type_: str | None) -> frozenset[str]:
        """The name keys the article's entities (of ``type_``, or of any type) answer to: each entity's key, its
        name's key, and for a full name the keys of its words (a bare name watched matches the full names it is
        part of)."""
        if self._names is None:
            by_type: dict[str, set[str]] = {}
            for mention in self._article.entities:
                type_of, _, key = str(mention.get("canonical_id") or "").partition(":")
                keys = by_type.setdefault(type_of, set())
                keys.add(key)
                name = str(mention.get("canonical_name") or "")
                if name:
                    keys.add(_word_key(name))
                    words = name.split()
                    if len(words) > 1:
                        keys.update(_word_key(w) for w in words)     # marsad.text.names.word_keys, cached
            self._names = {t: frozenset(k - {""}) for t, k in by_type.items()}
            self._names[""] = frozenset().union(*self._names.values()) if self._names else frozenset()
        return self._names.get(type_ or "", frozenset())

    def says(self, words: tuple[str, ...]) -> bool:
        """True when the title or the text spells the name whose words have these name keys (the entities' fallback:
        a mention the tagger missed still counts, in any spelling: ترامب, وترمب; كيم جونج اون)."""
        if self._token_keys is None:
            exact, _, _, _ = self._analyzed()
            self._token_keys = tuple([_token_keys(w) for w in seq] for seq in exact)
            self._all_token_keys = frozenset().union(*self._token_keys[0], *self._token_keys[1])
        if words[0] not in self._all_token_keys:
            return False
        n = len(words)
        for seq in self._token_keys:
            for i in range(len(seq) - n + 1):
                if words[0] in seq[i] and all(words[j] in seq[i + j] for j in range(1, n)):
                    return True
        return False

    def has(self, term: QueryTerm) -> bool:
        """True when the article holds the word (exact or stem) or the phrase (in one field, in order)."""
        exact, stem, exact_set, stem_set = self._analyzed()
        if not term.phrase:
            return term.exact[0] in exact_set or term.stems[0] in stem_set
        return (exact_set.issuperset(term.exact) and any(_contains(seq, term.exact) for seq in exact)) or \
            (stem_set.issuperset(term.stems) and any(_contains(seq, term.stems) for seq in stem))

    def satisfies(self, query: ParsedQuery) -> bool:
        """Every clause (an OR of terms) present and no excluded term: the search's all-words match."""
        return all(any(self.has(t) for t in clause) for clause in query.clauses) and \
            not any(self.has(t) for t in query.excluded)


def _contains(seq: list[str], phrase: tuple[str, ...]) -> bool:
    """True when the words of ``phrase`` follow each other somewhere in ``seq``."""
    n, first, at = len(phrase), phrase[0], -1
    try:
        while True:
            at = seq.index(first, at + 1)
            if tuple(seq[at:at + n]) == phrase:
                return True
    except ValueError:
        return False


def alert_key(watchlist: str, kind: str, ident: Any) -> str:
    """The idempotency key of an alert: a stable hash of the watchlist and what it is about."""
    return hashlib.sha256(f"{watchlist}\x00{kind}\x00{ident}".encode()).hexdigest()[:32]


def article_json(article_id: int, art: dict[str, Any] | Article, story_id: int | None) -> dict[str, Any]:
    """The article fields of an alert."""
    get = art.get if isinstance(art, dict) else lambda k: getattr(art, k, None)
    return {"id": article_id, "title": get("display_title") or get("title") or "", "url": get("url"),
            "source": get("source"), "published_at": get("published_at"), "story_id": story_id}


def body_of(payload: dict[str, Any]) -> str:
    """The JSON body of an alert: compact, Arabic kept, keys in a fixed order."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def window_of(when: datetime, digest: str) -> str:
    """The UTC window a digest watchlist collects a match in: ``YYYY-MM-DDTHH`` (hourly) or ``YYYY-MM-DD``."""
    return when.strftime("%Y-%m-%dT%H" if digest == "hourly" else "%Y-%m-%d")


def window_bounds(window: str) -> tuple[str, str]:
    """(start, end) of a digest window as ISO UTC."""
    start = datetime.fromisoformat(window + (":00:00+00:00" if "T" in window else "T00:00:00+00:00"))
    return to_iso(start), to_iso(start + (timedelta(hours=1) if "T" in window else timedelta(days=1)))


def _enqueue(store: WatchlistStore, row: dict[str, Any], key: str, payload: dict[str, Any], *,
             article_id: int | None, story_id: int | None) -> int:
    """One outbox row per channel of the watchlist; how many were new."""
    body = body_of({"watchlist": row["name"], "key": key, **payload})
    made = 0
    for channel, target in (("webhook", row.get("webhook")), ("email", row.get("email"))):
        if target:
            made += store.enqueue_alert(key=key, channel=channel, watchlist=row["name"], target=target, body=body,
                                        article_id=article_id, story_id=story_id)
    return made


class AlertStore(WatchlistStore, ArticleStore, Protocol):
    """What matching asks of a store: watchlists and outbox, and the articles (for story alerts)."""


def match_batch(store: AlertStore, fresh: Sequence[tuple[int, Article]], touched: Sequence[int],
                *, now: datetime | None = None) -> dict[str, int]:
    """Inside the ingest transaction, after clustering: record the watchlists' matches among ``fresh`` (new
    articles, not copies) and their alerts; fire story watchlists whose matched stories among those of
    ``touched`` (every article written, copies too) reached their outlets. Counts of what was made."""
    counts = {"matches": 0, "alerts": 0}
    if not fresh and not touched:
        return counts
    watches = [Watch.of(r) for r in store.list_watchlists(health=False)]
    if not watches:
        return counts
    now = now or utc_now()
    stories = store.article_story_ids([i for i, _ in fresh] + list(touched))
    for article_id, article in fresh:
        analyzed = AnalyzedArticle(article)
        for w in watches:
            if not w.matches(article, analyzed):
                continue
            digest = w.row.get("digest")
            if not store.add_match(w.name, article_id, digest_window=window_of(now, digest) if digest else None):
                continue
            counts["matches"] += 1
            if digest or w.row.get("min_outlets"):
                continue
            story_id = stories.get(article_id)
            counts["alerts"] += _enqueue(store, w.row, alert_key(w.name, "article", article_id),
                                         {"article": article_json(article_id, article, story_id)},
                                         article_id=article_id, story_id=story_id)
    story_ids = sorted({s for s in stories.values() if s is not None})
    outlets = store.story_outlets(story_ids) if story_ids and any(w.row.get("min_outlets") for w in watches) else {}
    for w in watches:
        k = w.row.get("min_outlets")
        if not k:
            continue
        for sid in sorted(store.matched_stories(w.name, [s for s in story_ids if len(outlets.get(s, ())) >= k])):
            latest = max(a for a, s in stories.items() if s == sid)
            art = store.get_article(latest) or {}
            payload = {"article": article_json(latest, art, sid),
                       "story": {"id": sid, "outlets": sorted(outlets[sid]), "min_outlets": k}}
            counts["alerts"] += _enqueue(store, w.row, alert_key(w.name, "story", sid), payload,
                                         article_id=latest, story_id=sid)
    return counts


def make_digests(store: AlertStore, *, now: datetime | None = None) -> int:
    """Turn the matches of every closed digest window into one alert per window (idempotent: the key is the
    watchlist and window, and the matches carried are marked in the same transaction). Alerts made."""
    now = now or utc_now()
    made = 0
    for row in store.list_watchlists(health=False):
        digest = row.get("digest")
        if not digest or not (row.get("webhook") or row.get("email")):
            continue
        current = window_of(now, digest)
        waiting = store.undigested_matches(row["name"], before_window=current)
        by_window: dict[str, list[int]] = {}
        for window, article_id in waiting:
            by_window.setdefault(window, []).append(article_id)
        for window, ids in sorted(by_window.items()):
            key = alert_key(row["name"], f"digest:{digest}", window)
            start, end = window_bounds(window)
            with store.transaction():
                stories = store.article_story_ids(ids)
                articles = [article_json(i, store.get_article(i) or {}, stories.get(i)) for i in ids]
                made += _enqueue(store, row, key, {"digest": digest, "window": {"start": start, "end": end},
                                                   "articles": articles}, article_id=None, story_id=None)
                store.mark_digested(row["name"], ids, key)
    return made
