"""The TableDump role on every backend: tables in load order, rows by key, loads that skip present keys, counts and
the canonical checksum; and a whole copy between two stores of the backend."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from marsad.errors import StoreError
from marsad.ingestion.copy import copy_store
from marsad.store import SQLiteStore, Store
from marsad.store.dump import Checksum, TableSpec, encode_value
from tests.factories import add, article, features

TABLES = ["raw_inputs", "articles", "article_history", "runs", "outcomes", "feeds", "feed_items", "entities",
          "entity_aliases", "article_entities", "stories", "article_features", "watchlists", "watch_matches",
          "alert_outbox", "delivery_attempts"]


def _fill(store: Store) -> list[int]:
    """A bit of everything: raw input, articles (one a later article's copy, one updated), run and outcome,
    entities with aliases, a story, features and a feed."""
    ids = add(store, *(article(f"نص الخبر رقم {i} عن كوريا الشمالية", title=f"عنوان {i}") for i in range(1, 7)))
    with store.transaction():
        store.put_raw("ab" * 32, "<html>خبر</html>".encode(), kind="html", ref="a.html", url=None,
                      media_type="text/html", fetched_at=None)
        store.make_canonical(ids[4], ids[0], "most_complete")    # ids[0] now points ahead, to ids[4]
        store.update_article(ids[1], article("نص جديد للخبر الثاني", title="عنوان 2"))
        eid = store.create_entity("LOC:كوريا", "LOC", "كوريا", aliases=["كوريا", "الشمالية"])
        store.replace_article_entities(ids[2], [(eid, "كوريا", 2), (eid, "الكورية", 1)])
        store.put_features(ids[3], features([0.5, 0.25, 1.0]))
        store.set_story(ids[3], 1)
        store.refresh_stories([1], {1: ids[3]}, active_since=None)
    run = store.start_run({"inputs": ["a.html"]})
    with store.transaction():
        store.log_outcome(run, ref="a.html", outcome="stored", article_id=ids[0])
    store.upsert_feed("https://example.com/rss", title="مثال", source="مثال", language="ar", interval=900.0)
    store.add_watchlist({"name": "كوريا", "query": "كوريا", "sources": ["مثال"], "webhook": "https://h.example/x",
                         "secret": "s"})
    with store.transaction():
        store.add_match("كوريا", ids[2], digest_window="2025-04-17")
        store.enqueue_alert(key="k", channel="webhook", watchlist="كوريا", target="https://h.example/x",
                            body='{"watchlist":"كوريا"}', article_id=ids[2])
    store.record_attempt(store.due_alerts("9999")[0]["id"], ok=False, status=503, error="HTTP 503", seconds=0.25,
                         next_attempt_at="2999-01-01T00:00:00+00:00")
    return ids


@pytest.fixture()
def other(backend: Callable[[Path], Store], tmp_path: Path) -> Iterator[Store]:
    """A second empty store of the backend under test."""
    folder = tmp_path / "other"
    folder.mkdir()
    s = backend(folder)
    yield s
    s.close()


def _specs(store: Store) -> dict[str, TableSpec]:
    return {spec.name: spec for spec in store.dump_tables()}


def test_tables_in_foreign_key_order_with_their_keys(store: Store) -> None:
    specs = _specs(store)
    assert list(specs) == TABLES
    assert specs["articles"].key == ("id",) and specs["articles"].deferred == ("duplicate_of",)
    assert specs["entity_aliases"].key == ("alias", "type", "entity_id")
    assert specs["article_entities"].key == ("article_id", "entity_id", "form")
    for spec in specs.values():
        assert spec.columns[: len(spec.key)] == spec.key and len(set(spec.columns)) == len(spec.columns)
    assert "embedding" in specs["article_features"].columns and "story_id" in specs["articles"].columns


def test_every_table_is_copied_but_the_search_index(store: Store) -> None:
    if isinstance(store, SQLiteStore):
        names = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {n for n in names if not n.startswith(("articles_fts", "sqlite_"))} == set(TABLES)
    else:                                     # PostgreSQL: its own bookkeeping tables are not store content
        names = {r["table_name"] for r in store._all(  # type: ignore[attr-defined]
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")}
        assert names - {"marsad_schema", "marsad_changes"} == set(TABLES)
        assert "search" not in next(s for s in store.dump_tables() if s.name == "articles").columns


def test_rows_page_by_key_and_load_into_another_store(store: Store, other: Store) -> None:
    _fill(store)
    for spec in store.dump_tables():
        everything = store.dump_rows(spec.name, after=None, batch=10_000)
        assert len(everything) == store.table_count(spec.name)
        paged, after = [], None
        while rows := store.dump_rows(spec.name, after=after, batch=2):
            paged += rows
            after = spec.key_of(rows[-1])
        assert paged == everything
        assert [spec.key_of(r) for r in paged] == sorted(spec.key_of(r) for r in paged)
        assert store.last_key(spec.name) == (spec.key_of(paged[-1]) if paged else None)
        for row in everything:
            assert all(v is None or type(v) in (int, float, str, bytes) for v in row), (spec.name, row)
    assert store.table_count("entity_aliases") == 2 and store.table_count("article_history") == 1
    report = copy_store(store, other, batch=2)
    assert all(t.ok for t in report.tables)
    for spec in store.dump_tables():
        assert other.dump_rows(spec.name, after=None, batch=10_000) == store.dump_rows(spec.name, after=None,
                                                                                      batch=10_000)
        assert other.table_checksum(spec.name) == store.table_checksum(spec.name)


def test_dump_rows_picks_columns_in_the_order_asked(store: Store) -> None:
    ids = _fill(store)
    rows = store.dump_rows("articles", after=None, batch=2, columns=["duplicate_of", "id"])
    assert rows == [(ids[4], ids[0]), (None, ids[1])]
    with pytest.raises(StoreError, match="no column"):
        store.dump_rows("articles", after=None, batch=2, columns=["nope"])
    with pytest.raises(StoreError, match="not a table"):
        store.dump_rows("articles_fts", after=None, batch=2)


def test_load_skips_present_keys_and_keeps_other_constraints(store: Store, other: Store) -> None:
    _fill(store)
    rows = store.dump_rows("entities", after=None, batch=100)
    with other.transaction():
        assert other.load_rows("entities", rows) == 1
    with other.transaction():
        assert other.load_rows("entities", rows) == 0
    assert other.table_count("entities") == 1
    clash = [(rows[0][0] + 1, *rows[0][1:])]           # another id, the same unique cid
    with pytest.raises(StoreError), other.transaction():
        other.load_rows("entities", clash)
    assert other.table_count("entities") == 1


def test_checksum_is_the_canonical_one_and_sees_one_changed_value(store: Store, other: Store) -> None:
    ids = _fill(store)
    for spec in store.dump_tables():
        expected = Checksum(spec.columns)
        expected.update(store.dump_rows(spec.name, after=None, batch=10_000))
        assert store.table_checksum(spec.name) == expected.hexdigest()
    assert store.table_checksum("article_history") != hashlib.sha256(b"").hexdigest()
    assert other.table_checksum("articles") == hashlib.sha256(b"").hexdigest()
    copy_store(store, other)
    before = other.table_checksum("articles")
    with other.transaction():
        other.update_rows("articles", ["title"], [(ids[2], "عنوان آخر")])
    assert other.table_checksum("articles") != before
    assert other.table_count("articles") == store.table_count("articles")


def test_update_rows_sets_columns_by_key(store: Store) -> None:
    ids = _fill(store)
    with store.transaction():
        store.update_rows("article_entities", ["mentions"], [(ids[2], 1, "كوريا", 7)])
    assert (ids[2], 1, "كوريا", 7) in store.dump_rows("article_entities", after=None, batch=10)


def test_canonical_values() -> None:
    assert [encode_value(v) for v in (None, 0, True, -12, 1.5, "", "كوريا", b"\x00\xff")] == [
        "N", "i1:0", "i1:1", "i3:-12", "f3:1.5", "s0:", "s5:كوريا", "b4:00ff"]
    assert encode_value(memoryview(b"\x01")) == encode_value(b"\x01") == "b2:01"
    with pytest.raises(TypeError, match="no canonical form"):
        encode_value(object())
    # values that could run into each other stay apart; column order is by name
    one, two = Checksum(["a", "b"]), Checksum(["a", "b"])
    one.update([("ab", "c")])
    two.update([("a", "bc")])
    assert one.hexdigest() != two.hexdigest()
    swapped = Checksum(["b", "a"])
    swapped.update([("c", "ab")])
    assert swapped.hexdigest() == one.hexdigest()
