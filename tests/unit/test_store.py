"""SQLite store: migrations, schema guard, atomic transactions, history on update, clear errors."""

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


def test_insert_find_update_keeps_history() -> None:
    store = SQLiteStore(":memory:")
    with store.transaction():
        store.put_raw("s1", b"raw", kind="text", ref="r", url=None, media_type=None, fetched_at=None)
        a = _article(raw_sha256="s1")
        aid = store.insert_article(a, identity="url:x", duplicate_of=None)
    found = store.find_by_identity("url:x")
    assert found is not None and found.id == aid and found.content_hash == a.content_hash
    b = _article("نص معدل للخبر")
    with store.transaction():
        store.update_article(aid, b)
    row = store.get_article(aid)
    assert row is not None and row["text"] == "نص معدل للخبر" and row["version"] == 2
    hist = store.conn.execute("SELECT version, text FROM article_history WHERE article_id = ?", (aid,)).fetchall()
    assert [tuple(h) for h in hist] == [(1, "نص الخبر الأول عن كوريا الشمالية")]
    assert store.get_raw("s1") == b"raw"


def test_transaction_rolls_back_everything_on_error() -> None:
    store = SQLiteStore(":memory:")
    with pytest.raises(RuntimeError), store.transaction():
        store.insert_article(_article(), identity="url:x", duplicate_of=None)
        raise RuntimeError("boom")
    assert store.stats()["articles"] == 0


def test_sqlite_error_inside_transaction_becomes_store_error() -> None:
    store = SQLiteStore(":memory:")
    with store.transaction():
        store.insert_article(_article(), identity="url:x", duplicate_of=None)
    with pytest.raises(StoreError, match="rolled back"), store.transaction():
        store.insert_article(_article("ب"), identity="url:y", duplicate_of=None)
        store.insert_article(_article("ج"), identity="url:x", duplicate_of=None)  # UNIQUE violation
    assert store.stats()["articles"] == 1


def test_foreign_keys_are_enforced() -> None:
    store = SQLiteStore(":memory:")
    with pytest.raises(StoreError), store.transaction():
        store.insert_article(_article(), identity="url:x", duplicate_of=999)


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
