"""Serving a store written by an earlier Marsad: the reader migrates it once, then reads it read-only."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from marsad.errors import SchemaUpgradeNeeded
from marsad.store import open_store
from marsad.web.app import create_app


def test_an_older_store_is_migrated_once_and_served(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    open_store(db).close()
    con = sqlite3.connect(db)
    current = con.execute("PRAGMA user_version").fetchone()[0]
    # what a store of the previous schema looks like: the last migration's indexes absent, one version lower
    con.execute("DROP INDEX IF EXISTS article_entities_postings")
    con.execute("DROP INDEX IF EXISTS article_entities_article")
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
    con.close()
