"""Near-duplicates and stories through the real pipeline, on the sample corpus and its gold labels
(samples/README.md: seven stories S1–S7, exact and near duplicates, hard negatives)."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from marsad.cli import cli
from marsad.config import IngestOptions
from marsad.ingestion.clustering import recluster
from marsad.ingestion.pipeline import ingest
from marsad.models import Article
from marsad.store.sqlite import SQLiteStore
from marsad.stories.bcubed import bcubed

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"

GOLD: dict[str, list[str]] = {
    "S1": ["ARB-1152301", "SKY-1790412", "bbc-c9dxw2v4l7eo", "aja-3551207", "elbalad-6512345", "aawsat-5133456",
           "f24-20250417-trump-kim", "CN-world-1-20250417"],
    "S2": ["aja-3550984", "f24-20250417-nk-missiles", "ARB-1152340", "elbalad-6511870", "mayadeen-881203",
           "page:aggregator-seed-style.txt", "page:news-article-cp1256.html", "warc:skynewsarabia.com"],
    "S3": ["ARB-1152198", "SKY-1790388", "aawsat-5133301", "aja-3551344", "CN-economy-1-20250417",
           "page:aggregator-page.html"],
    "S4": ["spa-N2290311", "alyaum-6601234", "saudi:sabq", "saudi:okaz", "saudi:alriyadh"],
    "S5": ["SKY-1792876", "aawsat-5136120", "aja-3558710", "elbalad-6530117", "page:news-article-utf8.html"],
    "S6": ["mfm-1389456", "tap-19851234", "chourouk-312455", "JA-national-1-20250416", "warc:assabahnews.tn"],
    "S7": ["SKY-1790521", "bbc-cy4d0z8k3m1o", "ARB-1152455", "f24-20250417-iraq-sandstorm", "warc:alsumaria.tv"],
}
LABEL = {key: story for story, keys in GOLD.items() for key in keys}


def _key(row: dict[str, Any]) -> str:
    """The gold key of a stored article (README naming)."""
    origin = row["origin"]
    if row["external_id"]:
        return row["external_id"]
    if row["source"] in ("sabq", "okaz", "alriyadh"):
        return f"saudi:{row['source']}"
    page = str(origin.get("page", ""))
    if "crawl.warc.gz" in page:
        host = (row["url"] or "").split("/")[2].removeprefix("www.")
        return f"warc:{host}" if origin.get("role", "main") == "main" else f"glued:{row['id']}"
    if origin.get("role", "main") != "main":
        return f"glued:{row['id']}"
    return f"page:{Path(page).name}"


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> SQLiteStore:
    db = tmp_path_factory.mktemp("stories") / "s.db"
    store = SQLiteStore(db)
    report = ingest([SAMPLES], store, IngestOptions())
    report.check()
    return store


def _rows(store: SQLiteStore) -> list[dict[str, Any]]:
    return list(store.iter_articles())


def _check_gold_partition(rows: list[dict[str, Any]]) -> None:
    system: dict[str, list[int]] = defaultdict(list)
    for r in rows:
        assert r["story_id"] is not None, r["title"]
        label = LABEL.get(_key(r), f"single:{r['id']}")
        system[label].append(r["story_id"])
    for label, stories in system.items():
        assert len(set(stories)) == 1, (label, stories)       # a gold story is never split
    owners = [stories[0] for stories in system.values()]
    assert len(owners) == len(set(owners))                     # two gold stories never share a story


def test_every_arabic_sample_story_is_one_story_and_no_two_are_merged(sample_store: SQLiteStore) -> None:
    rows = [r for r in _rows(sample_store) if r["language"] != "en"]
    assert {k for k in LABEL} <= {_key(r) for r in rows}, "every gold member was ingested"
    _check_gold_partition(rows)


def test_near_and_exact_duplicates_of_the_spa_wire_item(sample_store: SQLiteStore) -> None:
    by_key = {_key(r): r for r in _rows(sample_store)}
    spa = by_key["spa-N2290311"]
    assert spa["duplicate_of"] is None and spa["canonical_reason"] == "earliest"
    for key in ("alyaum-6601234", "saudi:sabq", "saudi:okaz"):
        assert by_key[key]["duplicate_of"] == spa["id"], key
        assert by_key[key]["duplicate_reason"].startswith("near:"), key
    assert by_key["saudi:alriyadh"]["duplicate_reason"] == "exact"
    # independent write-ups of one event are never duplicates (samples README: Jaccard <= 0.17)
    for key in ("ARB-1152301", "SKY-1790412", "aja-3551207", "mayadeen-881203"):
        assert by_key[key]["duplicate_of"] is None, key


def test_story_rows_are_derived_from_their_members(sample_store: SQLiteStore) -> None:
    stories = sample_store.list_stories(members=True, limit=None)
    total = 0
    for s in stories:
        assert s["size"] == len(s["members"]) > 0
        assert sum(o["articles"] for o in s["outlets"]) == s["size"]
        dated = [m["published_at"] for m in s["members"] if m["published_at"]]
        assert sum(t["articles"] for t in s["timeline"]) == len(dated)
        assert s["headline"] in {m["title"] for m in s["members"]} | {""} or s["headline"]
        total += s["size"]
    assert total == sample_store.stats()["articles"]
    s4 = next(s for s in stories if any(m["source"] == "sabq" for m in s["members"]))
    assert s4["size"] == 5 and len(s4["outlets"]) == 5
    assert s4["first_seen"] <= s4["last_updated"]


def test_backfill_rebuilds_the_gold_stories_in_publication_order(sample_store: SQLiteStore, tmp_path: Path) -> None:
    copy = SQLiteStore(tmp_path / "copy.db")
    sample_store.conn.backup(copy.conn)
    summary = recluster(copy)
    rows = _rows(copy)
    assert summary["articles"] == len(rows)
    # undated articles have no time evidence; the glued, undated "read also" item (Kim and a destroyer) then
    # joins the North Korea missiles story in a backfill: a same-topic merge, reported in docs/benchmarks.md
    _check_gold_partition([r for r in rows if r["language"] != "en" and r["published_at"]])
    by_key = {_key(r): r for r in rows}
    spa = by_key["spa-N2290311"]["id"]
    assert {by_key[k]["duplicate_of"] for k in ("alyaum-6601234", "saudi:sabq", "saudi:okaz")} == {spa}


@pytest.mark.parametrize("consolidate", [None, 0.05], ids=["default", "consolidating"])
def test_a_stream_in_time_order_and_the_backfill_decide_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              consolidate: float | None) -> None:
    from marsad.stories import engine
    from marsad.times import timestamp as parse_time

    if consolidate is not None:     # the consolidation step on and eager: both paths must still agree
        monkeypatch.setattr(engine, "CONSOLIDATE_THRESHOLD", consolidate)

    lines = (SAMPLES / "wire" / "outlets-2025-04.jsonl").read_text("utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    dated = [r for r in records if parse_time(_iso(r.get("published")))]
    dated.sort(key=lambda r: parse_time(_iso(r["published"])) or 0.0)
    src = tmp_path / "ordered.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in dated), encoding="utf-8")
    stream = SQLiteStore(tmp_path / "stream.db")
    ingest([src], stream, IngestOptions())
    stories = {r["external_id"]: r["story_id"] for r in _rows(stream)}
    dups = {r["external_id"]: r["duplicate_of"] for r in _rows(stream)}
    recluster(stream)
    assert {r["external_id"]: r["story_id"] for r in _rows(stream)} == stories
    assert {r["external_id"]: r["duplicate_of"] for r in _rows(stream)} == dups


def _iso(value: str | None) -> str | None:
    """The sample's published field as the pipeline reads it (any of its 15 formats), ISO or None."""
    if not value:
        return None
    from marsad.text.dates import date_to_iso, parse_date

    try:
        return date_to_iso(parse_date(value))
    except Exception:
        return None


@pytest.mark.parametrize("consolidate", [None, 0.05], ids=["default", "consolidating"])
def test_two_runs_warm_start_from_the_store_like_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     consolidate: float | None) -> None:
    from marsad.stories import engine

    if consolidate is not None:
        monkeypatch.setattr(engine, "CONSOLIDATE_THRESHOLD", consolidate)
    wire = SAMPLES / "wire" / "outlets-2025-04.jsonl"
    lines = wire.read_text(encoding="utf-8").splitlines()
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text("\n".join(lines[:15]) + "\n", encoding="utf-8")
    second.write_text("\n".join(lines[15:]) + "\n", encoding="utf-8")
    one = SQLiteStore(tmp_path / "one.db")
    ingest([first, second], one, IngestOptions(enrich=True))
    two = SQLiteStore(tmp_path / "two.db")
    ingest([first], two, IngestOptions(enrich=True))
    ingest([second], two, IngestOptions(enrich=True))
    a = {r["external_id"]: r["story_id"] for r in _rows(one)}
    b = {r["external_id"]: r["story_id"] for r in _rows(two)}
    assert bcubed(b, a)["f1"] == 1.0


def test_a_store_failure_leaves_no_story_for_uncommitted_articles(tmp_path: Path) -> None:
    class Failing(SQLiteStore):
        def __init__(self, path: Path) -> None:
            super().__init__(path)
            self.n = 0

        def insert_article(self, article: Article, *, identity: str, duplicate_of: int | None) -> int:
            self.n += 1
            if self.n == 20:
                raise sqlite3.OperationalError("disk I/O error")
            return super().insert_article(article, identity=identity, duplicate_of=duplicate_of)

    db = tmp_path / "f.db"
    store = Failing(db)
    with pytest.raises(Exception, match="rolled back"):
        ingest([SAMPLES / "wire"], store, IngestOptions(batch_size=8))
    store.close()
    check = SQLiteStore(db)
    rows = _rows(check)
    assert rows and all(r["story_id"] is not None for r in rows)
    members = sum(s["size"] for s in check.list_stories(limit=None))
    assert members == len(rows)                       # no story counts an article that was rolled back
    ingest([SAMPLES / "wire"], check, IngestOptions(batch_size=8))
    assert all(r["story_id"] is not None for r in _rows(check))
    assert sum(s["size"] for s in check.list_stories(limit=None)) == check.stats()["articles"]


def test_ingest_without_clustering_leaves_stories_empty(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "n.db")
    report = ingest([SAMPLES / "wire"], store, IngestOptions(cluster=False, enrich=False))
    assert report.clustering == {}
    assert all(r["story_id"] is None for r in _rows(store))
    assert store.list_stories() == []


# -- command line ------------------------------------------------------------------------------------

def test_cli_stories_similarity_cluster_and_export(sample_store: SQLiteStore,
                                                   on_backend: Callable[[Path | str], str]) -> None:
    db = on_backend(sample_store.path)
    runner = CliRunner()
    out = runner.invoke(cli, ["stories", "--db", db, "--json", "--min-size", "2"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    sizes = sorted(s["size"] for s in data["stories"])
    assert sizes == [5, 5, 5, 5, 6, 8, 8]
    for s in data["stories"]:
        assert {"id", "headline", "summary", "first_seen", "last_updated", "members", "outlets", "entities",
                "keyphrases", "timeline"} <= set(s)
    by_key = {_key(r): r for r in _rows(sample_store)}
    spa, okaz, mayadeen = by_key["spa-N2290311"]["id"], by_key["saudi:okaz"]["id"], by_key["mayadeen-881203"]["id"]
    sim = json.loads(runner.invoke(cli, ["similarity", str(spa), str(okaz), "--db", db, "--json"]).output)
    assert sim["same_story"] and sim["near_duplicate"] and sim["stored_same_story"]
    assert 0.0 <= sim["score"] <= 1.0
    assert {"lexical", "semantic", "shared_entities", "jaccard", "fact_conflict"} <= set(sim["evidence"])
    other = json.loads(runner.invoke(cli, ["similarity", str(spa), str(mayadeen), "--db", db, "--json"]).output)
    assert not other["same_story"] and not other["near_duplicate"] and other["score"] < sim["score"]
    assert 0.0 <= other["event_similarity"] < sim["event_similarity"] <= 1.0      # graded: added, not renamed
    assert {"who", "what", "where", "when"} <= set(sim["evidence"]["event"])
    files = runner.invoke(cli, ["similarity", str(SAMPLES / "pages" / "news-article-utf8.html"),
                                str(SAMPLES / "pages" / "english-wire.html"), "--json", "--embedder", "none"])
    assert files.exit_code == 0, files.output
    assert json.loads(files.output)["same_story"] is False
    missing = runner.invoke(cli, ["similarity", "999999", str(spa), "--db", db])
    assert missing.exit_code != 0 and "no article 999999" in missing.output
    export = runner.invoke(cli, ["export", "--db", db])
    first = json.loads(export.output.splitlines()[0])
    assert "story_id" in first and "duplicate_of" in first and "duplicate_reason" in first
    rec = runner.invoke(cli, ["cluster", "--db", db, "--json"])
    assert rec.exit_code == 0, rec.output
    assert json.loads(rec.output)["stories"] == len(sample_store.list_stories(limit=None))


def test_story_coverage_is_drawn_per_hour() -> None:
    from marsad.cli.stories import sparkline

    line = sparkline([{"hour": "2025-04-17T10", "source": "a", "articles": 2},
                      {"hour": "2025-04-17T10", "source": "b", "articles": 2},
                      {"hour": "2025-04-17T13", "source": "a", "articles": 1}])
    assert line.startswith("█··▂") and "4 h from 2025-04-17T10:00 UTC, peak 4" in line


def test_undated_articles_are_clustered_at_their_crawl_time(tmp_path: Path) -> None:
    """An undated corpus (SaudiNewsNet keeps only the crawl time, ``date_extracted``) used to have no time
    evidence, so weeks of one war's coverage chained into one story. The crawl time now stands in."""
    wanted = [k for k in GOLD["S1"] if "-" in k and not k.startswith(("page:", "warc:"))]
    wire = (SAMPLES / "wire" / "outlets-2025-04.jsonl").read_text("utf-8")
    records = [json.loads(line) for line in wire.splitlines()]
    members = [r for r in records if r.get("id") in wanted]
    assert len(members) >= 4
    for r in members:
        r.pop("published", None)

    def run(name: str, crawled: list[str]) -> dict[str, Any]:
        src = tmp_path / f"{name}.jsonl"
        src.write_text("".join(json.dumps({**r, "date_extracted": c}, ensure_ascii=False) + "\n"
                               for r, c in zip(members, crawled, strict=True)), encoding="utf-8")
        store = SQLiteStore(tmp_path / f"{name}.db")
        ingest([src], store, IngestOptions())
        rows = _rows(store)
        assert all(r["published_at"] is None for r in rows)
        story_ids = {r["external_id"]: r["story_id"] for r in rows if r["duplicate_of"] is None}
        stories = {s: store.get_story(s, members=False) for s in set(story_ids.values())}
        recluster(store)
        backfilled = {r["external_id"]: r["story_id"] for r in _rows(store) if r["duplicate_of"] is None}
        return {"ids": story_ids, "stories": stories, "backfill": backfilled}

    half = len(members) // 2
    same_day = run("same", [f"2025-04-17 0{i}:30:00" for i in range(len(members))])
    assert len(set(same_day["ids"].values())) == 1
    story = next(iter(same_day["stories"].values()))
    assert story["first_seen"].startswith("2025-04-17") and story["last_updated"].startswith("2025-04-17")
    weeks = run("weeks", ["2025-04-17 08:00:00"] * half + ["2025-05-10 08:00:00"] * (len(members) - half))
    first = {weeks["ids"][r["id"]] for r in members[:half] if r["id"] in weeks["ids"]}
    later = {weeks["ids"][r["id"]] for r in members[half:] if r["id"] in weeks["ids"]}
    assert first and later and not first & later          # three weeks apart: not one story
    assert len(set(weeks["backfill"].values())) >= 2      # the backfill orders and dates them alike


def test_a_later_crawled_copy_of_an_undated_article_does_not_replace_its_canonical(tmp_path: Path) -> None:
    """Both undated: the copy crawled first stays the canonical (its crawl time is compared, not taken as
    missing); a copy crawled earlier than the stored one takes its place as the earliest."""
    wire = (SAMPLES / "wire" / "outlets-2025-04.jsonl").read_text("utf-8")
    original = max((json.loads(line) for line in wire.splitlines()), key=lambda r: len(r.get("text") or ""))
    original.pop("published", None)
    copy = {**original, "id": "copy-1", "url": "https://copy.example/1", "source": "copy",
            "text": "نقلاً عن وكالات الأنباء. " + original["text"]}

    def run(name: str, first: str, second: str) -> dict[str, Any]:
        src = tmp_path / f"{name}.jsonl"
        src.write_text(json.dumps({**original, "date_extracted": first}, ensure_ascii=False) + "\n"
                       + json.dumps({**copy, "date_extracted": second}, ensure_ascii=False) + "\n", encoding="utf-8")
        store = SQLiteStore(tmp_path / f"{name}.db")
        ingest([src], store, IngestOptions())
        return {r["external_id"]: r for r in _rows(store)}

    later = run("later", "2025-04-17 08:00:00", "2025-04-17 11:00:00")
    assert later[original["id"]]["duplicate_of"] is None
    assert later["copy-1"]["duplicate_of"] == later[original["id"]]["id"]
    earlier = run("earlier", "2025-04-17 11:00:00", "2025-04-17 08:00:00")
    assert earlier["copy-1"]["duplicate_of"] is None
    assert earlier[original["id"]]["duplicate_of"] == earlier["copy-1"]["id"]
