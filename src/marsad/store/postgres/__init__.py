"""The PostgreSQL backend: ``PostgresStore`` implements every role of ``marsad.store.roles`` in a PostgreSQL
database (psycopg 3 with a connection pool), with the same schema versions, rows and JSON as SQLite."""

from marsad.store.postgres.schema import MIGRATIONS, SCHEMA_VERSION
from marsad.store.postgres.store import PostgresStore, safe_dsn

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "PostgresStore", "safe_dsn"]
