"""Aggregator page sections: split a page's blocks into articles and their side parts.

Aggregator and outlet pages glue several things onto an article: a source line (المصدر),
tags (كلمات دلالية) often run together, "read also" blocks (إقرأ أيضاً) that hold a whole
second article, last-updated / published stamps, related-headline lists (مقالات مشابهة) and
share/follow/ad lines. This module classifies blocks (lines of a text page, block elements of
an HTML page) and walks them with a small state machine. Hand-written because no library
knows these Arabic section markers.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field
from datetime import datetime

from marsad.errors import DateParseError
from marsad.text.clitics import CLITIC_ARTICLE, SINGLE_CLITIC_PREFIXES
from marsad.text.dates import ParsedDate, parse_date
from marsad.text.normalize import MATCH

# --- block kinds ---------------------------------------------------------------------------

_COLON = r"\s*[:：\-–—]?\s*"
SOURCE_RE = re.compile(r"^(?:المصدر|مصدر الخبر|المصدر الأصلي|نقلا عن|نقلاً عن)\s*[:：]\s*(?P<rest>.{2,80})$")
TAGS_RE = re.compile(
    r"^(?:كلمات دلالية|الكلمات الدلالية|كلمات مفتاحية|الكلمات المفتاحية|وسوم|الوسوم|الكلمات الدالة|الكلمات المتعلقة|"
    r"tags|keywords)" + _COLON + r"(?P<rest>.*)$",
    re.IGNORECASE,
)
READ_ALSO_RE = re.compile(
    r"^(?:[إا]قر[أا]|طالع|شاهد|اقرأ|إقرأ)\s+(?:[أا]يض[اً]+|المزيد|كذلك)" + _COLON + r"(?P<rest>.*)$"
)
RELATED_RE = re.compile(
    r"^(?:مقالات|أخبار|اخبار|مواضيع|موضوعات|مقالات|قصص)\s+(?:مشابهة|ذات صلة|متعلقة|مرتبطة|قد تهمك)\s*[:：]?$"
    r"|^(?:قد يهمك(?: أيضا| أيضاً)?|قد يعجبك(?: أيضا| أيضاً)?|الأكثر قراءة|الأكثر مشاهدة|قد يهمك ايضا|"
    r"ذات صلة|اقرأ في هذا الملف|المزيد من الأخبار|أخبار متعلقة)\s*[:：]?$"
)
BULLET_RE = re.compile(r"^\s*[•·▪●◦■□►▶✓\-\*]\s*")
STAMP_LABEL_RE = re.compile(
    r"^(?:آخر تحديث|اخر تحديث|تم التحديث|تحديث|محدث|آخر تعديل|تاريخ النشر|تاريخ الخبر|نشر في|نُشر في|تم نشره|تم نشرها|"
    r"نشر بتاريخ|نُشر بتاريخ|تم النشر|نشر|بتاريخ|published|updated|last updated)\b",
    re.IGNORECASE,
)

# Share / follow / ad / navigation lines: never article text. Anchored, short lines only.
_BOILERPLATE_PATTERNS = [
    r"^(?:شارك|شاركها|شارك الخبر|شارك المقال|مشاركة|انشر|share)(?:\s+(?:على|عبر|في|on))?(?:\s+\S+){0,4}$",
    r"^(?:تابعونا|تابعوا|تابعنا|تابع|follow us)(?:\s+\S+){0,8}$",
    r"^(?:اشترك|اشتركوا|للاشتراك|سجل|subscribe)(?:\s+\S+){0,10}$",
    r"^(?:حمل|حمّل|نزّل|نزل|download)\s+(?:تطبيق|التطبيق)(?:\s+\S+){0,8}$",
    r"^(?:إعلان|اعلان|إعلانات|advertisement|sponsored|محتوى مدفوع|مساحة إعلانية)$",
    r"^(?:اضغط|انقر|click)\s+(?:هنا|here)(?:\s+\S+){0,8}$",
    r"^(?:جميع الحقوق محفوظة|كل الحقوق محفوظة|all rights reserved|©|حقوق النشر).*$",
    r"^(?:طباعة|أرسل لصديق|ارسل لصديق|حجم الخط|تكبير الخط|تصغير الخط|print|email)$",
    r"^(?:فيسبوك|فيس بوك|تويتر|إكس|واتساب|واتس اب|تيليجرام|تلغرام|انستغرام|إنستغرام|يوتيوب|لينكد إن|"
    r"facebook|twitter|whatsapp|telegram|instagram|youtube|linkedin|x)(?:\s*[|/,،]\s*\S+){0,8}$",
    r"^(?:التعليقات|تعليقات|أضف تعليق|اضف تعليق|اكتب تعليقك|comments?)(?:\s*\(\d+\))?$",
    r"^.*(?:ملفات تعريف الارتباط|الكوكيز|cookies).*(?:موافق|أوافق|قبول|accept).*$",
    r"^(?:الرئيسية|الصفحة الرئيسية|home)(?:\s*[>»/|]\s*\S+(?:\s+\S+){0,3}){0,5}$",
    r"^(?:اقرأ المزيد|اقرا المزيد|المزيد|read more|more)$",
    r"^(?:لمتابعة|لمشاهدة)\s+(?:آخر|أهم|اخر|المزيد)(?:\s+\S+){0,10}$",
]
BOILERPLATE_RE = re.compile("|".join(f"(?:{p})" for p in _BOILERPLATE_PATTERNS), re.IGNORECASE)

_TAG_SPLIT_RE = re.compile(r"\s*(?:[،,|؛;·•/\n]|\s{2,}|\s-\s)\s*")


@dataclass(slots=True)
class Block:
    """One block of a page: a text line, or an HTML block element, with hints from markup."""

    text: str
    index: int
    tag: str = "line"          # "line" for text pages; p, h1..h6, li, a, div, td, ... for HTML
    link_only: bool = False    # the whole block is the text of one link (HTML)
    region: str = "main"       # "main" | "aside" (sidebar/related boxes) for HTML

    @property
    def words(self) -> int:
        """Number of whitespace-separated words."""
        return len(self.text.split())


@dataclass(slots=True)
class Draft:
    """An article being assembled from blocks."""

    role: str
    region: str = "main"       # where the article started: paragraphs from other regions are not its own
    title: str = ""
    paragraphs: list[str] = field(default_factory=list)
    source: str | None = None
    tags: list[str] = field(default_factory=list)
    tags_raw: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    published: ParsedDate | None = None
    updated: ParsedDate | None = None
    first_block: int | None = None
    last_block: int | None = None

    def touch(self, block: Block) -> None:
        """Extend the draft's block span to include ``block``."""
        if self.first_block is None:
            self.first_block = block.index
        self.last_block = block.index

    @property
    def text(self) -> str:
        """Body text: paragraphs separated by blank lines."""
        return "\n\n".join(self.paragraphs)


@dataclass(slots=True)
class PageSections:
    """Result of sectioning one page."""

    articles: list[Draft]
    dropped: list[str]                 # boilerplate lines removed
    aggregator: bool                   # any aggregator marker was found


def is_boilerplate(text: str) -> bool:
    """True for share/follow/subscribe/ad/cookie/navigation lines."""
    return len(text) <= 200 and BOILERPLATE_RE.match(text) is not None


def looks_like_title(text: str) -> bool:
    """A short line not closed like a sentence (headlines may end in ؟ ! or «...»)."""
    words = len(text.split())
    if not (2 <= words <= 22 and len(text) <= 200):
        return False
    ends_sentence = text.endswith((".", ":", "،", ",", "؛")) and not text.endswith(("..", "…"))
    return not ends_sentence


_DATE_ONLY_HINT = re.compile(r"^[\w\s،,:/\-–.|()+]{6,70}$")


def parse_stamp(text: str, now: datetime | None = None) -> ParsedDate | None:
    """Parse a stamp line ("آخر تحديث: 17 أبريل 2025 - 13:57", or a line that is only a date)."""
    if len(text) > 120:
        return None
    if not STAMP_LABEL_RE.match(text) and (not _DATE_ONLY_HINT.match(text) or not any(c.isdigit() for c in text)):
        return None
    try:
        parsed = parse_date(text, now=now)
    except DateParseError:
        return None
    if parsed.label is None:
        label = "updated" if re.match(r"^(?:آخر|اخر|تم التحديث|تحديث|محدث|updated|last)", text, re.I) else "published"
        parsed = dataclasses.replace(parsed, label=label)
    return parsed


def split_tags(raw: str, article_text: str) -> list[str]:
    """Split a tag line into tags: on separators when present, else by the article's own phrases."""
    raw = raw.strip().strip(":：").strip()
    if not raw:
        return []
    parts = [p.strip() for p in _TAG_SPLIT_RE.split(raw) if p.strip()]
    if len(parts) > 1:
        return _unique(parts)
    return _unique(segment_run_together(raw, article_text))


def _unique(items: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        key = MATCH(item)
        if key and key not in seen:
            seen.add(key)
            out.append(item)
    return out


_CLITICS = SINGLE_CLITIC_PREFIXES
_MAX_TAG_WORDS = 8


def _clitic_variants(word: str) -> set[str]:
    """The word and the word without a leading conjunction/preposition clitic (match form)."""
    out = {word}
    for c in _CLITICS:
        if word.startswith(c) and len(word) - len(c) >= 2:
            rest = word[len(c):]
            out.add(("ال" + rest) if c in CLITIC_ARTICLE else rest)
    return out


def segment_run_together(raw: str, article_text: str) -> list[str]:
    """Recover tags glued together with plain spaces, using the phrases of the article itself.

    Dynamic programming over the tag words: a segment is good when the article contains that
    exact word sequence (match-normalized; the first word may carry a clitic such as و/ب/ال).
    Fewest segments wins; ties go to the segmentation whose phrases occur most often.
    Words the article never uses become one-word tags at a higher cost.
    """
    words = raw.split()
    keys = [MATCH(w) for w in words]
    text_words = [MATCH(w) for w in article_text.split()]
    text_words = [re.sub(r"^[^\w]+|[^\w]+$", "", w) for w in text_words]
    counts: dict[tuple[str, ...], int] = {}
    for i in range(len(text_words)):
        firsts = _clitic_variants(text_words[i])
        for first in firsts:
            for k in range(1, _MAX_TAG_WORDS + 1):
                if i + k > len(text_words):
                    break
                gram = (first, *text_words[i + 1:i + k])
                counts[gram] = counts.get(gram, 0) + 1
    n = len(words)
    inf = (math.inf, 0.0)
    best: list[tuple[float, float]] = [inf] * (n + 1)
    back = [0] * (n + 1)
    best[0] = (0.0, 0.0)
    for j in range(1, n + 1):
        for i in range(max(0, j - _MAX_TAG_WORDS), j):
            if best[i][0] == math.inf:
                continue
            gram = tuple(keys[i:j])
            freq = counts.get(gram, 0)
            if freq:
                cost = (best[i][0] + 1.0, best[i][1] - math.log1p(freq))
            elif j - i == 1:
                cost = (best[i][0] + 2.0, best[i][1])
            else:
                continue
            if cost < best[j]:
                best[j] = cost
                back[j] = i
    out: list[str] = []
    j = n
    while j > 0:
        i = back[j]
        out.append(" ".join(words[i:j]))
        j = i
    return out[::-1]


def _derive_kind(block: Block) -> str:
    text = block.text
    if SOURCE_RE.match(text):
        return "source"
    if TAGS_RE.match(text) and len(text) < 600:
        return "tags"
    if len(text) < 300 and READ_ALSO_RE.match(text):
        return "read_also"
    if RELATED_RE.match(text):
        return "related"
    if is_boilerplate(text):
        return "boilerplate"
    return "text"


def section_blocks(blocks: list[Block], *, now: datetime | None = None, first_title: str = "") -> PageSections:
    """Walk a page's blocks and return the articles it holds with their side parts."""
    main = Draft(role="main", title=first_title)
    articles = [main]
    current = main
    dropped: list[str] = []
    state = "body"          # body | tags | read_also | related
    aggregator = False
    i = 0
    n = len(blocks)
    while i < n:
        block = blocks[i]
        text = block.text
        kind = _derive_kind(block)
        stamp = parse_stamp(text, now) if kind == "text" else None
        if stamp is not None:  # a stamp alone does not make an aggregator page
            if stamp.label == "updated":
                current.updated = current.updated or stamp
            else:
                current.published = current.published or stamp
            current.touch(block)
            state = "body" if state in ("tags", "read_also") else state
            i += 1
            continue
        if kind == "boilerplate":
            dropped.append(text)
            i += 1
            continue
        if kind == "source":
            aggregator = True
            m = SOURCE_RE.match(text)
            assert m is not None
            current.source = current.source or m.group("rest").strip()
            current.touch(block)
            state = "body"
            i += 1
            continue
        if kind == "tags":
            aggregator = True
            m = TAGS_RE.match(text)
            assert m is not None
            rest = m.group("rest").strip()
            if rest:
                current.tags_raw.append(rest)
            current.touch(block)
            state = "tags"
            i += 1
            continue
        if kind == "related":
            aggregator = True
            state = "related"
            i += 1
            continue
        if kind == "read_also":
            aggregator = True
            m = READ_ALSO_RE.match(text)
            assert m is not None
            rest = m.group("rest").strip()
            if rest:  # inline "اقرأ أيضا: <headline>" is a link to another story
                current.related.append(rest)
                i += 1
                continue
            nxt = _next_content(blocks, i + 1)
            if nxt is not None and _starts_article(blocks, nxt):
                current = Draft(role="read_also", title=blocks[nxt].text, region=blocks[nxt].region)
                current.touch(blocks[nxt])
                articles.append(current)
                state = "body"
                i = nxt + 1
                continue
            state = "related_inline"
            i += 1
            continue
        # plain text block
        if state == "tags" and block.words <= 8 and (block.link_only or block.tag in ("a", "li", "line")):
            current.tags_raw.append(text)
            i += 1
            continue
        if state in ("related", "related_inline"):
            if block.words <= 30 and not (state == "related_inline" and block.words > 20):
                articles[0].related.append(BULLET_RE.sub("", text).strip())
                i += 1
                continue
            state = "body"
        if block.region != current.region:
            dropped.append(text)
            i += 1
            continue
        if block.link_only and block.words <= 12 and block.tag not in ("h1", "h2", "h3"):
            dropped.append(text)  # stray navigation link inside the content area
            i += 1
            continue
        state = "body"
        if not current.paragraphs and not current.title and current.role == "main" and _is_title_block(blocks, i):
            current.title = text
            current.touch(block)
            i += 1
            continue
        current.paragraphs.append(text)
        current.touch(block)
        i += 1
    for draft in articles:
        for raw in draft.tags_raw:
            draft.tags.extend(split_tags(raw, draft.text))
        draft.tags = _unique(draft.tags)
        draft.related = [r for r in draft.related if r]
    return PageSections(articles=[a for a in articles if a.paragraphs], dropped=dropped, aggregator=aggregator)


def _next_content(blocks: list[Block], start: int) -> int | None:
    for j in range(start, len(blocks)):
        if not is_boilerplate(blocks[j].text):
            return j
    return None


def _starts_article(blocks: list[Block], j: int) -> bool:
    """A title-like block followed by a real paragraph: the start of a glued second article."""
    if not looks_like_title(blocks[j].text):
        return False
    k = _next_content(blocks, j + 1)
    if k is None or _derive_kind(blocks[k]) != "text" or blocks[k].link_only:
        return False
    return (blocks[k].words >= 10 and not looks_like_title(blocks[k].text)) or blocks[k].words >= 20


def _is_title_block(blocks: list[Block], i: int) -> bool:
    """The first block of a page is its title when it is a heading or a short line before a paragraph."""
    block = blocks[i]
    if block.tag in ("h1", "h2"):
        return True
    if block.tag not in ("line",) or not looks_like_title(block.text):
        return False
    k = _next_content(blocks, i + 1)
    return k is not None and blocks[k].words >= 15
