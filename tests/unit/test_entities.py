"""Canonical entities: in-article grouping and store-wide resolution by key, aliases and context."""

from __future__ import annotations

from dataclasses import dataclass

from marsad.enrich.entities import display_name, group_mentions, latin_link
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


def test_display_name_is_the_fullest_common_form() -> None:
    assert display_name([("كيم", 300), ("كيم جونغ أون", 100), ("كيم جونج أون", 80)]) == "كيم جونغ أون"
    assert display_name([("ترامب", 1000), ("دونالد ترامب", 10)]) == "ترامب"          # 1% is not common
    assert display_name([("ترامب", 1000), ("دونالد ترامب", 10)], share=0.0) == "دونالد ترامب"
    assert display_name([("Kim Jong-un", 50), ("كيم", 3)]) == "كيم"                    # Arabic first
    assert display_name([("Kim Jong-un", 5)]) == "Kim Jong-un" and display_name([]) == ""


def _ctx(n: int, prefix: str) -> list[Span]:
    return [Span(f"{prefix} {chr(0x628 + i)}", "LOC") for i in range(n)]


def test_a_person_tagged_org_joins_the_person_when_context_agrees(tmp_path) -> None:
    store = SQLiteStore(tmp_path / "e.db")
    ctx = [Span("بيونغ يانغ", "LOC"), Span("سيول", "LOC"), Span("كوريا الشمالية", "LOC")]
    for n in range(12):
        pers = _article(store, n, [Span("كيم جونغ أون", "PERS"), *ctx])
    # no shared context: a company with a person's name stays itself
    other = _article(store, 100, [Span("كيم جونغ أون", "ORG"), Span("لندن", "LOC"), Span("باريس", "LOC")])
    assert other[0]["canonical_id"] != pers[0]["canonical_id"]
    store = SQLiteStore(tmp_path / "f.db")
    for n in range(12):
        pers = _article(store, n, [Span("كيم جونغ أون", "PERS"), *ctx])
    org = _article(store, 100, [Span("كيم جونغ أون", "ORG"), *ctx])
    assert org[0]["canonical_id"] == pers[0]["canonical_id"] and org[0]["type"] == "ORG"
    # the store remembers the decision: that spelling typed ORG is the person from now on
    assert _article(store, 101, [Span("كيم جونغ أون", "ORG")])[0]["canonical_id"] == pers[0]["canonical_id"]


def test_a_city_and_a_person_with_one_name_stay_apart(tmp_path) -> None:
    store = SQLiteStore(tmp_path / "e.db")
    ctx = [Span("فلسطين", "LOC"), Span("الضفة الغربية", "LOC")]
    for n in range(12):
        city = _article(store, n, [Span("الخليل", "LOC"), *ctx])
    person = _article(store, 100, [Span("خليل", "PERS"), *ctx])
    assert person[0]["canonical_id"] != city[0]["canonical_id"]


def test_a_clitic_glued_to_a_known_name_is_dropped(tmp_path) -> None:
    store = SQLiteStore(tmp_path / "e.db")
    for n in range(4):
        trump = _article(store, n, [Span("ترامب", "PERS")])
    glued = _article(store, 100, [Span("لترامب", "PERS", 10, 16)])
    assert glued[0]["canonical_id"] == trump[0]["canonical_id"]
    assert glued[0]["text"] == "ترامب" and glued[0]["start"] == 11
    assert _article(store, 101, [Span("لبنان", "LOC")])[0]["canonical_id"] == f"LOC:{name_key('لبنان')}"


def test_one_name_key_two_people_told_apart_by_what_they_are_named_with(tmp_path) -> None:
    store = SQLiteStore(tmp_path / "e.db")
    merkel_ctx = [Span("ألمانيا", "LOC"), Span("برلين", "LOC"), *_ctx(26, "مدينة")]
    merkel = _article(store, 1, [Span("ميركل", "PERS"), *merkel_ctx])
    markle = _article(store, 2, [Span("ماركل", "PERS"), Span("الأمير هاري", "PERS"), Span("قصر كنسينغتون", "LOC")])
    assert name_key("ميركل") == name_key("ماركل")
    assert markle[0]["canonical_id"] != merkel[0]["canonical_id"]            # a homonym: TYPE:key~spelling
    assert markle[0]["canonical_id"].startswith(merkel[0]["canonical_id"] + "~")
    again = _article(store, 3, [Span("ماركل", "PERS"), Span("الأمير هاري", "PERS"), Span("ويندسور", "LOC")])
    assert again[0]["canonical_id"] == markle[0]["canonical_id"]
    # a new spelling of Merkel's name beside her context joins her
    merkel2 = _article(store, 4, [Span("ميركيل", "PERS"), Span("ألمانيا", "LOC"), Span("برلين", "LOC")])
    assert merkel2[0]["canonical_id"] == merkel[0]["canonical_id"]


def test_a_transliteration_variant_joins_by_sound_key_and_shared_context(tmp_path) -> None:
    store = SQLiteStore(tmp_path / "e.db")
    ctx = [Span("الأمم المتحدة", "ORG"), Span("مجلس الأمن", "ORG")]
    for n in range(3):
        first = _article(store, n, [Span("أنطونيو غوتيريش", "PERS"), *ctx])
    variant = _article(store, 10, [Span("أنطونيو غوتيريس", "PERS"), *ctx])
    assert variant[0]["canonical_id"] == first[0]["canonical_id"]
    store = SQLiteStore(tmp_path / "f.db")
    for n in range(3):
        first = _article(store, n, [Span("أنطونيو غوتيريش", "PERS"), *ctx])
    alone = _article(store, 11, [Span("أنطونيو غوتيريس", "PERS"), Span("نيكاراغوا", "LOC")])
    assert alone[0]["canonical_id"] != first[0]["canonical_id"]                 # no evidence, no merge


def test_latin_links_are_transliterations_and_only_to_known_names(tmp_path) -> None:
    link = latin_link("Trump", "PERS")
    assert link is None or "ورق" not in link[1]                     # never the card game (ArabNamer: ورقة رابحة)
    assert latin_link("Waltz", "PERS") is None or "رقصة" not in latin_link("Waltz", "PERS")[1]  # type: ignore[index]
    for latin in ("Netanyahu", "Putin", "Merkel", "Erdogan"):
        akey, form = latin_link(latin, "PERS")  # type: ignore[misc]
        assert akey == name_key(form), latin                        # keys built with today's name_key
    store = SQLiteStore(tmp_path / "e.db")
    lat = _article(store, 1, [Span("Putin", "PERS")])
    assert lat[0]["canonical_id"] == "PERS:putin"                   # no Arabic Putin known yet: no link
