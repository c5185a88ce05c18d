"""What the reader shows, computed without HTML: dates in Gregorian and Hijri, the front page ranking, SVG
chart geometry, highlight segments. Templates only lay these out (and escape everything they print).

Digits are Western (0-9) everywhere in the reader, as on most Arabic news sites; the text of articles is
shown as the outlet wrote it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from hijridate import Gregorian

from marsad.times import as_utc, parse_iso

GREGORIAN_AR = ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر",
                "نوفمبر", "ديسمبر")
REASONS_AR = {"same_story": "من القصة نفسها", "shared_entities": "أسماء مشتركة", "similar_topic": "موضوع قريب",
              "semantic": "معنى قريب"}
CATEGORIES_AR = {"politics": "سياسة", "economy": "اقتصاد", "sport": "رياضة", "technology": "تقنية",
                 "culture": "ثقافة", "society": "مجتمع"}
TYPES_AR = {"PERS": "شخص", "LOC": "مكان", "ORG": "مؤسسة", "MISC": "أخرى"}
COUNTED = {   # singular, dual, plural (3-10), singular accusative (11 and more)
    "article": ("مقال", "مقالان", "مقالات", "مقالاً"), "source": ("مصدر", "مصدران", "مصادر", "مصدراً"),
    "story": ("قصة", "قصتان", "قصص", "قصة"), "name": ("اسم", "اسمان", "أسماء", "اسماً"),
    "time": ("مرة", "مرتين", "مرات", "مرة"), "result": ("نتيجة", "نتيجتان", "نتائج", "نتيجة"),
    "copy": ("نسخة مكررة", "نسختان مكررتان", "نسخ مكررة", "نسخة مكررة"),
    "hour": ("ساعة", "ساعتان", "ساعات", "ساعة"), "day": ("يوم", "يومان", "أيام", "يوماً"),
}
PALETTE = ("#0b6e69", "#c0392b", "#2d5fa8", "#b7791f", "#7b3fa0", "#2f855a", "#b83280", "#4a5568")
"""Outlet colours of the charts (the ninth outlet on is drawn as the last colour, "others")."""

GROWTH_HALF_LIFE_H = 6.0
"""An article's weight in the front page score halves every this many hours before "now"."""
BREAKING_HOURS = 12
"""A story first seen this recently with two or more articles in the last ``GROWTH_HALF_LIFE_H`` hours is breaking."""


@dataclass(frozen=True, slots=True)
class Dates:
    """One moment as the reader shows it: Gregorian with time and zone, Hijri (Umm al-Qura), machine ISO."""

    iso: str
    gregorian: str
    hijri: str
    time: str


def show_date(value: str | None) -> Dates | None:
    """``25 أبريل 2025`` / ``27 شوال 1446 هـ`` / ``20:58 (UTC+04:00)`` for an ISO time, or None."""
    dt = parse_iso(value)
    if dt is None:
        return None
    gregorian = f"{dt.day} {GREGORIAN_AR[dt.month - 1]} {dt.year}"
    try:
        h = Gregorian(dt.year, dt.month, dt.day).to_hijri()
        hijri = f"{h.day} {h.month_name('ar')} {h.year} هـ"
    except (OverflowError, ValueError):          # outside the Umm al-Qura table (1343-1500 AH)
        hijri = ""
    time = ""
    if len(value or "") > 10:
        time = dt.strftime("%H:%M")
        if dt.tzinfo is not None:
            off = dt.utcoffset() or timedelta(0)
            minutes = int(off.total_seconds() // 60)
            sign = "+" if minutes >= 0 else "-"
            time += f" (UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d})"
    return Dates(iso=value or "", gregorian=gregorian, hijri=hijri, time=time)


def count_ar(n: int, what: str) -> str:
    """``n`` things with the Arabic number agreement: 1 مقال، مقالان، 3 مقالات، 11 مقالاً (0 takes the plural)."""
    one, two, few, many = COUNTED[what]
    if n == 1:
        return f"1 {one}"
    if n == 2:
        return two
    if 3 <= n % 100 <= 10 or n == 0:
        return f"{n} {few}"
    return f"{n} {many}" if n % 100 >= 11 else f"{n} {one}"


def short_date(value: str | None) -> str:
    """``25 أبريل 2025، 20:58`` (Gregorian, the outlet's clock), or an empty string."""
    d = show_date(value)
    if d is None:
        return ""
    return f"{d.gregorian}، {d.time.split(' ')[0]}" if d.time else d.gregorian


def safe_href(url: str | None) -> str | None:
    """``url`` when it is an http(s) address a link may point to, else None (no ``javascript:`` or ``data:``)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def segments(text: str, spans: list[tuple[int, int]] | list[list[int]]) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, marked) pairs at the highlight spans; the template escapes every piece."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for start, end in sorted((int(s), int(e)) for s, e in spans):
        start, end = max(start, pos), min(end, len(text))
        if start >= end:
            continue
        if start > pos:
            out.append((text[pos:start], False))
        out.append((text[start:end], True))
        pos = end
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def paragraphs(text: str) -> list[str]:
    """The article text as paragraphs (blank-line or line separated), empty ones dropped."""
    parts = [p.strip() for p in text.replace("\r", "").split("\n")]
    return [p for p in parts if p]


# -- the front page ---------------------------------------------------------------------------------------
@dataclass(slots=True)
class RankedStory:
    """A story on the front page: its row, how fast its coverage grows before "now", and whether it is breaking."""

    story: dict[str, Any]
    score: float
    recent: int               # articles in the last GROWTH_HALF_LIFE_H hours before now
    previous: int             # articles in the GROWTH_HALF_LIFE_H hours before those
    recent_outlets: int
    breaking: bool


def hourly(timeline: list[dict[str, Any]]) -> dict[datetime, dict[str, int]]:
    """hour (UTC) -> {outlet: articles} from a story's timeline rows."""
    out: dict[datetime, dict[str, int]] = defaultdict(dict)
    for row in timeline:
        try:
            hour = datetime.strptime(row["hour"], "%Y-%m-%dT%H").replace(tzinfo=UTC)
        except (KeyError, ValueError):
            continue
        src = row.get("source") or "(unknown)"
        out[hour][src] = out[hour].get(src, 0) + int(row.get("articles", 0))
    return out


def rank_stories(stories: list[dict[str, Any]], now: datetime) -> list[RankedStory]:
    """Stories by how fast their coverage grows before ``now``: each article weighs 0.5 per
    ``GROWTH_HALF_LIFE_H`` hours of age, times the number of outlets covering the story; breaking stories
    (first seen in the last ``BREAKING_HOURS`` hours, two or more recent articles) come first."""
    ranked = []
    window = timedelta(hours=GROWTH_HALF_LIFE_H)
    for story in stories:
        per_hour = hourly(story.get("timeline") or [])
        score = 0.0
        recent = previous = 0
        recent_outlets: set[str] = set()
        for hour, counts in per_hour.items():
            age_h = (now - hour).total_seconds() / 3600 - 0.5          # the middle of the hour
            if age_h < -1:
                continue                                               # after "now" (a wrong clock): ignore
            n = sum(counts.values())
            score += n * 0.5 ** (max(age_h, 0.0) / GROWTH_HALF_LIFE_H)
            if now - hour <= window:
                recent += n
                recent_outlets.update(counts)
            elif now - hour <= 2 * window:
                previous += n
        outlets = max(1, len(story.get("outlets") or []))
        first = parse_iso(story.get("first_seen"))
        fresh = first is not None and now - as_utc(first) <= timedelta(hours=BREAKING_HOURS)
        breaking = fresh and recent >= 2 and len(recent_outlets) >= 2
        ranked.append(RankedStory(story, round(score * outlets, 6), recent, previous, len(recent_outlets), breaking))
    ranked.sort(key=lambda r: (not r.breaking, -r.score, -int(r.story.get("size", 0)), -int(r.story["id"])))
    return ranked


# -- charts (inline SVG, drawn right to left: the earliest bar is on the right) ---------------------------
@dataclass(slots=True)
class Bar:
    """One rectangle of a chart and what it says (its ``<title>``)."""

    x: float
    y: float
    w: float
    h: float
    colour: str
    label: str


@dataclass(slots=True)
class Chart:
    """Geometry of a bar chart: bars, axis labels at both ends, a legend, and a text summary for screen readers."""

    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    legend: list[tuple[str, str, int]] = field(default_factory=list)   # (colour, name, articles)
    start_label: str = ""
    end_label: str = ""
    peak: int = 0
    unit: str = ""
    summary: str = ""
    baseline: float = 0.0


def _stack(columns: list[tuple[str, dict[str, int]]], colours: dict[str, str], *, width: int, height: int,
           unit: str) -> Chart:
    """Stacked bars, one column per (label, {series: value}), the first column on the right."""
    pad_top, pad_bottom = 8, 4
    chart = Chart(width=width, height=height, unit=unit, baseline=height - pad_bottom)
    n = len(columns)
    if n == 0:
        return chart
    peak = max(sum(v.values()) for _, v in columns) or 1
    chart.peak = peak
    slot = width / n
    bar_w = max(1.0, slot * 0.8)
    usable = height - pad_top - pad_bottom
    for i, (label, values) in enumerate(columns):
        x = width - (i + 1) * slot + (slot - bar_w) / 2
        y = float(height - pad_bottom)
        for name, value in sorted(values.items(), key=lambda kv: (-kv[1], kv[0])):
            if value <= 0:
                continue
            h = usable * value / peak
            y -= h
            chart.bars.append(Bar(round(x, 2), round(y, 2), round(bar_w, 2), round(h, 2),
                                  colours.get(name, PALETTE[-1]), f"{label}: {name} {value}"))
    return chart


def timeline_chart(timeline: list[dict[str, Any]], *, width: int = 640, height: int = 160,
                   max_columns: int = 72) -> Chart:
    """Coverage per hour by outlet from the first to the last hour (folded into buckets of several hours
    when the story spans more than ``max_columns`` hours)."""
    per_hour = hourly(timeline)
    if not per_hour:
        return Chart(width=width, height=height, summary="لا توجد أوقات نشر لرسم الخط الزمني")
    first, last = min(per_hour), max(per_hour)
    span = int((last - first).total_seconds() // 3600) + 1
    step = max(1, -(-span // max_columns))
    totals: dict[str, int] = defaultdict(int)
    for counts in per_hour.values():
        for src, n in counts.items():
            totals[src] += n
    order = sorted(totals, key=lambda s: (-totals[s], s))
    named = order if len(order) <= len(PALETTE) else order[: len(PALETTE) - 1]
    others = "مصادر أخرى"
    key = {src: (src if src in named else others) for src in order}
    colours = {src: PALETTE[i] for i, src in enumerate(named)} | {others: PALETTE[-1]}
    columns = []
    for i in range(0, span, step):
        start = first + timedelta(hours=i)
        merged: dict[str, int] = defaultdict(int)
        for j in range(step):
            for src, n in per_hour.get(start + timedelta(hours=j), {}).items():
                merged[key[src]] += n
        columns.append((f"{start:%Y-%m-%d %H}:00 UTC", dict(merged)))
    unit = "ساعة" if step == 1 else f"{step} ساعات"
    chart = _stack(columns, colours, width=width, height=height, unit=unit)
    chart.legend = [(colours[s], s, totals[s]) for s in named]
    rest = sum(totals[s] for s in order if s not in named)
    if rest:
        chart.legend.append((PALETTE[-1], others, rest))
    chart.start_label = f"{first:%Y-%m-%d %H}:00"
    chart.end_label = f"{last:%Y-%m-%d %H}:00 UTC"
    total = sum(totals.values())
    chart.summary = (f"{count_ar(total, 'article')} من {count_ar(len(order), 'source')} على مدى "
                     f"{count_ar(span, 'hour')}؛ أعلى عمود {chart.peak}")
    return chart


def volume_chart(days: list[dict[str, Any]], *, width: int = 640, height: int = 140, max_columns: int = 120) -> Chart:
    """Articles per day of one outlet, every day from the first to the last (weeks or longer buckets when
    the span is longer than ``max_columns`` days)."""
    counts: dict[date, int] = {}
    for row in days:
        try:
            counts[date.fromisoformat(str(row["day"]))] = int(row["articles"])
        except (KeyError, ValueError):
            continue
    if not counts:
        return Chart(width=width, height=height, summary="لا توجد مقالات مؤرخة من هذا المصدر")
    first, last = min(counts), max(counts)
    span = (last - first).days + 1
    step = max(1, -(-span // max_columns))
    columns = []
    for i in range(0, span, step):
        start = first + timedelta(days=i)
        n = sum(counts.get(start + timedelta(days=j), 0) for j in range(step))
        columns.append((f"{start:%Y-%m-%d}", {"articles": n}))
    unit = "يوم" if step == 1 else f"{step} أيام"
    chart = _stack(columns, {"articles": PALETTE[0]}, width=width, height=height, unit=unit)
    chart.start_label, chart.end_label = f"{first:%Y-%m-%d}", f"{last:%Y-%m-%d}"
    chart.summary = (f"{count_ar(sum(counts.values()), 'article')} مؤرخة على مدى {count_ar(span, 'day')}؛ "
                     f"أعلى عمود {chart.peak}")
    return chart


def feed_health(row: dict[str, Any]) -> str:
    """ok / retrying / failing / never polled, as `marsad feeds` says it."""
    errors = int(row.get("error_count") or 0)
    if errors >= 3:
        return "failing"
    if errors:
        return "retrying"
    return "ok" if row.get("last_success") else "never polled"


def group_by_outlet(members: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Story members grouped by outlet (the outlet with most articles first, each group in time order)."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in members:
        groups[m.get("source") or ""].append(m)
    return sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
