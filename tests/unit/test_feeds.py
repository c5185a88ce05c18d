"""Feeds, news sitemaps and feed lists: RSS/Atom/JSON Feed/sitemaps/OPML, Arabic dates, windows-1256."""

from __future__ import annotations

import gzip
import re
from dataclasses import asdict
from pathlib import Path

import pytest

from marsad.errors import EmptyInputError, InputError, MalformedInputError, OversizedInputError
from marsad.sources import feeds
from marsad.sources.feeds import FeedItem, FeedSpec, default_feed_list, opml, parse_feed, read_feed_list, rss, xmltools
from marsad.sources.urls import url_key

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
FEED_URL = "https://feeds.example-news.com/rss/main.xml"
TAG = re.compile(r"<[a-zA-Z/!][^>]*>")


def _read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _parse(name: str, url: str = FEED_URL, **kwargs: str) -> feeds.ParsedFeed:
    return parse_feed(_read(name), url=url, **kwargs)


def _no_markup(item: FeedItem) -> None:
    assert not TAG.search(item.summary), item.summary
    assert "&amp;" not in item.summary and "&lt;" not in item.summary
    assert not TAG.search(item.title), item.title


# --------------------------------------------------------------------------------------------
# RSS 2.0 in windows-1256
# --------------------------------------------------------------------------------------------

# The Arabic strings the windows-1256 fixture was encoded from.
CP1256_CHANNEL = "أخبار المثال"
CP1256_TITLES = [
    "استئناف المحادثات في القاهرة",
    "الفيصلي يفوز على الوحدات",
    "حملة وطنية لتطعيم الأطفال",
    "",  # an item without a title
    "تقرير: ارتفاع أسعار الذهب",
]


def test_cp1256_fixtures_are_really_cp1256() -> None:
    declared, bare = _read("rss2_cp1256.xml"), _read("rss2_cp1256_nodecl.xml")
    for data in (declared, bare):
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
        assert CP1256_TITLES[0].encode("cp1256") in data
    assert declared.startswith(b'<?xml version="1.0" encoding="windows-1256"?>')
    assert b"encoding=" not in bare and not bare.startswith(b"<?xml")


@pytest.mark.parametrize("name", ["rss2_cp1256.xml", "rss2_cp1256_nodecl.xml"])
def test_rss2_cp1256(name: str) -> None:
    feed = _parse(name)
    assert feed.kind == "rss"
    assert feed.title == CP1256_CHANNEL
    assert feed.language == "ar"
    assert [item.title for item in feed.items] == CP1256_TITLES
    assert feed.warnings == ["1 duplicate item dropped"]

    talks, match, vaccines, untitled, gold = feed.items
    # relative links: against the channel link (https://www.example-news.com/ar/), not the feed URL
    assert talks.url == "https://www.example-news.com/news/2025/04/17/cairo-talks"
    assert match.url == "https://www.example-news.com/ar/sport/match-report.html"
    assert vaccines.url == "https://www.example-news.com/health/vaccines?utm_source=rss"
    assert untitled.url == "https://www.example-news.com/news/untitled-brief"
    assert gold.url == gold.guid == "https://www.example-news.com/economy/gold-prices"  # permalink guid
    assert talks.guid == "en-1001"  # isPermaLink="false": an id, not a link

    # Arabic pubDates that feedparser leaves unparsed
    assert talks.published == "2025-04-17T13:57:00"  # الخميس، 17 أبريل 2025 - 13:57 (Egyptian month)
    assert match.published == "2025-07-20T09:15:00"  # الأحد 20 تموز 2025 09:15 (Levantine month)
    assert vaccines.published == "2025-03-05"  # ٥ آذار ٢٠٢٥ (Arabic-Indic digits)
    assert untitled.published == "2025-04-17T10:30:00+03:00"  # RFC 822
    assert gold.published == "2025-04-18T08:00:00+00:00"
    assert all(item.updated is None for item in feed.items)

    # HTML descriptions: tags gone, paragraphs kept, entities decoded, scripts dropped
    for item in feed.items:
        _no_markup(item)
    assert talks.summary == (
        "قال مسؤولون إن المحادثات ستُستأنف الأسبوع المقبل & بحضور الوسطاء.\n\nوأضافوا أن الوفود ستصل\nيوم الأحد."
    )
    assert "track()" not in talks.summary
    assert match.summary == "فاز الفيصلي على الوحدات بهدفين & هدف في الدوري."  # entity-escaped HTML, no CDATA

    assert talks.author == "قسم الأخبار"  # "desk@example-news.com (قسم الأخبار)"
    assert vaccines.author == "سارة أحمد"  # dc:creator
    assert talks.tags == ["سياسة"] and match.tags == ["رياضة"]
    assert all(item.language == "ar" for item in feed.items)

    # content:encoded: full text
    assert vaccines.content_html is not None and vaccines.content_html.startswith("<p>أعلنت وزارة الصحة")
    assert vaccines.summary == "تنطلق حملة التطعيم في جميع المحافظات."
    assert vaccines.has_full_text
    assert [item.has_full_text for item in feed.items] == [False, False, True, False, False]


@pytest.mark.parametrize(
    ("transform", "charset"),
    [
        (lambda b: b.replace(b'encoding="windows-1256"', b'encoding="utf-8"'), None),  # wrong declaration
        (lambda b: b.replace(b'encoding="windows-1256"', b'encoding="iso-8859-1"'), None),  # server default
        (lambda b: b, "utf-8"),  # right declaration, wrong transport charset
        (lambda b: b, "windows-1256"),
    ],
    ids=["declared-utf8", "declared-latin1", "transport-utf8", "transport-cp1256"],
)
def test_rss2_cp1256_mislabelled(transform, charset) -> None:
    feed = parse_feed(transform(_read("rss2_cp1256.xml")), url=FEED_URL, charset=charset)
    assert feed.title == CP1256_CHANNEL
    assert [item.title for item in feed.items] == CP1256_TITLES


def test_transport_charset_for_undeclared_body() -> None:
    feed = _parse("rss2_cp1256_nodecl.xml", charset="windows-1256")
    assert [item.title for item in feed.items] == CP1256_TITLES


def test_utf8_body_declared_cp1256() -> None:
    body = _read("rss2_cp1256.xml").decode("cp1256").encode("utf-8")  # still says windows-1256
    feed = parse_feed(body, url=FEED_URL)
    assert [item.title for item in feed.items] == CP1256_TITLES


# --------------------------------------------------------------------------------------------
# Other feed formats
# --------------------------------------------------------------------------------------------


def test_rss091_with_netscape_doctype() -> None:
    feed = _parse("rss091.xml", url="http://old.example.org/rss.xml")
    assert feed.kind == "rss"
    assert feed.title == "نشرة قديمة" and feed.language == "ar"
    assert [item.url for item in feed.items] == [
        "http://old.example.org/culture/book-fair.html",
        "http://old.example.org/weather/rain.html",
    ]
    assert feed.items[0].summary == "افتُتح معرض الكتاب بمشاركة مئة دار نشر."
    assert feed.warnings == []


def test_rss10_rdf() -> None:
    feed = _parse("rss10.rdf", url="https://rdf.example.de/rss/ar")
    assert feed.kind == "rss"
    assert feed.title == "الأخبار بالعربية" and feed.language == "ar"
    first, second = feed.items
    assert first.url == first.guid == "https://rdf.example.de/ar/a-1"  # rdf:about
    assert first.published == first.updated == "2025-04-17T10:00:00+00:00"  # dc:date
    assert second.published == "2025-02-14"
    assert first.author == "فريق التحرير"
    assert first.tags == ["اقتصاد"] and second.tags == ["ثقافة"]
    assert first.summary == "استقبلت برلين وفداً عربياً لبحث التعاون الاقتصادي."


def test_atom_with_xml_base() -> None:
    feed = _parse("atom.xml", url="https://atom.example.net/ar/feed.atom")
    assert feed.kind == "atom"
    assert feed.title == "أخبار أطوم"  # type="html" title, tags stripped
    assert feed.language == "ar"  # xml:lang
    budget, press, english = feed.items
    # entry xml:base="politics/" inside feed xml:base="https://atom.example.net/ar/"
    assert budget.url == "https://atom.example.net/ar/politics/budget-2025.html"  # not the enclosure
    assert press.url == "https://atom.example.net/press/minister.html"
    assert english.url == "https://other.example.com/en/press"
    assert budget.guid == "tag:atom.example.net,2025:1"
    assert budget.published == "2025-04-17T09:30:00+03:00"
    assert budget.updated == "2025-04-17T11:00:00+03:00"
    assert press.published == press.updated == "2025-04-16T08:00:00+00:00"  # only <updated>
    assert budget.author == "ليلى حسن, عمر خالد"
    assert budget.tags == ["سياسة"]  # the category label, not the term
    assert budget.summary == "أقر البرلمان الموازنة العامة بأغلبية كبيرة."  # xhtml summary
    assert budget.content_html is not None and budget.content_html.startswith("<p>أعلنت")
    assert budget.has_full_text and not press.has_full_text
    assert press.summary == "عقد الوزير مؤتمراً صحفياً & أجاب عن الأسئلة."  # type text: kept as text
    assert english.language == "en" and budget.language == "ar"
    assert english.content_html == "<p>Plain text body.</p><p>Second paragraph &amp; more.</p>"
    assert english.summary == "Plain text body."  # lead of the content
    for item in feed.items:
        _no_markup(item)


def test_json_feed() -> None:
    feed = _parse("feed.json", url="https://json.example.org/feed.json")
    assert feed.kind == "jsonfeed"
    assert feed.title == "موجز JSON" and feed.language == "ar"
    assert feed.warnings == ["1 duplicate item dropped"]  # j-3 repeats j-1's URL; the string item is skipped
    flood, report = feed.items
    assert flood.url == "https://json.example.org/2025/04/17/flood"  # relative: against home_page_url
    assert flood.guid == "j-1"
    assert flood.published == "2025-04-17T07:45:00+02:00"
    assert flood.updated == "2025-04-17T09:00:00+02:00"
    assert flood.summary == "غمرت المياه عدة قرى."  # lead paragraph of content_html
    assert flood.tags == ["طقس", "طوارئ"]
    assert flood.author == "منى علي"
    assert not flood.has_full_text
    assert report.url == "https://json.example.org/2025/04/16/report"  # the id is a URL
    assert report.author == "غرفة الأخبار"  # feed-level authors
    assert report.language == "ar-EG"
    assert report.summary == "تقرير عن حملة التطعيم"
    assert report.content_html is not None
    assert report.content_html.startswith("<p>أعلنت وزارة الصحة") and report.content_html.count("<p>") == 3
    assert report.has_full_text


def test_json_feed_version_1_0_author() -> None:
    body = (
        '{"version": "https://jsonfeed.org/version/1", "title": "t", "author": {"name": "كاتب"},'
        ' "items": [{"id": 7, "url": "https://j.example/a", "content_text": "نص"}]}'
    ).encode()
    (item,) = parse_feed(body, url="https://j.example/feed.json").items
    assert item.author == "كاتب" and item.guid == "7" and item.title == ""
    assert item.content_html == "<p>نص</p>" and item.summary == "نص"


# --------------------------------------------------------------------------------------------
# Sitemaps
# --------------------------------------------------------------------------------------------

SITEMAP_URL = "https://www.sitemap-news.example/sitemaps/news.xml"


@pytest.mark.parametrize("name", ["sitemap_news.xml", "sitemap_news.xml.gz"])
def test_news_sitemap(name: str) -> None:
    if name.endswith(".gz"):
        assert _read(name)[:2] == b"\x1f\x8b"
    feed = _parse(name, url=SITEMAP_URL)
    assert feed.kind == "sitemap"
    assert feed.title == "صحيفة المثال"  # news:publication/news:name
    assert feed.language == "ar"
    assert feed.warnings == ["1 duplicate item dropped"]
    growth, derby, about = feed.items
    assert growth.url == "https://www.sitemap-news.example/ar/2025/04/17/economy-growth"
    assert growth.title == "نمو الاقتصاد بنسبة ثلاثة في المئة"
    assert growth.published == "2025-04-17T12:30:00+03:00"  # news:publication_date wins over lastmod
    assert growth.updated == "2025-04-17T15:00:00+03:00"
    assert growth.tags == ["اقتصاد", "نمو", "البنك المركزي"]
    assert growth.language == "ar"
    assert derby.published == "2025-04-17" and derby.updated is None
    assert about.title == "" and about.published == about.updated == "2025-01-01"  # lastmod only
    assert about.language is None


def test_gzipped_sitemap_equals_plain() -> None:
    plain = _parse("sitemap_news.xml", url=SITEMAP_URL)
    zipped = _parse("sitemap_news.xml.gz", url=SITEMAP_URL)
    assert [asdict(i) for i in zipped.items] == [asdict(i) for i in plain.items]


def test_sitemap_index() -> None:
    feed = _parse("sitemap_index.xml", url="https://www.sitemap-news.example/sitemap.xml")
    assert feed.kind == "sitemap_index"
    assert feed.items == []
    assert feed.sitemaps == [
        "https://www.sitemap-news.example/sitemaps/news.xml",
        "https://www.sitemap-news.example/sitemaps/2025-04.xml.gz",  # relative loc resolved
    ]  # the repeated one and the ftp:// one are gone


def test_broken_sitemap_is_recovered() -> None:
    body = _read("sitemap_news.xml")[:900]  # cut inside the second <url>
    feed = parse_feed(body, url=SITEMAP_URL)
    assert feed.kind == "sitemap"
    assert [item.title for item in feed.items][:1] == ["نمو الاقتصاد بنسبة ثلاثة في المئة"]
    assert feed.warnings[0].startswith("XML was not well-formed;")


# --------------------------------------------------------------------------------------------
# Broken input, errors
# --------------------------------------------------------------------------------------------


def test_broken_xml_keeps_recovered_items() -> None:
    feed = _parse("broken.xml", url="https://broken.example.com/feed")
    assert feed.kind == "rss"
    assert feed.warnings[0].startswith("XML was not well-formed; 3 items recovered")
    assert [item.url for item in feed.items] == [
        "https://broken.example.com/a/1",
        "https://broken.example.com/a/2",
        "https://broken.example.com/a/3",
    ]
    first = feed.items[0]
    assert first.title == "الخبر الأول اليوم"  # &nbsp; (undefined in XML)
    assert first.published == "2025-04-17"  # 17 نيسان 2025
    assert first.summary == "نص الخبر الأول & ما تلاه"
    for item in feed.items:
        _no_markup(item)


def test_html_entities_in_xml_are_read_without_feedparser(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_feedparser(*args: object) -> None:
        raise AssertionError("the feedparser path was taken")

    monkeypatch.setattr(rss, "from_feedparser", no_feedparser)
    body = _rss(
        "<link>https://x.example/</link>",
        "<title>الخبر&nbsp;الأول&hellip;</title><link>/a/1</link>"
        "<description><![CDATA[<p>نص&nbsp;أول &amp;nbsp;</p>]]> &laquo;اقتباس&raquo;</description>",
    )
    feed = parse_feed(body, url=FEED_URL)
    (item,) = feed.items
    assert item.title == "الخبر الأول…"
    assert item.summary == "نص أول &nbsp;\n\n«اقتباس»"  # "&amp;nbsp;" in HTML is the text "&nbsp;"
    assert item.url == "https://x.example/a/1"
    assert feed.warnings == []


def test_broken_xml_with_nothing_recovered() -> None:
    with pytest.raises(MalformedInputError, match="not a feed, sitemap or OPML: XML was not well-formed"):
        parse_feed(b"<rss><channel><title>x", url=FEED_URL)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (_read("garbage.txt"), "neither XML nor JSON"),
        (_read("not_a_feed.html"), "an HTML page"),
        (b"<html><body><p>hello</p></body></html>", "an HTML page"),
        (b"<foo><bar/></foo>", "the root element is <foo>"),
        (b'{"a": 1}', "not a JSON Feed"),
        (b"[1, 2]", "not a JSON Feed"),
        (b'{"items": [', "broken JSON"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "binary"),
        (b"\x1f\x8b\x08\x00 this is not gzip", "broken gzip"),
        (gzip.compress(_read("sitemap_news.xml"))[:200], "broken gzip"),
    ],
    ids=[
        "text",
        "html-page",
        "html",
        "unknown-root",
        "json-object",
        "json-array",
        "broken-json",
        "png",
        "bad-gzip",
        "truncated-gzip",
    ],
)
def test_not_a_feed(body: bytes, reason: str) -> None:
    with pytest.raises(MalformedInputError) as info:
        parse_feed(body, url=FEED_URL)
    assert reason in str(info.value)
    assert info.value.ref == FEED_URL
    assert info.value.code == "malformed"


@pytest.mark.parametrize("body", [b"", b"   \n\t  ", gzip.compress(b""), gzip.compress(b"\n\n")])
def test_empty_bodies(body: bytes) -> None:
    with pytest.raises(EmptyInputError):
        parse_feed(body, url=FEED_URL)


def test_gzip_expansion_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feeds, "MAX_DECOMPRESSED_BYTES", 1000)
    with pytest.raises(OversizedInputError, match="expands beyond"):
        parse_feed(gzip.compress(_read("sitemap_news.xml")), url=SITEMAP_URL)


def test_junk_before_the_xml_is_dropped() -> None:
    body = b"Warning: mysql_connect() failed in /var/www/feed.php on line 3\n" + _read("rss10.rdf")
    feed = parse_feed(body, url="https://rdf.example.de/rss/ar")
    assert len(feed.items) == 2
    assert feed.warnings == ["63 characters of junk before the XML dropped"]


def test_feed_without_items_is_not_an_error() -> None:
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
    feed = parse_feed(body, url=FEED_URL)
    assert feed.kind == "rss" and feed.items == [] and feed.warnings == []


def test_external_entities_are_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    for doctype in (f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>', ""):
        body = (
            f'<?xml version="1.0"?>{doctype}<rss version="2.0"><channel><title>t</title>'
            f"<item><title>a &xxe; b</title><link>https://x.example/1</link></item></channel></rss>"
        ).encode()
        try:
            feed = parse_feed(body, url=FEED_URL)
        except InputError:
            continue
        assert "TOP-SECRET" not in repr(feed)


# --------------------------------------------------------------------------------------------
# Links, dates, text
# --------------------------------------------------------------------------------------------


def _rss(channel_extra: str, item: str, attrs: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel{attrs}><title>t</title>'
        f"{channel_extra}<item>{item}</item></channel></rss>"
    ).encode()


@pytest.mark.parametrize(
    ("channel", "attrs", "expected"),
    [
        ("<link>https://www.site.example/ar/</link>", "", "https://www.site.example/ar/news/1"),
        ("", "", "https://feeds.site.example/rss/news/1"),  # no channel link: the feed URL
        (
            "<link>https://www.site.example/ar/</link>",
            ' xml:base="https://base.example/x/"',
            "https://base.example/x/news/1",
        ),  # xml:base wins
        ("<link>/ar/</link>", "", "https://feeds.site.example/ar/news/1"),  # relative channel link
    ],
)
def test_relative_link_resolution(channel: str, attrs: str, expected: str) -> None:
    body = _rss(channel, "<title>x</title><link>news/1</link>", attrs)
    (item,) = parse_feed(body, url="https://feeds.site.example/rss/feed.xml").items
    assert item.url == expected


def test_non_http_links_are_dropped() -> None:
    body = _rss("", "<title>x</title><link>javascript:alert(1)</link><guid>abc</guid>")
    (item,) = parse_feed(body, url=FEED_URL).items
    assert item.url is None and item.guid == "abc"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("الخميس، 17 أبريل 2025 - 13:57", "2025-04-17T13:57:00"),
        ("17 نيسان 2025", "2025-04-17"),
        ("١٧ نيسان ٢٠٢٥ - ١٠:٣٠", "2025-04-17T10:30:00"),
        ("الجمعة 18 أبريل 2025 08:00:00 +0300", "2025-04-18T08:00:00+03:00"),
        ("Thu, 17 Apr 2025 13:57:00 GMT", "2025-04-17T13:57:00+00:00"),
        ("Thu Apr 17 13:57:00 2025", "2025-04-17T13:57:00+00:00"),  # asctime: feedparser's handlers
        ("قريباً", None),
        ("", None),
    ],
)
def test_item_dates(raw: str, expected: str | None) -> None:
    body = _rss("", f"<title>x</title><link>https://x.example/1</link><pubDate>{raw}</pubDate>")
    (item,) = parse_feed(body, url=FEED_URL).items
    assert item.published == expected


def test_titles_with_markup_and_cdata() -> None:
    body = _rss("", "<title><![CDATA[عاجل: <b>انفجار</b> &amp; حريق]]></title><link>https://x.example/1</link>")
    (item,) = parse_feed(body, url=FEED_URL).items
    assert item.title == "عاجل: انفجار & حريق"


def test_summary_from_content_when_no_description() -> None:
    long_paragraph = " ".join(["كلمة"] * 200)
    content = f"<p>{long_paragraph}</p><p>فقرة ثانية</p>"
    body = (
        '<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>t</title><item><title>x</title><link>https://x.example/1</link>"
        f"<content:encoded><![CDATA[{content}]]></content:encoded></item>"
        f"<item><title>y</title><link>https://x.example/2</link>"
        f"<content:encoded><![CDATA[<p>قصير</p><p>ثان</p>]]></content:encoded></item></channel></rss>"
    ).encode()
    long_item, short_item = parse_feed(body, url=FEED_URL).items
    assert long_item.summary.endswith("…") and len(long_item.summary) <= feeds.SUMMARY_LEAD_CHARS + 1
    assert "فقرة ثانية" not in long_item.summary
    assert long_item.has_full_text
    assert short_item.summary == "قصير" and not short_item.has_full_text


def test_has_full_text_threshold() -> None:
    words = feeds.FULL_TEXT_WORDS
    markup = "<p>" + " ".join(f"<b>كلمة{i}</b>" for i in range(words)) + "</p>"
    assert FeedItem(url=None, content_html=markup).has_full_text
    short = "<p>" + " ".join(["كلمة"] * (words - 1)) + '<img src="a.jpg" alt="x y z"></p>'
    assert not FeedItem(url=None, content_html=short).has_full_text
    assert FeedItem(url=None, summary=" ".join(["كلمة"] * words)).has_full_text
    assert not FeedItem(url=None, summary="قصير", content_html="<p>قصير</p>").has_full_text


# --------------------------------------------------------------------------------------------
# The two RSS/Atom paths agree
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["rss2_cp1256.xml", "rss2_cp1256_nodecl.xml", "rss10.rdf", "atom.xml", "rss091.xml"])
def test_lxml_and_feedparser_paths_agree(name: str) -> None:
    data = _read(name)
    fast = parse_feed(data, url=FEED_URL)
    slow = feeds.ParsedFeed(kind="?", url=FEED_URL)
    rss.from_feedparser(xmltools.utf8_xml(xmltools.decode_text(data, FEED_URL)), FEED_URL, slow, None)
    assert (slow.kind, slow.title, slow.language) == (fast.kind, fast.title, fast.language)
    assert [asdict(i) for i in slow.items] == [asdict(i) for i in fast.items]


def test_200_item_feed_with_mixed_dates() -> None:
    # Speed is measured in bench/watch_bench.py, not asserted here.
    item = (
        "<item><title>عنوان الخبر رقم {i} في السياسة</title><link>/news/{i}</link><guid isPermaLink='false'>g{i}</guid>"
        "<pubDate>{date}</pubDate><category>سياسة</category>"
        "<description><![CDATA[<p>قال مسؤولون إن المحادثات ستستأنف <a href='/x'>رابط</a> بعد توقف.</p>]]></description>"
        "</item>"
    )
    dates = ["Thu, 17 Apr 2025 13:57:00 +0300", "الخميس، 17 أبريل 2025 - 13:{i:02d}"]
    items = "".join(item.format(i=i, date=dates[i % 2].format(i=i % 60)) for i in range(200))
    body = _rss("<link>https://www.example.com/</link>", "").replace(b"<item></item>", items.encode())
    feed = parse_feed(body, url="https://www.example.com/rss")
    assert len(feed.items) == 200
    assert all(item.published and item.published.startswith("2025-04-17T13:") for item in feed.items)


# --------------------------------------------------------------------------------------------
# Feed lists
# --------------------------------------------------------------------------------------------

OPML_SPECS = [
    FeedSpec("https://www.example-jazeera.net/rss/all", "الجزيرة - الأخبار", "الجزيرة", "ar", 900.0),
    FeedSpec("https://local.example.ae/feed", "صحيفة محلية", "صحيفة محلية", "ar", 600.0),  # nested 2 deep
    FeedSpec("http://www.example-hespress.com/feed", "Hespress", "هسبريس", "ar-MA", None),  # feed://
]


def test_read_feed_list_opml() -> None:
    assert read_feed_list(FIXTURES / "feeds.opml") == OPML_SPECS  # the repeated URL is dropped


def test_parse_feed_opml() -> None:
    feed = _parse("feeds.opml", url="https://lists.example.com/feeds.opml")
    assert feed.kind == "opml" and feed.title == "قائمتي"
    assert feed.feeds == OPML_SPECS
    assert feed.items == [] and feed.warnings == []


def test_read_feed_list_txt() -> None:
    assert read_feed_list(str(FIXTURES / "feeds.txt")) == [
        FeedSpec("https://feeds.example.com/ar/rss.xml", source="المثال"),
        FeedSpec("https://second.example.org/feed", source="الموقع الثاني"),
        FeedSpec("https://third.example.net/rss.xml"),
    ]


def test_read_feed_list_sniffs_other_extensions(tmp_path: Path) -> None:
    opml = tmp_path / "list.feeds"
    opml.write_bytes(_read("feeds.opml"))
    assert read_feed_list(opml) == OPML_SPECS
    text = tmp_path / "list"
    text.write_text("https://a.example/rss\n", encoding="utf-8")
    assert read_feed_list(text) == [FeedSpec("https://a.example/rss")]


@pytest.mark.parametrize(
    ("name", "content", "error", "message"),
    [
        ("bad.txt", "https://ok.example/rss\nnot-a-url\tاسم\n", MalformedInputError, "line 2: not an http(s) URL"),
        ("bad.txt", "ftp://files.example/rss\n", MalformedInputError, "line 1: not an http(s) URL"),
        ("bad.opml", "<opml><body><outline xmlUrl='https://a.example/x'></body>", MalformedInputError, "broken OPML"),
        ("bad.xml", "<rss><channel/></rss>", MalformedInputError, "not an OPML file: the root element is <rss>"),
        (
            "bad.opml",
            "<opml><body>\n<outline xmlUrl='mailto:a@b.c'/></body></opml>",
            MalformedInputError,
            "line 2: xmlUrl is not an http(s) URL",
        ),
        (
            "bad.opml",
            "<opml><body><outline xmlUrl='https://a.example/x' interval='often'/></body></opml>",
            MalformedInputError,
            "interval 'often' is not a duration",
        ),
        ("empty.opml", "<opml><body><outline text='group'/></body></opml>", EmptyInputError, "no feeds"),
        ("empty.txt", "# only a comment\n\n", EmptyInputError, "no feed URLs"),
        ("empty.txt", "", EmptyInputError, "empty"),
    ],
)
def test_read_feed_list_errors(tmp_path: Path, name: str, content: str, error: type[Exception], message: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(error, match=re.escape(message)) as info:
        read_feed_list(path)
    assert isinstance(info.value, InputError) and info.value.ref == str(path)


def test_read_feed_list_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MalformedInputError, match="cannot read the feed list"):
        read_feed_list(tmp_path / "nope.opml")


def test_interval_units() -> None:
    assert opml._interval("900") == 900.0
    assert opml._interval("15m") == 900.0
    assert opml._interval("1.5 h") == 5400.0
    assert opml._interval("2 days") == 172800.0
    assert opml._interval("0") is None and opml._interval("soon") is None


def test_default_feed_list() -> None:
    specs = default_feed_list()
    assert len(specs) >= 15
    assert all(spec.url.startswith(("https://", "http://")) for spec in specs)
    keys = [url_key(spec.url) for spec in specs]
    assert None not in keys and len(set(keys)) == len(keys)
    assert len({spec.source for spec in specs}) >= 15  # distinct outlets
    assert all(spec.source and spec.title and spec.language == "ar" for spec in specs)
    outlets = {spec.source for spec in specs}
    assert {"Al Jazeera", "BBC Arabic", "France 24 Arabic", "Hespress"} <= outlets
