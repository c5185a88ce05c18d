"""PostgreSQL side of ``marsad copy`` (mixed into ``PostgresStore``): every table as plain rows, in key order.

The same tables and order as SQLite's (``dump.COPY_ORDER``); columns, keys and self-references are read from
the catalog, so a migration that adds a column is copied without a change here. The search vectors are derived
(rebuilt at the destination), so they are not copied columns. Ids follow SQLite's ``max(id) + 1`` rule here (no
sequences), so loading rows with their ids needs no sequence fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from marsad.errors import StoreError
from marsad.store.dump import COPY_ORDER, Checksum, Key, TableSpec
from marsad.store.postgres.common import PgMixin
from marsad.store.rows import column_list as _cols
from marsad.store.rows import quote_ident as _q

DERIVED = {"articles": ("search", "search_head")}
"""Columns rebuilt at the destination rather than copied."""


class PgDump(PgMixin):
    """Rows out and in by primary key, counts and canonical checksums (a mixin of ``PostgresStore``)."""

    def dump_tables(self) -> list[TableSpec]:
        """``COPY_ORDER`` with each table's key, columns and self-referencing foreign keys."""
        return [self._table_spec(name) for name in COPY_ORDER]

    def _table_spec(self, table: str) -> TableSpec:
        if table not in COPY_ORDER:
            raise StoreError(f"{table!r} is not a table a copy moves (tables: {', '.join(COPY_ORDER)})")
        columns = [r["column_name"] for r in self._all(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = %s ORDER BY ordinal_position", (table,))
            if r["column_name"] not in DERIVED.get(table, ())]
        key = tuple(r["attname"] for r in self._all(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = %s::regclass AND i.indisprimary "
            "ORDER BY array_position(i.indkey::int[], a.attnum::int)", (table,)))
        deferred = tuple(r["column_name"] for r in self._all(
            "SELECT kcu.column_name FROM information_schema.table_constraints tc "
            "JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name "
            "AND kcu.table_schema = tc.table_schema "
            "JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name "
            "AND ccu.table_schema = tc.table_schema "
            "WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema() "
            "AND tc.table_name = %s AND ccu.table_name = %s ORDER BY kcu.column_name", (table, table)))
        rest = tuple(c for c in columns if c not in key)
        return TableSpec(table, key, key + rest, deferred)

    def dump_rows(self, table: str, *, after: Key | None, batch: int,
                  columns: Sequence[str] | None = None) -> list[tuple[Any, ...]]:
        """Up to ``batch`` rows after the key ``after``, in key order (a row comparison on the key index)."""
        spec = self._table_spec(table)
        wanted = tuple(columns) if columns is not None else spec.columns
        unknown = set(wanted) - set(spec.columns)
        if unknown:
            raise StoreError(f"table {table} has no column {', '.join(sorted(unknown))}")
        sql = f"SELECT {_cols(wanted)} FROM {_q(table)}"
        params: list[Any] = []
        if after is not None:
            sql += f" WHERE ({_cols(spec.key)}) > ({', '.join(['%s'] * len(spec.key))})"
            params.extend(after)
        sql += f" ORDER BY {_cols(spec.key)} LIMIT %s"
        return [tuple(r.values()) for r in self._all(sql, (*params, batch))]

    def last_key(self, table: str) -> Key | None:
        """The largest key of ``table``, or None when it is empty."""
        spec = self._table_spec(table)
        order = ", ".join(f"{_q(k)} DESC" for k in spec.key)
        row = self._one(f"SELECT {_cols(spec.key)} FROM {_q(table)} ORDER BY {order} LIMIT 1")
        return tuple(row.values()) if row else None

    def load_rows(self, table: str, rows: Sequence[Sequence[Any]]) -> int:
        """Insert rows, skipping keys already present (``ON CONFLICT DO NOTHING`` on the key alone); articles get
        their search vectors when the copy rebuilds the index."""
        spec = self._table_spec(table)
        if not rows:
            return 0
        sql = (f"INSERT INTO {_q(table)} ({_cols(spec.columns)}) VALUES ({', '.join(['%s'] * len(spec.columns))}) "
               f"ON CONFLICT ({_cols(spec.key)}) DO NOTHING")
        loaded = 0
        with self._write() as conn, conn.cursor() as cur:
            for row in rows:                            # one statement a row: its rowcount says whether it was new
                cur.execute(sql, row)
                loaded += cur.rowcount
        return loaded

    def update_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Set ``columns`` of the rows keyed by each row's leading key values."""
        spec = self._table_spec(table)
        if not columns or set(columns) - set(spec.columns):
            raise StoreError(f"cannot update columns {list(columns)} of table {table}")
        sets = ", ".join(f"{_q(c)} = %s" for c in columns)
        where = " AND ".join(f"{_q(k)} = %s" for k in spec.key)
        n = len(spec.key)
        with self._write() as conn, conn.cursor() as cur:
            cur.executemany(f"UPDATE {_q(table)} SET {sets} WHERE {where}", [(*row[n:], *row[:n]) for row in rows])

    def table_count(self, table: str) -> int:
        """Rows in ``table``."""
        self._table_spec(table)
        return int(self._value(f"SELECT count(*) FROM {_q(table)}") or 0)

    def table_checksum(self, table: str) -> str:
        """The canonical checksum, read in key order a page at a time (memory stays flat)."""
        spec = self._table_spec(table)
        checksum = Checksum(spec.columns)
        after: Key | None = None
        while rows := self.dump_rows(table, after=after, batch=2000):
            checksum.update(rows)
            after = spec.key_of(rows[-1])
        return checksum.hexdigest()
