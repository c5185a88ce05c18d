"""Lexical search: the analyzer, safe query parsing, the FTS5 index kept in step, filters, snippets, fusion, CLI."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import strategies as st

from marsad.cli import cli
from marsad.errors import InputError, QueryError
from marsad.models import Article, SearchFilters
from marsad.query import make_snippet, mark_html, parse_query, rrf, search
from marsad.store import open_store
from marsad.store.sqlite import MIGRATIONS, SCHEMA_VERSION, SQLiteStore, _split_sql
from marsad.store.sqlite_search import fts_match
from marsad.text.analyzer import index_fields
from tests.factories import add, article, memory_store

PUTIN = "التقى الرئيس الروسي فلاديمير بوتين نظيره الكوري الشمالي كيم جونغ أون في فلاديفوستوك."
FOOTBALL = "فاز المنتخب السعودي على نظيره المصري في مباراة كرة القدم ضمن التحالفات الرياضية."
AORTA = "أصيب اللاعب بتمزق في الوتين خلال المباراة ونقل إلى المستشفى."
ECONOMY = "ارتفعت أسعار النفط بعد قرار أوبك خفض الإنتاج، وقال الوزير إن المفاوضات مستمرة."


def _article(title: str, text: str, *, published_at: str | None = "2018-05-01T10:00:00", **kw: Any) -> Article:
    return article(text, title=title, published_at=published_at, **kw)


def _store(*articles: Article, duplicate_of: dict[int, int] | None = None) -> SQLiteStore:
    store = memory_store()
    add(store, *articles, duplicate_of=duplicate_of)
    return store


@pytest.fixture()
def news() -> SQLiteStore:
    """Four articles: Putin and Kim (politics), a football match, an injury (the word الوتين), oil prices."""
    return _store(
        _article("بوتين يستقبل كيم جونغ أون", PUTIN, source="bbc", published_at="2018-04-25T08:00:00",
                 category="politics", url="https://bbc.example/1"),
        _article("المنتخب السعودي يفوز", FOOTBALL, source="cnn", published_at="2018-06-20T20:00:00", category="sport"),
        _article("إصابة لاعب", AORTA, source="cnn", published_at="2018-06-21T09:00:00", category="sport"),
        _article("أسعار النفط ترتفع", ECONOMY, source="skynews", published_at="2018-03-02T12:00:00",
                 category="economy"),
    )


def _ids(store: SQLiteStore, query: str, **kw: object) -> list[int]:
    return [h.id for h in search(store, query, **kw).hits]  # type: ignore[arg-type]


# -- analyzer ----------------------------------------------------------------------------------------

def test_index_fields_keep_exact_words_beside_stems() -> None:
    fields = index_fields("بوتين يستقبل كيم", "والرئيس فلاديمير بوتين في التحالفات")
    assert fields["title_exact"].split() == ["بوتين", "يستقبل", "كيم"]
    assert "بوتين" in fields["body_exact"].split()            # the name as spelled
    assert "وتين" in fields["body_stem"].split()              # what Snowball makes of it
    assert "تحالف" in fields["body_stem"].split()             # التحالفات → تحالف
    assert "التحالفات" in fields["body_exact"].split()


def test_analyzer_output_is_pinned() -> None:
    # articles_fts is contentless: a row is deleted with the values it was indexed with. If this changes,
    # add a migration that rebuilds the index (INSERT INTO articles_fts(articles_fts) VALUES('delete-all') + fill).
    fields = index_fields("إسرائيلُ تُعلن", "قالت الحكومةُ إنّ 3 مفاوضات ستبدأ في «القاهرة» - Jong-un's visit ٢٠١٨")
    assert fields == {
        "title_exact": "اسراييل تعلن",
        "title_stem": "اسراييل تعل",
        "body_exact": "قالت الحكومه ان 3 مفاوضات ستبدا في القاهره jong-un's visit 2018",
        "body_stem": "قال حكوم ان 3 مفاوضا تبدء في قاهر jong-un visit 2018",
    }


# -- query parsing -----------------------------------------------------------------------------------

def test_query_error_is_an_input_error_with_a_code() -> None:
    with pytest.raises(QueryError) as err:
        parse_query("  ?! (( ** ")
    assert isinstance(err.value, InputError)
    assert err.value.code == "bad_query"
    assert "no words to search for" in str(err.value)


@pytest.mark.parametrize("query", ["", "   ", "\"\"", "((( )))", "* ^ : {} []", "AND OR NOT", "-", "«»", "، ؟ !"])
def test_nothing_searchable_is_a_clear_error(query: str) -> None:
    with pytest.raises(QueryError, match="no words to search for"):
        parse_query(query)


def test_only_exclusions_is_a_clear_error() -> None:
    with pytest.raises(QueryError, match="only excludes"):
        parse_query("-بوتين NOT ترامب")


def test_query_syntax_phrases_exclusions_or() -> None:
    q = parse_query('بوتين "كوريا الشمالية" -ترامب غزة OR القدس')
    assert [[t.surface for t in c] for c in q.clauses] == [["بوتين"], ["كوريا الشمالية"], ["غزة", "القدس"]]
    assert q.clauses[1][0].phrase
    assert [t.surface for t in q.excluded] == ["ترامب"]
    assert " NOT " in fts_match(q)
    assert parse_query("«كوريا الشمالية»").clauses[0][0].phrase       # Arabic quotes make phrases too
    assert parse_query("نتيجة 2 -1").excluded == ()                    # a score, not an exclusion
    assert len(parse_query("بوتين بوتين كيم").clauses) == 2            # a repeated word adds nothing


def test_query_operators_and_syntax_are_plain_text() -> None:
    q = parse_query('NEAR(a b) c* ^d title_exact:x {a b} "unbalanced')
    assert [t.surface for t in q.terms] == ["NEAR", "a", "b", "c", "d", "title_exact", "x", "unbalanced"]


def test_overlong_query_is_refused() -> None:
    with pytest.raises(QueryError, match="shorten"):
        parse_query("كلمة " * 1000)


_FTS_SYNTAX = [*'"\'()*^:{}[]+-.,;!?<>|&\\/@#%_«»“”،؟', "AND", "OR", "NOT", "NEAR", "NEAR(", "title_exact:",
               "{body_stem}", "ال", "بوتين", "كيم", "١٢", "x", " ", "\n"]
_HOSTILE = st.one_of(st.text(max_size=60),
                     st.lists(st.sampled_from(_FTS_SYNTAX), max_size=25).map("".join),
                     st.lists(st.sampled_from(_FTS_SYNTAX + [" "] * 8), max_size=25).map(" ".join))
_HYPO_STORE = _store(_article("بوتين يستقبل كيم", PUTIN), _article("المنتخب السعودي", FOOTBALL))


# -- ranking -----------------------------------------------------------------------------------------

def test_a_name_as_spelled_finds_its_article_first(news: SQLiteStore) -> None:
    ids = _ids(news, "بوتين")
    assert ids[0] == 1
    # بوتين stems to وتين, so the injury article (الوتين) may follow, but never ahead of the name
    assert ids.index(1) < (ids.index(3) if 3 in ids else 99)


def test_a_name_with_a_clitic_glued_on_is_found() -> None:
    store = _store(_article("قمة في هلسنكي", "اجتمع ترامب وبوتين في هلسنكي، ثم عاد لبوتين بعد ذلك."),
                   _article("خبر آخر", "لا علاقة له بالموضوع إطلاقا."))
    hits = search(store, "بوتين").hits
    assert [h.id for h in hits] == [1]
    assert hits[0].matched == "some"
    marked = [hits[0].snippet[s:e] for s, e in hits[0].highlights]
    assert marked == ["وبوتين", "لبوتين"]


def test_stems_find_inflected_forms(news: SQLiteStore) -> None:
    assert _ids(news, "التحالف")[0] == 2            # the text says التحالفات
    assert _ids(news, "المفاوضات")[0] == 4
    assert _ids(news, "مفاوضات")[0] == 4             # Snowball stems it apart from المفاوضات: the ال form is tried
    assert 2 in _ids(news, "منتخب")                 # المنتخب


def test_match_normalization_folds_spelling(news: SQLiteStore) -> None:
    assert _ids(news, "اوبك")[0] == 4               # أوبك typed without hamza
    assert _ids(news, "بُوتِين")[0] == 1            # with diacritics


def test_all_words_first_then_some(news: SQLiteStore) -> None:
    hits = search(news, "بوتين النفط").hits
    assert {h.matched for h in hits} == {"some"}            # no article has both
    hits = search(news, "بوتين كيم").hits
    assert hits[0].id == 1 and hits[0].matched == "all"


def test_exclusion_and_or(news: SQLiteStore) -> None:
    assert 2 not in _ids(news, "المباراة -السعودي")
    assert 3 in _ids(news, "المباراة -السعودي")
    assert set(_ids(news, "النفط OR كيم")) >= {1, 4}


def test_title_counts_more_than_body() -> None:
    store = _store(_article("اجتماع عادي", "ناقش المجلس ملف الطاقة الشمسية بالتفصيل مع الخبراء والمسؤولين."),
                   _article("الطاقة الشمسية", "ناقش المجلس ملفات عديدة مع الخبراء والمسؤولين في الاجتماع."))
    assert _ids(store, "الطاقة الشمسية")[0] == 2


# -- filters -----------------------------------------------------------------------------------------

def test_filters_source_dates_category(news: SQLiteStore) -> None:
    assert _ids(news, "نظيره", filters=SearchFilters(sources=("cnn",))) == [2]
    assert set(_ids(news, "نظيره", filters=SearchFilters(sources=("cnn", "bbc")))) == {1, 2}
    assert _ids(news, "نظيره", filters=SearchFilters(since="2018-05")) == [2]
    assert _ids(news, "نظيره", filters=SearchFilters(until="2018-04")) == [1]           # inclusive month
    assert _ids(news, "نظيره", filters=SearchFilters(until="2018-04-25")) == [1]        # inclusive day
    assert _ids(news, "نظيره", filters=SearchFilters(category="sport")) == [2]


@pytest.mark.parametrize("bad", [{"since": "yesterday"}, {"until": "2018-13"},
                                 {"since": "2018-05", "until": "2018-04"}])
def test_bad_filters_are_query_errors(bad: dict[str, str]) -> None:
    with pytest.raises(QueryError):
        SearchFilters(**bad)  # type: ignore[arg-type]


def test_filters_entity_story_duplicates(news: SQLiteStore) -> None:
    with news.transaction():
        eid = news.create_entity("PERS:فلدمربتن", "PERS", "فلدمربتن", aliases=["فلدمر", "بوتين"])
        news.replace_article_entities(1, [(eid, "بوتين", 2)])
        news.conn.execute("UPDATE articles SET story_id = 7 WHERE id IN (2, 3)")
        news.insert_article(_article("المنتخب السعودي يفوز", FOOTBALL + " نسخة"), identity="hash:copy", duplicate_of=2)
    assert _ids(news, "نظيره", filters=SearchFilters(entity="PERS:فلدمربتن")) == [1]
    assert _ids(news, "نظيره", filters=SearchFilters(entity=eid)) == [1]
    assert _ids(news, "نظيره", filters=SearchFilters(entity="PERS:فلاديمير بوتين")) == [1]  # keyed like NER
    assert search(news, "نظيره", filters=SearchFilters(entity="بوتين")).filters["entity"] == "PERS:فلدمربتن"
    with pytest.raises(QueryError, match="no entity"):
        search(news, "نظيره", filters=SearchFilters(entity="LOC:مكان مجهول"))
    assert set(_ids(news, "المباراة", filters=SearchFilters(story_id=7))) == {2, 3}
    assert _ids(news, "المباراة", filters=SearchFilters(story_id=8)) == []
    assert 5 not in _ids(news, "السعودي")
    assert 5 in _ids(news, "السعودي", filters=SearchFilters(include_duplicates=True))


def test_group_by_story(news: SQLiteStore) -> None:
    news.conn.execute("UPDATE articles SET story_id = 7 WHERE id IN (2, 3)")
    flat = search(news, "المباراة")
    assert {h.id for h in flat.hits} == {2, 3}
    grouped = search(news, "المباراة", group_by_story=True)
    assert grouped.groups is not None and len(grouped.groups) == 1
    assert grouped.groups[0].story_id == 7 and len(grouped.groups[0].hits) == 2
    assert grouped.hits == [grouped.groups[0].hits[0]]
    best, other = grouped.groups[0].hits
    assert best.snippet and other.snippet == "" and other.title           # the others are shown by title
    d = grouped.to_dict()
    assert d["groups"][0]["size"] == 2 and d["total"] == 1


def test_grouped_search_computes_passages_only_for_the_groups_shown(news: SQLiteStore,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import marsad.query.engine as engine

    flat = search(news, "المباراة السعودي", k=20)
    assert len({h.story_id or -h.id for h in flat.hits}) >= 2       # more than one group exists
    calls: list[int] = []
    real = engine.make_snippet
    monkeypatch.setattr(engine, "make_snippet", lambda text, query, **kw: calls.append(1) or real(text, query, **kw))
    grouped = search(news, "المباراة السعودي", k=1, group_by_story=True)
    assert grouped.groups is not None and len(grouped.groups) == 1 and len(calls) == 1
    assert grouped.hits[0].snippet and grouped.hits[0].id == flat.hits[0].id


def test_semantic_and_hybrid_need_embeddings(news: SQLiteStore) -> None:
    for mode in ("semantic", "hybrid"):          # the fixture has no article_features (tests/unit/test_vectors.py)
        with pytest.raises(QueryError, match="no article embeddings"):
            search(news, "بوتين", mode=mode)
    with pytest.raises(QueryError, match="unknown search mode"):
        search(news, "بوتين", mode="fuzzy")
    with pytest.raises(QueryError, match="k must be"):
        search(news, "بوتين", k=0)


# -- snippets ----------------------------------------------------------------------------------------

def test_snippet_marks_the_original_words() -> None:
    text = "في البداية كلام عام. " * 30 + "ثم قال الرئيسُ إنّ بُوتِين سيزور المنطقة. " + "وختام الكلام. " * 30
    snip = make_snippet(text, parse_query("بوتين المنطقة"))
    assert snip.text.startswith("…") and snip.text.endswith("…")
    assert [snip.text[s:e] for s, e in snip.highlights] == ["بُوتِين", "المنطقة"]   # diacritics kept as written
    assert "\n" not in snip.text


def test_snippet_html_escapes_hostile_text() -> None:
    text = 'خبر <script>alert("بوتين")</script> & <b onclick="x">بوتين</b> \'اقتباس\''
    snip = make_snippet(text, parse_query("بوتين"))
    out = snip.html()
    assert "<script>" not in out and "<b " not in out and "onclick=\"" not in out
    assert "&lt;script&gt;" in out and "&amp;" in out and "&quot;" in out and "&#x27;" in out
    assert out.count("<mark>بوتين</mark>") == 2
    assert mark_html("<i>", [(0, 3)]) == "<mark>&lt;i&gt;</mark>"


def test_hits_carry_the_display_text(news: SQLiteStore) -> None:
    hit = search(news, "بوتين").hits[0]
    assert hit.title == "بوتين يستقبل كيم جونغ أون"
    assert hit.snippet.startswith("التقى الرئيس")
    assert hit.title[slice(*hit.title_highlights[0])] == "بوتين"
    assert "<mark>بوتين</mark>" in hit.snippet_html
    assert hit.url == "https://bbc.example/1" and hit.source == "bbc" and hit.rank == 1


# -- keeping the index in step -----------------------------------------------------------------------

def test_insert_then_update_changes_results(news: SQLiteStore) -> None:
    assert _ids(news, "أوبك") == [4]
    with news.transaction():
        news.update_article(4, _article("أسعار الذهب ترتفع", "ارتفع الذهب مع تراجع الدولار."))
    assert _ids(news, "النفط OR أوبك") == []
    assert _ids(news, "الذهب") == [4]
    with news.transaction():
        news.insert_article(_article("أوبك تجتمع", "اجتماع أوبك في فيينا."), identity="hash:new", duplicate_of=None)
    assert _ids(news, "أوبك") == [5]
    news.conn.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 1)")


def test_a_failed_write_leaves_the_index_as_it_was(news: SQLiteStore) -> None:
    with pytest.raises(Exception), news.transaction():  # noqa: B017 (any failure must roll back)
        news.insert_article(_article("زلزال", "زلزال قوي."), identity="hash:q", duplicate_of=None)
        raise RuntimeError("boom")
    assert _ids(news, "زلزال OR بوتين") == [1]


def test_rebuild_restores_the_index(news: SQLiteStore) -> None:
    news.conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('delete-all')")
    assert search(news, "بوتين").hits == []
    steps: list[tuple[int, int]] = []
    summary = news.rebuild_search_index(progress=lambda done, total: steps.append((done, total)))
    assert summary["articles"] == 4 and summary["indexed"] == 4
    assert summary["bytes"] is None or summary["bytes"] > 0
    assert summary["seconds"] >= 0 and steps[-1] == (4, 4)
    assert _ids(news, "بوتين")[0] == 1


def test_a_v4_store_is_upgraded_and_searchable(tmp_path: Path) -> None:
    path = tmp_path / "v4.db"
    con = sqlite3.connect(path)
    for migration in MIGRATIONS[:4]:
        for statement in _split_sql(migration):
            con.execute(statement)
    con.execute("PRAGMA user_version = 4")
    con.execute("INSERT INTO articles(identity, title, display_title, text, content_hash, created_at, modified_at) "
                "VALUES ('hash:x', 'بوتين في بكين', 'بوتين في بكين', ?, 'x', 'now', 'now')", (PUTIN,))
    con.execute("INSERT INTO articles(identity, title, display_title, text, content_hash, created_at, modified_at) "
                "VALUES ('hash:y', '', 'أسعار النفط', ?, 'y', 'now', 'now')", (ECONOMY,))
    con.commit()
    con.close()
    store = SQLiteStore(path)
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert _ids(store, "بوتين") == [1]
    assert _ids(store, "أسعار") == [2]                   # the derived display title is indexed
    store.close()


# -- fusion ------------------------------------------------------------------------------------------

def test_rrf_fuses_rankings() -> None:
    fused = rrf([[1, 2, 3], [3, 1, 4]], k=60)
    assert [i for i, _ in fused] == [1, 3, 2, 4]
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 62)
    assert rrf([]) == []
    assert rrf([[5, 5, 6]]) == [(5, 1 / 61), (6, 1 / 63)]     # a repeat counts once, at its best rank
    assert [i for i, _ in rrf([["a", "b"], ["b", "a"]])] == ["a", "b"]   # ties keep first appearance
    with pytest.raises(ValueError):
        rrf([[1]], k=-1)


# -- CLI ---------------------------------------------------------------------------------------------

@pytest.fixture()
def db(new_db: Callable[[], str]) -> str:
    """Two articles, in each backend."""
    ref = new_db()
    store = open_store(ref)
    with store.transaction():
        for i, art in enumerate([_article("بوتين يستقبل كيم", PUTIN, source="bbc"),
                                 _article("المنتخب السعودي", FOOTBALL, source="cnn")], 1):
            store.insert_article(art, identity=f"hash:{i}", duplicate_of=None)
    store.close()
    return ref


def test_cli_search_json_contract(db: str) -> None:
    result = CliRunner().invoke(cli, ["search", "بوتين", "--db", db, "--json", "--source", "bbc"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert {"query", "k", "total", "mode", "hits"} <= set(payload)
    assert payload["total"] == 1 and payload["mode"] == "lexical" and payload["k"] == 10
    hit = payload["hits"][0]
    assert {"id", "title", "source", "published_at", "url", "score", "rank", "story_id", "snippet",
            "highlights"} <= set(hit)
    assert hit["snippet"][slice(*hit["highlights"][0])] == "بوتين"
    grouped = json.loads(CliRunner().invoke(cli, ["search", "بوتين", "--db", db, "--json", "--group-by-story"]).output)
    assert "groups" in grouped


def test_cli_search_human_output_and_errors(db: str, tmp_path: Path) -> None:
    runner = CliRunner()
    out = runner.invoke(cli, ["search", "بوتين OR المنتخب", "--db", db])
    assert out.exit_code == 0 and "بوتين يستقبل كيم" in out.output and "المنتخب السعودي" in out.output
    bad = runner.invoke(cli, ["search", '"(*)"', "--db", db])
    assert bad.exit_code == 2 and "no words to search for" in bad.output
    assert runner.invoke(cli, ["search", "بوتين", "--db", db, "--since", "soon"]).exit_code == 2
    assert runner.invoke(cli, ["search", "بوتين", "--db", db, "--mode", "semantic"]).exit_code == 2
    missing = runner.invoke(cli, ["search", "بوتين", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 1 and "no store" in missing.output


def test_cli_reindex(db: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["reindex", "--db", db, "--json", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["articles"] == 2
    human = CliRunner().invoke(cli, ["reindex", "--db", db, "--no-progress"])
    assert "indexed 2 articles" in human.output
    assert CliRunner().invoke(cli, ["reindex", "--db", str(tmp_path / "none.db")]).exit_code == 1


# -- bounded ranking ---------------------------------------------------------------------------------

def test_copies_at_the_top_of_the_index_are_skipped_by_fetching_more(monkeypatch: pytest.MonkeyPatch) -> None:
    from marsad.store import sqlite_search

    monkeypatch.setattr(sqlite_search, "FETCH_EXTRA", 0)
    arts = [_article(f"كيم جونغ أون {i}", PUTIN + f" نسخة {i}") for i in range(6)]
    arts.append(_article("لقاء آخر", "تحدث كيم جونغ أون عن القمة مع المسؤولين في بيونغ يانغ."))
    store = _store(*arts, duplicate_of={2: 1, 3: 1, 4: 1, 5: 1, 6: 1})
    ranked = store.search_lexical(parse_query("كيم"), k=2, filters=SearchFilters())
    assert [i for i, _ in ranked] == [1, 7]                                     # copies 2-6 left out
    joined = store.search_lexical(parse_query("كيم"), k=2, filters=SearchFilters(since="2000"))
    assert ranked == joined                                                     # the join path agrees
    every = store.search_lexical(parse_query("كيم"), k=7, filters=SearchFilters(include_duplicates=True))
    assert {i for i, _ in every} == set(range(1, 8))


def test_any_word_fallback_keeps_to_the_rarest_words_within_its_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    from marsad.store import sqlite_search

    common = [_article(f"خبر {i}", f"قال المسؤول إن الاجتماع انتهى {i}.") for i in range(8)]
    store = _store(*common, _article("فلاديفوستوك", "وصل الزائر إلى فلاديفوستوك وقال إنه سعيد."))
    query = parse_query("فلاديفوستوك قال")
    monkeypatch.setattr(sqlite_search, "RELAX_MAX_DF", 1.0)                       # a tiny store: every word is common
    assert [t.surface for t in store._informative_terms(query)] == ["فلاديفوستوك", "قال"]
    monkeypatch.setattr(sqlite_search, "RELAX_MAX_POSTINGS", 3)
    assert [t.surface for t in store._informative_terms(query)] == ["فلاديفوستوك"]   # قال is in 9 articles
    assert store.search_lexical(query, k=10, filters=SearchFilters(), match_all=False)[0][0] == 9
    monkeypatch.setattr(sqlite_search, "RELAX_MAX_POSTINGS", 0)
    assert [t.surface for t in store._informative_terms(query)] == ["فلاديفوستوك"]   # the rarest always stays


def test_long_queries_do_not_require_the_commonest_words() -> None:
    common = [_article(f"خبر {i}", f"قال المسؤول إن الاجتماع انتهى {i}.") for i in range(6)]
    target = _article("زيارة فلاديفوستوك", "وصل الرئيس الكوري إلى فلاديفوستوك في قطار مدرع.")   # no قال
    store = _store(*common, target)
    long_query = parse_query("قال الرئيس الكوري فلاديفوستوك")
    kept = store._all_words(long_query)
    assert [t.surface for t in kept.terms] == ["الرئيس", "الكوري", "فلاديفوستوك"]         # قال is in 6 of 7
    assert [i for i, _ in store.search_lexical(long_query, k=5, filters=SearchFilters())] == [7]
    short = parse_query("قال فلاديفوستوك")
    assert store._all_words(short) == short                                             # short queries keep it
    assert store.search_lexical(short, k=5, filters=SearchFilters()) == []
