"""Copy a whole store into another backend (``marsad copy``): table by table, resumable, checked at the end.

Rows move through the ``TableDump`` role only, so any two backends can be source and destination. Each table is
read from the source in primary-key order, ``batch`` rows at a time, and every batch commits on its own at the
destination. Because rows arrive in key order and a batch commits whole, an interrupted copy leaves the
destination holding a *prefix* of each table: running the copy again resumes after the largest key already
there, and nothing is loaded twice (``load_rows`` also skips a key already present).

**Refusing other data.** A destination that holds rows is accepted only when it looks like such a prefix of this
source: in every non-empty table its first row equals the source's first row (articles carry their identity
and creation time, so another store's rows differ), it has no more rows than the source and its largest key is
not past the source's. Anything else is refused before a row is written. A destination that slips through (the
source changed between runs) still fails the final check.

**Self-references.** A column that references its own table (``articles.duplicate_of``: a canonical can be a
later article) may point ahead in key order. It is loaded as None when it does, and set once the whole table is
there; a resumed copy sets them again (idempotent).

**The check.** After the copy the destination rebuilds its search index (derived, never copied), then every
table's row count and canonical checksum (``marsad.store.dump``) must equal the source's; otherwise
``StoreError`` names the tables that differ. Vector index files beside a store are derived too and not copied:
``marsad reindex --vectors`` builds them at the destination.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from marsad.errors import StoreError
from marsad.store.base import Store
from marsad.store.dump import TableSpec

DEFAULT_BATCH = 2000
VECTORS_NOTE = ("vector index files are not copied (derived from the stored embeddings): run "
                "`marsad reindex --vectors` on the destination for semantic search")


@dataclass(frozen=True)
class CopyProgress:
    """Where a copy is: the table, rows done in it and overall (rows already at the destination count as done)."""

    table: str
    table_done: int
    table_total: int
    done: int
    total: int


@dataclass
class TableReport:
    """One table: source rows, rows already at the destination when the copy started, rows copied now, and
    whether the final check found count and checksum equal."""

    table: str
    rows: int
    present: int = 0
    copied: int = 0
    checksum: str = ""
    ok: bool = False


@dataclass
class CopyReport:
    """What ``copy_store`` did: per-table counts, the rebuilt search index, time, notes for the user."""

    tables: list[TableReport]
    search_index: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=lambda: [VECTORS_NOTE])

    @property
    def resumed(self) -> bool:
        """True when the destination already held part of the copy."""
        return any(t.present for t in self.tables)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {"tables": [asdict(t) for t in self.tables], "rows": sum(t.rows for t in self.tables),
                "copied": sum(t.copied for t in self.tables), "resumed": self.resumed,
                "ok": all(t.ok for t in self.tables), "search_index": self.search_index,
                "seconds": self.seconds, "notes": self.notes}


def copy_store(src: Store, dst: Store, *, batch: int = DEFAULT_BATCH,
               progress: Callable[[CopyProgress], None] | None = None) -> CopyReport:
    """Copy every table of ``src`` into ``dst`` (empty, or an interrupted copy of ``src``), rebuild the search
    index there and check counts and checksums; ``StoreError`` when the destination is refused or differs."""
    if batch < 1:
        raise ValueError(f"batch must be at least 1, not {batch}")
    started = time.perf_counter()
    specs = _common_tables(src, dst)
    reports = [TableReport(spec.name, src.table_count(spec.name)) for spec in specs]
    _refuse_other_data(src, dst, specs, reports)
    total = sum(r.rows for r in reports)
    done = 0
    for spec, report in zip(specs, reports, strict=True):
        report.present = dst.table_count(spec.name)
        done += report.present
        if progress:
            progress(CopyProgress(spec.name, report.present, report.rows, done, total))
        after = dst.last_key(spec.name)
        while rows := src.dump_rows(spec.name, after=after, batch=batch, columns=spec.columns):
            with dst.transaction():
                report.copied += dst.load_rows(spec.name, _hold_back(spec, rows))
            after = spec.key_of(rows[-1])
            done += len(rows)
            if progress:
                progress(CopyProgress(spec.name, report.present + report.copied, report.rows, done, total))
        if spec.deferred:
            _fill_deferred(src, dst, spec, batch)
    search_index = dst.rebuild_search_index()
    _check(src, dst, reports)
    return CopyReport(reports, search_index, round(time.perf_counter() - started, 3))


def _common_tables(src: Store, dst: Store) -> list[TableSpec]:
    """The destination's tables (its order is the one its foreign keys load in), refused unless the source has
    the same tables with the same keys and columns."""
    theirs = {spec.name: spec for spec in src.dump_tables()}
    ours = dst.dump_tables()
    problems = []
    for spec in ours:
        other = theirs.pop(spec.name, None)
        if other is None:
            problems.append(f"the source has no table {spec.name}")
        elif other.key != spec.key or set(other.columns) != set(spec.columns):
            problems.append(f"table {spec.name} differs (source columns {', '.join(other.columns)}; destination "
                            f"{', '.join(spec.columns)})")
    problems += [f"the destination has no table {name}" for name in theirs]
    if problems:
        raise StoreError("the source and destination schemas differ: " + "; ".join(problems)
                         + " (open both with the same Marsad version)")
    return ours


def _without_deferred(spec: TableSpec, row: Sequence[Any] | None) -> tuple[Any, ...] | None:
    if row is None:
        return None
    return tuple(v for c, v in zip(spec.columns, row, strict=True) if c not in spec.deferred)


def _refuse_other_data(src: Store, dst: Store, specs: list[TableSpec], reports: list[TableReport]) -> None:
    """``StoreError`` unless every table of ``dst`` is empty or looks like a prefix of the same table of ``src``."""
    for spec, report in zip(specs, reports, strict=True):
        present = dst.table_count(spec.name)
        if not present:
            continue
        first_dst = dst.dump_rows(spec.name, after=None, batch=1)
        first_src = src.dump_rows(spec.name, after=None, batch=1, columns=spec.columns)
        last_dst, last_src = dst.last_key(spec.name), src.last_key(spec.name)
        same_start = (_without_deferred(spec, first_dst[0] if first_dst else None)
                      == _without_deferred(spec, first_src[0] if first_src else None))
        if (not same_start or present > report.rows or last_src is None or last_dst is None
                or last_dst > last_src):
            raise StoreError(
                f"the destination already holds other data (table {spec.name}: {present} rows that are not a "
                "partial copy of this source); copy into a new, empty store (an interrupted copy resumes only "
                "from the same source)")


def _ahead(value: Any, key: tuple[Any, ...]) -> bool:
    """True when a self-reference may point past ``key`` (always for a composite key: it cannot be told)."""
    return value is not None and (len(key) != 1 or value > key[0])


def _hold_back(spec: TableSpec, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows with a self-reference ahead in key order set to None (``_fill_deferred`` sets it later)."""
    if not spec.deferred:
        return rows
    at = {spec.columns.index(c) for c in spec.deferred}
    out = []
    for row in rows:
        key = spec.key_of(row)
        out.append(tuple(None if i in at and _ahead(v, key) else v for i, v in enumerate(row)))
    return out


def _fill_deferred(src: Store, dst: Store, spec: TableSpec, batch: int) -> None:
    """Set the self-references ``_hold_back`` left out, once every row of the table is at the destination."""
    columns = (*spec.key, *spec.deferred)
    n = len(spec.key)
    after = None
    while rows := src.dump_rows(spec.name, after=after, batch=batch * 10, columns=columns):
        ahead = [row for row in rows if any(_ahead(v, tuple(row[:n])) for v in row[n:])]
        if ahead:
            with dst.transaction():
                dst.update_rows(spec.name, spec.deferred, ahead)
        after = tuple(rows[-1][:n])


def _check(src: Store, dst: Store, reports: list[TableReport]) -> None:
    """Counts and checksums equal in every table, else ``StoreError`` naming the tables that differ."""
    differ = []
    for report in reports:
        count, theirs = dst.table_count(report.table), src.table_count(report.table)
        report.checksum = dst.table_checksum(report.table)
        report.ok = count == theirs and report.checksum == src.table_checksum(report.table)
        if not report.ok:
            differ.append(f"{report.table} ({count} rows at the destination, {theirs} at the source)")
    if differ:
        raise StoreError("the copy differs from the source in " + ", ".join(differ)
                         + ": was the source written during the copy? run the copy again into a new, empty store")
