"""Title and date reconciliation: the value most witnesses agree on wins, the page's offset is kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from marsad.extraction.signals import (
    DateWitness,
    TitleWitness,
    choose_date,
    choose_title,
    strip_site_name,
    url_date,
)
from marsad.text.dates import find_dates

RIYADH = timezone(timedelta(hours=3))
HEADLINE = "المركزي المصري يثبت أسعار الفائدة"


def test_site_name_is_stripped_from_either_end() -> None:
    assert strip_site_name(f"{HEADLINE} | اليوم الجديد", {"اليوم الجديد"}) == HEADLINE
    assert strip_site_name(f"بوابة الشروق | {HEADLINE}", {"بوابة الشروق"}) == HEADLINE
    assert strip_site_name(f"تونس: {HEADLINE}", {"الصباح"}) == f"تونس: {HEADLINE}"


def test_a_title_that_is_only_the_site_name_never_wins() -> None:
    witnesses = [TitleWitness("title", "اليوم الجديد"), TitleWitness("h1", "اليوم الجديد")]
    assert choose_title(witnesses, {"اليوم الجديد"}) == ""
    witnesses.append(TitleWitness("og", HEADLINE))
    assert choose_title(witnesses, {"اليوم الجديد"}) == HEADLINE


def test_agreement_beats_a_single_louder_witness() -> None:
    witnesses = [TitleWitness("og", "عنوان ترويجي مختلف"), TitleWitness("h1", HEADLINE),
                 TitleWitness("title", f"{HEADLINE} - الموقع")]
    assert choose_title(witnesses, set()) == HEADLINE


def test_local_offset_wins_over_the_same_instant_in_utc() -> None:
    utc = DateWitness("meta", datetime(2024, 2, 29, 21, 30, tzinfo=UTC), True)
    local = DateWitness("jsonld", datetime(2024, 3, 1, 0, 30, tzinfo=RIYADH), True)
    dateline = DateWitness("dateline", datetime(2024, 3, 1), False)
    assert choose_date([utc, local, dateline]).iso() == "2024-03-01T00:30:00+03:00"
    assert choose_date([utc, local]).iso() == "2024-03-01T00:30:00+03:00"


def test_the_majority_day_wins_and_keeps_its_most_precise_form() -> None:
    wrong = DateWitness("htmldate", datetime(2025, 1, 1), False)
    line = DateWitness("dateline", datetime(2025, 4, 17, 10, 30), True)
    url = DateWitness("url", datetime(2025, 4, 17), False)
    assert choose_date([wrong, url, line]).iso() == "2025-04-17T10:30:00"
    assert choose_date([]) is None


def test_url_dates() -> None:
    assert url_date("https://x.example/ar/2019/07/14/story").value == datetime(2019, 7, 14)
    assert url_date("https://x.example/news/20190714/story").value == datetime(2019, 7, 14)
    assert url_date("https://x.example/story/4257711") is None
    assert url_date("https://x.example/2019/13/40/x") is None


def test_published_labels_of_levantine_and_egyptian_datelines() -> None:
    found = find_dates("كتب: رامي خوري | تم نشره في: الخميس 17 نيسان / أبريل 2025 - 10:30")
    assert [(d.iso(), d.label) for d in found] == [("2025-04-17T10:30:00", "published")]
    found = find_dates("نشر في: الأحد 12 مايو/أيار 2013 - 3:45 م | آخر تحديث: الأحد 12 مايو/أيار 2013 - 5:10 م")
    assert [(d.iso(), d.label) for d in found] == [("2013-05-12T15:45:00", "published"),
                                                   ("2013-05-12T17:10:00", "updated")]
