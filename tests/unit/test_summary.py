"""Story summaries: three to five sentences across outlets, no fact twice, each linked to its article; what's new
in the latest articles; deterministic."""

from __future__ import annotations

import random
from typing import Any

import pytest

from marsad.errors import ConfigError
from marsad.stories.summary import SummaryOptions, sentence_similarity, summarize


def _art(aid: int, source: str, published: str, *sentences: str) -> dict[str, Any]:
    return {"id": aid, "url": f"https://example.com/{aid}", "source": source, "title": "", "published_at": published,
            "text": " ".join(sentences)}


QUAKE = [
    _art(1, "العربية", "2024-02-06T08:00:00+00:00",
         "ضرب زلزال بقوة 7.8 درجات جنوب تركيا وشمال سوريا فجر الاثنين وأدى إلى انهيار مئات المباني السكنية.",
         "وقالت إدارة الكوارث التركية إن عدد القتلى تجاوز 1500 شخص في عشر ولايات جنوبية.",
         "وأعلنت الحكومة التركية الحداد الوطني سبعة أيام في كل أنحاء البلاد."),
    _art(2, "سكاي نيوز عربية", "2024-02-06T09:00:00+00:00",
         "أدى زلزال قوي بلغت قوته 7.8 درجات إلى انهيار مئات المباني السكنية في جنوب تركيا وشمال سوريا فجر الاثنين.",
         "وفي سوريا قالت وزارة الصحة إن فرق الإنقاذ انتشلت مئات الضحايا من تحت الأنقاض في حلب وحماة واللاذقية.",
         "وتعهد الاتحاد الأوروبي بإرسال فرق بحث وإنقاذ متخصصة إلى المناطق المنكوبة في تركيا وسوريا."),
    _art(3, "فرانس 24", "2024-02-06T10:00:00+00:00",
         "تواصل فرق الإنقاذ البحث عن ناجين تحت أنقاض المباني المنهارة في تركيا وسوريا بعد الزلزال المدمر.",
         "وقالت الأمم المتحدة إنها تستعد لإرسال مساعدات طبية عاجلة إلى المتضررين من الزلزال في سوريا."),
    _art(4, "بي بي سي عربي", "2024-02-06T23:00:00+00:00",
         "ارتفعت حصيلة قتلى الزلزال في تركيا وسوريا إلى أكثر من خمسة آلاف شخص مع استمرار عمليات الإنقاذ الليلية.",
         "وضربت هزة ارتدادية بقوة 6.0 درجات ولاية ملاطية مساء الاثنين وأثارت الذعر بين السكان الناجين من الزلزال."),
]


def test_three_to_five_sentences_linked_to_articles_of_the_story() -> None:
    result = summarize(QUAKE)
    assert 3 <= len(result.summary) <= 5
    by_id = {a["id"]: a for a in QUAKE}
    for s in result.summary:
        art = by_id[s.article_id]
        assert s.text in art["text"] and s.url == art["url"] and s.source == art["source"]
        assert s.published_at == art["published_at"]


def test_no_fact_twice_and_outlets_spread() -> None:
    result = summarize(QUAKE)
    texts = [s.text for s in result.summary]
    # the magnitude-and-collapse lead is told by two outlets in other words: only one of them is picked
    assert sum("7.8" in t for t in texts) == 1, texts
    for i, a in enumerate(texts):
        for b in texts[i + 1:]:
            assert sentence_similarity(a, b) < SummaryOptions().redundant, (a, b)
    assert len({s.source for s in result.summary}) >= 3


def test_sentences_are_shown_in_time_order() -> None:
    result = summarize(QUAKE)
    keys = [(s.published_at, s.position) for s in result.summary]
    assert keys == sorted(keys)


def test_whats_new_is_what_only_the_latest_article_says() -> None:
    new = summarize(QUAKE).whats_new
    assert new and {s.article_id for s in new} == {4}
    assert any("5" in s.text or "خمسة آلاف" in s.text for s in new)


def test_whats_new_drops_a_latest_sentence_that_repeats_an_earlier_one() -> None:
    repeat = _art(5, "الجزيرة نت", "2024-02-07T06:00:00+00:00",
                  "ضرب زلزال بقوة 7.8 درجات جنوب تركيا وشمال سوريا فجر الاثنين وأدى إلى انهيار مئات المباني.",
                  "وأعلن الرئيس رجب طيب أردوغان حالة الطوارئ ثلاثة أشهر في الولايات العشر المتضررة من الزلزال.")
    new = summarize([*QUAKE, repeat]).whats_new
    texts = [s.text for s in new]
    assert any("الطوارئ" in t for t in texts) and not any("7.8" in t for t in texts)


def test_deterministic_whatever_the_input_order() -> None:
    first = summarize(QUAKE).to_dict()
    shuffled = QUAKE[:]
    random.Random(7).shuffle(shuffled)
    assert summarize(shuffled).to_dict() == first


def test_small_and_empty_stories() -> None:
    assert summarize([]).to_dict() == {"summary": [], "whats_new": []}
    one = summarize(QUAKE[:1])
    assert len(one.summary) == 3 and one.whats_new == []


def test_options_are_checked() -> None:
    with pytest.raises(ConfigError, match="min_sentences"):
        SummaryOptions(min_sentences=6, max_sentences=5)
    with pytest.raises(ConfigError, match="redundant"):
        SummaryOptions(redundant=0)
