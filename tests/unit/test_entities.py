"""Canonical entities: in-article grouping and store-wide resolution by key, aliases and context."""

from __future__ import annotations

from dataclasses import dataclass

from marsad.enrich.entities import group_mentions, latin_link
from marsad.ingestion.pipeline import resolve_entities
from marsad.models import Article
from marsad.store.sqlite import SQLiteStore
from marsad.text.names import name_key


@dataclass
class Span:
    text: str
    type: str
    start: int = 0
    end: int = 0
    score: float = 0.9


def _article(store: SQLiteStore, n: int, spans: list[Span]) -> list[dict]:
    art = Article(url=f"https://x.example/{n}", title=f"t{n}", text=f"نص {n}", content_hash=f"h{n}")
    art.entities = [m.to_dict() for m in group_mentions(spans)]
    with store.transaction():
        aid = store.insert_article(art, identity=f"url:{n}", duplicate_of=None)
        resolve_entities(store, aid, art.entities)
    return art.entities


def test_in_article_grouping_joins_a_bare_surname_to_the_full_name() -> None:
    ms = group_mentions([Span("دونالد ترمب", "PERS"), Span("ترامب", "PERS"), Span("كيم جونغ أون", "PERS"),
                         Span("كيم جونج أون", "PERS"), Span("بيونغ يانغ", "LOC")])
    ids = [m.canonical_id for m in ms]
    assert ids[0] == ids[1] and ids[2] == ids[3] and len(set(ids)) == 3
    assert ms[1].canonical_name == "دونالد ترمب"


def test_bare_name_shared_by_two_full_names_is_not_guessed_inside_an_article() -> None:
    ms = group_mentions([Span("دونالد ترامب", "PERS"), Span("إيفانكا ترامب", "PERS"), Span("ترامب", "PERS")])
    assert ms[2].canonical_id not in (ms[0].canonical_id, ms[1].canonical_id)


def test_store_merges_spellings_across_outlets_and_resolves_bare_names_by_context(tmp_path) -> None:
    store = SQLiteStore(tmp_path / "e.db")
    a1 = _article(store, 1, [Span("دونالد ترامب", "PERS"), Span("كيم جونغ أون", "PERS"), Span("بيونغ يانغ", "LOC")])
    a2 = _article(store, 2, [Span("دونالد ترمب", "PERS"), Span("كيم جونج أون", "PERS"), Span("بيونج يانج", "LOC")])
    assert [m["canonical_id"] for m in a1] == [m["canonical_id"] for m in a2]
    _article(store, 3, [Span("إيفانكا ترامب", "PERS"), Span("جاريد كوشنر", "PERS")])
    _article(store, 4, [Span("إيفانكا ترامب", "PERS"), Span("جاريد كوشنر", "PERS")])
    # a bare "ترامب" beside Kim is Donald; beside Kushner it is Ivanka
    near_kim = _article(store, 5, [Span("ترامب", "PERS"), Span("كيم جونغ أون", "PERS")])
    near_kushner = _article(store, 6, [Span("ترمب", "PERS"), Span("جاريد كوشنر", "PERS")])
    assert near_kim[0]["canonical_id"] == a1[0]["canonical_id"]
    assert near_kushner[0]["canonical_id"] == f"PERS:{name_key('إيفانكا ترامب')}"
    # with no shared context and no dominant candidate it stays a separate entity
    alone = _article(store, 7, [Span("ترامب", "PERS")])
    assert alone[0]["canonical_id"] == f"PERS:{name_key('ترامب')}"
    ents = {e["canonical_id"]: e for e in store.list_entities()}
    kim = ents[a1[1]["canonical_id"]]
    assert {v["form"] for v in kim["variants"]} == {"كيم جونغ أون", "كيم جونج أون"}
    assert kim["articles"] == 3 and kim["type"] == "PERS"     # articles 1, 2 and 5
    trump = ents[a1[0]["canonical_id"]]
    assert {v["form"] for v in trump["variants"]} == {"دونالد ترامب", "دونالد ترمب", "ترامب"}


def test_latin_names_link_to_the_arabic_entity_through_a_gazetteer_pair(tmp_path) -> None:
    assert latin_link("Netanyahu", "PERS") is not None
    store = SQLiteStore(tmp_path / "e.db")
    ar = _article(store, 1, [Span("بنيامين نتنياهو", "PERS"), Span("نتانياهو", "PERS")])
    assert ar[0]["canonical_id"] == ar[1]["canonical_id"]          # the bare spelling joins the full name
    lat = _article(store, 2, [Span("Netanyahu", "PERS")])
    # Netanyahu -> gazetteer pair نتنياهو -> the alias of بنيامين نتنياهو (the only, dominant candidate)
    assert lat[0]["canonical_id"] == ar[0]["canonical_id"]
    ents = {e["canonical_id"]: e for e in store.list_entities()}
    assert ents[ar[0]["canonical_id"]]["latin"] == "Netanyahu"
    assert {v["form"] for v in ents[ar[0]["canonical_id"]]["variants"]} == {"بنيامين نتنياهو", "نتانياهو", "Netanyahu"}


def test_reingesting_an_article_does_not_double_count(tmp_path) -> None:
    store = SQLiteStore(tmp_path / "e.db")
    spans = [Span("كيم جونغ أون", "PERS"), Span("كيم جونغ أون", "PERS")]
    art = Article(url="https://x.example/1", title="t", text="نص", content_hash="h")
    art.entities = [m.to_dict() for m in group_mentions(spans)]
    with store.transaction():
        aid = store.insert_article(art, identity="url:1", duplicate_of=None)
        resolve_entities(store, aid, art.entities)
        resolve_entities(store, aid, [m | {"canonical_id": f"PERS:{name_key('كيم جونغ أون')}"} for m in art.entities])
    (ent,) = store.list_entities()
    assert ent["mentions"] == 2 and ent["articles"] == 1
