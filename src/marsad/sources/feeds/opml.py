"""Feed lists: OPML outlines (nested to any depth), ``.txt`` lists, and the bundled default list."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from lxml import etree

from marsad.errors import EmptyInputError, MalformedInputError
from marsad.sources.feeds.items import FeedSpec, one_line
from marsad.sources.feeds.xmltools import PARSERS, children, decode_text, http_url, local_name, text_of, utf8_xml
from marsad.sources.urls import url_key
from marsad.text.normalize import DISPLAY

_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?|d|days?)?\s*$", re.I)
_INTERVAL_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _interval(value: str | None) -> float | None:
    if not value:
        return None
    match = _INTERVAL.match(value)
    if match is None:
        return None
    unit = (match.group(2) or "s")[0].lower()
    seconds = float(match.group(1)) * _INTERVAL_UNITS[unit]
    return seconds if seconds > 0 else None


def opml_specs(root: etree._Element, *, base: str | None, strict: bool, ref: str) -> tuple[list[FeedSpec], list[str]]:
    """FeedSpecs of every outline with an xmlUrl, nested to any depth (first per URL key)."""
    specs: list[FeedSpec] = []
    warnings: list[str] = []
    seen: set[str] = set()
    body = next((c for _, local, c in children(root) if local == "body"), root)

    def walk(parent: etree._Element, group_language: str | None) -> None:
        for _, local, outline in children(parent):
            if local != "outline":
                continue
            attrs = {k.lower(): v.strip() for k, v in outline.attrib.items() if isinstance(k, str) and "{" not in k}
            language = attrs.get("language") or attrs.get("lang") or group_language
            xml_url = attrs.get("xmlurl")
            if xml_url:
                absolute = http_url(xml_url, base)
                if absolute is None:
                    message = f"line {outline.sourceline}: xmlUrl is not an http(s) URL: {xml_url!r}"
                    if strict:
                        raise MalformedInputError(message, ref=ref)
                    warnings.append(message)
                else:
                    key = url_key(absolute) or absolute
                    if key not in seen:
                        seen.add(key)
                        name = attrs.get("title") or attrs.get("text")
                        raw_interval = attrs.get("interval")
                        interval = _interval(raw_interval)
                        if raw_interval and interval is None:
                            message = f"line {outline.sourceline}: interval {raw_interval!r} is not a duration"
                            if strict:
                                raise MalformedInputError(message, ref=ref)
                            warnings.append(message)
                        specs.append(
                            FeedSpec(
                                url=absolute,
                                title=one_line(DISPLAY(name)) if name else None,
                                source=one_line(DISPLAY(s))
                                if (s := attrs.get("outlet") or attrs.get("source") or attrs.get("text") or name)
                                else None,
                                language=language or None,
                                interval=interval,
                            )
                        )
            walk(outline, language)

    walk(body, None)
    return specs, warnings


def opml_title(root: etree._Element) -> str | None:
    head = next((c for _, local, c in children(root) if local == "head"), None)
    if head is None:
        return None
    title = next((text_of(c) for _, local, c in children(head) if local == "title"), None)
    return one_line(DISPLAY(title)) if title else None


def parse_opml_document(data: bytes, ref: str) -> list[FeedSpec]:
    text = decode_text(data, ref)
    try:
        root = etree.fromstring(utf8_xml(text), PARSERS.xml)
    except etree.XMLSyntaxError as exc:
        raise MalformedInputError(f"broken OPML: {exc}", ref=ref) from None
    if local_name(root).lower() != "opml":
        raise MalformedInputError(f"not an OPML file: the root element is <{local_name(root)}>", ref=ref)
    specs, _ = opml_specs(root, base=None, strict=True, ref=ref)
    if not specs:
        raise EmptyInputError("no feeds in this OPML file (no outline has an xmlUrl)", ref=ref)
    return specs


def _parse_text_list(data: bytes, ref: str) -> list[FeedSpec]:
    text = decode_text(data, ref)
    specs: list[FeedSpec] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), 1):
        line = re.sub(r"(?:^|\s)#.*$", "", line).strip()
        if not line:
            continue
        first, _, rest = line.partition("\t") if "\t" in line else line.partition(" ")
        absolute = http_url(first.strip(), None)
        if absolute is None:
            raise MalformedInputError(f"line {number}: not an http(s) URL: {first.strip()!r}", ref=ref)
        key = url_key(absolute) or absolute
        if key in seen:
            continue
        seen.add(key)
        name = one_line(DISPLAY(rest))
        specs.append(FeedSpec(url=absolute, source=name or None))
    if not specs:
        raise EmptyInputError("no feed URLs in this list (only blank lines and comments)", ref=ref)
    return specs


def read_feed_list(path: str | Path) -> list[FeedSpec]:
    """Read a feed list: ``.opml``/``.xml`` outlines, or ``.txt`` lines (``URL<TAB>outlet name``).

    Raise :class:`MalformedInputError` for an unreadable or broken file (naming the line) and
    :class:`EmptyInputError` for a file that lists no feed.
    """
    path = Path(path)
    ref = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MalformedInputError(f"cannot read the feed list: {exc.strerror or exc}", ref=ref) from None
    suffix = path.suffix.lower()
    if suffix in (".opml", ".xml"):
        return parse_opml_document(data, ref)
    if suffix == ".txt":
        return _parse_text_list(data, ref)
    return parse_opml_document(data, ref) if data.lstrip().startswith(b"<") else _parse_text_list(data, ref)


def default_feed_list() -> list[FeedSpec]:
    """The bundled list of Arabic news feeds (``marsad/data/feeds.opml``)."""
    resource = resources.files("marsad") / "data" / "feeds.opml"
    return parse_opml_document(resource.read_bytes(), "marsad/data/feeds.opml")
