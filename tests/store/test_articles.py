"""ArticleStore, Transactional and MaintenanceStore: raw inputs, articles with history, runs, outcomes, batches."""

from __future__ import annotations

import pytest

from marsad.errors import StoreError
from marsad.store import SQLiteStore, Store
from marsad.store.rows import HIT_FIELDS
from tests.factories import add, article


def test_insert_find_update_keeps_history(store: Store) -> None:
    with store.transaction():
        store.put_raw("s1", b"raw bytes", kind="text", ref="r", url=None, media_type=None, fetched_at=None)
        first = article(raw_sha256="s1")
        aid = store.insert_article(first, identity="url:x", duplicate_of=None)
    found = store.find_by_identity("url:x")
    assert found is not None and (found.id, found.content_hash, found.title) == (aid, first.content_hash, "عنوان")
    assert found.duplicate_of is None
    assert store.find_by_identity("url:y") is None
    assert not store.known_version(aid, first.content_hash)          # the current version is not in the history
    second = article("نص معدل للخبر", title="عنوان جديد")
    with store.transaction():
        store.update_article(aid, second)
    row = store.get_article(aid)
    assert row is not None
    assert (row["text"], row["title"], row["version"], row["content_hash"]) == (
        "نص معدل للخبر", "عنوان جديد", 2, second.content_hash)
    assert row["url"] is None and row["source"] == "مثال"             # kept where the update has none
    assert store.known_version(aid, first.content_hash)              # the replaced version is kept
    assert not store.known_version(aid, "h-never")
    assert store.find_by_identity("url:x").content_hash == second.content_hash  # type: ignore[union-attr]


def test_article_json_round_trip(store: Store) -> None:
    art = article(url="https://example.com/a", category="politics", keyphrases=("كوريا الشمالية",),
                  tags=["سياسة"], related_headlines=["خبر آخر"], origin={"feed": "f"}, author="كاتب",
                  entities=[{"text": "كوريا", "type": "LOC"}])
    (aid,) = add(store, art)
    row = store.get_article(aid)
    assert row is not None
    assert row["id"] == aid and row["url"] == "https://example.com/a" and row["author"] == "كاتب"
    assert row["category"] == {"label": "politics", "confidence": 0.9}
    assert row["keyphrases"] == [{"phrase": "كوريا الشمالية", "score": 1.0}]
    assert row["tags"] == ["سياسة"] and row["related_headlines"] == ["خبر آخر"] and row["origin"] == {"feed": "f"}
    assert row["entities"] == [{"text": "كوريا", "type": "LOC"}]
    assert row["title_derived"] is False and row["duplicate_of"] is None
    assert store.get_article(aid + 100) is None


def test_article_briefs_are_the_hit_fields_of_get_article(store: Store) -> None:
    a, b = add(store, article("نص الخبر الأول", url="https://example.com/a", title="العنوان الأول"),
               article("نص الخبر الثاني", title="العنوان الثاني"))
    briefs = store.article_briefs([b, a + b + 100, a])                # a missing id is left out
    assert sorted(briefs) == [a, b]
    for aid in (a, b):
        full = store.get_article(aid)
        assert full is not None
        assert briefs[aid] == {key: full[key] for key in HIT_FIELDS}  # no text unless asked
    with_text = store.article_briefs([a], text=True)
    assert with_text[a]["text"] == "نص الخبر الأول" and with_text[a]["url"] == "https://example.com/a"
    assert store.article_briefs([]) == {}


def test_find_by_content_hash_prefers_the_earliest_canonical(store: Store) -> None:
    same = article("نص واحد مكرر")
    a, b = add(store, same, article("نص واحد مكرر"))
    with store.transaction():
        store.set_duplicate(a, b, "exact")                  # the earlier row is now a copy of the later one
    found = store.find_by_content_hash(same.content_hash)
    assert found is not None and found.id == b and found.duplicate_of is None
    assert store.find_by_content_hash("h-none") is None


def test_iter_articles_reads_every_article_in_id_order(store: Store) -> None:
    ids = add(store, *(article(f"نص رقم {i}") for i in range(7)))
    assert [a["id"] for a in store.iter_articles(batch=3)] == ids
    assert [a["text"] for a in store.iter_articles(batch=3)] == [f"نص رقم {i}" for i in range(7)]


def test_raw_round_trip_is_idempotent(store: Store) -> None:
    data = "بايتات خام".encode() * 50
    with store.transaction():
        store.put_raw("abc", data, kind="html", ref="a.html", url="https://e.com", media_type="text/html",
                      fetched_at="2024-01-01T00:00:00")
        store.put_raw("abc", b"other bytes", kind="html", ref="b.html", url=None, media_type=None, fetched_at=None)
    assert store.get_raw("abc") == data                     # the first copy of a hash is kept
    assert store.get_raw("missing") is None
    assert store.stats()["raw_inputs"] == 1


def test_runs_and_outcomes(store: Store) -> None:
    run = store.start_run({"paths": ["a.jsonl"]})
    (aid,) = add(store, article())
    with store.transaction():
        store.log_outcome(run, ref="a.jsonl:1", outcome="stored", article_id=aid)
        store.log_outcome(run, ref="a.jsonl:2", outcome="rejected", reason_code="empty_text", message="no text",
                          raw_sha256="s2")
        store.log_outcome(run, ref="a.jsonl:3", outcome="rejected", reason_code="empty_text", message="no text")
    store.finish_run(run, {"stored": 1, "rejected": 2}, "ok")
    rejected = list(store.iter_rejections())
    assert [(r["run_id"], r["ref"], r["reason_code"], r["message"]) for r in rejected] == [
        (run, "a.jsonl:2", "empty_text", "no text"), (run, "a.jsonl:3", "empty_text", "no text")]
    assert rejected[0]["raw_sha256"] == "s2"
    stats = store.stats()
    assert stats["runs"] == 1 and stats["rejected_inputs"] == {"empty_text": 2} and stats["articles"] == 1
    assert store.start_run({}) == run + 1


def test_transaction_rolls_back_everything_on_error(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.insert_article(article(), identity="url:x", duplicate_of=None)
        store.put_raw("s", b"x", kind="text", ref="r", url=None, media_type=None, fetched_at=None)
        raise RuntimeError("boom")
    assert store.stats()["articles"] == 0 and store.get_raw("s") is None
    assert store.find_by_identity("url:x") is None


def test_a_failed_write_rolls_the_batch_back_as_a_store_error(store: Store) -> None:
    add(store, article())
    with pytest.raises(StoreError, match="rolled back"), store.transaction():
        store.insert_article(article("ب"), identity="url:y", duplicate_of=None)
        store.insert_article(article("ج"), identity="url:y", duplicate_of=None)  # the identity is taken
    assert store.stats()["articles"] == 1 and store.find_by_identity("url:y") is None


def test_links_to_missing_articles_are_refused(store: Store) -> None:
    with pytest.raises(StoreError), store.transaction():
        store.insert_article(article(), identity="url:x", duplicate_of=999)
    assert store.stats()["articles"] == 0


def test_an_inner_transaction_joins_the_outer_one(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        with store.transaction():
            store.insert_article(article(), identity="url:x", duplicate_of=None)
        raise RuntimeError("the outer batch fails after the inner one ended")
    assert store.stats()["articles"] == 0


def test_stats_and_integrity(store: Store) -> None:
    add(store, article("أ", source="bbc", language="ar"), article("ب", source="bbc", published_at=None),
        article("أ", source="cnn"), duplicate_of={3: 1})
    stats = store.stats()
    assert (stats["articles"], stats["unique_articles"], stats["exact_duplicates"]) == (3, 2, 1)
    assert stats["by_source"] == {"bbc": 2, "cnn": 1} and stats["with_date"] == 2
    assert store.integrity_check() == "ok"


def test_the_in_memory_store_is_a_whole_store(mem: SQLiteStore) -> None:
    (aid,) = add(mem, article())
    assert mem.get_article(aid)["text"] == "نص الخبر الأول عن كوريا الشمالية"  # type: ignore[index]
    assert mem.sidecar_path(".vectors") is None and mem.integrity_check() == "ok"
