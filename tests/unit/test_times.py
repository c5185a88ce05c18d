"""The one time helper: ISO in and out, naive taken as UTC, offsets kept until converted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from marsad import times


def test_parse_keeps_the_offset_and_naive_stays_naive() -> None:
    riyadh = times.parse_iso("2025-04-17T05:02:00+03:00")
    assert riyadh is not None and riyadh.utcoffset() == timedelta(hours=3)
    assert times.parse_iso("2025-04-17T05:02:00Z") == datetime(2025, 4, 17, 5, 2, tzinfo=UTC)
    naive = times.parse_iso("2025-04-17")
    assert naive == datetime(2025, 4, 17) and naive.tzinfo is None
    assert times.parse_iso("") is None and times.parse_iso("17 نيسان") is None and times.parse_iso(None) is None


def test_utc_conversions_and_epoch_round_trip() -> None:
    assert times.utc_iso("2025-04-17T01:30:00+03:00") == "2025-04-16T22:30:00+00:00"
    assert times.utc_iso("2025-04-17T01:30:00") == "2025-04-17T01:30:00+00:00"
    ts = times.timestamp("2018-05-08T10:00:00+02:00")
    assert ts == datetime(2018, 5, 8, 8, tzinfo=UTC).timestamp()
    assert times.from_timestamp(ts) == "2018-05-08T08:00:00+00:00"
    assert times.timestamp("not a date") is None and times.from_timestamp(None) is None
    plus3 = timezone(timedelta(hours=3))
    assert times.as_utc(datetime(2020, 1, 1, 3, tzinfo=plus3)) == datetime(2020, 1, 1, tzinfo=UTC)


def test_now_is_aware_utc_to_the_second() -> None:
    stamp = times.now_iso()
    parsed = times.parse_iso(stamp)
    assert parsed is not None and parsed.utcoffset() == timedelta(0) and parsed.microsecond == 0


def test_the_calendar_edges_never_raise() -> None:
    """A feed's .NET minimum date or a far-future one must not crash clustering or related (they read times)."""
    for edge in ("0001-01-01T00:00:00+03:00", "9999-12-31T23:59:59-05:00"):
        assert isinstance(times.timestamp(edge), float)
        assert times.parse_utc(edge) is None and times.utc_iso(edge) is None
