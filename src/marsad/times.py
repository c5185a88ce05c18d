"""Time, once: every stage reads and writes instants through these helpers.

Inside the program an instant is an aware ``datetime`` (or, in the clustering hot path, epoch seconds); strings
appear only at the edges (the store's columns, JSON, feeds), always ISO 8601. A naive time read at an edge is taken
as UTC, as the story timelines always did. Parsing Arabic date text is ``marsad.text.dates``' job, not this one's.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """The current instant in UTC."""
    return datetime.now(UTC)


def to_iso(dt: datetime) -> str:
    """ISO 8601 to the second, with the instant's own offset when it has one."""
    return dt.isoformat(timespec="seconds")


def now_iso() -> str:
    """The current instant as ISO 8601 UTC (the stamp of rows and runs)."""
    return to_iso(utc_now())


def parse_iso(value: str | None) -> datetime | None:
    """An ISO timestamp or date (``Z`` accepted) as a datetime, naive kept naive; None when absent or unreadable."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def as_utc(dt: datetime) -> datetime:
    """The instant in UTC; a naive time is taken as UTC."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def parse_utc(value: str | None) -> datetime | None:
    """``parse_iso`` then ``as_utc``: an aware UTC datetime, or None (also at the calendar's edges, where the
    conversion would leave year 1..9999)."""
    dt = parse_iso(value)
    try:
        return as_utc(dt) if dt is not None else None
    except OverflowError:
        return None


def timestamp(value: str | None) -> float | None:
    """Epoch seconds of an ISO timestamp (naive taken as UTC); None when absent or unreadable. Computed without
    converting to UTC first, so a stored ``0001-01-01T00:00:00+03:00`` (a .NET "no date") still has one."""
    dt = parse_iso(value)
    if dt is None:
        return None
    try:
        return (dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)).timestamp()
    except (OverflowError, ValueError):
        return None


def from_timestamp(ts: float | None) -> str | None:
    """Epoch seconds as ISO 8601 UTC, or None."""
    return to_iso(datetime.fromtimestamp(ts, UTC)) if ts is not None else None


def utc_iso(value: str | None) -> str | None:
    """An ISO timestamp normalized to UTC (``YYYY-MM-DDTHH:MM:SS+00:00``), or None when absent or unreadable."""
    dt = parse_utc(value)
    return to_iso(dt) if dt is not None else None
