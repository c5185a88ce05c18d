"""SQLite side of ``marsad copy`` (mixed into ``SQLiteStore``): every table as plain rows, in key order.

Columns, keys and self-references are read from the schema itself (``PRAGMA table_info`` /
``foreign_key_list``), so a migration that adds a column is copied without a change here; a new table goes
into ``COPY_ORDER`` (``tests/store/test_dump.py`` fails until it does).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from marsad.errors import StoreError
from marsad.store.dump import COPY_ORDER, Checksum, Key, TableSpec
from marsad.store.rows import column_list as _cols
from marsad.store.rows import quote_ident as _q
from marsad.store.sqlite_common import SQLiteMixin


class SQLiteDump(SQLiteMixin):
    """Rows out and in by primary key, counts and canonical checksums (a mixin of ``SQLiteStore``)."""

    def dump_tables(self) -> list[TableSpec]:
        """``COPY_ORDER`` with each table's key, columns and self-referencing foreign keys."""
        return [self._table_spec(name) for name in COPY_ORDER]

    def _table_spec(self, table: str) -> TableSpec:
        if table not in COPY_ORDER:
            raise StoreError(f"{table!r} is not a table a copy moves (tables: {', '.join(COPY_ORDER)})")
        info = self.conn.execute(f"PRAGMA table_info({_q(table)})").fetchall()
        key = tuple(r["name"] for r in sorted((r for r in info if r["pk"]), key=lambda r: r["pk"]))
        rest = tuple(r["name"] for r in info if not r["pk"])
        deferred = tuple(r["from"] for r in self.conn.execute(f"PRAGMA foreign_key_list({_q(table)})")
                         if r["table"] == table)
        return TableSpec(table, key, key + rest, deferred)

    def dump_rows(self, table: str, *, after: Key | None, batch: int,
                  columns: Sequence[str] | None = None) -> list[tuple[Any, ...]]:
        """Up to ``batch`` rows after the key ``after``, in key order (a row-value comparison on the key index)."""
        spec = self._table_spec(table)
        wanted = tuple(columns) if columns is not None else spec.columns
        unknown = set(wanted) - set(spec.columns)
        if unknown:
            raise StoreError(f"table {table} has no column {', '.join(sorted(unknown))}")
        sql = f"SELECT {_cols(wanted)} FROM {_q(table)}"
        params: list[Any] = []
        if after is not None:
            sql += f" WHERE ({_cols(spec.key)}) > ({', '.join('?' * len(spec.key))})"
            params.extend(after)
        sql += f" ORDER BY {_cols(spec.key)} LIMIT ?"
        return [tuple(r) for r in self.conn.execute(sql, (*params, batch))]

    def last_key(self, table: str) -> Key | None:
        """The largest key of ``table``, or None when it is empty."""
        spec = self._table_spec(table)
        order = ", ".join(f"{_q(k)} DESC" for k in spec.key)
        row = self.conn.execute(f"SELECT {_cols(spec.key)} FROM {_q(table)} ORDER BY {order} LIMIT 1").fetchone()
        return tuple(row) if row else None

    def load_rows(self, table: str, rows: Sequence[Sequence[Any]]) -> int:
        """Insert rows, skipping keys already present (``ON CONFLICT DO NOTHING`` on the key alone, so any other
        broken constraint still fails); SQLite's integer keys need no sequence fix."""
        spec = self._table_spec(table)
        before = self.conn.total_changes
        self.conn.executemany(
            f"INSERT INTO {_q(table)} ({_cols(spec.columns)}) VALUES ({', '.join('?' * len(spec.columns))}) "
            f"ON CONFLICT ({_cols(spec.key)}) DO NOTHING", rows)
        return self.conn.total_changes - before

    def update_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Set ``columns`` of the rows keyed by each row's leading key values."""
        spec = self._table_spec(table)
        if not columns or set(columns) - set(spec.columns):
            raise StoreError(f"cannot update columns {list(columns)} of table {table}")
        sets = ", ".join(f"{_q(c)} = ?" for c in columns)
        where = " AND ".join(f"{_q(k)} = ?" for k in spec.key)
        n = len(spec.key)
        self.conn.executemany(f"UPDATE {_q(table)} SET {sets} WHERE {where}",
                              [(*row[n:], *row[:n]) for row in rows])

    def table_count(self, table: str) -> int:
        """Rows in ``table``."""
        self._table_spec(table)
        return int(self.conn.execute(f"SELECT count(*) FROM {_q(table)}").fetchone()[0])

    def table_checksum(self, table: str) -> str:
        """The canonical checksum, read through one cursor in key order (memory stays flat)."""
        spec = self._table_spec(table)
        checksum = Checksum(spec.columns)
        cursor = self.conn.execute(f"SELECT {_cols(spec.columns)} FROM {_q(table)} ORDER BY {_cols(spec.key)}")
        while rows := cursor.fetchmany(2000):
            checksum.update(rows)
        return checksum.hexdigest()
