"""Wrap real articles (from ../shared/data) in realistic page templates, with the gold answer beside.

Used by the HTML extraction quality gate (tests/quality) and the HTML benchmark (bench/). The
templates carry what real outlet and aggregator pages carry: navigation, breadcrumbs, share bars,
sidebars, comments, cookie notices, footers, scripts; an aggregator page glues a second real
article in a read-also box. The legacy template is windows-1256 with its date only in Arabic text.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from html import escape
from pathlib import Path

LEVANTINE = ["كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول",
             "تشرين الأول", "تشرين الثاني", "كانون الأول"]
EGYPTIAN = ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر",
            "نوفمبر", "ديسمبر"]
MAGHREBI = ["جانفي", "فيفري", "مارس", "أفريل", "ماي", "جوان", "جويلية", "أوت", "سبتمبر", "أكتوبر",
            "نوفمبر", "ديسمبر"]
WEEKDAYS = ["الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"]
INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
TEMPLATES = ("outlet", "aggregator", "legacy", "minimal")


@dataclass(slots=True)
class GoldPage:
    """A built page and what extraction must find in it."""

    html: bytes
    template: str
    charset: str
    paragraphs: list[str]
    title: str
    date: str | None                      # ISO date (YYYY-MM-DD) the page states, if any
    second_paragraphs: list[str] = field(default_factory=list)
    second_title: str = ""
    source: str | None = None
    tags: list[str] = field(default_factory=list)


def read_ant(path: Path, limit: int | None = None) -> Iterator[dict[str, str]]:
    """Records of an ANT corpus file (jsonl.gz) with text, title and time."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        n = 0
        for line in fh:
            rec = json.loads(line)
            if not rec.get("text") or not rec.get("title"):
                continue
            yield rec
            n += 1
            if limit is not None and n >= limit:
                return


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in text.split("\n") if len(p.split()) >= 3]


def _arabic_date(iso_dt: str, months: list[str], indic: bool) -> tuple[str, str]:
    dt = parsedate_to_datetime(iso_dt)
    text = f"{WEEKDAYS[dt.weekday()]} {dt.day} {months[dt.month - 1]} {dt.year} - {dt:%H:%M}"
    return (text.translate(INDIC) if indic else text), dt.date().isoformat()


def build_page(rec: dict[str, str], other: dict[str, str], template: str, n: int) -> GoldPage:
    """Wrap ``rec`` (and ``other`` for aggregator pages) in ``template``."""
    e = escape
    paras = _paragraphs(rec["text"])
    title = " ".join(rec["title"].split())
    body = "\n".join(f"<p>{e(p)}</p>" for p in paras)
    share = '<div class="share"><a href="#">شارك على فيسبوك</a><a href="#">تويتر</a><a href="#">واتساب</a></div>'
    nav = ('<nav class="menu"><ul><li><a href="/">الرئيسية</a></li><li><a href="/politics">سياسة</a></li>'
           '<li><a href="/sport">رياضة</a></li><li><a href="/economy">اقتصاد</a></li></ul></nav>')
    footer = ('<footer><p>جميع الحقوق محفوظة © 2018</p><a href="/about">من نحن</a>'
              '<a href="/contact">اتصل بنا</a></footer><script>var ads = [];</script>')
    if template == "outlet":
        dt = parsedate_to_datetime(rec["time"])
        html = f"""<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>{e(title)} | الموقع الإخباري</title><meta property="og:title" content="{e(title)}">
<meta property="og:site_name" content="الموقع الإخباري">
<meta property="article:published_time" content="{dt.isoformat()}">
<link rel="canonical" href="https://news.example.com/article/{n}"></head><body>
<header class="site-header"><a href="/">الموقع الإخباري</a></header>{nav}
<div class="breadcrumb"><a href="/">الرئيسية</a> » <a href="/world">عربي ودولي</a></div>
<main><article><h1>{e(title)}</h1><div class="byline">بقلم: محرر الموقع</div>{share}
{body}
</article>
<aside class="sidebar"><h3>الأكثر قراءة</h3><ul><li><a href="/1">خبر آخر عن الاقتصاد العالمي اليوم</a></li>
<li><a href="/2">نتائج مباريات الدوري المحلي</a></li></ul></aside>
<section class="comments"><h3>التعليقات</h3><p>تعليق من قارئ: هذا الخبر مهم جدا ونرجو المتابعة.</p></section>
</main><div class="cookie-consent">نستخدم ملفات تعريف الارتباط. موافق</div>{footer}</body></html>"""
        return GoldPage(html.encode("utf-8"), template, "utf-8", paras, title, dt.date().isoformat())
    if template == "aggregator":
        paras2 = _paragraphs(other["text"])
        title2 = " ".join(other["title"].split())
        stamp, iso = _arabic_date(other["time"], EGYPTIAN, indic=(n % 2 == 1))
        source = {"alarabia": "العربية", "bbc": "بي بي سي عربي", "cnn": "سي إن إن بالعربية",
                  "france24": "فرانس 24", "skynews": "سكاي نيوز عربية"}.get(rec.get("source", ""), "وكالات")
        tags = [w.strip(".,:؛،!?؟\"'«»()") for w in title.split() if len(w) > 4][:3]
        body2 = "\n".join(f"<p>{e(p)}</p>" for p in paras2)
        html = f"""<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>بوابة الأخبار</title>
<meta property="og:site_name" content="بوابة الأخبار"></head><body>{nav}{share}<main><article><h1>{e(title)}</h1>
{body}
<p>المصدر: {e(source)}</p>
<div class="tags">كلمات دلالية: {" ".join(f'<a href="/tag/{i}">{e(t)}</a>' for i, t in enumerate(tags))}</div>
<div class="box"><h4>اقرأ أيضا:</h4><h3>{e(title2)}</h3>
{body2}
<p>آخر تحديث: {e(stamp)}</p></div></article>
<section class="similar"><h2>أخبار ذات صلة</h2><ul><li><a href="/a">عنوان خبر مشابه أول</a></li>
<li><a href="/b">عنوان خبر مشابه ثان</a></li></ul></section></main>{footer}</body></html>"""
        return GoldPage(html.encode("utf-8"), template, "utf-8", paras, title, None, paras2, title2, source, tags)
    if template == "legacy":
        stamp, iso = _arabic_date(rec["time"], LEVANTINE, indic=False)  # cp1256 has no Arabic-Indic digits
        html = f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1256">
<title>{e(title)}</title></head><body><table width="100%"><tr><td class="nav">
<a href="/">الرئيسية</a> | <a href="/news">أخبار</a></td></tr><tr><td>
<h1>{e(title)}</h1><p class="date">نشر في {e(stamp)}</p>
{body}
</td><td class="sidebar"><a href="/x">إعلان</a></td></tr></table>{footer}</body></html>"""
        data = html.encode("cp1256", errors="replace")
        legacy = [p.encode("cp1256", errors="replace").decode("cp1256") for p in paras]
        title = title.encode("cp1256", errors="replace").decode("cp1256")
        return GoldPage(data, template, "cp1256", legacy, title, iso)
    html = f"<html><body><h1>{e(title)}</h1>\n{body}\n</body></html>"
    return GoldPage(html.encode("utf-8"), "minimal", "utf-8", paras, title, None)


def gold_pages(path: Path, count: int, offset: int = 0) -> list[GoldPage]:
    """``count`` pages cycling through the templates, built from consecutive ANT records."""
    recs = list(read_ant(path, limit=offset + count + 1))[offset:]
    pages = []
    for i in range(min(count, len(recs) - 1)):
        pages.append(build_page(recs[i], recs[i + 1], TEMPLATES[i % len(TEMPLATES)], i))
    return pages


def token_prf(extracted: str, gold: str) -> tuple[float, float, float]:
    """Bag-of-words precision, recall and F1 of extracted text against gold text."""
    from collections import Counter

    got = Counter(extracted.split())
    want = Counter(gold.split())
    common = sum((got & want).values())
    p = common / max(1, sum(got.values()))
    r = common / max(1, sum(want.values()))
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f
