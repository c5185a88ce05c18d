"""Build aggregator HTML pages around the seed page's text (at test time: the seed is not copied).

The page has what real aggregator pages have around the article: navigation, share buttons,
a source paragraph, tags as links, a read-also box with a whole second article, a last-updated
stamp, a related list, a cookie notice, a footer and scripts.
"""

from __future__ import annotations

from html import escape


def parse_seed(text: str) -> dict[str, object]:
    """Split the seed text into the parts a page template needs."""
    lines = [" ".join(ln.replace("\u00a0", " ").split()) for ln in text.splitlines()]
    i_source = next(i for i, ln in enumerate(lines) if ln.startswith("المصدر:"))
    i_tags = next(i for i, ln in enumerate(lines) if ln.startswith("كلمات دلالية:"))
    i_read = next(i for i, ln in enumerate(lines) if ln.startswith("إقرأ أيضاً"))
    i_stamp = next(i for i, ln in enumerate(lines) if ln.startswith("آخر تحديث:"))
    i_related = next(i for i, ln in enumerate(lines) if ln.startswith("مقالات مشابهة"))
    first = [ln for ln in lines[:i_source] if ln]
    second = [ln for ln in lines[i_read + 1:i_stamp] if ln]
    return {
        "first_paragraphs": first,
        "source": lines[i_source].split(":", 1)[1].strip(),
        "tags_line": lines[i_tags].split(":", 1)[1].strip(),
        "second_title": second[0],
        "second_paragraphs": second[1:],
        "stamp": lines[i_stamp],
        "related": [ln.lstrip("•").strip() for ln in lines[i_related + 1:] if ln.lstrip("•").strip()],
    }


SEED_TAGS = [
    "التعاون العسكري", "الحرب", "الزعيم الكوري الشمالي", "الزعيم الكوري الشمالي كيم جونج أون",
    "الصواريخ", "العلاقات الوثيقة", "المتحدث باسم الكرملين",
]


def build_seed_html(text: str, charset: str = "utf-8", tags_as_links: bool = True) -> bytes:
    """An aggregator HTML page holding the seed's two articles, encoded in ``charset``."""
    parts = parse_seed(text)
    e = escape
    first = "\n".join(f"      <p>{e(p)}</p>" for p in parts["first_paragraphs"])  # type: ignore[union-attr]
    second = "\n".join(f"        <p>{e(p)}</p>" for p in parts["second_paragraphs"])  # type: ignore[union-attr]
    related = "\n".join(f'        <li><a href="/news/{i}">{e(r)}</a></li>'
                        for i, r in enumerate(parts["related"]))  # type: ignore[arg-type]
    if tags_as_links:
        tags = " ".join(f'<a href="/tag/{i}">{e(t)}</a>' for i, t in enumerate(SEED_TAGS))
    else:
        tags = e(str(parts["tags_line"]))
    meta_charset = {"utf-8": '<meta charset="utf-8">',
                    "cp1256": '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'}[charset]
    page = f"""<!DOCTYPE html>
<html lang="ar" dir="rtl">
<head>
  {meta_charset}
  <title>بوابة الأخبار</title>
  <meta property="og:site_name" content="بوابة الأخبار">
  <link rel="stylesheet" href="/s.css">
  <script>window.dataLayer = [{{"page": "article"}}];</script>
</head>
<body>
  <header class="site-header"><a href="/">الرئيسية</a> <a href="/world">عربي ودولي</a></header>
  <nav><ul><li><a href="/">الرئيسية</a></li><li><a href="/sport">رياضة</a></li></ul></nav>
  <main>
    <div class="share-bar"><a href="#">شارك على فيسبوك</a> <a href="#">تويتر</a> <a href="#">واتساب</a></div>
    <article>
{first}
      <p>&nbsp;</p>
      <p class="source">المصدر: {e(str(parts["source"]))}</p>
      <div class="tags">كلمات دلالية: {tags}</div>
      <p>تابعونا على تطبيق الأخبار</p>
      <div class="read-also-box">
        <h4>إقرأ أيضاً:</h4>
        <h3>{e(str(parts["second_title"]))}</h3>
{second}
        <p class="updated">{e(str(parts["stamp"]))}</p>
      </div>
    </article>
    <section class="similar">
      <h2>مقالات مشابهة</h2>
      <ul>
{related}
      </ul>
    </section>
  </main>
  <div class="cookie-notice">نستخدم ملفات تعريف الارتباط لتحسين تجربتك. موافق</div>
  <footer><p>جميع الحقوق محفوظة © 2025</p><a href="/privacy">سياسة الخصوصية</a></footer>
  <script src="/app.js"></script>
</body>
</html>
"""
    return page.encode(charset)
