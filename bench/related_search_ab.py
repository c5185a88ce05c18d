"""A/B latency of ``related()`` or the lexical ranking: this checkout against an earlier git revision, in one
process, calls interleaved (ABAB..., the order alternating), so a machine shared with other jobs slows both alike.

    python bench/related_search_ab.py related --rev 676712b --db /tmp/rscale/related-1000000.db --calls 150
    python bench/related_search_ab.py lexical --rev 676712b --workdir /tmp/scale --n 1000000 --calls 150
    python bench/related_search_ab.py search --rev 9f0093c --workdir /tmp/scale --n 1000000 --calls 150 [--grouped]

``related``: the earlier ``src/marsad/query/related.py`` (read with ``git show REV:...``) against the current one, on
random article ids of a store (``bench/related_scale.py`` builds them). ``lexical``: the earlier
``store/sqlite_search.py`` search methods against the current ones, through ``marsad.query.engine.lexical_ranking``
(all words, then the any-word fallback) and the fallback alone, on the queries of ``bench/search_scale.py``.
``search``: the earlier ``query/engine.py`` and ``query/snippet.py`` against the current ones, the whole ``search()``
(k = 10: ranking, the hits' rows, snippets), after checking that both give the same answer.
Only the one module differs between A and B; everything else is this checkout.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]


def load_revision(rev: str, path: str, name: str) -> ModuleType:
    """The module at ``path`` as it was at git revision ``rev``."""
    source = subprocess.run(["git", "show", f"{rev}:{path}"], cwd=REPO, check=True, capture_output=True,
                            text=True).stdout
    spec = importlib.util.spec_from_loader(name, loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    exec(compile(source, f"{rev}:{path}", "exec"), module.__dict__)
    return module


def interleaved(calls: list[Callable[[], object]], a: Callable[[Callable[[], object]], None],
                b: Callable[[Callable[[], object]], None]) -> dict[str, list[float]]:
    """Run each call under A and under B, which goes first decided by a seeded coin per call (the second run of a
    call finds its pages cached; alternating by position would favour one side whenever the calls alternate in
    kind, as the queries of ``bench/search_scale.py`` do: whole headlines, then three words); seconds per call."""
    times: dict[str, list[float]] = {"before": [], "after": []}
    coin = random.Random(0)
    for call in calls:
        for name, setup in ((("before", a), ("after", b)) if coin.random() < 0.5 else (("after", b), ("before", a))):
            setup(call)
            start = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - start)
    return times


def report(label: str, times: dict[str, list[float]]) -> None:
    """Print p50 / p95 in ms for both sides."""
    for name, ts in times.items():
        ms = np.asarray(ts) * 1000
        print(f"{label} {name}: p50 {np.percentile(ms, 50):.1f} ms, p95 {np.percentile(ms, 95):.1f} ms, "
              f"n {len(ms)}")


def ab_related(rev: str, db: Path, calls: int, seed: int, db_after: Path | None = None) -> None:
    """related(): REV's module against the current one. With ``db_after`` (the same database under another path,
    e.g. a symlink, beside other vector index files) the current module reads that path's vector index and REV's
    the index of ``db``: a float32 index before, a float16 one after."""
    import marsad.query.related as current
    from marsad.query import vectors
    from marsad.store.sqlite import SQLiteStore

    old = load_revision(rev, "src/marsad/query/related.py", "related_before")
    store = SQLiteStore(db, readonly=True)
    indexes: dict[str, object] = {}
    if db_after is not None:
        other = SQLiteStore(db_after, readonly=True)
        indexes["before"] = vectors.get_index(store, "use")
        vectors.forget(store)                 # both paths are one database file: one registry entry
        indexes["after"] = vectors.get_index(other, "use")
        other.close()
        print(f"vector index before: {indexes['before'].matrix.dtype}, after: {indexes['after'].matrix.dtype}")
    top = store.conn.execute("SELECT max(id) FROM articles").fetchone()[0]
    rng = random.Random(seed)
    ids: list[int] = []
    while len(ids) < calls:
        row = store.conn.execute("SELECT id FROM articles WHERE id >= ? ORDER BY id LIMIT 1",
                                 (rng.randint(1, top),)).fetchone()
        if row:
            ids.append(row[0])
    which: dict[str, ModuleType] = {}

    def use(module: ModuleType) -> Callable[[Callable[[], object]], None]:
        def setup(_call: Callable[[], object]) -> None:
            which["m"] = module
            if indexes:
                with vectors._REGISTRY_LOCK:
                    vectors._registry(store)["use"] = indexes["before" if module is old else "after"]  # type: ignore[assignment]
        return setup

    work = [lambda i=i: which["m"].related(store, i) for i in ids]
    for module in (current, old):             # warm up (index load, caches), then check both give the same lists
        use(module)(work[0])
        module.related(store, ids[0])
    for i in ids[:5]:
        use(old)(work[0])
        a = old.related(store, i).to_dict()
        use(current)(work[0])
        assert a == current.related(store, i).to_dict(), f"different related lists for {i}"
    report("related", interleaved(work, use(old), use(current)))


def ab_lexical(rev: str, workdir: Path, n: int, calls: int, seed: int) -> None:
    """Lexical ranking: REV's store search methods against the current ones."""
    import marsad.store.sqlite_search as current
    from bench.search_scale import pick_queries
    from marsad.models import SearchFilters
    from marsad.query.engine import lexical_ranking
    from marsad.store import open_store
    from marsad.store.sqlite import SQLiteStore
    from marsad.text.analyzer import parse_query

    old = load_revision(rev, "src/marsad/store/sqlite_search.py", "sqlite_search_before")
    store = open_store(workdir / f"scale-{n}.db", readonly=True)
    queries = [parse_query(q) for q in pick_queries(workdir, calls, seed)]

    def use(module: ModuleType) -> Callable[[Callable[[], object]], None]:
        def setup(_call: Callable[[], object]) -> None:
            SQLiteStore.search_lexical = module.SQLiteSearch.search_lexical  # type: ignore[method-assign]
            SQLiteStore._informative_terms = module.SQLiteSearch._informative_terms  # type: ignore[method-assign]
        return setup

    ranking = [lambda q=q: lexical_ranking(store, q, 10, SearchFilters()) for q in queries]
    report("lexical ranking", interleaved(ranking, use(old), use(current)))
    fallback = [lambda q=q: store.search_lexical(q, k=10, filters=SearchFilters(), match_all=False) for q in queries]
    report("any-word fallback alone", interleaved(fallback, use(old), use(current)))


def ab_search(rev: str, workdir: Path, n: int, calls: int, seed: int, grouped: bool) -> None:
    """The whole lexical ``search()`` (ranking, hits, snippets; ``grouped``: by story, as the reader's search page):
    REV's ``query/engine.py`` with REV's ``query/snippet.py`` against the current ones; same store, same ranking
    code in the store (this checkout's)."""
    from bench.search_scale import pick_queries
    from marsad.query import engine as current
    from marsad.store import open_store
    from marsad.text.analyzer import parse_query

    old = load_revision(rev, "src/marsad/query/engine.py", "engine_before")
    old_snippet = load_revision(rev, "src/marsad/query/snippet.py", "snippet_before")
    for name in ("make_snippet", "highlight_spans", "Snippet", "SNIPPET_CHARS"):
        setattr(old, name, getattr(old_snippet, name))
    store = open_store(workdir / f"scale-{n}.db", readonly=True)
    queries = [parse_query(q) for q in pick_queries(workdir, calls, seed)]
    for q in queries[:3]:
        assert old.search(store, q, k=10, group_by_story=grouped).to_dict() == \
            current.search(store, q, k=10, group_by_story=grouped).to_dict()      # the same answer, hits and passages
    which: dict[str, ModuleType] = {}

    def use(module: ModuleType) -> Callable[[Callable[[], object]], None]:
        return lambda _call: which.__setitem__("m", module)

    work = [lambda q=q: which["m"].search(store, q, k=10, group_by_story=grouped) for q in queries]
    report("search grouped" if grouped else "search", interleaved(work, use(old), use(current)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["related", "lexical", "search"])
    ap.add_argument("--rev", required=True, help="the earlier git revision (A)")
    ap.add_argument("--db", type=Path, help="related: the store")
    ap.add_argument("--db-after", type=Path, help="related: the same store under another path with other vector files")
    ap.add_argument("--workdir", type=Path, help="lexical: the folder of bench/search_scale.py (--workdir)")
    ap.add_argument("--n", type=int, default=1_000_000, help="lexical: which scale-N.db")
    ap.add_argument("--calls", type=int, default=150)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--grouped", action="store_true", help="search: grouped by story (the reader's search page)")
    args = ap.parse_args()
    if args.what == "related":
        ab_related(args.rev, args.db, args.calls, args.seed, args.db_after)
    elif args.what == "lexical":
        ab_lexical(args.rev, args.workdir, args.n, args.calls, args.seed)
    else:
        ab_search(args.rev, args.workdir, args.n, args.calls, args.seed, args.grouped)


if __name__ == "__main__":
    main()
