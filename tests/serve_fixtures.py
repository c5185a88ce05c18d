"""Session-wide stores and apps for the reader's tests (tests/api, tests/web): built once, read-only after.

``sample_db``: the sample corpus plus the hostile pages of ``tests/fixtures/serve`` (script tags, event
handlers, ``javascript:`` links in titles, text, source names and URLs). ``ant_db``: one day of the ANT corpus
from its five outlets (about 250 real articles, stories across outlets), skipped locally without the data and
required under CI like every data test.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest

from marsad.config import IngestOptions
from marsad.ingestion.pipeline import ingest
from marsad.store import open_store
from tests.conftest import REPO, need_file

SERVE_FIXTURES = REPO / "tests" / "fixtures" / "serve"
ANT_DAY = "09 May 2018"
"""The busiest day of the ANT multi-source corpus (its records are sorted by outlet, so a day is a cross-section)."""


def build_store(path: Path | str, inputs: list[Path]) -> Path | str:
    """Ingest ``inputs`` into a new store at ``path`` (a SQLite path or a PostgreSQL DSN), enriched and clustered
    as `marsad ingest` does."""
    store = open_store(path)
    try:
        ingest([str(p) for p in inputs], store, IngestOptions())
    finally:
        store.close()
    return path


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample corpus and the hostile pages, in one store."""
    return Path(build_store(tmp_path_factory.mktemp("serve") / "sample.db", [REPO / "samples", SERVE_FIXTURES]))


def ant_records(data: Path, folder: Path) -> Path:
    """A JSONL file in ``folder`` of the ANT records published on ``ANT_DAY``."""
    source = need_file(data / "ant-multisource.jsonl.gz", "the ANT corpus")
    records = folder / "ant.jsonl"
    with gzip.open(source, "rt", encoding="utf-8") as fin:
        records.write_text("".join(line for line in fin if ANT_DAY in line), encoding="utf-8")
    return records


@pytest.fixture(scope="session")
def ant_db(data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ANT records published on ``ANT_DAY`` by its five outlets."""
    folder = tmp_path_factory.mktemp("serve-ant")
    return Path(build_store(folder / "ant.db", [ant_records(data, folder)]))


@pytest.fixture(scope="session")
def sample_store(sample_db: Path) -> Iterator[object]:
    """A read-only store over ``sample_db`` for expectations."""
    store = open_store(sample_db, readonly=True)
    yield store
    store.close()
