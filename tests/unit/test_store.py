"""What only the SQLite store does: WAL and foreign keys, migrations, the schema guard, clear errors on open.

The behaviour every backend shares (articles with history, transactions, entities, stories, search, feeds, ...)
is the store contract in tests/store/, run against each backend."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from marsad.errors import SchemaError, StoreError
from marsad.models import Article
from marsad.store.sqlite import SCHEMA_VERSION, SQLiteStore


def _article(text: str = "نص الخبر الأول عن كوريا الشمالية", **kw: object) -> Article:
    art = Article(url="https://example.com/a", source="مثال", title="عنوان", text=text, **kw)  # type: ignore[arg-type]
    art.content_hash = "h-" + str(abs(hash(text)))
    return art


def test_new_store_is_migrated_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "m.db")
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    store.close()


def test_old_schema_is_migrated_in_place_without_losing_data(tmp_path: Path) -> None:
    from marsad.store.sqlite import MIGRATIONS, _split_sql

    path = tmp_path / "v1.db"
    con = sqlite3.connect(path)
    for statement in _split_sql(MIGRATIONS[0]):
        con.execute(statement)
    con.execute("PRAGMA user_version = 1")
    con.execute("INSERT INTO articles(identity, title, text, content_hash, created_at, modified_at) "
                "VALUES ('hash:x', 'عنوان', 'نص محفوظ', 'x', 'now', 'now')")
    con.commit()
    con.close()
    store = SQLiteStore(path)
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert store.get_article(1)["text"] == "نص محفوظ"  # type: ignore[index]
    assert store.list_feeds() == []


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    SQLiteStore(path).close()
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    con.close()
    with pytest.raises(SchemaError, match="newer than this Marsad"):
        SQLiteStore(path)


def test_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    with pytest.raises(SchemaError, match="not a Marsad store"):
        SQLiteStore(path)


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is not sqlite" * 100)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="cannot open the store"):
        SQLiteStore(path)
    assert path.read_bytes() == before


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        SQLiteStore(tmp_path / "nope" / "m.db")


def test_readonly_open_of_missing_store_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="marsad ingest"):
        SQLiteStore(tmp_path / "absent.db", readonly=True)


def test_processes_opening_a_new_store_at_once_migrate_it_once(tmp_path: Path) -> None:
    """Two `marsad ingest` started together on a new file: one creates the schema, the other waits and finds it."""
    import subprocess
    import sys

    db = tmp_path / "new.db"
    code = "import sys; from marsad.store import open_store; open_store(sys.argv[1]).close()"
    procs = [subprocess.Popen([sys.executable, "-c", code, str(db)], stderr=subprocess.PIPE, text=True)
             for _ in range(6)]
    errors = [p.communicate(timeout=60)[1] for p in procs]
    assert all(p.returncode == 0 for p in procs), errors
    store = SQLiteStore(db)
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    store.close()
