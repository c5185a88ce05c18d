"""PostgreSQL store: one connection pool per store, schema versions with migrations, atomic batches.

Connections come from a ``psycopg_pool.ConnectionPool`` (autocommit, rows as dicts). ``transaction()`` checks one
out for the whole batch (nested calls join it, as SQLite's do); every read inside the batch goes through it, so
the batch sees its own writes. Reads outside a batch take any pooled connection for one statement. A write method
called outside a batch runs in a batch of its own.

Every batch starts by bumping the single row of ``marsad_changes``: the row lock makes write batches take turns,
as SQLite's ``BEGIN IMMEDIATE`` does (so ``max(id) + 1`` ids are safe), and the counter is the change marker:
``change_marker`` is the counter minus the batches this store committed itself, so it moves exactly when another
connection (another store object, another process) commits a write.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from marsad.errors import SchemaError, SchemaUpgradeNeeded, StoreError
from marsad.store.base import Store
from marsad.store.names import store_name
from marsad.store.postgres.articles import PgArticles
from marsad.store.postgres.common import Conn, configure
from marsad.store.postgres.dump import PgDump
from marsad.store.postgres.entities import PgEntities
from marsad.store.postgres.feeds import PgFeeds
from marsad.store.postgres.reader import PgReader
from marsad.store.postgres.related import PgRelated
from marsad.store.postgres.schema import BOOKKEEPING, MIGRATIONS, SCHEMA_VERSION, fill_published_utc
from marsad.store.postgres.search import PgSearch
from marsad.store.postgres.stories import PgStories
from marsad.store.postgres.vectors import PgVectors
from marsad.store.postgres.watchlists import PgWatchlists
from marsad.store.rows import published_at_of

CONNECT_TIMEOUT = 10
"""Seconds to reach the server before giving up with a ``StoreError`` (no hang on an unreachable host)."""
WRITE_WAIT = 120
"""Seconds a write batch waits for another connection's batch to end (SQLite waits 10 s) before a ``StoreError``."""
POOL_MAX = 8
POOL_TIMEOUT = 60.0
"""Seconds to wait for a free pooled connection."""
_MIGRATION_LOCK = 0x6D617273   # "mars": the advisory lock an opener holds while it checks and migrates the schema

_INTEGRITY_CHECKS = {
    "articles without their raw input": "SELECT count(*) FROM articles a WHERE a.raw_sha256 IS NOT NULL AND NOT "
                                        "EXISTS (SELECT 1 FROM raw_inputs r WHERE r.sha256 = a.raw_sha256)",
    "copies of missing articles": "SELECT count(*) FROM articles a WHERE a.duplicate_of IS NOT NULL AND NOT EXISTS "
                                  "(SELECT 1 FROM articles c WHERE c.id = a.duplicate_of)",
    "articles without a search vector": "SELECT count(*) FROM articles WHERE search IS NULL",
    "entity rows of missing articles or entities": "SELECT count(*) FROM article_entities ae WHERE NOT EXISTS "
        "(SELECT 1 FROM articles a WHERE a.id = ae.article_id) OR NOT EXISTS (SELECT 1 FROM entities e "
        "WHERE e.id = ae.entity_id)",
    "features of missing articles": "SELECT count(*) FROM article_features f WHERE NOT EXISTS "
                                    "(SELECT 1 FROM articles a WHERE a.id = f.article_id)",
    "outcomes of missing runs": "SELECT count(*) FROM outcomes o WHERE NOT EXISTS (SELECT 1 FROM runs r "
                                "WHERE r.id = o.run_id)",
    "constraints not validated": "SELECT count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
                                 "WHERE n.nspname = current_schema() AND NOT c.convalidated",
    "invalid indexes": "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n "
                       "ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND NOT i.indisvalid",
}
"""What ``integrity_check`` counts (each should be 0): the foreign keys a SQLite ``foreign_key_check`` would check,
the search vectors, and PostgreSQL's own catalog flags (no amcheck extension needed)."""


def safe_dsn(dsn: str) -> str:
    """The DSN without its password (for messages and ``stats``)."""
    if "://" not in dsn:
        return re.sub(r"password\s*=\s*\S+", "password=***", dsn)
    return store_name(dsn)


def _connect_kwargs(readonly: bool) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"autocommit": True, "row_factory": dict_row, "connect_timeout": CONNECT_TIMEOUT}
    if readonly:
        kwargs["options"] = "-c default_transaction_read_only=on"
    return kwargs


class PostgresStore(PgSearch, PgStories, PgVectors, PgReader, PgRelated, PgArticles, PgEntities, PgFeeds,
                    PgWatchlists, PgDump, Store):
    """A store in a PostgreSQL database: ``PostgresStore("postgresql://user@host/db")``."""

    def __init__(self, dsn: str, *, readonly: bool = False) -> None:
        self.dsn = dsn
        self.where = safe_dsn(dsn)
        self.path = self.where
        self.readonly = readonly
        self._tx: Conn | None = None
        self._own_writes = 0
        kwargs = _connect_kwargs(readonly)
        try:
            first: Conn = psycopg.connect(dsn, **kwargs)
            configure(first)
        except psycopg.Error as exc:
            raise StoreError(f"cannot connect to the PostgreSQL store {self.where}: {_first_line(exc)} "
                             "(is the server running, and the database created?)") from exc
        try:
            first.execute("SELECT pg_advisory_lock(%s)", (_MIGRATION_LOCK,))   # one opener checks / migrates at a time
            self._migrate(first)
        except psycopg.Error as exc:
            raise StoreError(f"cannot open the PostgreSQL store {self.where}: {_first_line(exc)}") from exc
        finally:
            first.close()
        self.pool: ConnectionPool[Conn] = ConnectionPool(dsn, kwargs=kwargs, min_size=1, max_size=POOL_MAX,
                                                         timeout=POOL_TIMEOUT, open=False, name="marsad",
                                                         configure=configure)
        try:
            self.pool.open(wait=True, timeout=CONNECT_TIMEOUT + 5)
        except PoolTimeout as exc:
            self.pool.close()
            raise StoreError(f"cannot connect to the PostgreSQL store {self.where}: {exc}") from exc
        if self._needs_search_fill:               # a store from before search (v5, v9): index what it holds
            try:
                self.rebuild_search_index()
            except BaseException:
                self.pool.close()
                raise

    # -- schema ----------------------------------------------------------------------------
    def _migrate(self, conn: Conn) -> None:
        """Bring the schema to ``SCHEMA_VERSION``, each migration in its own transaction (the caller holds the
        advisory lock, so one opener at a time reads the version and migrates)."""
        self._needs_search_fill = False
        exists = conn.execute("SELECT to_regclass('marsad_schema') IS NOT NULL AS x").fetchone()
        version = 0
        if exists and exists["x"]:
            row = conn.execute("SELECT version FROM marsad_schema").fetchone()
            version = int(row["version"]) if row else 0
        if version > SCHEMA_VERSION:
            raise SchemaError(f"the store {self.where} has schema version {version}, newer than this Marsad "
                              f"({SCHEMA_VERSION}); upgrade Marsad")
        if version == SCHEMA_VERSION:
            return
        if version == 0:
            others = conn.execute("SELECT count(*) AS n FROM pg_tables WHERE schemaname = current_schema() "
                                  "AND tablename NOT IN ('marsad_schema', 'marsad_changes')").fetchone()
            if others and others["n"]:
                raise SchemaError(f"the database {self.where} is not a Marsad store (it has other tables); "
                                  "give Marsad a database of its own")
            if self.readonly:
                raise StoreError(f"no store at {self.where}: run `marsad ingest` first or pass --db")
        if self.readonly:
            raise SchemaUpgradeNeeded(f"the store {self.where} needs a schema upgrade; open it once without read-only")
        with conn.transaction():
            conn.execute(BOOKKEEPING)
        start = version
        for target in range(version, SCHEMA_VERSION):
            with conn.transaction():
                conn.execute(MIGRATIONS[target])
                if target + 1 == 11:             # the UTC key of the rows already there (computed in Python)
                    fill_published_utc(conn)
                conn.execute("UPDATE marsad_schema SET version = %s", (target + 1,))
        self._needs_search_fill = start < 9 <= SCHEMA_VERSION and bool(     # before search (v5) or its head (v9)
            conn.execute("SELECT 1 AS x FROM articles WHERE search IS NULL OR search_head IS NULL LIMIT 1").fetchone())

    # -- connections and transactions ------------------------------------------------------
    @contextmanager
    def _read(self) -> Iterator[Conn]:
        """The batch's connection inside ``transaction()``, else a pooled one for one read."""
        if self._tx is not None:
            yield self._tx
            return
        try:
            with self.pool.connection() as conn:
                yield conn
        except PoolTimeout as exc:
            raise StoreError(f"no connection to the PostgreSQL store {self.where}: {exc}") from exc

    @contextmanager
    def _write(self) -> Iterator[Conn]:
        """The batch's connection (a batch of its own outside ``transaction()``)."""
        with self.transaction():
            assert self._tx is not None
            yield self._tx

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Commit everything written inside together, or roll all of it back."""
        if self._tx is not None:
            yield
            return
        try:
            conn = self.pool.getconn()
        except PoolTimeout as exc:
            raise StoreError(f"cannot write to the store {self.where}: no connection ({exc})") from exc
        try:
            try:
                conn.execute("BEGIN")
                conn.execute(f"SET LOCAL lock_timeout = '{int(WRITE_WAIT * 1000)}ms'")
                conn.execute("UPDATE marsad_changes SET counter = counter + 1 WHERE id = 1")
                conn.execute("SET LOCAL lock_timeout = 0")
            except psycopg.errors.LockNotAvailable as exc:
                _rollback(conn)
                raise StoreError(f"cannot write to the store {self.where}: another connection has been writing for "
                                 f"{WRITE_WAIT} s; try again when it is done") from exc
            except psycopg.Error as exc:
                _rollback(conn)
                raise StoreError(f"cannot write to the store {self.where}: {_first_line(exc)}") from exc
            self._tx = conn
            try:
                yield
                conn.execute("COMMIT")
                self._own_writes += 1
            except psycopg.Error as exc:
                _rollback(conn)
                raise StoreError(f"writing to the store {self.where} failed and was rolled back: "
                                 f"{_first_line(exc)}") from exc
            except BaseException:
                _rollback(conn)
                raise
        finally:
            self._tx = None
            self.pool.putconn(conn)

    # -- maintenance -----------------------------------------------------------------------
    def change_marker(self) -> int:
        """The write counter minus this store's own committed batches: changes whenever another connection
        commits a write, not on this store's own writes."""
        counter = int(self._value("SELECT counter FROM marsad_changes WHERE id = 1") or 0)
        return counter - self._own_writes - (1 if self._tx is not None else 0)

    def stats(self) -> dict[str, Any]:
        """Counts of articles, sources, languages, raw inputs, runs and rejections (the keys SQLite gives)."""
        row = self._one(
            "SELECT (SELECT count(*) FROM articles) AS articles, "
            "(SELECT count(*) FROM articles WHERE duplicate_of IS NULL) AS uniq, "
            "(SELECT count(*) FROM articles WHERE version > 1) AS updated, "
            "(SELECT count(*) FROM runs) AS runs, (SELECT version FROM marsad_schema) AS schema_version")
        assert row is not None
        by_source = {r["k"]: r["n"] for r in self._all(
            "SELECT coalesce(source, '(unknown)') AS k, count(*) AS n FROM articles GROUP BY 1 ORDER BY 2 DESC, 1")}
        by_language = {r["k"]: r["n"] for r in self._all(
            "SELECT coalesce(language, '(unknown)') AS k, count(*) AS n FROM articles GROUP BY 1 ORDER BY 2 DESC, 1")}
        dated = self._one("SELECT count(*) AS n, "
                          f"{published_at_of('(SELECT min(published_utc) FROM articles)')} AS lo, "
                          f"{published_at_of('(SELECT max(published_utc) FROM articles)')} AS hi FROM articles "
                          "WHERE published_at IS NOT NULL")
        rejections = {r["k"]: r["n"] for r in self._all(
            "SELECT reason_code AS k, count(*) AS n FROM outcomes WHERE outcome = 'rejected' GROUP BY 1 "
            "ORDER BY 2 DESC, 1")}
        raw = self._one("SELECT count(*) AS n, coalesce(sum(size), 0)::bigint AS b FROM raw_inputs")
        assert dated is not None and raw is not None
        articles, unique = row["articles"], row["uniq"]
        return {
            "db": self.where,
            "schema_version": row["schema_version"],
            "articles": articles,
            "unique_articles": unique,
            "exact_duplicates": articles - unique,
            "updated_articles": row["updated"],
            "with_date": dated["n"],
            "date_range": [dated["lo"], dated["hi"]],
            "by_source": by_source,
            "by_language": by_language,
            "raw_inputs": raw["n"],
            "raw_bytes": raw["b"],
            "runs": row["runs"],
            "rejected_inputs": rejections,
        }

    def integrity_check(self) -> str:
        """"ok", or the problems ``_INTEGRITY_CHECKS`` counts (foreign keys, search vectors, invalid indexes)."""
        problems = []
        for what, sql in _INTEGRITY_CHECKS.items():
            n = int(self._value(sql) or 0)
            if n:
                problems.append(f"{n} {what}")
        return "; ".join(problems) or "ok"

    def close(self) -> None:
        """Close the pool's connections."""
        with suppress(Exception):
            self.pool.close()


def _rollback(conn: Conn) -> None:
    with suppress(psycopg.Error):
        conn.execute("ROLLBACK")


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
