"""HTML pages: blocks with region hints, metadata with fallbacks, main text via trafilatura.

Two paths. Pages carrying aggregator sections (source line, tags, read-also articles, related
lists, stamps) are sectioned from our own block walk, because trafilatura glues or drops those
parts. Ordinary article pages take trafilatura's main text. Metadata always comes from the page's
own markup first (meta, JSON-LD, <time>), then trafilatura; dates never from trafilatura, whose
date finder is wrong when the date is only in Arabic text.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from typing import Any

import lxml.html
import trafilatura
from lxml import etree

from marsad.errors import NoContentError
from marsad.extraction.sections import TAGS_RE, Block
from marsad.text.dates import date_to_iso
from marsad.text.normalize import DISPLAY

_DROP_TAGS = {
    "script", "style", "noscript", "template", "svg", "iframe", "form", "button", "select", "input",
    "textarea", "object", "embed", "canvas", "video", "audio", "picture", "img", "map", "head", "figcaption",
}
_BLOCK_TAGS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td", "th", "dd", "dt",
    "figcaption", "div", "section", "article", "main", "aside", "header", "footer", "nav", "ul", "ol",
    "table", "tr", "tbody", "thead", "body", "html", "figure", "address", "dl", "time", "caption",
}
_SKIP_RE = re.compile(
    r"comment|cookie|consent|newsletter|popup|modal|breadcrumb|share|social|menu|navbar|byline|author|caption", re.I
)
_ASIDE_RE = re.compile(r"sidebar|related|widget|most-?read|trending|recommend|more-news|similar", re.I)
_SITE_SUFFIX_RE = re.compile(r"\s*[|\-–—:»]\s*[^|\-–—:»]{2,40}$")


@dataclass(slots=True)
class PageMeta:
    """Metadata read from a page's markup."""

    title: str = ""
    h1: str = ""
    canonical_url: str | None = None
    site_name: str | None = None
    author: str | None = None
    published: str | None = None
    updated: str | None = None
    language: str | None = None
    tags: list[str] = field(default_factory=list)
    description: str | None = None


def parse_html(text: str) -> etree._Element:
    """Parse HTML text into an lxml tree (XML declarations removed: lxml refuses them in str)."""
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1)
    if not text.strip():
        raise NoContentError("the HTML page is empty")
    try:
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise NoContentError(f"the HTML could not be parsed: {exc}") from exc


def _attr_key(el: etree._Element) -> str:
    return f"{el.get('class', '')} {el.get('id', '')} {el.get('role', '')}"


def _inline_text(el: etree._Element, links: list[str]) -> str:
    """Text of ``el`` and its inline descendants (block descendants are emitted separately)."""
    parts: list[str] = [el.text or ""]
    for child in el:
        if not isinstance(child.tag, str):
            parts.append(child.tail or "")
            continue
        tag = child.tag.lower()
        if tag in _DROP_TAGS or tag in _BLOCK_TAGS:
            if tag == "br":
                parts.append("\n")
            parts.append(child.tail or "")
            continue
        if tag == "br":
            parts.append("\n")
        else:
            inner = _inline_text(child, links)
            if tag == "a" and inner.strip():
                links.append(DISPLAY(inner))
            parts.append(inner)
        parts.append(child.tail or "")
    return "".join(parts)


def page_blocks(root: etree._Element) -> list[Block]:
    """Block elements of the page in document order, without nav/page header/footer/scripts."""
    body = root.find("body")
    if body is None:
        body = root
    blocks: list[Block] = []

    def walk(el: etree._Element, region: str, in_article: bool) -> None:
        for child in el:
            if not isinstance(child.tag, str):
                continue
            tag = child.tag.lower()
            if tag in _DROP_TAGS:
                continue
            key = _attr_key(child)
            if tag == "nav" or (tag in ("header", "footer") and not in_article):
                continue
            if tag != "article" and key.strip() and _SKIP_RE.search(key) and not TAGS_RE.match(
                DISPLAY(child.text_content() or "")[:40]
            ):
                continue
            child_region = region
            if tag == "aside" or (key.strip() and _ASIDE_RE.search(key)):
                child_region = "aside"
            if tag in _BLOCK_TAGS:
                links: list[str] = []
                raw = _inline_text(child, links)
                for line in DISPLAY(raw).split("\n"):
                    line = line.strip()
                    if not line:
                        continue
                    if len(links) >= 2 and TAGS_RE.match(line):
                        label = line.split(":")[0] if ":" in line else "كلمات دلالية"
                        line = f"{label}: {'، '.join(links)}"
                    link_only = len(links) == 1 and links[0] == line
                    blocks.append(Block(line, len(blocks), tag, link_only, child_region))
                walk(child, child_region, in_article or tag in ("article", "main"))
            else:
                walk(child, child_region, in_article)

    walk(body, "main", False)
    return blocks


def _meta(root: etree._Element, *names: str) -> str | None:
    for name in names:
        for attr in ("property", "name", "itemprop"):
            found = root.xpath(f'//meta[@{attr}="{name}"]/@content')
            for value in found:
                value = DISPLAY(str(value))
                if value:
                    return value
    return None


def _json_ld(root: etree._Element) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for script in root.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except (ValueError, TypeError):
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, dict):
                if "@graph" in item and isinstance(item["@graph"], list):
                    stack.extend(item["@graph"])
                out.append(item)
    return out


def read_meta(root: etree._Element) -> PageMeta:
    """Title, canonical URL, site, author, dates, language and tags from the page's markup."""
    meta = PageMeta()
    ld_items = [i for i in _json_ld(root) if isinstance(i, dict)]
    article_ld = next(
        (i for i in ld_items if str(i.get("@type", "")).endswith(("Article", "NewsArticle", "BlogPosting"))
         or i.get("@type") in ("NewsArticle", "Article", "ReportageNewsArticle")),
        {},
    )
    title_el = root.find(".//title")
    page_title = DISPLAY(title_el.text_content()) if title_el is not None else ""
    meta.site_name = _meta(root, "og:site_name", "application-name") or _ld_name(article_ld.get("publisher"))
    og_title = _meta(root, "og:title", "twitter:title") or (str(article_ld.get("headline") or "") or None)
    h1s = [DISPLAY(h.text_content()) for h in root.iter("h1")]
    meta.h1 = next((h for h in h1s if h), "")
    title = og_title or page_title
    if title and meta.site_name and title.strip() == meta.site_name.strip():
        title = ""
    if title and title == page_title and meta.site_name:
        title = re.sub(rf"\s*[|\-–—:»]\s*{re.escape(meta.site_name)}\s*$", "", title)
    meta.title = title or ""
    canon = root.xpath('//link[@rel="canonical"]/@href')
    meta.canonical_url = (str(canon[0]).strip() if canon else None) or _meta(root, "og:url")
    meta.author = _meta(root, "author", "article:author", "dc.creator", "byl") or _ld_name(article_ld.get("author"))
    meta.published = date_to_iso(
        _meta(root, "article:published_time", "og:published_time", "datePublished", "pubdate", "publishdate",
              "date", "DC.date.issued", "dc.date", "parsely-pub-date", "sailthru.date", "publish-date")
        or _ld_str(article_ld.get("datePublished"))
        or _time_attr(root)
    )
    meta.updated = date_to_iso(
        _meta(root, "article:modified_time", "og:updated_time", "dateModified", "last-modified")
        or _ld_str(article_ld.get("dateModified"))
    )
    lang = root.get("lang") or root.get("xml:lang") or _meta(root, "og:locale", "language", "content-language")
    meta.language = lang.split("-")[0].split("_")[0].lower() if lang else None
    tags = [DISPLAY(str(t)) for t in root.xpath('//meta[@property="article:tag"]/@content')]
    keywords = _meta(root, "keywords", "news_keywords")
    if keywords:
        tags.extend(k.strip() for k in re.split(r"[،,;]", keywords))
    ld_kw = article_ld.get("keywords")
    if isinstance(ld_kw, str):
        tags.extend(k.strip() for k in re.split(r"[،,;]", ld_kw))
    elif isinstance(ld_kw, list):
        tags.extend(str(k).strip() for k in ld_kw)
    meta.tags = [t for t in dict.fromkeys(tags) if t]
    meta.description = _meta(root, "description", "og:description")
    return meta


def _time_attr(root: etree._Element) -> str | None:
    for path in ('//article//time/@datetime', '//time[@itemprop="datePublished"]/@datetime',
                 '//*[@itemprop="datePublished"]/@datetime', '//*[@itemprop="datePublished"]/@content'):
        found = root.xpath(path)
        if found:
            return str(found[0])
    return None


def _ld_str(value: Any) -> str | None:
    if isinstance(value, list) and value:
        value = value[0]
    return str(value) if isinstance(value, (str, int, float)) and str(value).strip() else None


def _ld_name(value: Any) -> str | None:
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, dict):
        name = value.get("name")
        return DISPLAY(str(name)) if name else None
    if isinstance(value, str) and value.strip():
        return DISPLAY(value)
    return None


def main_text(root: etree._Element, url: str | None) -> str:
    """Main text of an ordinary article page via trafilatura (paragraphs joined by newlines)."""
    doc = trafilatura.bare_extraction(
        copy.deepcopy(root),
        url=url,
        include_comments=False,
        include_tables=False,
        include_images=False,
        with_metadata=False,
        favor_precision=True,
    )
    text = getattr(doc, "text", None) if doc is not None else None
    return text or ""
