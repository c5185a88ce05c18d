"""The API tests run on both backends: the sample and ANT stores are built in SQLite and in PostgreSQL (a
database on the session's throwaway server), and every test of this folder that reads them runs once per backend.

``sample_db`` / ``ant_db`` are a file path (SQLite) or a DSN (PostgreSQL); ``store_copy`` gives a writable copy of
either in the same backend, for tests that write.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from marsad.store import open_store
from marsad.web.app import create_app
from tests.conftest import REPO, copy_into
from tests.serve_fixtures import SERVE_FIXTURES, ant_records, build_store

BACKENDS = ["sqlite", "postgres"]

StoreRef = Path | str
"""A store as the app and the CLI take it: a SQLite path or a PostgreSQL DSN."""


@pytest.fixture(scope="session", params=BACKENDS)
def api_backend(request: pytest.FixtureRequest) -> str:
    """The backend under test."""
    return str(request.param)


def _new(backend: str, request: pytest.FixtureRequest, folder: Path, name: str) -> StoreRef:
    """An empty store's reference in ``backend``."""
    if backend == "sqlite":
        return folder / name
    return str(request.getfixturevalue("pg_server").new_database())


@pytest.fixture(scope="session")
def sample_db(api_backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> StoreRef:
    """The sample corpus and the hostile pages, in one store of the backend under test."""
    target = _new(api_backend, request, tmp_path_factory.mktemp("serve"), "sample.db")
    build_store(target, [REPO / "samples", SERVE_FIXTURES])
    return target


@pytest.fixture(scope="session")
def ant_db(api_backend: str, data: Path, request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> StoreRef:
    """One day of ANT records (see ``tests.serve_fixtures.ant_db``) in the backend under test."""
    folder = tmp_path_factory.mktemp("serve-ant")
    target = _new(api_backend, request, folder, "ant.db")
    build_store(target, [ant_records(data, folder)])
    return target


def copy_of(db: StoreRef, backend: str, request: pytest.FixtureRequest, folder: Path) -> StoreRef:
    """A fresh writable copy of the store ``db`` in ``backend`` (SQLite: a file in ``folder``)."""
    if backend == "sqlite":
        target = folder / f"copy-{len(list(folder.iterdir()))}.db"
        with sqlite3.connect(db) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        return target
    return copy_into(db, str(_new(backend, request, folder, "")))


@pytest.fixture()
def store_copy(api_backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[StoreRef], StoreRef]:
    """A function giving a fresh writable copy of a store, in the backend under test."""
    return lambda db: copy_of(db, api_backend, request, tmp_path)


@pytest.fixture(scope="session")
def client(sample_db: StoreRef) -> Iterator[TestClient]:
    """The reader over the sample store, without a token."""
    with TestClient(create_app(sample_db)) as c:
        yield c


@pytest.fixture(scope="session")
def sample_store(sample_db: StoreRef) -> Iterator[object]:
    """A read-only store over ``sample_db`` for expectations."""
    store = open_store(sample_db, readonly=True)
    yield store
    store.close()

