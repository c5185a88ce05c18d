"""RSS 0.9x/1.0/2.0 and Atom, read twice: lxml for well-formed XML (fast), feedparser for the rest.

Both paths fill the same :class:`~marsad.sources.feeds.items.RawItem` records and finish them with
:func:`~marsad.sources.feeds.items.collect`, so they agree on every well-formed feed (the tests
check this); feedparser only adds recovery from broken XML and DOCTYPE entities.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from lxml import etree

from marsad.errors import MalformedInputError
from marsad.sources.feeds.items import ParsedFeed, RawItem, collect, plural, title_text
from marsad.sources.feeds.xmltools import (
    ATOM,
    ATOM03,
    CONTENT,
    DC,
    DCTERMS,
    NOT_A_FEED,
    RDF,
    RSS090,
    RSS10,
    XML_BASE,
    XML_LANG,
    children,
    http_url,
    inner_xml,
    local_name,
    text_of,
)

# --------------------------------------------------------------------------------------------
# lxml (well-formed XML)
# --------------------------------------------------------------------------------------------

_RSS_TITLE_NS = frozenset({"", RSS10, RSS090})
_ATOM_NS = frozenset({ATOM, ATOM03, ""})  # "": an Atom feed that forgot its namespace


def _has_xml_base(el: etree._Element) -> bool:
    node: etree._Element | None = el
    while node is not None:
        if XML_BASE in node.attrib:
            return True
        node = node.getparent()
    return False


def _rss_item(el: etree._Element, xml_base: bool) -> RawItem:
    raw = RawItem()
    dc_title = dc_description = dc_creator = None
    for ns, local, child in children(el):
        if ns in _RSS_TITLE_NS:
            if local == "title":
                raw.title = raw.title or text_of(child)
            elif local == "link":
                raw.link = raw.link or text_of(child)
            elif local == "description":
                raw.summary = raw.summary or inner_xml(child)
            elif local == "guid":
                raw.guid = text_of(child)
                permalink = (child.get("isPermaLink") or "true").strip().lower() != "false"
                raw.guid_link = raw.guid if permalink else None
            elif local == "pubDate":
                raw.published = raw.published or text_of(child)
            elif local == "author":
                raw.authors.append(text_of(child))
            elif local == "category":
                raw.tags.append(text_of(child))
        elif ns == CONTENT and local == "encoded":
            raw.content = raw.content or inner_xml(child)
        elif ns == DC:
            if local == "date":
                raw.updated = raw.updated or text_of(child)
            elif local == "creator":
                dc_creator = dc_creator or text_of(child)
            elif local == "subject":
                raw.tags.append(text_of(child))
            elif local == "language":
                raw.language = raw.language or text_of(child)
            elif local == "title":
                dc_title = dc_title or text_of(child)
            elif local == "description":
                dc_description = dc_description or inner_xml(child)
        elif ns == DCTERMS:
            if local in ("issued", "created"):
                raw.published = raw.published or text_of(child)
            elif local == "modified":
                raw.updated = raw.updated or text_of(child)
        elif ns == ATOM:
            if local == "updated":
                raw.updated = raw.updated or text_of(child)
            elif local == "published":
                raw.published = raw.published or text_of(child)
            elif local == "link" and (child.get("rel") or "alternate") == "alternate" and not raw.link:
                raw.link = child.get("href")
    raw.title = raw.title or dc_title
    raw.summary = raw.summary or dc_description
    if dc_creator and not raw.authors:
        raw.authors.append(dc_creator)
    about = el.get(f"{{{RDF}}}about")
    if about:  # RSS 1.0: the item's URI
        raw.guid = raw.guid or about
        raw.guid_link = raw.guid_link or about
    if xml_base and _has_xml_base(el):
        raw.base = el.base
    return raw


def from_rss(root: etree._Element, url: str, feed: ParsedFeed) -> None:
    channel = next((c for _, local, c in children(root) if local == "channel"), None)
    language = title = link = None
    if channel is not None:
        for ns, local, child in children(channel):
            if ns in _RSS_TITLE_NS and local == "title" and title is None:
                title = text_of(child)
            elif ns in _RSS_TITLE_NS and local == "link" and link is None:
                link = text_of(child)
            elif local == "language" and ns in ("", DC) and language is None:
                language = text_of(child)
    containers = [channel, root] if channel is not None else [root]  # RSS 1.0 puts items beside the channel
    elements = [c for parent in containers for _, local, c in children(parent) if local == "item"]
    if not elements:
        elements = [el for el in root.iter() if local_name(el) == "item"]
    xml_base = any(XML_BASE in el.attrib for el in root.iter())
    base = url
    if channel is not None:
        channel_base = channel.base if xml_base and _has_xml_base(channel) else url
        base = http_url(link, channel_base) or channel_base
    feed.title = title_text(title, None) or None
    feed.language = language or None
    collect([_rss_item(el, xml_base) for el in elements], base, feed.language, feed)


def _atom_text(el: etree._Element) -> tuple[str, bool]:
    """(value, is_html) of an Atom text construct."""
    kind = (el.get("type") or "text").strip().lower()
    mode = (el.get("mode") or "").strip().lower()  # Atom 0.3
    if kind in ("xhtml", "application/xhtml+xml") or mode == "xml":
        div = next((c for _, local, c in children(el) if local == "div"), None)
        return inner_xml(div if div is not None and len(el) == 1 else el), True
    if kind in ("html", "text/html") or mode == "escaped":
        return inner_xml(el), True
    if mode == "base64" or not (kind in ("text", "text/plain") or kind.startswith("text/")):
        return "", False
    return "".join(el.itertext()), False


def _atom_entry(el: etree._Element, feed_language: str | None) -> RawItem:
    raw = RawItem(base=el.base)
    alternates: list[tuple[int, str]] = []
    for ns, local, child in children(el):
        if ns not in _ATOM_NS:
            if ns == DC and local == "language":
                raw.language = text_of(child)
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
            raw.guid = text_of(child)
        elif local in ("published", "issued", "created"):
            raw.published = raw.published or text_of(child)
        elif local in ("updated", "modified"):
            raw.updated = raw.updated or text_of(child)
        elif local == "author":
            name = next((text_of(c) for _, n, c in children(child) if n == "name"), None)
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
        lang = node.get(XML_LANG)
        if lang is not None:
            return lang.strip() or None
        node = node.getparent()
    return None


def from_atom(root: etree._Element, url: str, feed: ParsedFeed) -> None:
    feed.language = _inherited_lang(root)
    for ns, local, child in children(root):
        if ns in _ATOM_NS and local == "title":
            value, is_html = _atom_text(child)
            feed.title = title_text(value, is_html) or None
            break
    entries = [_atom_entry(c, feed.language) for ns, local, c in children(root) if local == "entry" and ns in _ATOM_NS]
    collect(entries, url, feed.language, feed)


# --------------------------------------------------------------------------------------------
# feedparser (broken XML, DOCTYPEs)
# --------------------------------------------------------------------------------------------


def _fp_detail_type(entry: Any, key: str) -> str:
    detail = entry.get(key)
    return str(detail.get("type") or "") if detail else ""


def from_feedparser(data: bytes, url: str, feed: ParsedFeed, lxml_error: str | None) -> None:
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
        raise MalformedInputError(f"{NOT_A_FEED}: unreadable XML ({type(exc).__name__}: {exc})", ref=url) from None
    version = str(result.get("version") or "")
    entries = list(result.get("entries") or [])
    bozo = bool(result.get("bozo"))
    reason = str(result.get("bozo_exception") or lxml_error or "")
    if not version and not entries:
        raise MalformedInputError(f"{NOT_A_FEED}: {reason or 'no feed elements found'}", ref=url)
    if bozo and not entries:
        raise MalformedInputError(
            f"{NOT_A_FEED}: XML was not well-formed ({reason}) and no items could be recovered", ref=url
        )
    is_atom = version.startswith("atom")
    feed.kind = "atom" if is_atom else "rss"
    meta = result.get("feed") or {}
    title_html = ("html" in _fp_detail_type(meta, "title_detail")) if is_atom else None
    feed.title = title_text(meta.get("title"), title_html) or None
    feed.language = str(meta.get("language") or "").strip() or None
    base = url
    if not is_atom:
        base = http_url(meta.get("link"), url) or url
    raws = [_fp_raw(entry, is_atom) for entry in entries]
    if bozo:
        feed.warnings.append(f"XML was not well-formed; {plural(len(entries), 'item')} recovered ({reason})")
    collect(raws, base, feed.language, feed)


def _fp_raw(entry: Any, is_atom: bool) -> RawItem:
    raw = RawItem()
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
    raw.base = str(bases[0]) if bases and http_url(str(bases[0]), None) else None
    return raw
