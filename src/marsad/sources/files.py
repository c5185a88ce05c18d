"""Read files, folders and stdin into :class:`~marsad.models.RawDocument` units.

:func:`iter_inputs` takes paths (files, folders, or ``-`` for stdin) and yields one
``RawDocument`` per input unit -- a page, a text file, a JSON record, a WARC response -- or,
for a unit that cannot be used, the :class:`~marsad.errors.InputError` that says why. An error
never stops the iteration: the caller logs it as a rejection and the run goes on.

Inputs
------

========================================  =======================================================
what                                      how it is read
========================================  =======================================================
a folder                                  walked recursively in name order; hidden files and
                                          folders (``.name``) and unknown extensions are skipped
``.html`` ``.htm`` ``.xhtml``             one page (``kind="html"``); bytes are not decoded here
``.txt``                                  one plain-text article (``kind="text"``)
``.jsonl`` ``.ndjson``                    one record per line, streamed (``kind="record"``)
``.json``                                 one record, an array of records, or
                                          ``{"articles": [record, ...]}``
``.warc`` ``.warc.gz``                    every ``response`` / ``resource`` record with an HTML or
                                          plain-text payload; other record types are skipped
any of these + ``.gz``                    decompressed on the fly (``page.html.gz``,
                                          ``data.jsonl.gz``)
``-``                                     stdin, sniffed: JSON / JSONL when it starts with ``{`` or
                                          ``[``, HTML when tags appear near the start, else text
a file named with another extension       sniffed like stdin (a folder walk skips it)
========================================  =======================================================

Each unit's ``data`` is its own raw bytes (the file, the JSONL line without its line break, the
re-serialized record of a ``.json`` array, the HTTP payload of a WARC record) and ``sha256`` is
their SHA-256. ``ref`` says where the unit came from: ``path``, ``path:LINE`` (JSONL, 1-based),
``path#INDEX`` (``.json`` array item, 0-based) or ``path@OFFSET`` (byte offset of the WARC
record). Stdin is named ``<stdin>``.

Record schema (JSONL / JSON)
----------------------------

One JSON object per record (per line in JSONL). Field names are case-insensitive::

    {"url": "https://www.example.com/news/2024/05/01/story",
     "source": "example",
     "title": "عنوان الخبر",
     "text": "نص الخبر ...",
     "published": "2024-05-01T10:30:00+03:00",
     "id": "ex-123", "author": "...", "category": "سياسة", "language": "ar",
     "fetched_at": "2024-05-01T11:00:00Z"}

=================  =============================================  ==============================
field              meaning                                        also accepted as
=================  =============================================  ==============================
``text``           the article body as plain text (*required*,    ``content``, ``body``,
                   unless ``html`` is given)                      ``article``
``html``           the article page as HTML, extracted later      ``raw_html``
``title``          the headline                                   ``headline``
``url``            where the article was published                ``link``
``source``         the outlet; ``--source`` fills it when absent  ``site``, ``outlet``
``published``      publication date, any date string Marsad       ``published_at``,
                   understands (ISO 8601, RFC 822, Arabic,        ``publish_date``, ``pubDate``,
                   Hijri, ...)                                    ``date``, ``time``
``id``             the record's id in its own data set, kept as   ``docno``, ``guid``
                   ``external_id`` (a string or a number)
``author``         byline (a string or a list of strings)         ``authors``, ``byline``
``category``       outlet section                                 ``section``
``language``       language code, e.g. ``ar``                     ``lang``
``fetched_at``     when the page was crawled; anchors relative    ``date_extracted``,
                   dates such as "منذ 3 ساعات"                    ``crawled_at``
=================  =============================================  ==============================

Other fields are ignored. Values must be strings (``id`` may be a number; ``author`` may be a
list of strings); a record with another value, with neither ``text`` nor ``html``, or with only
blank text is rejected. The public corpora fit this schema as they are: ANT (``docno``, ``url``,
``source``, ``category``, ``title``, ``time``, ``abstract``, ``text``) and SaudiNewsNet
(``source``, ``url``, ``date_extracted``, ``title``, ``author``, ``content``; its
``date_extracted`` is the crawl time, so it becomes ``fetched_at``, not the publication date).

Rejections
----------

``MalformedInputError``: a missing path, an unreadable file, a line or file that is not valid
JSON (a truncated last line included), a JSON value that is not an object, a record without
text, a non-string field, a truncated or corrupt gzip or WARC (units read before the damage
stay yielded; the rest of that file is skipped). ``EmptyInputError``: an empty page or text
file, a record whose text is blank (blank JSONL lines are skipped silently).
``BinaryInputError``: NUL bytes or a binary signature (image, PDF, archive) in a page or text
file, or a WARC payload whose content type is not HTML or plain text. ``OversizedInputError``:
a unit larger than ``max_input_bytes``. ``FetchError``: a WARC response with an HTTP error
status (redirects and other non-2xx statuses below 400 are skipped silently).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import stat
import sys
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

from marsad.errors import (
    BinaryInputError,
    ConfigError,
    EmptyInputError,
    FetchError,
    InputError,
    MalformedInputError,
    OversizedInputError,
)
from marsad.models import DocumentKind, RawDocument

__all__ = ["DEFAULT_MAX_INPUT_BYTES", "STDIN_REF", "count_inputs", "iter_inputs", "record_to_fields"]

DEFAULT_MAX_INPUT_BYTES = 20 * 1024 * 1024
STDIN_REF = "<stdin>"

_CHUNK = 1 << 20
_SNIFF_BYTES = 4096
_COUNT_JSON_MAX_BYTES = 64 * 1024 * 1024   # count_inputs parses .json files up to this size
_GZIP_MAGIC = b"\x1f\x8b"
_UTF8_BOM = b"\xef\xbb\xbf"
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff")   # UTF-16/32 text legitimately holds NUL bytes

_EXT_FORMATS = {
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".txt": "text",
    ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".json": "json",
}
_MEDIA_TYPES = {"html": "text/html", "text": "text/plain"}
_HTML_MARKERS = (b"<html", b"<!doctype", b"<body", b"<head", b"<p", b"<article")
_WARC_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_WARC_SKIPPED_SCHEMES = frozenset({"dns", "whois"})

_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"RIFF", "a RIFF file (WebP image, WAV or AVI)"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive or Office document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document"),
    (_GZIP_MAGIC, "gzip-compressed data (name the file *.gz to have it decompressed)"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data"),
    (b"\xfd7zXZ\x00", "xz-compressed data"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x7fELF", "an executable"),
    (b"wOFF", "a web font"),
    (b"wOF2", "a web font"),
    (b"OggS", "an Ogg media file"),
    (b"SQLite format 3\x00", "an SQLite database"),
)

# Record field -> accepted keys (lower case), in order of preference.
_ALIASES: dict[str, tuple[str, ...]] = {
    "url": ("url", "link"),
    "source": ("source", "site", "outlet"),
    "title": ("title", "headline"),
    "text": ("text", "content", "body", "article"),
    "html": ("html", "raw_html"),
    "published": ("published", "published_at", "publish_date", "pubdate", "date", "time"),
    "external_id": ("id", "docno", "guid"),
    "author": ("author", "authors", "byline"),
    "category": ("category", "section"),
    "fetched_at": ("fetched_at", "date_extracted", "crawled_at"),
    "language": ("language", "lang"),
}
_STRING_FIELDS = tuple(_ALIASES)

_READ_ERRORS = (OSError, EOFError, zlib.error)


@dataclass(frozen=True, slots=True)
class _Input:
    """Something to read: where it came from, how to open it, its size when known."""

    ref: str
    open: Callable[[], BinaryIO]
    size: int | None = None


@dataclass(frozen=True, slots=True)
class _Opts:
    limit: int
    source: str | None
    lines: tuple[int, int] | None = None     # JSONL: only lines first..last (1-based, inclusive)
    records: tuple[int, int] | None = None   # WARC: from this byte offset, only this many response/resource records


# --------------------------------------------------------------------------- public API


def iter_inputs(
    paths: Sequence[str | Path],
    *,
    max_input_bytes: int = DEFAULT_MAX_INPUT_BYTES,
    source: str | None = None,
    stdin: BinaryIO | None = None,
) -> Iterator[RawDocument | InputError]:
    """Yield one ``RawDocument`` per input unit found in ``paths``, or the ``InputError`` of a bad one.

    ``paths`` are files, folders (walked recursively) or ``"-"`` for stdin (``stdin`` if given,
    else ``sys.stdin.buffer``). Errors carry ``ref`` and never stop the iteration. ``source``
    fills ``RawDocument.source`` when the input does not name its outlet.
    """
    if max_input_bytes <= 0:
        raise ConfigError("max_input_bytes must be positive")
    opts = _Opts(limit=max_input_bytes, source=source)
    for item in paths:
        if str(item) == "-":
            yield from _stdin_units(stdin, opts)
            continue
        for entry in _files(item):
            if isinstance(entry, InputError):
                yield entry
            else:
                yield from _file_units(entry[0], opts, explicit=entry[1])


def _files(item: str | Path) -> Iterator[tuple[Path, bool] | InputError]:
    """The files a path names, each with whether it was named itself (else found in a folder), or the error."""
    path = Path(item)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        yield MalformedInputError("no such file or folder", ref=str(item))
        return
    except OSError as exc:
        yield MalformedInputError(f"cannot read: {_os_reason(exc)}", ref=str(item))
        return
    if not stat.S_ISDIR(mode):
        yield path, True
        return
    for entry in _walk(path):
        yield entry if isinstance(entry, InputError) else (entry, False)


def count_inputs(paths: Sequence[str | Path]) -> int | None:
    """Estimate how many units :func:`iter_inputs` will yield, for a progress bar.

    Counts one per page / text file / unreadable path, lines for JSONL (blank lines included),
    records for ``.json`` files. Returns ``None`` when the count cannot be known cheaply: stdin
    or a WARC archive among the inputs.
    """
    total = 0
    for item in paths:
        if str(item) == "-":
            return None
        path = Path(item)
        files: list[Path] = []
        if path.is_dir():
            for entry in _walk(path):
                if isinstance(entry, Path):
                    files.append(entry)
                else:
                    total += 1          # an unreadable folder: one rejection
        else:
            files.append(path)
        for file in files:
            fmt, gz = _format_of(file.name)
            if fmt == "warc":
                return None
            if fmt == "jsonl":
                total += _count_lines(file, gz)
            elif fmt == "json":
                total += _count_json(file, gz)
            else:
                total += 1
    return total


@dataclass(frozen=True, slots=True)
class InputPart:
    """A piece of the input a worker reads by itself (``--dask``): one file, lines ``first..last`` (1-based,
    inclusive) of a JSONL file, or a run of records of a WARC. ``explicit``: named on the command line (an unknown
    extension is then sniffed)."""

    path: str
    explicit: bool
    lines: tuple[int, int] | None = None
    records: tuple[int, int] | None = None    # WARC: (byte offset, count): count response/resource records from there


def split_inputs(paths: Sequence[str | Path], *, lines_per_part: int = 200) -> Iterator[InputPart | InputError]:
    """The inputs of ``iter_inputs(paths)`` as parts, in the same order: reading every part with ``read_part`` in
    turn yields exactly what ``iter_inputs`` yields. JSONL files are cut into parts of ``lines_per_part`` lines
    (the lines are counted here, the records are read by the worker), WARC files into parts of as many
    response/resource records (their offsets found here, the records read by the worker); other files are one
    part each. Stdin cannot be split (``ConfigError``)."""
    if lines_per_part < 1:
        raise ConfigError("lines_per_part must be at least 1")
    for item in paths:
        if str(item) == "-":
            raise ConfigError("stdin cannot be split between workers: write it to a file and ingest the file")
        for entry in _files(item):
            if isinstance(entry, InputError):
                yield entry
                continue
            file, explicit = entry
            fmt, gz = _format_of(file.name)
            if fmt == "warc":
                yield from _warc_parts(file, explicit, lines_per_part)
                continue
            if fmt != "jsonl":
                yield InputPart(str(file), explicit)
                continue
            total = _count_lines(file, gz)
            for first in range(1, max(total, 1) + 1, lines_per_part):
                last = first + lines_per_part - 1
                # the last part runs to the end of the file, whatever the count (a file may grow)
                yield InputPart(str(file), explicit, (first, last if last < total else 2**62))


def _warc_parts(file: Path, explicit: bool, per_part: int) -> Iterator[InputPart]:
    """A WARC cut into parts of ``per_part`` response/resource records, by the byte offsets of their records.

    The client walks the record headers (warcio reads, and for gzip decompresses, each record to find the next;
    nothing is parsed or sent); workers seek to their part. Where the walk fails (not a WARC, damage) the rest of
    the file is one last part, so its worker reports the same error ``iter_inputs`` does, at the same place."""
    from warcio.archiveiterator import ArchiveIterator

    start, count = 0, 0
    try:
        with open(file, "rb") as stream:
            archive = ArchiveIterator(stream)
            for record in archive:
                if record.rec_type not in ("response", "resource"):
                    continue
                offset = archive.get_record_offset()
                if count == per_part:
                    yield InputPart(str(file), explicit, records=(start, count))
                    start, count = offset, 0
                count += 1
    except Exception:   # the worker reading the last part meets the same damage and reports it
        pass
    yield InputPart(str(file), explicit, records=(start, 2**62))    # the rest, whatever is found there


def read_part(part: InputPart, *, max_input_bytes: int = DEFAULT_MAX_INPUT_BYTES,
              source: str | None = None) -> Iterator[RawDocument | InputError]:
    """The input units of one part, as ``iter_inputs`` gives them."""
    if max_input_bytes <= 0:
        raise ConfigError("max_input_bytes must be positive")
    opts = _Opts(limit=max_input_bytes, source=source, lines=part.lines, records=part.records)
    yield from _file_units(Path(part.path), opts, explicit=part.explicit)


def record_to_fields(obj: dict[str, Any]) -> dict[str, Any]:
    """Map one JSON record onto Marsad's field names (see the module docstring for the schema).

    Returns a dict with exactly the keys ``url``, ``source``, ``title``, ``text``, ``html``,
    ``published``, ``external_id``, ``author``, ``category``, ``fetched_at``, ``language``
    (``None`` when the record has no such field). Keys are matched case-insensitively; of several
    aliases the first non-blank one wins. A numeric id becomes a string and a list of author
    strings is joined with ``", "``; other values are returned as found (``iter_inputs`` rejects
    non-strings).
    """
    return _map_record(obj)[0]


# --------------------------------------------------------------------------- paths and dispatch


def _format_of(name: str) -> tuple[str | None, bool]:
    """Return (format, gzipped) for a file name; format is None for unknown extensions."""
    lower = name.lower()
    if lower.endswith((".warc", ".warc.gz")):
        return "warc", False          # warcio reads gzipped WARC itself
    gz = lower.endswith(".gz")
    if gz:
        lower = lower[:-3]
    return _EXT_FORMATS.get(os.path.splitext(lower)[1]), gz


def _walk(root: Path) -> Iterator[Path | InputError]:
    """Yield the recognised files under ``root`` in name order, skipping hidden entries."""
    seen: set[tuple[int, int]] = set()

    def visit(folder: Path) -> Iterator[Path | InputError]:
        try:
            info = os.stat(folder)
            key = (info.st_dev, info.st_ino)
            if key in seen:             # a symlink loop
                return
            seen.add(key)
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            yield MalformedInputError(f"cannot read folder: {_os_reason(exc)}", ref=str(folder))
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            child = folder / entry.name
            try:
                is_dir = entry.is_dir()
                is_file = not is_dir and entry.is_file()
            except OSError:
                continue
            if is_dir:
                yield from visit(child)
            elif is_file and _format_of(entry.name)[0] is not None:
                yield child

    yield from visit(root)


def _file_units(path: Path, opts: _Opts, *, explicit: bool) -> Iterator[RawDocument | InputError]:
    fmt, gz = _format_of(path.name)
    if fmt is None and not explicit:
        return
    try:
        size: int | None = path.stat().st_size
    except OSError:
        size = None
    inp = _Input(ref=str(path), open=partial(_open_binary, path), size=size)
    if fmt is None:
        yield from _sniffed_units(inp, opts)
    else:
        yield from _units(inp, fmt, gz, opts)


def _open_binary(path: Path) -> BinaryIO:
    return open(path, "rb")


def _stdin_units(stdin: BinaryIO | None, opts: _Opts) -> Iterator[RawDocument | InputError]:
    stream = stdin if stdin is not None else sys.stdin.buffer
    try:
        data = stream.read()
    except OSError as exc:
        yield MalformedInputError(f"cannot read: {_os_reason(exc)}", ref=STDIN_REF)
        return
    if isinstance(data, str):           # a text stream was passed by mistake
        data = data.encode("utf-8")
    inp = _Input(ref=STDIN_REF, open=partial(io.BytesIO, data), size=len(data))
    yield from _sniffed_units(inp, opts)


def _sniffed_units(inp: _Input, opts: _Opts) -> Iterator[RawDocument | InputError]:
    """Read the head of an input of unknown type and dispatch on what it looks like."""
    try:
        with inp.open() as f:
            head = f.read(_SNIFF_BYTES)
    except OSError as exc:
        yield MalformedInputError(f"cannot read: {_os_reason(exc)}", ref=inp.ref)
        return
    gz = head[:2] == _GZIP_MAGIC
    complete = len(head) < _SNIFF_BYTES
    if gz:
        try:
            inner = zlib.decompressobj(wbits=31).decompress(head, _SNIFF_BYTES)
        except zlib.error:
            inner = b""                 # reading it will report the corrupt gzip
        if inner.lstrip().startswith(b"WARC/"):
            yield from _units(inp, "warc", False, opts)
            return
        complete = complete and len(inner) < _SNIFF_BYTES
        head = inner
    yield from _units(inp, _sniff(head, complete=complete), gz, opts)


def _sniff(head: bytes, *, complete: bool) -> str:
    """Guess the format of bytes: "warc", "json", "jsonl", "html" or "text"."""
    s = head.removeprefix(_UTF8_BOM).lstrip()
    if s.startswith(b"WARC/"):
        return "warc"
    after = s[1:].lstrip()[:1]
    if s[:1] == b"[" and after in (b"{", b"]", b""):
        return "json"
    if s[:1] == b"{" and after in (b'"', b"}", b""):
        newline = s.find(b"\n")
        if newline == -1:
            # One line: a single record if that is all, else the first line of a JSONL stream.
            return "json" if complete else "jsonl"
        try:
            first = json.loads(s[:newline])
        except ValueError:
            return "json"               # a pretty-printed document
        return "jsonl" if isinstance(first, dict) else "json"
    low = s[:_SNIFF_BYTES].lower()
    if any(marker in low for marker in _HTML_MARKERS):
        return "html"
    return "text"


def _units(inp: _Input, fmt: str, gz: bool, opts: _Opts) -> Iterator[RawDocument | InputError]:
    """Open ``inp`` (gunzipping if ``gz``) and run the reader of ``fmt`` over it."""
    if fmt in ("html", "text") and not gz and inp.size is not None and inp.size > opts.limit:
        yield _oversized(inp.size, opts.limit, inp.ref)    # without reading it
        return
    try:
        raw = inp.open()
    except OSError as exc:
        yield MalformedInputError(f"cannot read: {_os_reason(exc)}", ref=inp.ref)
        return
    with raw:
        stream: BinaryIO = gzip.GzipFile(fileobj=raw, mode="rb") if gz else raw  # type: ignore[assignment]
        try:
            if fmt == "jsonl":
                yield from _jsonl_units(stream, inp, gz, opts)
            elif fmt == "json":
                yield from _json_units(stream, inp, gz, opts)
            elif fmt == "warc":
                yield from _warc_units(stream, inp, opts)
            else:
                yield from _page_units(stream, inp, "html" if fmt == "html" else "text", gz, opts)
        finally:
            if stream is not raw:
                stream.close()


# --------------------------------------------------------------------------- readers


def _page_units(
    stream: BinaryIO, inp: _Input, kind: DocumentKind, gz: bool, opts: _Opts
) -> Iterator[RawDocument | InputError]:
    """One HTML page or text file."""
    try:
        data, total = _read_capped(stream, opts.limit)
    except _READ_ERRORS as exc:
        yield MalformedInputError(_read_failure(exc), ref=inp.ref)
        return
    if data is None:
        yield _oversized(total, opts.limit, inp.ref)
        return
    problem = _text_problem(data, inp.ref)
    if problem is not None:
        yield problem
        return
    yield RawDocument(
        data=data, kind=kind, ref=inp.ref, media_type=_MEDIA_TYPES[kind], source=opts.source,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _jsonl_units(
    stream: BinaryIO, inp: _Input, gz: bool, opts: _Opts
) -> Iterator[RawDocument | InputError]:
    """One record per line, streamed; blank lines are skipped."""
    lineno = 0
    limit = opts.limit
    while True:
        try:
            raw = stream.readline(limit + 2)    # the line, its line break, one byte more
            total = len(raw)
            too_long = bool(raw) and not raw.endswith(b"\n") and total == limit + 2
            if too_long:                        # skip the rest of the line, counting it
                while True:
                    more = stream.readline(_CHUNK)
                    total += len(more)
                    if not more or more.endswith(b"\n"):
                        if more:
                            total -= 1
                        break
        except _READ_ERRORS as exc:
            where = f"after line {lineno}" if lineno else "at the start"
            yield MalformedInputError(
                f"{_read_failure(exc)} {where}; the rest of the file is skipped", ref=inp.ref
            )
            return
        if not raw:
            return
        lineno += 1
        if opts.lines is not None:          # a part of the file (``read_part``): the other lines are skipped
            if lineno < opts.lines[0]:
                continue
            if lineno > opts.lines[1]:
                return
        ref = f"{inp.ref}:{lineno}"
        if too_long:
            yield _oversized(total, limit, ref)
            continue
        ended = raw.endswith(b"\n")
        data = raw[:-2] if raw.endswith(b"\r\n") else raw[:-1] if ended else raw
        if len(data) > limit:
            yield _oversized(len(data), limit, ref)
            continue
        if not data.strip() or data.strip() == _UTF8_BOM:
            continue
        try:
            obj = json.loads(data)
        except UnicodeDecodeError as exc:
            yield MalformedInputError(
                f"line {lineno} is not UTF-8 ({exc.reason} at byte {exc.start + 1})", ref=ref
            )
            continue
        except ValueError as exc:
            message = f"line {lineno} is not valid JSON ({_json_error(exc)})"
            if not ended:
                message += "; it is the last line and has no line break: the file may be truncated"
            yield MalformedInputError(message, ref=ref)
            continue
        yield _record_unit(obj, data, ref, f"line {lineno}", opts)


def _json_units(
    stream: BinaryIO, inp: _Input, gz: bool, opts: _Opts
) -> Iterator[RawDocument | InputError]:
    """A single record, an array of records or ``{"articles": [...]}``."""
    try:
        data = stream.read()
    except _READ_ERRORS as exc:
        yield MalformedInputError(_read_failure(exc), ref=inp.ref)
        return
    if not data.strip() or data.strip() == _UTF8_BOM:
        yield EmptyInputError("the file is empty", ref=inp.ref)
        return
    try:
        value = json.loads(data)
    except UnicodeDecodeError as exc:
        yield MalformedInputError(f"not UTF-8 ({exc.reason} at byte {exc.start + 1})", ref=inp.ref)
        return
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":     # several documents: it is JSON Lines under a .json name
            yield from _jsonl_units(io.BytesIO(data), inp, gz, opts)
        else:
            yield MalformedInputError(
                f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})", ref=inp.ref
            )
        return
    except ValueError as exc:
        yield MalformedInputError(f"not valid JSON ({exc})", ref=inp.ref)
        return
    if isinstance(value, dict) and isinstance(value.get("articles"), list):
        items: list[Any] = value["articles"]
    elif isinstance(value, list):
        items = value
    elif isinstance(value, dict):
        yield _record_unit(value, data, inp.ref, "the file", opts)
        return
    else:
        yield MalformedInputError(
            f"the file holds a JSON {_json_type(value)}; expected a record, an array of records "
            "or an object with an 'articles' array",
            ref=inp.ref,
        )
        return
    for index, obj in enumerate(items):
        ref = f"{inp.ref}#{index}"
        if not isinstance(obj, dict):
            yield MalformedInputError(
                f"item {index} is a JSON {_json_type(obj)}, not an object (a record)", ref=ref
            )
            continue
        yield _record_unit(obj, _serialize(obj), ref, f"item {index}", opts)


def _warc_units(stream: BinaryIO, inp: _Input, opts: _Opts) -> Iterator[RawDocument | InputError]:
    """Response and resource records of a WARC (plain or gzipped per record)."""
    from warcio.archiveiterator import ArchiveIterator

    first, left = opts.records or (0, 2**62)
    try:
        stream.seek(first)
        head = stream.read(_SNIFF_BYTES)
        stream.seek(first)
    except OSError as exc:
        yield MalformedInputError(f"cannot read: {_os_reason(exc)}", ref=inp.ref)
        return
    if head[:2] == _GZIP_MAGIC:
        try:
            head = zlib.decompressobj(wbits=31).decompress(head, _SNIFF_BYTES)
        except zlib.error as exc:
            yield MalformedInputError(f"gzip data is truncated or corrupt ({exc})", ref=inp.ref)
            return
    if not head.strip():
        yield EmptyInputError("the file is empty", ref=inp.ref)
        return
    if not head.lstrip().startswith((b"WARC/", b"filedesc://")):
        yield MalformedInputError(
            "not a WARC file: it does not start with a 'WARC/' record header", ref=inp.ref
        )
        return
    archive = ArchiveIterator(stream)

    def where() -> str:
        return f"{inp.ref}@{archive.get_record_offset()}"

    records = iter(archive)
    while True:
        try:
            record = next(records)
        except StopIteration:
            return
        except Exception as exc:        # warcio raises many types on damaged input
            yield MalformedInputError(
                f"WARC data is truncated or corrupt ({_one_line(exc)}); the rest of the file is skipped",
                ref=inp.ref,
            )
            return
        if record.rec_type not in ("response", "resource"):
            continue
        if left == 0:        # the next part's first record
            return
        left -= 1
        try:    # warcio finds a record's offset by reading it to its end: where() comes last
            unit = _warc_unit(record, where, opts)
        except Exception as exc:
            yield MalformedInputError(
                f"WARC record is truncated or corrupt ({_one_line(exc)}); the rest of the file is skipped",
                ref=inp.ref,
            )
            return
        if unit is not None:
            yield unit


def _warc_unit(record: Any, where: Callable[[], str], opts: _Opts) -> RawDocument | InputError | None:
    """The unit of one response/resource record; ``where()`` gives its ref once the payload is read."""
    headers = record.rec_headers
    url = headers.get_header("WARC-Target-URI")
    if url and url.partition(":")[0].lower() in _WARC_SKIPPED_SCHEMES:
        return None
    http = record.http_headers
    if record.rec_type == "response" and http is not None:
        status = (http.get_statuscode() or "").strip()
        if not status.isdigit():
            return MalformedInputError(
                f"WARC record has a bad HTTP status line {http.statusline!r}", ref=where()
            )
        code = int(status)
        if code >= 400:
            return FetchError(f"HTTP status {code} in WARC record", ref=where())
        if code < 200 or code >= 300:   # redirects, not-modified: no page here
            return None
        content_type = http.get_header("Content-Type")
    else:
        content_type = headers.get_header("Content-Type")
    media_type, charset = _parse_content_type(content_type)
    kind: DocumentKind | None
    if media_type in _WARC_HTML_TYPES:
        kind = "html"
    elif media_type == "text/plain":
        kind = "text"
    elif media_type is None:
        kind = None                     # decided from the payload below
    else:
        return BinaryInputError(f"unsupported content type {media_type} in WARC record", ref=where())
    data, total = _read_capped(record.content_stream(), opts.limit)
    while record.raw_stream.read(_CHUNK):   # whatever the decoders left (a chunked trailer)
        pass
    ref = where()
    missing = getattr(record.raw_stream, "limit", 0)
    if isinstance(missing, int) and missing > 0:    # the file ended inside the record
        return MalformedInputError(
            f"WARC record is truncated: the file ends {missing} bytes before the record does", ref=ref
        )
    if data is None:
        return _oversized(total, opts.limit, ref)
    problem = _text_problem(data, ref)
    if problem is not None:
        return problem
    if kind is None:
        low = data[:_SNIFF_BYTES].lower()
        kind = "html" if any(marker in low for marker in _HTML_MARKERS) else "text"
    return RawDocument(
        data=data, kind=kind, ref=ref, url=url or None, media_type=media_type, charset=charset,
        fetched_at=headers.get_header("WARC-Date"), source=opts.source,
        sha256=hashlib.sha256(data).hexdigest(),
    )


# --------------------------------------------------------------------------- records


def _map_record(obj: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Return (fields, the record key each field was taken from)."""
    lowered: dict[str, tuple[str, Any]] = {}
    for key, value in obj.items():
        if not isinstance(key, str):
            continue
        low = key.lower()
        if low not in lowered or key == low:    # an exact lower-case key beats "Title"
            lowered[low] = (key, value)
    fields: dict[str, Any] = {}
    keys: dict[str, str] = {}
    for name, aliases in _ALIASES.items():
        fallback: tuple[str, Any] | None = None
        chosen: tuple[str, Any] | None = None
        for alias in aliases:
            hit = lowered.get(alias)
            if hit is None or hit[1] is None:
                continue
            if fallback is None:
                fallback = hit
            if not (isinstance(hit[1], str) and not hit[1].strip()):
                chosen = hit
                break
        chosen = chosen or fallback
        if chosen is None:
            fields[name] = None
            continue
        key, value = chosen
        if name == "external_id" and isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        elif name == "author" and isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = ", ".join(v.strip() for v in value if v.strip()) or None
        fields[name] = value
        keys[name] = key
    return fields, keys


def _record_unit(obj: Any, data: bytes, ref: str, what: str, opts: _Opts) -> RawDocument | InputError:
    if not isinstance(obj, dict):
        return MalformedInputError(f"{what} is a JSON {_json_type(obj)}, not an object (a record)", ref=ref)
    if len(data) > opts.limit:
        return _oversized(len(data), opts.limit, ref)
    fields, keys = _map_record(obj)
    for name in _STRING_FIELDS:
        value = fields[name]
        if value is not None and not isinstance(value, str):
            return MalformedInputError(
                f"field {keys[name]!r} is a JSON {_json_type(value)}, not a string", ref=ref
            )
    text, html = fields["text"], fields["html"]
    if text is None and html is None:
        return MalformedInputError("record has no 'text' or 'html' field", ref=ref)
    if not (text or "").strip() and not (html or "").strip():
        key = keys.get("text") or keys["html"]
        return EmptyInputError(f"record's {key!r} field is blank", ref=ref)
    return RawDocument(
        data=data, kind="record", ref=ref, url=fields["url"], media_type="application/json",
        fetched_at=fields["fetched_at"], source=fields["source"] or opts.source, fields=fields,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _serialize(obj: dict[str, Any]) -> bytes:
    try:
        return json.dumps(obj, ensure_ascii=False, sort_keys=True).encode()
    except UnicodeEncodeError:          # a lone surrogate from a "\udXXX" escape
        return json.dumps(obj, ensure_ascii=True, sort_keys=True).encode()


# --------------------------------------------------------------------------- counting


def _count_lines(path: Path, gz: bool) -> int:
    count = 0
    last = b"\n"
    try:
        with open(path, "rb") as raw:
            stream: Any = gzip.GzipFile(fileobj=raw, mode="rb") if gz else raw
            while chunk := stream.read(_CHUNK):
                count += chunk.count(b"\n")
                last = chunk[-1:]
    except _READ_ERRORS:
        pass                            # iter_inputs reports it; the count is an estimate
    return count + (last != b"\n")


def _count_json(path: Path, gz: bool) -> int:
    try:
        if gz or path.stat().st_size > _COUNT_JSON_MAX_BYTES:
            return 1
        value = json.loads(path.read_bytes())
    except (*_READ_ERRORS, ValueError):
        return 1
    if isinstance(value, dict) and isinstance(value.get("articles"), list):
        return len(value["articles"])
    if isinstance(value, list):
        return len(value)
    return 1


# --------------------------------------------------------------------------- helpers


def _read_capped(stream: Any, limit: int) -> tuple[bytes | None, int]:
    """Read a stream to its end; return (bytes, size), or (None, size) when size > limit."""
    parts: list[bytes] = []
    total = 0
    while chunk := stream.read(_CHUNK):
        total += len(chunk)
        if total <= limit:
            parts.append(chunk)
        elif parts:
            parts.clear()
    return (b"".join(parts) if total <= limit else None), total


def _text_problem(data: bytes, ref: str) -> InputError | None:
    """An EmptyInputError or BinaryInputError for page/text bytes, or None when they look fine."""
    stripped = data.strip()
    if not stripped or stripped == _UTF8_BOM:
        return EmptyInputError("empty: no bytes or only whitespace", ref=ref)
    for magic, what in _BINARY_MAGIC:
        if data.startswith(magic):
            return BinaryInputError(f"not text: looks like {what}", ref=ref)
    if b"\x00" in data and not data.startswith(_WIDE_BOMS):
        return BinaryInputError("not text: contains NUL bytes", ref=ref)
    return None


def _parse_content_type(value: str | None) -> tuple[str | None, str | None]:
    if not value:
        return None, None
    media_type, *params = value.split(";")
    charset = None
    for param in params:
        name, _, val = param.partition("=")
        if name.strip().lower() == "charset":
            charset = val.strip().strip("\"'").strip().lower() or None
    return media_type.strip().lower() or None, charset


def _oversized(size: int, limit: int, ref: str) -> OversizedInputError:
    return OversizedInputError(
        f"{_human_size(size)} is over the {_human_size(limit)} limit; raise --max-bytes to accept it",
        ref=ref,
    )


def _human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f}".removesuffix(".0") + " MB"
    if n >= 1024:
        return f"{n / 1024:.1f}".removesuffix(".0") + " KB"
    return f"{n} bytes"


def _read_failure(exc: BaseException) -> str:
    if isinstance(exc, EOFError | zlib.error | gzip.BadGzipFile):
        return f"gzip data is truncated or corrupt ({_one_line(exc)})"
    if isinstance(exc, OSError):
        return f"cannot read: {_os_reason(exc)}"
    return f"cannot read: {_one_line(exc)}"


def _os_reason(exc: OSError) -> str:
    return exc.strerror or _one_line(exc)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _json_error(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at column {exc.colno}"
    return _one_line(exc)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"
