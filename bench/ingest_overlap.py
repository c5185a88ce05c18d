"""Does `marsad ingest --workers N` keep its workers busy? Where the parent's wall goes, and the memory of the run.

    python bench/ingest_overlap.py [--articles 1000] [--workers 2]

The same articles as ``bench/throughput_bench.py`` (half ANT May 2018, half SaudiNewsNet), ingested in this
process with ``IngestOptions(workers=N)`` (full pipeline: enrichment, USE embeddings, near-duplicates, stories):

- the parent's wall time blocked waiting for the workers' results (``ApplyResult.get``): when it is most of the
  wall, the workers are the bottleneck and the decision step and the writer do not idle them;
- the parent's CPU (reading, unpickling results, deciding, writing; loading the models before the workers fork)
  and the workers' CPU (user + system);
- the peak of the summed proportional set size (PSS, from ``/proc/PID/smaps_rollup``, sampled every 0.5 s) of the
  parent and its workers: memory the workers share with the parent (models loaded before the fork) counts once.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing.pool
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]

from bench.throughput_bench import corpus  # noqa: E402


def _pss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as fh:
            out += [int(c) for c in fh.read().split()]
    return out


def run(path: Path, db: Path, workers: int) -> dict[str, Any]:
    """Ingest ``path`` into a new store at ``db`` with ``workers`` processes; the figures above."""
    from marsad.config import IngestOptions
    from marsad.ingestion.pipeline import ingest
    from marsad.store import open_store

    blocked = [0.0]
    real_get = multiprocessing.pool.ApplyResult.get

    def timed_get(self: Any, timeout: float | None = None) -> Any:
        t = time.perf_counter()
        try:
            return real_get(self, timeout)
        finally:
            blocked[0] += time.perf_counter() - t

    peak = [0.0]
    stop = threading.Event()

    def sample() -> None:
        me = os.getpid()
        while not stop.is_set():
            peak[0] = max(peak[0], _pss_mb(me) + sum(_pss_mb(c) for c in _children(me)))
            time.sleep(0.5)

    multiprocessing.pool.ApplyResult.get = timed_get  # type: ignore[method-assign]
    threading.Thread(target=sample, daemon=True).start()
    store = open_store(db)
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        report = ingest([str(path)], store, IngestOptions(workers=workers, progress=False))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        stop.set()
        store.close()
        multiprocessing.pool.ApplyResult.get = real_get  # type: ignore[method-assign]
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"articles": report.articles_found, "wall_s": round(wall, 1),
            "articles_per_s": round(report.articles_found / wall, 1),
            "parent_blocked_on_workers_s": round(blocked[0], 1), "parent_cpu_s": round(cpu, 1),
            "workers_cpu_s": round(kids.ru_utime + kids.ru_stime, 1), "peak_total_pss_mb": round(peak[0]),
            "parent_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "largest_worker_peak_rss_mb": round(kids.ru_maxrss / 1024), "load": os.getloadavg()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = corpus(a.articles, Path(tmp))
        print(json.dumps(run(path, Path(tmp) / "overlap.db", a.workers)))


if __name__ == "__main__":
    main()
