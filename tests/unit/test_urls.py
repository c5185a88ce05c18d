"""URL keys fold the spellings of one article; canonical_url picks a believable rel=canonical."""

from __future__ import annotations

import pytest

from marsad.sources.urls import canonical_url, registrable_domain, url_key

ALARABIYA = "https://www.alarabiya.net/arab-and-world/2024/05/01/خبر-عاجل"
ALARABIYA_ENCODED = (
    "https://www.alarabiya.net/arab-and-world/2024/05/01/%D8%AE%D8%A8%D8%B1-%D8%B9%D8%A7%D8%AC%D9%84"
)

# Each group: one article as reached through a feed link, a sitemap <loc>, AMP, mobile, shares...
SAME_ARTICLE = {
    "alarabiya": [
        ALARABIYA,
        ALARABIYA_ENCODED,                                                   # sitemap loc
        "http://alarabiya.net/arab-and-world/2024/05/01/خبر-عاجل?fbclid=IwAR0xyz",  # feed link, shared
        "https://www.alarabiya.net/amp/arab-and-world/2024/05/01/خبر-عاجل",  # AMP segment
        "https://m.alarabiya.net/arab-and-world/2024/05/01/خبر-عاجل/",       # mobile, trailing slash
        "https://www.alarabiya.net/arab-and-world/2024/05/01/خبر-عاجل?utm_source=twitter&utm_medium=social#c",
        "https://www-alarabiya-net.cdn.ampproject.org/c/s/www.alarabiya.net/amp/arab-and-world/2024/05/01/"
        "%D8%AE%D8%A8%D8%B1-%D8%B9%D8%A7%D8%AC%D9%84",                       # Google AMP cache
        "HTTPS://WWW.ALARABIYA.NET:443//arab-and-world//2024/05/01/خبر-عاجل",  # case, port, double slashes
    ],
    "aawsat": [
        "https://aawsat.com/home/article/410826",
        "https://aawsat.com/home/article/410826/amp",
        "https://aawsat.com/home/article/410826?amp=1",
        "https://amp.aawsat.com/home/article/410826",
        "https://mobile.aawsat.com/home/article/410826?xtor=RSS-1&utm_campaign=feed",
        "http://www.aawsat.com:80/home/article/410826/",
    ],
    "bbc": [
        "https://www.bbc.com/arabic/articles/c0w2x1y2z3o",
        "https://www.bbc.com/arabic/articles/c0w2x1y2z3o.amp",
        "https://www.bbc.com/arabic/articles/c0w2x1y2z3o?at_medium=RSS&at_campaign=rss",
    ],
    "query-article": [
        "https://news.example.org/article.php?id=77&cat=3",
        "https://news.example.org/article.php?cat=3&id=77&outputType=amp",
        "https://m.news.example.org/article.php?id=77&cat=3&gclid=abc&_ga=1.2",
    ],
    "amp-html": [
        "https://example.net/news/2024/story-123.html",
        "https://example.net/news/2024/story-123.amp.html",
        "https://amp.example.net/news/2024/story-123.html",
    ],
    "index": [
        "https://example.net/section/news/",
        "https://example.net/section/news/index.html",
        "https://example.net/section/news/index.php",
        "https://example.net/section//news",
    ],
    "idn": [
        "https://مثال.السعودية/خبر/1",
        "https://xn--mgbh0fb.xn--mgberp4a5d4ar/%D8%AE%D8%A8%D8%B1/1",
    ],
}


@pytest.mark.parametrize("name", sorted(SAME_ARTICLE))
def test_spellings_of_one_article_share_a_key(name: str) -> None:
    keys = {url: url_key(url) for url in SAME_ARTICLE[name]}
    assert None not in keys.values(), keys
    assert len(set(keys.values())) == 1, keys


def test_articles_keep_distinct_keys() -> None:
    keys = [url_key(urls[0]) for urls in SAME_ARTICLE.values()]
    assert len(set(keys)) == len(keys)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://aawsat.com/home/article/410826", "https://aawsat.com/home/article/410827"),
        ("https://example.com/article?id=5", "https://example.com/article?id=6"),
        ("https://example.com/news/1", "https://example.org/news/1"),
        ("https://alarabiya.net/news/1", "https://alarabiya.com/news/1"),
        ("https://example.com/amp-news/1", "https://example.com/news/1"),       # "amp-news" is not an AMP segment
        ("https://example.com/news/Story", "https://example.com/news/story"),   # paths are case-sensitive
        ("https://example.com/news/1?page=2", "https://example.com/news/1"),
        ("https://example.com:8080/news/1", "https://example.com/news/1"),
        ("https://sport.example.com/1", "https://example.com/1"),               # only www/m/mobile/amp fold
        ("https://example.com/ampere", "https://example.com/"),
    ],
)
def test_different_articles_get_different_keys(a: str, b: str) -> None:
    assert url_key(a) != url_key(b)
    assert url_key(a) is not None and url_key(b) is not None


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("http://www.Example.com/a/b/?utm_source=x#frag", "https://example.com/a/b"),
        ("https://m.example.com", "https://example.com/"),
        ("https://m.com/a", "https://m.com/a"),                 # never strips a host down to its TLD
        ("https://amp.dev/about", "https://amp.dev/about"),
        ("https://example.com/news/1?amp", "https://example.com/news/1"),
        ("https://example.com/x?b=2&a=1", "https://example.com/x?a=1&b=2"),
        ("http://[2001:db8::1]:8080/a", "https://[2001:db8::1]:8080/a"),
        ("http://10.0.0.1/a", "https://10.0.0.1/a"),
    ],
)
def test_url_key_examples(url: str, key: str) -> None:
    assert url_key(url) == key


@pytest.mark.parametrize("bad", ["", "   ", "ftp://x/y", "mailto:a@b.c", "javascript:alert(1)", "https:///nohost",
                                 "http://example.com:99999/", "//example.com/a"])
def test_url_key_refuses_non_http(bad: str) -> None:
    assert url_key(bad) is None


# ---------------------------------------------------------------------------------------------
# canonical_url
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "canonical", "expected"),
    [
        # AMP and mobile pages name their desktop original
        ("https://www.alarabiya.net/amp/news/1", "https://www.alarabiya.net/news/1", "https://www.alarabiya.net/news/1"),
        ("https://m.aawsat.com/home/article/1", "https://aawsat.com/home/article/1", "https://aawsat.com/home/article/1"),
        # relative canonical resolves against the page
        ("https://example.net/amp/news/1?amp=1", "/news/1", "https://example.net/news/1"),
        # tracking parameters and fragments never survive
        ("https://example.net/news/1?utm_source=x#top", None, "https://example.net/news/1"),
        ("https://example.net/news/1", "https://example.net/news/1?fbclid=1", "https://example.net/news/1"),
        # a syndicated copy names the original on another public host
        ("https://partner.example.net/wire/1", "https://www.reuters.com/world/story-1/", "https://www.reuters.com/world/story-1/"),
        # unbelievable canonicals are ignored
        ("https://example.net/news/1", "https://example.net/", "https://example.net/news/1"),   # home page
        ("https://example.net/news/1", "http://localhost/news/1", "https://example.net/news/1"),
        ("https://example.net/news/1", "https://example.com/news/1", "https://example.net/news/1"),  # placeholder
        ("https://example.net/news/1", "http://192.168.1.10/news/1", "https://example.net/news/1"),
        ("https://example.net/news/1", "javascript:void(0)", "https://example.net/news/1"),
        ("https://example.net/news/1", "   ", "https://example.net/news/1"),
        ("https://example.net/news/1", "https://intranet.local/news/1", "https://example.net/news/1"),
        # the home page may be canonical to itself
        ("https://www.example.net/?utm_campaign=x", "https://example.net/", "https://example.net/"),
        # Arabic paths come back percent-encoded and fetchable
        ("https://www.alarabiya.net/news/خبر", None, "https://www.alarabiya.net/news/%D8%AE%D8%A8%D8%B1"),
    ],
)
def test_canonical_url(url: str, canonical: str | None, expected: str) -> None:
    assert canonical_url(url, canonical=canonical) == expected


def test_canonical_url_without_a_usable_url() -> None:
    assert canonical_url("ftp://x/y") is None
    assert canonical_url("not a url", canonical="/relative") is None
    assert canonical_url("", canonical="https://aawsat.com/home/article/1") == "https://aawsat.com/home/article/1"


def test_canonical_and_key_agree() -> None:
    page = "https://amp.aawsat.com/home/article/410826?amp=1&utm_source=t"
    chosen = canonical_url(page, canonical="https://aawsat.com/home/article/410826")
    assert chosen is not None and url_key(chosen) == url_key(page)


@pytest.mark.parametrize(
    ("host", "domain"),
    [
        ("www.alarabiya.net", "alarabiya.net"),
        ("news.bbc.co.uk", "bbc.co.uk"),
        ("www.ahram.org.eg", "ahram.org.eg"),
        ("www.spa.gov.sa", "spa.gov.sa"),
        ("aawsat.com", "aawsat.com"),
        ("a.b.example.com", "example.com"),
        ("127.0.0.1", "127.0.0.1"),
    ],
)
def test_registrable_domain(host: str, domain: str) -> None:
    assert registrable_domain(host) == domain
