"""What a backend-neutral copy of a store moves: table descriptions and the canonical row checksum.

Every backend computes ``TableDump.table_checksum`` with ``Checksum`` over its rows in key order, so two backends
agree whenever they hand back the same Python values. The canonical form, value by value:

    None                      ``N``
    int (bool as 0 / 1)       ``i<len>:<decimal digits>``
    float                     ``f<len>:<repr(value)>``      (repr round-trips every float exactly)
    str                       ``s<len>:<the text>``
    bytes / bytearray / memoryview   ``b<len>:<lower-case hex>``

``<len>`` is the payload's length in characters, so no value can run into the next. A row is its values in
the order of its column *names*, sorted (a backend may keep its columns in another order), followed by ``\\n``;
the checksum is the SHA-256 hex digest of the rows' UTF-8 bytes in primary-key order. Key order is binary
order: SQLite's default; PostgreSQL orders text keys with ``COLLATE "C"``. Any other type is refused
(``TypeError``): values cross between backends as plain int, float, str, bytes or None, JSON as its text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

COPY_ORDER = ("raw_inputs", "articles", "article_history", "runs", "outcomes", "feeds", "feed_items", "entities",
              "entity_aliases", "article_entities", "stories", "article_features", "watchlists", "watch_matches",
              "alert_outbox", "delivery_attempts")
"""Every stored table, in an order in which foreign keys load (search indexes are derived, not copied)."""

Key = tuple[Any, ...]
"""A primary key's values, in the order of ``TableSpec.key``."""


@dataclass(frozen=True)
class TableSpec:
    """One copied table: its name, primary-key columns, every column (key columns first) and the columns that
    may reference a row of the same table later in key order (loaded as None, set once the table is full)."""

    name: str
    key: tuple[str, ...]
    columns: tuple[str, ...]
    deferred: tuple[str, ...] = ()

    def key_of(self, row: Sequence[Any]) -> Key:
        """The primary key of a row (key columns come first)."""
        return tuple(row[: len(self.key)])


def encode_value(value: Any) -> str:
    """One value in the canonical form of the module docstring."""
    if value is None:
        return "N"
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int):
        tag, payload = "i", str(value)
    elif isinstance(value, float):
        tag, payload = "f", repr(value)
    elif isinstance(value, str):
        tag, payload = "s", value
    elif isinstance(value, (bytes, bytearray, memoryview)):
        tag, payload = "b", bytes(value).hex()
    else:
        raise TypeError(f"a stored value of type {type(value).__name__} has no canonical form: a backend hands "
                        "back int, float, str, bytes or None")
    return f"{tag}{len(payload)}:{payload}"


class Checksum:
    """SHA-256 over rows in the canonical form; ``columns`` are the rows' columns in their order."""

    def __init__(self, columns: Sequence[str]) -> None:
        self._order = sorted(range(len(columns)), key=lambda i: columns[i])
        self._hash = hashlib.sha256()

    def update(self, rows: Iterable[Sequence[Any]]) -> None:
        """Add rows (in key order)."""
        for row in rows:
            self._hash.update(("".join(encode_value(row[i]) for i in self._order) + "\n").encode("utf-8"))

    def hexdigest(self) -> str:
        """The checksum so far."""
        return self._hash.hexdigest()
