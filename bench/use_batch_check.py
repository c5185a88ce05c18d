"""Would batching the USE encoder across articles change what is stored? (issue 18 item 1: kept only if not.)

    python bench/use_batch_check.py [--articles 400] [--batch 8]

The embedding texts of the first ``--articles`` articles of the throughput bench's corpus, encoded one at a time
(what the pipeline does) and in batches: CPU ms per article of each, the largest difference, and how many rows
differ once stored (the store keeps embeddings as float16, ``Features.to_row``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]

import numpy as np  # noqa: E402

from bench.throughput_bench import corpus  # noqa: E402


def main() -> None:
    from marsad.config import IngestOptions
    from marsad.enrich.embed import embedding_text, get_embedder
    from marsad.extraction import extract
    from marsad.sources.files import iter_inputs

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=400)
    ap.add_argument("--batch", type=int, default=8)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        texts = [embedding_text(art.display_title or art.title, art.text)
                 for raw in iter_inputs([corpus(a.articles, Path(tmp))]) if hasattr(raw, "sha256")
                 for art in extract(raw, IngestOptions().extract)]
    enc = get_embedder("use")
    assert enc is not None
    enc.encode(["نص قصير"])
    t = time.process_time()
    one = np.vstack([enc.encode([s]) for s in texts])
    one_ms = (time.process_time() - t) * 1000 / len(texts)
    t = time.process_time()
    many = np.vstack([enc.encode(texts[i:i + a.batch]) for i in range(0, len(texts), a.batch)])
    many_ms = (time.process_time() - t) * 1000 / len(texts)
    diff = np.abs(one - many)
    stored = (one.astype(np.float16) != many.astype(np.float16)).any(axis=1)
    print(f"{len(texts)} articles: one at a time {one_ms:.2f} CPU ms/article, batches of {a.batch} {many_ms:.2f}; "
          f"largest difference {diff.max():.2e}; rows differing {(diff.max(axis=1) > 0).sum()} in float32, "
          f"{stored.sum()} as stored (float16)")


if __name__ == "__main__":
    main()
