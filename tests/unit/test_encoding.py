"""Decoding raw page bytes: BOMs, verified declarations, detection, mojibake repair, rejections."""

from __future__ import annotations

import codecs
import dataclasses
import random

import pytest
from hypothesis import strategies as st

from marsad.errors import BinaryInputError, EmptyInputError, EncodingError, InputError
from marsad.text.encoding import (
    Decoded,
    arabic_plausibility,
    charset_from_content_type,
    decode_bytes,
    looks_binary,
    normalize_codec,
    repair_mojibake,
    sniff_meta_charset,
)

# A news paragraph with ة ى ء ؤ ئ, tanween and the Arabic comma; encodable in cp1256 and ISO-8859-6.
NEWS = (
    "أعلنت وزارة الصحة، يوم الأربعاء، عن تسجيل إصابات جديدة في المحافظات الشمالية، "
    "وقال المسؤول إن الهيئة ستتابع الوضع حتى إشعار آخر.\n"
    "وأضاف رئيس الوزراء أن الحكومة مستعدة لمواجهة الطوارئ، مشيراً إلى أن المستشفى الرئيسي "
    "جاهز لاستقبال المرضى، وأن الأدوية متوفرة في جميع المناطق والقرى النائية."
)
FRENCH = (
    "Le ministère de la Santé a annoncé mercredi de nouveaux cas dans les régions du nord. "
    "« Nous suivons la situation de près », a déclaré le porte-parole. À Paris, l'état d'urgence "
    "reste en vigueur. Ça ne changera pas avant l'été, selon l'ÉTAT-MAJOR.\n"
    "Œuvre collective, précisait-il ; déjà 12 % des hôpitaux sont pleins."
)
ENGLISH = "The health ministry said on Wednesday that new cases were recorded in the north.\n"


def _html(charset_tag: str, body: str = NEWS) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="ar" dir="rtl"><head>{charset_tag}<title>خبر</title></head>'
        f"<body><article><p>{body}</p></article></body></html>\n"
    )


def _mojibake(text: str, codec: str) -> str:
    return text.encode("utf-8").decode(codec, errors="replace")


# --------------------------------------------------------------------------------------------
# codec names, headers, meta tags
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("windows-1256", "cp1256"),
        ("Windows-1256", "cp1256"),
        ("cp-1256", "cp1256"),
        ("x-cp1256", "cp1256"),
        ("win-1256", "cp1256"),
        ("CP1256", "cp1256"),
        ("arabic", "iso8859-6"),
        ("ISO-8859-6", "iso8859-6"),
        ("iso-8859-6-i", "iso8859-6"),
        ("asmo-708", "iso8859-6"),
        ("utf8", "utf-8"),
        ("UTF-8", "utf-8"),
        (" 'utf-8' ", "utf-8"),
        ("utf-8-sig", "utf-8"),
        ("unicode-1-1-utf-8", "utf-8"),
        ("latin1", "iso8859-1"),
        ("ISO-8859-1", "iso8859-1"),
        ("windows-1252", "cp1252"),
        ("us-ascii", "ascii"),
        ("utf-16le", "utf-16-le"),
        ("koi8-r", "koi8-r"),
    ],
)
def test_normalize_codec(label: str, codec: str) -> None:
    assert normalize_codec(label) == codec


@pytest.mark.parametrize("label", ["x-nonsense", "", "   ", "base64", "rot13", "zlib", "utf-7", "idna", "../x"])
def test_normalize_codec_unknown_or_not_a_charset(label: str) -> None:
    assert normalize_codec(label) is None


@pytest.mark.parametrize(
    ("value", "codec"),
    [
        ('text/html; charset="Windows-1256"', "cp1256"),
        ("text/html;charset=UTF-8", "utf-8"),
        ("text/plain; format=flowed; charset='iso-8859-6'", "iso8859-6"),
        ("TEXT/HTML; CHARSET=ARABIC", "iso8859-6"),
        ("text/html", None),
        ("text/html; charset=", None),
        ("text/html; charset=bogus-thing", None),
        (None, None),
        ("", None),
    ],
)
def test_charset_from_content_type(value: str | None, codec: str | None) -> None:
    assert charset_from_content_type(value) == codec


def test_sniff_meta_charset_forms() -> None:
    assert sniff_meta_charset(b'<html><head><meta charset="windows-1256">') == "cp1256"
    assert sniff_meta_charset(b"<META CHARSET=utf-8>") == "utf-8"
    http_equiv = b'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-6">'
    assert sniff_meta_charset(http_equiv) == "iso8859-6"
    assert sniff_meta_charset(b'<?xml version="1.0" encoding="windows-1256"?><rss/>') == "cp1256"
    assert sniff_meta_charset(codecs.BOM_UTF8 + b"<?xml version='1.0' encoding='UTF-8'?>") == "utf-8"
    # an unknown label is skipped for the next declaration
    assert sniff_meta_charset(b'<meta charset="x-bogus"><meta charset="cp1256">') == "cp1256"
    # a declaration readable as ASCII cannot be UTF-16 (HTML standard): it means UTF-8
    assert sniff_meta_charset(b'<meta charset="utf-16">') == "utf-8"


def test_sniff_meta_charset_absent_or_too_late() -> None:
    assert sniff_meta_charset(b"<html><head><title>x</title></head></html>") is None
    assert sniff_meta_charset(b"") is None
    late = b"<html><head>" + b" " * 5000 + b'<meta charset="windows-1256">'
    assert sniff_meta_charset(late) is None
    assert sniff_meta_charset(b'<meta name="description" content="charset">') is None


# --------------------------------------------------------------------------------------------
# binary and empty inputs
# --------------------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
_RNG = random.Random(7)
RANDOM_WITH_NULS = bytes(_RNG.randrange(0, 256) for _ in range(4096)) + b"\x00\x01\x02"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (PNG, "PNG image signature"),
        (PDF, "PDF signature"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG image signature"),
        (b"GIF89a\x01\x00\x01\x00", "GIF image signature"),
        (b"PK\x03\x04\x14\x00\x00\x00", "ZIP archive signature"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "gzip signature"),
        (b"\x7fELF\x02\x01\x01\x00", "ELF executable signature"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "WebP image signature"),
        (RANDOM_WITH_NULS, "NUL bytes"),
        (b"\x01\x02\x03\x04\x05\x06\x07\x08" * 20, "control bytes"),
    ],
)
def test_binary_inputs_are_rejected(data: bytes, kind: str) -> None:
    assert looks_binary(data)
    with pytest.raises(BinaryInputError) as err:
        decode_bytes(data, ref="page.bin")
    assert kind in err.value.message
    assert "binary data" in err.value.message and "not a text page" in err.value.message
    assert err.value.ref == "page.bin" and str(err.value).startswith("page.bin: ")
    assert err.value.code == "binary"


@pytest.mark.parametrize(
    "data",
    [
        NEWS.encode("utf-8"),
        NEWS.encode("cp1256"),
        NEWS.encode("iso8859-6"),
        NEWS.encode("utf-16"),
        NEWS.encode("utf-16-le"),
        NEWS.encode("utf-16-be"),
        ENGLISH.encode("utf-16-le"),
        NEWS.encode("utf-32"),
        FRENCH.encode("cp1252"),
        b"",
        b"plain text with a trailing NUL padding\x00\x00\x00",
    ],
)
def test_text_is_not_binary(data: bytes) -> None:
    assert not looks_binary(data)


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n  ", codecs.BOM_UTF8, codecs.BOM_UTF8 + b"  \n"])
def test_empty_inputs_are_rejected(data: bytes) -> None:
    with pytest.raises(EmptyInputError) as err:
        decode_bytes(data, ref="empty.html")
    assert err.value.code == "empty" and err.value.ref == "empty.html"
    assert "empty input" in err.value.message


def test_decode_bytes_needs_bytes() -> None:
    with pytest.raises(TypeError):
        decode_bytes(NEWS)  # type: ignore[arg-type]
    assert decode_bytes(bytearray(NEWS.encode())).text == NEWS
    assert decode_bytes(memoryview(NEWS.encode())).text == NEWS


# --------------------------------------------------------------------------------------------
# decoding: BOM, declared, meta, detected
# --------------------------------------------------------------------------------------------


def _check(
    d: Decoded,
    text: str,
    encoding: str,
    method: str,
    *,
    declared: str | None = None,
    mislabelled: bool = False,
    repaired: bool = False,
) -> None:
    assert d.text == text
    assert (d.encoding, d.method, d.declared, d.mislabelled, d.repaired) == (
        encoding,
        method,
        declared,
        mislabelled,
        repaired,
    )


def test_utf8_without_declaration() -> None:
    _check(decode_bytes(NEWS.encode("utf-8")), NEWS, "utf-8", "detected")


def test_utf8_declared() -> None:
    _check(decode_bytes(NEWS.encode(), declared="UTF-8"), NEWS, "utf-8", "declared", declared="utf-8")


def test_utf8_bom() -> None:
    d = decode_bytes(codecs.BOM_UTF8 + NEWS.encode("utf-8"))
    _check(d, NEWS, "utf-8", "bom", declared="utf-8")


def test_utf16_bom_little_and_big_endian() -> None:
    for data in (codecs.BOM_UTF16_LE + NEWS.encode("utf-16-le"), codecs.BOM_UTF16_BE + NEWS.encode("utf-16-be")):
        _check(decode_bytes(data), NEWS, "utf-16", "bom", declared="utf-16")


def test_utf32_bom() -> None:
    _check(decode_bytes(NEWS.encode("utf-32")), NEWS, "utf-32", "bom", declared="utf-32")


def test_bom_wins_over_a_wrong_declaration() -> None:
    d = decode_bytes(codecs.BOM_UTF8 + NEWS.encode(), declared="windows-1256")
    _check(d, NEWS, "utf-8", "bom", declared="cp1256", mislabelled=True)


def test_utf8_bom_on_cp1256_bytes_is_detected() -> None:
    d = decode_bytes(codecs.BOM_UTF8 + NEWS.encode("cp1256"))
    assert d.text == NEWS and d.encoding == "cp1256" and d.mislabelled and d.declared == "utf-8"


def test_utf16_without_bom_is_detected() -> None:
    for codec in ("utf-16-le", "utf-16-be"):
        d = decode_bytes(NEWS.encode(codec))
        assert d.text == NEWS and d.encoding == codec and d.method == "detected"


def test_cp1256_declared_correctly() -> None:
    d = decode_bytes(NEWS.encode("cp1256"), declared="windows-1256")
    _check(d, NEWS, "cp1256", "declared", declared="cp1256")


def test_cp1256_declared_as_latin1_is_mislabelled() -> None:
    for label in ("iso-8859-1", "ISO-8859-1", "windows-1252", "us-ascii"):
        d = decode_bytes(NEWS.encode("cp1256"), declared=label)
        assert d.text == NEWS, label
        assert d.encoding == "cp1256" and d.mislabelled and d.method == "detected"
        assert d.declared == normalize_codec(label)


def test_cp1256_undeclared() -> None:
    _check(decode_bytes(NEWS.encode("cp1256")), NEWS, "cp1256", "detected")


def test_cp1256_declared_as_utf8_is_mislabelled() -> None:
    d = decode_bytes(NEWS.encode("cp1256"), declared="utf-8")
    _check(d, NEWS, "cp1256", "detected", declared="utf-8", mislabelled=True)


def test_iso8859_6_declared_undeclared_and_mislabelled() -> None:
    data = NEWS.encode("iso8859-6")
    _check(decode_bytes(data, declared="ISO-8859-6"), NEWS, "iso8859-6", "declared", declared="iso8859-6")
    _check(decode_bytes(data), NEWS, "iso8859-6", "detected")
    d = decode_bytes(data, declared="windows-1256")  # ISO-8859-6 read as cp1256 puts à é ç in words
    _check(d, NEWS, "iso8859-6", "detected", declared="cp1256", mislabelled=True)


def test_cp1256_declared_as_iso8859_6_is_mislabelled() -> None:
    d = decode_bytes(NEWS.encode("cp1256"), declared="ISO-8859-6")
    _check(d, NEWS, "cp1256", "detected", declared="iso8859-6", mislabelled=True)


def test_utf8_declared_as_windows_1256_is_mislabelled() -> None:
    for label in ("windows-1256", "iso-8859-6", "iso-8859-1", "windows-1252"):
        d = decode_bytes(NEWS.encode("utf-8"), declared=label)
        _check(d, NEWS, "utf-8", "detected", declared=normalize_codec(label), mislabelled=True)


def test_declared_may_be_a_whole_content_type() -> None:
    d = decode_bytes(NEWS.encode("cp1256"), declared='text/html; charset="Windows-1256"')
    assert (d.text, d.encoding, d.method) == (NEWS, "cp1256", "declared")


def test_unknown_declared_label_is_ignored() -> None:
    d = decode_bytes(NEWS.encode("cp1256"), declared="x-made-up")
    assert d.text == NEWS and d.declared is None and d.method == "detected" and not d.mislabelled


def test_html_meta_charset() -> None:
    page = _html('<meta charset="windows-1256">')
    d = decode_bytes(page.encode("cp1256"), is_html=True)
    _check(d, page, "cp1256", "meta", declared="cp1256")


def test_html_http_equiv_meta() -> None:
    page = _html('<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">')
    d = decode_bytes(page.encode("cp1256"), is_html=True)
    _check(d, page, "cp1256", "meta", declared="cp1256")


def test_meta_is_only_read_for_html() -> None:
    page = _html('<meta charset="windows-1256">')
    d = decode_bytes(page.encode("cp1256"))
    assert d.text == page and d.method == "detected" and d.declared is None


def test_transport_header_wins_over_meta_but_is_verified() -> None:
    page = _html('<meta charset="windows-1256">')
    # A server default of ISO-8859-1 over a windows-1256 page: the bytes and the meta say Arabic.
    d = decode_bytes(page.encode("cp1256"), declared="ISO-8859-1", is_html=True)
    _check(d, page, "cp1256", "detected", declared="iso8859-1", mislabelled=True)
    # A meta tag that lies about UTF-8 bytes.
    d = decode_bytes(page.encode("utf-8"), is_html=True)
    _check(d, page, "utf-8", "detected", declared="cp1256", mislabelled=True)


def test_xml_declaration() -> None:
    feed = f'<?xml version="1.0" encoding="windows-1256"?>\n<rss><channel><item>{NEWS}</item></channel></rss>'
    d = decode_bytes(feed.encode("cp1256"))  # an XML declaration is read even without is_html
    _check(d, feed, "cp1256", "meta", declared="cp1256")


def test_mixed_utf8_template_and_cp1256_body() -> None:
    data = "عنوان الصفحة الرئيسية\n".encode() + NEWS.encode("cp1256")
    d = decode_bytes(data)
    assert d.text == "عنوان الصفحة الرئيسية\n" + NEWS
    assert d.encoding == "cp1256" and d.repaired


def test_truncated_utf8_keeps_utf8() -> None:
    data = (NEWS + " ة").encode("utf-8")[:-1]  # the last letter is cut in half
    d = decode_bytes(data, declared="utf-8")
    assert d.encoding == "utf-8" and not d.mislabelled and d.method == "declared"
    assert d.text == NEWS + " \ufffd"
    assert decode_bytes(data).encoding == "utf-8"


def test_a_late_undefined_byte_does_not_crash_detection() -> None:
    # Candidates are scored on samples; an ISO-8859-6 hole (0xDB) outside them must not raise.
    para = NEWS.replace("\n", " ") + "\n"
    clean = (para * 40).encode("iso8859-6")
    for where in (len(clean) // 2, len(clean) * 9 // 16):  # inside a scored sample, between samples
        data = clean[:where] + b"\xdb" + clean[where:]
        d = decode_bytes(data)
        assert d.encoding == "iso8859-6" and d.text.count("\ufffd") == 1
        assert d.text.replace("\ufffd", "") == para * 40


def test_utf16_declared_without_bom() -> None:
    d = decode_bytes(NEWS.encode("utf-16-le"), declared="utf-16")
    assert d.text == NEWS and d.encoding == "utf-16-le" and d.method == "declared" and not d.mislabelled
    d = decode_bytes(NEWS.encode("utf-8"), declared="utf-16")  # no NUL bytes: it is not UTF-16
    _check(d, NEWS, "utf-8", "detected", declared="utf-16", mislabelled=True)


# --------------------------------------------------------------------------------------------
# Latin pages stay Latin
# --------------------------------------------------------------------------------------------


def test_english_ascii() -> None:
    _check(decode_bytes(ENGLISH.encode("ascii")), ENGLISH, "utf-8", "detected")
    d = decode_bytes(ENGLISH.encode("ascii"), declared="windows-1256")  # ASCII fits any ASCII charset
    _check(d, ENGLISH, "cp1256", "declared", declared="cp1256")


def test_french_cp1252_stays_french() -> None:
    data = FRENCH.encode("cp1252")
    _check(decode_bytes(data), FRENCH, "cp1252", "detected")
    _check(decode_bytes(data, declared="windows-1252"), FRENCH, "cp1252", "declared", declared="cp1252")
    d = decode_bytes(data, declared="ISO-8859-1")  # WHATWG: a latin-1 label means windows-1252
    _check(d, FRENCH, "cp1252", "declared", declared="iso8859-1")
    d = decode_bytes(data, declared="utf-8")
    _check(d, FRENCH, "cp1252", "detected", declared="utf-8", mislabelled=True)


def test_french_latin1_without_c1_bytes() -> None:
    text = "Un été à Paris, déjà très chaud."
    d = decode_bytes(text.encode("latin-1"), declared="iso-8859-1")
    _check(d, text, "iso8859-1", "declared", declared="iso8859-1")


def test_french_utf8() -> None:
    _check(decode_bytes(FRENCH.encode("utf-8")), FRENCH, "utf-8", "detected")


def test_other_scripts_go_to_charset_normalizer() -> None:
    russian = "Министерство здравоохранения в среду сообщило о новых случаях в северных регионах. " * 4
    d = decode_bytes(russian.encode("cp1251"))
    assert d.text == russian and d.encoding == "cp1251" and d.method == "detected"
    d = decode_bytes(russian.encode("cp1251"), declared="windows-1251")
    assert d.text == russian and d.method == "declared"


# --------------------------------------------------------------------------------------------
# garbage
# --------------------------------------------------------------------------------------------


def test_random_high_bytes_do_not_pass_for_arabic() -> None:
    rng = random.Random(11)
    for _ in range(5):
        junk = bytes(rng.randrange(0x80, 0x100) for _ in range(3000))
        for declared in (None, "windows-1256"):
            try:
                d = decode_bytes(junk, declared=declared)
            except EncodingError as err:
                assert "could not decode" in err.message
                assert err.code == "encoding"
            else:  # acceptable only if it does not claim to be Arabic
                assert d.encoding not in ("cp1256", "iso8859-6")
                assert arabic_plausibility(d.text) < 0.5


def test_encoding_error_message_names_the_declaration() -> None:
    rng = random.Random(3)
    junk = bytes(rng.randrange(0x80, 0x100) for _ in range(2000))
    with pytest.raises(EncodingError) as err:
        decode_bytes(junk, declared="windows-1256", ref="x.html")
    assert err.value.message == (
        "could not decode: not valid UTF-8, windows-1256 or ISO-8859-6 text; declared charset was cp1256"
    )
    assert isinstance(err.value, InputError) and err.value.ref == "x.html"
    with pytest.raises(EncodingError, match="no charset was declared"):
        decode_bytes(junk)


# --------------------------------------------------------------------------------------------
# mojibake repair
# --------------------------------------------------------------------------------------------


def test_repair_cp1256_mojibake() -> None:
    assert repair_mojibake("ط§ظ„ط¹ط±ط¨ظٹط©") == ("العربية", True)
    assert repair_mojibake(_mojibake(NEWS, "cp1256")) == (NEWS, True)


def test_repair_cp1252_and_latin1_mojibake() -> None:
    assert repair_mojibake("Ø§Ù„Ø¹Ø±Ø¨ÙŠØ©") == ("العربية", True)
    assert repair_mojibake(_mojibake(NEWS, "latin-1")) == (NEWS, True)
    # cp1252 has five holes; 'replace' turns them into U+FFFD: "Ù\ufffd" is taken back as ف.
    no_harakat = NEWS.replace("ً", "")
    assert "ف" in no_harakat and "\ufffd" in _mojibake(no_harakat, "cp1252")
    assert repair_mojibake(_mojibake(no_harakat, "cp1252")) == (no_harakat, True)


def test_repair_one_bad_line_in_good_text() -> None:
    lines = NEWS.split("\n")
    for codec in ("cp1256", "cp1252", "latin-1"):
        damaged = lines[0] + "\n" + _mojibake(lines[1], codec)
        assert repair_mojibake(damaged) == (NEWS, True), codec


def test_repair_a_run_inside_a_good_line() -> None:
    text = "قال الوزير: " + _mojibake("الحكومة مستعدة", "cp1256") + " للحوار."
    assert repair_mojibake(text) == ("قال الوزير: الحكومة مستعدة للحوار.", True)


def test_repair_latin_mojibake() -> None:
    assert repair_mojibake("l'Ã©tÃ© Ã\u00a0 Paris") == ("l'été à Paris", True)
    assert repair_mojibake("it‚Äôs") == ("it‚Äôs", False)  # not UTF-8 read as cp1252: left alone
    assert repair_mojibake("itâ€™s fine") == ("it’s fine", True)


def test_repair_guesses_cp1252_holes() -> None:
    text = "قال المتحدث “نعم” في المؤتمر"  # ” is E2 80 9D and ف is D9 81: 9D and 81 are cp1252 holes
    damaged = _mojibake(text, "cp1252")
    assert damaged.count("\ufffd") == 2
    assert repair_mojibake(damaged) == (text, True)


def test_repair_double_encoding() -> None:
    twice = _mojibake(_mojibake("العربية لغة", "cp1256"), "cp1256")
    assert repair_mojibake(twice) == ("العربية لغة", True)


@pytest.mark.parametrize(
    "text",
    [
        NEWS,
        FRENCH,
        ENGLISH,
        "",
        "ضغط، شرط» و«ضغط؛ حفظ؟",  # a letter right before ، » ؛ ؟ is not mojibake
        "أ، ب، ت، ث، ج، ح",  # enumerations
        "CAFÉ… L'ÉTÉ\u00a0» DÉJÀ É»",  # uppercase accents before punctuation
        "SÃO PAULO, Ø 12 mm, Ù",
        "© 2024 جميع الحقوق محفوظة ® ™",
    ],
)
def test_repair_leaves_real_text_alone(text: str) -> None:
    assert repair_mojibake(text) == (text, False)


def test_decode_repairs_utf8_that_carries_mojibake() -> None:
    d = decode_bytes(_mojibake(NEWS, "cp1256").encode("utf-8"))
    _check(d, NEWS, "utf-8", "detected", repaired=True)
    d = decode_bytes(_mojibake(NEWS, "latin-1").encode("utf-8"), declared="utf-8")
    _check(d, NEWS, "utf-8", "declared", declared="utf-8", repaired=True)


# --------------------------------------------------------------------------------------------
# plausibility
# --------------------------------------------------------------------------------------------


def test_plausibility_ranks_decodings() -> None:
    clean = arabic_plausibility(NEWS)
    assert clean > 0.9
    assert abs(arabic_plausibility(FRENCH)) < 0.1
    assert arabic_plausibility(ENGLISH) == 0.0
    assert arabic_plausibility("") == 0.0
    wrong = [
        _mojibake(NEWS, "cp1256"),
        _mojibake(NEWS, "cp1252"),
        NEWS.encode("cp1256").decode("cp1252", "replace"),
        NEWS.encode("iso8859-6").decode("cp1256"),
        NEWS.encode("cp1256").decode("iso8859-6", "replace"),
        NEWS.replace("ا", "\ufffd"),
        NEWS.replace(" ", "\x07"),
    ]
    for text in wrong:
        assert arabic_plausibility(text) < clean - 0.3, text[:30]


def test_plausibility_of_long_text() -> None:
    long = (NEWS + "\n") * 2000
    assert arabic_plausibility(long) > 0.9


# --------------------------------------------------------------------------------------------
# the result object, speed
# --------------------------------------------------------------------------------------------


def test_decoded_is_frozen() -> None:
    d = decode_bytes(NEWS.encode())
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.text = "x"  # type: ignore[misc]
    assert not hasattr(d, "__dict__")


def test_a_100kb_page_decodes_in_each_declared_form() -> None:
    # Speed is measured in bench/ (bench/text_bench.py), not asserted here.
    body = "".join(f'<div class="p" id="p{i}"><p>{NEWS}</p><a href="/n/{i}">المزيد</a></div>\n' for i in range(170))
    page = _html('<meta charset="utf-8">', body)
    utf8 = page.encode("utf-8")
    assert len(utf8) > 100_000
    assert decode_bytes(utf8, is_html=True).encoding == "utf-8"
    cp1256 = page.replace('charset="utf-8"', 'charset="windows-1256"').encode("cp1256")
    assert decode_bytes(cp1256, is_html=True).text == page.replace('charset="utf-8"', 'charset="windows-1256"')
    assert decode_bytes(cp1256).encoding == "cp1256"


# --------------------------------------------------------------------------------------------
# properties
# --------------------------------------------------------------------------------------------

_ARABIC_LETTERS = [chr(c) for c in range(0x0621, 0x064B)]
_MIXED_ALPHABET = st.sampled_from(
    _ARABIC_LETTERS + list(" 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
)


def _encodable_cp1256(text: str) -> bool:
    try:
        text.encode("cp1256")
    except UnicodeEncodeError:
        return False
    return True
