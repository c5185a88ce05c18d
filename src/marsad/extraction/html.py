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
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import htmldate
import lxml.html
import trafilatura
from lxml import etree

from marsad.errors import NoContentError
from marsad.extraction.sections import TAGS_RE, Block
from marsad.extraction.signals import DateWitness, TitleWitness, choose_date, choose_title, machine_witness, url_date
from marsad.text.dates import date_to_iso
from marsad.text.normalize import DISPLAY, MATCH

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
    site_names: set[str] = field(default_factory=set)
    date_witnesses: list[DateWitness] = field(default_factory=list)
    article_body: str = ""                 # JSON-LD articleBody, when the page carries one


def parse_html(text: str) -> etree._Element:
    """Parse HTML text into an lxml tree (XML declarations removed: lxml refuses them in str)."""
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1)
    if not text.strip():
        raise NoContentError("the HTML page is empty")
    try:
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise NoContentError(f"the HTML could not be parsed: {exc}") from exc


def match_key(text: str) -> str:
    """``MATCH(text).strip()``; short lines cached (a page compares its headline, chrome lines and short blocks
    several times; the cache keeps no paragraph-long text)."""
    return _short_key(text) if len(text) <= 300 else MATCH(text).strip()


@lru_cache(maxsize=8192)
def _short_key(text: str) -> str:
    return MATCH(text).strip()


def not_chrome(texts: list[str], chrome: set[str]) -> list[bool]:
    """For each text, whether it is not one of the ``chrome`` line keys.

    Heuristic bound: a text more than four times as long as the longest chrome key cannot match one (MATCH only
    drops marks, tatweel and invisible characters and collapses spaces), so its key is not computed."""
    if not chrome:
        return [True] * len(texts)
    bound = 4 * max(len(k) for k in chrome) + 16
    return [len(t) > bound or match_key(t) not in chrome for t in texts]


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


def _only_links(line: str, links: list[str]) -> bool:
    """Whether ``line`` is nothing but its links and separators ("الرئيسية - محليات - رياضة")."""
    rest = line
    for link in sorted(links, key=len, reverse=True):
        rest = rest.replace(link, " ")
    return re.search(r"\w{2,}", rest) is None


def page_blocks(root: etree._Element, *, only: etree._Element | None = None) -> list[Block]:
    """Block elements of the page in document order, without nav/page header/footer/scripts.

    With ``only``, the blocks of that one element, walked as if it were the page's whole body (no copy made)."""
    body = root.find("body")
    if body is None:
        body = root
    blocks: list[Block] = []

    def walk(el: Iterable[etree._Element], region: str, in_article: bool) -> None:
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
            if tag == "aside" or (key.strip() and _ASIDE_RE.search(key) and not _holds_body(child)):
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
                    link_only = (len(links) == 1 and links[0] == line) or (len(links) >= 2 and _only_links(line, links))
                    blocks.append(Block(line, len(blocks), tag, link_only, child_region))
                walk(child, child_region, in_article or tag in ("article", "main"))
            else:
                walk(child, child_region, in_article)

    walk([only] if only is not None else body, "main", False)
    return blocks


# XPath expressions compiled once (``el.xpath(text)`` compiles its expression on every call).
_BODY_INSIDE = etree.XPath('.//*[@itemprop="articleBody" or contains(concat(" ", normalize-space(@class), " "), '
                           '" post-body ") or contains(concat(" ", normalize-space(@class), " "), " entry-content ")]')
_TIME_PATHS = tuple(etree.XPath(p) for p in (
    '//article//time/@datetime', '//time[@itemprop="datePublished"]/@datetime',
    '//*[@itemprop="datePublished"]/@datetime', '//*[@itemprop="datePublished"]/@content',
    '//abbr[contains(concat(" ", @class, " "), " published ")]/@title'))


def _holds_body(el: etree._Element) -> bool:
    """Whether ``el`` holds an article body container (Blogger keeps its posts in ``<div class="widget Blog">``)."""
    return bool(_BODY_INSIDE(el))


MetaIndex = dict[tuple[str, str], list[str]]
"""(attribute, name) -> the contents of the page's <meta> elements, in document order."""


def meta_index(root: etree._Element) -> MetaIndex:
    """Every <meta> of the page by (property|name|itemprop, value): read once, looked up many times."""
    index: MetaIndex = {}
    for el in root.iter("meta"):
        content = el.get("content")
        if content is None:
            continue
        for attr in ("property", "name", "itemprop"):
            name = el.get(attr)
            if name:
                index.setdefault((attr, name), []).append(content)
    return index


def _meta(index: MetaIndex, *names: str) -> str | None:
    """The first non-empty content among ``names`` (in that order; property, then name, then itemprop)."""
    for name in names:
        for attr in ("property", "name", "itemprop"):
            for value in index.get((attr, name), ()):
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


def read_meta(root: etree._Element, url: str | None = None) -> PageMeta:
    """Title, canonical URL, site, author, dates, language and tags from the page's markup.

    Title and publication date are reconciled from every signal of the markup (see ``signals``);
    ``date_witnesses`` keeps them so the caller can add the datelines it finds in the text (and htmldate).
    """
    meta = PageMeta()
    metas = meta_index(root)
    ld_items = [i for i in _json_ld(root) if isinstance(i, dict)]
    article_ld = next(
        (i for i in ld_items if str(i.get("@type", "")).endswith(("Article", "NewsArticle", "BlogPosting"))
         or i.get("@type") in ("NewsArticle", "Article", "ReportageNewsArticle")),
        {},
    )
    meta.site_name = _meta(metas, "og:site_name", "application-name") or _ld_name(article_ld.get("publisher"))
    meta.site_names = _site_names(root, meta.site_name)
    title_el = root.find(".//title")
    page_title = DISPLAY(title_el.text_content()) if title_el is not None else ""
    h1s = [DISPLAY(h.text_content()) for h in root.iter("h1")]
    meta.h1 = next((h for h in h1s if h and not _key_in(h, meta.site_names)), "")
    witnesses = [TitleWitness("og", _meta(metas, "og:title") or ""),
                 TitleWitness("twitter", _meta(metas, "twitter:title") or ""),
                 TitleWitness("jsonld", DISPLAY(str(article_ld.get("headline") or ""))),
                 *(TitleWitness("h1", h) for h in h1s[:3]),
                 TitleWitness("title", page_title)]
    meta.title = choose_title([w for w in witnesses if w.text], meta.site_names)
    canon = root.xpath('//link[@rel="canonical"]/@href')
    meta.canonical_url = (str(canon[0]).strip() if canon else None) or _meta(metas, "og:url")
    meta.author = _meta(metas, "author", "article:author", "dc.creator", "byl") or _ld_name(article_ld.get("author"))
    meta.date_witnesses = _date_witnesses(root, metas, article_ld, url or meta.canonical_url)
    chosen = choose_date(meta.date_witnesses)
    meta.published = chosen.iso() if chosen else None
    meta.updated = date_to_iso(
        _meta(metas, "article:modified_time", "og:updated_time", "dateModified", "last-modified")
        or _ld_str(article_ld.get("dateModified"))
    )
    lang = root.get("lang") or root.get("xml:lang") or _meta(metas, "og:locale", "language", "content-language")
    meta.language = lang.split("-")[0].split("_")[0].lower() if lang else None
    tags = [DISPLAY(str(t)) for t in root.xpath('//meta[@property="article:tag"]/@content')]
    keywords = _meta(metas, "keywords", "news_keywords")
    if keywords:
        tags.extend(k.strip() for k in re.split(r"[،,;]", keywords))
    ld_kw = article_ld.get("keywords")
    if isinstance(ld_kw, str):
        tags.extend(k.strip() for k in re.split(r"[،,;]", ld_kw))
    elif isinstance(ld_kw, list):
        tags.extend(str(k).strip() for k in ld_kw)
    meta.tags = [t for t in dict.fromkeys(tags) if t]
    meta.description = _meta(metas, "description", "og:description")
    body = article_ld.get("articleBody")
    meta.article_body = DISPLAY(str(body)).strip() if isinstance(body, str) else ""
    return meta


_PUBLISHED_META = ("article:published_time", "og:published_time", "datePublished", "pubdate", "publishdate",
                   "date", "DC.date.issued", "dc.date", "parsely-pub-date", "sailthru.date", "publish-date")


def _date_witnesses(root: etree._Element, metas: MetaIndex, article_ld: dict[str, Any],
                    url: str | None) -> list[DateWitness]:
    """Every machine-readable statement of the publication date: meta, JSON-LD, <time>, the URL."""
    found: list[DateWitness | None] = []
    seen: set[str] = set()
    for name in _PUBLISHED_META:
        value = _meta(metas, name)
        if value and value not in seen:   # one tag copied under several names is one witness
            seen.add(value)
            found.append(machine_witness("meta", value))
    found.append(machine_witness("jsonld", _ld_str(article_ld.get("datePublished"))))
    stamp = _time_attr(root)
    found.append(machine_witness("time", stamp))
    found.append(url_date(url))
    return [w for w in found if w is not None]


_STATED_DATE = frozenset({"meta", "jsonld", "time", "dateline"})


def htmldate_may_decide(witnesses: list[DateWitness]) -> bool:
    """Whether htmldate is worth asking, given the other witnesses of the page.

    htmldate is the slowest witness (about a third of the metadata time) and the lightest (weight 0.5, a date
    without time). When the other witnesses all name one calendar day it cannot change the choice (it adds 0.5
    to that day or names a day with 0.5 against at least 0.75). Heuristic beyond that: when the page states its
    date outright (meta, JSON-LD, ``<time>``, a labelled dateline), htmldate mostly re-reads that same markup,
    so it is not asked either."""
    if any(w.source in _STATED_DATE for w in witnesses):
        return False
    return len({w.value.date() for w in witnesses}) != 1


def htmldate_witness(root: etree._Element, url: str | None) -> DateWitness | None:
    """htmldate's reading of the markup (no free-text search: it misreads Arabic datelines); the caller asks it
    only when ``htmldate_may_decide``."""
    try:
        # no copy: find_date reads the tree and prunes a deep copy of its own
        value = htmldate.find_date(root, extensive_search=False, original_date=True, url=url)
    except (ValueError, TypeError, etree.LxmlError):
        return None
    return machine_witness("htmldate", value) if value else None


_LOGO_RE = re.compile(r"logo|brand|site-?name|site-?title|masthead|header", re.I)


def _site_names(root: etree._Element, declared: str | None) -> set[str]:
    """Names the site calls itself: og:site_name, JSON-LD publisher, the logo's text or alt, the home link."""
    names = {declared} if declared else set()
    for el in root.iter("a", "h1", "div", "span", "p"):
        attrib = el.attrib
        if ("class" in attrib or "id" in attrib or "role" in attrib) and _LOGO_RE.search(_attr_key(el)):
            text = DISPLAY(el.text_content() or "").strip()
            if 0 < len(text) <= 40:
                names.add(text)
            names.update(DISPLAY(str(a)).strip() for a in el.xpath(".//img/@alt") if 0 < len(str(a)) <= 40)
        elif el.tag == "a" and el.get("href") in ("/", "./", "index.html"):
            text = DISPLAY(el.text_content() or "").strip()
            if 0 < len(text) <= 40:
                names.add(text)
    return {n for n in names if n}


def _key_in(text: str, names: set[str]) -> bool:
    """Whether ``text`` is one of ``names`` (compared on match keys)."""
    key = match_key(text)
    return any(match_key(n) == key for n in names)


def _time_attr(root: etree._Element) -> str | None:
    for path in _TIME_PATHS:
        found = path(root)
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


def main_text(root: etree._Element, url: str | None, *, fast: bool = False) -> str:
    """Main text of an ordinary article page via trafilatura (paragraphs joined by newlines); ``fast`` skips
    trafilatura's comparison with its fallback extractors (readability, jusText), about a third of its time."""
    doc = trafilatura.bare_extraction(
        copy.deepcopy(root),
        url=url,
        include_comments=False,
        include_tables=False,
        include_images=False,
        with_metadata=False,
        favor_precision=True,
        fast=fast,
    )
    text = getattr(doc, "text", None) if doc is not None else None
    return text or ""


# Where sites keep the article body when a main-text extractor misses it.
_BODY_XPATHS = (
    "//article",
    '//*[@itemprop="articleBody"]',
    '//*[contains(concat(" ", normalize-space(@class), " "), " post-body ")'
    ' or contains(concat(" ", normalize-space(@class), " "), " entry-content ")'
    ' or contains(@class, "article-body") or contains(@class, "article-content") or contains(@class, "story-body")'
    ' or contains(@class, "news-body") or contains(@class, "article-text") or contains(@class, "news-text")'
    ' or @id = "articleBody" or @id = "article-body" or @id = "NewsStory"]',
)


PROSE_WORDS = 8          # a line of this many words or more reads as prose


def link_texts(root: etree._Element) -> set[str]:
    """The texts of the page's links long enough to pass for prose (a body line that is one of them is navigation,
    not prose; shorter links are never compared, and normalizing never adds words, so they are skipped)."""
    texts = (a.text_content() or "" for a in root.iter("a"))
    return {DISPLAY(t).strip() for t in texts if len(t.split()) >= PROSE_WORDS} - {""}


def prose_chars(text: str, links: set[str]) -> int:
    """Characters of ``text`` in lines that read as prose: eight words or more, not a link's text."""
    return sum(len(line) for line in text.split("\n")
               if len(line.split()) >= PROSE_WORDS and line.strip() not in links)


def container_texts(root: etree._Element) -> list[str]:
    """The text of each element where sites keep the article body (``<article>``, ``articleBody``, post-body),
    and of the element holding the most prose in its own paragraphs (whatever its class says)."""
    out: list[str] = []
    seen: set[int] = set()
    dense = _densest(root)
    for path in _BODY_XPATHS:
        for el in [*root.xpath(path), *([dense] if dense is not None else [])]:
            if id(el) in seen:
                continue
            seen.add(id(el))
            lines = [b.text for b in page_blocks(root, only=el)]
            if lines:
                out.append("\n".join(lines))
    return out


def _densest(root: etree._Element) -> etree._Element | None:
    """The element whose own paragraphs (child <p>, or text runs between <br>) hold the most prose."""
    best, best_score = None, 0
    for el in root.iter("div", "section", "article", "td", "main", "font"):
        runs = [el.text or ""]
        for child in el:
            if isinstance(child.tag, str) and child.tag == "p":
                runs.append(child.text_content() or "")
            runs.append(child.tail or "")
        score = sum(len(r) for r in runs if len(r.split()) >= 8)
        if score > best_score:
            best, best_score = el, score
    return best


def recall_text(root: etree._Element, url: str | None) -> str:
    """trafilatura's main text without its precision filters (its own fallbacks kept on)."""
    doc = trafilatura.bare_extraction(copy.deepcopy(root), url=url, include_comments=False, include_tables=False,
                                      include_images=False, with_metadata=False, favor_recall=True)
    text = getattr(doc, "text", None) if doc is not None else None
    return text or ""


_CHROME_RE = re.compile(
    r"masthead|search|top-?bar|topbar|site-?header|header|footer|copyright|breaking|ticker|navbar|menu|subscribe", re.I)
_CHROME_MAX = 1500        # a chrome element is short: longer ones hold the article, whatever their class


def chrome_keys(root: etree._Element) -> set[str]:
    """Match keys of the lines in the site's chrome (masthead, search, header, footer, menus, subscribe boxes)."""
    keys: set[str] = set()
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("html", "body"):
            continue
        if el.tag not in ("header", "footer", "nav", "form") and not (el.attrib and _CHROME_RE.search(_attr_key(el))):
            continue
        if el.tag == "header" and el.getparent() is not None and el.getparent().tag == "article":
            continue
        text = el.text_content() or ""
        if len(text) > _CHROME_MAX or el.find(".//h1") is not None or _holds_body(el):
            continue
        keys.update(match_key(b.text) for b in page_blocks(root, only=el))
    return keys - {""}
