"""Hostile pages and queries in a real browser: nothing executes, the text is shown escaped, and our pages
raise no Content-Security-Policy violation (there is nothing for the policy to block)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from selenium.webdriver.common.by import By

PAYLOAD_CHECK = ("return {pwned: window.__pwned === undefined ? null : window.__pwned, title: document.title, "
                 "scripts: document.scripts.length, handlers: document.querySelectorAll('[onerror],[onload]').length, "
                 "jsLinks: Array.from(document.links).filter(a => a.protocol === 'javascript:').length}")


def _hostile_ids(store: Any) -> list[int]:
    return [a["id"] for a in store.iter_articles()
            if "<script" in (a["title"] or "") or (a["url"] or "").startswith("javascript:")]


def _nothing_ran(browser: Any) -> None:
    state = browser.execute_script(PAYLOAD_CHECK)
    assert state["pwned"] is None, state
    assert state["title"] != "PWNED", state              # the payload would have set exactly this
    assert state["scripts"] == 0 and state["handlers"] == 0 and state["jsLinks"] == 0, state
    log = [e["message"] for e in browser.get_log("browser")]
    assert not [m for m in log if "Content Security Policy" in m or "Refused to" in m], log


def test_hostile_articles_do_not_execute(browser: Any, live_url: str, sample_store: Any, screenshots: Path) -> None:
    ids = _hostile_ids(sample_store)
    assert len(ids) >= 3
    for article_id in ids:
        browser.get_log("browser")                                    # start each page with an empty log
        browser.get(f"{live_url}/articles/{article_id}")
        _nothing_ran(browser)
        heading = browser.find_element(By.TAG_NAME, "h1").text
        page_text = browser.find_element(By.TAG_NAME, "body").text
        if "<script" in (sample_store.get_article(article_id)["title"] or ""):
            assert '<script>document.title="PWNED"</script>' in heading   # shown as text, escaped
        assert "window.__pwned" in page_text                             # the payload is visible, inert
    browser.save_screenshot(str(screenshots / "hostile-article.png"))


def test_hostile_query_does_not_execute(browser: Any, live_url: str, screenshots: Path) -> None:
    query = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1"> تطعيم'
    browser.get_log("browser")
    browser.get(f"{live_url}/search?{urlencode({'q': query})}")
    _nothing_ran(browser)
    assert browser.find_element(By.ID, "q").get_attribute("value") == query
    assert "<script>window.__pwned=1</script>" in browser.find_element(By.TAG_NAME, "h2").text
    assert browser.find_elements(By.TAG_NAME, "mark")                    # and the real word still matched
    browser.save_screenshot(str(screenshots / "hostile-search.png"))


def test_hostile_source_name(browser: Any, live_url: str) -> None:
    browser.get(f"{live_url}/sources")
    _nothing_ran(browser)
    assert "موقع <b>تجريبي</b>" in browser.find_element(By.TAG_NAME, "table").text
    assert not browser.find_elements(By.CSS_SELECTOR, "table b")
