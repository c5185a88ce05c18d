"""`marsad copy` / ``copy_store``: a store ingested from samples/ copied whole, resumed after an interruption,
refused over other data, checked at the end; and the SQLite -> PostgreSQL -> SQLite round trip."""

from __future__ import annotations

import json
import shutil
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import marsad
from marsad.cli import cli
from marsad.errors import StoreError
from marsad.ingestion.copy import CopyProgress, copy_store
from marsad.store import Store, open_store
from tests.factories import add, article

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def samples_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store made by ingesting samples/ with the default options (as tests/contracts does)."""
    db = tmp_path_factory.mktemp("samples") / "samples.db"
    result = CliRunner().invoke(cli, ["ingest", str(REPO / "samples"), "--db", str(db), "--no-progress"])
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture()
def src(samples_db: Path, tmp_path: Path) -> Any:
    """A read-only connection to a private copy of the samples store."""
    path = tmp_path / "src.db"
    shutil.copy(samples_db, path)
    store = open_store(path, readonly=True)
    yield store
    store.close()


def _export(db: str) -> dict[str, list[dict[str, Any]]]:
    runner = CliRunner()
    out = {}
    for what in ("articles", "rejections"):
        result = runner.invoke(cli, ["export", "--db", db, "--what", what, "--format", "jsonl"])
        assert result.exit_code == 0, result.output
        out[what] = [json.loads(line) for line in result.output.splitlines() if line.strip()]
    return out


def _checksums(store: Store) -> dict[str, tuple[int, str]]:
    return {s.name: (store.table_count(s.name), store.table_checksum(s.name)) for s in store.dump_tables()}


def _checksums_at(path: Path) -> dict[str, tuple[int, str]]:
    with closing(open_store(path, readonly=True)) as store:
        return _checksums(store)


def _same_stores(a: Store, b: Store) -> None:
    assert _checksums(a) == _checksums(b)


def test_cli_copy_gives_the_same_export_and_checksums(samples_db: Path, tmp_path: Path) -> None:
    dst = tmp_path / "copy.db"
    result = CliRunner().invoke(cli, ["copy", "--from", str(samples_db), "--to", f"sqlite:///{dst}",
                                      "--batch", "7", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "check: ok" in result.output and "marsad reindex --vectors" in result.output
    assert "articles" in result.output and "DIFFERS" not in result.output
    before, after = _export(str(samples_db)), _export(str(dst))
    assert len(before["articles"]) > 40 and before["rejections"]
    for what in before:
        assert len(after[what]) == len(before[what])
        for left, right in zip(before[what], after[what], strict=True):
            assert left.keys() == right.keys()
            for key in left:                    # field by field, wall-clock stamps included: a copy keeps them
                assert left[key] == right[key], (what, left.get("id"), key)
    assert _checksums_at(samples_db) == _checksums_at(dst)


def test_json_report_and_search_at_the_destination(src: Store, tmp_path: Path) -> None:
    dst = open_store(tmp_path / "copy.db")
    try:
        report = copy_store(src, dst).to_dict()
        assert report["ok"] and not report["resumed"] and report["copied"] == report["rows"]
        assert report["search_index"]["indexed"] == dst.table_count("articles")
        hits = marsad.search(dst, "كوريا الشمالية", k=5).hits
        assert hits and [h.id for h in hits] == [h.id for h in marsad.search(src, "كوريا الشمالية", k=5).hits]
    finally:
        dst.close()


def test_an_interrupted_copy_resumes_without_doubling(src: Store, tmp_path: Path) -> None:
    path = tmp_path / "copy.db"
    seen: list[CopyProgress] = []

    def stop_in_articles(at: CopyProgress) -> None:
        seen.append(at)
        if at.table == "articles" and at.table_done >= 10:
            raise KeyboardInterrupt

    dst = open_store(path)
    with pytest.raises(KeyboardInterrupt):
        copy_store(src, dst, batch=5, progress=stop_in_articles)
    dst.close()
    dst = open_store(path)                       # a new process, as after a kill
    try:
        assert dst.table_count("raw_inputs") == src.table_count("raw_inputs")
        assert dst.table_count("articles") == 10 and dst.table_count("outcomes") == 0
        report = copy_store(src, dst, batch=5)
        assert report.resumed
        by_table = {t.table: t for t in report.tables}
        assert by_table["articles"].present == 10
        assert by_table["articles"].copied == by_table["articles"].rows - 10
        assert by_table["raw_inputs"].copied == 0
        assert all(t.present + t.copied == t.rows and t.ok for t in report.tables)
        _same_stores(src, dst)
        again = copy_store(src, dst)                 # a finished copy run again: nothing to do, still checked
        assert sum(t.copied for t in again.tables) == 0
    finally:
        dst.close()
    assert seen[-1].done < seen[-1].total and seen[-1].total == sum(t.rows for t in report.tables)


def test_a_self_reference_ahead_survives_an_interruption(tmp_path: Path) -> None:
    src = open_store(tmp_path / "src.db")
    ids = add(src, *(article(f"نص {i}", title=f"عنوان {i}") for i in range(8)))
    with src.transaction():
        src.make_canonical(ids[6], ids[0], "most_complete")      # the first article points at the seventh
        src.make_canonical(ids[7], ids[6], "most_complete")
    dst = open_store(tmp_path / "dst.db")

    def stop(at: CopyProgress) -> None:
        if at.table == "articles" and at.table_done >= 4:
            raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        copy_store(src, dst, batch=2, progress=stop)
    assert dst.dump_rows("articles", after=None, batch=1, columns=["duplicate_of"]) == [(None,)]
    copy_store(src, dst, batch=2)
    assert dst.dump_rows("articles", after=None, batch=1, columns=["duplicate_of"]) == [(ids[7],)]
    _same_stores(src, dst)
    src.close()
    dst.close()


def test_a_destination_with_other_data_is_refused(src: Store, samples_db: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    result = CliRunner().invoke(cli, ["ingest", str(REPO / "samples" / "wire"), "--db", str(other), "--no-progress"])
    assert result.exit_code == 0, result.output
    before = _checksums_at(other)
    dst = open_store(other)
    with pytest.raises(StoreError, match="already holds other data"):
        copy_store(src, dst)
    dst.close()
    assert _checksums_at(other) == before          # nothing written
    result = CliRunner().invoke(cli, ["copy", "--from", str(samples_db), "--to", str(other), "--no-progress"])
    assert result.exit_code == 1 and "error: the destination already holds other data" in result.output


def test_the_check_names_a_table_that_differs(src: Store, tmp_path: Path) -> None:
    dst = open_store(tmp_path / "copy.db")
    try:
        copy_store(src, dst)
        last = dst.last_key("articles")
        assert last is not None
        with dst.transaction():
            dst.update_rows("articles", ["title"], [(*last, "عنوان مختلف")])
        with pytest.raises(StoreError, match=r"differs from the source in articles \(") as caught:
            copy_store(src, dst)
        assert "raw_inputs" not in str(caught.value)
    finally:
        dst.close()


def test_a_missing_source_fails_clearly(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["copy", "--from", str(tmp_path / "none.db"), "--to", str(tmp_path / "b.db")])
    assert result.exit_code == 1 and result.output.startswith("error: no store at")


def test_sqlite_to_postgresql_and_back(src: Store, samples_db: Path, pg_dsn: str, tmp_path: Path) -> None:
    pg = open_store(pg_dsn)
    back = open_store(tmp_path / "back.db")
    try:
        assert all(t.ok for t in copy_store(src, pg, batch=7).tables)
        assert all(t.ok for t in copy_store(pg, back, batch=7).tables)
        _same_stores(src, pg)
        _same_stores(src, back)
        on_pg = [h.id for h in marsad.search(pg, "كوريا الشمالية", k=5).hits]
        on_sqlite = [h.id for h in marsad.search(src, "كوريا الشمالية", k=5).hits]
        assert on_pg[0] == on_sqlite[0] and set(on_pg) == set(on_sqlite)   # scores differ by engine, not the hits
    finally:
        pg.close()
        back.close()
    before, after = _export(str(samples_db)), _export(str(tmp_path / "back.db"))
    assert before == after


def test_the_command_default_batch_is_the_library_one() -> None:
    from marsad.cli import copy as command
    from marsad.ingestion import copy as library

    assert command.DEFAULT_BATCH == library.DEFAULT_BATCH
