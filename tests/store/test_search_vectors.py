"""SearchStore and VectorStore: lexical search over a ParsedQuery, the index kept in step, filters, embeddings."""

from __future__ import annotations

import numpy as np

from marsad.models import SearchFilters
from marsad.store import Store
from marsad.text.analyzer import parse_query
from tests.factories import add, article, features

PUTIN = "التقى الرئيس الروسي فلاديمير بوتين نظيره الكوري الشمالي كيم جونغ أون في فلاديفوستوك."
OIL = "ارتفعت أسعار النفط بعد قرار أوبك خفض الإنتاج، وقال الوزير إن المفاوضات مستمرة."


def _news(store: Store) -> list[int]:
    return add(store,
               article(PUTIN, title="بوتين يستقبل كيم", source="bbc", published_at="2018-04-25T08:00:00",
                       category="politics"),
               article(OIL, title="أسعار النفط ترتفع", source="skynews", published_at="2018-03-02T12:00:00",
                       category="economy"),
               article(PUTIN + " ", title="بوتين يستقبل كيم", source="cnn", published_at="2018-04-25T09:00:00",
                       category="politics"),
               duplicate_of={3: 1})


def _ids(store: Store, q: str, **kw: object) -> list[int]:
    return [i for i, _ in store.search_lexical(parse_query(q), k=10, **kw)]  # type: ignore[arg-type]


def test_lexical_search_through_a_parsed_query(store: Store) -> None:
    putin, oil, copy = _news(store)
    hits = store.search_lexical(parse_query("بوتين"), k=10, filters=SearchFilters())
    assert [i for i, _ in hits] == [putin] and hits[0][1] > 0                 # higher is better; copies left out
    assert _ids(store, "بوتين", filters=SearchFilters(include_duplicates=True)) == [putin, copy]
    assert _ids(store, "بوتين النفط", filters=SearchFilters()) == []          # every clause is required ...
    # ... or any: of the query's informative terms, here only the rarest (النفط: one article, بوتين: two)
    assert _ids(store, "بوتين النفط", filters=SearchFilters(), match_all=False) == [oil]
    assert _ids(store, "كيم", filters=SearchFilters(), match_all=False) == [putin]
    assert _ids(store, "المفاوضات", filters=SearchFilters()) == [oil]
    assert set(_ids(store, "النفط OR كيم", filters=SearchFilters())) == {putin, oil}
    assert _ids(store, "الرئيس -النفط", filters=SearchFilters()) == [putin]
    assert _ids(store, '"كيم جونغ أون"', filters=SearchFilters()) == [putin]
    assert _ids(store, '"أون جونغ كيم"', filters=SearchFilters()) == []      # a phrase keeps its order


def test_lexical_filters(store: Store) -> None:
    putin, oil, copy = _news(store)
    assert _ids(store, "الرئيس OR النفط", filters=SearchFilters(sources=("skynews",))) == [oil]
    assert _ids(store, "الرئيس OR النفط", filters=SearchFilters(category="politics")) == [putin]
    assert _ids(store, "الرئيس OR النفط", filters=SearchFilters(since="2018-04")) == [putin]
    assert _ids(store, "الرئيس OR النفط", filters=SearchFilters(until="2018-03")) == [oil]
    assert store.filter_article_ids([putin, oil, copy], SearchFilters()) == {putin, oil}
    assert store.filter_article_ids([putin, oil, copy], SearchFilters(include_duplicates=True,
                                                                      sources=("cnn",))) == {copy}
    assert store.filter_article_ids([], SearchFilters()) == set()
    assert sorted(store.filtered_article_ids(SearchFilters(), limit=None) or []) == [putin, oil]
    assert store.filtered_article_ids(SearchFilters(), limit=1) is None           # more than the limit
    assert store.filtered_article_ids(SearchFilters(category="economy"), limit=1) == [oil]


def test_the_index_follows_updates_and_rebuilds(store: Store) -> None:
    putin, oil, _ = _news(store)
    with store.transaction():
        store.update_article(oil, article("انخفضت أسعار الذهب في الأسواق العالمية.", title="الذهب"))
    assert _ids(store, "النفط", filters=SearchFilters()) == []                  # the old text is gone from the index
    assert _ids(store, "الذهب", filters=SearchFilters()) == [oil]
    summary = store.rebuild_search_index()
    assert summary["articles"] == 3 and summary["indexed"] == 3 and summary["seconds"] >= 0
    assert _ids(store, "الذهب", filters=SearchFilters()) == [oil] and _ids(store, "بوتين",
                                                                           filters=SearchFilters()) == [putin]


def test_embeddings_for_the_vector_index(store: Store) -> None:
    a, b, c, d = add(store, article("أ"), article("ب"), article("أ "), article("د"), duplicate_of={3: 1})
    with store.transaction():
        store.put_features(a, features([1.0, 0.0]))
        store.put_features(b, features([0.0, 1.0]))
        store.put_features(c, features([0.6, 0.8]))
        store.put_features(d, features([0.5, 0.5, 0.5], embedder="other"))
    assert store.embedder_counts() == {"use": 3, "other": 1}
    assert store.max_features_id() == d
    batches = list(store.iter_embeddings("use"))
    ids = np.concatenate([i for i, _ in batches])
    assert ids.tolist() == [a, b]                                                # copies left out
    assert batches[0][1].dtype == np.float16 and batches[0][1].shape == (2, 2)
    assert [i.tolist() for i, _ in store.iter_embeddings("use", duplicates=True)] == [[c]]
    assert np.concatenate([i for i, _ in store.iter_embeddings("use", duplicates=None, batch=1)]).tolist() == [a, b, c]
    assert np.concatenate([i for i, _ in store.iter_embeddings("use", after_id=a)]).tolist() == [b]
    got_ids, matrix = store.embeddings_of([d, c, a], "use")
    assert got_ids.tolist() == [a, c] and matrix.astype(np.float32).tolist() == [[1.0, 0.0],
                                                                                [np.float16(0.6), np.float16(0.8)]]
    none_ids, _ = store.embeddings_of([b], "other")
    assert none_ids.tolist() == []
