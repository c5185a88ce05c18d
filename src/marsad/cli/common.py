"""What every command shares: the --db option, JSON output, failing with a clear message, opening a store."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from typing import Any, NoReturn

import click

from marsad.errors import MarsadError

DB_HELP = "The store: a SQLite file or a postgresql:// URL (default: $MARSAD_DB or ./marsad.db)."


def db_option(func: Any) -> Any:
    """The ``--db PATH`` option."""
    return click.option("--db", "db", default=None, metavar="PATH", help=DB_HELP)(func)


def dump(obj: Any) -> str:
    """Readable JSON with Arabic kept as is."""
    return json.dumps(obj, ensure_ascii=False, indent=2)


def fail(exc: MarsadError) -> NoReturn:
    """Print the error for a person and exit with status 1."""
    click.echo(f"error: {exc}", err=True)
    sys.exit(1)


@contextlib.contextmanager
def reading(db: str | None) -> Iterator[Any]:
    """Open the store read-only for a command, with a clear error when it cannot be opened."""
    from marsad.store import open_store

    try:
        store = open_store(db, readonly=True)
    except MarsadError as exc:
        fail(exc)
    try:
        yield store
    finally:
        store.close()
