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

Modules
-------

``items`` (FeedSpec, FeedItem, ParsedFeed and the cleaning shared by every path), ``xmltools``
(namespaces, lxml parsers, decoding), ``rss`` (RSS/Atom by lxml, and by feedparser for broken XML),
``jsonfeed``, ``sitemaps``, ``opml`` (feed lists). This module sniffs a document and dispatches.

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

import html.entities
import re

from lxml import etree

from marsad.errors import EmptyInputError, MalformedInputError
from marsad.sources.decompress import gunzip
from marsad.sources.feeds import jsonfeed, rss, sitemaps
from marsad.sources.feeds.items import FULL_TEXT_WORDS, SUMMARY_LEAD_CHARS, FeedItem, FeedSpec, ParsedFeed, plural
from marsad.sources.feeds.opml import default_feed_list, opml_specs, opml_title, read_feed_list
from marsad.sources.feeds.xmltools import ATOM, ATOM03, NOT_A_FEED, PARSERS, RDF, decode_text, split_tag, utf8_xml

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

MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024
"""A gzip body may expand to this much (the sitemap protocol allows 50 MB uncompressed)."""

_GZIP_MAGIC = b"\x1f\x8b"
_PROLOG = re.compile(r"\A(?:\s+|<\?[^>]*\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)*", re.S | re.I)
_ROOT_NAME = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?(rss|RDF|feed|urlset|sitemapindex|opml|html)\b", re.I)
_FIRST_TAG = re.compile(r"<([A-Za-z_][\w.:-]*)")
_JUNK_WINDOW = 2048
_ENTITY_REF = re.compile(r"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})


def parse_feed(data: bytes, *, url: str, charset: str | None = None) -> ParsedFeed:
    """Parse a feed, news sitemap, sitemap index or OPML document fetched from ``url``.

    ``charset`` is the transport charset (the Content-Type header's), if any. Raise
    :class:`EmptyInputError` for an empty body, :class:`MalformedInputError` ("not a feed,
    sitemap or OPML: <reason>") when nothing usable is found.
    """
    if not data or not data.strip():
        raise EmptyInputError("empty feed body", ref=url)
    if data[:2] == _GZIP_MAGIC:
        data = gunzip(data, MAX_DECOMPRESSED_BYTES, ref=url)
        if not data.strip():
            raise EmptyInputError("empty feed body (after gunzip)", ref=url)
    text = decode_text(data, url, charset)
    if not text:
        raise EmptyInputError("empty feed body", ref=url)
    if text[0] in "{[":
        return jsonfeed.from_json(text, url)
    text, junk = _drop_leading_junk(text)
    if junk:
        warnings = [f"{junk} characters of junk before the XML dropped"]
    elif text[0] != "<":
        raise MalformedInputError(f"{NOT_A_FEED}: neither XML nor JSON (starts with {text[:30]!r})", ref=url)
    else:
        warnings = []

    body = utf8_xml(text)
    prolog = _PROLOG.match(text)
    prolog_end = prolog.end() if prolog else 0
    first = _FIRST_TAG.match(text, prolog_end)
    name = first.group(1).rpartition(":")[2].lower() if first else ""
    if name == "html":
        raise MalformedInputError(f"{NOT_A_FEED}: an HTML page", ref=url)
    feedish = name not in ("urlset", "sitemapindex", "opml")
    has_doctype = "<!doctype" in text[:prolog_end].lower()
    root: etree._Element | None = None
    lxml_error: str | None = None
    if not (has_doctype and feedish):  # feedparser knows the entities of RSS 0.91's DOCTYPE
        try:
            root = etree.fromstring(body, PARSERS.xml, base_url=url)
        except etree.XMLSyntaxError as exc:
            lxml_error = str(exc)
            # HTML entities (&nbsp; &hellip; ...) are the commonest fault of Arabic feeds: as
            # character references the document may well be well-formed.
            fixed = _numeric_entities(text)
            if fixed is not None:
                try:
                    root = etree.fromstring(utf8_xml(fixed), PARSERS.xml, base_url=url)
                except etree.XMLSyntaxError:
                    root = None
    if root is not None:
        feed = _from_tree(root, url)
    elif not feedish:
        recovered = etree.fromstring(body, PARSERS.recover, base_url=url)
        if recovered is None:
            raise MalformedInputError(f"{NOT_A_FEED}: broken XML ({lxml_error})", ref=url)
        feed = _from_tree(recovered, url)
        count = plural(len(feed.items) or len(feed.sitemaps) or len(feed.feeds), "entry", "entries")
        feed.warnings.insert(0, f"XML was not well-formed; {count} recovered ({lxml_error})")
    else:
        feed = ParsedFeed(kind="rss", url=url)
        rss.from_feedparser(body, url, feed, lxml_error)
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
    ns, local = split_tag(root.tag) if isinstance(root.tag, str) else ("", "")
    name = local.lower()
    if name == "rss" or (name == "rdf" and ns == RDF):
        feed = ParsedFeed(kind="rss", url=url)
        rss.from_rss(root, url, feed)
    elif name == "feed" and ns in (ATOM, ATOM03, ""):
        feed = ParsedFeed(kind="atom", url=url)
        rss.from_atom(root, url, feed)
    elif name == "urlset":
        feed = ParsedFeed(kind="sitemap", url=url)
        sitemaps.from_urlset(root, url, feed)
    elif name == "sitemapindex":
        feed = ParsedFeed(kind="sitemap_index", url=url)
        sitemaps.from_sitemap_index(root, url, feed)
    elif name == "opml":
        feed = ParsedFeed(kind="opml", url=url, title=opml_title(root))
        feed.feeds, feed.warnings = opml_specs(root, base=url, strict=False, ref=url)
    elif name == "html":
        raise MalformedInputError(f"{NOT_A_FEED}: an HTML page", ref=url)
    else:
        raise MalformedInputError(f"{NOT_A_FEED}: the root element is <{local}>", ref=url)
    return feed
