"""Watchlists: matching new articles as they are stored (query by the search analyzer, names in every spelling,
outlets, category), story alerts at K outlets, and the `marsad watchlist` commands."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from marsad.cli import cli
from marsad.config import IngestOptions
from marsad.errors import ConfigError, QueryError
from marsad.ingestion.alerts import AnalyzedArticle, alert_key, make_watchlist
from marsad.ingestion.pipeline import ingest
from marsad.models import Article
from marsad.store import SQLiteStore
from marsad.text.analyzer import parse_query

REPO = Path(__file__).resolve().parents[2]
WIRE = REPO / "samples" / "wire" / "outlets-2025-04.jsonl"
WATCHLISTS = [
    make_watchlist("trump-short", entity="ترمب", webhook="https://hooks.example/t"),
    make_watchlist("trump-long", entity="ترامب"),
    make_watchlist("trump-typed", entity="PERS:ترامب"),
    make_watchlist("kim-no-missiles", query="كيم -صواريخ"),
    make_watchlist("kim-jazeera", query="كيم", sources=["الجزيرة نت"]),
    make_watchlist("kim-breaking", query="كيم", min_outlets=5, webhook="https://hooks.example/k",
                   email="desk@example.org"),
    make_watchlist("opec-phrase", query='"أوبك بلس" OR "أوبك+"'),
]


@pytest.fixture(scope="module")
def wire(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteStore]:
    """The real sample wire (33 articles from 18 outlets) ingested with the watchlists in place."""
    store = SQLiteStore(tmp_path_factory.mktemp("wl") / "wire.db")
    for row in WATCHLISTS:
        assert store.add_watchlist(row)
    report = ingest([WIRE], store, IngestOptions(embedder="none", workers=1, batch_size=8))
    assert report.stored > 25
    yield store
    store.close()


def _ids_with(store: SQLiteStore, *words: str) -> set[int]:
    return {a["id"] for a in store.iter_articles() if a["duplicate_of"] is None
            and any(w in a["title"] + " " + a["text"] for w in words)}


def test_a_name_fires_for_every_spelling_of_it(wire: SQLiteStore) -> None:
    expected = _ids_with(wire, "ترمب", "ترامب")
    short, long_ = _ids_with(wire, "ترمب"), _ids_with(wire, "ترامب")
    assert len(expected) >= 7 and short - long_ and long_ - short      # both spellings, in different articles
    for name in ("trump-short", "trump-long", "trump-typed"):
        assert set(wire.watchlist_article_ids(name)) == expected, name
    alerts = wire.recent_alerts("trump-short", limit=100)                # one webhook alert per match
    assert sorted(a["article_id"] for a in alerts) == sorted(expected)
    body = json.loads(alerts[0]["body"])
    assert body["watchlist"] == "trump-short" and body["key"] == alert_key("trump-short", "article",
                                                                           body["article"]["id"])
    assert body["article"]["id"] == alerts[0]["article_id"] and body["article"]["source"]
    assert wire.recent_alerts("trump-long") == []                         # no channel: matches and feed only


def _searched(store: SQLiteStore, query: str, **filters: object) -> set[int]:
    """What `marsad search` finds with every clause of the query (the all-words match)."""
    from marsad.models import SearchFilters
    from marsad.query import search

    response = search(store, query, k=200, filters=SearchFilters(**filters))  # type: ignore[arg-type]
    return {h.id for h in response.hits if h.matched == "all"}


def test_query_filters_and_exclusions_match_like_search(wire: SQLiteStore) -> None:
    """The watchlist's Python match on each new article agrees with the store's search over all of them."""
    kim = _searched(wire, "كيم")
    missiles = set(wire.watchlist_article_ids("kim-no-missiles"))
    assert missiles == _searched(wire, "كيم -صواريخ") and kim - missiles and missiles
    assert set(wire.watchlist_article_ids("kim-jazeera")) == _searched(wire, "كيم", sources=("الجزيرة نت",))
    assert set(wire.watchlist_article_ids("kim-jazeera")) < kim
    opec = set(wire.watchlist_article_ids("opec-phrase"))
    assert opec == _searched(wire, '"أوبك بلس" OR "أوبك+"') and len(opec) >= 3


def test_breaking_news_fires_once_per_story_at_k_outlets(wire: SQLiteStore) -> None:
    alerts = wire.recent_alerts("kim-breaking", limit=100)
    assert alerts, "the Trump-Kim story reached 5 outlets in the sample"
    stories = {a["story_id"] for a in alerts}
    assert len(alerts) == 2 * len(stories)                                # webhook + email, once per story
    for a in alerts:
        body = json.loads(a["body"])
        assert body["story"]["id"] == a["story_id"] and len(body["story"]["outlets"]) >= 5
        assert body["key"] == alert_key("kim-breaking", "story", a["story_id"])
        assert set(wire.watchlist_article_ids("kim-breaking", limit=100)) & set(
            wire.story_member_ids(a["story_id"], 100))


def test_ingesting_again_alerts_nothing_new(wire: SQLiteStore) -> None:
    before = {w["name"]: (w["matches"], w["pending"]) for w in wire.list_watchlists()}
    ingest([WIRE], wire, IngestOptions(embedder="none", workers=1))
    assert {w["name"]: (w["matches"], w["pending"]) for w in wire.list_watchlists()} == before


def _analyzed(title: str, text: str) -> AnalyzedArticle:
    return AnalyzedArticle(Article(title=title, display_title=title, text=text))


def test_query_matching_on_one_article() -> None:
    art = _analyzed("التحالفات الجديدة في المنطقة", "قال وزير الخارجية إن المفاوضات مستمرة مع بوتين في موسكو.")
    assert art.satisfies(parse_query("تحالف"))                           # a stem finds التحالفات
    assert art.satisfies(parse_query("بوتين موسكو"))
    assert not art.satisfies(parse_query("بوتين واشنطن"))                # every clause
    assert art.satisfies(parse_query("واشنطن OR موسكو"))
    assert not art.satisfies(parse_query("بوتين -موسكو"))                # an exclusion
    assert art.satisfies(parse_query('"وزير الخارجية"'))
    assert not art.satisfies(parse_query('"الخارجية وزير"'))             # a phrase keeps its order
    assert not art.satisfies(parse_query('"المنطقة قال"'))               # and does not cross title and body


def test_a_name_the_tagger_missed_still_counts_in_any_spelling() -> None:
    """Without entities (not enriched, or the tagger missed it) an untyped name is found in the words themselves."""
    from marsad.ingestion.alerts import Watch

    def hit(entity: str, title: str, text: str = "") -> bool:
        watch = Watch.of(make_watchlist("w", entity=entity))
        art = Article(title=title, display_title=title, text=text)
        return watch.matches(art, AnalyzedArticle(art))

    assert hit("ترمب", "ترامب يصل إلى الرياض") and hit("ترامب", "", "التقى الرئيس وترمب أمس")
    assert hit("كيم جونغ أون", "", "قال كيم جونج اون إن") and hit("بيونغ يانغ", "بيونج يانج تتوعد")
    assert not hit("ترمب", "أعمال ترميم المسجد") and not hit("كيم جونغ أون", "", "قال كيم إن جونغ")
    assert not hit("PERS:ترمب", "ترامب يصل")                 # a typed name: only the tagged entities


def test_a_watchlist_is_checked_when_added() -> None:
    with pytest.raises(ConfigError, match="something to watch"):
        make_watchlist("x")
    with pytest.raises(QueryError):
        make_watchlist("x", query="-فقط")
    with pytest.raises(ConfigError, match="http"):
        make_watchlist("x", query="a", webhook="ftp://h/x")
    with pytest.raises(ConfigError, match="http"):          # urlsplit raises ValueError on it (a 500 before)
        make_watchlist("x", query="a", webhook="http://[")
    with pytest.raises(ConfigError, match="email"):
        make_watchlist("x", query="a", email="not-an-address")
    with pytest.raises(ConfigError, match="min-outlets"):
        make_watchlist("x", query="a", min_outlets=1)
    with pytest.raises(ConfigError, match="name"):
        make_watchlist("a/b", query="a")
    with pytest.raises(ConfigError, match="no letters"):
        make_watchlist("x", entity="!!!")
    row = make_watchlist("x", query="a", sources=["s1", " "], digest="daily")
    assert row["sources"] == ["s1"] and len(row["secret"]) == 64
    assert make_watchlist("y", query="a")["secret"] != row["secret"]


def test_watchlist_commands(tmp_path: Path) -> None:
    db = str(tmp_path / "w.db")
    runner = CliRunner()
    added = runner.invoke(cli, ["watchlist", "add", "ترمب", "--db", db, "--entity", "ترمب", "--source", "العربية",
                                "--source", "الجزيرة نت", "--webhook", "https://hooks.example/x", "--json"])
    assert added.exit_code == 0, added.output
    secret = json.loads(added.output)["secret"]
    again = runner.invoke(cli, ["watchlist", "add", "ترمب", "--db", db, "--query", "x"])
    assert again.exit_code == 1 and "already a watchlist" in again.output
    bad = runner.invoke(cli, ["watchlist", "add", "d", "--db", db, "--query", "x", "--digest", "weekly"])
    assert bad.exit_code == 2
    listed = runner.invoke(cli, ["watchlist", "list", "--db", db, "--json"])
    (row,) = json.loads(listed.output)["watchlists"]
    assert row["sources"] == ["العربية", "الجزيرة نت"] and "secret" not in row and secret not in listed.output
    text = runner.invoke(cli, ["watchlist", "list", "--db", db])
    assert "ترمب" in text.output and "0 matches" in text.output
    assert runner.invoke(cli, ["watchlist", "remove", "ترمب", "--db", db]).exit_code == 0
    missing = runner.invoke(cli, ["watchlist", "remove", "ترمب", "--db", db])
    assert missing.exit_code == 1 and "no watchlist" in missing.output
