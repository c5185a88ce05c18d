"""The store contract: every backend runs the same tests (tests/store/test_*.py) through the role methods.

``BACKENDS`` maps a backend name to a factory ``open(request, folder) -> Store``: an empty store the first time it
is called for a test, and another connection to that same store when called again. SQLite keeps the store in the
test's folder; PostgreSQL asks for the ``pg_dsn`` fixture (a fresh database on the session's throwaway server) only
when its parameter runs, so a SQLite-only run needs no server. ``mem`` is an in-memory SQLite store for cheap unit
tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from marsad.store import SQLiteStore, Store
from tests.factories import memory_store


def _sqlite(request: pytest.FixtureRequest, folder: Path) -> Store:
    return SQLiteStore(folder / "contract.db")


def _postgres(request: pytest.FixtureRequest, folder: Path) -> Store:
    """The test's database for its first folder (``pg_dsn``), a database of its own for each other folder (a
    second store, as a second SQLite file would be)."""
    from marsad.store.postgres import PostgresStore

    dsns: dict[Path, str] = request.node.__dict__.setdefault("_marsad_pg_dsns", {})
    if folder not in dsns:
        if not dsns:
            dsns[folder] = request.getfixturevalue("pg_dsn")
        else:
            server = request.getfixturevalue("pg_server")
            dsn = dsns[folder] = server.new_database()
            request.addfinalizer(lambda: server.drop_database(dsn))
    return PostgresStore(dsns[folder])


BACKENDS: dict[str, Callable[[pytest.FixtureRequest, Path], Store]] = {
    "sqlite": _sqlite,
    "postgres": _postgres,
}


@pytest.fixture(params=sorted(BACKENDS))
def backend(request: pytest.FixtureRequest) -> Callable[[Path], Store]:
    """The factory of the backend under test: ``open(folder)``, the same store each time for one test."""
    factory = BACKENDS[request.param]
    return lambda folder: factory(request, folder)


@pytest.fixture()
def store(backend: Callable[[Path], Store], tmp_path: Path) -> Iterator[Store]:
    """An empty store of each backend."""
    s = backend(tmp_path)
    yield s
    s.close()


@pytest.fixture()
def mem() -> Iterator[SQLiteStore]:
    """A throwaway in-memory SQLite store."""
    s = memory_store()
    yield s
    s.close()
