"""Publication times keep the page's own UTC offset, and every backend orders and filters them by their instant.

The four articles below sort one way as text and another in time: "2018-05-09T01:00:00+05:00" is later than
"2018-05-08T23:30:00+03:00" as text but earlier as an instant. Newest first in UTC: D, B, A, C. Also: the migration
that adds the UTC key (SQLite v10, PostgreSQL v11) fills it for the rows already there.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import psycopg
import pytest

from marsad.models import SearchFilters
from marsad.store import SQLiteStore, Store
from tests.factories import add, article

A = "2018-05-08T23:30:00+03:00"     # 20:30 UTC on the 8th
B = "2018-05-08T21:00:00+00:00"     # 21:00 UTC on the 8th
C = "2018-05-09T01:00:00+05:00"     # 20:00 UTC on the 8th: the local day is the 9th
D = "2018-05-09T02:00:00-04:00"     # 06:00 UTC on the 9th
UTC = {A: "2018-05-08T20:30:00+00:00", B: "2018-05-08T21:00:00+00:00", C: "2018-05-08T20:00:00+00:00",
       D: "2018-05-09T06:00:00+00:00"}


def _four(store: Store) -> dict[str, int]:
    ids = add(store, *(article(f"نص الخبر {name} عن قمة موسكو", title=f"خبر {name}", source="مثال",
                               published_at=when) for name, when in zip("ABCD", (A, B, C, D), strict=True)))
    return dict(zip("ABCD", ids, strict=True))


def _names(ids: dict[str, int], rows: list[dict[str, Any]]) -> str:
    back = {v: k for k, v in ids.items()}
    return "".join(back[int(r["id"])] for r in rows)


def test_lists_and_filters_follow_utc_and_keep_the_stored_offset(store: Store) -> None:
    ids = _four(store)
    total, rows = store.list_articles(SearchFilters(), limit=10)
    assert total == 4 and _names(ids, rows) == "DBAC"                      # as text it would be DCAB
    assert {r["published_at"] for r in rows} == {A, B, C, D}               # the JSON field is what the page said
    assert store.get_article(ids["C"])["published_at"] == C                # type: ignore[index]
    # until is inclusive on the UTC day: C (local day the 9th) was published on the 8th in UTC
    assert _names(ids, store.list_articles(SearchFilters(until="2018-05-08"), limit=10)[1]) == "BAC"
    assert _names(ids, store.list_articles(SearchFilters(since="2018-05-09"), limit=10)[1]) == "D"
    assert sorted(store.filter_article_ids(list(ids.values()), SearchFilters(until="2018-05-08"))) == sorted(
        [ids["A"], ids["B"], ids["C"]])


def test_first_last_latest_and_stats_are_by_instant(store: Store) -> None:
    _four(store)
    assert store.latest_published() == UTC[D]
    assert store.reader_counts()["latest_published"] == D
    summary = store.source_summary("مثال")
    assert summary is not None and (summary["first_published"], summary["last_published"]) == (C, D)
    (row,) = store.list_sources()
    assert (row["first_published"], row["last_published"]) == (C, D)
    stats = store.stats()
    assert stats["with_date"] == 4 and stats["date_range"] == [C, D]       # as text: [A, D]


def test_story_members_timeline_and_cluster_order_are_by_instant(store: Store) -> None:
    ids = _four(store)
    with store.transaction():
        for aid in ids.values():
            store.set_story(aid, 1)
        store.refresh_stories([1], {1: ids["A"]}, active_since=None)
    story = store.get_story(1)
    assert story is not None
    assert _names(ids, story["members"]) == "CABD"                          # oldest first
    assert (story["first_seen"], story["last_updated"]) == (UTC[C], UTC[D])
    assert _names(ids, list(store.iter_cluster_rows())) == "CABD"
    assert _names(ids, list(store.iter_cluster_rows(since="2018-05-08T20:45:00+00:00"))) == "BD"
    with store.transaction():
        store.set_duplicate(ids["A"], ids["D"], "near:0.9")
        store.set_duplicate(ids["C"], ids["D"], "near:0.9")
    assert _names(ids, store.duplicate_group(ids["D"])) == "DCA"            # canonical, then copies oldest first


def test_an_update_moves_the_key_with_the_date_and_keeps_it_without_one(store: Store) -> None:
    ids = _four(store)
    later = article("نص الخبر C بعد التحديث عن قمة موسكو", title="خبر C", source="مثال",
                    published_at="2018-05-09T12:00:00+03:00")              # 09:00 UTC on the 9th: now the newest
    with store.transaction():
        store.update_article(ids["C"], later)
    assert _names(ids, store.list_articles(SearchFilters(), limit=10)[1]) == "CDBA"
    undated = article("نص الخبر C مرة ثالثة عن قمة موسكو", title="خبر C", source="مثال", published_at=None)
    with store.transaction():
        store.update_article(ids["C"], undated)                             # no date given: the stored one stays
    assert _names(ids, store.list_articles(SearchFilters(), limit=10)[1]) == "CDBA"


# -- migrations ---------------------------------------------------------------------------------------

def test_a_v9_sqlite_store_gets_the_key_for_its_rows(tmp_path: Path) -> None:
    from marsad.store.sqlite import MIGRATIONS, SCHEMA_VERSION, _split_sql

    path = tmp_path / "v9.db"
    con = sqlite3.connect(path)
    con.create_function("marsad_fts", 3, lambda *a: "", deterministic=True)
    for script in MIGRATIONS[:9]:
        for statement in _split_sql(script):
            con.execute(statement)
    con.execute("PRAGMA user_version = 9")
    for i, when in enumerate((A, B, C, D, None, "not a date"), start=1):
        con.execute("INSERT INTO articles(identity, title, text, published_at, content_hash, created_at, "
                    "modified_at) VALUES (?, 'عنوان', 'نص', ?, ?, 'now', 'now')", (f"hash:{i}", when, f"h{i}"))
    con.commit()
    con.close()
    store = SQLiteStore(path)
    try:
        assert SCHEMA_VERSION == 10 and store.stats()["schema_version"] == 10
        keys = dict(store.conn.execute("SELECT id, published_utc FROM articles").fetchall())
        assert keys == {1: UTC[A], 2: UTC[B], 3: UTC[C], 4: UTC[D], 5: None, 6: None}
        assert [r["id"] for r in store.list_articles(SearchFilters(), limit=10)[1]][:4] == [4, 2, 1, 3]
        assert store.get_article(3)["published_at"] == C                    # type: ignore[index]
    finally:
        store.close()


def test_a_v10_postgres_store_gets_the_key_for_its_rows(pg_dsn: str) -> None:
    from marsad.store.postgres import MIGRATIONS, SCHEMA_VERSION, PostgresStore
    from marsad.store.postgres.schema import BOOKKEEPING

    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(BOOKKEEPING)                                           # type: ignore[arg-type]
        for script in MIGRATIONS[:10]:
            conn.execute(script)                                            # type: ignore[arg-type]
        conn.execute("UPDATE marsad_schema SET version = 10")
        for i, when in enumerate((A, B, C, D, None, "not a date"), start=1):
            conn.execute("INSERT INTO articles(id, identity, title, text, published_at, content_hash, created_at, "
                         "modified_at) VALUES (%s, %s, 'عنوان', 'نص', %s, %s, 'now', 'now')",
                         (i, f"hash:{i}", when, f"h{i}"))
    store = PostgresStore(pg_dsn)
    try:
        assert SCHEMA_VERSION == 11 and store.stats()["schema_version"] == 11
        with psycopg.connect(pg_dsn) as conn:
            keys = dict(conn.execute("SELECT id, published_utc FROM articles").fetchall())   # type: ignore[arg-type]
        assert keys == {1: UTC[A], 2: UTC[B], 3: UTC[C], 4: UTC[D], 5: None, 6: None}
        assert [r["id"] for r in store.list_articles(SearchFilters(), limit=10)[1]][:4] == [4, 2, 1, 3]
        assert store.get_article(3)["published_at"] == C                    # type: ignore[index]
    finally:
        store.close()


@pytest.mark.parametrize("value", [A, B, C, D, "2018-05-08", "2018-05-08T10:00:00"])
def test_the_key_is_the_instant_in_utc(value: str) -> None:
    from datetime import UTC as TZ_UTC
    from datetime import datetime

    from marsad.times import utc_iso

    key = utc_iso(value)
    assert key is not None and key.endswith("+00:00") and len(key) == 25
    parsed = datetime.fromisoformat(value)
    want = parsed.replace(tzinfo=TZ_UTC) if parsed.tzinfo is None else parsed
    assert datetime.fromisoformat(key) == want
