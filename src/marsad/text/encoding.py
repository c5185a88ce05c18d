"""Decode the raw bytes of a news page: BOM, verified declaration, detection, mojibake repair.

Arabic pages are often mislabelled: UTF-8 served as windows-1256, windows-1256 served as
ISO-8859-1 (a server default), ISO-8859-6 read as windows-1256. A declared charset is therefore
trusted only while the bytes show no symptom of a known mislabel; when they do, the candidate
decodings are compared with :func:`arabic_plausibility`.

Order of decisions in :func:`decode_bytes`:

1. empty / whitespace-only -> ``EmptyInputError``; binary signature or NUL/control bytes ->
   ``BinaryInputError``;
2. a byte-order mark wins (``method="bom"``);
3. the declared charset (transport header, WARC) or, for HTML/XML, the ``<meta>`` / XML
   declaration, verified against the bytes;
4. nothing declared: strict UTF-8 when valid, else windows-1256 / ISO-8859-6 / windows-1252
   scored, with charset-normalizer as a last resort for other scripts;
5. :func:`repair_mojibake` on the result;
6. a result that is still garbage -> ``EncodingError``.

Valid UTF-8 (the common case) costs one ``bytes.decode`` plus one regex scan for mojibake.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from functools import lru_cache

from marsad.errors import BinaryInputError, EmptyInputError, EncodingError

__all__ = [
    "Decoded",
    "arabic_plausibility",
    "charset_from_content_type",
    "decode_bytes",
    "looks_binary",
    "normalize_codec",
    "repair_mojibake",
    "sniff_meta_charset",
]


@dataclass(frozen=True, slots=True)
class Decoded:
    """The text of a page and how its bytes were decoded."""

    text: str
    encoding: str
    """Python codec name actually used ("utf-8", "cp1256", "iso8859-6", "cp1252", "utf-16", ...)."""
    declared: str | None
    """What the transport header, ``<meta>``/XML declaration or BOM declared (normalized), if anything."""
    method: str
    """"bom" | "declared" | "meta" | "detected" (a mislabelled declaration gives "detected")."""
    mislabelled: bool
    """The declared/meta encoding was wrong and another one was used."""
    repaired: bool
    """Mojibake was repaired after decoding."""


_UTF8 = "utf-8"
_CP1256 = "cp1256"
_ISO8859_6 = "iso8859-6"
_CP1252 = "cp1252"
_LATIN1 = "iso8859-1"
_ARABIC_CODECS = frozenset({_CP1256, _ISO8859_6})

# ---------------------------------------------------------------------------------------------
# codec names
# ---------------------------------------------------------------------------------------------

_LABEL_ALIASES = {
    # WHATWG encoding labels that Python's codec registry does not know.
    "unicode-1-1-utf-8": _UTF8,
    "unicode11utf8": _UTF8,
    "unicode20utf8": _UTF8,
    "x-unicode20utf8": _UTF8,
    "iso-8859-6-e": _ISO8859_6,
    "iso-8859-6-i": _ISO8859_6,
    "iso-8859-8-e": "iso8859-8",
    "iso-8859-8-i": "iso8859-8",
    "x-mac-arabic": "mac-arabic",
    "x-sjis": "shift_jis",
    "ms_kanji": "shift_jis",
    "x-gbk": "gbk",
    "ucs-2": "utf-16",
    "unicode": "utf-16",
    "unicodefeff": "utf-16",
    "unicodefffe": "utf-16-be",
}
# Registered codecs that are not a way a web page is encoded (or are unsafe to honour).
_REJECTED_CODECS = frozenset(
    {"utf-7", "idna", "punycode", "unicode-escape", "raw-unicode-escape", "undefined", "mbcs", "oem"}
)
_LABEL_CHARS = re.compile(r"[a-z0-9._:\- ]{1,40}")
_WINDOWS_LABEL = re.compile(r"(?:win|windows|ms|cp)(\d{3,4})")
_ISO8859_LABEL = re.compile(r"(?:iso)?8859(\d{1,2})[ei]?")


@lru_cache(maxsize=256)
def normalize_codec(name: str) -> str | None:
    """Map a charset label ("windows-1256", "x-cp1256", "arabic", "UTF8") to a canonical Python codec name."""
    if not isinstance(name, str):
        return None
    key = name.strip().strip("\"'").strip().lower()
    if not _LABEL_CHARS.fullmatch(key):
        return None
    stripped = key[2:] if key.startswith(("x-", "x_")) else key
    compact = re.sub(r"[\s_\-]", "", stripped)
    tries = [key, stripped, compact]
    if key in _LABEL_ALIASES:
        tries.insert(0, _LABEL_ALIASES[key])
    if m := _WINDOWS_LABEL.fullmatch(compact):
        tries.append("cp" + m.group(1))
    if m := _ISO8859_LABEL.fullmatch(compact):
        tries.append("iso8859-" + m.group(1))
    for label in tries:
        try:
            info = codecs.lookup(label)
        except (LookupError, ValueError, TypeError):
            continue
        if not getattr(info, "_is_text_encoding", True):
            return None  # base64, rot13, zlib ... are not charsets
        canonical = info.name
        if canonical in _REJECTED_CODECS:
            return None
        return _UTF8 if canonical == "utf-8-sig" else canonical
    return None


_CHARSET_PARAM = re.compile(r"""(?<![\w-])charset\s*=\s*["']?\s*([^"';,\s]+)""", re.IGNORECASE)


def charset_from_content_type(value: str | None) -> str | None:
    """Return the normalized codec of a Content-Type's ``charset`` parameter, or None."""
    if not value:
        return None
    m = _CHARSET_PARAM.search(value)
    return normalize_codec(m.group(1)) if m else None


_META_CHARSET = re.compile(rb"""<meta\b[^>]*?(?<![\w-])charset\s*=\s*["']?\s*([a-z0-9_.:\-]+)""", re.I)
_XML_DECLARATION = re.compile(
    rb"""\A(?:\xef\xbb\xbf)?\s*<\?xml\b[^>]*?\bencoding\s*=\s*["']([a-z0-9_.:\-]+)["']""", re.I
)
_XML_START = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<\?xml\b")
_META_SCAN_BYTES = 4096


def sniff_meta_charset(data: bytes) -> str | None:
    """Find the charset an XML declaration or ``<meta>`` tag declares in the first 4 KB (normalized)."""
    head = bytes(data[:_META_SCAN_BYTES])
    labels = []
    if m := _XML_DECLARATION.match(head):
        labels.append(m.group(1))
    labels.extend(m.group(1) for m in _META_CHARSET.finditer(head))
    for label in labels:
        codec = normalize_codec(label.decode("ascii", "replace"))
        if codec is None:
            continue
        # HTML standard: a declaration readable as ASCII cannot be in UTF-16/32; it means UTF-8.
        if codec.startswith(("utf-16", "utf-32")):
            return _UTF8
        return codec
    return None


@lru_cache(maxsize=64)
def _ascii_compatible(codec: str) -> bool:
    probe = "Az09 <>=\"'/;:.\n"
    try:
        return probe.encode(codec) == probe.encode("ascii")
    except (LookupError, UnicodeError):
        return False


def _family(codec: str) -> str:
    """Group codecs a declaration may name interchangeably (WHATWG treats latin-1/ascii as windows-1252)."""
    if codec.startswith("utf-16"):
        return "utf-16"
    if codec.startswith("utf-32"):
        return "utf-32"
    if codec in (_LATIN1, "ascii", _CP1252):
        return _CP1252
    return codec


# ---------------------------------------------------------------------------------------------
# binary detection
# ---------------------------------------------------------------------------------------------

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image signature"),
    (b"\xff\xd8\xff", "JPEG image signature"),
    (b"GIF87a", "GIF image signature"),
    (b"GIF89a", "GIF image signature"),
    (b"%PDF-", "PDF signature"),
    (b"PK\x03\x04", "ZIP archive signature"),
    (b"PK\x05\x06", "ZIP archive signature"),
    (b"PK\x07\x08", "ZIP archive signature"),
    (b"\x1f\x8b", "gzip signature: decompress before decoding"),
    (b"\x7fELF", "ELF executable signature"),
    (b"\xfd7zXZ\x00", "xz archive signature"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive signature"),
    (b"Rar!\x1a\x07", "RAR archive signature"),
    (b"\x28\xb5\x2f\xfd", "zstd signature"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OLE2 (old Microsoft Office) signature"),
    (b"OggS", "Ogg media signature"),
    (b"fLaC", "FLAC audio signature"),
    (b"\x1a\x45\xdf\xa3", "Matroska/WebM signature"),
    (b"\xca\xfe\xba\xbe", "Java class / Mach-O signature"),
    (b"\xfe\xed\xfa\xce", "Mach-O executable signature"),
    (b"\xfe\xed\xfa\xcf", "Mach-O executable signature"),
    (b"\xce\xfa\xed\xfe", "Mach-O executable signature"),
    (b"\xcf\xfa\xed\xfe", "Mach-O executable signature"),
    (b"SQLite format 3\x00", "SQLite database signature"),
    (b"\x00asm", "WebAssembly signature"),
    (b"wOFF", "WOFF font signature"),
    (b"wOF2", "WOFF2 font signature"),
    (b"II*\x00", "TIFF image signature"),
    (b"MM\x00*", "TIFF image signature"),
    (b"\x00\x00\x01\x00", "ICO image signature"),
)
_RIFF_KINDS = {
    b"WEBP": "WebP image signature",
    b"WAVE": "WAV audio signature",
    b"AVI ": "AVI video signature",
}
_BINARY_SNIFF_BYTES = 8192
# C0 control bytes that never occur in text (TAB, LF, VT, FF, CR and ESC -- used by ISO-2022 -- are allowed).
_CONTROL_BYTES = bytes([*range(0x01, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F])
_NOT_CONTROL_BYTES = bytes(b for b in range(256) if b not in _CONTROL_BYTES)

_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),  # before UTF-16 LE: FF FE 00 00 starts with FF FE
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF8, "utf-8", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)


def _bom(data: bytes) -> tuple[bytes, str, str] | None:
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            return bom, codec, name
    return None


def _utf16_order(data: bytes) -> str | None:
    """Guess the byte order of BOM-less UTF-16: high bytes NUL (Latin) or 0x06 (Arabic) on one side."""
    sample = data[: _BINARY_SNIFF_BYTES & ~1]
    even, odd = sample[0::2], sample[1::2]
    n = len(odd)
    if n < 2:
        return None
    high_odd = odd.count(0) + odd.count(6)
    high_even = even.count(0) + even.count(6)
    if high_odd >= 0.6 * n and even.count(0) <= 0.05 * n and high_even < 0.3 * n:
        return "utf-16-le"
    if high_even >= 0.6 * n and odd.count(0) <= 0.05 * n and high_odd < 0.3 * n:
        return "utf-16-be"
    return None


def _binary_kind(data: bytes) -> str | None:
    """Say why ``data`` is binary ("PNG image signature", "NUL bytes ..."), or None when it may be text."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data.startswith(b"RIFF") and data[8:12] in _RIFF_KINDS:
        return _RIFF_KINDS[data[8:12]]
    if data[4:8] == b"ftyp":
        return "MP4/ISO media signature"
    if data.startswith(b"ID3") and data[3:4] in (b"\x02", b"\x03", b"\x04"):
        return "MP3 (ID3) signature"
    if re.match(rb"BZh[1-9]1AY&SY", data):
        return "bzip2 archive signature"
    if _bom(data) is not None and not data.startswith(codecs.BOM_UTF8):
        return None  # UTF-16/32 with a BOM: NULs are expected
    sample = data[:_BINARY_SNIFF_BYTES]
    nuls = sample.rstrip(b"\x00").count(0)  # trailing NUL padding is harmless
    if nuls and nuls * 1000 > len(sample) and _utf16_order(data) is None:
        return f"{nuls} NUL bytes in the first {len(sample)} bytes"
    controls = len(sample.translate(None, _NOT_CONTROL_BYTES))
    if controls >= 4 and controls * 20 > len(sample) and _utf16_order(data) is None:
        return f"{controls} control bytes in the first {len(sample)} bytes"
    return None


def looks_binary(data: bytes) -> bool:
    """True for data that is not text: a known binary signature, NUL or control bytes in text position."""
    return bool(data) and _binary_kind(bytes(data[:_BINARY_SNIFF_BYTES])) is not None


# ---------------------------------------------------------------------------------------------
# plausibility
# ---------------------------------------------------------------------------------------------

_AR = "\u0621-\u063a\u0641-\u064a"  # core Arabic letters (no tatweel, no harakat)
_LAT = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff"
_HARAKAT = "\u064b-\u0652"
# cp1256 renders every Arabic letter; these are the bytes of Arabic letters in cp1256 (for fast counting).
_CP1256_LETTER_BYTES = bytes(b for b in range(0x80, 0x100) if re.fullmatch(f"[{_AR}]", bytes([b]).decode(_CP1256)))
_NOT_CP1256_LETTER_BYTES = bytes(b for b in range(256) if b not in _CP1256_LETTER_BYTES)
_NOT_LATIN_LETTER_BYTES = bytes(b for b in range(256) if not re.fullmatch(f"[{_LAT}]", chr(b)))

# cp1256 characters of bytes 0x80-0xBF (UTF-8 continuation bytes) that may legitimately follow an
# Arabic letter; every other one after ط/ظ is a UTF-8-read-as-cp1256 signature.
_CP1256_LEGIT_AFTER_LETTER = frozenset(
    "\u2026\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u200c\u200d\u00a0\u060c\u00ab\u00bb\u061b\u061f\u00ad"
)
_CP1256_CONT = [bytes([b]).decode(_CP1256) for b in range(0x80, 0xC0)]
_CP1256_RARE_CONT = "".join(c for c in _CP1256_CONT if c not in _CP1256_LEGIT_AFTER_LETTER)
_CP1252_CONT = sorted(
    {bytes([b]).decode(_CP1252, "ignore") for b in range(0x80, 0xC0)} - {""} | {chr(b) for b in range(0x80, 0xC0)}
)


def _char_class(chars: str | list[str]) -> str:
    return "[" + "".join("\\" + c if c in "\\]^-[" else c for c in chars) + "]"


_RE_CTRL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# Patterns lead with their rare character so that the regex engine scans clean text at C speed.
_RE_MOJIBAKE = re.compile(
    f"{_char_class(_CP1256_RARE_CONT)}(?<=[\u0637\u0638].)"  # "ط§" "ظ„": UTF-8 read as cp1256
    f"|{_char_class([*_CP1252_CONT, chr(0xFFFD)])}(?<=[\u00d8\u00d9].)"  # "Ø§" "Ù„": read as cp1252
    "|\u20ac(?<=\u00e2.)"  # "â€": UTF-8 punctuation read as either
)
# Arabic letters glued to accented Latin letters or to symbols that never touch a letter in Arabic
# text: what a wrong single-byte decoding (ISO-8859-6 read as cp1256, random bytes) produces.
_ODD_NEIGHBOURS = (
    "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u00d7\u00f7\u00a4\u00a6\u00a7\u00a8\u00aa\u00ac\u00af"
    "\u00b1-\u00b9\u00bc-\u00be\u201a\u0192\u201e\u2020\u2021\u02c6\u2030\u2039\u203a\u0152\u0153\u2122\u02dc"
)
_RE_GLUED_ODD_AFTER = re.compile(f"[{_ODD_NEIGHBOURS}](?<=[{_AR}].)")
_RE_GLUED_ODD_BEFORE = re.compile(f"[{_ODD_NEIGHBOURS}](?=[{_AR}])")
_RE_GLUED_ASCII = re.compile(f"[A-Za-z](?:(?<=[{_AR}].)|(?=[{_AR}]))")
_RE_ISOLATED = re.compile(f" [{_AR}](?![{_AR}\u0640{_HARAKAT}])")
_RE_ORPHAN_HARAKA = re.compile(f"[{_HARAKAT}](?<![{_AR}\u0640{_HARAKAT}\u0670].)")
_RE_LATIN1_RUN = re.compile("[\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff]{3,}")
_RE_MISPLACED_FINAL = re.compile(f"[\u0629\u0649](?=[{_AR}])")  # ة and ى end a word
_SCORE_SLICE = 2048
_MIN_EVIDENCE = 16  # a few odd characters in a tiny text are not a verdict


@dataclass(frozen=True, slots=True)
class _Stats:
    arabic: int  # core Arabic letters
    latin: int  # ASCII and Latin-1 letters
    nonascii: int
    junk: float  # impossible in any real text: U+FFFD, controls, glued odd characters, orphan harakat
    doubt: float  # unlikely: mojibake pairs, Arabic glued to ASCII, isolated letters, accented runs

    @property
    def share(self) -> float:
        return self.arabic / (self.arabic + self.latin) if self.arabic else 0.0

    @property
    def hard_badness(self) -> float:
        return min(3.0, self.junk / max(_MIN_EVIDENCE, self.nonascii))

    @property
    def badness(self) -> float:
        return min(3.0, (self.junk + self.doubt) / max(_MIN_EVIDENCE, self.nonascii))

    @property
    def score(self) -> float:
        return self.share - self.badness


def _sample(text: str) -> str:
    if len(text) <= 3 * _SCORE_SLICE:
        return text
    mid = len(text) // 2 - _SCORE_SLICE // 2
    return "\n".join((text[:_SCORE_SLICE], text[mid : mid + _SCORE_SLICE], text[-_SCORE_SLICE:]))


def _measure(text: str, *, junk_only: bool = False) -> _Stats:
    nonascii = len(text) - len(text.encode("ascii", "ignore"))
    latin = len(text.encode(_LATIN1, "ignore").translate(None, _NOT_LATIN_LETTER_BYTES))
    junk = 3.0 * (text.count("\ufffd") + len(_RE_CTRL.findall(text)))
    if not nonascii:
        return _Stats(0, latin, 0, junk, 0.0)
    arabic = len(text.encode(_CP1256, "ignore").translate(None, _NOT_CP1256_LETTER_BYTES))
    junk += len(_RE_ORPHAN_HARAKA.findall(text))
    if arabic:
        junk += 2.0 * (len(_RE_GLUED_ODD_AFTER.findall(text)) + len(_RE_GLUED_ODD_BEFORE.findall(text)))
    if junk_only:
        return _Stats(arabic, latin, nonascii, junk, 0.0)
    doubt = 2.0 * len(_RE_MOJIBAKE.findall(text))
    if arabic:
        doubt += len(_RE_GLUED_ASCII.findall(text)) + len(_RE_ISOLATED.findall(text))
        doubt += len(_RE_MISPLACED_FINAL.findall(text))
    if latin:
        doubt += sum(map(len, _RE_LATIN1_RUN.findall(text)))
    if arabic >= 50 and text.count("\u0627\u0644") * 50 < arabic:
        doubt += 0.25 * nonascii  # hardly any "ال": letters of another script or a scrambled Arabic codec
    return _Stats(arabic, latin, nonascii, junk, doubt)


def arabic_plausibility(text: str) -> float:
    """Score a decoding: ~1 clean Arabic, ~0 clean Latin, below 0 for mojibake, mixed scripts or junk."""
    # Arabic share among letters minus, per non-ASCII character, weighted signs of a wrong decoding:
    # U+FFFD and control characters (3); Arabic letters glued to accented Latin letters or to symbols
    # such as ×÷§± (2); mojibake pairs "ط§"/"Ø§" (2); harakat on no letter, Arabic letters glued to
    # ASCII letters, isolated Arabic letters, ة/ى inside a word, runs of 3+ accented Latin-1 letters (1);
    # a long Arabic-looking text with hardly any definite article "ال" loses 0.25.
    # Long texts are scored on three 2048-character slices.
    return _measure(_sample(text)).score


# ---------------------------------------------------------------------------------------------
# mojibake repair
# ---------------------------------------------------------------------------------------------

_ASCII_SEPARATORS = "[\x00-\x09\x0b\x0c\x0e-\x7f]*"  # ASCII except line breaks
_FFFD_GUESSES = (0x81, 0x9D, 0x8F, 0x8D, 0x90)  # the cp1252 bytes that 'replace' turned into U+FFFD
_FFFD_LIKELY = frozenset("\u0641\u201d\u064f\u0650\u064d\u200f\u200d\u06c1")  # ف ” ُ ِ ٍ RLM ZWJ ہ
_ARABIC_TEXT_CHARS = re.compile(f"[{_AR}\u060c\u061b\u061f\u0640{_HARAKAT}\u0660-\u0669]")
# What a repaired UTF-8 sequence may yield; anything else means the "mojibake" was real text.
_UNACCEPTABLE = re.compile(
    "[^\x00-\x7f\u00a0-\u017f\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\u2000-\u206f\u20a0-\u20cf"
    "\u2100-\u21ff\u25a0-\u27bf\ufb50-\ufdff\ufe70-\ufeff\ufffd\U0001f000-\U0001faff]"
)
_BYTES_FALLBACK = "marsad-latin1-fallback"


def _latin1_fallback(err: UnicodeError) -> tuple[bytes, int]:
    """Encode error handler: U+0080-U+00FF as their byte (cp1252's holes), U+FFFD as its UTF-8 bytes."""
    if isinstance(err, UnicodeEncodeError):
        chunk = err.object[err.start : err.end]
        if all(ord(c) < 0x100 or c == "\ufffd" for c in chunk):
            return b"".join(b"\xef\xbf\xbd" if c == "\ufffd" else bytes([ord(c)]) for c in chunk), err.end
    raise err


codecs.register_error(_BYTES_FALLBACK, _latin1_fallback)


class _MojibakeMap:
    """How UTF-8 bytes look after one wrong single-byte decoding, and how to take them back."""

    def __init__(self, codec: str, rare: str | None, strong_leads: str, latin_singles: str) -> None:
        self.codec = codec
        self.latin_singles = latin_singles
        by_byte: dict[int, list[str]] = {}
        for b in range(0x80, 0x100):
            chars = {bytes([b]).decode(codec, "ignore")} - {""}
            if codec == _CP1252:
                chars.add(chr(b))  # latin-1 reading, also the only one for cp1252's five holes
            by_byte[b] = sorted(chars)

        def cls(lo: int, hi: int, extra: str = "") -> str:
            return _char_class([c for b in range(lo, hi + 1) for c in by_byte[b]] + list(extra))

        cont = cls(0x80, 0xBF, "\ufffd" if codec == _CP1252 else "")
        seq = f"(?:{cls(0xC2, 0xDF)}{cont}|{cls(0xE0, 0xEF)}{cont}{{2}}|{cls(0xF0, 0xF4)}{cont}{{3}})"
        self.seq = re.compile(seq)
        self.unit = re.compile(f"{seq}(?:{_ASCII_SEPARATORS}{seq})*")
        self.rare = re.compile(_char_class(rare)) if rare else None
        self.strong_leads = strong_leads
        self.rev = {c: b for b, chars in by_byte.items() for c in chars}

    def _guess_fffd(self, m: re.Match[str]) -> str:
        """A sequence with U+FFFD (a cp1252 hole): guess the byte ("Ù\ufffd" is almost always ف)."""
        seq = m.group()
        if "\ufffd" not in seq:
            return seq
        for guess in _FFFD_GUESSES:
            raw = bytes(guess if c == "\ufffd" else self.rev[c] for c in seq)
            try:
                ch = raw.decode(_UTF8)
            except UnicodeDecodeError:
                continue
            if ch in _FFFD_LIKELY:
                return seq.replace("\ufffd", chr(guess))
        return "\ufffd"

    def fix_unit(self, unit: str, allow_single: bool) -> str | None:
        """Repair one run of mojibake sequences (the ASCII between them is kept), or None to leave it."""
        if self.rare is not None and not self.rare.search(unit):
            return None  # only characters that may follow a letter in real Arabic text ("ط،")
        source = self.seq.sub(self._guess_fffd, unit) if "\ufffd" in unit else unit
        try:
            fixed = source.encode(self.codec, _BYTES_FALLBACK).decode(_UTF8)
        except UnicodeError:
            return None
        if _UNACCEPTABLE.search(fixed):
            return None
        count = len(fixed) - len(fixed.encode("ascii", "ignore"))
        if count >= 2:
            return fixed
        first = self.seq.search(unit)
        if count != 1 or first is None:
            return None
        if len(first.group()) >= 3:
            return fixed  # "â€™" and the like
        arabic = _ARABIC_TEXT_CHARS.search(fixed) is not None
        if first.group()[0] in self.strong_leads and (arabic or fixed[first.start()] in self.latin_singles):
            return fixed
        return fixed if allow_single and arabic else None

    def repair_line(self, line: str, allow_single: bool) -> str:
        """Repair every run of this kind of mojibake in one line."""
        whole = self.fix_unit(line, allow_single)  # a line that is all mojibake: one C-speed round trip
        if whole is not None:
            return whole
        return self.unit.sub(lambda m: self.fix_unit(m.group(), allow_single) or m.group(), line)


_MAP_CP1256 = _MojibakeMap(
    _CP1256,
    _CP1256_RARE_CONT,
    strong_leads="\u0622\u0623",  # "آ" "أ" + continuation: Latin-1 letters read as cp1256 ("أ©" -> "é")
    latin_singles="àâäçèéêëîïôöùûüÀÂÄÇÈÉÊËÎÏÔÖÙÛÜáíóúñÁÍÓÚÑãõ",  # only the common ones: "أ°" may be real
)
_MAP_CP1252 = _MojibakeMap(
    _CP1252,
    None,
    strong_leads="\u00c2\u00c3\u00d8\u00d9",  # "Â" "Ã" (Latin-1), "Ø" "Ù" (Arabic)
    latin_singles="".join(chr(c) for c in range(0xA0, 0x100)),
)
# Any trace of either kind: a continuation character right after a typical lead.
_RE_MOJIBAKE_TRACE = re.compile(
    _char_class(sorted(set(_CP1256_RARE_CONT) | set(_CP1252_CONT) | {"\ufffd"}))
    + "(?<=[\u0637\u0638\u0622\u0623\u00e2\u00c2-\u00f4].)"
)


def _repair_lines(lines: list[str], allow_single: bool) -> bool:
    changed = False
    for i, line in enumerate(lines):
        if line.isascii() or not _RE_MOJIBAKE_TRACE.search(line):
            continue
        fixed = _MAP_CP1252.repair_line(_MAP_CP1256.repair_line(line, allow_single), allow_single)
        if fixed != line:
            lines[i] = fixed
            changed = True
    return changed


def repair_mojibake(text: str) -> tuple[str, bool]:
    """Take back UTF-8 read as cp1256 ("ط§ظ„") or cp1252/latin-1 ("Ø§Ù„"); returns (text, changed)."""
    if text.isascii() or not _RE_MOJIBAKE_TRACE.search(text):
        return text, False
    lines = text.split("\n")
    for _ in range(2):  # a second round undoes double encoding
        if not _repair_lines(lines, allow_single=False):
            break
        _repair_lines(lines, allow_single=True)  # confident now: also lone letters ("ظˆ" -> "و")
    fixed = "\n".join(lines)
    return fixed, fixed != text


# ---------------------------------------------------------------------------------------------
# decoding
# ---------------------------------------------------------------------------------------------

_WINDOW = 2048
_NONASCII_BYTE = re.compile(rb"[\x80-\xff]")
_C1_BYTE = re.compile(rb"[\x80-\x9f]")
_MARGIN = 0.02  # an alternative must beat the declared charset by this much
_MIN_GUESS_BYTES = 48  # charset-normalizer is not asked about shorter inputs
_REPAIR_COST = 0.05  # rank lost by a candidate that reads right only after mojibake repair
_DOUBTFUL = 0.15  # badness above which charset-normalizer is asked
_GARBAGE = 0.3  # hard badness (impossible characters per non-ASCII character) of an unusable decoding
_HOPELESS = 1.0  # badness of an unusable decoding
# ISO-8859-6 read as cp1256 puts × à â ç è é ê ë î ï inside Arabic words.
_SYMPTOM_8859_6_AS_1256 = "\u00d7\u00e0\u00e2\u00e7-\u00eb\u00ee\u00ef\u00ac"  # ... and ، as ¬
_RE_8859_6_AS_1256 = re.compile(f"[{_SYMPTOM_8859_6_AS_1256}](?:(?<=[{_AR}].)|(?=[{_AR}]))")


def _windows(data: bytes) -> list[tuple[int, int]]:
    """Byte ranges (around non-ASCII bytes) on which candidate decodings are scored."""
    n = len(data)
    if n <= 3 * _WINDOW:
        return [(0, n)]
    spans: list[tuple[int, int]] = []
    for start in (0, n // 3, 2 * n // 3):
        m = _NONASCII_BYTE.search(data, start)
        if m is None:
            continue
        lo = max(0, m.start() - 128)
        hi = min(n, lo + _WINDOW)
        if spans and lo <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], hi))
        else:
            spans.append((lo, hi))
    return spans or [(0, _WINDOW)]


def _utf8_aligned(data: bytes, lo: int, hi: int) -> tuple[int, int]:
    """Move a window's ends off UTF-8 sequences it would split, so that only real errors show up."""
    steps = 0
    while lo < hi and steps < 3 and 0x80 <= data[lo] <= 0xBF:
        lo += 1
        steps += 1
    if hi < len(data) and 0x80 <= data[hi] <= 0xBF:
        back = hi - 1
        while back > lo and hi - back < 4 and 0x80 <= data[back] <= 0xBF:
            back -= 1
        if data[back] >= 0xC0:
            hi = back
    return lo, hi


@dataclass(frozen=True, slots=True)
class _Candidate:
    codec: str
    errors: str
    stats: _Stats
    repaired: bool

    @property
    def rank(self) -> float:
        # Needing a repair is evidence that those bytes were UTF-8: a near-perfect UTF-8 reading wins.
        return self.stats.score - (_REPAIR_COST if self.repaired else 0.0)


def _score(data: bytes, spans: list[tuple[int, int]], codec: str, errors: str) -> _Candidate | None:
    parts = []
    for lo, hi in spans:
        if codec == _UTF8:
            lo, hi = _utf8_aligned(data, lo, hi)
        try:
            parts.append(data[lo:hi].decode(codec, errors))
        except (UnicodeDecodeError, LookupError):
            return None
    text = "\n".join(parts)
    stats = _measure(text)
    repaired = False
    if stats.doubt and _RE_MOJIBAKE.search(text):
        fixed, repaired = repair_mojibake(text)  # judge what decode_bytes would return
        if repaired:
            stats = _measure(fixed)
    return _Candidate(codec, errors, stats, repaired)


def _choose(data: bytes, tries: list[tuple[str, str]], preferred: str | None) -> _Candidate | None:
    """Score candidate decodings; an alternative must beat ``preferred`` by a margin. Ties keep list order."""
    spans = _windows(data)
    best: _Candidate | None = None
    favourite: _Candidate | None = None
    seen = set()
    for codec, errors in tries:
        if codec in seen:
            continue
        seen.add(codec)
        cand = _score(data, spans, codec, errors)
        if cand is None:
            continue
        if codec == preferred:
            favourite = cand
        if best is None or cand.rank > best.rank:
            best = cand
    if favourite is not None and best is not None and best.rank <= favourite.rank + _MARGIN:
        return favourite
    return best


def _decode_all(data: bytes, cand: _Candidate) -> str:
    """Decode the whole input with a candidate chosen on samples (a later byte may be undefined)."""
    try:
        return data.decode(cand.codec, cand.errors)
    except UnicodeDecodeError:
        return data.decode(cand.codec, "replace")


def _unusable(stats: _Stats) -> bool:
    return stats.hard_badness > _GARBAGE or stats.badness > _HOPELESS


def _charset_normalizer_guess(data: bytes, to_beat: float) -> tuple[str, str] | None:
    """Ask charset-normalizer for an encoding outside the Arabic/Latin candidates, less bad than ``to_beat``."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    if len(data) < _MIN_GUESS_BYTES:
        return None  # too little to tell one script from another
    sample = data
    if len(data) > 262144:
        cut = data.rfind(b"\n", 0, 65536)
        sample = data[: cut if cut > 0 else 65536]
    best = from_bytes(sample).best()
    if best is None or best.chaos > 0.15:
        return None
    codec = normalize_codec(best.encoding)
    if codec is None or codec in (_UTF8, _CP1256, _ISO8859_6, _CP1252, _LATIN1, "ascii"):
        return None  # those were scored already
    if not _ascii_compatible(codec):
        return None  # UTF-16/32 are recognized by their BOM or NUL bytes, never guessed
    try:
        text = data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None
    stats = _measure(_sample(text))
    if _unusable(stats) or stats.badness >= to_beat:
        return None
    return codec, text


def _failure(label: str | None, raw: str | None, ref: str | None) -> EncodingError:
    said = label or (raw.strip() if raw else None)
    declared = f"declared charset was {said}" if said else "no charset was declared"
    return EncodingError(f"could not decode: not valid UTF-8, windows-1256 or ISO-8859-6 text; {declared}", ref=ref)


def _finish(text: str, encoding: str, declared: str | None, method: str, mislabelled: bool, ref: str | None) -> Decoded:
    fixed, repaired = repair_mojibake(text)
    if not fixed.strip():
        raise EmptyInputError("empty input: the decoded text is only whitespace", ref=ref)
    return Decoded(fixed, encoding, declared, method, mislabelled, repaired)


def _declared_codec(declared: str | None) -> str | None:
    if not declared:
        return None
    if "=" in declared or ";" in declared or "/" in declared:
        return charset_from_content_type(declared)  # a whole Content-Type value was passed
    return normalize_codec(declared)


@dataclass(frozen=True, slots=True)
class _Context:
    """What was declared about one input, for the decoding steps."""

    label: str | None  # transport charset, else meta charset (normalized)
    method: str  # "declared" or "meta": where ``label`` came from
    meta: str | None
    raw: str | None  # the declared string as given (for messages)
    ref: str | None

    def result(self, text: str, codec: str, declared: str | None = None) -> Decoded:
        """Finish a decoding with ``codec``: by the label when it agrees, else as detected."""
        said = declared if declared is not None else self.label
        if self.label is not None and _family(codec) == _family(self.label):
            return _finish(text, codec, said, self.method, False, self.ref)
        return _finish(text, codec, said, "detected", self.label is not None, self.ref)


def decode_bytes(data: bytes, *, declared: str | None = None, is_html: bool = False, ref: str | None = None) -> Decoded:
    """Decode a page: BOM, else the verified declared/meta charset, else detection; then repair mojibake."""
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise TypeError(f"decode_bytes() needs bytes, not {type(data).__name__}")
    if not data:
        raise EmptyInputError("empty input: no bytes", ref=ref)
    if not data.strip():
        raise EmptyInputError(f"empty input: only whitespace ({len(data)} bytes)", ref=ref)
    kind = _binary_kind(data)
    if kind is not None:
        raise BinaryInputError(f"binary data ({kind}), not a text page", ref=ref)

    transport = _declared_codec(declared)
    meta = sniff_meta_charset(data) if is_html or _XML_START.match(data) else None
    ctx = _Context(transport or meta, "declared" if transport else "meta", meta, declared, ref)
    label = ctx.label

    bom = _bom(data)
    if bom is not None:
        mark, codec, name = bom
        body = data[len(mark) :]
        mislabelled = label is not None and _family(label) != _family(name)
        try:
            text = body.decode(codec)
        except UnicodeDecodeError:
            if codec == _UTF8:  # a UTF-8 BOM glued onto windows-1256 bytes: judge the rest
                rest = decode_bytes(body, declared=declared, is_html=is_html, ref=ref)
                return Decoded(rest.text, rest.encoding, label or name, "detected", True, rest.repaired)
            text = body.decode(codec, "replace")
            if text.count("\ufffd") * 20 > len(text) + 1:
                raise _failure(name, declared, ref) from None
        return _finish(text, name, label or name, "bom", mislabelled, ref)

    if b"\x00" in data and (order := _utf16_order(data)) is not None:
        return ctx.result(data.decode(order, "replace"), order)

    if data.isascii():  # ASCII is a subset of UTF-8 and of every ASCII-compatible charset
        text = data.decode("ascii")
        if label is not None and _ascii_compatible(label):
            return _finish(text, label, label, ctx.method, False, ref)
        return ctx.result(text, _UTF8)

    try:
        utf8_text: str | None = data.decode(_UTF8)
    except UnicodeDecodeError:
        utf8_text = None
    if utf8_text is not None:
        # Valid UTF-8 with multibyte sequences is UTF-8 whatever the label says: text in a
        # single-byte charset is practically never valid UTF-8.
        return ctx.result(utf8_text, _UTF8)
    if label is None or label == _UTF8 or not _ascii_compatible(label):
        return _detect(data, ctx)
    return _verify_declared(data, ctx)


def _verify_declared(data: bytes, ctx: _Context) -> Decoded:
    """Decode with a declared ASCII-compatible, non-UTF-8 charset unless the bytes show a known mislabel."""
    label = ctx.label
    assert label is not None
    codec = label
    if _family(label) == _CP1252:  # WHATWG: latin-1 and ascii labels mean windows-1252
        codec = _CP1252 if label != _LATIN1 or _C1_BYTE.search(data) else _LATIN1
    try:
        text: str | None = data.decode(codec)
    except UnicodeDecodeError:
        text = None

    sample = _sample(text) if text is not None else ""
    if label in _ARABIC_CODECS:
        others = [_ISO8859_6 if label == _CP1256 else _CP1256]
        if text is None:
            suspicious = True
        elif label == _CP1256:
            suspicious = _RE_8859_6_AS_1256.search(sample) is not None
        else:
            suspicious = _RE_ORPHAN_HARAKA.search(sample) is not None
    elif _family(label) == _CP1252:
        # windows-1256 Arabic read as Latin is runs of accented letters ("ÇáÚÑÈíÉ").
        others = [_CP1256, _ISO8859_6]
        suspicious = text is None or _RE_LATIN1_RUN.search(sample) is not None
    else:
        others = [_CP1256, _ISO8859_6, _CP1252, _UTF8]
        suspicious = text is None
    if ctx.meta is not None and ctx.meta not in (label, _UTF8) and _ascii_compatible(ctx.meta):
        others.insert(0, ctx.meta)  # e.g. served as ISO-8859-1, <meta charset="windows-1256">
        suspicious = True

    if not suspicious and text is not None:
        check = _measure(sample, junk_only=True)
        if not (check.arabic and check.hard_badness > _GARBAGE):
            return ctx.result(text, codec)

    # ISO-8859-6 leaves many bytes undefined: each one read as U+FFFD costs the candidate dearly.
    tries = [
        (codec, "replace"),
        *((other, "replace" if other in (_UTF8, _ISO8859_6) else "strict") for other in others),
    ]
    best = _choose(data, tries, codec)
    if best is None or _unusable(best.stats):
        guess = _charset_normalizer_guess(data, float("inf"))
        if guess is not None:
            return ctx.result(guess[1], guess[0])
        raise _failure(label, ctx.raw, ctx.ref)
    return ctx.result(_decode_all(data, best), best.codec)


def _detect(data: bytes, ctx: _Context) -> Decoded:
    """Choose among UTF-8 (with U+FFFD), windows-1252/1256, ISO-8859-6; then ask charset-normalizer."""
    tries = [(_UTF8, "replace"), (_CP1252, "replace"), (_CP1256, "strict"), (_ISO8859_6, "replace")]
    if ctx.meta is not None and ctx.meta != ctx.label and _ascii_compatible(ctx.meta):
        tries.insert(1, (ctx.meta, "strict"))
    best = _choose(data, tries, _UTF8 if ctx.label == _UTF8 else None)
    if best is None or best.stats.badness > _DOUBTFUL:
        guess = _charset_normalizer_guess(
            data, float("inf") if best is None or _unusable(best.stats) else best.stats.badness
        )
        if guess is not None:
            return ctx.result(guess[1], guess[0])
    if best is None or _unusable(best.stats):
        raise _failure(ctx.label, ctx.raw, ctx.ref)
    return ctx.result(_decode_all(data, best), best.codec)
