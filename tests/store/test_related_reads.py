"""RelatedReads: the indexed reads related articles score, as plain records."""

from __future__ import annotations

import numpy as np

from marsad.store import EntityMentions, RelatedRow, Store
from tests.factories import add, article, features


def _world(store: Store) -> tuple[list[int], dict[str, int]]:
    ids = add(store,
              article("أ", title="قمة", source="bbc", url="https://b/1", category="politics",
                      keyphrases=("قمة موسكو", "الرئيس")),
              article("ب", title="", source="cnn"),
              article("أ ", title="قمة", source="cnn"),
              article("د", title="رابع"),
              article("هـ", title="خامس"),
              duplicate_of={3: 1})
    a, b, c, d, e = ids
    with store.transaction():
        ent = {cid: store.create_entity(cid, cid.split(":")[0], cid.split(":")[1])
               for cid in ("PERS:بوتين", "LOC:موسكو", "ORG:رويترز")}
        store.replace_article_entities(a, [(ent["PERS:بوتين"], "بوتين", 2), (ent["PERS:بوتين"], "وبوتين", 1),
                                           (ent["LOC:موسكو"], "موسكو", 1)])
        for aid in (b, d, e):
            store.replace_article_entities(aid, [(ent["PERS:بوتين"], "بوتين", 1)])
        store.replace_article_entities(e, [(ent["PERS:بوتين"], "وبوتين", 4), (ent["ORG:رويترز"], "رويترز", 1)])
        store.put_features(a, features([0.6, 0.8], terms={"قمم": 0.8}))
        store.put_features(b, features(None, terms={}))
        store.set_story(a, 5)
        store.set_story(b, 5)
        store.set_story(c, 5)
    return ids, ent


def test_related_rows(store: Store) -> None:
    (a, b, _, _, _), _ = _world(store)
    rows = {r.id: r for r in store.related_rows([b, a, 999])}
    assert set(rows) == {a, b}
    assert rows[a] == RelatedRow(id=a, title="قمة", source="bbc", published_at="2024-05-01T10:00:00+00:00",
                                 url="https://b/1", story_id=5, duplicate_of=None, section="politics",
                                 section_conf=0.9, phrases=("قمة موسكو", "الرئيس"), embedder="use",
                                 terms='{"t": {"قمم": 0.8}}')
    assert rows[b].title == "" and rows[b].section is None and rows[b].phrases == () and rows[b].embedder is None
    assert store.related_rows([]) == []
    many = store.related_rows(list(range(1, 1200)))                    # more ids than one statement takes
    assert sorted(r.id for r in many) == [1, 2, 3, 4, 5]


def test_embeddings_and_embedders(store: Store) -> None:
    (a, b, c, d, _), _ = _world(store)
    got = store.article_embeddings([a, b, d])
    assert list(got) == [a] and got[a].dtype == np.float16
    assert got[a].astype(np.float32).tolist() == [np.float16(0.6), np.float16(0.8)]
    assert store.canonical_embedder(a) == "use"
    assert store.canonical_embedder(c) == "use"                        # a copy: its canonical's embedder
    assert store.canonical_embedder(b) is None and store.canonical_embedder(999) is None


def test_entity_reads(store: Store) -> None:
    (a, _, c, _, e), ent = _world(store)
    putin, moscow, agency = ent["PERS:بوتين"], ent["LOC:موسكو"], ent["ORG:رويترز"]
    mentions = sorted(store.entity_mentions([a, e, c]), key=lambda m: (m.article_id, m.entity_id))
    assert [(m.article_id, m.entity_id, m.mentions, sorted(m.forms)) for m in mentions] == [
        (a, putin, 3, ["بوتين", "وبوتين"]), (a, moscow, 1, ["موسكو"]), (e, putin, 4, ["وبوتين"]),
        (e, agency, 1, ["رويترز"])]
    assert all(isinstance(m, EntityMentions) for m in mentions)
    assert store.entity_ids(["ORG:رويترز", "ORG:أ ف ب", "LOC:موسكو"]) == {agency, moscow}
    assert store.entity_ids([]) == set()
    assert store.entity_keys([putin, moscow]) == {"بوتين", "موسكو"} and store.entity_keys([]) == set()
    assert store.entity_document_frequency(putin, 100) == 5            # a has two forms: two rows
    assert store.entity_document_frequency(putin, 2) == 2              # counted up to the cap
    assert store.approx_article_count() == 5
    assert store.entity_recent_forms([putin, moscow]) == {putin: ["وبوتين", "بوتين"], moscow: ["موسكو"]}
    assert store.entity_recent_forms([putin], recent=2, top=1) == {putin: ["وبوتين"]}   # e and d only


def test_postings_stories_and_copies(store: Store) -> None:
    (a, b, c, d, e), ent = _world(store)
    putin = ent["PERS:بوتين"]
    assert sorted(set(store.entity_postings(putin, d, 100))) == [a, b, e]   # never the anchor itself
    assert store.entity_postings(putin, d, 2) == [b, e]                    # the nearest on each side
    assert store.entity_postings(putin, a, 2) == [b]
    assert sorted(store.story_member_ids(5, 10)) == [a, b, c] and len(store.story_member_ids(5, 2)) == 2
    assert store.story_member_ids(6, 10) == []
    assert store.copies_of([a, b]) == {a: [c]} and store.copies_of([]) == {}
