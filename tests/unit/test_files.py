"""Tests of marsad.sources.files: files, folders, stdin, JSON/JSONL, WARC into RawDocuments."""

from __future__ import annotations

import gzip
import hashlib
import io
import itertools
import json
import os
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from marsad.config import data_dir
from marsad.errors import (
    BinaryInputError,
    ConfigError,
    EmptyInputError,
    FetchError,
    InputError,
    MalformedInputError,
    OversizedInputError,
)
from marsad.models import RawDocument
from marsad.sources import files
from marsad.sources.files import STDIN_REF, count_inputs, iter_inputs, record_to_fields

HTML = (
    "<!DOCTYPE html><html><head><title>خبر</title></head>"
    "<body><p>قالت الوزارة اليوم إن الأمطار ستستمر.</p></body></html>"
)
TEXT = "أعلنت وزارة الصحة اليوم عن افتتاح مستشفى جديد في مدينة الرياض."


def rec(n: int, **extra: object) -> dict[str, object]:
    """A small Arabic record in our own schema."""
    record: dict[str, object] = {
        "url": f"https://news.example.com/ar/{n}",
        "source": "مثال",
        "title": f"عنوان الخبر رقم {n}",
        "text": f"نص الخبر رقم {n}: اجتمع مجلس الوزراء وناقش الميزانية.",
        "published": "2024-05-01T10:30:00+03:00",
    }
    record.update(extra)
    return record


def line(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode()


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def docs(units: list[RawDocument | InputError]) -> list[RawDocument]:
    return [u for u in units if isinstance(u, RawDocument)]


def errors(units: list[RawDocument | InputError]) -> list[InputError]:
    return [u for u in units if isinstance(u, InputError)]


def run(*paths: object, **kwargs: object) -> list[RawDocument | InputError]:
    return list(iter_inputs([str(p) if isinstance(p, Path) else p for p in paths], **kwargs))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- folders


def test_folder_walk_is_sorted_recursive_and_skips_hidden_and_unknown(tmp_path: Path) -> None:
    root = tmp_path / "in"
    write(root / "z.html", HTML)
    write(root / "a.html", HTML)
    write(root / "b.txt", TEXT)
    write(root / "c.jsonl", line(rec(1)) + b"\n" + line(rec(2)) + b"\n")
    write(root / "sub" / "d.html", HTML)
    write(root / "sub" / "e.json", line(rec(3)))
    write(root / "notes.md", "# ملاحظات")
    write(root / "image.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    write(root / ".hidden.html", HTML)
    write(root / ".git" / "x.html", HTML)
    units = run(root)
    assert not errors(units)
    rel = [u.ref.removeprefix(str(root) + os.sep) for u in units]
    assert rel == [
        "a.html", "b.txt", "c.jsonl:1", "c.jsonl:2",
        os.path.join("sub", "d.html"), os.path.join("sub", "e.json"), "z.html",
    ]
    assert [u.kind for u in docs(units)] == ["html", "text", "record", "record", "html", "record", "html"]
    assert count_inputs([root]) == 7


def test_folder_symlink_loop_terminates(tmp_path: Path) -> None:
    root = tmp_path / "in"
    write(root / "a.html", HTML)
    (root / "loop").symlink_to(root, target_is_directory=True)
    units = run(root)
    assert [u.ref for u in units] == [str(root / "a.html")]


def test_missing_path_is_an_error_and_iteration_goes_on(tmp_path: Path) -> None:
    good = write(tmp_path / "a.html", HTML)
    units = run(tmp_path / "nope.html", good)
    assert isinstance(units[0], MalformedInputError)
    assert units[0].message == "no such file or folder"
    assert units[0].ref == str(tmp_path / "nope.html")
    assert isinstance(units[1], RawDocument)


def test_unreadable_file_is_malformed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "a.html", HTML)

    def deny(p: Path) -> io.BufferedReader:
        raise PermissionError(13, "Permission denied", str(p))

    monkeypatch.setattr(files, "_open_binary", deny)
    [err] = run(path)
    assert isinstance(err, MalformedInputError)
    assert err.message == "cannot read: Permission denied"
    assert err.ref == str(path)


def test_max_input_bytes_must_be_positive() -> None:
    with pytest.raises(ConfigError):
        list(iter_inputs([], max_input_bytes=0))


# --------------------------------------------------------------------------- pages and text


def test_html_and_text_files(tmp_path: Path) -> None:
    html = write(tmp_path / "page.htm", HTML)
    text = write(tmp_path / "note.txt", TEXT)
    xhtml = write(tmp_path / "page.xhtml", HTML)
    h, t, x = run(html, text, xhtml, source="الرياض")
    assert isinstance(h, RawDocument) and isinstance(t, RawDocument) and isinstance(x, RawDocument)
    assert (h.kind, h.ref, h.data, h.media_type) == ("html", str(html), HTML.encode(), "text/html")
    assert (t.kind, t.data, t.media_type) == ("text", TEXT.encode(), "text/plain")
    assert x.kind == "html"
    assert h.sha256 == hashlib.sha256(HTML.encode()).hexdigest()
    assert h.source == t.source == "الرياض"
    assert h.charset is None and h.url is None


def test_html_bytes_are_not_decoded(tmp_path: Path) -> None:
    raw = HTML.replace("<head>", '<head><meta charset="windows-1256">').encode("cp1256")
    [doc] = run(write(tmp_path / "old.html", raw))
    assert isinstance(doc, RawDocument)
    assert doc.data == raw


def test_html_gz_and_txt_gz(tmp_path: Path) -> None:
    html = write(tmp_path / "page.html.gz", gzip.compress(HTML.encode()))
    text = write(tmp_path / "note.TXT.GZ", gzip.compress(TEXT.encode()))
    h, t = run(html, text)
    assert isinstance(h, RawDocument) and isinstance(t, RawDocument)
    assert (h.kind, h.data, h.ref) == ("html", HTML.encode(), str(html))
    assert (t.kind, t.data) == ("text", TEXT.encode())
    assert h.sha256 == hashlib.sha256(HTML.encode()).hexdigest()


def test_empty_and_whitespace_files_are_rejected(tmp_path: Path) -> None:
    empty = write(tmp_path / "empty.html", b"")
    blank = write(tmp_path / "blank.txt", " \n\t\r\n")
    units = run(empty, blank)
    assert [type(u) for u in units] == [EmptyInputError, EmptyInputError]
    assert units[0].ref == str(empty)


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        (b"<html>\x00\x01\x02<body>", "NUL bytes"),
        (b"\x89PNG\r\n\x1a\n" + b"IHDR" * 4, "PNG image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF document"),
    ],
)
def test_binary_html_file_is_rejected(tmp_path: Path, payload: bytes, words: str) -> None:
    [err] = run(write(tmp_path / "page.html", payload))
    assert isinstance(err, BinaryInputError)
    assert words in err.message


def test_utf16_html_with_bom_is_not_binary(tmp_path: Path) -> None:
    raw = HTML.encode("utf-16")
    [doc] = run(write(tmp_path / "wide.html", raw))
    assert isinstance(doc, RawDocument) and doc.data == raw


def test_oversized_file_message(tmp_path: Path) -> None:
    big = tmp_path / "big.html"
    with open(big, "wb") as fh:             # sparse: nothing is written
        fh.truncate(int(21.3 * 1024 * 1024))
    small = write(tmp_path / "small.html", HTML)
    units = run(big, small)
    assert isinstance(units[0], OversizedInputError)
    assert units[0].message == "21.3 MB is over the 20 MB limit; raise --max-bytes to accept it"
    assert isinstance(units[1], RawDocument)


def test_oversized_gz_page_counts_decompressed_size(tmp_path: Path) -> None:
    path = write(tmp_path / "page.html.gz", gzip.compress(b"<p>" + "خبر ".encode() * 1000))
    [err] = run(path, max_input_bytes=1024)
    assert isinstance(err, OversizedInputError)
    assert "is over the 1 KB limit" in err.message


# --------------------------------------------------------------------------- JSONL


def test_jsonl_gz_records_refs_and_exact_line_bytes(tmp_path: Path) -> None:
    lines = [line(rec(i)) for i in range(1, 4)]
    # CRLF and a blank line must not change what a record's bytes are.
    raw = lines[0] + b"\n" + lines[1] + b"\r\n" + b"   \n" + lines[2]
    path = write(tmp_path / "news.jsonl.gz", gzip.compress(raw))
    units = run(path, source="احتياطي")
    assert not errors(units)
    assert [u.ref for u in units] == [f"{path}:1", f"{path}:2", f"{path}:4"]
    for unit, expected in zip(units, lines, strict=True):
        assert isinstance(unit, RawDocument)
        assert unit.kind == "record"
        assert unit.data == expected
        assert unit.sha256 == hashlib.sha256(expected).hexdigest()
        assert unit.source == "مثال"                  # the record names its outlet
        assert unit.url == unit.fields["url"]
    assert units[0].fields["title"] == "عنوان الخبر رقم 1"  # type: ignore[union-attr]
    assert count_inputs([path]) == 4


def test_ndjson_source_argument_fills_missing_source(tmp_path: Path) -> None:
    obj = rec(1)
    del obj["source"]
    [doc] = run(write(tmp_path / "x.ndjson", line(obj) + b"\n"), source="الجزيرة")
    assert isinstance(doc, RawDocument)
    assert doc.source == "الجزيرة"
    assert doc.fields["source"] is None


def test_jsonl_bad_line_in_the_middle(tmp_path: Path) -> None:
    raw = line(rec(1)) + b"\n" + b'{"title": "\xd8\xae\xd8\xa8\xd8\xb1", text}\n' + line(rec(3)) + b"\n"
    path = write(tmp_path / "news.jsonl", raw)
    units = run(path)
    assert [type(u) for u in units] == [RawDocument, MalformedInputError, RawDocument]
    err = units[1]
    assert err.ref == f"{path}:2"
    assert err.message.startswith("line 2 is not valid JSON (")
    assert "truncated" not in err.message
    assert units[2].ref == f"{path}:3"


def test_jsonl_truncated_last_line(tmp_path: Path) -> None:
    raw = line(rec(1)) + b"\n" + line(rec(2))[:40]
    path = write(tmp_path / "news.jsonl", raw)
    units = run(path)
    assert isinstance(units[0], RawDocument)
    assert isinstance(units[1], MalformedInputError)
    assert units[1].ref == f"{path}:2"
    assert "line 2 is not valid JSON" in units[1].message
    assert "truncated" in units[1].message


def test_jsonl_invalid_utf8_line(tmp_path: Path) -> None:
    path = write(tmp_path / "news.jsonl", b'{"text": "\xff\xfe"}\n' + line(rec(2)) + b"\n")
    units = run(path)
    assert isinstance(units[0], MalformedInputError) and "not UTF-8" in units[0].message
    assert isinstance(units[1], RawDocument)


def test_jsonl_truncated_gzip_keeps_records_already_read(tmp_path: Path) -> None:
    raw = b"".join(line(rec(i, text=f"نص {i} " + "كلمة " * (i % 37))) + b"\n" for i in range(3000))
    packed = gzip.compress(raw)
    path = write(tmp_path / "news.jsonl.gz", packed[: len(packed) * 2 // 3])
    units = run(path)
    good = docs(units)
    assert len(good) > 100
    assert [u.ref for u in good] == [f"{path}:{i}" for i in range(1, len(good) + 1)]
    assert isinstance(units[-1], MalformedInputError)
    assert units[-1].ref == str(path)
    assert "gzip data is truncated or corrupt" in units[-1].message
    assert "the rest of the file is skipped" in units[-1].message
    assert len(errors(units)) == 1


def test_corrupt_gzip(tmp_path: Path) -> None:
    path = write(tmp_path / "news.jsonl.gz", b"\x1f\x8b\x08\x00not really gzip data at all")
    [err] = run(path)
    assert isinstance(err, MalformedInputError)
    assert "gzip data is truncated or corrupt" in err.message


def test_jsonl_oversized_line_is_skipped_alone(tmp_path: Path) -> None:
    big = line(rec(2, text="كلمة " * 500))
    raw = line(rec(1)) + b"\n" + big + b"\n" + line(rec(3)) + b"\n"
    path = write(tmp_path / "news.jsonl", raw)
    units = run(path, max_input_bytes=1024)
    assert [type(u) for u in units] == [RawDocument, OversizedInputError, RawDocument]
    assert units[1].ref == f"{path}:2"
    assert units[1].message.startswith(f"{len(big) / 1024:.1f} KB is over the 1 KB limit")
    assert units[2].data == line(rec(3))


def test_jsonl_value_that_is_not_an_object(tmp_path: Path) -> None:
    path = write(tmp_path / "news.jsonl", b'["a", "b"]\n42\n')
    units = run(path)
    assert [type(u) for u in units] == [MalformedInputError, MalformedInputError]
    assert units[0].message == "line 1 is a JSON array, not an object (a record)"
    assert units[1].message == "line 2 is a JSON number, not an object (a record)"


def test_record_problems(tmp_path: Path) -> None:
    lines = [
        {"title": "بلا نص", "url": "https://x.example/1"},
        rec(2, text=["فقرة", "فقرة"]),
        rec(3, title=7),
        rec(4, text="   "),
        {"title": "صفحة", "html": "<p>نص الصفحة</p>"},
    ]
    path = write(tmp_path / "news.jsonl", b"\n".join(line(o) for o in lines))
    units = run(path)
    assert [type(u) for u in units] == [
        MalformedInputError, MalformedInputError, MalformedInputError, EmptyInputError, RawDocument,
    ]
    assert units[0].message == "record has no 'text' or 'html' field"
    assert units[1].message == "field 'text' is a JSON array, not a string"
    assert units[2].message == "field 'title' is a JSON number, not a string"
    assert units[3].message == "record's 'text' field is blank"
    assert units[4].fields["html"] == "<p>نص الصفحة</p>"  # type: ignore[union-attr]


def test_empty_jsonl_file_yields_nothing(tmp_path: Path) -> None:
    assert run(write(tmp_path / "empty.jsonl", b""), write(tmp_path / "blank.jsonl", b"\n \n")) == []


# --------------------------------------------------------------------------- JSON


def test_json_array(tmp_path: Path) -> None:
    objs = [rec(1), rec(2)]
    path = write(tmp_path / "news.json", json.dumps(objs, ensure_ascii=False, indent=2))
    units = run(path)
    assert [u.ref for u in units] == [f"{path}#0", f"{path}#1"]
    for unit, obj in zip(units, objs, strict=True):
        assert isinstance(unit, RawDocument)
        expected = json.dumps(obj, ensure_ascii=False, sort_keys=True).encode()
        assert unit.data == expected
        assert unit.sha256 == hashlib.sha256(expected).hexdigest()
    assert count_inputs([path]) == 2


def test_json_single_record_keeps_file_bytes(tmp_path: Path) -> None:
    raw = json.dumps(rec(1), ensure_ascii=False, indent=1).encode()
    path = write(tmp_path / "one.json", raw)
    [doc] = run(path)
    assert isinstance(doc, RawDocument)
    assert (doc.ref, doc.data, doc.kind) == (str(path), raw, "record")


def test_json_articles_object_gz(tmp_path: Path) -> None:
    doc = {"site": "مثال", "articles": [rec(1), rec(2), "ليس سجلا"]}
    path = write(tmp_path / "feed.json.gz", gzip.compress(json.dumps(doc, ensure_ascii=False).encode()))
    units = run(path)
    assert [type(u) for u in units] == [RawDocument, RawDocument, MalformedInputError]
    assert units[1].ref == f"{path}#1"
    assert units[2].message == "item 2 is a JSON string, not an object (a record)"


def test_json_that_is_really_jsonl(tmp_path: Path) -> None:
    path = write(tmp_path / "news.json", line(rec(1)) + b"\n" + line(rec(2)) + b"\n")
    units = run(path)
    assert [u.ref for u in units] == [f"{path}:1", f"{path}:2"]
    assert not errors(units)


def test_bad_json_files(tmp_path: Path) -> None:
    scalar = write(tmp_path / "scalar.json", b'"\xd9\x86\xd8\xb5"')
    broken = write(tmp_path / "broken.json", b'[{"title": "x",')
    empty = write(tmp_path / "empty.json", b"  ")
    units = run(scalar, broken, empty)
    assert [type(u) for u in units] == [MalformedInputError, MalformedInputError, EmptyInputError]
    assert "holds a JSON string" in units[0].message
    assert units[1].message.startswith("not valid JSON (")


# --------------------------------------------------------------------------- stdin and sniffing


@pytest.mark.parametrize(
    ("data", "kind", "refs"),
    [
        (HTML.encode(), "html", [STDIN_REF]),
        (b"\n  <p>" + TEXT.encode() + b"</p>", "html", [STDIN_REF]),
        (TEXT.encode(), "text", [STDIN_REF]),
        ("[تحديث] " .encode() + TEXT.encode(), "text", [STDIN_REF]),
        (line(rec(1)) + b"\n" + line(rec(2)) + b"\n", "record", [f"{STDIN_REF}:1", f"{STDIN_REF}:2"]),
        (json.dumps([rec(1), rec(2)]).encode(), "record", [f"{STDIN_REF}#0", f"{STDIN_REF}#1"]),
        (json.dumps(rec(1), indent=2).encode(), "record", [STDIN_REF]),
        (gzip.compress(line(rec(1)) + b"\n"), "record", [f"{STDIN_REF}:1"]),
    ],
    ids=["html", "html-fragment", "text", "text-bracket", "jsonl", "json-array", "json-pretty", "jsonl-gz"],
)
def test_stdin_sniffing(data: bytes, kind: str, refs: list[str]) -> None:
    units = list(iter_inputs(["-"], stdin=io.BytesIO(data)))
    assert not errors(units)
    assert [u.ref for u in units] == refs
    assert {u.kind for u in docs(units)} == {kind}


def test_stdin_empty_and_count() -> None:
    [err] = iter_inputs(["-"], stdin=io.BytesIO(b""))
    assert isinstance(err, EmptyInputError) and err.ref == STDIN_REF
    assert count_inputs(["-"]) is None


def test_explicit_unknown_extension_is_sniffed(tmp_path: Path) -> None:
    page = write(tmp_path / "page.php", HTML)
    dump = write(tmp_path / "dump.gz", gzip.compress(line(rec(1)) + b"\n"))
    units = run(page, dump)
    assert [(u.kind, u.ref) for u in docs(units)] == [("html", str(page)), ("record", f"{dump}:1")]
    assert run(tmp_path) == []                  # a folder walk skips them


# --------------------------------------------------------------------------- WARC


def write_warc(path: Path, *, gz: bool) -> dict[str, bytes]:
    html = "<html><head><title>خبر</title></head><body><p>أمطار غزيرة على جدة</p></body></html>"
    payloads = {
        "html": html.encode("cp1256"),
        "text": "نص عادي".encode(),
        "png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 16,
    }
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=gz)
        writer.write_record(writer.create_warcinfo_record("test.warc", {"software": "pytest"}))

        def response(url: str, status: str, ctype: str | None, body: bytes) -> None:
            headers = [("Content-Type", ctype)] if ctype else []
            http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=http,
                warc_headers_dict={"WARC-Date": "2024-05-01T08:00:00Z"},
            ))

        request = StatusAndHeaders("GET /ar/1 HTTP/1.1", [("Host", "news.example.com")], is_http_request=True)
        writer.write_record(writer.create_warc_record(
            "https://news.example.com/ar/1", "request", payload=io.BytesIO(b""), http_headers=request,
        ))
        page_type = "text/html; charset=Windows-1256"
        response("https://news.example.com/ar/1", "200 OK", page_type, payloads["html"])
        response("https://news.example.com/logo.png", "200 OK", "image/png", payloads["png"])
        response("https://news.example.com/old", "301 Moved Permanently", "text/html", b"")
        response("https://news.example.com/gone", "404 Not Found", "text/html", b"<p>not found</p>")
        writer.write_record(writer.create_warc_record(
            "urn:example:note", "resource", payload=io.BytesIO(payloads["text"]),
            warc_content_type="text/plain; charset=UTF-8",
        ))
    return payloads


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_warc(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    payloads = write_warc(path, gz=name.endswith(".gz"))
    units = run(path, source="مثال")
    assert [type(u) for u in units] == [RawDocument, BinaryInputError, FetchError, RawDocument]
    page, png, gone, note = units
    assert isinstance(page, RawDocument) and isinstance(note, RawDocument)
    assert page.kind == "html"
    assert page.data == payloads["html"]
    assert page.sha256 == hashlib.sha256(payloads["html"]).hexdigest()
    assert page.url == "https://news.example.com/ar/1"
    assert page.fetched_at == "2024-05-01T08:00:00Z"
    assert (page.media_type, page.charset) == ("text/html", "windows-1256")
    assert page.source == "مثال"
    assert png.message == "unsupported content type image/png in WARC record"
    assert gone.message == "HTTP status 404 in WARC record"
    assert (note.kind, note.data, note.charset) == ("text", payloads["text"], "utf-8")
    # Each ref's offset points at the start of its record.
    for unit in units:
        assert unit.ref is not None
        prefix, _, offset = unit.ref.rpartition("@")
        assert prefix == str(path)
        with open(path, "rb") as fh:
            fh.seek(int(offset))
            record = next(iter(ArchiveIterator(fh)))
            assert record.rec_type in ("response", "resource")
    assert count_inputs([path]) is None


def test_warc_via_stdin_sniffing(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc"
    write_warc(path, gz=False)
    units = list(iter_inputs(["-"], stdin=io.BytesIO(path.read_bytes())))
    assert [type(u) for u in units] == [RawDocument, BinaryInputError, FetchError, RawDocument]
    assert units[0].ref.startswith(f"{STDIN_REF}@")  # type: ignore[union-attr]


def test_not_a_warc(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.warc", b"this is not a WARC file\r\n\r\n")
    [err] = run(path)
    assert isinstance(err, MalformedInputError)
    assert err.message.startswith("not a WARC file")


def test_truncated_warc_record(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc"
    write_warc(path, gz=False)
    raw = path.read_bytes()
    cut = write(tmp_path / "cut.warc", raw[: raw.index(b"</body>")])
    [err] = run(cut)
    assert isinstance(err, MalformedInputError)
    assert err.ref is not None and err.ref.startswith(f"{cut}@")
    assert "WARC record is truncated" in err.message


# --------------------------------------------------------------------------- record mapping


def test_ant_record_mapping(tmp_path: Path) -> None:
    ant = {
        "docno": "AL-culture-1-20180218", "url": "http://www.alarabiya.net/ar/culture/1.html",
        "source": "alarabia", "category": "culture", "title": "عنوان",
        "time": "Sun, 18 Feb 2018 21:35:43 +0400",
        "abstract": "ملخص", "text": "نص المقال",
    }
    assert record_to_fields(ant) == {
        "url": "http://www.alarabiya.net/ar/culture/1.html", "source": "alarabia", "title": "عنوان",
        "text": "نص المقال", "html": None, "published": "Sun, 18 Feb 2018 21:35:43 +0400",
        "external_id": "AL-culture-1-20180218", "author": None, "category": "culture",
        "fetched_at": None, "language": None,
    }
    [doc] = run(write(tmp_path / "ant.jsonl", line(ant)), source="ignored")
    assert isinstance(doc, RawDocument)
    assert doc.source == "alarabia" and doc.fields["external_id"] == "AL-culture-1-20180218"


def test_saudinewsnet_record_mapping(tmp_path: Path) -> None:
    snn = {
        "source": "aawsat", "url": "http://aawsat.com/home/article/410826",
        "date_extracted": "2015-07-21 02:51:32", "title": "بريطانيا: أربعة محاور",
        "author": "لندن: رنيم حنوش", "content": "حدد رئيس الوزراء البريطاني",
    }
    fields = record_to_fields(snn)
    assert fields == {
        "url": "http://aawsat.com/home/article/410826", "source": "aawsat", "title": "بريطانيا: أربعة محاور",
        "text": "حدد رئيس الوزراء البريطاني", "html": None, "published": None, "external_id": None,
        "author": "لندن: رنيم حنوش", "category": None, "fetched_at": "2015-07-21 02:51:32", "language": None,
    }
    [doc] = run(write(tmp_path / "snn.jsonl", line(snn)))
    assert isinstance(doc, RawDocument)
    assert doc.fetched_at == "2015-07-21 02:51:32"
    assert doc.url == snn["url"]


def test_record_aliases_and_case() -> None:
    fields = record_to_fields({
        "Headline": "عنوان", "Body": "نص", "link": "https://x.example/a", "pubDate": "2024-01-02",
        "site": "موقع", "guid": 12345, "authors": ["أحمد", "سارة"], "section": "اقتصاد", "lang": "ar",
    })
    assert fields == {
        "url": "https://x.example/a", "source": "موقع", "title": "عنوان", "text": "نص", "html": None,
        "published": "2024-01-02", "external_id": "12345", "author": "أحمد, سارة", "category": "اقتصاد",
        "fetched_at": None, "language": "ar",
    }


def test_record_alias_preference() -> None:
    # Our own names win; an empty preferred field gives way to a filled alias.
    assert record_to_fields({"text": "أ", "content": "ب"})["text"] == "أ"
    assert record_to_fields({"text": "", "content": "ب"})["text"] == "ب"
    assert record_to_fields({"text": "", "content": None})["text"] == ""
    assert record_to_fields({"id": "x1", "docno": "x2"})["external_id"] == "x1"
    assert record_to_fields({"published": "2024", "time": "2023"})["published"] == "2024"
    both_dates = record_to_fields({"date": "2024-01-01", "date_extracted": "2024-02-02"})
    assert (both_dates["published"], both_dates["fetched_at"]) == ("2024-01-01", "2024-02-02")
    assert record_to_fields({})["title"] is None


# --------------------------------------------------------------------------- real corpora

CORPORA = ["ant-multisource.jsonl.gz", "ant-jawharafm.jsonl.gz", "saudinewsnet.jsonl.gz"]


@pytest.mark.parametrize("name", CORPORA)
def test_real_corpus_first_200_records(name: str) -> None:
    path = data_dir() / name
    if not path.is_file():
        reason = f"{path} is absent; set MARSAD_DATA to the folder holding the shared data sets"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    units_iter = iter_inputs([path])
    units = list(itertools.islice(units_iter, 200))
    units_iter.close()
    assert len(units) == 200
    assert errors(units) == []
    for unit in docs(units):
        assert unit.kind == "record"
        assert unit.fields["text"].strip()
        assert unit.fields["title"].strip()
        assert unit.fields["url"].startswith("http")
        assert unit.url == unit.fields["url"]
        assert unit.source
        assert unit.sha256 == hashlib.sha256(unit.data).hexdigest()
