"""A local news site on 127.0.0.x for tests and benchmarks: feeds, sitemaps and article pages.

Never the internet: it binds to a loopback address (127.0.0.1 by default; the fetch benchmark
starts several on 127.0.0.2, 127.0.0.3... to look like many hosts). It counts every request and
the conditional headers it received, answers ETag/If-None-Match with 304, and can be made slow
(``page_delay``) so a test can kill a watcher in the middle of a pass.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

LEVANTINE = ["كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول",
             "تشرين الأول", "تشرين الثاني", "كانون الأول"]
TOPICS = ["الاقتصاد", "الطاقة", "الصحة", "التعليم", "الرياضة", "النقل", "الزراعة", "المناخ", "السياحة", "التقنية"]
CITIES = ["الرياض", "القاهرة", "تونس", "بغداد", "عمّان", "الرباط", "الدوحة", "بيروت", "الجزائر", "مسقط"]


def article_text(i: int) -> tuple[str, list[str]]:
    """A unique Arabic title and paragraphs for article ``i``."""
    topic, city = TOPICS[i % len(TOPICS)], CITIES[(i // len(TOPICS)) % len(CITIES)]
    title = f"تقرير رقم {i}: تطورات جديدة في قطاع {topic} في {city}"
    paras = [
        f"أعلنت السلطات في {city} اليوم عن حزمة إجراءات جديدة تخص قطاع {topic}، في خطوة قال مسؤولون إنها "
        f"تهدف إلى تحسين الخدمات وتعزيز النمو خلال العام الجاري، وفق ما جاء في التقرير رقم {i}.",
        f"وأوضح المتحدث باسم الوزارة المعنية أن الخطة تتضمن {i % 7 + 3} مراحل تمتد على عدة أشهر، وتشمل "
        f"مشاريع للبنية التحتية وبرامج لتدريب العاملين في {topic} بالتعاون مع القطاع الخاص.",
        f"ويرى محللون أن نجاح الخطة في {city} يعتمد على التمويل المتاح وعلى سرعة التنفيذ، مشيرين إلى أن "
        f"تجارب سابقة في المنطقة أظهرت أهمية المتابعة الدقيقة والشفافية في نشر النتائج.",
    ]
    return title, paras


def article_html(i: int, when: datetime) -> bytes:
    """An outlet article page for article ``i``."""
    title, paras = article_text(i)
    body = "\n".join(f"<p>{p}</p>" for p in paras)
    return (f'<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta property="article:published_time" content="{when.isoformat()}"></head><body>'
            f'<nav><a href="/">الرئيسية</a></nav><article><h1>{title}</h1>{body}</article>'
            f'<footer>جميع الحقوق محفوظة</footer></body></html>').encode()


class NewsSite:
    """Content and counters of one fake outlet; ``items`` article pages exposed through several feeds."""

    def __init__(self, items: int = 12, *, base_time: datetime | None = None, offset: int = 0) -> None:
        self.items = items
        self.offset = offset                  # article numbering, so several sites carry different texts
        self.base = base_time or datetime(2025, 4, 17, 9, 0, tzinfo=UTC)
        self.requests: Counter[str] = Counter()
        self.conditional: Counter[str] = Counter()
        self.page_delay = 0.0
        self.broken = False
        self.missing: set[int] = set()        # article pages that answer 404 (until removed from the set)
        self.lock = threading.Lock()

    def when(self, i: int) -> datetime:
        """Publication time of article ``i``."""
        return self.base + timedelta(minutes=7 * i)

    def rss_1256(self, host: str) -> bytes:
        """RSS 2.0 in windows-1256 with Arabic pubDates and link-only items (pages must be fetched)."""
        entries = []
        for i in range(0, self.items, 2):
            title, paras = article_text(i + self.offset)
            w = self.when(i)
            date = f"{w.day} {LEVANTINE[w.month - 1]} {w.year} {w:%H:%M}"
            entries.append(f"<item><title>{title}</title><link>/articles/{i}.html</link>"
                           f"<description>&lt;p&gt;{paras[0][:60]}&lt;/p&gt;</description>"
                           f"<pubDate>{date}</pubDate><guid>a-{i}</guid></item>")
        xml = (f'<?xml version="1.0" encoding="windows-1256"?><rss version="2.0"><channel>'
               f"<title>موقع الاختبار</title><link>http://{host}/</link><language>ar</language>"
               + "".join(entries) + "</channel></rss>")
        return xml.encode("cp1256")

    def atom_full(self, host: str) -> bytes:
        """Atom with full content for odd articles (stored from the feed, no page fetch)."""
        entries = []
        for i in range(1, self.items, 2):
            title, paras = article_text(i + self.offset)
            content = "".join(f"&lt;p&gt;{p}&lt;/p&gt;" for p in paras)
            entries.append(f"<entry><title>{title}</title><link href='http://{host}/articles/{i}.html'/>"
                           f"<id>urn:a:{i}</id><updated>{self.when(i).isoformat()}</updated>"
                           f"<content type='html'>{content}</content></entry>")
        return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
                f"<title>موقع الاختبار</title><id>urn:site</id><updated>{self.base.isoformat()}</updated>"
                + "".join(entries) + "</feed>").encode("utf-8")

    def atom_summary(self, host: str) -> bytes:
        """Atom with a short summary (the first paragraph) per article: the pages must be fetched."""
        entries = []
        for i in range(self.items):
            title, paras = article_text(i + self.offset)
            entries.append(f"<entry><title>{title}</title><link href='http://{host}/articles/{i}.html'/>"
                           f"<id>urn:s:{i}</id><updated>{self.when(i).isoformat()}</updated>"
                           f"<summary>{paras[0]}</summary></entry>")
        return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
                f"<title>موقع الاختبار</title><id>urn:site:s</id><updated>{self.base.isoformat()}</updated>"
                + "".join(entries) + "</feed>").encode("utf-8")

    def json_feed(self, host: str) -> bytes:
        """JSON Feed 1.1 pointing at the first third of the articles (overlaps the RSS feed)."""
        items = [{"id": f"j{i}", "url": f"http://{host}/articles/{i}.html", "title": article_text(i + self.offset)[0],
                  "content_text": article_text(i + self.offset)[1][0][:80], "date_published": self.when(i).isoformat()}
                 for i in range(0, max(1, self.items // 3))]
        return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "موقع الاختبار",
                           "items": items}, ensure_ascii=False).encode("utf-8")

    def sitemap(self, host: str) -> bytes:
        """A news sitemap over every article."""
        urls = "".join(
            f"<url><loc>http://{host}/articles/{i}.html</loc><news:news><news:publication>"
            f"<news:name>موقع الاختبار</news:name><news:language>ar</news:language></news:publication>"
            f"<news:publication_date>{self.when(i).isoformat()}</news:publication_date>"
            f"<news:title>{article_text(i + self.offset)[0]}</news:title></news:news></url>" for i in range(self.items))
        return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">' + urls + "</urlset>").encode("utf-8")

    def route(self, path: str, host: str) -> tuple[int, str, bytes, dict[str, str]]:
        """(status, content type, body, extra headers) for a path."""
        if path == "/robots.txt":
            return 200, "text/plain", b"User-agent: *\nDisallow: /private/\n", {}
        if path == "/feeds/rss.xml":
            return 200, "application/rss+xml; charset=windows-1256", self.rss_1256(host), {}
        if path == "/feeds/atom.xml":
            return 200, "application/atom+xml; charset=utf-8", self.atom_full(host), {}
        if path == "/feeds/atom-summary.xml":
            return 200, "application/atom+xml; charset=utf-8", self.atom_summary(host), {}
        if path == "/feeds/feed.json":
            return 200, "application/feed+json", self.json_feed(host), {}
        if path == "/sitemap-news.xml":
            return 200, "application/xml", self.sitemap(host), {}
        if path == "/feeds/broken.xml":
            return 200, "application/rss+xml", b"<rss><channel><title>x</title><item><title>", {}
        if path == "/feeds/down.xml":
            return 500, "text/plain", b"server error", {}
        if path == "/feeds/to-metadata.xml":
            return 302, "text/plain", b"", {"Location": "http://169.254.169.254/latest/meta-data/"}
        if path.startswith("/articles/") and path.endswith(".html"):
            try:
                i = int(path[len("/articles/"):-len(".html")])
            except ValueError:
                return 404, "text/plain", b"not found", {}
            if not 0 <= i < self.items or i in self.missing:
                return 404, "text/plain", b"not found", {}
            if self.page_delay:
                time.sleep(self.page_delay)
            return 200, "text/html; charset=utf-8", article_html(i + self.offset, self.when(i)), {}
        return 404, "text/plain", b"not found", {}


def _handler(site: NewsSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            with site.lock:
                site.requests[path] += 1
                if self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since"):
                    site.conditional[path] += 1
            host = self.headers.get("Host", "127.0.0.1")
            status, ctype, body, extra = site.route(path, host)
            etag = f'"{hash(body) & 0xFFFFFFFF:x}"'
            if status == 200 and path != "/robots.txt" and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            if status == 200:
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", format_datetime(site.base, usegmt=True))
            for key, value in extra.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


class NewsServer:
    """Run a NewsSite on a loopback address in a background thread (a context manager)."""

    def __init__(self, site: NewsSite | None = None, host: str = "127.0.0.1") -> None:
        self.site = site or NewsSite()
        self.httpd = ThreadingHTTPServer((host, 0), _handler(self.site))
        self.httpd.daemon_threads = True
        self.host = host
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        """http://host:port"""
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> NewsServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def expected_urls(self) -> set[str]:
        """Every article URL this site exposes."""
        return {f"{self.base}/articles/{i}.html" for i in range(self.site.items)}
