"""Arabic date parsing for news pages: bylines, "last updated" lines, Hijri dates, relative times.

Every Arabic decision is a table at the top of this module (month names of every regional set,
Hijri months, weekdays, AM/PM words, labels, time zones). The tables are folded the same way as
the text (alef/yeh/teh-marbuta/hamza variants, diacritics and tatweel dropped, digits ASCII) and
compiled into regular expressions once, at import.

The scanner works on a folded copy of the text whose offsets map back to the original, so spans
always point into the caller's string. Three entry points:

* :func:`parse_date` — the whole string is one date expression (a label, weekday, time and zone
  may surround it); anything not understood raises :class:`~marsad.errors.DateParseError`.
* :func:`find_dates` — every date expression in free text, in order, with spans. Invalid or
  unresolvable expressions (no ``now`` for a relative date) are skipped, never guessed.
* :func:`parse_machine_date` — ISO 8601, RFC 822/1123 and common English forms (meta tags).
"""

from __future__ import annotations

import bisect
import email.utils
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from hijridate import Hijri

from marsad.errors import DateParseError
from marsad.text import chars
from marsad.text.normalize import ascii_digits

# --------------------------------------------------------------------------------------------
# Tables (kept as data). Spelling variants that differ only by hamza/alef form, ى/ي, ة/ه or
# diacritics need not be listed: names and text are folded alike before matching.
# --------------------------------------------------------------------------------------------

GREGORIAN_MONTHS: dict[str, tuple[tuple[str, ...], ...]] = {
    # Egypt, Gulf, Sudan, Libya (English-derived). First spelling of each month is canonical.
    "egyptian_gulf": (
        ("يناير", "ينار"),
        ("فبراير", "فبرير"),
        ("مارس",),
        ("أبريل", "إبريل", "ابريل"),
        ("مايو",),
        ("يونيو", "يونيه", "يونية"),
        ("يوليو", "يوليه", "يولية"),
        ("أغسطس", "اغسطس", "أغسطوس", "أغشت"),
        ("سبتمبر", "سبتمر"),
        ("أكتوبر", "اكتوبر", "أوكتوبر"),
        ("نوفمبر", "نوڤمبر", "نونبر"),
        ("ديسمبر", "دیسمبر", "دجنبر"),
    ),
    # Levant and Iraq (Syriac-derived).
    "levantine": (
        ("كانون الثاني", "كانون ثاني", "كانون الثانى"),
        ("شباط",),
        ("آذار", "أذار", "اذار"),
        ("نيسان",),
        ("أيار", "ايار"),
        ("حزيران",),
        ("تموز",),
        ("آب", "أب"),
        ("أيلول", "ايلول"),
        ("تشرين الأول", "تشرين أول", "تشرين الاول"),
        ("تشرين الثاني", "تشرين ثاني"),
        ("كانون الأول", "كانون أول", "كانون الاول"),
    ),
    # Tunisia and Algeria (French-derived).
    "maghrebi": (
        ("جانفي", "جانفيه"),
        ("فيفري", "فيفريه"),
        ("مارس",),
        ("أفريل", "افريل"),
        ("ماي",),
        ("جوان",),
        ("جويلية", "جويلة", "جويليه", "جوليت"),
        ("أوت", "اوت"),
        ("سبتمبر",),
        ("أكتوبر",),
        ("نوفمبر",),
        ("ديسمبر",),
    ),
    # Morocco.
    "moroccan": (
        ("يناير",),
        ("فبراير",),
        ("مارس",),
        ("أبريل",),
        ("ماي",),
        ("يونيو",),
        ("يوليوز",),
        ("غشت",),
        ("شتنبر",),
        ("أكتوبر",),
        ("نونبر",),
        ("دجنبر",),
    ),
}
"""Gregorian month names per regional set; index 0 is January."""

HIJRI_MONTHS: tuple[tuple[str, ...], ...] = (
    ("محرم", "المحرم"),
    ("صفر",),
    ("ربيع الأول", "ربيع أول", "ربيع الاول", "ربيع الأوّل"),
    ("ربيع الآخر", "ربيع الثاني", "ربيع آخر", "ربيع ثاني", "ربيع الأخر"),
    ("جمادى الأولى", "جمادى الأول", "جمادى أولى", "جمادى الاولى", "جماد الأول"),
    ("جمادى الآخرة", "جمادى الثانية", "جمادى الآخر", "جمادى الأخرة", "جمادى ثانية", "جماد الآخر"),
    ("رجب",),
    ("شعبان",),
    ("رمضان",),
    ("شوال",),
    ("ذو القعدة", "ذي القعدة", "ذا القعدة", "ذو القعده"),
    ("ذو الحجة", "ذي الحجة", "ذا الحجة"),
)
"""Hijri month names; index 0 is Muharram."""

HIJRI_EPITHETS = ("الحرام", "الخير", "المرجب", "الفرد", "المعظم", "المبارك", "الكريم", "المكرم")
"""Honorifics that may follow a Hijri month name ("رمضان المبارك")."""

WEEKDAYS: dict[str, int] = {
    "الاثنين": 0, "الإثنين": 0, "الأثنين": 0, "الاتنين": 0,
    "الثلاثاء": 1, "الثلاثا": 1,
    "الأربعاء": 2, "الاربعاء": 2, "الأربعا": 2,
    "الخميس": 3,
    "الجمعة": 4,
    "السبت": 5,
    "الأحد": 6, "الاحد": 6,
}  # fmt: skip
"""Weekday names (Monday = 0, as in :meth:`datetime.weekday`)."""

AMPM: dict[str, str] = {
    "ص": "am", "صباحا": "am", "صباحاً": "am", "صباح": "am", "صباحًا": "am", "فجرا": "am", "الفجر": "am",
    "am": "am", "a.m.": "am", "a.m": "am",
    "م": "pm", "مساء": "pm", "مساءً": "pm", "مساءا": "pm", "مسا": "pm", "عصرا": "pm", "العصر": "pm",
    "pm": "pm", "p.m.": "pm", "p.m": "pm",
    "ظهرا": "noon", "ظهراً": "noon", "الظهر": "noon", "بعد الظهر": "pm",
    "ليلا": "night", "ليلاً": "night", "ليل": "night",
}  # fmt: skip
"""Words after a clock time: am/pm, noon (11 ظهرا = 11:00, 1 ظهرا = 13:00), night (12 ليلا = 00:00)."""

UPDATED_LABELS = (
    "آخر تحديث", "اخر تحديث", "أحدث تحديث", "آخر تعديل", "تم التحديث", "تم تحديثه", "تم التعديل",
    "تحديث", "التحديث", "محدث", "محدّث", "updated", "last updated", "last modified",
)  # fmt: skip
"""Labels that mark the date of the last update."""

PUBLISHED_LABELS = (
    "نشر في", "نُشر في", "نشر بتاريخ", "نشر يوم", "نشرت في", "نشر", "نُشر", "تم النشر", "تم النشر في",
    "تم نشره", "تم نشره في", "تم نشرها", "تم نشرها في", "نشر الخبر", "تاريخ الخبر", "أضيف في", "تاريخ الإضافة",
    "تاريخ النشر", "بتاريخ", "النشر", "published", "posted", "published on", "posted on",
)  # fmt: skip
"""Labels that mark the publication date."""

NEUTRAL_LABELS = ("التاريخ", "date")
"""Labels taken into the span that say nothing about which date it is (label=None)."""

TIME_ZONES: dict[str, str] = {
    "مكة المكرمة": "Asia/Riyadh", "مكة": "Asia/Riyadh", "السعودية": "Asia/Riyadh",
    "الرياض": "Asia/Riyadh", "جدة": "Asia/Riyadh",
    "القاهرة": "Africa/Cairo", "مصر": "Africa/Cairo",
    "بيروت": "Asia/Beirut", "لبنان": "Asia/Beirut",
    "دمشق": "Asia/Damascus", "سوريا": "Asia/Damascus", "سورية": "Asia/Damascus",
    "بغداد": "Asia/Baghdad", "العراق": "Asia/Baghdad",
    "الدوحة": "Asia/Qatar", "قطر": "Asia/Qatar",
    "الإمارات": "Asia/Dubai", "أبوظبي": "Asia/Dubai", "أبو ظبي": "Asia/Dubai", "دبي": "Asia/Dubai",
    "تونس": "Africa/Tunis",
    "الجزائر": "Africa/Algiers",
    "المغرب": "Africa/Casablanca", "الرباط": "Africa/Casablanca", "الدار البيضاء": "Africa/Casablanca",
    "القدس": "Asia/Jerusalem",
    "عمّان": "Asia/Amman", "الأردن": "Asia/Amman",
    "الكويت": "Asia/Kuwait",
    "البحرين": "Asia/Bahrain", "المنامة": "Asia/Bahrain",
    "مسقط": "Asia/Muscat", "سلطنة عمان": "Asia/Muscat",
    "صنعاء": "Asia/Aden", "اليمن": "Asia/Aden", "عدن": "Asia/Aden",
    "الخرطوم": "Africa/Khartoum", "السودان": "Africa/Khartoum",
    "ليبيا": "Africa/Tripoli",
    "نواكشوط": "Africa/Nouakchott", "موريتانيا": "Africa/Nouakchott",
    "غزة": "Asia/Gaza", "فلسطين": "Asia/Gaza",
    "أنقرة": "Europe/Istanbul", "إسطنبول": "Europe/Istanbul", "تركيا": "Europe/Istanbul",
    "طهران": "Asia/Tehran", "إيران": "Asia/Tehran",
    "لندن": "Europe/London", "باريس": "Europe/Paris", "موسكو": "Europe/Moscow",
    "واشنطن": "America/New_York", "نيويورك": "America/New_York",
    "غرينتش": "UTC", "جرينتش": "UTC", "غرنتش": "UTC", "غرينيتش": "UTC", "العالمي": "UTC",
    "المحلي": "",  # "local time": the page's own zone, i.e. default_tz
}  # fmt: skip
"""Zone names after بتوقيت/توقيت → IANA key ("" = local time of the page)."""

UTC_WORDS = ("gmt", "utc", "غرينتش", "جرينتش", "غرنتش", "غرينيتش", "ت.غ", "ت غ", "ت. غ")
"""Words for UTC/GMT that may carry a numeric offset ("GMT+3", "+3 غرينتش")."""

RELATIVE_UNITS: dict[str, tuple[str, int | None]] = {
    # word: (unit, count when the word stands alone: 1 singular, 2 dual, None plural)
    "ثانية": ("seconds", 1), "ثانيتين": ("seconds", 2), "ثانيتان": ("seconds", 2),
    "ثوان": ("seconds", None), "ثواني": ("seconds", None), "ثوانٍ": ("seconds", None),
    "دقيقة": ("minutes", 1), "دقيقتين": ("minutes", 2), "دقيقتان": ("minutes", 2), "دقائق": ("minutes", None),
    "ساعة": ("hours", 1), "ساعتين": ("hours", 2), "ساعتان": ("hours", 2), "ساعات": ("hours", None),
    "يوم": ("days", 1), "يومين": ("days", 2), "يومان": ("days", 2), "أيام": ("days", None),
    "أسبوع": ("weeks", 1), "أسبوعين": ("weeks", 2), "أسبوعان": ("weeks", 2), "أسابيع": ("weeks", None),
}  # fmt: skip
"""Units of "منذ 3 ساعات" / "قبل دقيقتين"."""

RELATIVE_FRACTIONS: dict[str, timedelta] = {
    "نصف ساعة": timedelta(minutes=30),
    "ربع ساعة": timedelta(minutes=15),
    "لحظات": timedelta(0),
    "قليل": timedelta(0),
}
"""Fixed amounts after منذ/قبل ("منذ نصف ساعة", "منذ لحظات")."""

NUMBER_WORDS: dict[str, int] = {
    "واحد": 1, "واحدة": 1, "اثنين": 2, "اثنتين": 2, "ثلاث": 3, "ثلاثة": 3, "أربع": 4, "أربعة": 4,
    "خمس": 5, "خمسة": 5, "ست": 6, "ستة": 6, "سبع": 7, "سبعة": 7, "ثماني": 8, "ثمان": 8, "ثمانية": 8,
    "تسع": 9, "تسعة": 9, "عشر": 10, "عشرة": 10,
}  # fmt: skip
"""Number words before a relative unit ("منذ ثلاث ساعات")."""

RELATIVE_DAYS: dict[str, int] = {
    "اليوم": 0, "الآن": 0, "الان": 0,
    "أمس": -1, "الأمس": -1, "يوم أمس": -1, "البارحة": -1,
    "أول أمس": -2, "أول من أمس": -2, "أمس الأول": -2,
}  # fmt: skip
"""Day words: offset in days from the fetch date ("الآن" is the fetch time itself)."""

GREGORIAN_YEAR_MARKS = ("م", "ميلادي", "ميلادية")
HIJRI_YEAR_MARKS = ("هـ", "ه", "هجري", "هجرية", "هـ.")
YEAR_WORDS = ("عام", "سنة", "لعام", "لسنة", "العام")
CONNECTORS = ("الموافق", "الموافق لـ", "الموافق ل", "الموافق ليوم", "و", "م")
"""Words allowed between a Hijri and a Gregorian date of the same day in :func:`parse_date`."""

NUMERIC_YEARS = (1800, 2200)
"""Gregorian years accepted in all-numeric dates (keeps phone numbers out)."""
HIJRI_NUMERIC_YEARS = (1343, 1500)
"""A numeric date with a year in this range and no marker is Hijri (the Umm al-Qura table range)."""
TEXT_YEARS = (1000, 2999)
"""Gregorian years accepted after a month name."""
FUTURE_SLACK = timedelta(days=2)
"""A date without a year may lie at most this far after ``now`` (time zones, scheduled posts)."""

# --------------------------------------------------------------------------------------------
# Folding. The scanned text only loses marks (diacritics, tatweel, bidi and zero-width
# controls), so offsets map back cheaply; letter variants are absorbed by the patterns instead
# (every table word is compiled to a character-class pattern that accepts all its spellings).
# --------------------------------------------------------------------------------------------

_DELETED = chars.DIACRITICS + chars.TATWEEL + chars.BIDI_CONTROLS + chars.ZERO_WIDTH
_DELETE_RE = re.compile("[" + "".join(re.escape(c) for c in _DELETED) + "]")
_SPACE_CHARS = " " + "".join(c for c in chars.SPACES if c not in "\v\f")


def _one_to_one(*maps: dict[str, str]) -> dict[int, str]:
    table: dict[int, str] = {}
    for mapping in maps:
        table.update({ord(k): v for k, v in mapping.items() if len(k) == 1 and len(v) == 1})
    return table


_FOLD_TABLE = _one_to_one(
    chars.ALEF_VARIANTS,
    chars.YEH_VARIANTS,
    chars.TEH_MARBUTA,
    chars.HAMZA_CARRIERS,
    chars.PERSIAN_LETTERS,
    chars.PUNCTUATION,
    {c: " " for c in _SPACE_CHARS},
    {"ڤ": "ف", "پ": "ب", "گ": "ك", "：": ":", "／": "/"},
    {chr(c): chr(c + 32) for c in range(ord("A"), ord("Z") + 1)},
)


def _fold(text: str) -> str:
    """Matching key of a short string: marks gone, letter variants folded, digits ASCII, one space."""
    return " ".join(ascii_digits(_DELETE_RE.sub("", text)).translate(_FOLD_TABLE).split())


def _int(text: str) -> int:
    return int(ascii_digits(text))


class _Stripped:
    """The text without marks, and the map from its offsets back to the original's."""

    __slots__ = ("_gaps", "norm", "original")

    def __init__(self, text: str) -> None:
        self.original = text
        self.norm = _DELETE_RE.sub("", text)
        self._gaps: list[int] | None = None  # built on first use: most texts hold no date

    def _deleted(self) -> list[int]:
        """Stripped-text position of every deleted character."""
        if self._gaps is None:
            self._gaps = [m.start() - i for i, m in enumerate(_DELETE_RE.finditer(self.original))]
        return self._gaps

    def start(self, pos: int) -> int:
        """Original offset of the character at stripped offset ``pos``."""
        if len(self.norm) == len(self.original):
            return pos
        return pos + bisect.bisect_right(self._deleted(), pos)

    def end(self, pos: int) -> int:
        """Original end offset for stripped end ``pos`` (marks of the last letter included)."""
        if len(self.norm) == len(self.original) or pos == 0:
            return pos
        return pos + bisect.bisect_right(self._deleted(), pos)


# --------------------------------------------------------------------------------------------
# Regular expressions, built from the tables once.
# --------------------------------------------------------------------------------------------


def _variant_classes() -> dict[str, str]:
    spellings: dict[str, set[str]] = {}
    for source, target in _FOLD_TABLE.items():
        if target:
            spellings.setdefault(target, {target}).add(chr(source))
    for i in range(10):
        spellings.setdefault(str(i), {str(i)}).update({chr(0x0660 + i), chr(0x06F0 + i)})
    return {k: "[" + "".join(re.escape(c) for c in sorted(v)) + "]" for k, v in spellings.items()}


_CLASSES = _variant_classes()
_S = "[" + re.escape(_SPACE_CHARS) + "]"
_D = "[0-9\u0660-\u0669\u06f0-\u06f9]"
_DASH_CHARS = "".join(
    re.escape(c) for c in "-" + "".join(k for k, v in chars.PUNCTUATION.items() if v == "-")
)
_DASH = f"[{_DASH_CHARS}]"
_SIGN = f"[+{_DASH_CHARS}]"
_COMMA = _CLASSES[","]
_COLON = _CLASSES[":"]
_SEP = f"(?:{_COMMA}|{_DASH}|[|@])"
_W = r"(?!\w)"  # end of word
_TRIM = set(_SPACE_CHARS + "\n,،|@-" + "".join(k for k, v in chars.PUNCTUATION.items() if v == "-"))


def _t(word: str) -> str:
    """Pattern matching ``word`` in every spelling that folds to the same key."""
    out = []
    for ch in _fold(word):
        if ch == " ":
            out.append(f"{_S}+")
        elif ch.isdigit():
            out.append(_CLASSES[ch])
        else:
            out.append(_CLASSES.get(ch, re.escape(ch)))
    return "".join(out)


def _alternation(names: Iterable[str]) -> str:
    """Longest-first alternation of ``names`` in all their spellings."""
    keys = {_fold(n) for n in names} - {""}
    return "|".join(_t(k) for k in sorted(keys, key=lambda s: (-len(s), s)))


def _drop_article_variants(name: str) -> list[str]:
    """'تشرين الأول' is also written 'تشرين أول'."""
    words = name.split()
    if len(words) == 2 and _fold(words[1]).startswith("ال"):
        return [name, f"{words[0]} {_fold(words[1])[2:]}"]
    return [name]


_MONTH_KEYS: dict[str, tuple[str, int]] = {}
for _region in GREGORIAN_MONTHS.values():
    for _num, _names in enumerate(_region, start=1):
        for _name in _names:
            for _variant in _drop_article_variants(_name):
                _MONTH_KEYS[_fold(_variant)] = ("gregorian", _num)
for _num, _names in enumerate(HIJRI_MONTHS, start=1):
    for _name in _names:
        for _variant in _drop_article_variants(_name):
            _MONTH_KEYS[_fold(_variant)] = ("hijri", _num)

_WEEKDAY_KEYS = {_fold(k): v for k, v in WEEKDAYS.items()}
_AMPM_KEYS = {_fold(k): v for k, v in AMPM.items()}
_ZONE_KEYS = {_fold(k): v for k, v in TIME_ZONES.items()}
_UNIT_KEYS = {_fold(k): v for k, v in RELATIVE_UNITS.items()}
_FRACTION_KEYS = {_fold(k): v for k, v in RELATIVE_FRACTIONS.items()}
_NUMBER_KEYS = {_fold(k): v for k, v in NUMBER_WORDS.items()}
_RELDAY_KEYS = {_fold(k): v for k, v in RELATIVE_DAYS.items()}
_HIJRI_MARK_KEYS = {_fold(k) for k in HIJRI_YEAR_MARKS}

_MONTH = _alternation(_MONTH_KEYS)
_WEEKDAY = _alternation(_WEEKDAY_KEYS)
_AMPM_ALL = _alternation(_AMPM_KEYS)
_AMPM_LONG = _alternation(k for k in _AMPM_KEYS if len(k) > 1)
_EPITHET = _alternation(HIJRI_EPITHETS)
_YEAR_WORD = _alternation(YEAR_WORDS)
_YEAR_MARK = _alternation((*GREGORIAN_YEAR_MARKS, *HIJRI_YEAR_MARKS))
_UTC_WORD = _alternation(UTC_WORDS)
_ZONE_NAME = _alternation(_ZONE_KEYS)
_UNIT = _alternation(_UNIT_KEYS)
_NUMBER_WORD = _alternation(_NUMBER_KEYS)
_FRACTION = _alternation(_FRACTION_KEYS)
_RELDAY = _alternation(_RELDAY_KEYS)
_UPDATED = _alternation(UPDATED_LABELS)
_PUBLISHED = _alternation(PUBLISHED_LABELS)
_NEUTRAL = _alternation(NEUTRAL_LABELS)
_CONNECTOR = _alternation(CONNECTORS)

_AT = _t("الساعة")
_DAYWORD = _t("يوم")
_MIN = f"(?!{_D}|{_COLON})"  # no more digits / clock parts

_LABEL = (
    rf"(?<!\w)(?:(?P<lu>{_UPDATED})|(?P<lp>{_PUBLISHED})|{_NEUTRAL}){_W}"
    rf"{_S}*(?:{_COLON}|{_DASH}|\|)?[\n{_SPACE_CHARS}]*"
    rf"(?:(?:{_t('في')}|{_DAYWORD}){_W}{_S}*)?"
)
_TIME = (
    rf"(?:(?<!\w)(?P<kw>{_AT}){_W}{_S}*)?(?<!{_D})(?:"
    rf"(?P<h>{_D}{{1,2}}){_COLON}(?P<mi>{_D}{{2}})"
    rf"(?:{_COLON}(?P<s>{_D}{{2}})(?:[.,\u066b](?P<fr>{_D}{{1,9}}))?)?(?!{_D})"
    rf"(?:{_S}*(?P<ap>{_AMPM_ALL})(?!\w|\.\w))?"
    rf"|(?(kw)(?P<h3>{_D}{{1,2}}){_MIN}(?:{_S}*(?P<ap3>{_AMPM_ALL})(?!\w|\.\w))?|(?!))"
    rf"|(?P<h2>{_D}{{1,2}}){_S}*(?P<ap2>{_AMPM_LONG}){_W})"
)
_ZONE_PREFIX = rf"(?:{_t('ب')}|{_t('حسب')}{_S}+|{_t('وفق')}{_S}+)?(?:{_t('ال')})?{_t('توقيت')}{_S}+"
_ZONE = (
    rf"(?P<zpar>\({_S}*)?(?:"
    rf"(?:{_ZONE_PREFIX})?(?:(?P<zoff1>{_SIGN}{_S}?{_D}{{1,2}}(?:{_COLON}?{_D}{{2}})?){_S}*)?"
    rf"(?P<zutc>{_UTC_WORD})(?!\w)(?:{_S}*(?P<zoff2>{_SIGN}{_S}?{_D}{{1,2}}(?:{_COLON}?{_D}{{2}})?)(?!{_D}))?"
    rf"|{_ZONE_PREFIX}(?:{_t('مدينة')}{_S}+)?(?P<zname>{_ZONE_NAME}){_W}"
    rf")(?(zpar){_S}*\))"
)
_TIME_SEP = (
    rf"(?:[tT]|{_S}*{_SEP}?{_S}*(?:(?:{_t('على')}|{_t('في')}|{_t('عند')}){_W}{_S}*)?"
    rf"(?:{_t('تمام')}{_W}{_S}*)?)"
)
_OFFSET = rf"(?:{_S}*(?P<off>{_SIGN}{_D}{{2}}(?:{_COLON}?{_D}{{2}})?)(?!{_D})|(?P<zulu>[zZ])(?!\w))"
_NUM_BEFORE = rf"(?<![\w+/.:{_DASH_CHARS}])"
_NUM_AFTER = rf"(?!{_D}|[/.{_DASH_CHARS}]{_D})"
_NUM_MARK = rf"(?:{_S}*(?P<{{0}}>{_YEAR_MARK})(?!\w|\.\w))?"

_CORE_RE = re.compile(
    # "17 أبريل 2025", "17 نيسان/أبريل 2025", "19 شوال 1446 هـ", "الخميس 17 نيسان" (year optional)
    rf"(?P<TXT>(?<!\w)(?P<td>{_D}{{1,2}}){_S}*\.?{_S}*(?:{_t('من')}{_S}+)?(?:{_t('شهر')}{_S}+)?"
    rf"(?P<tm>{_MONTH}){_W}"
    rf"(?:{_S}*(?:/|\(|{_DASH}|{_COMMA})?{_S}*(?P<tm2>{_MONTH}){_W}{_S}*\)?)?"
    rf"(?:{_S}+(?:{_EPITHET}){_W})?"
    rf"(?:{_S}*{_COMMA}?{_S}*(?:{_t('من')}{_S}+)?(?:(?:{_YEAR_WORD}){_S}+)?(?P<ty>{_D}{{4}})(?!{_D})"
    rf"{_NUM_MARK.format('tmark')})?)"
    # 17/04/2025, 17-4-2025, 17.04.2025 (day first)
    rf"|(?P<DMY>{_NUM_BEFORE}(?P<nd>{_D}{{1,2}})(?P<ns>[/.{_DASH_CHARS}])(?P<nm>{_D}{{1,2}})(?P=ns)"
    rf"(?P<ny>{_D}{{4}}){_NUM_AFTER}{_NUM_MARK.format('nmark')})"
    # 2025/04/17, 2025-04-17
    rf"|(?P<YMD>{_NUM_BEFORE}(?P<iy>{_D}{{4}})(?P<is>[/.{_DASH_CHARS}])(?P<im>{_D}{{1,2}})(?P=is)"
    rf"(?P<id>{_D}{{1,2}}){_NUM_AFTER}{_NUM_MARK.format('imark')})"
    # منذ 3 ساعات, قبل دقيقتين, منذ نصف ساعة
    rf"|(?P<AGO>(?<!\w)(?:{_t('منذ')}|{_t('قبل')}){_S}+(?:(?:{_t('حوالي')}|{_t('نحو')}){_S}+)?(?:"
    rf"(?P<an>{_D}{{1,3}}|{_NUMBER_WORD}){_S}*(?P<au>{_UNIT})"
    rf"|(?P<au1>{_UNIT})(?!{_S}+(?:{_WEEKDAY}|{_D}))"
    rf"|(?P<afr>{_FRACTION})){_W})"
    # أمس, اليوم, الآن, أول أمس — but not "اليوم 17 أبريل" (a prefix of an absolute date)
    rf"|(?P<DAY>(?<!\w)(?P<rd>{_RELDAY}){_W}"
    rf"(?!(?:{_S}|{_SEP})*(?:{_DAYWORD}{_S}+)?(?:(?:{_WEEKDAY})(?:{_S}|{_SEP})*)?"
    rf"{_D}{{1,4}}(?!{_D}|{_COLON}|{_S}*(?:{_AMPM_LONG}){_W})))"
)


def _common_spellings(word: str) -> set[str]:
    """Literal spellings of a folded word with the usual alef / yeh / teh-marbuta variants."""
    options = {"ا": "اأإآ", "ي": "يى", "ه": "هة"}
    out = [""]
    for ch in word:
        out = [o + c for o in out for c in options.get(ch, ch)]
    return set(out)


def _trie_pattern(words: Iterable[str]) -> str:
    """A regex matching any of ``words``, factored as a trie so every branch starts with a literal."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        if "" in node:
            return "(?:" + "|".join(branches) + ")?"
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return "|".join(re.escape(ch) + build(child) for ch, child in sorted(trie.items()) if ch)


# A character class and a trie of literals: the regex engine scans for them in C, so text
# without dates costs microseconds per kilobyte. _CORE_RE then runs only at these positions.
_ANCHOR_WORDS = {"منذ", "قبل"} | {k.split()[0] for k in RELATIVE_DAYS}
_DIGITS_RE = re.compile(f"{_D}+")
_WORD_ANCHOR_RE = re.compile(_trie_pattern(s for w in _ANCHOR_WORDS for s in _common_spellings(_fold(w))))
_LEFT_WINDOW = 120  # longest label + weekday + time + zone before a date
_LABEL_WINDOW = 40  # longest label before a relative date

_LEFT_ABS_RE = re.compile(
    rf"(?:{_LABEL})?"
    rf"(?:(?<!\w)(?:{_RELDAY}){_W}{_S}*{_SEP}?{_S}*)?"
    rf"(?:(?:{_TIME})(?:{_S}*(?:{_ZONE}))?{_S}*{_SEP}?{_S}*)?"
    rf"(?:(?<!\w)(?:(?:{_DAYWORD}{_S}+)?(?:{_WEEKDAY})|{_DAYWORD}){_W}{_S}*{_SEP}?{_S}*)?"
    r"\Z"
)
_LEFT_REL_RE = re.compile(rf"(?:{_LABEL})?\Z")
_RIGHT_ABS_RE = re.compile(rf"(?:{_TIME_SEP}(?:{_TIME}){_OFFSET}?)?(?:{_S}*{_COMMA}?{_S}*(?:{_ZONE}))?")
_RIGHT_DAY_RE = re.compile(
    rf"(?:{_S}*{_COMMA}?{_S}*(?:{_DAYWORD}{_S}+)?(?:{_WEEKDAY}){_W})?"
    rf"(?:{_TIME_SEP}(?:{_TIME}){_OFFSET}?)?(?:{_S}*{_COMMA}?{_S}*(?:{_ZONE}))?"
)
_FILLER_RE = re.compile(r"[\W_]*")
_CONNECTOR_RE = re.compile(rf"[\W_]*(?:(?:{_CONNECTOR}){_W}[\W_]*)*")

# --------------------------------------------------------------------------------------------
# Machine formats.
# --------------------------------------------------------------------------------------------

_ISO_RE = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[Tt ](?P<time>\d{2}:\d{2}(?::\d{2})?)(?:[.,](?P<frac>\d{1,9}))?)?"
    r" ?(?P<zone>[Zz]|[+-]\d{2}(?::?\d{2})?)?",
    re.ASCII,
)
_EN_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_EN_MONTH = (
    r"(?P<{0}>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_EN_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_EN_TIME = (
    r"(?:(?:,|\s+at|\s*-)?\s+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?"
    r"(?:\s*(?P<ap>[ap])\.?m\.?)?(?:\s*(?P<utc>gmt|utc|z)|\s*(?P<off>[+-]\d{2}:?\d{2}))?)?"
)
_RFC822_RE = re.compile(
    r"(?:[a-z]{3},?\s+)?\d{1,2}\s+[a-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}(?::\d{2})?\s*(?:[+-]\d{4}|[a-z]{1,5})?",
    re.IGNORECASE | re.ASCII,
)
_ENGLISH_RE = re.compile(
    rf"{_EN_WEEKDAY}(?:{_EN_MONTH.format('mon')}\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>\d{{4}})"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_EN_MONTH.format('mon2')},?\s+(?P<y2>\d{{4}})){_EN_TIME}",
    re.IGNORECASE | re.ASCII,
)


def _machine(text: str) -> tuple[datetime, bool] | None:
    """Parse a machine format; return (value, has_time) or None."""
    text = ascii_digits(text.strip())
    if not text or not text.isascii():
        return None
    try:
        m = _ISO_RE.fullmatch(text)
        if m:
            iso = m["date"]
            if m["time"]:
                iso += "T" + m["time"] + (f".{m['frac'][:6].ljust(6, '0')}" if m["frac"] else "")
            if m["zone"]:
                iso += "+00:00" if m["zone"] in "Zz" else m["zone"]
            return datetime.fromisoformat(iso), bool(m["time"])
        if _RFC822_RE.fullmatch(text):
            return email.utils.parsedate_to_datetime(text), True
        m = _ENGLISH_RE.fullmatch(text)
        if m is None:
            return None
        month = _EN_MONTHS[(m["mon"] or m["mon2"]).lower()[:3]]
        day, year = int(m["d1"] or m["d2"]), int(m["y1"] or m["y2"])
        if m["h"] is None:
            return datetime(year, month, day), False
        hour = int(m["h"])
        if m["ap"]:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if m["ap"].lower() == "p" else 0)
        tz: tzinfo | None = None
        if m["utc"]:
            tz = UTC
        elif m["off"]:
            tz = _fixed_offset(m["off"])
        return datetime(year, month, day, hour, int(m["mi"]), int(m["s"] or 0), tzinfo=tz), True
    except (ValueError, TypeError, IndexError, OverflowError):  # DateParseError is a ValueError
        return None


def parse_machine_date(text: str) -> datetime | None:
    """Parse ISO 8601, RFC 822/1123 or a common English date; None if ``text`` is none of these."""
    result = _machine(text)
    return result[0] if result else None


# --------------------------------------------------------------------------------------------
# Results.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParsedDate:
    """A date found in text: its value, what it carried, and where it was."""

    value: datetime
    has_time: bool
    calendar: str
    label: str | None
    start: int
    end: int

    def iso(self) -> str:
        """ISO 8601 text: the date alone when no time was given, else date-time (offset if aware)."""
        if not self.has_time:
            return self.value.date().isoformat()
        return self.value.isoformat(timespec="seconds")


@dataclass(slots=True)
class _Found:
    """One matched expression (stripped offsets), resolved to a ParsedDate or to an error."""

    start: int
    end: int
    parsed: ParsedDate | None
    error: str | None
    calendar: str
    bare: bool  # a lone day word (اليوم, أمس) without time or label: only parse_date takes it


_MONTH_NAMES_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def _fixed_offset(text: str) -> timezone:
    """'+03:00', '+0300', '+3', '- 2' → a fixed-offset zone."""
    raw = _fold(text).replace(" ", "").replace(":", "")
    sign = -1 if raw.startswith("-") else 1
    digits = raw.lstrip("+-")
    hours, minutes = (int(digits), 0) if len(digits) <= 2 else (int(digits[:-2]), int(digits[-2:]))
    if hours > 14 or minutes > 59:
        raise DateParseError(f"time-zone offset {text.strip()!r} is out of range")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


@lru_cache(maxsize=64)
def _zoneinfo(key: str) -> tzinfo:
    return UTC if key == "UTC" else ZoneInfo(key)


def _zone(g: dict[str, str | None]) -> tzinfo | None:
    """The zone named by the groups of an extension match, or None."""
    if g.get("off"):
        return _fixed_offset(g["off"] or "")
    if g.get("zulu"):
        return UTC
    if g.get("zname"):
        key = _ZONE_KEYS[_fold(g["zname"] or "")]
        return _zoneinfo(key) if key else None
    for name in ("zoff1", "zoff2"):
        if g.get(name):
            return _fixed_offset(g[name] or "")
    if g.get("zutc"):
        return UTC
    return None


def _clock(g: dict[str, str | None]) -> time | None:
    """The clock time held by the _TIME groups of a match, or None; impossible times raise."""
    raw_hour = g.get("h") or g.get("h3") or g.get("h2")
    if raw_hour is None:
        return None
    hour, minute, second = _int(raw_hour), _int(g.get("mi") or "0"), _int(g.get("s") or "0")
    micro = _int((g.get("fr") or "0")[:6].ljust(6, "0"))
    word = g.get("ap") or g.get("ap3") or g.get("ap2")
    if word and 0 < hour <= 12:
        kind = _AMPM_KEYS[_fold(word)]
        if kind == "am":
            hour = 0 if hour == 12 else hour
        elif kind == "pm":
            hour = hour if hour == 12 else hour + 12
        elif kind == "noon":
            hour = hour + 12 if hour <= 6 else hour
        elif kind == "night":
            hour = 0 if hour == 12 else (hour + 12 if hour >= 6 else hour)
    if hour > 23:
        raise DateParseError(f"hour {hour} is not a clock hour (0–23)")
    if minute > 59:
        raise DateParseError(f"minute {minute} is out of range (0–59)")
    if second > 59:
        raise DateParseError(f"second {second} is out of range (0–59)")
    return time(hour, minute, second, micro)


def _local_now(now: datetime, tz: tzinfo | None) -> datetime:
    """``now`` on the wall clock of ``tz`` (a naive ``now`` is taken as that wall clock)."""
    if tz is None:
        return now
    if now.tzinfo is None:
        return now.replace(tzinfo=tz)
    return now.astimezone(tz)


def _gregorian(year: int, month: int, day: int) -> date:
    if not 1 <= month <= 12:
        raise DateParseError(f"month {month} does not exist (1–12)")
    try:
        return date(year, month, day)
    except ValueError:
        raise DateParseError(f"day {day} does not exist in {_MONTH_NAMES_EN[month - 1]} {year}") from None


def _hijri(year: int, month: int, day: int) -> date:
    if not 1 <= month <= 12:
        raise DateParseError(f"Hijri month {month} does not exist (1–12)")
    try:
        g = Hijri(year, month, day).to_gregorian()
    except OverflowError:
        raise DateParseError(
            f"Hijri year {year} is outside the supported Umm al-Qura range (1343–1500 AH)"
        ) from None
    except ValueError as exc:
        raise DateParseError(f"Hijri date {day}/{month}/{year} does not exist: {exc}") from None
    return date(g.year, g.month, g.day)


def _infer_year(month: int, day: int, now: datetime | None) -> date:
    """The latest year in which month/day falls at most FUTURE_SLACK after ``now``."""
    if now is None:
        raise DateParseError(
            "a date without a year needs the page's fetch time (pass now=...) to infer the year"
        )
    if not 1 <= day <= 31:
        _gregorian(2000, month, day)  # raises with a precise message
    limit = now.date() + FUTURE_SLACK
    for year in range(now.year + 1, now.year - 9, -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= limit:
            return candidate
    raise DateParseError(f"day {day} does not exist in {_MONTH_NAMES_EN[month - 1]}")


def _absolute_date(m: re.Match[str], local: Callable[[], datetime | None]) -> tuple[date, str]:
    """The date and calendar of a TXT / DMY / YMD core match."""
    if m["TXT"] is not None:
        calendar, month = _MONTH_KEYS[_fold(m["tm"])]
        if m["tm2"] is not None and _MONTH_KEYS[_fold(m["tm2"])] != (calendar, month):
            raise DateParseError(f"the month names {m['tm']!r} and {m['tm2']!r} do not agree")
        day = _int(m["td"])
        mark = m["tmark"]
        if mark is not None and (_fold(mark) in _HIJRI_MARK_KEYS) != (calendar == "hijri"):
            raise DateParseError(f"the year mark {mark!r} does not fit the month {m['tm']!r}")
        if m["ty"] is None:
            if calendar == "hijri":
                raise DateParseError("a Hijri date needs its year (e.g. '19 شوال 1446 هـ')")
            return _infer_year(month, day, local()), "gregorian"
        year = _int(m["ty"])
        if calendar == "hijri":
            return _hijri(year, month, day), "hijri"
        if not TEXT_YEARS[0] <= year <= TEXT_YEARS[1]:
            raise DateParseError(f"year {year} is outside {TEXT_YEARS[0]}–{TEXT_YEARS[1]}")
        return _gregorian(year, month, day), "gregorian"
    if m["DMY"] is not None:
        day, month, year, mark = _int(m["nd"]), _int(m["nm"]), _int(m["ny"]), m["nmark"]
    else:
        day, month, year, mark = _int(m["id"]), _int(m["im"]), _int(m["iy"]), m["imark"]
    if mark is not None:
        hijri = _fold(mark) in _HIJRI_MARK_KEYS
    else:
        hijri = HIJRI_NUMERIC_YEARS[0] <= year <= HIJRI_NUMERIC_YEARS[1]
    if hijri:
        return _hijri(year, month, day), "hijri"
    if not NUMERIC_YEARS[0] <= year <= NUMERIC_YEARS[1]:
        raise DateParseError(f"year {year} is outside {NUMERIC_YEARS[0]}–{NUMERIC_YEARS[1]}")
    calendar = "gregorian"
    machine_like = (m["iy"] or "") + "-" + (m["im"] or "") + "-" + (m["id"] or "")
    if m["YMD"] is not None and m["is"] == "-" and machine_like.isascii() and len(machine_like) == 10:
        calendar = "iso"
    return _gregorian(year, month, day), calendar


def _relative(
    core: re.Match[str], clock: time | None, tz: tzinfo | None, label: str | None, now: datetime | None
) -> ParsedDate:
    """Resolve an AGO / DAY core against ``now``."""
    if now is None:
        raise DateParseError("a relative date needs the page's fetch time (pass now=...)")
    ref = _local_now(now, tz if tz is not None else now.tzinfo)
    if core["AGO"] is not None:
        if core["afr"]:
            delta, has_time = _FRACTION_KEYS[_fold(core["afr"])], True
        else:
            unit, alone = _UNIT_KEYS[_fold(core["au"] or core["au1"])]
            if core["an"]:
                amount = _fold(core["an"])
                count = int(amount) if amount.isdigit() else _NUMBER_KEYS[amount]
            elif alone is not None:
                count = alone
            else:
                raise DateParseError("a relative date needs an amount ('منذ 3 ساعات', not 'منذ ساعات')")
            delta, has_time = timedelta(**{unit: count}), unit in ("seconds", "minutes", "hours")
        when = ref - delta
        if has_time:
            return ParsedDate(when.replace(microsecond=0), True, "relative", label, 0, 0)
        return ParsedDate(datetime.combine(when.date(), time(0), when.tzinfo), False, "relative", label, 0, 0)
    word = _fold(core["rd"])
    if word == "الان" and clock is None:
        return ParsedDate(ref.replace(microsecond=0), True, "relative", label, 0, 0)
    day = ref.date() + timedelta(days=_RELDAY_KEYS[word])
    return ParsedDate(
        datetime.combine(day, clock or time(0), ref.tzinfo), clock is not None, "relative", label, 0, 0
    )


def _resolve(
    core: re.Match[str],
    exts: tuple[re.Match[str] | None, ...],
    label: str | None,
    now: datetime | None,
    default_tz: tzinfo | None,
) -> ParsedDate:
    """Turn one matched expression into a ParsedDate (offsets are filled in by the caller)."""
    clock: time | None = None
    zone: tzinfo | None = None
    for ext in exts:
        if ext is None or not ext.group(0):
            continue
        groups = ext.groupdict()
        clock = clock or _clock(groups)
        zone = zone or _zone(groups)
    tz = zone or default_tz
    try:
        if core["AGO"] is None and core["DAY"] is None:

            def local() -> datetime | None:
                return None if now is None else _local_now(now, tz)

            day, calendar = _absolute_date(core, local)
            value = datetime.combine(day, clock or time(0), tz)
            return ParsedDate(value, clock is not None, calendar, label, 0, 0)
        return _relative(core, clock, tz, label, now)
    except DateParseError:
        raise
    except (ValueError, OverflowError) as exc:
        raise DateParseError(f"cannot build this date: {exc}") from None


def _anchors(norm: str) -> list[int]:
    """Positions where a date expression may start: digit runs and the relative-date words."""
    starts = {m.start() for m in _DIGITS_RE.finditer(norm)}
    starts.update(m.start() for m in _WORD_ANCHOR_RE.finditer(norm))
    return sorted(starts)


def _scan(
    text: _Stripped, now: datetime | None, default_tz: tzinfo | None, *, keep_bare: bool
) -> list[_Found]:
    """Every date expression of the text, resolved or carrying its error."""
    norm = text.norm
    found: list[_Found] = []
    prev_end = 0
    for s in _anchors(norm):
        if s < prev_end:
            continue
        core = _CORE_RE.match(norm, s)
        if core is None:
            continue
        e = core.end()
        absolute = core["AGO"] is None and core["DAY"] is None
        right = None
        if absolute:
            right = _RIGHT_ABS_RE.match(norm, e)
            left = _LEFT_ABS_RE.search(norm, max(prev_end, s - _LEFT_WINDOW), s)
        else:
            if core["DAY"] is not None:
                right = _RIGHT_DAY_RE.match(norm, e)
            left = _LEFT_REL_RE.search(norm, max(prev_end, s - _LABEL_WINDOW), s)
        label = None
        if left is not None:
            label = "updated" if left["lu"] else "published" if left["lp"] else None
        bare = core["DAY"] is not None and label is None and not (right and _clock_groups(right))
        if bare and not keep_bare:
            continue
        start = left.start() if left else s
        end = right.end() if right else e
        while end > e and norm[end - 1] in _TRIM:  # never end a span on a separator
            end -= 1
        while start < s and norm[start] in _TRIM:
            start += 1
        try:
            parsed = _resolve(core, (right, left), label, now, default_tz)
            parsed = replace(parsed, start=text.start(start), end=text.end(end))
            found.append(_Found(start, end, parsed, None, parsed.calendar, bare))
        except DateParseError as exc:
            calendar = "relative" if not absolute else "gregorian"
            if core["TXT"] is not None and _MONTH_KEYS[_fold(core["tm"])][0] == "hijri":
                calendar = "hijri"
            found.append(_Found(start, end, None, str(exc), calendar, bare))
        prev_end = end
    return found


def _clock_groups(m: re.Match[str]) -> bool:
    g = m.groupdict()
    return bool(g.get("h") or g.get("h2") or g.get("h3"))


# --------------------------------------------------------------------------------------------
# Public API.
# --------------------------------------------------------------------------------------------


def find_dates(
    text: str, *, now: datetime | None = None, default_tz: tzinfo | None = None
) -> list[ParsedDate]:
    """Every date expression in free text, in order, with spans into ``text``."""
    if not text:
        return []
    stripped = _Stripped(text)
    return [f.parsed for f in _scan(stripped, now, default_tz, keep_bare=False) if f.parsed is not None]


def parse_date(text: str, *, now: datetime | None = None, default_tz: tzinfo | None = None) -> ParsedDate:
    """Parse a string that is one date expression; raise DateParseError saying what was not understood."""
    body = text.strip()
    if not body:
        raise DateParseError("an empty string is not a date")
    offset = len(text) - len(text.lstrip())
    machine = _machine(body) if body.isascii() else None
    if machine is not None:
        value, has_time = machine
        if value.tzinfo is None and default_tz is not None:
            value = value.replace(tzinfo=default_tz)
        return ParsedDate(value, has_time, "iso", None, offset, offset + len(body))
    stripped = _Stripped(text)
    found = _scan(stripped, now, default_tz, keep_bare=True)
    if not found:
        raise DateParseError(f"no date found in {text!r}")
    gaps = _gaps(stripped.norm, found)
    if len(found) == 1:
        _check_gaps(stripped, gaps, [])
        return _ok(found[0])
    calendars = [f.calendar for f in found]
    if len(found) == 2 and calendars.count("hijri") == 1:
        inner = [g for g in gaps if g[0] >= found[0].end and g[1] <= found[1].start]
        _check_gaps(stripped, [g for g in gaps if g not in inner], inner)
        hijri, other = (found[0], found[1]) if calendars[0] == "hijri" else (found[1], found[0])
        result = _ok(other)
        if result.label is None and hijri.parsed is not None and hijri.parsed.label is not None:
            result = replace(result, label=hijri.parsed.label)
        return result
    raise DateParseError(f"{text!r} holds {len(found)} date expressions, not one")


def _ok(found: _Found) -> ParsedDate:
    if found.parsed is None:
        raise DateParseError(found.error or "not a date")
    return found.parsed


def _gaps(norm: str, found: list[_Found]) -> list[tuple[int, int]]:
    """Stripped-text spans not covered by any found expression."""
    gaps: list[tuple[int, int]] = []
    pos = 0
    for f in found:
        if f.start > pos:
            gaps.append((pos, f.start))
        pos = max(pos, f.end)
    if pos < len(norm):
        gaps.append((pos, len(norm)))
    return gaps


def _check_gaps(text: _Stripped, outer: list[tuple[int, int]], inner: list[tuple[int, int]]) -> None:
    """Raise if text outside the expressions is more than punctuation (or a Hijri/Gregorian connector)."""
    for (a, b), pattern in [*((g, _FILLER_RE) for g in outer), *((g, _CONNECTOR_RE) for g in inner)]:
        if not pattern.fullmatch(text.norm, a, b):
            piece = text.original[text.start(a) : text.end(b)].strip()
            raise DateParseError(f"could not understand {piece!r} in {text.original!r}")


def date_to_iso(value: str | None, *, now: datetime | None = None) -> str | None:
    """ISO 8601 of a machine date (ISO, RFC 822) or an Arabic date string; None when it cannot be read."""
    if not value:
        return None
    dt = parse_machine_date(value)
    if dt is not None:
        return dt.isoformat()
    try:
        return parse_date(value, now=now).iso()
    except DateParseError:
        return None
