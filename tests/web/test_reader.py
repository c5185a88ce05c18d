"""The reader in headless Chromium: right to left, the content shown, click-through, keyboard, phone width,
screenshots (looked at by a person; kept in tests/web/screenshots/ or $MARSAD_SCREENSHOTS)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait


def _open(browser: Any, url: str) -> None:
    browser.get(url)
    assert browser.execute_script("return document.readyState") == "complete"


def _console_errors(browser: Any) -> list[str]:
    return [e["message"] for e in browser.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]


def _assert_rtl(browser: Any) -> None:
    html = browser.find_element(By.TAG_NAME, "html")
    assert html.get_attribute("dir") == "rtl" and html.get_attribute("lang") == "ar"
    main = browser.find_element(By.ID, "main")
    assert main.value_of_css_property("direction") == "rtl"
    assert main.value_of_css_property("text-align") in ("right", "start", "-webkit-right")
    h1 = browser.find_element(By.TAG_NAME, "h1")
    # right to left: the heading's text hugs the right edge of the main column
    right_gap = main.rect["x"] + main.rect["width"] - (h1.rect["x"] + h1.rect["width"])
    assert right_gap < 40, right_gap


def test_home_page(browser: Any, live_url: str, screenshots: Path, sample_store: Any) -> None:
    _open(browser, live_url + "/")
    _assert_rtl(browser)
    cards = browser.find_elements(By.CSS_SELECTOR, "ol.front > li")
    assert len(cards) >= 5
    lead = sample_store.get_story(sample_store.get_article(35)["story_id"])
    assert cards[0].find_element(By.CSS_SELECTOR, "h2 a").text == lead["headline"]
    assert "وقت آخر مقال منشور في المخزن" in browser.find_element(By.CSS_SELECTOR, "p.lede").text
    assert browser.find_elements(By.CSS_SELECTOR, "ol.front .chip.outlet")
    # the CSS loaded (nothing else may): a card has a white background and a border
    assert cards[0].find_element(By.CSS_SELECTOR, "article").value_of_css_property("border-top-style") == "solid"
    browser.save_screenshot(str(screenshots / "home.png"))
    assert _console_errors(browser) == []


def test_story_to_article_to_related(browser: Any, live_url: str, screenshots: Path) -> None:
    _open(browser, live_url + "/")
    first = browser.find_element(By.CSS_SELECTOR, "ol.front > li h2 a")
    headline = first.text
    first.click()
    assert "/stories/" in browser.current_url
    _assert_rtl(browser)
    assert browser.find_element(By.TAG_NAME, "h1").text == headline
    chart = browser.find_element(By.CSS_SELECTOR, "figure.chart svg")
    assert len(chart.find_elements(By.TAG_NAME, "rect")) >= 3 and chart.size["width"] > 200
    groups = browser.find_elements(By.CSS_SELECTOR, ".outlet-group")
    assert len(groups) >= 3
    browser.save_screenshot(str(screenshots / "story.png"))

    dated = [li for li in browser.find_elements(By.CSS_SELECTOR, ".outlet-group li")
             if li.find_elements(By.TAG_NAME, "time")]
    link = dated[0].find_element(By.TAG_NAME, "a")
    title = link.text
    link.click()
    assert "/articles/" in browser.current_url
    _assert_rtl(browser)
    assert browser.find_element(By.TAG_NAME, "h1").text == title
    dates = browser.find_element(By.CSS_SELECTOR, "dl.dates").text
    assert "هـ" in dates and "2025" in dates                       # Gregorian and Hijri
    original = browser.find_element(By.CSS_SELECTOR, "p.original a")
    assert original.get_attribute("rel") == "noopener noreferrer nofollow"
    related = browser.find_elements(By.CSS_SELECTOR, "ol.related-list li")
    assert related and "من القصة نفسها" in related[0].text
    browser.save_screenshot(str(screenshots / "article.png"))

    first_article = browser.current_url
    target = related[0].find_element(By.TAG_NAME, "a")
    target_title = target.text
    target.click()
    assert browser.current_url != first_article and "/articles/" in browser.current_url
    assert browser.find_element(By.TAG_NAME, "h1").text == target_title
    assert _console_errors(browser) == []


def test_search_page_with_keyboard(browser: Any, live_url: str, screenshots: Path) -> None:
    _open(browser, live_url + "/search")
    _assert_rtl(browser)
    box = browser.find_element(By.ID, "q")
    assert browser.find_element(By.CSS_SELECTOR, "label[for=q]").text
    box.send_keys("الأهلي بوريرام" + Keys.ENTER)       # submitting does not wait for the next page: wait here
    WebDriverWait(browser, 20).until(ec.url_contains("q="))
    listed = ec.presence_of_all_elements_located((By.CSS_SELECTOR, "ol.results > li"))
    results = WebDriverWait(browser, 20).until(listed)
    assert results and browser.execute_script("return document.readyState") == "complete"
    marks = [m.text for m in browser.find_elements(By.TAG_NAME, "mark")]
    assert any("بوريرام" in m for m in marks) and any(m.startswith(("الأهلي", "الأهلى")) for m in marks)
    assert browser.find_elements(By.CSS_SELECTOR, "ol.results details summary")     # grouped by story
    source = browser.find_element(By.ID, "source")
    assert source.tag_name == "select" and len(source.find_elements(By.TAG_NAME, "option")) > 5
    browser.save_screenshot(str(screenshots / "search.png"))


def test_entity_and_source_pages(browser: Any, live_url: str, screenshots: Path) -> None:
    _open(browser, live_url + "/entities/" + quote("ORG:اهلي", safe=""))
    _assert_rtl(browser)
    assert browser.find_element(By.TAG_NAME, "h1").text == "الأهلي"
    forms = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "table.variants tbody td:first-child")]
    assert {"الأهلي", "الأهلى"} <= set(forms)
    assert browser.find_elements(By.CSS_SELECTOR, ".story-card h3 a")
    browser.save_screenshot(str(screenshots / "entity.png"))
    _open(browser, live_url + "/sources/" + quote("سكاي نيوز عربية", safe=""))
    _assert_rtl(browser)
    assert browser.find_elements(By.CSS_SELECTOR, "figure.chart svg rect")
    browser.save_screenshot(str(screenshots / "source.png"))


def test_keyboard_skip_link_and_focus(browser: Any, live_url: str) -> None:
    _open(browser, live_url + "/")
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    focused = browser.switch_to.active_element
    assert focused.get_attribute("class") == "skip" and focused.rect["y"] >= 0     # shown when focused
    assert focused.value_of_css_property("outline-style") == "solid"               # visible focus
    focused.send_keys(Keys.ENTER)
    assert browser.current_url.endswith("#main")


def test_phone_width(browser: Any, live_url: str, screenshots: Path) -> None:
    browser.set_window_size(390, 844)
    try:
        for page in ("/", "/articles/35"):
            _open(browser, live_url + page)
            overflow = browser.execute_script(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 1, (page, overflow)
        browser.save_screenshot(str(screenshots / "article-phone.png"))
    finally:
        browser.set_window_size(1280, 900)


def test_story_summary_whats_new_and_feed_link(browser: Any, live_url: str, screenshots: Path,
                                               sample_store: Any) -> None:
    sid = sample_store.get_article(35)["story_id"]
    _open(browser, f"{live_url}/stories/{sid}")
    _assert_rtl(browser)
    section = browser.find_element(By.CSS_SELECTOR, "section.story-summary")
    assert section.is_displayed() and section.find_element(By.TAG_NAME, "h2").text == "الملخص من مصادر القصة"
    sentences = section.find_elements(By.CSS_SELECTOR, "ol.sentences > li")
    assert 3 <= len(sentences) <= 5 and all(li.is_displayed() and len(li.text) > 20 for li in sentences)
    outlets = {li.find_element(By.CSS_SELECTOR, "a.from").text for li in sentences}
    assert len(outlets) >= 3                                            # the summary spans the story's outlets
    # the summary sits above the chart and the member lists
    chart = browser.find_element(By.CSS_SELECTOR, "figure.chart")
    assert section.rect["y"] < chart.rect["y"]
    new = browser.find_elements(By.CSS_SELECTOR, "section.whats-new li")
    assert all(li.find_element(By.CSS_SELECTOR, "a.from").get_attribute("href").split("/articles/")[1].isdigit()
               for li in new)
    head = browser.find_element(By.CSS_SELECTOR, 'head link[rel="alternate"][type="application/atom+xml"]')
    assert head.get_attribute("href") == f"{live_url}/stories/{sid}.atom"
    feed_link = browser.find_element(By.CSS_SELECTOR, 'p.feed-link a[type="application/atom+xml"]')
    assert feed_link.is_displayed() and feed_link.get_attribute("href") == f"{live_url}/stories/{sid}.atom"
    browser.save_screenshot(str(screenshots / "story-summary.png"))
    # a sentence's outlet link opens its article
    first = sentences[0].find_element(By.CSS_SELECTOR, "a.from")
    target = first.get_attribute("href")
    first.click()
    assert browser.current_url == target and "/articles/" in target
    assert _console_errors(browser) == []
