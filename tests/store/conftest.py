"""The store contract: every backend runs the same tests (tests/store/test_*.py) through the role methods.

``BACKENDS`` maps a backend name to a factory ``open(folder) -> Store``: an empty store the first time it is
called with a folder, and another connection to that same store when called again with it. Adding a backend
(PostgreSQL) is one line here; ``mem`` is an in-memory SQLite store for cheap unit tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from marsad.store import SQLiteStore, Store
from tests.factories import memory_store

BACKENDS: dict[str, Callable[[Path], Store]] = {
    "sqlite": lambda folder: SQLiteStore(folder / "contract.db"),
}


@pytest.fixture(params=sorted(BACKENDS))
def backend(request: pytest.FixtureRequest) -> Callable[[Path], Store]:
    """The factory of the backend under test."""
    return BACKENDS[request.param]


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
