"""The roles: ``Store`` is every role, and a backend implements every method of every role itself."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

import marsad.store as public
import marsad.store.base as base
from marsad.store import Store, roles

ROLES = [cls for _, cls in inspect.getmembers(roles, inspect.isclass)
         if cls.__module__ == roles.__name__ and getattr(cls, "_is_protocol", False)]


def _methods(role: type) -> set[str]:
    return {name for name, _ in inspect.getmembers(role, inspect.isfunction) if not name.startswith("_")}


def test_store_is_every_role() -> None:
    assert public.Store is base.Store is Store
    assert {r.__name__ for r in ROLES} == {"Transactional", "ArticleStore", "EntityStore", "StoryStore", "SearchStore",
                                           "VectorStore", "FeedStateStore", "ReaderStore", "RelatedReads",
                                           "WatchlistStore", "MaintenanceStore", "TableDump"}
    assert all(r in Store.__mro__ for r in ROLES)
    assert _methods(Store) == set().union(*map(_methods, ROLES))


def test_the_backend_implements_every_role_method(store: Store) -> None:
    for role in ROLES:
        for name in _methods(role):
            impl = getattr(type(store), name)
            assert impl is not getattr(role, name), f"{type(store).__name__} lacks {role.__name__}.{name}"
            own = inspect.signature(impl).parameters
            for param in inspect.signature(getattr(role, name)).parameters.values():
                assert param.name in own, f"{type(store).__name__}.{name} has no parameter {param.name}"


def test_open_store_takes_a_path_or_a_url(tmp_path: Path) -> None:
    from marsad.errors import StoreError
    from marsad.store import open_store

    for target in (tmp_path / "a.db", str(tmp_path / "b.db"), f"sqlite:///{tmp_path}/c.db"):
        store = open_store(target)
        store.close()
    assert {p.name for p in tmp_path.glob("*.db")} == {"a.db", "b.db", "c.db"}
    memory = open_store("sqlite://")
    assert memory.path == ":memory:"
    memory.close()
    with pytest.raises(StoreError, match="mysql:// is not a store it knows"):
        open_store("mysql://user@host/db")
