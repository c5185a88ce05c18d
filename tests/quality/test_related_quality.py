"""Related-articles quality gate on real data: 30 ANT articles whose related lists were read and judged by hand.

The store is rebuilt here exactly as it was judged: the 2,550 ANT records of 1-14 May 2018 through the real
pipeline (enrichment, entity resolution, near-duplicates, stories, USE embeddings; 2 workers, about 90 s on
2 cores). Judgments: ``tests/quality/gold/related-judged.tsv`` (rules in ``README-related.md``); an item
without a judgment counts as not relevant, so a change that alters the lists has to be judged again to keep
its credit. Measured (docs/benchmarks.md, `python bench/related_eval.py`): precision@10 0.652, duplicate rate
0.030, off-topic rate 0.318 for Marsad (0.627 / 0.028 / 0.345 without the "matter" rule, which was designed on
these judgments: README-related.md); 0.314 / 0.093 / 0.593 for the title-as-keyword-query baseline. With the
judgments made before issue 19's name merging the same lists score 0.606 (6 new items unjudged); main before it
scored 0.659. The loss is one Lebanon article whose list went empty: merging clitic forms (ولبنان, للبنان) put
لبنان in 3.5% of the store's articles, past the 3% under which ``marsad.query.related`` counts an entity as
specific (README-related.md). Floors sit a little under the measurement. No timing is asserted (speed belongs to
bench/related_bench.py).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from bench.related_eval import (
    ANT,
    baseline_lists,
    build_store,
    judged_articles,
    load_judged,
    load_slice,
    marsad_lists,
    score,
)

from marsad.store.sqlite import SQLiteStore
from tests.conftest import need_file

pytestmark = pytest.mark.quality

PRECISION_FLOOR = 0.63   # measured 0.652 (docs/benchmarks.md)
DUPLICATE_CEILING = 0.05
OFF_TOPIC_CEILING = 0.34


@pytest.fixture(scope="module")
def store(data: Path) -> Iterator[SQLiteStore]:
    need_file(data / ANT, "the ANT multisource corpus")
    with tempfile.TemporaryDirectory() as tmp:
        built = build_store(load_slice(data), Path(tmp) / "related.db")
        try:
            yield built
        finally:
            built.close()


def test_judged_file_covers_thirty_articles_of_every_section() -> None:
    judged = load_judged()
    articles = judged_articles()
    assert len(articles) == 30
    assert {a.split("-")[0] for a in articles} == {"AL", "BB", "CN", "FR", "SK"}          # five outlets
    assert set(judged.values()) == {"relevant", "duplicate", "off-topic"}


def test_related_lists_beat_their_floors_and_the_keyword_baseline(store: SQLiteStore) -> None:
    judged, articles = load_judged(), judged_articles()
    ours = score(marsad_lists(store, articles), judged, "marsad")
    theirs = score(baseline_lists(store, articles), judged, "baseline")
    assert ours["shown"] >= 100, ours                        # not precision bought with empty lists
    assert ours["precision"] >= PRECISION_FLOOR, ours
    assert ours["duplicate_rate"] <= DUPLICATE_CEILING, ours
    assert ours["off_topic_rate"] <= OFF_TOPIC_CEILING, ours
    assert ours["precision"] >= theirs["precision"] + 0.2, (ours, theirs)
    assert ours["duplicate_rate"] < theirs["duplicate_rate"], (ours, theirs)


def test_no_list_shows_two_members_of_one_story_or_copy_group(store: SQLiteStore) -> None:
    from marsad.query.related import related

    rows = store.conn.execute("SELECT id, external_id, story_id, coalesce(duplicate_of, id) FROM articles").fetchall()
    ids = {r[1]: r[0] for r in rows}
    group = {r[0]: (r[2], r[3]) for r in rows}
    for docno in judged_articles():
        items = related(store, ids[docno]).items
        stories = [group[i.id][0] for i in items if group[i.id][0] is not None]
        copies = [group[i.id][1] for i in items]
        assert len(stories) == len(set(stories)) and len(copies) == len(set(copies)), docno
        own = group[ids[docno]]
        assert all(group[i.id][1] != own[1] for i in items), docno           # never the article or its copies


def test_display_names_on_a_fortnight_of_news_are_the_fullest_common_form(store: SQLiteStore) -> None:
    """Issue 19, item 3, on the store above (a real fortnight of five outlets, the whole pipeline): the names a
    reader expects, stated by hand, although the bare family name is written more often for most of them."""
    from marsad.text.names import name_key

    shown = {r["canonical_id"]: r for r in store.list_entities(type_="PERS", limit=40)}
    expected = ["دونالد ترامب", "كيم جونغ أون", "إيمانويل ماكرون", "رجب طيب أردوغان", "مايك بومبيو",
                "فلاديمير بوتين"]
    for name in expected:
        row = shown[f"PERS:{name_key(name)}"]
        assert row["canonical_name"] == name, (name, row["canonical_name"], row["variants"][:5])
    bare = [r for r in shown.values() if len(r["canonical_name"].split()) == 1
            and any(len(v["form"].split()) > 1 and v["count"] >= 0.05 * r["variants"][0]["count"]
                    for v in r["variants"])]
    assert not bare, [(r["canonical_name"], r["variants"][:3]) for r in bare]
