"""What both backends compute the same way for a story row: the hourly bucket of a time and the lead summary."""

from __future__ import annotations

from datetime import UTC, datetime


def hour_bucket(ts: str | None) -> str | None:
    """UTC hour bucket ``YYYY-MM-DDTHH`` of an ISO timestamp."""
    if not ts:
        return None
    try:
        dt = datetime.fromisoformat(ts.replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H")


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
