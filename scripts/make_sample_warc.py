"""Write samples/archive/crawl.warc.gz: a tiny, deterministic WARC for `marsad ingest samples/`.

It holds one request record and three response records (two UTF-8 pages, one windows-1256 page).
All content is original and fictional-but-plausible, written for Marsad. Record ids, dates and the
gzip headers are fixed, so re-running the script produces byte-identical output.

    python scripts/make_sample_warc.py [--out samples/archive/crawl.warc.gz]
"""

from __future__ import annotations

import argparse
import io
import uuid
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "samples" / "archive" / "crawl.warc.gz"
ID_NAMESPACE = uuid.UUID("6f1c2a4e-9b1d-4c55-8a3e-4d2b7c0e5a10")  # fixed: ids are uuid5 of the URL + type


def record_id(url: str, kind: str) -> str:
    return f"<urn:uuid:{uuid.uuid5(ID_NAMESPACE, kind + ' ' + url)}>"


# ---------------------------------------------------------------------------------------------- pages
SKY_URL = "https://www.skynewsarabia.com/world/1790455-كوريا-الشمالية-تطلق-صواريخ-باليستية-قصيرة-المدى"
SKY_HTML = """<!DOCTYPE html>
<html lang="ar" dir="rtl">
<head>
<meta charset="utf-8">
<title>كوريا الشمالية تطلق صواريخ باليستية قصيرة المدى | سكاي نيوز عربية</title>
<link rel="canonical" href="https://www.skynewsarabia.com/world/1790455-كوريا-الشمالية-تطلق-صواريخ-باليستية-قصيرة-المدى">
<meta property="og:site_name" content="سكاي نيوز عربية">
<meta property="og:title" content="كوريا الشمالية تطلق صواريخ باليستية قصيرة المدى">
<meta property="article:published_time" content="2025-04-17T05:02:00+04:00">
</head>
<body>
<header><nav><a href="/">الرئيسية</a> <a href="/world">العالم</a> <a href="/business">اقتصاد</a> <a href="/sport">رياضة</a></nav></header>
<article>
<h1>كوريا الشمالية تطلق صواريخ باليستية قصيرة المدى</h1>
<div class="byline">سكاي نيوز عربية - أبوظبي <time datetime="2025-04-17T05:02:00+04:00">17 أبريل 2025 - 05:02 بتوقيت أبوظبي</time></div>
<p>قال الجيش الكوري الجنوبي إن كوريا الشمالية أطلقت، الخميس، عدة صواريخ باليستية قصيرة المدى باتجاه البحر قبالة ساحلها الشرقي.</p>
<p>وذكرت هيئة الأركان المشتركة أن سيول رفعت مستوى المراقبة، وتتبادل المعلومات مع الولايات المتحدة واليابان بشأن عملية الإطلاق.</p>
<p>وجاء الإطلاق بعد أن نددت بيونغ يانغ بتدريبات جوية شاركت فيها قاذفة أمريكية من طراز "بي-1 بي"، ووصفتها بأنها "استعراض للقوة" يهدد استقرار المنطقة.</p>
</article>
<aside class="most-read"><h2>الأكثر قراءة</h2><ul><li><a href="/business/1790388">أوبك+ تعلن خططا جديدة لتعويض فائض الإنتاج حتى منتصف 2026</a></li><li><a href="/world/1790412">ترامب يكشف عن "تواصل" مع زعيم كوريا الشمالية</a></li></ul></aside>
<footer>© 2025 سكاي نيوز عربية</footer>
</body>
</html>
"""

SABAH_URL = "https://www.assabahnews.tn/ar/article/148712/وزارة-التربية-تضبط-مواعيد-الامتحانات-الوطنية-لسنة-2025"
SABAH_HTML = """<!DOCTYPE html>
<html lang="ar" dir="rtl">
<head>
<meta charset="utf-8">
<title>وزارة التربية تضبط مواعيد الامتحانات الوطنية لسنة 2025 - الصباح نيوز</title>
<meta property="og:site_name" content="الصباح نيوز">
<meta property="article:published_time" content="2025-04-16T13:05:00+01:00">
</head>
<body>
<div class="menu"><a href="/ar">الرئيسية</a> | <a href="/ar/national">وطنية</a> | <a href="/ar/sport">رياضة</a></div>
<div class="post">
<h1>وزارة التربية تضبط مواعيد الامتحانات الوطنية لسنة 2025</h1>
<div class="post-date">الأربعاء 16 أفريل 2025 - 13:05</div>
<p>ضبطت وزارة التربية رزنامة الامتحانات الوطنية بعنوان السنة الدراسية 2024-2025، حيث تنطلق الدورة الرئيسية لامتحان الباكالوريا يوم 4 جوان وتختتم يوم 11 جوان.</p>
<p>وتعلن نتائج الدورة الرئيسية يوم 21 جوان، فيما تجرى دورة المراقبة بين 24 و27 جوان، وتعلن نتائجها يوم 4 جويلية 2025.</p>
<p>وبخصوص امتحان "النوفيام"، فقد حددت الوزارة الفترة الممتدة من 16 إلى 18 جوان لإجرائه، على أن تعلن النتائج يوم 30 جوان.</p>
</div>
<div class="footer">الصباح نيوز © 2025</div>
</body>
</html>
"""

SUMARIA_URL = "https://www.alsumaria.tv/news/health/512877/الصحة-تعلن-حصيلة-حالات-الاختناق-جراء-العاصفة-الترابية"
SUMARIA_HTML = """<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html lang="ar" dir="rtl">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">
<title>الصحة تعلن حصيلة حالات الاختناق جراء العاصفة الترابية - السومرية نيوز</title>
</head>
<body>
<div class="nav"><a href="/">الرئيسية</a> - <a href="/news/local">محليات</a> - <a href="/news/health">صحة</a></div>
<h1>الصحة تعلن حصيلة حالات الاختناق جراء العاصفة الترابية</h1>
<div class="date">الخميس 17 نيسان 2025 - 15:40 بتوقيت بغداد</div>
<p>أعلنت وزارة الصحة، اليوم الخميس، أن المستشفيات في عدد من المحافظات استقبلت أكثر من 1200 حالة اختناق جراء العاصفة الترابية التي تضرب البلاد.</p>
<p>وقال المتحدث باسم الوزارة في تصريح للسومرية نيوز إن محافظة المثنى سجلت العدد الأكبر من الحالات، تلتها القادسية والنجف وذي قار، مبيناً أن معظم المصابين غادروا المستشفيات بعد تلقي العلاج.</p>
<p>ودعت الوزارة المواطنين، ولا سيما المصابين بالربو وأمراض القلب، إلى البقاء في منازلهم وارتداء الكمامات عند الضرورة.</p>
</body>
</html>
"""

# (url, html, charset, WARC-Date, HTTP Date, Last-Modified-ish server name)
PAGES = [
    (SKY_URL, SKY_HTML, "utf-8", "2025-04-17T01:14:03Z", "Thu, 17 Apr 2025 01:14:03 GMT", "nginx"),
    (SABAH_URL, SABAH_HTML, "utf-8", "2025-04-16T12:40:27Z", "Wed, 16 Apr 2025 12:40:27 GMT", "Apache"),
    (SUMARIA_URL, SUMARIA_HTML, "windows-1256", "2025-04-17T13:02:55Z", "Thu, 17 Apr 2025 13:02:55 GMT",
     "Microsoft-IIS/10.0"),
]


def _uri(url: str) -> str:
    """WARC-Target-URI must be ASCII: percent-encode the Arabic path."""
    from urllib.parse import quote

    return quote(url, safe=":/?&=%#")


def build(out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)

    for i, (url, html, charset, warc_date, http_date, server) in enumerate(PAGES):
        uri = _uri(url)
        body = html.replace("\n", "\r\n").encode(charset) if charset != "utf-8" else html.encode("utf-8")
        resp_id = record_id(uri, "response")

        if i == 0:  # one request record, for the first page
            req_headers = StatusAndHeaders(
                f"GET {uri.split('skynewsarabia.com', 1)[1]} HTTP/1.1",
                [
                    ("Host", "www.skynewsarabia.com"),
                    ("User-Agent", "MarsadSampleCrawler/0.1 (+https://example.org/marsad)"),
                    ("Accept", "text/html,application/xhtml+xml"),
                    ("Accept-Language", "ar,en;q=0.5"),
                ],
                is_http_request=True,
            )
            req = writer.create_warc_record(
                uri, "request", payload=io.BytesIO(b""), http_headers=req_headers,
                warc_headers_dict={
                    "WARC-Record-ID": record_id(uri, "request"),
                    "WARC-Date": warc_date,
                    "WARC-Concurrent-To": resp_id,
                },
            )
            writer.write_record(req)

        http_headers = StatusAndHeaders(
            "200 OK",
            [
                ("Date", http_date),
                ("Server", server),
                ("Content-Type", f"text/html; charset={charset}"),
                ("Content-Length", str(len(body))),
                ("Cache-Control", "max-age=60"),
            ],
            protocol="HTTP/1.1",
        )
        resp = writer.create_warc_record(
            uri, "response", payload=io.BytesIO(body), length=len(body), http_headers=http_headers,
            warc_headers_dict={
                "WARC-Record-ID": resp_id,
                "WARC-Date": warc_date,
                "WARC-IP-Address": "192.0.2.%d" % (10 + i),
            },
        )
        writer.write_record(resp)

    out.write_bytes(buf.getvalue())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()
    build(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
