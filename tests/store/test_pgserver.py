"""The throwaway PostgreSQL server the tests use starts, holds data, and gives each test its own database."""

from __future__ import annotations

import psycopg

from tests.pgserver import PgServer


def test_each_test_database_is_empty_and_writable(pg_server: PgServer, pg_dsn: str) -> None:
    with psycopg.connect(pg_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone() == (0,)
        conn.execute("CREATE TABLE t (x text)")
        conn.execute("INSERT INTO t VALUES ('مرصد')")
        assert conn.execute("SELECT x FROM t").fetchone() == ("مرصد",)
    assert pg_dsn.startswith(pg_server.dsn_base.rsplit("/", 1)[0])
