"""Serving a store written by an earlier Marsad: the reader migrates it once, then reads it read-only."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from marsad.errors import SchemaUpgradeNeeded
from marsad.store import open_store
from marsad.store.sqlite import MIGRATIONS, _split_sql
from marsad.store.sqlite_search import register_search_functions
from marsad.web.app import create_app


def test_an_older_store_is_migrated_once_and_served(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    current = len(MIGRATIONS)
    # a store of the previous schema: every migration but the last applied, one version lower
    con = sqlite3.connect(db)
    register_search_functions(con)
    for script in MIGRATIONS[:-1]:
        for statement in _split_sql(script):
            con.execute(statement)
    con.execute(f"PRAGMA user_version = {current - 1}")
    con.commit()
    con.close()
    with pytest.raises(SchemaUpgradeNeeded, match="open it once without read-only"):
        open_store(db, readonly=True)
    with TestClient(create_app(db)) as client:
        assert client.get("/api/health").status_code == 200
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA user_version").fetchone()[0] == current
    assert con.execute("SELECT count(*) FROM sqlite_master WHERE name = 'article_entities_postings'").fetchone()[0]
    assert "lease_owner" in {r[1] for r in con.execute("PRAGMA table_info(feeds)")}    # the last migration ran
    con.close()
