"""Turn one RawDocument (HTML page, text page or JSON record) into clean Articles."""

from __future__ import annotations

import re
from datetime import datetime

from marsad.config import ExtractOptions
from marsad.errors import NoContentError
from marsad.extraction import html as html_mod
from marsad.extraction.sections import Block, Draft, PageSections, is_boilerplate, parse_stamp, section_blocks
from marsad.models import Article, RawDocument
from marsad.text.dates import ParsedDate, date_to_iso, parse_machine_date
from marsad.text.encoding import decode_bytes
from marsad.text.lang import detect_language
from marsad.text.normalize import DISPLAY

_HTML_SNIFF = re.compile(rb"<(?:!doctype\s+html|html|body|head|p|div|article)[\s>]", re.I)


def extract(raw: RawDocument, options: ExtractOptions | None = None) -> list[Article]:
    """Extract the articles held by ``raw``; raises an InputError subclass when there are none."""
    options = options or ExtractOptions()
    if raw.kind == "record":
        articles = _from_record(raw, options)
    elif raw.kind == "html" or (raw.kind == "text" and _HTML_SNIFF.search(raw.data[:2048])):
        articles = _from_html(raw, options)
    else:
        articles = _from_text(raw.data, raw, options)
    if not articles:
        raise NoContentError(
            f"no article text found (needs at least {options.min_text_chars} characters of body text)", ref=raw.ref
        )
    if raw.kind != "record" and raw.fields:
        _apply_hints(articles[0], raw)
    for position, art in enumerate(articles):
        art.raw_sha256 = raw.sha256
        art.origin = {"page": raw.ref, "position": position, **art.origin}
        if not art.language:
            art.language = detect_language(art.text)
        if art.title:
            art.display_title = art.title
        else:
            art.display_title = derive_headline(art.text)
            art.title_derived = bool(art.display_title)
    return articles


def _apply_hints(main: Article, raw: RawDocument) -> None:
    """Fill what the page lacks from what the feed said about it (title, publication date)."""
    hint_title = raw.fields.get("title")
    if not main.title and hint_title:
        main.title = DISPLAY(str(hint_title))
    hint_date = raw.fields.get("published")
    if not main.published_at and hint_date:
        main.published_at = date_to_iso(str(hint_date), now=_fetch_time(raw))


def derive_headline(text: str, max_words: int = 14) -> str:
    """A reader-facing headline from the first sentence of ``text`` (marked as derived by the caller)."""
    first = re.split(r"(?<=[.!?؟])\s|\n", text.strip(), maxsplit=1)[0]
    words = first.split()
    return " ".join(words[:max_words]) + ("…" if len(words) > max_words else "")


def _fetch_time(raw: RawDocument) -> datetime | None:
    return parse_machine_date(raw.fetched_at) if raw.fetched_at else None


def _drafts_to_articles(sections: PageSections, raw: RawDocument, options: ExtractOptions) -> list[Article]:
    out = []
    for draft in sections.articles:
        text = draft.text
        if len(text) < options.min_text_chars:
            continue
        out.append(
            Article(
                url=raw.url if draft.role == "main" else None,
                source=draft.source or (raw.source if draft.role == "main" else None),
                title=draft.title,
                text=text,
                published_at=draft.published.iso() if draft.published else None,
                updated_at=draft.updated.iso() if draft.updated else None,
                tags=draft.tags,
                related_headlines=draft.related,
                origin=_origin(draft),
            )
        )
    return out


def _origin(draft: Draft) -> dict[str, object]:
    return {"role": draft.role, "blocks": [draft.first_block, draft.last_block]}


def _from_text(data: bytes, raw: RawDocument, options: ExtractOptions) -> list[Article]:
    decoded = decode_bytes(data, declared=raw.charset, ref=raw.ref)
    return _text_to_articles(decoded.text, raw, options)


def _text_to_articles(text: str, raw: RawDocument, options: ExtractOptions, title: str = "") -> list[Article]:
    lines = [line for line in DISPLAY(text).split("\n") if line.strip()]
    blocks = [Block(line, i) for i, line in enumerate(lines)]
    sections = section_blocks(blocks, now=_fetch_time(raw), first_title=title)
    return _drafts_to_articles(sections, raw, options)


def _from_html(raw: RawDocument, options: ExtractOptions) -> list[Article]:
    decoded = decode_bytes(raw.data, declared=raw.charset, is_html=True, ref=raw.ref)
    root = html_mod.parse_html(decoded.text)
    meta = html_mod.read_meta(root)
    blocks = html_mod.page_blocks(root)
    now = _fetch_time(raw)
    sections = section_blocks(blocks, now=now)
    if sections.aggregator:
        articles = _drafts_to_articles(sections, raw, options)
        if articles and articles[0].origin.get("role") == "main":
            main = articles[0]
            if not main.title:
                main.title = meta.title if meta.title and meta.title != meta.site_name else ""
    else:
        text = html_mod.main_text(root, raw.url) if options.use_trafilatura else ""
        paragraphs = [p for p in DISPLAY(text).split("\n") if p.strip() and not is_boilerplate(p)]
        kept, stamp_pub, stamp_upd = _split_stamps([p for p in paragraphs if len(p) < 120], paragraphs, now)
        if not kept:  # trafilatura found nothing: fall back to our own blocks
            kept = sections.articles[0].paragraphs if sections.articles else []
        if stamp_pub is None and stamp_upd is None:  # Arabic-only date lines that trafilatura dropped
            _, stamp_pub, stamp_upd = _split_stamps([b.text for b in blocks if b.region == "main"], [], now)
        title = meta.h1 or _title_without_site(meta.title, blocks)
        if kept and title and kept[0] == title:
            kept = kept[1:]
        body = "\n\n".join(kept)
        if len(body) < options.min_text_chars:
            return []
        articles = [
            Article(
                url=raw.url,
                source=raw.source,
                title=title,
                text=body,
                published_at=stamp_pub.iso() if stamp_pub else None,
                updated_at=stamp_upd.iso() if stamp_upd else None,
                origin={"role": "main", "method": "trafilatura"},
                related_headlines=[],
            )
        ]
    if not articles:
        return []
    main = articles[0]
    main.url = main.url or meta.canonical_url
    main.canonical_url = meta.canonical_url
    main.site_name = meta.site_name
    main.author = meta.author
    main.source = main.source or meta.site_name
    main.published_at = meta.published or main.published_at
    main.updated_at = meta.updated or main.updated_at
    main.tags = _merge(main.tags, meta.tags)
    if meta.language in ("ar", "en", "fr"):
        main.language = meta.language
    main.origin.setdefault("method", "sections")
    main.origin["encoding"] = decoded.encoding
    if decoded.mislabelled or decoded.repaired:
        main.origin["encoding_fixed"] = {"declared": decoded.declared, "mislabelled": decoded.mislabelled,
                                         "repaired": decoded.repaired}
    return articles


def _split_stamps(candidates: list[str], texts: list[str], now: datetime | None
                  ) -> tuple[list[str], ParsedDate | None, ParsedDate | None]:
    """(``texts`` without stamp lines, first published stamp, first updated stamp) among ``candidates``."""
    published = updated = None
    stamps: set[str] = set()
    for text in candidates:
        stamp = parse_stamp(text, now)
        if stamp is None:
            continue
        stamps.add(text)
        if stamp.label == "updated":
            updated = updated or stamp
        else:
            published = published or stamp
    return [t for t in texts if t not in stamps], published, updated


_TITLE_SEP = re.compile(r"\s+[|\-–—»:]\s+")


def _title_without_site(title: str, blocks: list[Block]) -> str:
    """Drop a " - Site" suffix from a <title> when the page shows the headline without it."""
    parts = _TITLE_SEP.split(title)
    if len(parts) < 2:
        return title
    texts = {b.text for b in blocks[:60]}
    for cut in range(len(parts) - 1, 0, -1):
        head = title[: title.rfind(parts[cut]) ].rstrip(" |-–—»:")
        if head in texts:
            return head
    return title


def _merge(first: list[str], second: list[str]) -> list[str]:
    return list(dict.fromkeys([*first, *second]))


def _from_record(raw: RawDocument, options: ExtractOptions) -> list[Article]:
    f = raw.fields
    title = DISPLAY(f.get("title") or "")
    if f.get("html") and not f.get("text"):
        sub = RawDocument(data=str(f["html"]).encode("utf-8"), kind="html", ref=raw.ref, url=f.get("url"),
                          charset="utf-8", fetched_at=f.get("fetched_at") or raw.fetched_at,
                          source=f.get("source") or raw.source, sha256=raw.sha256)
        articles = _from_html(sub, options)
        if articles and title:
            articles[0].title = title
    else:
        sub = RawDocument(data=b"", kind="text", ref=raw.ref, url=f.get("url"),
                          fetched_at=f.get("fetched_at") or raw.fetched_at, source=f.get("source") or raw.source)
        articles = _text_to_articles(str(f.get("text") or ""), sub, options, title=title)
    if not articles:
        return []
    main = articles[0]
    main.url = f.get("url") or main.url
    main.external_id = f.get("external_id")
    main.author = f.get("author") or main.author
    if f.get("source"):
        main.source = main.source or f["source"]
    if f.get("language"):
        main.language = str(f["language"])
    published = f.get("published")
    if published:
        iso = date_to_iso(str(published), now=_fetch_time(sub))
        if iso:
            main.published_at = iso
        else:
            main.origin["unparsed_published"] = str(published)
    if f.get("category"):
        main.origin["category"] = f["category"]
    return articles
