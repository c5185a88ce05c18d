"""Atom 1.0 documents (RFC 4287) as bytes: the feeds the reader publishes, built as data and serialized once.

Only text constructs (``type="text"``): titles and summaries are plain text, escaped by the XML writer, so
nothing an outlet wrote can become markup in a feed reader. Times are RFC 3339 in UTC.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import quote

from marsad.times import parse_utc

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MEDIA_TYPE = "application/atom+xml; charset=utf-8"
TAG_AUTHORITY = "marsad"
TAG_DATE = "2025"
"""Entry and feed ids are tag URIs (RFC 4151) ``tag:marsad,2025:<what>``: stable for as long as the store keeps
its ids, whatever address the reader is served from."""
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FORBIDDEN = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32), 0xFFFE, 0xFFFF])
"""Characters XML 1.0 cannot carry (control characters other than tab and line ends); dropped from text."""


def tag_uri(what: str) -> str:
    """The tag URI of a feed or entry, e.g. ``tag:marsad,2025:article/12`` (names percent-encoded: ASCII only)."""
    return f"tag:{TAG_AUTHORITY},{TAG_DATE}:{quote(what, safe='/:')}"


def atom_time(value: str | datetime | None, default: datetime = EPOCH) -> datetime:
    """An instant in UTC from an ISO string or datetime (``default`` when absent or unreadable)."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    dt = parse_utc(value)
    return dt.replace(microsecond=0) if dt is not None else default


def rfc3339(dt: datetime) -> str:
    """``2018-05-09T10:15:00Z``."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class Link:
    """An ``atom:link``."""

    href: str
    rel: str = "alternate"
    type: str | None = None
    hreflang: str | None = None
    title: str | None = None


@dataclass(slots=True)
class Entry:
    """An ``atom:entry``: an article or a story."""

    id: str
    title: str
    updated: datetime
    links: list[Link]
    published: datetime | None = None
    authors: list[str] = field(default_factory=list)
    summary: str = ""
    categories: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Feed:
    """An ``atom:feed``; ``updated`` is the latest entry's time (or ``fallback_updated`` when there is none)."""

    id: str
    title: str
    links: list[Link]
    entries: list[Entry]
    subtitle: str = ""
    fallback_updated: datetime = EPOCH
    lang: str = "ar"

    @property
    def updated(self) -> datetime:
        """When the feed last changed: its newest entry's ``updated``."""
        return max((e.updated for e in self.entries), default=self.fallback_updated)


def _clean(text: str) -> str:
    return text.translate(_FORBIDDEN)


def _text(parent: ET.Element, name: str, text: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM_NS}}}{name}")
    el.text = _clean(text)
    return el


def _link(parent: ET.Element, link: Link) -> None:
    attrs = {"rel": link.rel, "href": link.href}
    for key in ("type", "hreflang", "title"):
        value = getattr(link, key)
        if value:
            attrs[key] = _clean(value)
    ET.SubElement(parent, f"{{{ATOM_NS}}}link", attrs)


def _author(parent: ET.Element, name: str) -> None:
    author = ET.SubElement(parent, f"{{{ATOM_NS}}}author")
    _text(author, "name", name)


def render(feed: Feed) -> bytes:
    """The feed as a UTF-8 XML document."""
    ET.register_namespace("", ATOM_NS)
    root = ET.Element(f"{{{ATOM_NS}}}feed", {XML_LANG: feed.lang})
    _text(root, "id", feed.id)
    _text(root, "title", feed.title).set("type", "text")
    if feed.subtitle:
        _text(root, "subtitle", feed.subtitle).set("type", "text")
    _text(root, "updated", rfc3339(feed.updated))
    for link in feed.links:
        _link(root, link)
    _author(root, "مرصد")
    _text(root, "generator", "Marsad")
    for entry in feed.entries:
        el = ET.SubElement(root, f"{{{ATOM_NS}}}entry")
        _text(el, "id", entry.id)
        _text(el, "title", entry.title or "—").set("type", "text")
        _text(el, "updated", rfc3339(entry.updated))
        if entry.published is not None:
            _text(el, "published", rfc3339(entry.published))
        for name in entry.authors:
            _author(el, name)
        for link in entry.links:
            _link(el, link)
        for term in entry.categories:
            ET.SubElement(el, f"{{{ATOM_NS}}}category", {"term": _clean(term)})
        if entry.summary:
            _text(el, "summary", entry.summary).set("type", "text")
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body
