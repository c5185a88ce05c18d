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


def _children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (from /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


@pytest.mark.skipif(not Path("/proc").exists(), reason="counts worker processes through /proc")
def test_serve_with_workers_answers_from_several_processes(tmp_path: Path) -> None:
    import os
    import socket
    import subprocess
    import sys
    import time

    import httpx

    from tests.conftest import REPO
    from tests.factories import add, article

    db = tmp_path / "w.db"
    store = open_store(db)
    add(store, article("انتخابات برلمانية في العراق والمفوضية تعلن النتائج", title="انتخابات العراق"))
    store.close()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    server = subprocess.Popen([sys.executable, "-m", "marsad.cli", "serve", "--db", str(db), "--port", str(port),
                               "--workers", "2", "--threads", "2"], cwd=tmp_path, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 90
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200 \
                        and len(_children(server.pid)) >= 2:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None and time.time() < deadline, server.stderr.read() if server.stderr else ""
            time.sleep(0.3)
        page = httpx.get(f"http://127.0.0.1:{port}/search", params={"q": "العراق"}, timeout=30)
        assert page.status_code == 200 and "<mark>العراق</mark>" in page.text
        workers = [c for c in _children(server.pid)
                   if "spawn_main" in Path(f"/proc/{c}/cmdline").read_text(errors="replace")]
        assert len(workers) == 2                            # two uvicorn worker processes beside the supervisor
    finally:
        server.terminate()
        server.wait(timeout=30)
