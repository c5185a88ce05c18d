"""JSON Feed 1.0 / 1.1 (read with :mod:`json`: feedparser 6 does not read it)."""

from __future__ import annotations

import json
from typing import Any

from marsad.errors import MalformedInputError
from marsad.sources.feeds.items import ParsedFeed, RawItem, collect, title_text
from marsad.sources.feeds.xmltools import NOT_A_FEED, http_url, str_value


def _json_names(value: Any) -> list[str]:
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        return []
    return [name for a in value if isinstance(a, dict) and (name := str_value(a.get("name")))]


def from_json(text: str, url: str) -> ParsedFeed:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedInputError(f"{NOT_A_FEED}: broken JSON ({exc.msg} at line {exc.lineno})", ref=url) from None
    except RecursionError:
        raise MalformedInputError(f"{NOT_A_FEED}: JSON nested too deeply", ref=url) from None
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise MalformedInputError(f'{NOT_A_FEED}: JSON, but not a JSON Feed (no "items" list)', ref=url)
    feed = ParsedFeed(kind="jsonfeed", url=url)
    version = str_value(data.get("version")) or ""
    if "jsonfeed.org/version/" not in version:
        feed.warnings.append(f"unknown JSON Feed version {version!r}; read as JSON Feed 1.1")
    feed.title = title_text(str_value(data.get("title")), False) or None
    feed.language = str_value(data.get("language"))
    feed_authors = _json_names(data.get("authors")) or _json_names(data.get("author"))
    raws: list[RawItem] = []
    for item in data["items"]:
        if not isinstance(item, dict):
            continue
        raw = RawItem(title_html=False, summary_html=False)
        guid = item.get("id")
        raw.guid = str(guid) if isinstance(guid, int | float) and not isinstance(guid, bool) else str_value(guid)
        raw.link = str_value(item.get("url"))
        raw.guid_link = raw.guid
        raw.title = str_value(item.get("title"))
        raw.published = str_value(item.get("date_published"))
        raw.updated = str_value(item.get("date_modified"))
        raw.authors = _json_names(item.get("authors")) or _json_names(item.get("author")) or list(feed_authors)
        raw.summary = str_value(item.get("summary"))
        content_html = str_value(item.get("content_html"))
        content_text = str_value(item.get("content_text"))
        raw.content, raw.content_html = (content_html, True) if content_html else (content_text, False)
        tags = item.get("tags")
        raw.tags = [t for t in (str_value(x) for x in tags) if t] if isinstance(tags, list) else []
        raw.language = str_value(item.get("language"))
        raws.append(raw)
    # Relative item URLs: against the home page, as RSS item links are against the channel link.
    collect(raws, http_url(str_value(data.get("home_page_url")), url) or url, feed.language, feed)
    return feed
