"""How the SQLite writer fills the search index: held to the end of a transaction, read back inside it, undone
with it, and fed the fields a worker analyzed (``marsad.text.analyzer.prime``) without changing what is indexed."""

from __future__ import annotations

import pytest

from marsad.models import SearchFilters
from marsad.text import analyzer
from marsad.text.analyzer import analyze_fields, index_title, parse_query
from tests.factories import add, article, memory_store


def _found(store, query: str) -> list[int]:
    return [i for i, _ in store.search_lexical(parse_query(query), k=10, filters=SearchFilters())]


def test_a_batch_is_one_index_segment_not_one_per_article() -> None:
    store = memory_store()
    # Writes between two index inserts (here the next article row) used to make FTS5 write a segment per article.
    add(store, *[article(f"خبر رقم {n} عن مفاوضات السلام في جنيف", title=f"عنوان {n}") for n in range(40)])
    segments = store.conn.execute("SELECT count(DISTINCT segid) FROM articles_fts_idx").fetchone()[0]
    assert segments == 1
    assert len(_found(store, "جنيف")) == 10


def test_search_inside_the_writing_transaction_sees_the_rows_held_back() -> None:
    store = memory_store()
    with store.transaction():
        store.insert_article(article("قمة في سنغافورة بين الزعيمين"), identity="hash:1", duplicate_of=None)
        assert _found(store, "سنغافورة") == [1]
        assert store.search_index_size()["indexed"] == 1


def test_a_rolled_back_batch_leaves_nothing_in_the_index() -> None:
    store = memory_store()
    with pytest.raises(RuntimeError), store.transaction():
        store.insert_article(article("زلزال يضرب تركيا"), identity="hash:1", duplicate_of=None)
        raise RuntimeError("the batch fails")
    assert store.search_index_size()["indexed"] == 0
    add(store, article("أمطار غزيرة في الرياض"))
    assert _found(store, "الرياض") == [1] and _found(store, "زلزال") == []


def test_an_update_in_the_same_transaction_replaces_the_held_back_row() -> None:
    store = memory_store()
    with store.transaction():
        store.insert_article(article("الفيضانات تغمر القرى"), identity="hash:1", duplicate_of=None)
        store.update_article(1, article("الجفاف يضرب المزارع"))
    assert _found(store, "الجفاف") == [1] and _found(store, "الفيضانات") == []
    assert store.search_index_size()["indexed"] == 1


def test_primed_fields_are_the_fields_the_store_would_compute() -> None:
    art = article("وزير الخارجية الأمريكي يصل إلى بيروت", title="زيارة مفاجئة")
    fields = analyze_fields(index_title(art), art.text)
    analyzer.prime(index_title(art), art.text, fields)
    assert analyzer.fields_for(index_title(art), art.text) is fields
    assert fields == tuple(analyzer.index_fields(index_title(art), art.text).values())
    primed, plain = memory_store(), memory_store()
    add(primed, art)
    analyzer._RECENT.clear()
    add(plain, art)
    assert (primed.conn.execute("SELECT * FROM articles_fts_docsize").fetchall()
            == plain.conn.execute("SELECT * FROM articles_fts_docsize").fetchall())
    assert _found(primed, "بيروت") == _found(plain, "بيروت") == [1]
