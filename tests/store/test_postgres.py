"""What only the PostgreSQL backend has to show: schema versions and migrations, read-only refusal, clear errors
for a bad DSN, a search query compiled safely to a tsquery, search through the analyzer, and one ingest + export
that gives the same articles as SQLite."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marsad.errors import QueryError, SchemaError, SchemaUpgradeNeeded, StoreError
from marsad.models import SearchFilters
from marsad.query import search
from marsad.store import SQLiteStore, Store, open_store
from marsad.store.postgres import MIGRATIONS, SCHEMA_VERSION, PostgresStore, safe_dsn
from marsad.store.postgres import store as pg_store
from marsad.store.postgres.common import configure
from marsad.store.postgres.schema import BOOKKEEPING
from marsad.store.postgres.search import ts_match, ts_match_any
from marsad.text.analyzer import parse_query
from tests.factories import add, article, memory_store

REPO = Path(__file__).resolve().parents[2]
PUTIN = "التقى الرئيس الروسي فلاديمير بوتين نظيره الكوري الشمالي كيم جونغ أون في فلاديفوستوك."
FOOTBALL = "فاز المنتخب السعودي على نظيره المصري في مباراة كرة القدم ضمن التحالفات الرياضية."
ECONOMY = "ارتفعت أسعار النفط بعد قرار أوبك خفض الإنتاج، وقال الوزير إن المفاوضات مستمرة."


def _sql(dsn: str, sql: str) -> Any:
    with psycopg.connect(dsn, autocommit=True) as conn:
        cur = conn.execute(sql)
        return cur.fetchall() if cur.description else None


# -- schema ------------------------------------------------------------------------------------------

def test_a_new_database_is_migrated_to_the_current_version(pg_dsn: str) -> None:
    store = PostgresStore(pg_dsn)
    try:
        assert SCHEMA_VERSION == len(MIGRATIONS) == store.stats()["schema_version"] == store.reader_counts()[
            "schema_version"]
        assert store.stats()["db"] == pg_dsn                        # no password in it to hide
    finally:
        store.close()
    assert _sql(pg_dsn, "SELECT version FROM marsad_schema") == [(SCHEMA_VERSION,)]
    again = PostgresStore(pg_dsn)                                   # opening again changes nothing
    again.close()
    assert _sql(pg_dsn, "SELECT version FROM marsad_schema") == [(SCHEMA_VERSION,)]


def test_an_older_schema_is_migrated_keeping_its_rows_and_read_only_refuses(pg_dsn: str) -> None:
    with psycopg.connect(pg_dsn, autocommit=True) as conn:          # a store left at version 4 (before search)
        conn.execute(BOOKKEEPING)
        for script in MIGRATIONS[:4]:
            conn.execute(script)                                    # type: ignore[arg-type]
        conn.execute("UPDATE marsad_schema SET version = 4")
        conn.execute("INSERT INTO articles(id, identity, title, text, content_hash, created_at, modified_at) "
                     "VALUES (1, 'hash:1', 'النفط', 'ارتفعت أسعار النفط', 'h1', 'now', 'now')")
    with pytest.raises(SchemaUpgradeNeeded, match="open it once without read-only"):
        PostgresStore(pg_dsn, readonly=True)
    store = PostgresStore(pg_dsn)
    try:
        assert store.stats()["schema_version"] == SCHEMA_VERSION
        assert [i for i, _ in store.search_lexical(parse_query("النفط"), k=5, filters=SearchFilters())] == [1]
        assert store.integrity_check() == "ok"
    finally:
        store.close()


def test_a_newer_schema_and_a_foreign_database_are_refused(pg_dsn: str) -> None:
    PostgresStore(pg_dsn).close()
    _sql(pg_dsn, f"UPDATE marsad_schema SET version = {SCHEMA_VERSION + 1}")
    with pytest.raises(SchemaError, match="newer than this Marsad"):
        PostgresStore(pg_dsn)


def test_a_database_of_something_else_is_not_taken_over(pg_dsn: str) -> None:
    _sql(pg_dsn, "CREATE TABLE invoices (id int)")
    with pytest.raises(SchemaError, match="not a Marsad store"):
        PostgresStore(pg_dsn)


def test_read_only_stores_do_not_write(pg_dsn: str) -> None:
    with pytest.raises(StoreError, match="no store at"):
        PostgresStore(pg_dsn, readonly=True)                        # an empty database is not a store yet
    writer = PostgresStore(pg_dsn)
    add(writer, article())
    reader = PostgresStore(pg_dsn, readonly=True)
    try:
        assert reader.stats()["articles"] == 1
        with pytest.raises(StoreError, match="cannot write to the store"):
            add(reader, article("نص آخر"))
        with pytest.raises(StoreError):
            reader.upsert_feed("https://e.com/rss", title=None, source=None, language=None, interval=60.0)
        assert writer.stats()["articles"] == 1
    finally:
        reader.close()
        writer.close()


# -- connecting --------------------------------------------------------------------------------------

def test_a_closed_port_or_a_missing_database_is_a_clear_store_error(pg_dsn: str) -> None:
    with pytest.raises(StoreError, match="cannot connect to the PostgreSQL store"):
        PostgresStore("postgresql://marsad@127.0.0.1:1/marsad")
    missing = pg_dsn.rsplit("/", 1)[0] + "/no_such_database"
    with pytest.raises(StoreError, match="no_such_database"):
        open_store(missing)


def test_an_unreachable_host_fails_within_the_connect_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pg_store, "CONNECT_TIMEOUT", 2)
    started = time.monotonic()
    with pytest.raises(StoreError, match="cannot connect"):
        PostgresStore("postgresql://marsad:secret@10.255.255.1:5432/marsad")   # a blackhole address
    assert time.monotonic() - started < 10


def test_the_password_never_shows() -> None:
    assert safe_dsn("postgresql://u:secret@db.example:5433/news") == "postgresql://u@db.example:5433/news"
    assert safe_dsn("postgres://u@h/n") == "postgres://u@h/n"
    with pytest.raises(StoreError) as err:
        PostgresStore("postgresql://marsad:secret@127.0.0.1:1/marsad")
    assert "secret" not in str(err.value)


def test_open_store_takes_postgres_urls(pg_dsn: str) -> None:
    for url in (pg_dsn, "postgres://" + pg_dsn.split("://", 1)[1]):
        store = open_store(url)
        assert isinstance(store, PostgresStore)
        store.close()


# -- search ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("q", ["'", "\\", "a'b", "x\\'y", "'); DROP TABLE articles; --", "a & b | !c", "<-> :*",
                               "foo:A", "(بوتين", "بوتين)!", '"كيم جونغ" -"أون\'', "عن:AB | 'x'"])
def test_any_user_string_compiles_to_a_safe_tsquery(pg_dsn: str, q: str) -> None:
    store = PostgresStore(pg_dsn)
    try:
        add(store, article(PUTIN, title="بوتين يستقبل كيم"))
        try:
            parsed = parse_query(q)
        except Exception:
            return                                                  # nothing to search for: QueryError upstream
        for match_all in (True, False):
            store.search_lexical(parsed, k=5, filters=SearchFilters(), match_all=match_all)
        assert store.stats()["articles"] == 1
    finally:
        store.close()


def test_the_tsquery_quotes_every_key() -> None:
    q = parse_query("بوتين \"كيم جونغ\" -النفط OR x'y")
    text = ts_match(q)
    assert text.startswith("(") and "'كيم':AC <-> 'جونغ':AC" in text and "& !" in text
    assert "'x''y':AC" in text or "'x':AC" in text
    assert "'وبوتين':AC" in ts_match_any(q)                          # the fallback also tries clitic forms


def _news(store: Store) -> None:
    add(store,
        article(PUTIN, title="بوتين يستقبل كيم جونغ أون", source="bbc", published_at="2018-04-25T08:00:00",
                category="politics"),
        article(FOOTBALL, title="المنتخب السعودي يفوز", source="cnn", published_at="2018-06-20T20:00:00",
                category="sport"),
        article(ECONOMY, title="أسعار النفط ترتفع", source="skynews", published_at="2018-03-02T12:00:00",
                category="economy"))


def _ids(store: Store, q: str, **kw: Any) -> list[int]:
    return [h.id for h in search(store, q, **kw).hits]


def test_search_through_the_analyzer_finds_spelling_variants(pg_dsn: str) -> None:
    store = PostgresStore(pg_dsn)
    lite = memory_store()
    try:
        _news(store)
        _news(lite)
        assert _ids(store, "كيم جونغ أون")[0] == 1
        assert _ids(store, "كيم جونج أون") == _ids(lite, "كيم جونج أون") == []   # جونج is not folded to جونغ:
        # the any-word fallback keeps only the rarest word of a tiny store, on both backends
        assert _ids(store, "كيم جونغ اون")[0] == 1                  # أون typed without hamza
        assert _ids(store, "اوبك")[0] == 3 and _ids(store, "بُوتِين")[0] == 1   # hamza, diacritics
        assert _ids(store, "التحالف")[0] == 2                       # the stem of التحالفات
        assert _ids(store, "مفاوضات")[0] == 3                       # the ال form is tried
        for q in ("كيم جونج أون", "بوتين", "نظيره", "نظيره -السعودي", "النفط OR كيم", '"كيم جونغ أون"', "اوبك",
                  "المنتخب السعودي"):
            assert set(_ids(store, q)) == set(_ids(lite, q)), q   # the same articles as SQLite
        assert _ids(store, "نظيره", filters=SearchFilters(sources=("cnn",))) == [2]
    finally:
        store.close()
        lite.close()


# -- end to end --------------------------------------------------------------------------------------

VOLATILE = {"created_at", "modified_at", "at"}


def _export(runner: CliRunner, db: str, what: str) -> list[dict[str, Any]]:
    import json

    from marsad.cli import cli

    result = runner.invoke(cli, ["export", "--db", db, "--what", what, "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines() if line.strip()]
    return [{k: v for k, v in row.items() if k not in VOLATILE} for row in rows]


def test_ingest_and_export_give_the_same_articles_as_sqlite(pg_dsn: str, tmp_path: Path) -> None:
    from marsad.cli import cli

    runner = CliRunner()
    sqlite_db = str(tmp_path / "samples.db")
    for db in (sqlite_db, pg_dsn):
        result = runner.invoke(cli, ["ingest", str(REPO / "samples"), "--db", db, "--no-progress"])
        assert result.exit_code == 0, result.output
    for what in ("articles", "rejections"):
        lite, pg = _export(runner, sqlite_db, what), _export(runner, pg_dsn, what)
        assert len(lite) == len(pg) and lite, what
        for a, b in zip(lite, pg, strict=True):
            assert set(a) == set(b)
            for field in a:
                assert a[field] == b[field], (what, a.get("id"), field)
    assert any(row["duplicate_of"] for row in _export(runner, pg_dsn, "articles"))
    assert any(row["story_id"] for row in _export(runner, pg_dsn, "articles"))
    store = open_store(pg_dsn, readonly=True)
    lite_store = SQLiteStore(sqlite_db, readonly=True)
    try:
        assert isinstance(store, PostgresStore)
        pg_stats, lite_stats = store.stats(), lite_store.stats()
        own = {"db", "schema_version"}                  # each backend numbers its own migrations
        assert {k: v for k, v in pg_stats.items() if k not in own} == {k: v for k, v in lite_stats.items()
                                                                         if k not in own}
        assert store.list_stories() == lite_store.list_stories() or [s["id"] for s in store.list_stories()] == [
            s["id"] for s in lite_store.list_stories()]
        assert store.integrity_check() == "ok"
    finally:
        store.close()
        lite_store.close()


def test_every_store_command_and_the_reader_work_on_postgres(pg_dsn: str) -> None:
    from fastapi.testclient import TestClient

    from marsad.cli import cli
    from marsad.web.app import create_app

    runner = CliRunner()
    pg_dsn = pg_dsn.replace("://marsad@", "://marsad:secret@")      # the test server trusts any password
    result = runner.invoke(cli, ["ingest", str(REPO / "samples"), "--db", pg_dsn, "--no-progress"])
    assert result.exit_code == 0 and "secret" not in result.output, result.output
    for args in (["stats"], ["search", "الرئيس"], ["search", "الرئيس", "--mode", "hybrid"], ["reindex"],
                 ["reindex", "--vectors"], ["entities"], ["stories"], ["related", "1"], ["feeds"],
                 ["similarity", "1", "2"], ["cluster"]):
        result = runner.invoke(cli, [*args, "--db", pg_dsn])
        assert result.exit_code == 0 and "secret" not in result.output, (args, result.output)
    assert "schema v" in runner.invoke(cli, ["stats", "--db", pg_dsn]).output
    with TestClient(create_app(pg_dsn)) as client:
        health = client.get("/api/health")
        assert health.status_code == 200, health.text
        page = client.get("/api/articles", params={"limit": 5})
        assert page.status_code == 200 and page.json()["total"] > 0
        assert client.get("/api/stories").status_code == 200
        assert client.get("/api/articles/1/related").status_code == 200


def test_a_nul_character_is_stored_as_a_replacement_character(pg_dsn: str) -> None:
    store = PostgresStore(pg_dsn)                   # PostgreSQL text cannot hold NUL; a JSON input may carry \u0000
    try:
        (aid,) = add(store, article("نص\x00 الخبر", title="عنوان\x00"))
        row = store.get_article(aid)
        assert row is not None and (row["text"], row["title"]) == ("نص\ufffd الخبر", "عنوان\ufffd")
    finally:
        store.close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(alphabet=st.sampled_from(list("بوتين كيم'\\\"&|!():*<->-AB ORNT\x00٫%")), max_size=30))
def test_random_queries_never_reach_postgres_as_syntax(pg_dsn: str, q: str) -> None:
    try:
        parsed = parse_query(q)
    except QueryError:
        return
    with psycopg.connect(pg_dsn) as conn:
        configure(conn)                             # the store's connections: NUL sent as U+FFFD
        for text in (ts_match(parsed), ts_match_any(parsed)):
            conn.execute("SELECT to_tsquery('simple', %s)", (text,))


def test_write_batches_take_turns_and_a_long_wait_is_a_store_error(pg_dsn: str,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pg_store, "WRITE_WAIT", 1)
    first, second = PostgresStore(pg_dsn), PostgresStore(pg_dsn)
    try:
        with first.transaction():
            first.insert_article(article(), identity="url:a", duplicate_of=None)
            started = time.monotonic()
            with pytest.raises(StoreError, match="another connection has been writing"):
                add(second, article("نص آخر"))
            assert time.monotonic() - started < 5
        assert add(second, article("نص آخر")) == [2]                 # max(id) + 1 once the first batch is in
    finally:
        first.close()
        second.close()


def test_stores_opened_at_once_on_an_empty_database_migrate_it_once(pg_dsn: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        stores = list(pool.map(lambda _: PostgresStore(pg_dsn), range(4)))
    try:
        assert {s.stats()["schema_version"] for s in stores} == {SCHEMA_VERSION}
    finally:
        for s in stores:
            s.close()
