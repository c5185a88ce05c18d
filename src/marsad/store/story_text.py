"""What both backends compute the same way for a story row: the hourly bucket of a time and the lead summary."""

from __future__ import annotations

from marsad.times import parse_utc


def hour_bucket(ts: str | None) -> str | None:
    """UTC hour bucket ``YYYY-MM-DDTHH`` of an ISO timestamp (naive taken as UTC)."""
    dt = parse_utc(ts)
    return dt.strftime("%Y-%m-%dT%H") if dt is not None else None


def lead(text: str, limit: int = 320) -> str:
    """The first sentence(s) of a text up to ``limit`` characters: an extractive summary."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    for mark in (". ", "، ", " "):
        pos = cut.rfind(mark)
        if pos > limit // 2:
            return cut[:pos + 1].strip() + ("…" if mark != ". " else "")
    return cut + "…"
