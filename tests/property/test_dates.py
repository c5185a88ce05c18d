"""Property tests (Hypothesis) for what tests/unit/test_dates.py checks by example."""

from __future__ import annotations

import contextlib
from datetime import date, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marsad.errors import DateParseError
from marsad.text.dates import (
    GREGORIAN_MONTHS,
    find_dates,
    parse_date,
)
from tests.unit.test_dates import _TOKENS, NOW, REGIONS, RIYADH, _dates


@given(day=_dates(), region=st.sampled_from(REGIONS), digits=st.sampled_from(["ascii", "arabic"]))
def test_round_trip_every_region(day: date, region: str, digits: str) -> None:
    name = GREGORIAN_MONTHS[region][day.month - 1][0]
    text = f"{day.day} {name} {day.year}"
    if digits == "arabic":
        text = text.translate({ord(str(i)): chr(0x0660 + i) for i in range(10)})
    parsed = parse_date(text)
    assert parsed.value == datetime(day.year, day.month, day.day)
    assert (parsed.start, parsed.end) == (0, len(text))


@given(st.text())
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_parse_date_raises_only_date_parse_error(text: str) -> None:
    with contextlib.suppress(DateParseError):
        parse_date(text, now=NOW)


@given(st.lists(st.sampled_from(_TOKENS), max_size=14).map("".join), st.sampled_from([None, NOW]))
@settings(max_examples=400)
def test_token_soup_never_crashes(text: str, now: datetime | None) -> None:
    for found in find_dates(text, now=now):
        assert 0 <= found.start < found.end <= len(text)
        found.iso()
    with contextlib.suppress(DateParseError):
        parse_date(text, now=now, default_tz=RIYADH)


@given(st.text(), st.sampled_from([None, NOW]))
def test_find_dates_never_raises(text: str, now: datetime | None) -> None:
    for found in find_dates(text, now=now):
        assert 0 <= found.start < found.end <= len(text)
