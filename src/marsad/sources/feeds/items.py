"""What a feed holds (:class:`FeedSpec`, :class:`FeedItem`, :class:`ParsedFeed`) and how an item is cleaned.

Every feed path (lxml RSS/Atom, feedparser, JSON Feed, sitemaps) fills the same intermediate
:class:`RawItem`; :func:`collect` cleans them all the same way (plain-text summaries, ISO dates,
absolute URLs, repeats dropped), so the paths agree.
"""

from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache

from lxml import etree

from marsad.errors import DateParseError
from marsad.sources.feeds.xmltools import PARSERS, http_url
from marsad.sources.urls import url_key
from marsad.text.dates import parse_date
from marsad.text.normalize import DISPLAY

FULL_TEXT_WORDS = 80
"""An item whose content (or summary) has at least this many words carries the article body."""

SUMMARY_LEAD_CHARS = 500
"""A summary taken from the content (no description given) is cut to about this many characters."""


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """One feed to watch."""

    url: str
    title: str | None = None
    source: str | None = None
    """Outlet name (OPML ``outlet``/``source`` attribute, else its ``text``/``title``; .txt: 2nd column)."""
    language: str | None = None
    interval: float | None = None
    """Seconds between polls, if the list says."""


@dataclass(slots=True)
class FeedItem:
    """One entry of a feed, or one ``<url>`` of a sitemap."""

    url: str | None
    guid: str | None = None
    title: str = ""
    published: str | None = None
    updated: str | None = None
    author: str | None = None
    summary: str = ""
    content_html: str | None = None
    tags: list[str] = field(default_factory=list)
    language: str | None = None

    @property
    def has_full_text(self) -> bool:
        """Whether the content (or the summary) holds an article body: >= FULL_TEXT_WORDS words."""
        if self.content_html and len(html_to_text(self.content_html).split()) >= FULL_TEXT_WORDS:
            return True
        return len(self.summary.split()) >= FULL_TEXT_WORDS


@dataclass(slots=True)
class ParsedFeed:
    """What one feed, sitemap or OPML document holds."""

    kind: str
    """"rss" | "atom" | "jsonfeed" | "sitemap_index" | "sitemap" | "opml"."""
    url: str
    title: str | None = None
    language: str | None = None
    items: list[FeedItem] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    feeds: list[FeedSpec] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


_MARKUP = re.compile(r"<[A-Za-z/!]|&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]\w*);")
_SPACES = re.compile(r"\s+")
_PARAGRAPHS = re.compile(r"\n[ \t]*\n\s*")
_AUTHOR_EMAIL = re.compile(r"^\s*[^\s@()<>]+@[^\s@()<>]+\s*\((.+)\)\s*$")

_BLOCK_TAGS = frozenset(
    "address article aside blockquote dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 header hr "
    "li main nav ol p pre section table tbody thead tfoot tr td th ul".split()
)
_DROPPED_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math", "head")


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment: tags dropped, blocks as paragraphs, entities decoded, DISPLAY."""
    if not fragment:
        return ""
    if "<" not in fragment:
        return DISPLAY(html.unescape(fragment)) if "&" in fragment else DISPLAY(fragment)
    try:
        root = etree.fromstring(f"<html><body>{fragment}</body></html>", PARSERS.html)
    except (etree.ParserError, ValueError):
        root = None
    if root is None:
        return DISPLAY(html.unescape(re.sub(r"<[^>]*>", " ", fragment)))
    etree.strip_elements(root, *_DROPPED_TAGS, with_tail=False)
    parts: list[str] = []
    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag
        if event == "start":
            if tag == "br":
                parts.append("\n")
            elif tag in _BLOCK_TAGS:
                parts.append("\n\n")
            if el.text:
                parts.append(_SPACES.sub(" ", el.text))
        else:
            if tag in _BLOCK_TAGS:
                parts.append("\n\n")
            if el.tail and el is not root:
                parts.append(_SPACES.sub(" ", el.tail))
    return DISPLAY("".join(parts))


def plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def one_line(text: str) -> str:
    return " ".join(text.split())


def title_text(value: str | None, is_html: bool | None) -> str:
    """A title as one line of plain text. ``is_html`` None: strip markup only if it looks like some."""
    if not value:
        return ""
    if is_html or (is_html is None and _MARKUP.search(value)):
        return one_line(html_to_text(value))
    return one_line(DISPLAY(value))


def _lead(text: str) -> str:
    """The first paragraph of ``text``, cut at a word boundary near SUMMARY_LEAD_CHARS."""
    first = text.split("\n\n", 1)[0].strip()
    if len(first) <= SUMMARY_LEAD_CHARS:
        return first
    cut = first.rfind(" ", 0, SUMMARY_LEAD_CHARS)
    return first[: cut if cut > SUMMARY_LEAD_CHARS // 2 else SUMMARY_LEAD_CHARS].rstrip() + "…"


def _iso_date(raw: str | None, parsed: time.struct_time | None = None) -> str | None:
    """ISO 8601 of a feed date: marsad's parser (Arabic and machine formats), then feedparser's."""
    raw = raw.strip() if raw else None
    if raw:
        iso = _iso_from_text(raw)
        if iso is not None:
            return iso
        if parsed is None:
            parsed = _feedparser_date(raw)
    if parsed is not None:
        try:
            return datetime(*parsed[:6], tzinfo=UTC).isoformat()
        except (ValueError, TypeError, OverflowError):
            return None
    return None


@lru_cache(maxsize=4096)  # a watched feed repeats most of its items (and dates) at every poll
def _iso_from_text(raw: str) -> str | None:
    try:
        return parse_date(raw).iso()
    except (DateParseError, ValueError, OverflowError):
        return None


def _feedparser_date(raw: str) -> time.struct_time | None:
    """feedparser's date handlers (many odd formats), as a 9-tuple in UTC; None if none applies."""
    try:
        from feedparser.datetimes import _parse_date  # not public API: guarded
    except ImportError:  # pragma: no cover - feedparser is a dependency
        return None
    try:
        result = _parse_date(raw)
    except Exception:  # feedparser's handlers may raise on odd input
        return None
    return result if isinstance(result, time.struct_time) else None


@dataclass(slots=True)
class RawItem:
    """What a feed path found for one item, before cleaning."""

    link: str | None = None
    base: str | None = None  # the item's base URL (xml:base chain); None: use the feed's base
    guid: str | None = None
    guid_link: str | None = None  # the guid when it may stand for the link (a permalink)
    title: str | None = None
    title_html: bool | None = None  # None: guess
    published: str | None = None
    published_parsed: time.struct_time | None = None
    updated: str | None = None
    updated_parsed: time.struct_time | None = None
    authors: list[str] = field(default_factory=list)
    summary: str | None = None
    summary_html: bool = True
    content: str | None = None
    content_html: bool = True
    tags: list[str] = field(default_factory=list)
    language: str | None = None


def _author_name(value: str) -> str:
    match = _AUTHOR_EMAIL.match(value)
    return one_line(DISPLAY(match.group(1) if match else value))


def _wrap_text(text: str) -> str:
    """Plain text as HTML paragraphs (blank lines split paragraphs, single breaks become <br>)."""
    paragraphs = [p.strip() for p in _PARAGRAPHS.split(text.replace("\r\n", "\n")) if p.strip()]
    return "".join("<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs)


def _finish(raw: RawItem, base: str, feed_language: str | None) -> FeedItem | None:
    """Clean one raw item; None when it holds nothing at all."""
    item_base = raw.base or base
    url = http_url(raw.link, item_base) or http_url(raw.guid_link, None)  # a guid only when absolute
    title = title_text(raw.title, raw.title_html)
    content = raw.content if raw.content and raw.content.strip() else None
    if content is not None and not raw.content_html:
        content = _wrap_text(content)
    summary = ""
    if raw.summary and raw.summary.strip():
        summary = html_to_text(raw.summary) if raw.summary_html else DISPLAY(raw.summary)
    if not summary and content:  # no description, or one that is only an image
        summary = _lead(html_to_text(content))
    if url is None and not raw.guid and not title and not summary and content is None:
        return None
    updated = _iso_date(raw.updated, raw.updated_parsed)
    published = _iso_date(raw.published, raw.published_parsed) or updated
    authors = [a for a in (_author_name(name) for name in raw.authors if name) if a]
    tags: list[str] = []
    for tag in raw.tags:
        clean = one_line(DISPLAY(tag))
        if clean and clean not in tags:
            tags.append(clean)
    return FeedItem(
        url=url,
        guid=raw.guid.strip() if raw.guid and raw.guid.strip() else None,
        title=title,
        published=published,
        updated=updated,
        author=", ".join(dict.fromkeys(authors)) or None,
        summary=summary,
        content_html=content,
        tags=tags,
        language=(raw.language or "").strip() or feed_language,
    )


def collect(raws: list[RawItem], base: str, feed_language: str | None, feed: ParsedFeed) -> None:
    """Finish raw items into ``feed.items``: drop empty ones and repeats (first per URL key / guid)."""
    seen: set[str] = set()
    duplicates = 0
    for raw in raws:
        item = _finish(raw, base, feed_language)
        if item is None:
            continue
        key = None
        if item.url is not None:
            key = url_key(item.url)
        if key is None and item.guid:
            key = "guid:" + item.guid
        if key is not None:
            if key in seen:
                duplicates += 1
                continue
            seen.add(key)
        feed.items.append(item)
    if duplicates:
        feed.warnings.append(f"{plural(duplicates, 'duplicate item')} dropped")
