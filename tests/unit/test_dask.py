"""Ingest on a Dask cluster (``--dask``): worker processes do the per-article work, the decisions stay in order, so
the stored result is the single-process result; a worker killed mid-run changes nothing."""

from __future__ import annotations

import gzip
import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from marsad.cli import cli
from marsad.config import IngestOptions
from marsad.errors import ConfigError
from marsad.ingestion.distributed import parse_address
from marsad.ingestion.pipeline import ingest
from marsad.sources.files import InputPart, iter_inputs, read_part, split_inputs
from marsad.store import open_store
from tests.conftest import REPO, need_file

WRITE_TIMES = {"created_at", "modified_at"}


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A local cluster of two worker processes (with nannies, which restart a killed worker): its address."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local:
        yield str(local.scheduler_address)


@pytest.fixture(scope="module")
def ant_day(data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 250 real ANT records of one day from five outlets (stories and copies across outlets)."""
    source = need_file(data / "ant-multisource.jsonl.gz", "the ANT corpus")
    out = tmp_path_factory.mktemp("dask-ant") / "ant.jsonl"
    with gzip.open(source, "rt", encoding="utf-8") as fin:
        out.write_text("".join(line for line in fin if "09 May 2018" in line), encoding="utf-8")
    return out


def _stored(db: Path) -> dict[str, Any]:
    """Everything a run stored that the two runs must agree on."""
    store = open_store(db, readonly=True)
    try:
        articles = [{k: v for k, v in a.items() if k not in WRITE_TIMES} for a in store.iter_articles()]
        rejections = [(r["ref"], r["reason_code"]) for r in store.iter_rejections()]
        stories = [(s["id"], s["size"], s["headline"]) for s in store.list_stories(limit=None)]
        return {"articles": articles, "rejections": rejections, "stories": stories}
    finally:
        store.close()


def _ingest(paths: list[Path], db: Path, **kw: Any) -> dict[str, Any]:
    store = open_store(db)
    try:
        return ingest([str(p) for p in paths], store, IngestOptions(**kw)).to_dict()
    finally:
        store.close()


def test_parts_read_back_exactly_what_iter_inputs_reads(ant_day: Path, tmp_path: Path) -> None:
    paths = [REPO / "samples", ant_day, tmp_path / "missing.html"]
    whole = [(getattr(x, "ref", None), getattr(x, "sha256", None) or str(x)) for x in iter_inputs(paths)]
    parts = list(split_inputs(paths, lines_per_part=37))
    assert sum(isinstance(p, InputPart) and p.lines is not None for p in parts) >= 6
    pieces: list[tuple[Any, Any]] = []
    for part in parts:
        units = read_part(part) if isinstance(part, InputPart) else [part]
        pieces += [(getattr(x, "ref", None), getattr(x, "sha256", None) or str(x)) for x in units]
    assert pieces == whole and len(whole) > 250


def test_addresses_are_checked() -> None:
    assert parse_address("local:3") == ("local", 3)
    assert parse_address("tcp://10.0.0.5:8786") == ("remote", "tcp://10.0.0.5:8786")
    for bad in ("local:0", "local:x", "10.0.0.5:8786", "", "tcp://"):
        with pytest.raises(ConfigError, match="local:N"):
            parse_address(bad)
    with pytest.raises(ConfigError, match="stdin"):
        list(split_inputs(["-"]))


def test_a_dask_run_stores_what_one_process_stores(cluster: str, ant_day: Path, tmp_path: Path) -> None:
    inputs = [REPO / "samples", ant_day]
    single = _ingest(inputs, tmp_path / "single.db")
    spread = _ingest(inputs, tmp_path / "dask.db", dask=cluster, dask_part_lines=40)
    for key in ("inputs", "articles_found", "stored", "duplicate", "rejected", "reasons", "clustering"):
        assert spread[key] == single[key], key
    one, many = _stored(tmp_path / "single.db"), _stored(tmp_path / "dask.db")
    assert len(one["articles"]) > 250 and any(a["duplicate_of"] for a in one["articles"])
    assert sum(size > 1 for _, size, _ in one["stories"]) >= 5          # stories across outlets to get right
    assert many == one


def test_a_worker_killed_mid_run_changes_nothing(cluster: str, ant_day: Path, tmp_path: Path) -> None:
    from distributed import Client

    single = _ingest([ant_day], tmp_path / "single.db", embedder="none")
    killed: list[float] = []
    with Client(cluster) as client:
        pids = list(client.run(os.getpid).values())

        def kill_one() -> None:
            time.sleep(2.0)                               # parts are running on both workers by then
            os.kill(pids[0], signal.SIGKILL)
            killed.append(time.monotonic())

        killer = threading.Thread(target=kill_one)
        killer.start()
        report = _ingest([ant_day], tmp_path / "dask.db", embedder="none", dask=cluster, dask_part_lines=10)
        ended = time.monotonic()
        killer.join()
        assert killed and killed[0] < ended, "the run ended before the worker was killed: give it more work"
        assert report["stored"] == single["stored"]
        deadline = time.monotonic() + 60                  # the nanny brings a new worker up
        while len(client.scheduler_info()["workers"]) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
    assert _stored(tmp_path / "dask.db") == _stored(tmp_path / "single.db")


def test_cli_ingest_with_dask_local(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    result = CliRunner().invoke(cli, ["ingest", str(REPO / "samples"), "--db", str(db), "--dask", "local:1",
                                      "--json", "--no-progress", "--embedder", "none"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["stored"] > 20 and report["rejected"] >= 4
    bad = CliRunner().invoke(cli, ["ingest", str(REPO / "samples"), "--db", str(db), "--dask", "10.0.0.1"])
    assert bad.exit_code != 0 and "local:N" in bad.output


def test_the_backfill_on_dask_decides_as_one_process(cluster: str, ant_day: Path, tmp_path: Path) -> None:
    import shutil

    _ingest([ant_day], tmp_path / "base.db", embedder="none")
    for name in ("here.db", "dask.db"):
        shutil.copy(tmp_path / "base.db", tmp_path / name)
    runner = CliRunner()
    here = runner.invoke(cli, ["cluster", "--db", str(tmp_path / "here.db"), "--embedder", "use", "--json"])
    spread = runner.invoke(cli, ["cluster", "--db", str(tmp_path / "dask.db"), "--embedder", "use", "--json",
                                 "--dask", cluster])
    assert here.exit_code == 0 and spread.exit_code == 0, (here.output, spread.output)
    one, many = json.loads(here.output), json.loads(spread.output)        # every embedding computed again
    assert {k: v for k, v in one.items() if "second" not in k} == {k: v for k, v in many.items() if "second" not in k}
    assert _stored(tmp_path / "dask.db") == _stored(tmp_path / "here.db")


def test_a_client_killed_mid_run_resumes_from_the_store(cluster: str, ant_day: Path, tmp_path: Path) -> None:
    import sqlite3
    import subprocess
    import sys

    def count(db: Path) -> int:
        try:
            con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
            try:
                return int(con.execute("SELECT count(*) FROM articles").fetchone()[0])
            finally:
                con.close()
        except sqlite3.Error:
            return 0

    _ingest([ant_day], tmp_path / "single.db", embedder="none", batch_size=20)
    db = tmp_path / "dask.db"
    args = [sys.executable, "-m", "marsad", "ingest", str(ant_day), "--db", str(db), "--dask", cluster,
            "--batch-size", "20", "--embedder", "none", "--no-progress", "--json"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while count(db) == 0 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be killed"
    proc.kill()
    proc.wait(timeout=30)
    partial = count(db)
    total = count(tmp_path / "single.db")
    assert 0 < partial < total
    done = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    again = json.loads(done.stdout)
    assert again["stored"] + again["duplicate"] >= total - partial        # the rest, and nothing stored twice
    assert _stored(db)["articles"] == _stored(tmp_path / "single.db")["articles"]


def _warc(path: Path, n: int, *, gz: bool) -> Path:
    """A WARC of ``n`` Arabic HTML responses, each after a request record (as crawlers write them)."""
    from io import BytesIO

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=gz)
        for i in range(n):
            url = f"https://news.example/{i}"
            request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "news.example")], is_http_request=True)
            writer.write_record(writer.create_warc_record(url, "request", payload=BytesIO(b""), http_headers=request))
            html = (f"<html><head><title>خبر {i}</title></head><body><p>{f'نص الخبر رقم {i} ' * 40}</p>"
                    "</body></html>").encode()
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                                  ("Content-Length", str(len(html)))], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=BytesIO(html), length=len(html),
                                                          http_headers=headers))
    return path


@pytest.mark.parametrize("gz", [True, False])
def test_a_warc_is_split_by_record_and_read_back_exactly(tmp_path: Path, gz: bool) -> None:
    warc = _warc(tmp_path / ("crawl.warc.gz" if gz else "crawl.warc"), 7, gz=gz)
    cut = tmp_path / ("cut.warc.gz" if gz else "cut.warc")
    cut.write_bytes(warc.read_bytes()[: warc.stat().st_size * 2 // 3])       # damaged: the last third is gone
    fake = tmp_path / "fake.warc"
    fake.write_text("not a warc", encoding="utf-8")
    paths = [warc, cut, fake]
    whole = [(getattr(x, "ref", None), getattr(x, "sha256", None) or str(x)) for x in iter_inputs(paths)]
    for per_part in (1, 3, 100):
        parts = list(split_inputs(paths, lines_per_part=per_part))
        assert all(isinstance(p, InputPart) and p.records is not None for p in parts)
        assert sum(p.path == str(warc) for p in parts if isinstance(p, InputPart)) == -(-7 // per_part)
        pieces: list[tuple[Any, Any]] = []
        for part in parts:
            units = read_part(part) if isinstance(part, InputPart) else [part]
            pieces += [(getattr(x, "ref", None), getattr(x, "sha256", None) or str(x)) for x in units]
        assert pieces == whole
    assert sum(str(warc) in str(ref) for ref, _ in whole) == 7
    assert sum(str(warc) in str(ref) and len(sha) == 64 for ref, sha in whole) == 7    # seven pages read
    assert sum(str(cut) in str(ref) for ref, _ in whole) >= 3 and any("not a WARC" in str(x) for _, x in whole)
