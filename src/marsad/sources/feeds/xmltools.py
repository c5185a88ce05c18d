"""Reading feed XML: namespaces, lxml parsers, element helpers, decoding, and URL resolution.

Shared by every format module of :mod:`marsad.sources.feeds` (RSS/Atom, sitemaps, OPML).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree

from marsad.errors import BinaryInputError, EncodingError, MalformedInputError
from marsad.text.encoding import decode_bytes

ATOM = "http://www.w3.org/2005/Atom"
ATOM03 = "http://purl.org/atom/ns#"
RSS10 = "http://purl.org/rss/1.0/"
RSS090 = "http://my.netscape.com/rdf/simple/0.9/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"
_XML_NS = "http://www.w3.org/XML/1998/namespace"
XML_BASE = f"{{{_XML_NS}}}base"
XML_LANG = f"{{{_XML_NS}}}lang"
NEWS = "http://www.google.com/schemas/sitemap-news/0.9"

NOT_A_FEED = "not a feed, sitemap or OPML"


class _Parsers(threading.local):
    """lxml parser objects, one set per thread (a parser must not be used by two threads at once)."""

    def __init__(self) -> None:
        options: dict[str, Any] = {"no_network": True, "remove_comments": True, "remove_pis": True}
        self.xml = etree.XMLParser(resolve_entities="internal", **options)
        self.recover = etree.XMLParser(resolve_entities="internal", recover=True, **options)
        self.html = etree.HTMLParser(default_doctype=False, **options)


PARSERS = _Parsers()

_XML_DECL = re.compile(r"\A<\?xml\b[^>]*\?>")


def split_tag(tag: str) -> tuple[str, str]:
    """'{ns}local' -> ('ns', 'local'); 'local' -> ('', 'local')."""
    if tag[:1] == "{":
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


def local_name(el: etree._Element) -> str:
    tag = el.tag
    return split_tag(tag)[1] if isinstance(tag, str) else ""


def children(el: etree._Element) -> Iterator[tuple[str, str, etree._Element]]:
    """(namespace, local name, element) of each child element (comments and PIs skipped)."""
    for child in el:
        tag = child.tag
        if isinstance(tag, str):
            ns, local = split_tag(tag)
            yield ns, local, child


def text_of(el: etree._Element) -> str:
    """All text inside ``el`` (children's text included), stripped."""
    if len(el) == 0:
        return (el.text or "").strip()
    return "".join(el.itertext()).strip()


def inner_xml(el: etree._Element) -> str:
    """The content of ``el`` as markup: its text, or its children serialized (XHTML put inline)."""
    if len(el) == 0:
        return el.text or ""
    parts = [el.text or ""]
    parts.extend(etree.tostring(child, encoding="unicode", with_tail=True) for child in el)
    return "".join(parts)


def str_value(value: Any) -> str | None:
    """A non-empty stripped string, or None (for JSON values of any type)."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return None


def http_url(raw: str | None, base: str | None) -> str | None:
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


def decode_text(data: bytes, ref: str, charset: str | None = None) -> str:
    """The document as text, by marsad's decoder (never feedparser's: it reads windows-1256 as 1252)."""
    try:
        text = decode_bytes(data, declared=charset, ref=ref).text
    except (BinaryInputError, EncodingError) as exc:
        raise MalformedInputError(f"{NOT_A_FEED}: {exc.message}", ref=ref) from None
    return text.lstrip("\ufeff").strip()


def utf8_xml(text: str) -> bytes:
    """The document as UTF-8 bytes, its XML declaration dropped (it may name the old encoding)."""
    return _XML_DECL.sub("", text, count=1).encode("utf-8")
