"""Ingest on a Dask cluster (``--dask ADDRESS``): the per-article work on workers, the decisions here, in order.

::

    client (marsad ingest --dask ...)                      Dask workers (any machine)
    split_inputs(paths) -> parts ── submit(part) ────────▶ read_part (the worker reads the file itself)
      (files; JSONL cut into line ranges)                    -> extract, hash, enrich, embed, features
    results taken back in submission order ◀──────────── [(input, Extracted | rejection)] per part
      -> the decision step (duplicates, stories) and the writer, exactly as a single process runs them

**Same answers as one machine.** A part's result is the list of ``(input, result)`` pairs that
``pipeline.extract_stream`` yields for the same inputs (the same function, ``_extract_safe``, runs on the worker),
and parts are consumed in the order they were submitted, whatever order the workers finish them in. So the
decision step sees the same records in the same order as ``marsad ingest`` without ``--dask``: the same articles,
``duplicate_of`` links and stories. Only the per-article work (pure functions of one input) is distributed.

**Faults.** A part is a pure task: when a worker dies, Dask reruns its parts on another worker (``retries`` more
for parts whose worker died mid-task). A client killed mid-run loses only uncommitted batches; a rerun skips the
inputs already stored (by identity and content hash), so nothing is lost or stored twice.

**Flow control.** At most ``window`` parts are in flight (submitted, not yet consumed): the client's memory stays
bounded and the workers stay busy while the writer works through the oldest result.

``local:N`` starts a ``LocalCluster`` of N worker processes (one thread each: the models are not thread-safe
and the GIL would serialize them anyway); ``tcp://HOST:8786`` joins a running scheduler (see docs/scaling.md).
"""

from __future__ import annotations

import collections
import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from marsad.config import ExtractOptions
from marsad.errors import ConfigError, InputError
from marsad.models import RawDocument
from marsad.sources.files import InputPart, read_part, split_inputs

DEFAULT_LINES_PER_PART = 100
"""JSONL lines a worker reads per task: a few seconds of enrichment, small enough to spread over the workers."""


@dataclass
class ClusterStatus:
    """What the progress bar shows about the cluster: workers and parts in flight."""

    workers: int = 0
    queued: int = 0
    parts: int = 0
    done: int = 0


def parse_address(address: str) -> tuple[str, int | str]:
    """``local:N`` -> ("local", N); ``tcp://HOST:PORT`` (or ``tls://``) -> ("remote", address); else ConfigError."""
    if address.startswith("local:"):
        count = address.split(":", 1)[1]
        if not count.isdigit() or int(count) < 1:
            raise ConfigError(f"--dask {address!r}: local:N needs a number of workers, at least 1 (local:2)")
        return "local", int(count)
    if address.startswith(("tcp://", "tls://", "inproc://")) and len(address.split("://", 1)[1]) > 0:
        return "remote", address
    raise ConfigError(f"--dask {address!r}: give local:N (N worker processes here) or tcp://HOST:8786 (a running "
                      "Dask scheduler)")


@contextlib.contextmanager
def connect(address: str) -> Iterator[Any]:
    """A ``distributed.Client`` for ``address`` (``parse_address``), closed (with its local cluster) at the end."""
    kind, where = parse_address(address)
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise ConfigError("--dask needs the 'distributed' package: pip install 'dask[distributed]'") from exc
    if kind == "local":
        cluster = LocalCluster(n_workers=int(where), threads_per_worker=1, processes=True,
                               dashboard_address=":0")
        client = Client(cluster)
        try:
            yield client
        finally:
            client.close()
            cluster.close()
        return
    try:
        client = Client(str(where), timeout="20s")
    except OSError as exc:
        raise ConfigError(f"--dask {address}: cannot reach the scheduler ({exc})") from exc
    try:
        yield client
    finally:
        client.close()


def _run_part(part: InputPart, max_input_bytes: int, source: str | None, options: ExtractOptions, enrich: bool,
              embedder: str | None) -> list[tuple[RawDocument | InputError, Any]]:
    """On a worker: read one part and do the per-article work, as ``pipeline.extract_stream`` does in one process."""
    from marsad.ingestion.work import _extract_safe

    return [(item, None if isinstance(item, InputError) else _extract_safe(item, options, enrich, embedder))
            for item in read_part(part, max_input_bytes=max_input_bytes, source=source)]


def _features_part(articles: list[Any], embedder: str | None) -> list[Any]:
    """On a worker: the clustering features of some articles (what ``Clusterer.features_for`` would compute)."""
    from marsad.enrich.features import article_features

    return [article_features(article, embedder) for article in articles]


def features_on(client: Any, embedder: str | None, *, per_task: int = 25) -> Any:
    """A ``compute`` for ``clustering.recluster``: a batch's missing features computed on the cluster, in order."""

    def compute(articles: list[Any]) -> list[Any]:
        parts = [articles[i:i + per_task] for i in range(0, len(articles), per_task)]
        futures = [client.submit(_features_part, part, embedder, pure=False, retries=3) for part in parts]
        return [feats for future in futures for feats in future.result()]

    return compute


def dask_stream(client: Any, paths: Sequence[str | Path], options: ExtractOptions, *, max_input_bytes: int,
                source: str | None, enrich: bool, embedder: str | None,
                lines_per_part: int = DEFAULT_LINES_PER_PART, window: int | None = None,
                status: ClusterStatus | None = None) -> Iterator[tuple[RawDocument | InputError, Any]]:
    """Yield (input, result) pairs in input order, the results computed on the cluster's workers."""
    status = status or ClusterStatus()
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    window = window or 4 * workers
    pending: collections.deque[Any] = collections.deque()     # futures, and reading errors in their place

    def oldest() -> Iterator[tuple[RawDocument | InputError, Any]]:
        head = pending.popleft()
        status.queued = sum(1 for p in pending if not isinstance(p, InputError))
        if isinstance(head, InputError):
            yield head, None
            return
        pairs = head.result()
        status.done += 1
        status.workers = len(client.scheduler_info().get("workers", {}))
        yield from pairs

    for part in split_inputs(paths, lines_per_part=lines_per_part):
        if isinstance(part, InputError):
            pending.append(part)
            continue
        pending.append(client.submit(_run_part, part, max_input_bytes, source, options, enrich, embedder,
                                     pure=False, retries=3))
        status.parts += 1
        while sum(1 for p in pending if not isinstance(p, InputError)) >= window:
            yield from oldest()
    while pending:
        yield from oldest()
