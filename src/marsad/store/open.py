"""``open_store``: a path or a store URL to the backend that keeps it (SQLite or PostgreSQL)."""

from __future__ import annotations

import os

from marsad.errors import StoreError
from marsad.store.base import Store
from marsad.store.names import store_name

__all__ = ["missing_file_store", "open_store", "store_name"]

POSTGRES_SCHEMES = frozenset({"postgresql", "postgres"})


def open_store(target: str | os.PathLike[str] | None = None, *, readonly: bool = False) -> Store:
    """Open the store at ``target``: a path or a ``sqlite:///PATH`` URL (``sqlite://`` alone: in memory), or a
    ``postgresql://USER[:PASS]@HOST[:PORT]/DB`` URL (``postgres://`` too); default ``$MARSAD_DB`` or
    ``./marsad.db``. Another URL scheme is refused with the schemes this Marsad knows."""
    from marsad.config import default_db_path

    where = str(target or default_db_path())
    scheme, sep, rest = where.partition("://")
    if not sep or len(scheme) < 2:                    # a plain path (a Windows drive letter is not a scheme)
        from marsad.store.sqlite import SQLiteStore

        return SQLiteStore(where, readonly=readonly)
    if scheme.lower() in POSTGRES_SCHEMES:
        from marsad.store.postgres import PostgresStore

        return PostgresStore(where, readonly=readonly)
    if scheme.lower() != "sqlite":
        raise StoreError(f"cannot open {where!r}: this Marsad stores in SQLite (a path or sqlite:///PATH) or "
                         f"PostgreSQL (postgresql://USER@HOST/DB); {scheme}:// is not a store it knows")
    from marsad.store.sqlite import SQLiteStore

    return SQLiteStore(rest[1:] if rest.startswith("/") else (rest or ":memory:"), readonly=readonly)


def missing_file_store(target: str | os.PathLike[str]) -> bool:
    """True when ``target`` names an SQLite file (a path or ``sqlite:///PATH``) that does not exist: a command that
    only works on a store already made says so instead of creating an empty one. A server URL is never "missing"
    here (opening it says whether the database is a store)."""
    from pathlib import Path

    where = str(target)
    scheme, sep, rest = where.partition("://")
    if sep and len(scheme) >= 2:
        if scheme.lower() != "sqlite":
            return False
        where = rest[1:] if rest.startswith("/") else (rest or ":memory:")
    return where != ":memory:" and not Path(where).exists()

