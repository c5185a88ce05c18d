"""A vector index over the stored article embeddings of one embedder, for semantic and hybrid search.

Exact search (numpy: one matrix product, top-k by dot product; the rows are L2-normalized, so it is the
cosine) while the index holds at most ``EXACT_MAX`` articles, where it is as fast as a graph and never
misses; above that a faiss ``IndexHNSWFlat`` with inner product. Measured at 100,000 vectors (M 32): hnswlib
built 15% faster and answered 10% faster (0.23 against 0.26 ms) at the same recall, too little to outweigh
faiss's wheel (hnswlib is an sdist needing a compiler) and its flat storage, read as a zero-copy numpy view
for the exact search of pre-filtered ids.

- **Memory**: the HNSW index keeps its vectors as float16 (faiss ``IndexHNSWSQ``, ``QT_fp16``): the stored
  embeddings are float16, so this loses nothing (the same values, the same graph and answers as float32) and
  halves the index's memory (1 GB instead of 2 GB for a million 512-dimension vectors). ``rows`` gives float32
  rows to score with; files written by float32 builds (``IndexHNSWFlat``) still load and work unchanged until
  ``marsad reindex --vectors`` rebuilds them.
- **Where**: ``<db>.vectors.<embedder>.npz`` (ids and, in exact mode, the float16 matrix) and, above the
  threshold, ``<db>.vectors.<embedder>.faiss``; in memory only for ``:memory:`` stores (or when the folder is
  not writable). Loaded lazily, once per process and store.
- **Up to date**: each query first adds the articles embedded since the index was built (ids above the last
  one it holds: ids only grow, and an article's features are written in its ingest batch), so results
  include articles ingested after the build. ``marsad reindex --vectors`` rebuilds from scratch (needed
  only after ``marsad cluster`` recomputed features of old articles, or to pick up copies promoted to
  canonical).
- **Copies**: articles with ``duplicate_of`` are left out of the index; a search that includes duplicates
  adds them by an exact pass over their stored embeddings.
- **Filters**: applied to semantic hits with the lexical search's SQL. Selective filters (at most
  ``PREFILTER_MAX`` articles pass) pre-filter: exact search over just those ids. Otherwise the index is
  over-fetched and hits post-filtered, fetching more until ``k`` pass (then exact over all passing ids).
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
import threading
import time
import weakref
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from marsad.errors import QueryError
from marsad.models import SearchFilters
from marsad.store.base import SearchStore, VectorStore


class SemanticStore(VectorStore, SearchStore, Protocol):
    """What semantic search asks of a store: its embeddings, and its filters (``SearchStore``'s id filters)."""


EXACT_MAX = 2_000
"""Up to this many vectors exact search (one numpy product) is used: HNSW answers faster from about 1,000-2,000
vectors on (0.11 against 0.18 ms at 2,000, 0.16 against 1.65 ms at 20,000; bench/search_scale.py), but below
that the graph saves nothing worth its build, and exact search never misses."""
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 64
HNSW_EF_SEARCH = 128
PREFILTER_MAX = 20_000
"""Filters passing at most this many articles are applied before the search (exact over those ids)."""
OVERFETCH = 4
MAX_FETCH = 4096
SAVE_EVERY = 1000
"""After an incremental update the files are rewritten once this many articles were added since the last save."""
INDEX_FORMAT = 1


@functools.cache
def _mode() -> int:
    """Permissions of a new file under the umask (``mkstemp`` would leave the index owner-only); read once, as
    reading it means setting it."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _faiss() -> Any:
    try:
        import faiss
    except ImportError as exc:  # pragma: no cover - a dependency of the project
        from marsad.errors import ConfigError
        raise ConfigError("semantic search needs the package faiss-cpu: pip install faiss-cpu") from exc
    return faiss


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` highest scores, best first (ties: lower position first)."""
    if k >= len(scores):
        return np.argsort(-scores, kind="stable")
    part = np.argpartition(-scores, k - 1)[:k]
    return part[np.lexsort((part, -scores[part]))]


@dataclass(slots=True)
class VectorStats:
    """What a build reports (``marsad reindex --vectors``)."""

    embedder: str
    vectors: int
    kind: str            # "exact" or "hnsw"
    seconds: float
    bytes: int | None    # size of the files (None for an in-memory index)

    def to_dict(self) -> dict[str, Any]:
        """The stats as JSON."""
        return {"embedder": self.embedder, "vectors": self.vectors, "kind": self.kind, "seconds": self.seconds,
                "bytes": self.bytes, "location": "files" if self.bytes is not None else "memory"}


class VectorIndex:
    """The embeddings of one embedder's canonical articles: exact (numpy) or HNSW (faiss), with an id map."""

    def __init__(self, embedder: str, dim: int, *, path: Path | None = None, exact_max: int = EXACT_MAX) -> None:
        if dim <= 0:
            raise ValueError(f"dim must be positive, not {dim}")
        self.embedder = embedder
        self.dim = dim
        self.path = path                      # <db>.vectors.<embedder> (suffixes added) or None
        self.exact_max = exact_max
        self.ids = np.zeros(0, dtype=np.int64)
        self._matrix = np.zeros((0, dim), dtype=np.float32)   # exact mode only
        self._hnsw: Any = None
        self._dense: np.ndarray | None = None     # float32 copy of a float16 matrix (``dense``)
        self.last_id = 0                      # the highest features id seen (added or skipped)
        self._unsaved = 0
        self.lock = threading.Lock()

    # -- size and kind ----------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.ids)

    @property
    def kind(self) -> str:
        """``exact`` or ``hnsw``."""
        return "exact" if self._hnsw is None else "hnsw"

    @property
    def matrix(self) -> np.ndarray:
        """All vectors, one row per id: a view, no copy, in both modes; float32, or float16 in an HNSW index
        built with float16 storage (score with ``rows`` / ``dense``, which give float32)."""
        if self._hnsw is None:
            return self._matrix
        faiss = _faiss()
        storage = faiss.downcast_index(self._hnsw.storage)
        n = len(self.ids)
        if isinstance(storage, faiss.IndexScalarQuantizer):      # QT_fp16: the codes are the float16 values
            codes = faiss.rev_swig_ptr(storage.codes.data(), n * self.dim * 2)
            return np.frombuffer(codes, dtype=np.float16).reshape(n, self.dim)
        return faiss.rev_swig_ptr(storage.get_xb(), n * self.dim).reshape(n, self.dim)

    def rows(self, pos: np.ndarray) -> np.ndarray:
        """The vectors at positions ``pos`` as float32 (a copy)."""
        return np.asarray(self.matrix[pos], dtype=np.float32)

    def dense(self) -> np.ndarray:
        """All vectors as float32: the matrix itself when it is float32, else a float32 copy kept until the
        index grows (for exact scans of small indexes; a million vectors would double the memory)."""
        matrix = self.matrix
        if matrix.dtype == np.float32:
            return matrix
        cached = self._dense
        if cached is None or len(cached) != len(matrix):
            cached = matrix.astype(np.float32)
            self._dense = cached
        return cached

    # -- building -----------------------------------------------------------------------------------
    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Append vectors (ids above every id already held); switch to HNSW past ``exact_max``."""
        if len(ids) == 0:
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.shape != (len(ids), self.dim):
            raise ValueError(f"vectors of shape {vectors.shape} for {len(ids)} ids of dimension {self.dim}: "
                             "the store holds embeddings of another size under this embedder name")
        self.ids = np.concatenate([self.ids, np.asarray(ids, dtype=np.int64)])
        if self._hnsw is not None:
            self._hnsw.add(vectors)
        elif len(self.ids) > self.exact_max:
            self._hnsw = self._new_hnsw()
            self._hnsw.add(np.concatenate([self._matrix, vectors]))
            self._matrix = np.zeros((0, self.dim), dtype=np.float32)
        else:
            self._matrix = np.concatenate([self._matrix, vectors])
        self._unsaved += len(ids)

    def _new_hnsw(self) -> Any:
        faiss = _faiss()
        index = faiss.IndexHNSWSQ(self.dim, faiss.ScalarQuantizer.QT_fp16, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
        return index

    # -- searching -------------------------------------------------------------------------------------
    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The ``k`` nearest (article id, cosine), best first."""
        n = len(self.ids)
        if n == 0 or k <= 0:
            return []
        q = np.ascontiguousarray(query, dtype=np.float32).reshape(1, self.dim)
        if self._hnsw is None:
            scores = self._matrix @ q[0]
            top = _top(scores, min(k, n))
            return [(int(self.ids[i]), float(scores[i])) for i in top]
        self._hnsw.hnsw.efSearch = max(HNSW_EF_SEARCH, k)
        dist, pos = self._hnsw.search(q, min(k, n))
        return [(int(self.ids[p]), float(d)) for d, p in zip(dist[0], pos[0], strict=True) if p >= 0]

    def search_among(self, query: np.ndarray, ids: list[int], k: int) -> list[tuple[int, float]]:
        """Exact search restricted to ``ids`` (those the index holds)."""
        if not ids or len(self.ids) == 0:
            return []
        wanted = np.asarray(ids, dtype=np.int64)
        pos = np.clip(np.searchsorted(self.ids, wanted), 0, len(self.ids) - 1)   # ids are held in ascending order
        pos = np.unique(pos[self.ids[pos] == wanted])
        if len(pos) == 0:
            return []
        scores = self.rows(pos) @ np.asarray(query, dtype=np.float32).reshape(self.dim)
        top = _top(scores, min(k, len(pos)))
        return [(int(self.ids[pos[i]]), float(scores[i])) for i in top]

    # -- files ---------------------------------------------------------------------------------------------
    def save(self) -> int | None:
        """Write the index files (atomically: temp file, then rename); return their size, None if in memory."""
        if self.path is None:
            return None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        meta = {"format": INDEX_FORMAT, "embedder": self.embedder, "dim": self.dim, "last_id": self.last_id,
                "kind": self.kind}
        npz = Path(str(self.path) + ".npz")
        faiss_file = Path(str(self.path) + ".faiss")
        arrays: dict[str, np.ndarray] = {"ids": self.ids, "meta": np.frombuffer(json.dumps(meta).encode(), np.uint8)}
        if self._hnsw is None:
            arrays["matrix"] = self._matrix.astype(np.float16)
        else:
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".faiss.tmp")
            os.close(fd)
            _faiss().write_index(self._hnsw, tmp)
            os.chmod(tmp, _mode())
            os.replace(tmp, faiss_file)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".npz.tmp")
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)  # type: ignore[arg-type]  # numpy's stub types **kwds as the allow_pickle flag
        os.chmod(tmp, _mode())
        os.replace(tmp, npz)
        if self._hnsw is None and faiss_file.exists():
            faiss_file.unlink()
        self._unsaved = 0
        return npz.stat().st_size + (faiss_file.stat().st_size if self._hnsw is not None else 0)

    @classmethod
    def load(cls, path: Path, embedder: str, *, exact_max: int = EXACT_MAX) -> VectorIndex | None:
        """The index saved at ``path`` for ``embedder``, or None when missing, unreadable or of another format."""
        npz = Path(str(path) + ".npz")
        if not npz.exists():
            return None
        try:
            with np.load(npz) as data:
                meta = json.loads(bytes(data["meta"]).decode())
                if meta.get("format") != INDEX_FORMAT or meta.get("embedder") != embedder:
                    return None
                index = cls(embedder, int(meta["dim"]), path=path, exact_max=exact_max)
                index.ids = data["ids"].astype(np.int64)
                index.last_id = int(meta["last_id"])
                if meta["kind"] == "exact":
                    index._matrix = data["matrix"].astype(np.float32)
                else:
                    index._hnsw = _faiss().read_index(str(path) + ".faiss")
                    if index._hnsw.ntotal != len(index.ids):
                        return None
        except (OSError, ValueError, KeyError, RuntimeError):
            return None
        return index


# -- the registry: one lazily loaded index per (database file, embedder) --------------------------------
# Keyed by the database file (path, device, inode), not by the Store object: a server opens one connection per
# thread, and they must share one index in memory and one writer of its files. In-memory stores key by object.

_INDEXES: weakref.WeakKeyDictionary[VectorStore, dict[str, VectorIndex]] = weakref.WeakKeyDictionary()
_FILE_INDEXES: dict[tuple[str, int, int], dict[str, VectorIndex]] = {}
_REGISTRY_LOCK = threading.Lock()


def _registry(store: VectorStore) -> dict[str, VectorIndex]:
    """The embedder -> index map of the store's database (call with ``_REGISTRY_LOCK`` held)."""
    db = store.sidecar_path("")
    if db is not None:
        try:
            st = os.stat(db)
        except OSError:
            pass
        else:
            return _FILE_INDEXES.setdefault((str(db.resolve()), st.st_dev, st.st_ino), {})
    return _INDEXES.setdefault(store, {})


def index_path(store: VectorStore, embedder: str) -> Path | None:
    """``<db>.vectors.<embedder>`` (the files add ``.npz`` / ``.faiss``), None for in-memory stores."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in embedder)
    return store.sidecar_path(f".vectors.{safe}")


def _fill(store: VectorStore, index: VectorIndex, *, after_id: int) -> int:
    """Add the canonical articles embedded by the index's embedder with id > ``after_id``; return how many."""
    top = store.max_features_id()
    added = 0
    for ids, matrix in store.iter_embeddings(index.embedder, after_id=after_id, duplicates=False):
        keep = ids <= top                     # rows written meanwhile come with the next update, not twice
        index.add(ids[keep], matrix[keep])
        added += int(keep.sum())
    index.last_id = max(index.last_id, top)
    return added


def _writable(path: Path | None) -> Path | None:
    return path if path is not None and os.access(path.parent, os.W_OK) else None


def build_index(store: VectorStore, embedder: str, *, exact_max: int = EXACT_MAX, save: bool = True) -> VectorStats:
    """Build the index of ``embedder`` from scratch (``marsad reindex --vectors``); keep it for later queries."""
    started = time.perf_counter()
    dim = _stored_dim(store, embedder)
    index = VectorIndex(embedder, dim, path=_writable(index_path(store, embedder)) if save else None,
                        exact_max=exact_max)
    _fill(store, index, after_id=0)
    size = index.save()
    with _REGISTRY_LOCK:
        _registry(store)[embedder] = index
    return VectorStats(embedder, len(index), index.kind, round(time.perf_counter() - started, 3), size)


def _stored_dim(store: VectorStore, embedder: str) -> int:
    for _, matrix in store.iter_embeddings(embedder, duplicates=None, batch=1):
        return int(matrix.shape[1])
    raise QueryError(_no_embeddings(store, embedder))


def _no_embeddings(store: VectorStore, embedder: str | None) -> str:
    counts = store.embedder_counts()
    if not counts:
        return ("the store has no article embeddings, so semantic search has nothing to search: ingest with "
                "--embedder use (the default) or run `marsad cluster --embedder use`")
    have = ", ".join(f"{name} ({n:,} of the latest articles)" for name, n in counts.items())
    return f"no articles embedded with {embedder!r} in the store: it has {have}; pass --embedder with one of them"


def get_index(store: VectorStore, embedder: str) -> VectorIndex:
    """The index of ``embedder`` for ``store``: loaded (or built) once, then brought up to date on each call."""
    with _REGISTRY_LOCK:
        index = _registry(store).get(embedder)
    if index is None:
        path = index_path(store, embedder)
        index = VectorIndex.load(path, embedder) if path is not None else None
        if index is not None and index.last_id > store.max_features_id():
            index = None                              # the files belong to another (older) database
        if index is None:
            dim = _stored_dim(store, embedder)
            index = VectorIndex(embedder, dim, path=_writable(path))
        with _REGISTRY_LOCK:
            index = _registry(store).setdefault(embedder, index)
    with index.lock:
        if store.max_features_id() > index.last_id:
            _fill(store, index, after_id=index.last_id)
            if index.path is not None and index._unsaved >= min(SAVE_EVERY, max(len(index), 1)):
                try:
                    index.save()
                except OSError:
                    index.path = None                 # keep serving from memory
    return index


_DEFAULT: weakref.WeakKeyDictionary[VectorStore, tuple[int, str]] = weakref.WeakKeyDictionary()


def default_embedder(store: VectorStore) -> str:
    """The embedder most of the store's (latest) articles were embedded with, or a ``QueryError``; looked up
    again only when articles were added."""
    top = store.max_features_id()
    cached = _DEFAULT.get(store)
    if cached is not None and cached[0] == top:
        return cached[1]
    counts = store.embedder_counts()
    if not counts:
        raise QueryError(_no_embeddings(store, None))
    name = next(iter(counts))
    _DEFAULT[store] = (top, name)
    return name


def _is_selective(filters: SearchFilters) -> bool:
    return filters != replace(SearchFilters(), include_duplicates=filters.include_duplicates)


def semantic_ranking(store: SemanticStore, query_vector: np.ndarray, k: int, filters: SearchFilters, *,
                     embedder: str) -> list[tuple[int, float]]:
    """The ``k`` articles nearest ``query_vector`` among those passing ``filters``: (id, cosine), best first."""
    index = get_index(store, embedder)
    if len(index) == 0 and not filters.include_duplicates:
        return []
    if _is_selective(filters):
        allowed = store.filtered_article_ids(filters, limit=PREFILTER_MAX)
        if allowed is not None:
            return _with_copies(store, index, query_vector, index.search_among(query_vector, allowed, k), k,
                                filters, allowed=set(allowed))
    fetch = max(k * OVERFETCH, 50) if _is_selective(filters) or filters.include_duplicates else k
    while True:
        found = index.search(query_vector, fetch)
        keep = store.filter_article_ids([i for i, _ in found], filters)   # also drops copies made since the build
        hits = [(i, s) for i, s in found if i in keep]
        if len(hits) >= k or len(found) < fetch or fetch >= len(index):
            return _with_copies(store, index, query_vector, hits[:k], k, filters)
        if fetch >= MAX_FETCH:
            every = store.filtered_article_ids(filters, limit=None) or []
            return _with_copies(store, index, query_vector, index.search_among(query_vector, every, k), k,
                                filters, allowed=set(every))
        fetch = min(fetch * 4, MAX_FETCH)


def _with_copies(store: SemanticStore, index: VectorIndex, query_vector: np.ndarray, hits: list[tuple[int, float]],
                 k: int, filters: SearchFilters, *, allowed: set[int] | None = None) -> list[tuple[int, float]]:
    """``hits`` plus, when the filters include duplicates, the nearest copies (exact over their embeddings)."""
    if not filters.include_duplicates:
        return hits
    q = np.asarray(query_vector, dtype=np.float32).reshape(index.dim)
    copies: list[tuple[int, float]] = []
    for ids, matrix in store.iter_embeddings(index.embedder, duplicates=True):
        scores = matrix.astype(np.float32) @ q
        copies.extend((int(ids[i]), float(scores[i])) for i in _top(scores, min(k * OVERFETCH, len(ids))))
    keep = store.filter_article_ids([i for i, _ in copies], filters) if allowed is None else allowed
    merged = hits + [(i, s) for i, s in copies if i in keep]
    return sorted(merged, key=lambda pair: (-pair[1], pair[0]))[:k]


def forget(store: VectorStore) -> None:
    """Drop the in-memory indexes of ``store`` (tests; the next query reloads them)."""
    with _REGISTRY_LOCK:
        _registry(store).clear()
        _INDEXES.pop(store, None)
