"""Sitemaps: a ``<urlset>`` (one item per ``<url>``, Google News fields read) and a ``<sitemapindex>``."""

from __future__ import annotations

from lxml import etree

from marsad.sources.feeds.items import ParsedFeed, RawItem, collect, one_line
from marsad.sources.feeds.xmltools import NEWS, children, http_url, text_of
from marsad.sources.urls import url_key
from marsad.text.normalize import DISPLAY


def from_sitemap_index(root: etree._Element, url: str, feed: ParsedFeed) -> None:
    seen: set[str] = set()
    for _, local, child in children(root):
        if local != "sitemap":
            continue
        loc = next((text_of(c) for _, n, c in children(child) if n == "loc"), None)
        absolute = http_url(loc, url)
        if absolute is None:
            continue
        key = url_key(absolute) or absolute
        if key not in seen:
            seen.add(key)
            feed.sitemaps.append(absolute)


def from_urlset(root: etree._Element, url: str, feed: ParsedFeed) -> None:
    raws: list[RawItem] = []
    publications: set[str] = set()
    languages: set[str] = set()
    for _, local, child in children(root):
        if local != "url":
            continue
        raw = RawItem(title_html=False)
        news_date = None
        for ns, name, part in children(child):
            if name == "loc":
                raw.link = text_of(part)
            elif name == "lastmod":
                raw.updated = text_of(part)
            elif name == "news" and ns in (NEWS, ""):
                for _, field_name, value in children(part):
                    if field_name == "publication_date":
                        news_date = text_of(value)
                    elif field_name == "title":
                        raw.title = text_of(value)
                    elif field_name == "keywords":
                        raw.tags = [k for k in (s.strip() for s in text_of(value).split(",")) if k]
                    elif field_name == "publication":
                        for _, pub_field, pub_value in children(value):
                            if pub_field == "name" and text_of(pub_value):
                                publications.add(one_line(DISPLAY(text_of(pub_value))))
                            elif pub_field == "language":
                                raw.language = text_of(pub_value) or None
        raw.published = news_date or raw.updated
        if raw.link:
            raws.append(raw)
            if raw.language:
                languages.add(raw.language)
    if len(publications) == 1:
        feed.title = publications.pop()
    if len(languages) == 1:
        feed.language = languages.pop()
    collect(raws, url, None, feed)
