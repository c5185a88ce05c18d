"""Bounded decompression: bodies are decoded here with a cap on the *decoded* size.

A compression bomb (a few KB of gzip that expands to gigabytes) never gets past ``limit`` bytes
of memory: :func:`read_body` decodes a streamed HTTP body (gzip, deflate with or without its
zlib header, br when ``brotli`` is installed) and :func:`gunzip` a whole ``.xml.gz`` document.
"""

from __future__ import annotations

import zlib

import httpx

from marsad.errors import FetchError, MalformedInputError, OversizedInputError

try:  # optional: httpx itself only decodes br when brotli is installed, and so do we
    import brotli as _brotli  # type: ignore[import-not-found, unused-ignore]
except ImportError:  # pragma: no cover - depends on the environment
    _brotli = None

__all__ = ["ACCEPT_ENCODING", "gunzip", "read_body"]

ACCEPT_ENCODING = "gzip, deflate" + (", br" if _brotli is not None else "")
"""The Content-Encodings :func:`read_body` can decode (what the fetcher asks for)."""


class _TooBig(Exception):
    pass


class _Decoder:
    """One Content-Encoding stage, bounded: never produces more than ``limit`` bytes."""

    def __init__(self, encoding: str, limit: int) -> None:
        self.encoding = encoding
        self.limit = limit
        self.total = 0
        self._first = True
        self._brotli = None
        if encoding in ("gzip", "x-gzip"):
            self._wbits = 16 + zlib.MAX_WBITS
        elif encoding == "deflate":
            self._wbits = zlib.MAX_WBITS
        elif encoding == "br" and _brotli is not None:
            self._wbits = 0
            self._brotli = _brotli.Decompressor()
        else:
            raise ValueError(encoding)
        self._zlib = zlib.decompressobj(self._wbits) if self._wbits else None

    def _out(self, chunk: bytes) -> bytes:
        self.total += len(chunk)
        if self.total > self.limit:
            raise _TooBig
        return chunk

    def feed(self, data: bytes) -> bytes:
        if self._brotli is not None:
            return self._out(self._brotli.process(data))
        assert self._zlib is not None
        try:
            return self._feed_zlib(data)
        except zlib.error:
            if self._first and self.encoding == "deflate":   # raw deflate without the zlib header
                self._wbits = -zlib.MAX_WBITS
                self._zlib = zlib.decompressobj(self._wbits)
                self._first = False
                return self._feed_zlib(data)
            raise

    def _feed_zlib(self, data: bytes) -> bytes:
        assert self._zlib is not None
        out = bytearray()
        while data:
            if self._zlib.eof:
                rest = self._zlib.unused_data + data
                if not rest.startswith(b"\x1f\x8b"):
                    break                                  # trailing garbage after the stream
                self._zlib = zlib.decompressobj(self._wbits)  # next gzip member
                data = rest
            chunk = self._zlib.decompress(data, self.limit - self.total + 1)
            out += self._out(chunk)
            data = self._zlib.unconsumed_tail
            if not chunk and not data:
                break
        self._first = False
        return bytes(out)

    def flush(self) -> bytes:
        if self._zlib is not None:
            return self._out(self._zlib.flush())
        return b""


async def read_body(response: httpx.Response, *, limit: int, truncate: bool, url: object, ref: str) -> bytes:
    """The body of a streamed ``response``, decoded, at most ``limit`` bytes.

    Over the limit: the first ``limit`` bytes with ``truncate`` (robots.txt), else
    ``OversizedInputError`` (checked on Content-Length first, then on raw and decoded bytes).
    """
    declared = response.headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > limit and not truncate:
        raise OversizedInputError(
            f"{url} declares {int(declared)} bytes (Content-Length), over the {limit} byte limit",
            ref=ref,
        )
    if response.is_stream_consumed:
        # A response built from bytes (httpx.MockTransport, an injected transport) was read and
        # decoded by httpx already; only the cap applies.
        data = response.content
        if len(data) > limit and not truncate:
            raise OversizedInputError(f"{url}: body is over the {limit} byte limit", ref=ref)
        return data[:limit]
    encodings = [e.strip().lower() for e in response.headers.get("content-encoding", "").split(",")]
    encodings = [e for e in encodings if e and e != "identity"]
    try:
        decoders = [_Decoder(e, limit) for e in reversed(encodings)]
    except ValueError as exc:
        raise FetchError(f"unsupported Content-Encoding {exc} from {url}", ref=ref,
                         reason="content_type") from None
    body = bytearray()
    raw_total = 0
    try:
        async for chunk in response.aiter_raw():
            raw_total += len(chunk)
            for decoder in decoders:
                chunk = decoder.feed(chunk)
            body += chunk
            if len(body) > limit or raw_total > limit:
                raise _TooBig
        tail = b""
        for decoder in decoders:
            tail = decoder.feed(tail) + decoder.flush()
        body += tail
        if len(body) > limit:
            raise _TooBig
    except _TooBig:
        if truncate:
            return bytes(body[:limit])
        what = "decoded body" if decoders else "body"
        raise OversizedInputError(f"{url}: {what} is over the {limit} byte limit", ref=ref) from None
    except zlib.error as exc:
        raise FetchError(f"corrupt {', '.join(encodings)} body from {url}: {exc}", ref=ref,
                         reason="network") from None
    return bytes(body)


def gunzip(data: bytes, limit: int, *, ref: str) -> bytes:
    """A whole gzip document (one member) decompressed; refused when it expands past ``limit`` bytes."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise MalformedInputError(f"broken gzip body ({exc})", ref=ref) from None
    if len(out) > limit:
        raise OversizedInputError(f"gzip body expands beyond {limit // (1024 * 1024)} MB", ref=ref)
    if not inflater.eof:
        raise MalformedInputError("broken gzip body (truncated or corrupt)", ref=ref)
    return out
