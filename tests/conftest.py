"""Shared fixtures: real data from ../shared (or $MARSAD_DATA), skipped with a reason when absent,
but required under CI (CI=true)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from marsad.config import data_dir
from tests.pgserver import PgServer, server_bin

REPO = Path(__file__).resolve().parents[1]
SEED = REPO.parent / "shared" / "seed" / "000_c7426974ea916e2a.txt"

pytest_plugins = ["tests.serve_fixtures"]   # the reader's shared stores (tests/api, tests/web)


def _need(path: Path, what: str) -> Path:
    if path.exists():
        return path
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} is required under CI but missing at {path} (set MARSAD_DATA)")
    pytest.skip(f"{what} not found at {path}; set MARSAD_DATA or put ../shared beside the repo")


@pytest.fixture(scope="session")
def data() -> Path:
    """The folder of real data sets."""
    return _need(data_dir(), "the shared data folder")


@pytest.fixture(scope="session")
def seed_path() -> Path:
    """The seed aggregator page the project started from."""
    env = os.environ.get("MARSAD_SEED")
    return _need(Path(env) if env else SEED, "the seed page")


@pytest.fixture(scope="session")
def seed_bytes(seed_path: Path) -> bytes:
    """Raw bytes of the seed page."""
    return seed_path.read_bytes()


def need_file(path: Path, what: str) -> Path:
    """Skip (or fail under CI) when a data file is absent."""
    return _need(path, what)


# Whole folders and modules that are slow by nature (real corpora, a browser, a fresh install, schema fuzzing):
# marked here so that `pytest -m "not slow"` is the quick loop (about a minute) and nobody has to remember a mark.
SLOW_PARTS = ("tests/quality/", "tests/web/", "tests/install/", "tests/api/test_ant.py", "tests/api/test_schema.py")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test under ``SLOW_PARTS`` slow."""
    for item in items:
        path = item.path.relative_to(REPO).as_posix()
        if path.startswith(SLOW_PARTS):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A throwaway PostgreSQL server for the session (skipped locally without PostgreSQL, required under CI)."""
    if server_bin() is None and not os.environ.get("MARSAD_TEST_PG"):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("PostgreSQL is required under CI: scripts/test.sh installs it (apt-get install postgresql)")
        pytest.skip("PostgreSQL is not installed: apt-get install postgresql (scripts/test.sh does it)")
    server = PgServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture()
def pg_dsn(pg_server: PgServer) -> Iterator[str]:
    """The DSN of an empty database on the session's server, dropped after the test."""
    dsn = pg_server.new_database()
    yield dsn
    pg_server.drop_database(dsn)


# -- both backends ---------------------------------------------------------------------------------------------------
# The CLI tests that go through `--db` run once per backend: `backend` names it, `new_db()` gives an empty store's
# reference (a file path, or a fresh database on the session's throwaway PostgreSQL server) and `on_backend(path)`
# the same content as a SQLite store, copied into a fresh PostgreSQL database when the backend is PostgreSQL.

BACKENDS = ["sqlite", "postgres"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The store backend a CLI test runs on."""
    return str(request.param)


@pytest.fixture()
def new_db(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """A function giving an empty store reference in ``backend``; PostgreSQL databases are dropped after."""
    made: list[str] = []

    def make() -> str:
        if backend == "sqlite":
            ref = str(tmp_path / f"store-{len(made)}.db")
        else:
            ref = request.getfixturevalue("pg_server").new_database()
        made.append(ref)
        return ref

    yield make
    if backend == "postgres":
        server = request.getfixturevalue("pg_server")
        for dsn in made:
            server.drop_database(dsn)


def copy_into(src_ref: Path | str, dst_ref: str) -> str:
    """Copy the whole store ``src_ref`` into the empty store ``dst_ref`` (`marsad copy`); return ``dst_ref``."""
    from marsad.ingestion.copy import copy_store
    from marsad.store import open_store

    src, dst = open_store(src_ref, readonly=True), open_store(dst_ref)
    try:
        copy_store(src, dst)
    finally:
        src.close()
        dst.close()
    return dst_ref


@pytest.fixture()
def on_backend(backend: str, new_db: Callable[[], str]) -> Callable[[Path | str], str]:
    """A function giving a SQLite store's content as a store reference in ``backend`` (copied when PostgreSQL)."""
    return lambda path: str(path) if backend == "sqlite" else copy_into(path, new_db())
