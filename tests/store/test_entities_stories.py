"""EntityStore and StoryStore: entities with aliases and mentions, features, duplicate groups, stories."""

from __future__ import annotations

from marsad.store import Store
from tests.factories import add, article, features


def test_entities_aliases_and_mentions(store: Store) -> None:
    a, b, c = add(store, article("أ"), article("ب"), article("ج"))
    with store.transaction():
        putin = store.create_entity("PERS:فلاديميربوتين", "PERS", "فلاديميربوتين", aliases=["بوتين", "فلاديمير"])
        again = store.create_entity("PERS:فلاديميربوتين", "PERS", "فلاديميربوتين", latin="Putin", aliases=["بوتين"])
        other = store.create_entity("PERS:بوتينالاب", "PERS", "بوتينالاب", aliases=["بوتين"])
        moscow = store.create_entity("LOC:موسكو", "LOC", "موسكو")
        store.note_latin(putin, "Poutine")                                  # the first Latin form is kept
        store.replace_article_entities(a, [(putin, "بوتين", 3), (putin, "فلاديمير بوتين", 1), (moscow, "موسكو", 1)])
        store.replace_article_entities(b, [(putin, "بوتين", 2), (other, "بوتين الأب", 1)])
        store.replace_article_entities(c, [(moscow, "موسكو", 1)])
    assert again == putin and len({putin, other, moscow}) == 3
    assert store.entity_id("PERS:فلاديميربوتين") == putin and store.entity_id("PERS:غيره") is None
    assert store.alias_candidates("بوتين", "PERS") == [(putin, "PERS:فلاديميربوتين", 6), (other, "PERS:بوتينالاب", 1)]
    assert store.alias_candidates("بوتين", "LOC") == []
    # the display name is the fullest common form, not the bare name written more often (issue 19)
    assert store.entity_names({putin, moscow}) == {putin: ("PERS:فلاديميربوتين", "فلاديمير بوتين"),
                                                   moscow: ("LOC:موسكو", "موسكو")}
    assert store.cooccurring(putin) == {moscow, other}
    assert store.cooccurring(moscow, articles=1) == set()                   # its latest article names only it
    listed = store.list_entities()
    assert [e["canonical_id"] for e in listed] == ["PERS:فلاديميربوتين", "LOC:موسكو", "PERS:بوتينالاب"]
    assert listed[0] == {"canonical_id": "PERS:فلاديميربوتين", "canonical_name": "فلاديمير بوتين", "type": "PERS",
                         "latin": "Putin", "mentions": 6, "articles": 2,
                         "variants": [{"form": "بوتين", "count": 5}, {"form": "فلاديمير بوتين", "count": 1}]}
    assert [e["canonical_id"] for e in store.list_entities(type_="LOC")] == ["LOC:موسكو"]
    assert [e["canonical_id"] for e in store.list_entities(min_articles=2)] == ["PERS:فلاديميربوتين", "LOC:موسكو"]
    with store.transaction():
        store.replace_article_entities(a, [(moscow, "موسكو", 2)])           # replaces, not adds
        store.set_article_entities_json(a, [{"text": "موسكو", "canonical_id": "LOC:موسكو"}])
    assert store.list_entities(type_="LOC")[0]["mentions"] == 3
    assert store.get_article(a)["entities"] == [{"text": "موسكو", "canonical_id": "LOC:موسكو"}]  # type: ignore[index]


def test_entity_aliases_added_later_mention_counts_and_display_names(store: Store) -> None:
    a, b = add(store, article("أ"), article("ب"))
    with store.transaction():
        kim = store.create_entity("PERS:جمجنجن", "PERS", "جمجنجن", aliases=["=كيمجونغاون"])
        store.add_aliases(kim, "PERS", ["=كيمجونجاون", "=كيمجونغاون"])         # known ones are kept, not doubled
        store.add_aliases(kim, "ORG", ["=كيمجونغاون"])                         # a spelling the tagger typed ORG
        store.replace_article_entities(a, [(kim, "كيم", 40), (kim, "كيم جونغ أون", 3), (kim, "Kim Jong-un", 9)])
        store.replace_article_entities(b, [(kim, "كيم جونج أون", 1)])
    assert store.alias_candidates("=كيمجونجاون", "PERS") == [(kim, "PERS:جمجنجن", 53)]
    assert store.alias_candidates("=كيمجونغاون", "ORG") == [(kim, "PERS:جمجنجن", 53)]
    # the fullest Arabic form with at least 5% of the top form's mentions: not the bare كيم, not the Latin form
    assert store.entity_names({kim}) == {kim: ("PERS:جمجنجن", "كيم جونغ أون")}
    assert store.list_entities()[0]["canonical_name"] == "كيم جونغ أون"
    assert store.get_entity("PERS:جمجنجن")["canonical_name"] == "كيم جونغ أون"  # type: ignore[index]
    assert store.entity_page()[1][0]["canonical_name"] == "كيم جونغ أون"


def test_features_round_trip(store: Store) -> None:
    (aid,) = add(store, article())
    assert store.get_features(aid) is None
    row = features([0.6, 0.8], terms={"كوري": 0.7})
    with store.transaction():
        store.put_features(aid, row)
    assert store.get_features(aid) == row
    with store.transaction():
        store.put_features(aid, features(None))                            # replaced whole
    assert store.get_features(aid)["embedding"] is None  # type: ignore[index]


def test_duplicate_groups_and_canonical_changes(store: Store) -> None:
    a, b, c = add(store, article("أ", published_at="2024-01-01T00:00:00"), article("ب", published_at="2024-01-02"),
                  article("ج", published_at="2024-01-03"))
    with store.transaction():
        store.set_duplicate(b, a, "near:0.91")
        store.set_duplicate(c, a, "exact")
        store.set_canonical_reason(a, "earliest")
        store.set_canonical_reason(a, "most_complete")                    # the first reason given stays
    group = store.duplicate_group(c)
    assert [(r["id"], r["duplicate_of"], r["duplicate_reason"], r["canonical_reason"]) for r in group] == [
        (a, None, None, "earliest"), (b, a, "near:0.91", None), (c, a, "exact", None)]
    with store.transaction():
        store.make_canonical(b, a, "most_complete")
    group = store.duplicate_group(a)
    assert [(r["id"], r["duplicate_of"], r["canonical_reason"]) for r in group] == [
        (b, None, "most_complete"), (a, b, None), (c, b, None)]
    assert store.duplicate_group(999) == []


def test_stories_set_refresh_get_list_merge(store: Store) -> None:
    a, b, c, d = add(store,
                     article("قمة في موسكو بين الرئيسين. وتفاصيل أخرى.", title="قمة موسكو", source="bbc",
                             published_at="2024-03-01T10:00:00+00:00", keyphrases=("قمة موسكو",)),
                     article("الرئيسان يلتقيان في موسكو", title="لقاء", source="cnn",
                             published_at="2024-03-01T12:30:00+03:00", keyphrases=("قمة موسكو", "لقاء")),
                     article("نص ثالث", title="ثالث", source="bbc", published_at="2024-03-02T08:00:00+00:00"),
                     article("خبر آخر", title="آخر", source="cnn", published_at="2024-03-05T08:00:00+00:00"))
    assert store.max_story_id() == 0
    with store.transaction():
        for aid in (a, b, c):
            store.set_story(aid, 1)
        store.set_story(d, 2)
        store.refresh_stories([1, 2], {1: a, 2: d}, active_since=None)
    story = store.get_story(1)
    assert story is not None
    assert (story["id"], story["headline"], story["central_article"], story["size"]) == (1, "قمة موسكو", a, 3)
    assert story["summary"].startswith("قمة في موسكو")
    assert (story["first_seen"], story["last_updated"]) == ("2024-03-01T09:30:00+00:00", "2024-03-02T08:00:00+00:00")
    assert story["outlets"] == [{"source": "bbc", "articles": 2}, {"source": "cnn", "articles": 1}]
    assert story["keyphrases"][0] == {"phrase": "قمة موسكو", "score": 2.0}
    assert [m["id"] for m in story["members"]] == [b, a, c]     # in UTC order: b (12:30+03:00) is 09:30 UTC
    assert store.max_story_id() == 2
    assert [s["id"] for s in store.list_stories()] == [2, 1]             # most recently updated first
    assert [s["id"] for s in store.list_stories(min_size=2)] == [1]
    assert [s["id"] for s in store.list_stories(since="2024-03-03")] == [2]
    assert "members" not in store.list_stories()[0]
    with store.transaction():
        store.merge_story(2, 1)
        store.refresh_stories([1], {1: a}, active_since=None)
    assert store.get_story(2)["id"] == 1 and store.get_story(2)["size"] == 4  # type: ignore[index]
    assert [s["id"] for s in store.list_stories()] == [1]
    assert store.get_story(3) is None
    assert store.get_story(1, members=False).get("members") is None  # type: ignore[union-attr]


def test_stories_close_when_quiet(store: Store) -> None:
    (a,) = add(store, article(published_at="2024-01-01T00:00:00+00:00"))
    with store.transaction():
        store.set_story(a, 1)
        store.refresh_stories([1], {1: a}, active_since="2024-02-01T00:00:00+00:00")
    assert store.get_story(1)["status"] == "closed"  # type: ignore[index]


def test_cluster_rows_and_reset(store: Store) -> None:
    a, b, c = add(store, article("أ", published_at="2024-01-02T00:00:00+00:00"),
                  article("ب", published_at="2024-01-01T00:00:00+00:00"), article("ج", published_at=None))
    with store.transaction():
        store.put_features(a, features([1.0, 0.0]))
        store.set_duplicate(c, a, "exact")
        store.set_duplicate(b, a, "near:0.9")
        store.set_story(a, 1)
        store.refresh_stories([1], {1: a}, active_since=None)
    rows = list(store.iter_cluster_rows())
    assert [r["id"] for r in rows][:2] == [b, a]                         # publication-time order
    by_id = {r["id"]: r for r in rows}
    assert by_id[a]["features"]["embedder"] == "use" and by_id[b]["features"] is None
    assert [r["id"] for r in store.iter_cluster_rows(only_assigned=True)] == [a]
    assert [r["id"] for r in store.iter_cluster_rows(since="2024-01-02")] == [a, c]   # c: undated, ingested now
    assert store.latest_time() == store.get_article(c)["created_at"]  # type: ignore[index]
    with store.transaction():
        store.reset_clustering()
    assert store.get_article(a)["story_id"] is None and store.list_stories() == []  # type: ignore[index]
    assert store.get_article(b)["duplicate_of"] is None                  # near-duplicate links are forgotten
    assert store.get_article(c)["duplicate_of"] == a                     # exact ones stay
