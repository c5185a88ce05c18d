"""Alerts delivered: against a local webhook receiver (threaded http.server on 127.0.0.1) and a local SMTP server
(aiosmtpd). Every match is delivered, signed; a receiver failing twice gets the alert once; a SIGKILL of
`marsad deliver` mid-batch loses nothing; private targets are refused unless allowed."""

from __future__ import annotations

import email.policy
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from marsad.ingestion.alerts import make_digests, make_watchlist, match_batch
from marsad.ingestion.deliver import SIGNATURE_HEADER, DeliverOptions, backoff, deliver, verify
from marsad.store import SQLiteStore, Store
from tests.factories import add, article

REPO = Path(__file__).resolve().parents[2]
FAST = {"backoff_base": 0.05, "max_wait": 5.0, "allow_loopback": True}


class Receiver:
    """A webhook receiver: answers ``fail`` 500s first, then 200 after ``delay`` seconds; keeps every request."""

    def __init__(self, *, fail: int = 0, delay: float = 0.0) -> None:
        self.fail, self.delay = fail, delay
        self.requests: list[tuple[dict[str, str], bytes, int]] = []
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                time.sleep(outer.delay)
                with outer.lock:
                    code = 500 if outer.fail > 0 else 200
                    outer.fail -= 1
                    outer.requests.append(({k.lower(): v for k, v in self.headers.items()}, body, code))
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def accepted(self) -> list[dict[str, Any]]:
        """Bodies answered 200."""
        return [json.loads(b) for _, b, code in self.requests if code == 200]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def _watch(store: Store, name: str = "kim", **kw: Any) -> dict[str, Any]:
    row = make_watchlist(name, **{"query": "كيم", **kw})
    assert store.add_watchlist(row)
    return row


def _ingest(store: Store, n: int, *, noise: int = 0) -> list[int]:
    """``n`` articles naming كيم and ``noise`` that do not, matched in one transaction as the pipeline does."""
    arts = [article(f"قال الزعيم الكوري كيم جونغ أون في الخبر رقم {i}", title=f"خبر كيم {i}", source=f"outlet{i}",
                    url=f"https://example.com/a/{i}") for i in range(n)]
    arts += [article(f"عاصفة ترابية رقم {i}", title=f"عاصفة {i}") for i in range(noise)]
    ids = add(store, *arts)
    with store.transaction():
        match_batch(store, list(zip(ids, arts, strict=True)), ids)
    return ids[:n]


def test_every_match_is_delivered_once_signed_with_its_key(receiver: Receiver) -> None:
    store = SQLiteStore(":memory:")
    row = _watch(store, webhook=receiver.url)
    ids = _ingest(store, 5, noise=3)
    report = deliver(store, DeliverOptions(**FAST))
    assert (report.sent, report.failed_attempts, report.pending) == (5, 0, 0)
    assert len(receiver.requests) == 5
    for headers, body, _ in receiver.requests:
        assert verify(row["secret"], body, headers[SIGNATURE_HEADER.lower()])
        assert not verify("another secret", body, headers[SIGNATURE_HEADER.lower()])
        payload = json.loads(body)
        assert headers["x-marsad-key"] == headers["idempotency-key"] == payload["key"]
        assert payload["watchlist"] == "kim"
        assert set(payload["article"]) == {"id", "title", "url", "source", "published_at", "story_id"}
    got = receiver.accepted()
    assert sorted(p["article"]["id"] for p in got) == sorted(ids)
    assert len({p["key"] for p in got}) == 5
    assert deliver(store, DeliverOptions(**FAST)).sent == 0 and len(receiver.requests) == 5   # nothing twice
    health = store.list_watchlists()[0]
    assert (health["matches"], health["sent"], health["pending"], health["failed"]) == (5, 5, 0, 0)
    with store.transaction():                 # the same articles matched again (a rerun): no new alert
        match_batch(store, [(i, article("كيم")) for i in ids], ids)
    assert deliver(store, DeliverOptions(**FAST)).sent == 0


def test_a_receiver_failing_twice_gets_the_alert_once() -> None:
    flaky = Receiver(fail=2)
    try:
        store = SQLiteStore(":memory:")
        _watch(store, webhook=flaky.url)
        (aid,) = _ingest(store, 1)
        started = time.monotonic()
        report = deliver(store, DeliverOptions(**FAST))
        assert (report.sent, report.failed_attempts, report.gave_up) == (1, 2, 0)
        assert [code for _, _, code in flaky.requests] == [500, 500, 200]
        assert len({json.loads(b)["key"] for _, b, _ in flaky.requests}) == 1     # one alert, one key, three tries
        assert [p["article"]["id"] for p in flaky.accepted()] == [aid]
        assert time.monotonic() - started < 5
        (alert,) = store.recent_alerts("kim")
        assert (alert["status"], alert["attempts"]) == ("sent", 3)
        assert store.table_count("delivery_attempts") == 3
    finally:
        flaky.close()


def test_backoff_grows_with_jitter_and_a_cap() -> None:
    o = DeliverOptions(backoff_base=1.0, backoff_cap=60.0)
    assert [backoff(n, o, rand=lambda: 1.0) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 8.0]
    assert [backoff(n, o, rand=lambda: 0.0) for n in (1, 2, 3)] == [0.5, 1.0, 2.0]
    assert backoff(30, o, rand=lambda: 1.0) == 60.0


def test_gives_up_after_max_attempts_and_says_why() -> None:
    down = Receiver(fail=100)
    try:
        store = SQLiteStore(":memory:")
        _watch(store, webhook=down.url)
        _ingest(store, 1)
        report = deliver(store, DeliverOptions(**{**FAST, "max_attempts": 3}))
        assert (report.sent, report.failed_attempts, report.gave_up) == (0, 3, 1)
        health = store.list_watchlists()[0]
        assert (health["failed"], health["pending"], health["last_error"]) == (1, 0, "HTTP 500")
    finally:
        down.close()


def test_retries_not_due_within_max_wait_are_left_for_the_next_run() -> None:
    down = Receiver(fail=1)
    try:
        store = SQLiteStore(":memory:")
        _watch(store, webhook=down.url)
        _ingest(store, 1)
        report = deliver(store, DeliverOptions(allow_loopback=True, backoff_base=60.0, max_wait=1.0))
        assert (report.sent, report.failed_attempts, report.pending) == (0, 1, 1)
        (alert,) = store.due_alerts("9999")
        assert alert["attempts"] == 1 and alert["next_attempt_at"] > datetime.now(UTC).isoformat()
    finally:
        down.close()


def test_loopback_targets_are_refused_unless_allowed(receiver: Receiver) -> None:
    store = SQLiteStore(":memory:")
    _watch(store, webhook=receiver.url)
    _ingest(store, 2)
    report = deliver(store, DeliverOptions(backoff_base=0.05, max_wait=5.0))
    assert (report.sent, report.refused, report.pending) == (0, 2, 2)
    assert receiver.requests == [] and "refused" in report.errors[0] and "--allow-loopback" in report.errors[0]
    assert store.table_count("delivery_attempts") == 0          # a refusal is not an attempt: nothing is lost
    assert deliver(store, DeliverOptions(**FAST)).sent == 2 and len(receiver.requests) == 2


def test_deliver_command_refuses_a_loopback_webhook_unless_allowed(receiver: Receiver, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from marsad.cli import cli

    db = tmp_path / "w.db"
    store = SQLiteStore(db)
    _watch(store, webhook=receiver.url)
    _ingest(store, 2)
    store.close()
    refused = CliRunner().invoke(cli, ["deliver", "--db", str(db), "--json"])
    assert refused.exit_code == 1 and receiver.requests == []
    assert "refused to connect to 127.0.0.1" in refused.output and "--allow-loopback" in refused.output
    done = CliRunner().invoke(cli, ["deliver", "--db", str(db), "--allow-loopback", "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["sent"] == 2 and len(receiver.accepted()) == 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """A local aiosmtpd server; the messages it received, parsed."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received: list[Any] = []

    class Keep(Message):
        def handle_message(self, message: Any) -> None:
            received.append(message_from_bytes(message.as_bytes(), policy=email.policy.default))

    port = _free_port()
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("MARSAD_SMTP_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.setenv("MARSAD_SMTP_FROM", "alerts@marsad.test")
    yield received
    controller.stop()


def test_email_one_message_per_alert(smtp: list[Any]) -> None:
    store = SQLiteStore(":memory:")
    _watch(store, email="analyst@example.org")
    ids = _ingest(store, 3)
    report = deliver(store, DeliverOptions(**FAST))
    assert report.sent == 3 and len(smtp) == 3
    keys = {m["X-Marsad-Key"] for m in smtp}
    assert len(keys) == 3 and all(m["To"] == "analyst@example.org" and m["From"] == "alerts@marsad.test"
                                  for m in smtp)
    bodies = [m.get_content() for m in smtp]
    assert all("مرصد — kim: خبر كيم" in m["Subject"] for m in smtp)
    assert sorted(json.loads(b[b.index("{"):])["article"]["id"] for b in bodies) == sorted(ids)
    assert deliver(store, DeliverOptions(**FAST)).sent == 0 and len(smtp) == 3


def test_email_without_a_server_fails_with_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MARSAD_SMTP_URL", raising=False)
    store = SQLiteStore(":memory:")
    _watch(store, email="analyst@example.org")
    _ingest(store, 1)
    report = deliver(store, DeliverOptions(**{**FAST, "max_wait": 0.0}))
    assert (report.sent, report.refused, report.pending) == (0, 1, 1) and "MARSAD_SMTP_URL" in report.errors[0]
    assert store.due_alerts("9999")[0]["attempts"] == 0          # kept for a run that has a server


def test_a_digest_is_one_message_per_closed_window(smtp: list[Any], receiver: Receiver) -> None:
    store = SQLiteStore(":memory:")
    _watch(store, email="analyst@example.org", webhook=receiver.url, digest="hourly")
    arts = [article(f"كيم في خبر {i}", title=f"كيم {i}") for i in range(3)]
    ids = add(store, *arts)
    nine = datetime(2025, 4, 17, 9, 30, tzinfo=UTC)
    with store.transaction():
        match_batch(store, list(zip(ids[:2], arts[:2], strict=True)), ids[:2], now=nine)
        match_batch(store, [(ids[2], arts[2])], ids[2:], now=nine.replace(hour=10))
    assert store.due_alerts("9999") == []                                  # matches wait for their window
    assert make_digests(store, now=nine.replace(minute=59)) == 0           # 09:00-10:00 is still open
    assert make_digests(store, now=nine.replace(hour=10, minute=5)) == 2   # one alert per channel for 09:00
    assert make_digests(store, now=nine.replace(hour=10, minute=6)) == 0   # 10:00-11:00 is still open
    report = deliver(store, DeliverOptions(**FAST))        # now: every window is closed, the 10:00 one made here
    assert (report.digests, report.sent, len(smtp), len(receiver.requests)) == (2, 4, 2, 2)
    first, second = sorted(receiver.accepted(), key=lambda p: p["window"]["start"])
    assert sorted(a["id"] for a in first["articles"]) == ids[:2] and [a["id"] for a in second["articles"]] == ids[2:]
    assert first["window"] == {"start": "2025-04-17T09:00:00+00:00", "end": "2025-04-17T10:00:00+00:00"}
    assert first["digest"] == "hourly" and first["key"] != second["key"]
    assert {m["X-Marsad-Key"] for m in smtp} == {first["key"], second["key"]}
    assert "2 مقالات" in next(m["Subject"] for m in smtp if m["X-Marsad-Key"] == first["key"])


def test_sigkill_of_deliver_mid_batch_loses_nothing(tmp_path: Path) -> None:
    slow = Receiver(delay=0.4)
    try:
        db = tmp_path / "alerts.db"
        store = SQLiteStore(db)
        _watch(store, webhook=slow.url)
        ids = _ingest(store, 10)
        store.close()
        cmd = [sys.executable, "-m", "marsad", "deliver", "--db", str(db), "--allow-loopback"]
        env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while len(slow.requests) < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)                                  # inside the next request: sent, not yet recorded
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert proc.returncode == -signal.SIGKILL
        store = SQLiteStore(db)
        assert 0 < len([a for a in store.recent_alerts("kim", limit=50) if a["status"] == "sent"]) < 10
        store.close()
        done = subprocess.run([*cmd, "--json"], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        store = SQLiteStore(db)
        alerts = store.recent_alerts("kim", limit=50)
        assert len(alerts) == 10 and {a["status"] for a in alerts} == {"sent"}    # each key recorded sent once
        assert len({a["key"] for a in alerts}) == 10
        received = slow.accepted()
        assert {p["article"]["id"] for p in received} == set(ids)                # every alert received
        assert {p["key"] for p in received} == {a["key"] for a in alerts}
        assert len(received) - 10 <= 1       # at most the one in flight at the kill came twice (same key)
        store.close()
    finally:
        slow.close()


def test_the_watcher_delivers_after_its_pass(receiver: Receiver, tmp_path: Path) -> None:
    """`marsad watch` matches what it stores and sends the alerts in its loop, through the same address guard."""
    import asyncio

    from marsad.ingestion.watch import Watcher, WatchOptions
    from marsad.sources.feeds import FeedSpec
    from marsad.sources.fetch import FetchOptions
    from tests.newsserver import NewsServer, NewsSite

    store = SQLiteStore(tmp_path / "w.db")
    _watch(store, "reports", query="تقرير", webhook=receiver.url)
    options = WatchOptions(fetch=FetchOptions(allow_loopback=True, per_host_delay=0.0, retries=0))
    with NewsServer(NewsSite(items=6)) as site:
        watcher = Watcher(store, [FeedSpec(f"{site.base}/feeds/rss.xml", source="موقع الاختبار")], options=options)
        report = asyncio.run(watcher.run(once=True)).to_dict()
    assert report["stored"] >= 3 and report["alerts_sent"] == report["stored"] == len(receiver.requests)
    assert sorted(p["article"]["id"] for p in receiver.accepted()) == store.watchlist_article_ids("reports")[::-1]
    assert {p["article"]["source"] for p in receiver.accepted()} == {"موقع الاختبار"}
