"""Tests of marsad.text.dates: Arabic date parsing for news pages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hijridate import Hijri
from hypothesis import strategies as st

from marsad.errors import DateParseError
from marsad.text.dates import (
    GREGORIAN_MONTHS,
    HIJRI_MONTHS,
    WEEKDAYS,
    ParsedDate,
    find_dates,
    parse_date,
    parse_machine_date,
)

NOW = datetime(2025, 4, 17, 15, 0, 0)  # Thursday 17 April 2025, 15:00 (naive)
RIYADH = ZoneInfo("Asia/Riyadh")

MONTH_CASES = [
    pytest.param(region, number, name, id=f"{region}-{number}-{name}")
    for region, months in GREGORIAN_MONTHS.items()
    for number, names in enumerate(months, start=1)
    for name in names
]


# ---------------------------------------------------------------------------- month tables


@pytest.mark.parametrize(("region", "month", "name"), MONTH_CASES)
def test_every_regional_month_name(region: str, month: int, name: str) -> None:
    parsed = parse_date(f"5 {name} 2025")
    assert parsed.value == datetime(2025, month, 5)
    assert parsed.calendar == "gregorian"
    assert not parsed.has_time


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("17 ابريل 2025", 4),
        ("17 إبريل 2025", 4),
        ("17 أبريل 2025", 4),
        ("17 يونيه 2025", 6),
        ("17 يونية 2025", 6),
        ("17 يوليه 2025", 7),
        ("17 اغسطس 2025", 8),
        ("17 اكتوبر 2025", 10),
        ("17 أذار 2025", 3),
        ("17 ايار 2025", 5),
        ("17 تشرين اول 2025", 10),
        ("17 تشرين أول 2025", 10),
        ("17 تشرين ثاني 2025", 11),
        ("17 كانون ثاني 2025", 1),
        ("17 كانون اول 2025", 12),
        ("17 كانون الثانى 2025", 1),  # alef maqsura for yeh
        ("17 جويلة 2025", 7),
        ("17 جويليه 2025", 7),
        ("17 افريل 2025", 4),
        ("17 اوت 2025", 8),
        ("17 أَبْرِيل 2025", 4),  # diacritics
        ("17 أبريـــل 2025", 4),  # tatweel
        ("17 نوڤمبر 2025", 11),  # veh for feh
        ("17 من شهر أبريل 2025", 4),
        ("17 أبريل، 2025", 4),
        ("17 أبريل عام 2025", 4),
        ("17 أبريل سنة 2025", 4),
        ("17أبريل 2025", 4),
    ],
)
def test_month_spelling_variants(text: str, month: int) -> None:
    assert parse_date(text).value == datetime(2025, month, 17)


@pytest.mark.parametrize(
    "text",
    [
        "17 نيسان/أبريل 2025",
        "17 أبريل/نيسان 2025",
        "17 أبريل (نيسان) 2025",
        "17 نيسان (أبريل) 2025",
        "17 نيسان / أبريل 2025",
    ],
)
def test_dual_month_names(text: str) -> None:
    assert parse_date(text).value == datetime(2025, 4, 17)


def test_dual_month_names_must_agree() -> None:
    with pytest.raises(DateParseError, match="do not agree"):
        parse_date("17 نيسان/مايو 2025")


# ---------------------------------------------------------------------------- Hijri


@pytest.mark.parametrize("month", range(1, 13))
def test_every_hijri_month(month: int) -> None:
    expected = Hijri(1446, month, 1).to_gregorian()
    for name in HIJRI_MONTHS[month - 1]:
        parsed = parse_date(f"1 {name} 1446 هـ")
        assert parsed.value.date() == date(expected.year, expected.month, expected.day), name
        assert parsed.calendar == "hijri"


def _hijri(year: int, month: int, day: int) -> date:
    g = Hijri(year, month, day).to_gregorian()
    return date(g.year, g.month, g.day)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # checked against hijridate (Umm al-Qura) and published calendars
        ("1 رمضان 1446", date(2025, 3, 1)),
        ("1 محرم 1447", date(2025, 6, 26)),
        ("19 شوال 1446 هـ", date(2025, 4, 17)),
    ],
)
def test_known_hijri_conversions(text: str, expected: date) -> None:
    parsed = parse_date(text)
    assert parsed.value.date() == expected
    assert parsed.calendar == "hijri"


@pytest.mark.parametrize(
    ("text", "hijri"),
    [
        ("19 شوال 1446هـ", (1446, 10, 19)),
        ("19 شوال 1446 ه", (1446, 10, 19)),
        ("19 شوال 1446 هجري", (1446, 10, 19)),
        ("19 شوال 1446 هجرية", (1446, 10, 19)),
        ("١٩ شوال ١٤٤٦ هـ", (1446, 10, 19)),
        ("الخميس 19 شوال 1446 هـ", (1446, 10, 19)),
        ("10 ذي الحجة 1445 هـ", (1445, 12, 10)),
        ("10 ذو الحجة 1445", (1445, 12, 10)),
        ("5 ربيع الاول 1446", (1446, 3, 5)),
        ("5 ربيع أول 1446", (1446, 3, 5)),
        ("5 ربيع الثاني 1446", (1446, 4, 5)),
        ("5 ربيع الآخر 1446", (1446, 4, 5)),
        ("5 جمادى الأول 1446", (1446, 5, 5)),
        ("5 جمادى الاولى 1446", (1446, 5, 5)),
        ("5 جمادى الثانية 1446", (1446, 6, 5)),
        ("5 جمادى الآخرة 1446", (1446, 6, 5)),
        ("5 ذي القعدة 1446", (1446, 11, 5)),
        ("5 ذو القعده 1446", (1446, 11, 5)),
        ("1 رمضان المبارك 1446 هـ", (1446, 9, 1)),
        ("19/10/1446 هـ", (1446, 10, 19)),
        ("1446/10/19", (1446, 10, 19)),
    ],
)
def test_hijri_variants(text: str, hijri: tuple[int, int, int]) -> None:
    parsed = parse_date(text)
    assert parsed.value.date() == _hijri(*hijri)
    assert parsed.calendar == "hijri"


def test_hijri_and_gregorian_of_the_same_day() -> None:
    text = "19 شوال 1446 هـ الموافق 17 أبريل 2025 م"
    found = find_dates(text)
    assert [(f.calendar, f.value) for f in found] == [
        ("hijri", datetime(2025, 4, 17)),
        ("gregorian", datetime(2025, 4, 17)),
    ]
    assert text[found[0].start : found[0].end] == "19 شوال 1446 هـ"
    assert text[found[1].start : found[1].end] == "17 أبريل 2025 م"
    parsed = parse_date(text)
    assert parsed.calendar == "gregorian"
    assert parsed.value == datetime(2025, 4, 17)


def test_dual_date_keeps_the_label_and_accepts_brackets() -> None:
    parsed = parse_date("نشر في: 19 شوال 1446 هـ (17 أبريل 2025)")
    assert parsed.calendar == "gregorian"
    assert parsed.label == "published"
    assert parse_date("17 أبريل 2025 الموافق 19 شوال 1446 هـ").calendar == "gregorian"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("10 محرم 1300 هـ", "outside the supported"),
        ("30 محرم 1446", "does not exist"),  # Muharram 1446 has 29 days
        ("19 شوال", "needs its year"),
        ("19 شوال 2025 م", "does not fit"),
        ("17 أبريل 1446 هـ", "does not fit"),
    ],
)
def test_invalid_hijri(text: str, message: str) -> None:
    with pytest.raises(DateParseError, match=message):
        parse_date(text, now=NOW)


# ---------------------------------------------------------------------------- headline forms


@pytest.mark.parametrize(
    ("text", "iso", "label"),
    [
        ("الخميس 17 نيسان 2025", "2025-04-17", None),
        ("آخر تحديث: 17 أبريل 2025 - 13:57", "2025-04-17T13:57:00", "updated"),
        ("اخر تحديث 17 أبريل 2025 - 13:57", "2025-04-17T13:57:00", "updated"),
        ("تم التحديث 17/04/2025 13:57", "2025-04-17T13:57:00", "updated"),
        ("تحديث: 17 أبريل 2025", "2025-04-17", "updated"),
        ("محدث 17 أبريل 2025", "2025-04-17", "updated"),
        ("نشر في 17 أبريل 2025", "2025-04-17", "published"),
        ("نُشر في: الخميس، 17 أبريل 2025", "2025-04-17", "published"),
        ("نشر بتاريخ 17/04/2025", "2025-04-17", "published"),
        ("تاريخ النشر: 17 أبريل 2025", "2025-04-17", "published"),
        ("بتاريخ 17 أبريل 2025", "2025-04-17", "published"),
        ("نشر: 17 أبريل 2025", "2025-04-17", "published"),
        ("الأربعاء 18 جانفي 2017", "2017-01-18", None),
        ("الأربعاء 18 جانفي 2017 على الساعة 10:15", "2017-01-18T10:15:00", None),
        ("الخميس 17 أبريل 2025 | 13:57", "2025-04-17T13:57:00", None),
        ("17 أبريل 2025، 13:57", "2025-04-17T13:57:00", None),
        ("17 أبريل 2025 الساعة 13:57", "2025-04-17T13:57:00", None),
        ("17 أبريل 2025 في 13:57:05", "2025-04-17T13:57:05", None),
        ("13:57 - 17 أبريل 2025", "2025-04-17T13:57:00", None),
        ("17 يوليوز 2025", "2025-07-17", None),
        ("17 شتنبر 2025", "2025-09-17", None),
    ],
)
def test_news_page_forms(text: str, iso: str, label: str | None) -> None:
    parsed = parse_date(text)
    assert parsed.iso() == iso
    assert parsed.label == label
    assert (parsed.start, parsed.end) == (0, len(text))


def test_label_is_part_of_the_span() -> None:
    text = "المحرر: أحمد — آخر تحديث: 17 أبريل 2025 - 13:57"
    (found,) = find_dates(text)
    assert text[found.start : found.end] == "آخر تحديث: 17 أبريل 2025 - 13:57"
    assert found.label == "updated"


@pytest.mark.parametrize(
    "text",
    ["١٧ أبريل ٢٠٢٥", "۱۷ أبريل ۲۰۲۵", "١٧/٠٤/٢٠٢٥", "٢٠٢٥-٠٤-١٧", "١٧-٤-٢٠٢٥", "17 أبريل ٢٠٢٥"],
)
def test_arabic_indic_and_persian_digits(text: str) -> None:
    assert parse_date(text).value == datetime(2025, 4, 17)


def test_arabic_indic_time() -> None:
    assert parse_date("يوم الخميس ١٧ أبريل ٢٠٢٥ الساعة ١:٥٧ مساءً").iso() == "2025-04-17T13:57:00"


@pytest.mark.parametrize("weekday", list(WEEKDAYS))
@pytest.mark.parametrize(
    "template", ["{} 17 أبريل 2025", "{}، 17 أبريل 2025", "يوم {} 17 أبريل 2025", "{} - 17 أبريل 2025"]
)
def test_weekday_prefixes(weekday: str, template: str) -> None:
    text = template.format(weekday)
    parsed = parse_date(text)
    assert parsed.value == datetime(2025, 4, 17)
    assert (parsed.start, parsed.end) == (0, len(text))


@pytest.mark.parametrize(
    ("text", "hour", "minute"),
    [
        ("17 أبريل 2025 1:57 م", 13, 57),
        ("17 أبريل 2025 1:57 مساء", 13, 57),
        ("17 أبريل 2025 1:57 مساءً", 13, 57),
        ("17 أبريل 2025 1:57 ص", 1, 57),
        ("17 أبريل 2025 1:57 صباحا", 1, 57),
        ("17 أبريل 2025 1:57 صباحاً", 1, 57),
        ("17 أبريل 2025 12:30 ص", 0, 30),
        ("17 أبريل 2025 12:30 م", 12, 30),
        ("17 أبريل 2025 13:57 م", 13, 57),
        ("17 أبريل 2025 الساعة 10 صباحا", 10, 0),
        ("17 أبريل 2025 الساعة 10 مساء", 22, 0),
        ("17 أبريل 2025 الساعة 10", 10, 0),
        ("17 أبريل 2025 3 عصرا", 15, 0),
        ("17 أبريل 2025 1 ظهرا", 13, 0),
        ("17 أبريل 2025 11 ليلا", 23, 0),
        ("17 أبريل 2025 12 ليلا", 0, 0),
        ("17/04/2025 10:15 PM", 22, 15),
    ],
)
def test_am_pm(text: str, hour: int, minute: int) -> None:
    parsed = parse_date(text)
    assert parsed.has_time
    assert (parsed.value.hour, parsed.value.minute) == (hour, minute)


@pytest.mark.parametrize(
    "text", ["17 أبريل 2025 م", "17 أبريل 2025م", "17/04/2025 م", "17 أبريل 2025 ميلادي"]
)
def test_year_mark_m_is_not_pm(text: str) -> None:
    parsed = parse_date(text)
    assert parsed.value == datetime(2025, 4, 17)
    assert not parsed.has_time
    assert parsed.iso() == "2025-04-17"


def test_year_mark_then_time() -> None:
    assert parse_date("17 أبريل 2025 م - 1:57 م").iso() == "2025-04-17T13:57:00"


@pytest.mark.parametrize(
    ("text", "iso", "calendar"),
    [
        ("17/04/2025", "2025-04-17", "gregorian"),
        ("17-4-2025", "2025-04-17", "gregorian"),
        ("17.04.2025", "2025-04-17", "gregorian"),
        ("2025/04/17", "2025-04-17", "gregorian"),
        ("2025-04-17", "2025-04-17", "iso"),
        ("17/04/2025 13:57", "2025-04-17T13:57:00", "gregorian"),
        ("17/04/2025 - 13:57:05", "2025-04-17T13:57:05", "gregorian"),
        ("2025-04-17 13:57", "2025-04-17T13:57:00", "iso"),
        ("2025-04-17T13:57:00+03:00", "2025-04-17T13:57:00+03:00", "iso"),
        ("2025-04-17T10:57:00Z", "2025-04-17T10:57:00+00:00", "iso"),
        ("1/2/2025", "2025-02-01", "gregorian"),
    ],
)
def test_numeric_dates(text: str, iso: str, calendar: str) -> None:
    parsed = parse_date(text)
    assert parsed.iso() == iso
    assert parsed.calendar == calendar


# ---------------------------------------------------------------------------- relative


@pytest.mark.parametrize(
    ("text", "iso", "has_time"),
    [
        ("منذ 3 ساعات", "2025-04-17T12:00:00", True),
        ("منذ ساعة", "2025-04-17T14:00:00", True),
        ("منذ ساعتين", "2025-04-17T13:00:00", True),
        ("منذ دقيقة", "2025-04-17T14:59:00", True),
        ("منذ 5 دقائق", "2025-04-17T14:55:00", True),
        ("منذ دقيقتين", "2025-04-17T14:58:00", True),
        ("منذ 45 ثانية", "2025-04-17T14:59:15", True),
        ("منذ ثلاث ساعات", "2025-04-17T12:00:00", True),
        ("منذ نصف ساعة", "2025-04-17T14:30:00", True),
        ("قبل 10 دقائق", "2025-04-17T14:50:00", True),
        ("قبل ساعة", "2025-04-17T14:00:00", True),
        ("منذ يوم", "2025-04-16", False),
        ("منذ يومين", "2025-04-15", False),
        ("منذ 3 أيام", "2025-04-14", False),
        ("منذ أسبوع", "2025-04-10", False),
        ("منذ أسبوعين", "2025-04-03", False),
        ("منذ ١٠ دقائق", "2025-04-17T14:50:00", True),
        ("أمس", "2025-04-16", False),
        ("الأمس", "2025-04-16", False),
        ("أمس الساعة 10:30", "2025-04-16T10:30:00", True),
        ("أمس، 10:30 م", "2025-04-16T22:30:00", True),
        ("أول أمس", "2025-04-15", False),
        ("اليوم", "2025-04-17", False),
        ("اليوم 09:15", "2025-04-17T09:15:00", True),
        ("الآن", "2025-04-17T15:00:00", True),
        ("تحديث: منذ 3 ساعات", "2025-04-17T12:00:00", True),
    ],
)
def test_relative(text: str, iso: str, has_time: bool) -> None:
    parsed = parse_date(text, now=NOW)
    assert parsed.iso() == iso
    assert parsed.has_time is has_time
    assert parsed.calendar == "relative"


def test_relative_needs_now() -> None:
    with pytest.raises(DateParseError, match="relative date needs the page's fetch time"):
        parse_date("منذ 3 ساعات")
    assert find_dates("نشر منذ 3 ساعات") == []


def test_relative_keeps_zone_of_now() -> None:
    aware_now = datetime(2025, 4, 17, 12, 0, tzinfo=UTC)
    assert parse_date("منذ 3 ساعات", now=aware_now).iso() == "2025-04-17T09:00:00+00:00"
    assert parse_date("منذ 3 ساعات", now=aware_now, default_tz=RIYADH).iso() == "2025-04-17T12:00:00+03:00"
    # 22:00 UTC on the 17th is already the 18th in Riyadh: "yesterday" there is the 17th.
    late = datetime(2025, 4, 17, 22, 0, tzinfo=UTC)
    assert parse_date("أمس الساعة 10:30 بتوقيت مكة", now=late).iso() == "2025-04-17T10:30:00+03:00"


def test_vague_relative_is_not_a_date() -> None:
    with pytest.raises(DateParseError, match="amount"):
        parse_date("منذ ساعات", now=NOW)


# ---------------------------------------------------------------------------- dates without a year


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [
        ("17 أبريل", NOW, date(2025, 4, 17)),
        ("الخميس 17 نيسان", NOW, date(2025, 4, 17)),
        ("19 أبريل", NOW, date(2025, 4, 19)),  # within the two-day slack
        ("25 أبريل", NOW, date(2024, 4, 25)),  # would be in the future: last year
        ("31 ديسمبر", datetime(2025, 1, 2), date(2024, 12, 31)),
        ("1 يناير", datetime(2024, 12, 31), date(2025, 1, 1)),
        ("29 فبراير", NOW, date(2024, 2, 29)),
        ("17 أبريل - 13:57", NOW, date(2025, 4, 17)),
    ],
)
def test_year_from_now(text: str, now: datetime, expected: date) -> None:
    assert parse_date(text, now=now).value.date() == expected


def test_year_needs_now() -> None:
    with pytest.raises(DateParseError, match="without a year"):
        parse_date("17 أبريل")
    assert find_dates("في 17 أبريل قال") == []


# ---------------------------------------------------------------------------- zones


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("17 أبريل 2025 10:00 بتوقيت مكة المكرمة", "2025-04-17T10:00:00+03:00"),
        ("17 أبريل 2025 10:00 بتوقيت مكة", "2025-04-17T10:00:00+03:00"),
        ("17 أبريل 2025 10:00 بتوقيت السعودية", "2025-04-17T10:00:00+03:00"),
        ("17 أبريل 2025 10:00 بتوقيت الرياض", "2025-04-17T10:00:00+03:00"),
        ("17 أبريل 2025 10:00 بتوقيت القاهرة", "2025-04-17T10:00:00+02:00"),  # before Egypt's DST
        ("17 يوليو 2025 10:00 بتوقيت القاهرة", "2025-07-17T10:00:00+03:00"),  # Egyptian summer time
        ("17 يناير 2025 10:00 بتوقيت القاهرة", "2025-01-17T10:00:00+02:00"),
        ("17 يناير 2025 10:00 بتوقيت مصر", "2025-01-17T10:00:00+02:00"),
        ("17 يناير 2025 10:00 بتوقيت بيروت", "2025-01-17T10:00:00+02:00"),
        ("17 يناير 2025 10:00 بتوقيت دمشق", "2025-01-17T10:00:00+03:00"),
        ("17 يناير 2025 10:00 بتوقيت بغداد", "2025-01-17T10:00:00+03:00"),
        ("17 يناير 2025 10:00 بتوقيت الدوحة", "2025-01-17T10:00:00+03:00"),
        ("17 يناير 2025 10:00 بتوقيت الإمارات", "2025-01-17T10:00:00+04:00"),
        ("17 يناير 2025 10:00 بتوقيت أبوظبي", "2025-01-17T10:00:00+04:00"),
        ("17 يناير 2025 10:00 بتوقيت دبي", "2025-01-17T10:00:00+04:00"),
        ("17 يناير 2025 10:00 بتوقيت تونس", "2025-01-17T10:00:00+01:00"),
        ("17 يناير 2025 10:00 بتوقيت الجزائر", "2025-01-17T10:00:00+01:00"),
        ("17 يناير 2025 10:00 بتوقيت القدس", "2025-01-17T10:00:00+02:00"),
        ("17 يناير 2025 10:00 بتوقيت عمّان", "2025-01-17T10:00:00+03:00"),
        ("17 يناير 2025 10:00 توقيت الرباط", "2025-01-17T10:00:00+01:00"),
        ("17 أبريل 2025 10:00 +03:00", "2025-04-17T10:00:00+03:00"),
        ("17 أبريل 2025 10:00 +0300", "2025-04-17T10:00:00+03:00"),
        ("17 أبريل 2025 10:00 GMT+3", "2025-04-17T10:00:00+03:00"),
        ("17 أبريل 2025 10:00 GMT +3", "2025-04-17T10:00:00+03:00"),
        ("17 أبريل 2025 10:00 (GMT+3)", "2025-04-17T10:00:00+03:00"),
        ("17 أبريل 2025 10:00 UTC+2", "2025-04-17T10:00:00+02:00"),
        ("17 أبريل 2025 10:00 GMT", "2025-04-17T10:00:00+00:00"),
        ("17 أبريل 2025 10:00 ت.غ", "2025-04-17T10:00:00+00:00"),
        ("17 أبريل 2025 10:00 بتوقيت غرينتش", "2025-04-17T10:00:00+00:00"),
        ("17 أبريل 2025 10:00 جرينتش", "2025-04-17T10:00:00+00:00"),
        ("17 أبريل 2025 10:00 +3 غرينتش", "2025-04-17T10:00:00+03:00"),
    ],
)
def test_zones(text: str, iso: str) -> None:
    assert parse_date(text).iso() == iso


def test_zone_city_needs_the_word_tawqit() -> None:
    with pytest.raises(DateParseError, match="could not understand"):
        parse_date("17 أبريل 2025 10:00 القاهرة")


def test_default_tz_and_naive() -> None:
    assert parse_date("17 أبريل 2025 10:00").value.tzinfo is None
    parsed = parse_date("17 أبريل 2025 10:00", default_tz=RIYADH)
    assert parsed.iso() == "2025-04-17T10:00:00+03:00"
    explicit = parse_date("17 أبريل 2025 10:00 GMT", default_tz=RIYADH)
    assert explicit.value.utcoffset() == timedelta(0)


# ---------------------------------------------------------------------------- machine formats


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Sun, 18 Feb 2018 21:35:43 +0400",
            datetime(2018, 2, 18, 21, 35, 43, tzinfo=timezone(timedelta(hours=4))),
        ),
        ("Thu, 17 Apr 2025 13:57:00 GMT", datetime(2025, 4, 17, 13, 57, tzinfo=UTC)),
        ("2015-07-21 02:51:32", datetime(2015, 7, 21, 2, 51, 32)),
        ("2025-04-17T13:57:00Z", datetime(2025, 4, 17, 13, 57, tzinfo=UTC)),
        (
            "2025-04-17T13:57:00.123+03:00",
            datetime(2025, 4, 17, 13, 57, 0, 123000, timezone(timedelta(hours=3))),
        ),
        ("2025-04-17", datetime(2025, 4, 17)),
        ("April 17, 2025", datetime(2025, 4, 17)),
        ("Apr 17, 2025 1:57 PM", datetime(2025, 4, 17, 13, 57)),
        ("17 Apr 2025 13:57", datetime(2025, 4, 17, 13, 57)),
        ("17 April 2025", datetime(2025, 4, 17)),
        ("Thursday, April 17, 2025", datetime(2025, 4, 17)),
    ],
)
def test_parse_machine_date(text: str, expected: datetime) -> None:
    assert parse_machine_date(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "2025", "17 أبريل 2025", "hello", "20250417", "31 Feb 2025 10:00", "2025-02-30", "April 2025"],
)
def test_parse_machine_date_rejects(text: str) -> None:
    assert parse_machine_date(text) is None


def test_parse_date_accepts_machine_formats() -> None:
    parsed = parse_date("Sun, 18 Feb 2018 21:35:43 +0400")
    assert parsed.calendar == "iso"
    assert parsed.iso() == "2018-02-18T21:35:43+04:00"
    assert parse_date("  2025-04-17  ").iso() == "2025-04-17"
    assert parse_date("April 17, 2025", default_tz=RIYADH).value.tzinfo is RIYADH


# ---------------------------------------------------------------------------- find_dates


def test_find_two_dates_in_a_sentence() -> None:
    text = "قال الوزير في 17 أبريل 2025 إن الاجتماع سيعقد في 3/5/2025 الساعة 10 صباحا."
    found = find_dates(text)
    assert [f.iso() for f in found] == ["2025-04-17", "2025-05-03T10:00:00"]
    assert [text[f.start : f.end] for f in found] == ["17 أبريل 2025", "3/5/2025 الساعة 10 صباحا"]


def test_find_labelled_dates_on_a_page_line() -> None:
    text = "آخر تحديث: منذ 3 ساعات | نشر في 17/04/2025 - 13:57"
    found = find_dates(text, now=NOW)
    assert [(f.label, f.iso()) for f in found] == [
        ("updated", "2025-04-17T12:00:00"),
        ("published", "2025-04-17T13:57:00"),
    ]


def test_find_spans_point_into_the_original_text() -> None:
    text = "خبر: نُشِرَ فِي ١٧ أَبْرِيلَ ٢٠٢٥ - ١٣:٥٧ ثم انتهى"
    (found,) = find_dates(text)
    assert text[found.start : found.end] == "نُشِرَ فِي ١٧ أَبْرِيلَ ٢٠٢٥ - ١٣:٥٧"
    assert found.label == "published"
    assert found.iso() == "2025-04-17T13:57:00"


@pytest.mark.parametrize(
    "text",
    [
        "اتصل على 0501234567 أو 050-123-4567 أو +966 12 345 6789",
        "اتصلوا بالرقم 12-34-5678",
        "حضر حوالي 2000 شخص",
        "في عام 1990 وبين 2000-2010 ارتفع العدد إلى 2025",
        "ارتفع المؤشر 3.5% إلى 1234.56 نقطة",
        "فاز الفريق 2 صفر",
        "النسخة 1.17.2025 من البرنامج",
        "الساعة 10:30",
        "قال أمس إن اليوم مهم، والآن يجب العمل قبل أن ينتهي الوقت",
        "",
    ],
)
def test_find_nothing(text: str) -> None:
    assert find_dates(text, now=NOW) == []


def test_find_reports_lone_day_words_only_with_a_time_or_label() -> None:
    found = find_dates("قال أمس إن ... نشر أمس ... اليوم 10:30", now=NOW)
    assert [(f.label, f.iso()) for f in found] == [("published", "2025-04-16"), (None, "2025-04-17T10:30:00")]


def test_find_skips_invalid_dates() -> None:
    assert [f.iso() for f in find_dates("31 فبراير 2025 ثم 17 أبريل 2025")] == ["2025-04-17"]


def test_find_reports_nothing_in_long_text_without_dates() -> None:
    # Speed is measured in bench/, not here; this checks that day words alone are not dates.
    paragraph = ("هذا نص عربي طويل يتحدث عن الأخبار والسياسة والاقتصاد قبل أن ينتهي اليوم. " * 80)[:5000]
    assert find_dates(paragraph) == []


# ---------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31 فبراير 2025", "day 31 does not exist in February 2025"),
        ("29 شباط 2025", "day 29 does not exist"),
        ("17/13/2025", "month 13"),
        ("17 أبريل 2025 25:00", "hour 25"),
        ("17 أبريل 2025 10:75", "minute 75"),
        ("17 أبريل 2025 10:00 +1500", "offset"),
        ("17/04/3025", "year 3025"),
        ("", "empty"),
        ("   ", "empty"),
        ("مرحبا", "no date found"),
        ("عام 2025", "no date found"),
        ("2025", "no date found"),
        ("foo 17 أبريل 2025", "could not understand 'foo'"),
        ("17 أبريل 2025 وأشياء أخرى", "could not understand"),
        ("17 أبريل 2025 و 18 أبريل 2025", "2 date expressions"),
    ],
)
def test_invalid_raises(text: str, message: str) -> None:
    with pytest.raises(DateParseError, match=message):
        parse_date(text, now=NOW)


def test_date_parse_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse_date("31 فبراير 2025")


# ---------------------------------------------------------------------------- ParsedDate


def test_parsed_date_iso_forms() -> None:
    naive = ParsedDate(datetime(2025, 4, 17, 13, 57), True, "gregorian", None, 0, 1)
    aware = ParsedDate(datetime(2025, 4, 17, 13, 57, tzinfo=RIYADH), True, "gregorian", None, 0, 1)
    day = ParsedDate(datetime(2025, 4, 17, tzinfo=RIYADH), False, "gregorian", None, 0, 1)
    assert naive.iso() == "2025-04-17T13:57:00"
    assert aware.iso() == "2025-04-17T13:57:00+03:00"
    assert day.iso() == "2025-04-17"
    with pytest.raises(AttributeError):
        naive.label = "updated"  # type: ignore[misc]


# ---------------------------------------------------------------------------- properties

REGIONS = sorted(GREGORIAN_MONTHS)


@st.composite
def _dates(draw: st.DrawFn) -> date:
    return draw(st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31)))


_TOKENS = [
    "17", "١٧", "2025", "1446", "/", "-", ".", ":", "13:57", "25:99", "أبريل", "نيسان", "شوال", "هـ",
    "م", "ص", "مساء", "الساعة", "منذ", "قبل", "ساعة", "ساعات", "3", "أمس", "اليوم", "الآن", "الخميس",
    "آخر تحديث:", "نشر في", "بتوقيت", "مكة", "GMT", "+03:00", "+", "(", ")",
    "،", " ", " ", "الموافق", "T", "Z", "\u064e",
]  # fmt: skip
