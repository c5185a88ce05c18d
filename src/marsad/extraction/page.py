"""Turn one RawDocument (HTML page, text page or JSON record) into clean Articles."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from functools import lru_cache

from lxml import etree

from marsad.config import ExtractOptions
from marsad.errors import NoContentError
from marsad.extraction import html as html_mod
from marsad.extraction.html import match_key
from marsad.extraction.sections import (
    STAMP_LABEL_RE,
    Block,
    Draft,
    PageSections,
    is_boilerplate,
    parse_stamp,
    section_blocks,
)
from marsad.extraction.signals import DateWitness, choose_date, parsed_witness
from marsad.models import Article, RawDocument
from marsad.text.dates import ParsedDate, date_to_iso, find_dates, parse_machine_date
from marsad.text.encoding import decode_bytes
from marsad.text.lang import detect_language
from marsad.text.normalize import DISPLAY, MATCH

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
    meta = html_mod.read_meta(root, raw.url)
    now = _fetch_time(raw)
    chrome = html_mod.chrome_keys(root)
    all_blocks = html_mod.page_blocks(root)
    meta.title = meta.title or _heading_title(all_blocks, meta.site_names)
    blocks = _from_headline(all_blocks, meta.title, now)
    blocks = [b for b, keep in zip(blocks, html_mod.not_chrome([b.text for b in blocks], chrome), strict=True) if keep]
    sections = section_blocks(blocks, now=now)
    links = html_mod.link_texts(root)
    if sections.aggregator:
        articles = _drafts_to_articles(sections, raw, options)
        has_main = bool(articles) and articles[0].origin.get("role") == "main"
        if has_main:
            main = articles[0]
            main.title = meta.title or main.title
            paras = main.text.split("\n\n")
            if main.title and paras and MATCH(paras[0]).strip() == MATCH(main.title).strip():
                paras = paras[1:]
            main.text = "\n\n".join(_without_datelines(paras, now))
        if len(articles) <= 1:  # a page with one article: is its body the article, or site chrome?
            better = _better_body(articles[0].text if has_main else "", root, raw.url, meta, links,
                                  trafilatura=options.use_trafilatura)
            if better is not None and has_main:
                articles[0].text, articles[0].origin["method"] = better
            elif better is not None and len(better[0]) >= options.min_text_chars:
                articles = [Article(url=raw.url, source=raw.source, title=meta.title, text=better[0],
                                    origin={"role": "main", "method": better[1]}), *articles]
    else:
        text = _main_text(root, raw.url, blocks, links) if options.use_trafilatura else ""
        lines = [p for p in DISPLAY(text).split("\n") if p.strip() and not is_boilerplate(p)]
        paragraphs = [p for p, keep in zip(lines, html_mod.not_chrome(lines, chrome), strict=True) if keep]
        kept, stamp_pub, stamp_upd = _split_stamps([p for p in paragraphs if len(p) < 120], paragraphs, now)
        method = "trafilatura"
        if not kept:  # trafilatura found nothing: fall back to our own blocks
            kept = sections.articles[0].paragraphs if sections.articles else []
            method = "sections"
        if stamp_pub is None and stamp_upd is None:  # Arabic-only date lines that trafilatura dropped
            _, stamp_pub, stamp_upd = _split_stamps([b.text for b in blocks if b.region == "main"], [], now)
        title = meta.title or meta.h1 or _title_without_site(_page_title(root), blocks)
        better = _better_body("\n".join(kept), root, raw.url, meta, links, trafilatura=options.use_trafilatura)
        if better is not None:
            kept, method = [p for p in better[0].split("\n\n") if p], better[1]
        if kept and title and kept[0] == title:
            kept = kept[1:]
        kept = _without_datelines(kept, now)
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
                origin={"role": "main", "method": method},
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
    witnesses = [*meta.date_witnesses, *_dateline_witnesses(blocks, now)]
    # A stamp line of the page's sections (main.published_at so far) is a stated date too: htmldate is not asked.
    if main.published_at is None and html_mod.htmldate_may_decide(witnesses):
        witnesses.extend(w for w in [html_mod.htmldate_witness(root, raw.url or meta.canonical_url)] if w)
    published = choose_date(witnesses)
    main.published_at = published.iso() if published else main.published_at
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


_FAST_SHARE = 0.5   # trafilatura's own pass is kept when it holds this share of the page's main-region prose


def _main_text(root: etree._Element, url: str | None, blocks: list[Block], links: set[str]) -> str:
    """trafilatura's main text: its own pass first, the full pass (compared with its fallback extractors) only
    when the own pass holds less than half the prose of the page's main region.

    Heuristic: the fallbacks replace trafilatura's text when it is empty, short, or much shorter than theirs; a
    text with half the page's prose or more is none of those in practice (identical output on the 610 pages of
    the extraction gate and the golden sets), and a text that lost the body still gets the full pass."""
    fast = html_mod.main_text(root, url, fast=True)
    page_prose = sum(len(b.text) for b in blocks if b.region == "main" and b.words >= html_mod.PROSE_WORDS)
    if fast and html_mod.prose_chars(DISPLAY(fast), links) >= _FAST_SHARE * page_prose:
        return fast
    return html_mod.main_text(root, url)


def _heading_title(blocks: list[Block], site_names: set[str]) -> str:
    """The first heading of the main region that is followed by a paragraph (when no other title signal agreed)."""
    names = {match_key(n) for n in site_names}
    for i, block in enumerate(blocks[:80]):
        if block.region == "main" and block.words >= 15:
            return ""   # the text began before any heading: a later heading is another story's
        if block.region != "main" or block.tag not in ("h1", "h2", "h3") or match_key(block.text) in names:
            continue
        if any(b.words >= 15 for b in blocks[i + 1:i + 4]):
            return block.text
    return ""


def _page_title(root: etree._Element) -> str:
    title_el = root.find(".//title")
    return DISPLAY(title_el.text_content()) if title_el is not None else ""


def _from_headline(blocks: list[Block], title: str, now: datetime | None) -> list[Block]:
    """The page's blocks from its headline on: what comes before it in the main region is masthead.

    Stamp lines before the headline are kept (some sites put the dateline above it), and so is
    every block outside the main region. Without a headline block the blocks are returned as they are.
    """
    if not title:
        return blocks
    key = match_key(title)
    start = next((i for i, b in enumerate(blocks) if b.region == "main" and match_key(b.text) == key), None)
    if not start or any(b.region == "main" and b.words >= 15 for b in blocks[:start]):
        return blocks   # no headline block, or text before it (then it is not the page's headline)
    kept = [b for b in blocks[:start] if b.region != "main" or parse_stamp(b.text, now) is not None]
    return [dataclasses.replace(b, index=i) for i, b in enumerate([*kept, *blocks[start:]])]


_MIN_PROSE = 400          # a body with less prose than this is checked against the other candidates
_BETTER_BY = 1.5          # another candidate must hold this much more prose to replace it


def _better_body(text: str, root: etree._Element, url: str | None, meta: html_mod.PageMeta, links: set[str],
                 *, trafilatura: bool) -> tuple[str, str] | None:
    """A better body than ``text`` when ``text`` looks like site chrome (little prose, mostly links), else None.

    The candidates are the JSON-LD ``articleBody``, the elements sites keep the body in (``<article>``,
    ``articleBody``, post-body) and trafilatura without its precision filters; the one with the most prose
    wins when it holds clearly more than ``text``. Returns (body with blank-line paragraph breaks, method).
    """
    lines = [line for line in text.split("\n") if line.strip()]
    prose = html_mod.prose_chars("\n".join(lines), links)
    total = sum(len(line) for line in lines) or 1
    if prose >= _MIN_PROSE and prose / total >= 0.5:
        return None
    candidates: list[tuple[str, str]] = []
    if meta.article_body:
        candidates.append((meta.article_body, "jsonld"))
    candidates.extend((t, "container") for t in html_mod.container_texts(root))
    if trafilatura:
        candidates.append((html_mod.recall_text(root, url), "trafilatura_recall"))
    scored: list[tuple[int, str, str]] = []
    for cand, method in candidates:
        paras = [p.strip() for p in DISPLAY(cand).split("\n") if p.strip() and not is_boilerplate(p)]
        if meta.title and paras and MATCH(paras[0]).strip() == MATCH(meta.title).strip():
            paras = paras[1:]
        scored.append((html_mod.prose_chars("\n".join(paras), links), "\n\n".join(paras), method))
    top = max((s[0] for s in scored), default=0)
    if top < max(_BETTER_BY * prose, 1):
        return None
    # The first candidate (in the order above: JSON-LD, containers, recall) within 10% of the most prose.
    best = next(s for s in scored if s[0] >= 0.9 * top)
    return best[1], best[2]


_DATELINE_REST = 8   # words a dateline line may hold beside its dates (a byline, a place, a separator)


def _without_datelines(paragraphs: list[str], now: datetime | None) -> list[str]:
    """``paragraphs`` without the short lines that are a byline and dateline, not text of the article."""
    out = []
    for para in paragraphs:
        if len(para) <= 80 and STAMP_LABEL_RE.match(para):   # "نشر في 10:15 ص بواسطة هيئة التحرير"
            continue
        if len(para) <= 160:
            found = _dates_in(para, now)
            if found:
                rest = "".join(para[a:b] for a, b in _gaps([(f.start, f.end) for f in found], len(para)))
                if len(rest.split()) <= _DATELINE_REST and not rest.strip().endswith((".", "؟", "!")):
                    continue
        out.append(para)
    return out


def _gaps(spans: list[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    gaps, pos = [], 0
    for a, b in spans:
        if a > pos:
            gaps.append((pos, a))
        pos = max(pos, b)
    if pos < length:
        gaps.append((pos, length))
    return gaps


@lru_cache(maxsize=2048)   # the dateline scan and the dateline removal read the same short lines of a page
def _dates_in(line: str, now: datetime | None) -> tuple[ParsedDate, ...]:
    """``find_dates`` of a short line (callers pass lines of 200 characters or fewer)."""
    return tuple(find_dates(line, now=now))


def _dateline_witnesses(blocks: list[Block], now: datetime | None) -> list[DateWitness]:
    """Publication dates stated in the page's visible text: labelled datelines and short date-only lines."""
    out: list[DateWitness] = []
    for block in blocks[:200]:
        if block.region != "main" or len(block.text) > 200:
            continue
        for found in _dates_in(block.text, now):
            if found.label == "published":
                out.append(parsed_witness("dateline", found))
            elif found.label is None and found.calendar != "relative" and len(block.text) <= 60:
                out.append(parsed_witness("line", found))
    return out


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
    main.text_source = str(f.get("text_source") or "page")
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
