"""Feeds, news sitemaps and feed lists: RSS 0.9x/1.0/2.0, Atom, JSON Feed, sitemaps, OPML.

:func:`parse_feed` turns the bytes of one fetched feed into a :class:`ParsedFeed`:

=================  ==========================================================================
kind               what it holds
=================  ==========================================================================
``rss``            RSS 0.9x, 1.0 (RDF) and 2.0; ``items``
``atom``           Atom 1.0 (and 0.3); ``items``
``jsonfeed``       JSON Feed 1.0 / 1.1; ``items``
``sitemap``        a ``<urlset>`` (with or without the Google News extension); one item per
                   ``<url>``
``sitemap_index``  a ``<sitemapindex>``; ``sitemaps`` lists the child sitemap URLs
``opml``           a feed list; ``feeds``
=================  ==========================================================================

How the bytes are read
----------------------

* gzip bodies (``.xml.gz`` sitemaps; recognised by their magic bytes) are decompressed, up to
  :data:`MAX_DECOMPRESSED_BYTES`.
* The bytes are always decoded by the project's :func:`~marsad.text.encoding.decode_bytes`
  (transport ``charset``, else the XML declaration, each verified against the bytes, else
  detection), never by feedparser: Arabic feeds are often windows-1256 with a missing or wrong
  declaration, which feedparser would read as windows-1252.
* Well-formed XML is read with lxml (fast: a 200-item feed in about 20 ms, most of it spent
  cleaning the items). When lxml rejects a document that uses HTML entities (``&nbsp;``,
  ``&hellip;``: undefined in XML, common in Arabic feeds), it is retried with those entities as
  character references. XML that lxml still rejects, and any feed with a DOCTYPE (whose entity
  definitions feedparser handles safely), goes to feedparser, whose lenient parser recovers what
  it can; the ParsedFeed then carries a warning such as ``"XML was not well-formed; 12 items
  recovered (...)"``. Broken sitemaps and OPML are read with lxml's recovering parser. Both feed
  paths fill the same intermediate record, so their results agree (the tests check this on
  every well-formed fixture).
* JSON Feed is read with :mod:`json` (feedparser 6 does not read it).

What an item holds
------------------

* ``url`` is absolute: a relative link is resolved against ``xml:base``, else (RSS) the channel
  ``<link>``, else the feed URL. A permalink ``<guid>`` (or a JSON Feed ``id``) that is an
  absolute URL stands in for a missing link.
  Only http(s) URLs are kept.
* ``published`` / ``updated`` are ISO 8601. Dates are parsed with :func:`marsad.text.dates.parse_date`,
  which reads RFC 822 / ISO 8601 and Arabic dates ("الخميس، 17 أبريل 2025 - 13:57",
  "١٧ نيسان ٢٠٢٥") that feedparser leaves unparsed; feedparser's own date handlers are the
  fallback. A date without a time gives ``YYYY-MM-DD``; a time without a zone gives a naive
  ``YYYY-MM-DDTHH:MM:SS`` (no zone is guessed). ``published`` falls back to the updated date
  (``dc:date``, Atom ``<updated>``) when no publication date is given.
* ``summary`` is plain text: tags stripped, paragraph breaks kept as blank lines, entities
  decoded, :data:`~marsad.text.normalize.DISPLAY`-normalized. An item without a description
  gets the lead paragraph of its content (cut at :data:`SUMMARY_LEAD_CHARS`).
* ``content_html`` is the full content as published (``content:encoded``, Atom ``<content>``,
  JSON Feed ``content_html`` or ``content_text`` wrapped in ``<p>``): not sanitized, relative
  links inside it not rewritten. Sanitize it before showing it to anyone.
* Items repeated inside one feed (same :func:`~marsad.sources.urls.url_key`, or same guid when
  there is no URL) are dropped after the first, with a warning.

Feed lists
----------

:func:`read_feed_list` reads ``.opml`` / ``.xml`` (outlines with ``xmlUrl``, nested to any
depth) or ``.txt`` (one URL a line, optionally ``URL<TAB>outlet name``; ``#`` starts a
comment). The outlet (``FeedSpec.source``) of an OPML outline is its ``outlet`` or ``source``
attribute, else its ``text``/``title``. ``interval`` is seconds (``900``) or a number with a unit
(``15m``, ``1h``). :func:`default_feed_list` loads the bundled ``marsad/data/feeds.opml``.
"""

from __future__ import annotations

import html
import html.entities
import json
import re
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree

from marsad.errors import (
    BinaryInputError,
    DateParseError,
    EmptyInputError,
    EncodingError,
    MalformedInputError,
    OversizedInputError,
)
from marsad.sources.urls import url_key
from marsad.text.dates import parse_date
from marsad.text.encoding import decode_bytes
from marsad.text.normalize import DISPLAY

__all__ = [
    "FULL_TEXT_WORDS",
    "MAX_DECOMPRESSED_BYTES",
    "SUMMARY_LEAD_CHARS",
    "FeedItem",
    "FeedSpec",
    "ParsedFeed",
    "default_feed_list",
    "parse_feed",
    "read_feed_list",
]

FULL_TEXT_WORDS = 80
"""An item whose content (or summary) has at least this many words carries the article body."""

SUMMARY_LEAD_CHARS = 500
"""A summary taken from the content (no description given) is cut to about this many characters."""

MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024
"""A gzip body may expand to this much (the sitemap protocol allows 50 MB uncompressed)."""


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


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
        if self.content_html and len(_html_to_text(self.content_html).split()) >= FULL_TEXT_WORDS:
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


# --------------------------------------------------------------------------------------------
# Namespaces and small helpers
# --------------------------------------------------------------------------------------------

_ATOM = "http://www.w3.org/2005/Atom"
_ATOM03 = "http://purl.org/atom/ns#"
_RSS10 = "http://purl.org/rss/1.0/"
_RSS090 = "http://my.netscape.com/rdf/simple/0.9/"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_CONTENT = "http://purl.org/rss/1.0/modules/content/"
_DC = "http://purl.org/dc/elements/1.1/"
_DCTERMS = "http://purl.org/dc/terms/"
_XML_NS = "http://www.w3.org/XML/1998/namespace"
_XML_BASE = f"{{{_XML_NS}}}base"
_XML_LANG = f"{{{_XML_NS}}}lang"
_NEWS = "http://www.google.com/schemas/sitemap-news/0.9"

_GZIP_MAGIC = b"\x1f\x8b"
_NOT_A_FEED = "not a feed, sitemap or OPML"


class _Parsers(threading.local):
    """lxml parser objects, one set per thread (a parser must not be used by two threads at once)."""

    def __init__(self) -> None:
        options: dict[str, Any] = {"no_network": True, "remove_comments": True, "remove_pis": True}
        self.xml = etree.XMLParser(resolve_entities="internal", **options)
        self.recover = etree.XMLParser(resolve_entities="internal", recover=True, **options)
        self.html = etree.HTMLParser(default_doctype=False, **options)


_PARSERS = _Parsers()

_XML_DECL = re.compile(r"\A<\?xml\b[^>]*\?>")
_PROLOG = re.compile(r"\A(?:\s+|<\?[^>]*\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)*", re.S | re.I)
_ROOT_NAME = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?(rss|RDF|feed|urlset|sitemapindex|opml|html)\b", re.I)
_FIRST_TAG = re.compile(r"<([A-Za-z_][\w.:-]*)")
_JUNK_WINDOW = 2048
_ENTITY_REF = re.compile(r"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_MARKUP = re.compile(r"<[A-Za-z/!]|&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]\w*);")
_SPACES = re.compile(r"\s+")
_PARAGRAPHS = re.compile(r"\n[ \t]*\n\s*")
_AUTHOR_EMAIL = re.compile(r"^\s*[^\s@()<>]+@[^\s@()<>]+\s*\((.+)\)\s*$")
_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?|d|days?)?\s*$", re.I)
_INTERVAL_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

_BLOCK_TAGS = frozenset(
    "address article aside blockquote dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 header hr "
    "li main nav ol p pre section table tbody thead tfoot tr td th ul".split()
)
_DROPPED_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math", "head")


def _split_tag(tag: str) -> tuple[str, str]:
    """'{ns}local' -> ('ns', 'local'); 'local' -> ('', 'local')."""
    if tag[:1] == "{":
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


def _local(el: etree._Element) -> str:
    tag = el.tag
    return _split_tag(tag)[1] if isinstance(tag, str) else ""


def _children(el: etree._Element) -> Iterator[tuple[str, str, etree._Element]]:
    """(namespace, local name, element) of each child element (comments and PIs skipped)."""
    for child in el:
        tag = child.tag
        if isinstance(tag, str):
            ns, local = _split_tag(tag)
            yield ns, local, child


def _text(el: etree._Element) -> str:
    """All text inside ``el`` (children's text included), stripped."""
    if len(el) == 0:
        return (el.text or "").strip()
    return "".join(el.itertext()).strip()


def _inner_xml(el: etree._Element) -> str:
    """The content of ``el`` as markup: its text, or its children serialized (XHTML put inline)."""
    if len(el) == 0:
        return el.text or ""
    parts = [el.text or ""]
    parts.extend(etree.tostring(child, encoding="unicode", with_tail=True) for child in el)
    return "".join(parts)


def _str(value: Any) -> str | None:
    """A non-empty stripped string, or None (for JSON values of any type)."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return None


def _http_url(raw: str | None, base: str | None) -> str | None:
    """``raw`` resolved against ``base``; None unless the result is an http(s) URL with a host."""
    if not raw:
        return None
    raw = raw.strip()
    lowered = raw[:8].lower()
    if lowered.startswith("feed:"):  # feed://host/path, feed:https://host/path
        rest = raw[5:]
        raw = rest if rest[:6].lower().startswith(("http:", "https:")) else "http:" + rest
        lowered = raw[:8].lower()
    try:
        absolute = raw if lowered.startswith(("http://", "https://")) or not base else urljoin(base, raw)
        parts = urlsplit(absolute)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return absolute


# --------------------------------------------------------------------------------------------
# HTML to text, dates
# --------------------------------------------------------------------------------------------


def _html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment: tags dropped, blocks as paragraphs, entities decoded, DISPLAY."""
    if not fragment:
        return ""
    if "<" not in fragment:
        return DISPLAY(html.unescape(fragment)) if "&" in fragment else DISPLAY(fragment)
    try:
        root = etree.fromstring(f"<html><body>{fragment}</body></html>", _PARSERS.html)
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


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _title_text(value: str | None, is_html: bool | None) -> str:
    """A title as one line of plain text. ``is_html`` None: strip markup only if it looks like some."""
    if not value:
        return ""
    if is_html or (is_html is None and _MARKUP.search(value)):
        return _one_line(_html_to_text(value))
    return _one_line(DISPLAY(value))


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


# --------------------------------------------------------------------------------------------
# One intermediate record for every feed path
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Raw:
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
    return _one_line(DISPLAY(match.group(1) if match else value))


def _wrap_text(text: str) -> str:
    """Plain text as HTML paragraphs (blank lines split paragraphs, single breaks become <br>)."""
    paragraphs = [p.strip() for p in _PARAGRAPHS.split(text.replace("\r\n", "\n")) if p.strip()]
    return "".join("<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs)


def _finish(raw: _Raw, base: str, feed_language: str | None) -> FeedItem | None:
    """Clean one raw item; None when it holds nothing at all."""
    item_base = raw.base or base
    url = _http_url(raw.link, item_base) or _http_url(raw.guid_link, None)  # a guid only when absolute
    title = _title_text(raw.title, raw.title_html)
    content = raw.content if raw.content and raw.content.strip() else None
    if content is not None and not raw.content_html:
        content = _wrap_text(content)
    summary = ""
    if raw.summary and raw.summary.strip():
        summary = _html_to_text(raw.summary) if raw.summary_html else DISPLAY(raw.summary)
    if not summary and content:  # no description, or one that is only an image
        summary = _lead(_html_to_text(content))
    if url is None and not raw.guid and not title and not summary and content is None:
        return None
    updated = _iso_date(raw.updated, raw.updated_parsed)
    published = _iso_date(raw.published, raw.published_parsed) or updated
    authors = [a for a in (_author_name(name) for name in raw.authors if name) if a]
    tags: list[str] = []
    for tag in raw.tags:
        clean = _one_line(DISPLAY(tag))
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


def _collect(raws: list[_Raw], base: str, feed_language: str | None, feed: ParsedFeed) -> None:
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
        feed.warnings.append(f"{_plural(duplicates, 'duplicate item')} dropped")


# --------------------------------------------------------------------------------------------
# RSS and Atom with lxml (well-formed XML)
# --------------------------------------------------------------------------------------------

_RSS_TITLE_NS = frozenset({"", _RSS10, _RSS090})
_ATOM_NS = frozenset({_ATOM, _ATOM03, ""})  # "": an Atom feed that forgot its namespace


def _has_xml_base(el: etree._Element) -> bool:
    node: etree._Element | None = el
    while node is not None:
        if _XML_BASE in node.attrib:
            return True
        node = node.getparent()
    return False


def _rss_item(el: etree._Element, xml_base: bool) -> _Raw:
    raw = _Raw()
    dc_title = dc_description = dc_creator = None
    for ns, local, child in _children(el):
        if ns in _RSS_TITLE_NS:
            if local == "title":
                raw.title = raw.title or _text(child)
            elif local == "link":
                raw.link = raw.link or _text(child)
            elif local == "description":
                raw.summary = raw.summary or _inner_xml(child)
            elif local == "guid":
                raw.guid = _text(child)
                permalink = (child.get("isPermaLink") or "true").strip().lower() != "false"
                raw.guid_link = raw.guid if permalink else None
            elif local == "pubDate":
                raw.published = raw.published or _text(child)
            elif local == "author":
                raw.authors.append(_text(child))
            elif local == "category":
                raw.tags.append(_text(child))
        elif ns == _CONTENT and local == "encoded":
            raw.content = raw.content or _inner_xml(child)
        elif ns == _DC:
            if local == "date":
                raw.updated = raw.updated or _text(child)
            elif local == "creator":
                dc_creator = dc_creator or _text(child)
            elif local == "subject":
                raw.tags.append(_text(child))
            elif local == "language":
                raw.language = raw.language or _text(child)
            elif local == "title":
                dc_title = dc_title or _text(child)
            elif local == "description":
                dc_description = dc_description or _inner_xml(child)
        elif ns == _DCTERMS:
            if local in ("issued", "created"):
                raw.published = raw.published or _text(child)
            elif local == "modified":
                raw.updated = raw.updated or _text(child)
        elif ns == _ATOM:
            if local == "updated":
                raw.updated = raw.updated or _text(child)
            elif local == "published":
                raw.published = raw.published or _text(child)
            elif local == "link" and (child.get("rel") or "alternate") == "alternate" and not raw.link:
                raw.link = child.get("href")
    raw.title = raw.title or dc_title
    raw.summary = raw.summary or dc_description
    if dc_creator and not raw.authors:
        raw.authors.append(dc_creator)
    about = el.get(f"{{{_RDF}}}about")
    if about:  # RSS 1.0: the item's URI
        raw.guid = raw.guid or about
        raw.guid_link = raw.guid_link or about
    if xml_base and _has_xml_base(el):
        raw.base = el.base
    return raw


def _from_rss(root: etree._Element, url: str, feed: ParsedFeed) -> None:
    channel = next((c for _, local, c in _children(root) if local == "channel"), None)
    language = title = link = None
    if channel is not None:
        for ns, local, child in _children(channel):
            if ns in _RSS_TITLE_NS and local == "title" and title is None:
                title = _text(child)
            elif ns in _RSS_TITLE_NS and local == "link" and link is None:
                link = _text(child)
            elif local == "language" and ns in ("", _DC) and language is None:
                language = _text(child)
    containers = [channel, root] if channel is not None else [root]  # RSS 1.0 puts items beside the channel
    elements = [c for parent in containers for _, local, c in _children(parent) if local == "item"]
    if not elements:
        elements = [el for el in root.iter() if _local(el) == "item"]
    xml_base = any(_XML_BASE in el.attrib for el in root.iter())
    base = url
    if channel is not None:
        channel_base = channel.base if xml_base and _has_xml_base(channel) else url
        base = _http_url(link, channel_base) or channel_base
    feed.title = _title_text(title, None) or None
    feed.language = language or None
    _collect([_rss_item(el, xml_base) for el in elements], base, feed.language, feed)


def _atom_text(el: etree._Element) -> tuple[str, bool]:
    """(value, is_html) of an Atom text construct."""
    kind = (el.get("type") or "text").strip().lower()
    mode = (el.get("mode") or "").strip().lower()  # Atom 0.3
    if kind in ("xhtml", "application/xhtml+xml") or mode == "xml":
        div = next((c for _, local, c in _children(el) if local == "div"), None)
        return _inner_xml(div if div is not None and len(el) == 1 else el), True
    if kind in ("html", "text/html") or mode == "escaped":
        return _inner_xml(el), True
    if mode == "base64" or not (kind in ("text", "text/plain") or kind.startswith("text/")):
        return "", False
    return "".join(el.itertext()), False


def _atom_entry(el: etree._Element, feed_language: str | None) -> _Raw:
    raw = _Raw(base=el.base)
    alternates: list[tuple[int, str]] = []
    for ns, local, child in _children(el):
        if ns not in _ATOM_NS:
            if ns == _DC and local == "language":
                raw.language = _text(child)
            continue
        if local == "title":
            raw.title, raw.title_html = _atom_text(child)
        elif local == "link":
            rel = (child.get("rel") or "alternate").strip()
            href = child.get("href")
            if rel == "alternate" and href:
                kind = (child.get("type") or "text/html").lower()
                rank = 0 if kind in ("text/html", "application/xhtml+xml") else 1
                alternates.append((rank, urljoin(child.base or "", href.strip())))
        elif local == "id":
            raw.guid = _text(child)
        elif local in ("published", "issued", "created"):
            raw.published = raw.published or _text(child)
        elif local in ("updated", "modified"):
            raw.updated = raw.updated or _text(child)
        elif local == "author":
            name = next((_text(c) for _, n, c in _children(child) if n == "name"), None)
            if name:
                raw.authors.append(name)
        elif local == "summary":
            raw.summary, raw.summary_html = _atom_text(child)
        elif local == "content" and raw.content is None and not child.get("src"):
            value, is_html = _atom_text(child)
            raw.content, raw.content_html = (value or None), is_html
        elif local == "category":
            term = child.get("label") or child.get("term")
            if term:
                raw.tags.append(term)
    if alternates:
        raw.link = min(alternates, key=lambda pair: pair[0])[1]
    raw.language = raw.language or _inherited_lang(el) or feed_language
    return raw


def _inherited_lang(el: etree._Element) -> str | None:
    node: etree._Element | None = el
    while node is not None:
        lang = node.get(_XML_LANG)
        if lang is not None:
            return lang.strip() or None
        node = node.getparent()
    return None


def _from_atom(root: etree._Element, url: str, feed: ParsedFeed) -> None:
    feed.language = _inherited_lang(root)
    for ns, local, child in _children(root):
        if ns in _ATOM_NS and local == "title":
            value, is_html = _atom_text(child)
            feed.title = _title_text(value, is_html) or None
            break
    entries = [_atom_entry(c, feed.language) for ns, local, c in _children(root) if local == "entry" and ns in _ATOM_NS]
    _collect(entries, url, feed.language, feed)


# --------------------------------------------------------------------------------------------
# RSS and Atom with feedparser (broken XML, DOCTYPEs)
# --------------------------------------------------------------------------------------------


def _fp_detail_type(entry: Any, key: str) -> str:
    detail = entry.get(key)
    return str(detail.get("type") or "") if detail else ""


def _from_feedparser(data: bytes, url: str, feed: ParsedFeed, lxml_error: str | None) -> None:
    """Parse with feedparser's lenient parsers; keep what it recovers."""
    import io

    import feedparser

    # A file object, never a str (feedparser opens str arguments as URLs or paths). No
    # Content-Location: relative links stay relative so the channel link can serve as base.
    try:
        result = feedparser.parse(
            io.BytesIO(data),
            response_headers={"content-type": "application/xml; charset=utf-8"},
            resolve_relative_uris=False,
            sanitize_html=False,
        )
    except Exception as exc:  # its lenient sgmllib parser can fail in odd ways on odd input
        raise MalformedInputError(f"{_NOT_A_FEED}: unreadable XML ({type(exc).__name__}: {exc})", ref=url) from None
    version = str(result.get("version") or "")
    entries = list(result.get("entries") or [])
    bozo = bool(result.get("bozo"))
    reason = str(result.get("bozo_exception") or lxml_error or "")
    if not version and not entries:
        raise MalformedInputError(f"{_NOT_A_FEED}: {reason or 'no feed elements found'}", ref=url)
    if bozo and not entries:
        raise MalformedInputError(
            f"{_NOT_A_FEED}: XML was not well-formed ({reason}) and no items could be recovered", ref=url
        )
    is_atom = version.startswith("atom")
    feed.kind = "atom" if is_atom else "rss"
    meta = result.get("feed") or {}
    title_html = ("html" in _fp_detail_type(meta, "title_detail")) if is_atom else None
    feed.title = _title_text(meta.get("title"), title_html) or None
    feed.language = str(meta.get("language") or "").strip() or None
    base = url
    if not is_atom:
        base = _http_url(meta.get("link"), url) or url
    raws = [_fp_raw(entry, is_atom) for entry in entries]
    if bozo:
        feed.warnings.append(f"XML was not well-formed; {_plural(len(entries), 'item')} recovered ({reason})")
    _collect(raws, base, feed.language, feed)


def _fp_raw(entry: Any, is_atom: bool) -> _Raw:
    raw = _Raw()
    if entry.get("guidislink"):  # feedparser copied the guid into the link: apply our own rule
        raw.guid_link = entry.get("id")
    else:
        raw.link = entry.get("link")
    raw.guid = entry.get("id")
    raw.title = entry.get("title")
    raw.title_html = ("html" in _fp_detail_type(entry, "title_detail")) if is_atom else None
    raw.published = entry.get("published") or entry.get("created")
    raw.published_parsed = entry.get("published_parsed") or entry.get("created_parsed")
    raw.updated = dict.get(entry, "updated")  # plain dict access: no fallback to 'published'
    raw.updated_parsed = dict.get(entry, "updated_parsed")
    raw.authors = [str(a.get("name")) for a in entry.get("authors") or [] if a.get("name")]
    if not raw.authors and entry.get("author"):
        raw.authors = [str(entry.get("author"))]
    detail = entry.get("summary_detail")
    if detail is not None:  # without it feedparser copied the content into 'summary'
        raw.summary = detail.get("value")
        raw.summary_html = "html" in str(detail.get("type") or "text/html") or not is_atom
    contents = list(entry.get("content") or [])
    if contents:
        chosen = next((c for c in contents if "html" in str(c.get("type") or "")), contents[0])
        raw.content = chosen.get("value")
        raw.content_html = "html" in str(chosen.get("type") or "text/html")
    terms = (t.get("label") or t.get("term") for t in entry.get("tags") or [])
    raw.tags = [str(term) for term in terms if term]
    language = entry.get("language") or (entry.get("title_detail") or {}).get("language")
    raw.language = str(language) if language else None
    bases = [d.get("base") for d in (entry.get("title_detail"), detail) if d and d.get("base")]
    raw.base = str(bases[0]) if bases and _http_url(str(bases[0]), None) else None
    return raw


# --------------------------------------------------------------------------------------------
# JSON Feed
# --------------------------------------------------------------------------------------------


def _json_names(value: Any) -> list[str]:
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        return []
    return [name for a in value if isinstance(a, dict) and (name := _str(a.get("name")))]


def _from_json(text: str, url: str) -> ParsedFeed:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedInputError(f"{_NOT_A_FEED}: broken JSON ({exc.msg} at line {exc.lineno})", ref=url) from None
    except RecursionError:
        raise MalformedInputError(f"{_NOT_A_FEED}: JSON nested too deeply", ref=url) from None
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise MalformedInputError(f'{_NOT_A_FEED}: JSON, but not a JSON Feed (no "items" list)', ref=url)
    feed = ParsedFeed(kind="jsonfeed", url=url)
    version = _str(data.get("version")) or ""
    if "jsonfeed.org/version/" not in version:
        feed.warnings.append(f"unknown JSON Feed version {version!r}; read as JSON Feed 1.1")
    feed.title = _title_text(_str(data.get("title")), False) or None
    feed.language = _str(data.get("language"))
    feed_authors = _json_names(data.get("authors")) or _json_names(data.get("author"))
    raws: list[_Raw] = []
    for item in data["items"]:
        if not isinstance(item, dict):
            continue
        raw = _Raw(title_html=False, summary_html=False)
        guid = item.get("id")
        raw.guid = str(guid) if isinstance(guid, int | float) and not isinstance(guid, bool) else _str(guid)
        raw.link = _str(item.get("url"))
        raw.guid_link = raw.guid
        raw.title = _str(item.get("title"))
        raw.published = _str(item.get("date_published"))
        raw.updated = _str(item.get("date_modified"))
        raw.authors = _json_names(item.get("authors")) or _json_names(item.get("author")) or list(feed_authors)
        raw.summary = _str(item.get("summary"))
        content_html = _str(item.get("content_html"))
        content_text = _str(item.get("content_text"))
        raw.content, raw.content_html = (content_html, True) if content_html else (content_text, False)
        tags = item.get("tags")
        raw.tags = [t for t in (_str(x) for x in tags) if t] if isinstance(tags, list) else []
        raw.language = _str(item.get("language"))
        raws.append(raw)
    # Relative item URLs: against the home page, as RSS item links are against the channel link.
    _collect(raws, _http_url(_str(data.get("home_page_url")), url) or url, feed.language, feed)
    return feed


# --------------------------------------------------------------------------------------------
# Sitemaps
# --------------------------------------------------------------------------------------------


def _from_sitemap_index(root: etree._Element, url: str, feed: ParsedFeed) -> None:
    seen: set[str] = set()
    for _, local, child in _children(root):
        if local != "sitemap":
            continue
        loc = next((_text(c) for _, n, c in _children(child) if n == "loc"), None)
        absolute = _http_url(loc, url)
        if absolute is None:
            continue
        key = url_key(absolute) or absolute
        if key not in seen:
            seen.add(key)
            feed.sitemaps.append(absolute)


def _from_urlset(root: etree._Element, url: str, feed: ParsedFeed) -> None:
    raws: list[_Raw] = []
    publications: set[str] = set()
    languages: set[str] = set()
    for _, local, child in _children(root):
        if local != "url":
            continue
        raw = _Raw(title_html=False)
        news_date = None
        for ns, name, part in _children(child):
            if name == "loc":
                raw.link = _text(part)
            elif name == "lastmod":
                raw.updated = _text(part)
            elif name == "news" and ns in (_NEWS, ""):
                for _, field_name, value in _children(part):
                    if field_name == "publication_date":
                        news_date = _text(value)
                    elif field_name == "title":
                        raw.title = _text(value)
                    elif field_name == "keywords":
                        raw.tags = [k for k in (s.strip() for s in _text(value).split(",")) if k]
                    elif field_name == "publication":
                        for _, pub_field, pub_value in _children(value):
                            if pub_field == "name" and _text(pub_value):
                                publications.add(_one_line(DISPLAY(_text(pub_value))))
                            elif pub_field == "language":
                                raw.language = _text(pub_value) or None
        raw.published = news_date or raw.updated
        if raw.link:
            raws.append(raw)
            if raw.language:
                languages.add(raw.language)
    if len(publications) == 1:
        feed.title = publications.pop()
    if len(languages) == 1:
        feed.language = languages.pop()
    _collect(raws, url, None, feed)


# --------------------------------------------------------------------------------------------
# OPML and feed lists
# --------------------------------------------------------------------------------------------


def _interval(value: str | None) -> float | None:
    if not value:
        return None
    match = _INTERVAL.match(value)
    if match is None:
        return None
    unit = (match.group(2) or "s")[0].lower()
    seconds = float(match.group(1)) * _INTERVAL_UNITS[unit]
    return seconds if seconds > 0 else None


def _opml_specs(root: etree._Element, *, base: str | None, strict: bool, ref: str) -> tuple[list[FeedSpec], list[str]]:
    """FeedSpecs of every outline with an xmlUrl, nested to any depth (first per URL key)."""
    specs: list[FeedSpec] = []
    warnings: list[str] = []
    seen: set[str] = set()
    body = next((c for _, local, c in _children(root) if local == "body"), root)

    def walk(parent: etree._Element, group_language: str | None) -> None:
        for _, local, outline in _children(parent):
            if local != "outline":
                continue
            attrs = {k.lower(): v.strip() for k, v in outline.attrib.items() if isinstance(k, str) and "{" not in k}
            language = attrs.get("language") or attrs.get("lang") or group_language
            xml_url = attrs.get("xmlurl")
            if xml_url:
                absolute = _http_url(xml_url, base)
                if absolute is None:
                    message = f"line {outline.sourceline}: xmlUrl is not an http(s) URL: {xml_url!r}"
                    if strict:
                        raise MalformedInputError(message, ref=ref)
                    warnings.append(message)
                else:
                    key = url_key(absolute) or absolute
                    if key not in seen:
                        seen.add(key)
                        name = attrs.get("title") or attrs.get("text")
                        raw_interval = attrs.get("interval")
                        interval = _interval(raw_interval)
                        if raw_interval and interval is None:
                            message = f"line {outline.sourceline}: interval {raw_interval!r} is not a duration"
                            if strict:
                                raise MalformedInputError(message, ref=ref)
                            warnings.append(message)
                        specs.append(
                            FeedSpec(
                                url=absolute,
                                title=_one_line(DISPLAY(name)) if name else None,
                                source=_one_line(DISPLAY(s))
                                if (s := attrs.get("outlet") or attrs.get("source") or attrs.get("text") or name)
                                else None,
                                language=language or None,
                                interval=interval,
                            )
                        )
            walk(outline, language)

    walk(body, None)
    return specs, warnings


def _opml_title(root: etree._Element) -> str | None:
    head = next((c for _, local, c in _children(root) if local == "head"), None)
    if head is None:
        return None
    title = next((_text(c) for _, local, c in _children(head) if local == "title"), None)
    return _one_line(DISPLAY(title)) if title else None


def _parse_opml_document(data: bytes, ref: str) -> list[FeedSpec]:
    text = _decode(data, ref)
    try:
        root = etree.fromstring(_utf8_xml(text), _PARSERS.xml)
    except etree.XMLSyntaxError as exc:
        raise MalformedInputError(f"broken OPML: {exc}", ref=ref) from None
    if _local(root).lower() != "opml":
        raise MalformedInputError(f"not an OPML file: the root element is <{_local(root)}>", ref=ref)
    specs, _ = _opml_specs(root, base=None, strict=True, ref=ref)
    if not specs:
        raise EmptyInputError("no feeds in this OPML file (no outline has an xmlUrl)", ref=ref)
    return specs


def _parse_text_list(data: bytes, ref: str) -> list[FeedSpec]:
    text = _decode(data, ref)
    specs: list[FeedSpec] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), 1):
        line = re.sub(r"(?:^|\s)#.*$", "", line).strip()
        if not line:
            continue
        first, _, rest = line.partition("\t") if "\t" in line else line.partition(" ")
        absolute = _http_url(first.strip(), None)
        if absolute is None:
            raise MalformedInputError(f"line {number}: not an http(s) URL: {first.strip()!r}", ref=ref)
        key = url_key(absolute) or absolute
        if key in seen:
            continue
        seen.add(key)
        name = _one_line(DISPLAY(rest))
        specs.append(FeedSpec(url=absolute, source=name or None))
    if not specs:
        raise EmptyInputError("no feed URLs in this list (only blank lines and comments)", ref=ref)
    return specs


def read_feed_list(path: str | Path) -> list[FeedSpec]:
    """Read a feed list: ``.opml``/``.xml`` outlines, or ``.txt`` lines (``URL<TAB>outlet name``).

    Raise :class:`MalformedInputError` for an unreadable or broken file (naming the line) and
    :class:`EmptyInputError` for a file that lists no feed.
    """
    path = Path(path)
    ref = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MalformedInputError(f"cannot read the feed list: {exc.strerror or exc}", ref=ref) from None
    suffix = path.suffix.lower()
    if suffix in (".opml", ".xml"):
        return _parse_opml_document(data, ref)
    if suffix == ".txt":
        return _parse_text_list(data, ref)
    return _parse_opml_document(data, ref) if data.lstrip().startswith(b"<") else _parse_text_list(data, ref)


def default_feed_list() -> list[FeedSpec]:
    """The bundled list of Arabic news feeds (``marsad/data/feeds.opml``)."""
    resource = resources.files("marsad") / "data" / "feeds.opml"
    return _parse_opml_document(resource.read_bytes(), "marsad/data/feeds.opml")


# --------------------------------------------------------------------------------------------
# parse_feed
# --------------------------------------------------------------------------------------------


def _gunzip(data: bytes, ref: str) -> bytes:
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, MAX_DECOMPRESSED_BYTES + 1)
    except zlib.error as exc:
        raise MalformedInputError(f"broken gzip body ({exc})", ref=ref) from None
    if len(out) > MAX_DECOMPRESSED_BYTES:
        raise OversizedInputError(f"gzip body expands beyond {MAX_DECOMPRESSED_BYTES // (1024 * 1024)} MB", ref=ref)
    if not inflater.eof:
        raise MalformedInputError("broken gzip body (truncated or corrupt)", ref=ref)
    return out


def _decode(data: bytes, ref: str, charset: str | None = None) -> str:
    try:
        text = decode_bytes(data, declared=charset, ref=ref).text
    except (BinaryInputError, EncodingError) as exc:
        raise MalformedInputError(f"{_NOT_A_FEED}: {exc.message}", ref=ref) from None
    return text.lstrip("\ufeff").strip()


def _utf8_xml(text: str) -> bytes:
    """The document as UTF-8 bytes, its XML declaration dropped (it may name the old encoding)."""
    return _XML_DECL.sub("", text, count=1).encode("utf-8")


def parse_feed(data: bytes, *, url: str, charset: str | None = None) -> ParsedFeed:
    """Parse a feed, news sitemap, sitemap index or OPML document fetched from ``url``.

    ``charset`` is the transport charset (the Content-Type header's), if any. Raise
    :class:`EmptyInputError` for an empty body, :class:`MalformedInputError` ("not a feed,
    sitemap or OPML: <reason>") when nothing usable is found.
    """
    if not data or not data.strip():
        raise EmptyInputError("empty feed body", ref=url)
    if data[:2] == _GZIP_MAGIC:
        data = _gunzip(data, url)
        if not data.strip():
            raise EmptyInputError("empty feed body (after gunzip)", ref=url)
    text = _decode(data, url, charset)
    if not text:
        raise EmptyInputError("empty feed body", ref=url)
    if text[0] in "{[":
        return _from_json(text, url)
    text, junk = _drop_leading_junk(text)
    if junk:
        warnings = [f"{junk} characters of junk before the XML dropped"]
    elif text[0] != "<":
        raise MalformedInputError(f"{_NOT_A_FEED}: neither XML nor JSON (starts with {text[:30]!r})", ref=url)
    else:
        warnings = []

    body = _utf8_xml(text)
    prolog = _PROLOG.match(text)
    prolog_end = prolog.end() if prolog else 0
    first = _FIRST_TAG.match(text, prolog_end)
    name = first.group(1).rpartition(":")[2].lower() if first else ""
    if name == "html":
        raise MalformedInputError(f"{_NOT_A_FEED}: an HTML page", ref=url)
    feedish = name not in ("urlset", "sitemapindex", "opml")
    has_doctype = "<!doctype" in text[:prolog_end].lower()
    root: etree._Element | None = None
    lxml_error: str | None = None
    if not (has_doctype and feedish):  # feedparser knows the entities of RSS 0.91's DOCTYPE
        try:
            root = etree.fromstring(body, _PARSERS.xml, base_url=url)
        except etree.XMLSyntaxError as exc:
            lxml_error = str(exc)
            # HTML entities (&nbsp; &hellip; ...) are the commonest fault of Arabic feeds: as
            # character references the document may well be well-formed.
            fixed = _numeric_entities(text)
            if fixed is not None:
                try:
                    root = etree.fromstring(_utf8_xml(fixed), _PARSERS.xml, base_url=url)
                except etree.XMLSyntaxError:
                    root = None
    if root is not None:
        feed = _from_tree(root, url)
    elif not feedish:
        recovered = etree.fromstring(body, _PARSERS.recover, base_url=url)
        if recovered is None:
            raise MalformedInputError(f"{_NOT_A_FEED}: broken XML ({lxml_error})", ref=url)
        feed = _from_tree(recovered, url)
        count = _plural(len(feed.items) or len(feed.sitemaps) or len(feed.feeds), "entry", "entries")
        feed.warnings.insert(0, f"XML was not well-formed; {count} recovered ({lxml_error})")
    else:
        feed = ParsedFeed(kind="rss", url=url)
        _from_feedparser(body, url, feed, lxml_error)
    feed.warnings[:0] = warnings
    return feed


def _numeric_entities(text: str) -> str | None:
    """``text`` with HTML named entities turned into character references; None if it has none."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _XML_ENTITIES:
            return match.group(0)
        chars = html.entities.html5.get(name + ";")
        return "".join(f"&#{ord(c)};" for c in chars) if chars else match.group(0)

    fixed = _ENTITY_REF.sub(replace, text)
    return fixed if fixed != text else None


def _drop_leading_junk(text: str) -> tuple[str, int]:
    """Cut text printed before the document (PHP warnings, stray bytes); return it and the count cut."""
    head = text[:_JUNK_WINDOW]
    decl = head.find("<?xml")
    if decl > 0:
        return text[decl:], decl
    if text[0] == "<":
        return text, 0
    match = _ROOT_NAME.search(head)
    if match is None:
        return text, 0
    return text[match.start() :], match.start()


def _from_tree(root: etree._Element, url: str) -> ParsedFeed:
    """Dispatch a parsed document on its root element."""
    ns, local = _split_tag(root.tag) if isinstance(root.tag, str) else ("", "")
    name = local.lower()
    if name == "rss" or (name == "rdf" and ns == _RDF):
        feed = ParsedFeed(kind="rss", url=url)
        _from_rss(root, url, feed)
    elif name == "feed" and ns in (_ATOM, _ATOM03, ""):
        feed = ParsedFeed(kind="atom", url=url)
        _from_atom(root, url, feed)
    elif name == "urlset":
        feed = ParsedFeed(kind="sitemap", url=url)
        _from_urlset(root, url, feed)
    elif name == "sitemapindex":
        feed = ParsedFeed(kind="sitemap_index", url=url)
        _from_sitemap_index(root, url, feed)
    elif name == "opml":
        feed = ParsedFeed(kind="opml", url=url, title=_opml_title(root))
        feed.feeds, feed.warnings = _opml_specs(root, base=url, strict=False, ref=url)
    elif name == "html":
        raise MalformedInputError(f"{_NOT_A_FEED}: an HTML page", ref=url)
    else:
        raise MalformedInputError(f"{_NOT_A_FEED}: the root element is <{local}>", ref=url)
    return feed
