"""Related articles: the seed's situation as a golden test, plus MMR, time labels, section drift, collapsing,
the JSON contract and the CLI.

The seed page lists, under an article about Kim Jong Un's visit to Putin, the B-1B bomber story several times,
a North Korean warship twice, a Putin story about Gaza and an under-17 football match. The fixture
``tests/fixtures/related/seed-situation.jsonl`` recreates that situation with text written for this test (no
outlet text): the Kim–Putin article, one bomber-drill story covered by three outlets, one wire story published
by three outlets (an exact copy and a copy with a dateline and a "follow us" line), a warship story, an older
cruise-missile test, a football match and a Putin statement about Gaza. It goes through the real pipeline.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from marsad.cli import cli
from marsad.config import IngestOptions
from marsad.enrich.features import cosine
from marsad.errors import ConfigError, QueryError
from marsad.ingestion.pipeline import ingest
from marsad.query.related import (
    REASONS,
    RelatedOptions,
    _distinct_names,
    _Doc,
    age_label,
    drift,
    matter_cosine,
    mmr,
    related,
    similarity_matrix,
    term_cosine,
)
from marsad.query.related import _name_terms as rel_name_terms
from marsad.store.sqlite import SQLiteStore

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "related" / "seed-situation.jsonl"
BOMBER = ("bomber-1", "bomber-2", "bomber-3")
WIRE = ("wire-1", "wire-2", "wire-3")
ITEM_KEYS = {"id", "title", "source", "published_at", "url", "story_id", "reason", "score", "shared_entities",
             "background", "age_days", "collapsed"}


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[SQLiteStore, dict[str, int], Path]:
    db = tmp_path_factory.mktemp("related") / "seed.db"
    store = SQLiteStore(db)
    ingest([FIXTURE], store, IngestOptions()).check()
    ids = {r[0]: r[1] for r in store.conn.execute("SELECT external_id, id FROM articles")}
    return store, ids, db


def _entries(result: object) -> list[set[int]]:
    """Each item with what it folded: the ids one entry stands for."""
    return [{item.id, *item.collapsed} for item in result.items]  # type: ignore[attr-defined]


# -- the seed's situation ----------------------------------------------------------------------------------------
def test_pipeline_made_the_groups_the_test_relies_on(seed_store: tuple[SQLiteStore, dict[str, int], Path]) -> None:
    store, ids, _ = seed_store
    row = {k: store.get_article(v) for k, v in ids.items()}
    assert len({row[k]["story_id"] for k in BOMBER}) == 1                        # one story, three outlets
    assert row["wire-2"]["duplicate_of"] == ids["wire-1"] == row["wire-3"]["duplicate_of"]   # one copy group


def test_kim_putin_list_has_each_story_and_copy_group_once_and_no_football(
        seed_store: tuple[SQLiteStore, dict[str, int], Path]) -> None:
    store, ids, _ = seed_store
    result = related(store, ids["kim-putin"])
    shown = [item.id for item in result.items]
    entries = _entries(result)
    assert ids["football"] not in {i for e in entries for i in e}                 # no category drift
    assert ids["putin-gaza"] not in shown                                          # shares Putin, not the subject
    assert ids["kim-putin"] not in {i for e in entries for i in e}
    for group in (BOMBER, WIRE):
        members = {ids[k] for k in group}
        holding = [e for e in entries if e & members]
        assert len(holding) == 1, (group, entries)                                 # shown once ...
        assert members <= holding[0]                                               # ... with the others folded in
    assert len(shown) == len(set(shown))
    for item in result.items:
        assert item.reason in REASONS and 0.0 <= item.score <= 1.0
        assert isinstance(item.shared_entities, list) and item.age_days is not None
    wire_entry = next(i for i in result.items if i.id in {ids[k] for k in WIRE})
    assert wire_entry.id == ids["wire-1"]                                          # the canonical stands for copies
    assert wire_entry.shared_entities                                              # explained by name


def test_older_coverage_is_labelled_background(seed_store: tuple[SQLiteStore, dict[str, int], Path]) -> None:
    store, ids, _ = seed_store
    items = {i.id: i for i in related(store, ids["kim-putin"]).items}
    old = items[ids["old-cruise"]]
    assert old.background and old.age_days is not None and old.age_days > 20
    assert not any(i.background for k, i in items.items() if k != ids["old-cruise"])


def test_a_copy_never_lists_its_own_group_and_a_story_member_folds_its_story(
        seed_store: tuple[SQLiteStore, dict[str, int], Path]) -> None:
    store, ids, _ = seed_store
    wire_group = {ids[k] for k in WIRE}
    result = related(store, ids["wire-2"])
    assert result.article["id"] == ids["wire-2"]
    assert not {i for e in _entries(result) for i in e} & wire_group
    bomber = related(store, ids["bomber-1"])
    same = [i for i in bomber.items if i.reason == "same_story"]
    assert len(same) == 1                                                           # the story's coverage: one entry
    assert {ids["bomber-2"], ids["bomber-3"]} <= {same[0].id, *same[0].collapsed}
    assert bomber.items[0].reason == "same_story"                                   # relevant first


def test_json_contract(seed_store: tuple[SQLiteStore, dict[str, int], Path]) -> None:
    store, ids, _ = seed_store
    data = json.loads(json.dumps(related(store, ids["kim-putin"], RelatedOptions(k=3)).to_dict()))
    assert set(data) == {"article", "k", "items"} and data["k"] == 3
    assert set(data["article"]) == {"id", "title", "story_id"} and data["article"]["id"] == ids["kim-putin"]
    assert 1 <= len(data["items"]) <= 3
    for item in data["items"]:
        assert set(item) == ITEM_KEYS
        assert isinstance(item["collapsed"], list) and isinstance(item["background"], bool)
        assert all(isinstance(name, str) for name in item["shared_entities"])


def test_unknown_article_and_bad_options_say_what_to_do(seed_store: tuple[SQLiteStore, dict[str, int], Path]) -> None:
    store, _, _ = seed_store
    with pytest.raises(QueryError, match="no article 424242"):
        related(store, 424242)
    with pytest.raises(ConfigError, match="k must be"):
        RelatedOptions(k=0)
    with pytest.raises(ConfigError, match="mmr_lambda"):
        RelatedOptions(mmr_lambda=1.5)


# -- the parts -------------------------------------------------------------------------------------------------
def test_mmr_trades_relevance_for_novelty() -> None:
    scores = [0.9, 0.88, 0.6]
    sim = np.array([[1.0, 0.95, 0.1], [0.95, 1.0, 0.1], [0.1, 0.1, 1.0]], dtype=np.float32)
    assert mmr(scores, sim, 3, 1.0) == [0, 1, 2]               # relevance only
    assert mmr(scores, sim, 3, 0.6) == [0, 2, 1]               # the near-twin of the first waits
    assert mmr(scores, sim, 2, 0.6) == [0, 2]
    assert mmr([0.5, 0.5], np.eye(2, dtype=np.float32), 2, 0.7) == [0, 1]   # ties: the earlier first
    assert mmr([], np.zeros((0, 0), dtype=np.float32), 5, 0.7) == []


def test_age_labels() -> None:
    day = 86400.0
    assert age_label(100 * day, 90 * day, 7) == (10.0, True)
    assert age_label(100 * day, 95 * day, 7) == (5.0, False)
    assert age_label(100 * day, 103 * day, 7) == (-3.0, False)     # later coverage is never background
    assert age_label(None, 90 * day, 7) == (None, False)


def _doc(category: str | None, confidence: float = 0.95) -> _Doc:
    return _Doc(id=1, title="", source=None, published_at=None, url=None, story_id=None, duplicate_of=None,
                category=category, category_conf=confidence, keyphrases=frozenset(), time=None)


def test_section_drift() -> None:
    assert drift(_doc("politics"), _doc("sport")) == "far"
    assert drift(_doc("politics"), _doc("economy")) == "near"
    assert drift(_doc("politics"), _doc("sport", 0.4)) == "near"     # an unsure label is not evidence of drift
    assert drift(_doc("sport"), _doc("sport")) == "same"
    assert drift(_doc(None), _doc("sport")) == "same"


def test_term_cosine_is_the_sparse_cosine() -> None:
    rng = np.random.default_rng(7)
    words = [f"w{i}" for i in range(40)]
    for _ in range(50):
        a = {w: float(x) for w, x in zip(rng.choice(words, 12, replace=False), rng.random(12), strict=True)}
        b = {w: float(x) for w, x in zip(rng.choice(words, 20, replace=False), rng.random(20), strict=True)}
        assert term_cosine(a, b) == cosine(a, b) == term_cosine(b, a)


def test_similarity_matrix_takes_the_larger_of_embedding_and_term_cosine() -> None:
    docs = [_doc("politics") for _ in range(3)]
    for d, terms, emb in zip(docs, ({"a": 0.8, "b": 0.6}, {"a": 0.6, "b": 0.8}, {"c": 1.0}),
                             ([1.0, 0.0], [0.0, 1.0], [0.6, 0.8]), strict=True):
        d.terms, d.embedding = terms, np.array(emb, dtype=np.float32)
    sim = similarity_matrix(docs)
    assert sim[0, 1] == pytest.approx(0.96) and sim[1, 0] == sim[0, 1]        # terms beat embeddings (0.0)
    assert sim[0, 2] == pytest.approx(0.6) and sim[1, 2] == pytest.approx(0.8)  # embeddings beat terms (0.0)
    assert np.all(np.diag(sim) == 1.0)


def test_entity_weights_are_cached_until_the_store_grows(seed_store: tuple[SQLiteStore, dict[str, int], Path],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import marsad.query.related as rel

    store, ids, _ = seed_store
    reader = rel._Reader(store)
    entities = reader.entities([ids["kim-putin"]])[ids["kim-putin"]]
    assert entities
    fresh = rel._entity_weights(reader, entities)
    cache: dict[int, tuple[int, int]] = {}
    assert rel._entity_weights(reader, entities, cache) == fresh
    assert set(cache) == set(entities)
    counted: list[int] = []
    monkeypatch.setattr(rel._Reader, "document_frequency", lambda self, eid, cap: counted.append(eid) or 0)
    assert rel._entity_weights(reader, entities, cache) == fresh and counted == []   # answered from the cache
    monkeypatch.setattr(rel._Reader, "article_count", lambda self: 10_000)             # the store has grown
    rel._entity_weights(reader, entities, cache)
    assert sorted(counted) == sorted(entities)


def test_story_candidates_are_the_nearest_members(seed_store: tuple[SQLiteStore, dict[str, int], Path]) -> None:
    import marsad.query.related as rel

    store, ids, _ = seed_store
    index = rel._vector_index(store, ids["bomber-1"])
    assert index is not None
    held = [int(i) for i in index.ids]
    anchor = index.dense()[0].copy()
    scores = index.dense() @ anchor
    nearest = sorted(held[i] for i in np.argsort(-scores)[:3])
    assert rel._nearest(index, anchor, held, 3) == nearest
    assert rel._nearest(index, anchor, held[:2], 3) == held[:2]                 # fewer than k: all of them
    assert rel._nearest(None, None, [5, 3, 9], 2) == [3, 5]


def test_matter_cosine_leaves_the_names_out() -> None:
    a, b = _doc("sport"), _doc("sport")
    a.terms = {"نمر": 0.8, "صاب": 0.6}                 # Neymar, injury
    b.terms = {"نمر": 0.8, "نتقل": 0.6}                # Neymar, transfer
    assert term_cosine(a.terms, b.terms) == pytest.approx(0.64)     # the name alone makes them look alike
    a.names = rel_name_terms("نيمار")
    assert a.names == {"نمر"}
    assert matter_cosine(a, b) == 0.0                                # nothing shared but the name
    b.terms = {"نمر": 0.8, "صاب": 0.6}
    assert matter_cosine(a, b) == pytest.approx(1.0)                 # the same matter


def test_postings_are_read_from_the_index_alone(seed_store: tuple[SQLiteStore, dict[str, int], Path]) -> None:
    import marsad.query.related as rel

    store, ids, _ = seed_store
    plan = " ".join(str(tuple(r)) for r in store.conn.execute(
        "EXPLAIN QUERY PLAN SELECT article_id FROM article_entities WHERE entity_id = ? AND article_id < ? "
        "ORDER BY article_id DESC LIMIT ?", (1, 10, 5)))
    assert "COVERING INDEX article_entities_postings" in plan
    reader = rel._Reader(store)
    eid = next(iter(reader.entities([ids["kim-putin"]])[ids["kim-putin"]]))
    naming = sorted(r[0] for r in store.conn.execute(
        "SELECT DISTINCT article_id FROM article_entities WHERE entity_id = ?", (eid,)))
    got = reader.postings(eid, ids["kim-putin"], 100)
    assert sorted(set(got)) == sorted(set(naming) - {ids["kim-putin"]})          # all of them, never the article
    before = [i for i in naming if i < ids["kim-putin"]]
    after = [i for i in naming if i > ids["kim-putin"]]
    nearest = ([max(before)] if before else []) + ([min(after)] if after else [])
    assert reader.postings(eid, ids["kim-putin"], 2) == nearest                  # one on each side, the nearest


def test_shared_entity_names_drop_parts_of_longer_names() -> None:
    assert _distinct_names(["سعد الحريري", "الحريري", "لبنان", "لبنان"]) == ["سعد الحريري", "لبنان"]


# -- the CLI ---------------------------------------------------------------------------------------------------
def test_cli_json_human_and_unknown_id(seed_store: tuple[SQLiteStore, dict[str, int], Path],
                                      on_backend: Callable[[Path | str], str], tmp_path: Path) -> None:
    _, ids, path = seed_store
    db = on_backend(path)
    runner = CliRunner()
    out = runner.invoke(cli, ["related", str(ids["kim-putin"]), "--db", str(db), "--json", "--k", "5"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["article"]["id"] == ids["kim-putin"] and data["k"] == 5
    human = runner.invoke(cli, ["related", str(ids["kim-putin"]), "--db", str(db)])
    assert human.exit_code == 0, human.output
    assert "related to #" in human.output and "score" in human.output
    assert any(word in human.output for word in ("shared entities", "similar topic", "semantic", "same story"))
    missing = runner.invoke(cli, ["related", "424242", "--db", str(db)])
    assert missing.exit_code != 0 and "no article 424242" in missing.output
    assert runner.invoke(cli, ["related", "1", "--db", str(tmp_path / "none.db")]).exit_code != 0
