"""What the pages show, without HTML: dates, safe links, highlight pieces, the front page order, chart geometry."""

from __future__ import annotations

from datetime import UTC, datetime

from marsad.query.snippet import mark_html
from marsad.web import views


def test_dates_in_both_calendars() -> None:
    d = views.show_date("2025-04-25T20:58:00+04:00")
    assert d is not None
    assert (d.gregorian, d.hijri, d.time) == ("25 أبريل 2025", "27 شوال 1446 هـ", "20:58 (UTC+04:00)")
    assert views.show_date("2018-02-18").hijri == "2 جمادى الآخرة 1439 هـ"     # type: ignore[union-attr]
    assert views.show_date("not a date") is None and views.show_date(None) is None
    assert views.show_date("1800-01-01").hijri == ""                             # type: ignore[union-attr]


def test_only_web_links_are_links() -> None:
    assert views.safe_href("https://aawsat.com/x") == "https://aawsat.com/x"
    for bad in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<script>", "//evil", "vbscript:x",
                "http://", "", None):
        assert views.safe_href(bad) is None, bad


def test_segments_cover_the_text_and_mark_the_spans() -> None:
    text = "<b>الأهلي</b> يفوز"
    pieces = views.segments(text, [(3, 9), [14, 18]])
    assert "".join(p for p, _ in pieces) == text
    assert [p for p, hit in pieces if hit] == ["الأهلي", "يفوز"]
    assert views.segments("abc", [(2, 99), (0, 1), (0, 2)]) == [("a", True), ("b", True), ("c", True)]
    # the search layer's own HTML highlighter escapes before marking (the reader does not use it, the API returns it)
    assert mark_html("<i>x</i>", [(3, 4)]) == "&lt;i&gt;<mark>x</mark>&lt;/i&gt;"


def _story(sid: int, hours: dict[str, dict[str, int]], first: str) -> dict[str, object]:
    timeline = [{"hour": h, "source": s, "articles": n} for h, per in hours.items() for s, n in per.items()]
    outlets = {s for per in hours.values() for s in per}
    return {"id": sid, "timeline": timeline, "outlets": [{"source": s, "articles": 1} for s in outlets],
            "first_seen": first, "size": sum(t["articles"] for t in timeline)}


def test_front_page_puts_breaking_then_fastest_growing_first() -> None:
    now = datetime(2025, 4, 25, 22, tzinfo=UTC)
    old_big = _story(1, {"2025-04-24T10": {"a": 5, "b": 5, "c": 5}}, "2025-04-24T10:00:00+00:00")
    growing = _story(2, {"2025-04-25T08": {"a": 1}, "2025-04-25T20": {"a": 1, "b": 1}}, "2025-04-25T08:00:00+00:00")
    breaking = _story(3, {"2025-04-25T19": {"a": 1}, "2025-04-25T21": {"b": 1, "c": 1}}, "2025-04-25T19:00:00+00:00")
    quiet = _story(4, {"2025-04-25T21": {"a": 1}}, "2025-04-25T21:00:00+00:00")      # one outlet: not breaking
    ranked = views.rank_stories([old_big, growing, quiet, breaking], now)
    assert [r.story["id"] for r in ranked][:2] == [3, 2]
    assert ranked[0].breaking and not any(r.breaking for r in ranked[1:])
    assert ranked[0].recent == 3 and ranked[0].recent_outlets == 3
    growing_rank = next(r for r in ranked if r.story["id"] == 2)
    assert growing_rank.recent == 2 and growing_rank.previous == 0


def test_timeline_chart_geometry() -> None:
    timeline = [{"hour": "2025-04-25T16", "source": "a", "articles": 2},
                {"hour": "2025-04-25T16", "source": "b", "articles": 1},
                {"hour": "2025-04-25T19", "source": "b", "articles": 1}]
    chart = views.timeline_chart(timeline, width=400, height=100)
    assert chart.peak == 3 and len(chart.bars) == 3 and chart.unit == "ساعة"
    assert all(b.x >= 0 and b.x + b.w <= 400 + 1e-6 and b.y >= 0 and b.y + b.h <= 100 + 1e-6 for b in chart.bars)
    first = [b for b in chart.bars if "16:00" in b.label]
    last = [b for b in chart.bars if "19:00" in b.label]
    assert min(b.x for b in first) > max(b.x for b in last)             # right to left: the first hour on the right
    assert [(name, n) for _, name, n in chart.legend] == [("a", 2), ("b", 2)]
    long = [{"hour": f"2025-04-{d:02d}T{h:02d}", "source": "a", "articles": 1} for d in range(1, 11) for h in range(24)]
    folded = views.timeline_chart(long, max_columns=72)
    assert len(folded.bars) <= 72 and folded.unit != "ساعة"
    assert sum(int(b.label.rsplit(" ", 1)[1]) for b in folded.bars) == 240
    many = [{"hour": "2025-04-25T16", "source": f"s{i}", "articles": 1} for i in range(12)]
    assert len(views.timeline_chart(many).legend) == len(views.PALETTE)     # the rest as "other outlets"


def test_volume_chart_fills_missing_days() -> None:
    chart = views.volume_chart([{"day": "2025-04-01", "articles": 3}, {"day": "2025-04-05", "articles": 1}])
    assert len(chart.bars) == 2 and chart.peak == 3 and "5 أيام" in chart.summary
    assert views.volume_chart([]).bars == []


def test_counts_agree_with_the_number() -> None:
    assert [views.count_ar(n, "article") for n in (1, 2, 3, 10, 11, 25, 100)] == [
        "1 مقال", "مقالان", "3 مقالات", "10 مقالات", "11 مقالاً", "25 مقالاً", "100 مقال"]
    assert views.count_ar(4, "source") == "4 مصادر" and views.count_ar(2, "story") == "قصتان"
