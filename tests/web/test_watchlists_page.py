"""The watchlists page in headless Chromium: reached from the navigation, right to left, each watchlist's matches,
last alerts and delivery health as the store holds them after a real ingest and a real delivery run."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from selenium.webdriver.common.by import By

from marsad.config import IngestOptions
from marsad.ingestion.alerts import make_watchlist
from marsad.ingestion.deliver import DeliverOptions, deliver
from marsad.ingestion.pipeline import ingest
from marsad.store import SQLiteStore
from marsad.web.app import create_app
from tests.conftest import REPO
from tests.web.conftest import _free_port
from tests.web.test_reader import _assert_rtl, _console_errors, _open


class _Hooks(BaseHTTPRequestHandler):
    """/ok answers 204, /down 503."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(204 if self.path == "/ok" else 503)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def watch_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A reader over the sample wire ingested with three watchlists, after one delivery run (one receiver up, one
    down)."""
    hooks = ThreadingHTTPServer(("127.0.0.1", 0), _Hooks)
    threading.Thread(target=hooks.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{hooks.server_address[1]}"
    db = tmp_path_factory.mktemp("wl-web") / "w.db"
    store = SQLiteStore(db)
    store.add_watchlist(make_watchlist("ترمب", entity="ترمب", webhook=f"{base}/ok"))
    store.add_watchlist(make_watchlist("أوبك", query="أوبك", webhook=f"{base}/down"))
    store.add_watchlist(make_watchlist("زلزال", query="زلزال"))
    ingest([REPO / "samples" / "wire" / "outlets-2025-04.jsonl"], store, IngestOptions(embedder="none", workers=1))
    deliver(store, DeliverOptions(allow_loopback=True, max_attempts=2, backoff_base=0.01, max_wait=2.0))
    store.close()
    hooks.shutdown()
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the reader did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_watchlists_page(browser: Any, watch_url: str, screenshots: Path) -> None:
    _open(browser, watch_url + "/")
    browser.find_element(By.LINK_TEXT, "المراقبة").click()
    assert browser.current_url.endswith("/watchlists")
    _assert_rtl(browser)
    rows = {r.find_element(By.CSS_SELECTOR, "td a").text: r
            for r in browser.find_elements(By.CSS_SELECTOR, "table.watchlists tbody tr[id^=wl-]")}
    assert set(rows) == {"ترمب", "أوبك", "زلزال"}
    cells = {name: [td.text for td in row.find_elements(By.TAG_NAME, "td")] for name, row in rows.items()}
    # columns: name, what, matches, health, sent, pending, failed, last sent, feed
    assert cells["ترمب"][2] == "8" and cells["ترمب"][3] == "سليمة" and cells["ترمب"][4:7] == ["8", "0", "0"]
    assert cells["أوبك"][3] == "متعطلة" and cells["أوبك"][4] == "0" and int(cells["أوبك"][6]) >= 3
    assert cells["زلزال"][2] == "0" and cells["زلزال"][3] == "بلا تنبيهات"
    assert "اسم: ترمب" in cells["ترمب"][1] and "بحث: أوبك" in cells["أوبك"][1]
    assert "HTTP 503" in browser.find_element(By.CSS_SELECTOR, "table.watchlists tr.err").text
    assert rows["أوبك"].find_element(By.CSS_SELECTOR, ".health").value_of_css_property("color") != \
        rows["ترمب"].find_element(By.CSS_SELECTOR, ".health").value_of_css_property("color")
    browser.save_screenshot(str(screenshots / "watchlists.png"))
    assert _console_errors(browser) == []

    rows["ترمب"].find_element(By.CSS_SELECTOR, "td a").click()
    _assert_rtl(browser)
    assert browser.find_element(By.TAG_NAME, "h1").text == "ترمب"
    matches = browser.find_elements(By.CSS_SELECTOR, "ul.matches li a")
    assert len(matches) == 8
    titles = [m.text for m in matches]
    assert any("ترمب" in t for t in titles) and any("ترامب" in t for t in titles)   # every spelling
    alerts = browser.find_elements(By.CSS_SELECTOR, "table.alerts tbody tr")
    assert len(alerts) == 8 and all(r.find_element(By.CSS_SELECTOR, ".health").text == "أُرسل" for r in alerts)
    feed = browser.find_element(By.CSS_SELECTOR, "link[rel=alternate][type='application/atom+xml']")
    assert feed.get_attribute("href").endswith("/watchlists/%D8%AA%D8%B1%D9%85%D8%A8.atom")
    browser.save_screenshot(str(screenshots / "watchlist.png"))
    matches[0].click()
    assert "/articles/" in browser.current_url
    assert _console_errors(browser) == []
