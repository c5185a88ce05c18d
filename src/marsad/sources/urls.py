"""URL keys: one article reached through different URL spellings gets one identity.

:func:`url_key` folds the spellings of one article into one key: scheme, host case and IDN form,
``www.`` / ``m.`` / ``mobile.`` / ``amp.`` host prefixes, default ports, fragments, tracking
parameters, parameter order, percent-encoding, duplicate and trailing slashes, ``index.html``
endings, and the AMP variants (``/amp/`` segments, a trailing ``/amp``, ``.amp.html`` and
``.amp`` endings, ``?amp=1``, ``?outputType=amp``, Google AMP-cache URLs). The key is an
identity, not a URL to fetch: it is always ``https://`` and may not resolve.

:func:`canonical_url` picks the URL to keep for an article: its ``rel=canonical`` when that is
believable, else the URL itself without tracking parameters or fragment.

The folds are heuristics: a site that serves different articles on ``m.`` and the bare host, or
uses a path segment literally named ``amp`` for something else, would see them merged.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import SplitResult, parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

__all__ = ["TRACKING_PARAMS", "TRACKING_PREFIXES", "canonical_url", "registrable_domain", "url_key"]

TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "yclid", "_ga", "ref", "ref_src",
    "cmpid", "ocid", "spm", "share", "from", "via",
    "gclsrc", "_gl", "wbraid", "gbraid", "twclid", "ttclid", "li_fat_id", "mkt_tok", "_hsenc", "_hsmi",
    "__hstc", "__hssc", "__hsfp", "hsctatracking", "oly_anon_id", "oly_enc_id", "rb_clickid", "s_cid",
    "ncid", "sr_share", "icid", "xtor", "fb_action_ids", "fb_action_types", "fb_source", "fb_ref",
    "action_object_map", "action_type_map", "action_ref_map", "__twitter_impression", "ns_source",
    "ns_mchannel", "ns_campaign", "ns_linkname", "ns_fee", "wt.mc_id", "wt_mc", "utm",
})
TRACKING_PREFIXES = ("utm_", "at_", "pk_", "piwik_", "mtm_")

_AMP_PARAMS = frozenset({"amp", "_amp", "amp_js_v", "amp_gsa", "amp_tf", "usqp", "__amp_source_origin"})
"""Parameters that only select or decorate the AMP rendering (any value)."""
_AMP_VALUED = frozenset({"outputtype", "output", "format", "view", "type"})
"""Parameters that select the AMP rendering when their value is ``amp``."""
_FOLD_HOST_PREFIXES = ("www.", "amp.", "m.", "mobile.")
_INDEX_FILES = frozenset({
    "index.html", "index.htm", "index.php", "index.asp", "index.aspx", "default.aspx", "default.asp",
    "default.htm", "default.html",
})
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_AMP_CACHE = ".cdn.ampproject.org"


def _split(url: str) -> SplitResult | None:
    url = url.strip()
    if not url:
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return parts


def _ascii_host(host: str) -> str:
    host = host.lower().rstrip(".")
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _fold_host(host: str) -> str:
    if _is_ip(host):
        return host
    changed = True
    while changed:
        changed = False
        for prefix in _FOLD_HOST_PREFIXES:
            rest = host[len(prefix):]
            if host.startswith(prefix) and "." in rest:
                host = rest
                changed = True
    return host


def _netloc(host: str, port: int | None) -> str:
    if ":" in host:                  # IPv6 literal
        host = f"[{host}]"
    return host if port in (None, 80, 443) else f"{host}:{port}"


def _fold_path(path: str) -> str:
    path = quote(unquote(path), safe=_PATH_SAFE)
    segments = [s for s in path.split("/") if s and s.lower() != "amp"]
    if segments:
        last = segments[-1]
        low = last.lower()
        if low.endswith((".amp.html", ".amp.htm")):
            last = last[: low.rindex(".amp.")] + last[low.rindex(".amp.") + 4:]
        elif low.endswith(".amp") and len(last) > 4:
            last = last[:-4]
        if last.lower() in _INDEX_FILES:
            segments.pop()
        else:
            segments[-1] = last
    return "/" + "/".join(segments)


def _keep_param(key: str, value: str) -> bool:
    k = key.lower()
    if k in TRACKING_PARAMS or k.startswith(TRACKING_PREFIXES):
        return False
    if k in _AMP_PARAMS:
        return False
    return not (k in _AMP_VALUED and value.strip().lower() == "amp")


def _unwrap_amp_cache(parts: SplitResult) -> str | None:
    """``https://www-example-com.cdn.ampproject.org/c/s/www.example.com/a`` -> ``https://www.example.com/a``."""
    segments = parts.path.split("/")
    # ["", "c"|"v"|"i", "s"?, host, ...]
    if len(segments) < 3 or segments[1] not in ("c", "v", "i"):
        return None
    secure = len(segments) > 3 and segments[2] == "s"
    rest = "/".join(segments[3 if secure else 2:])
    if not rest:
        return None
    inner = ("https://" if secure else "http://") + rest
    return inner + (f"?{parts.query}" if parts.query else "")


def url_key(url: str) -> str | None:
    """A canonical key for ``url`` (None when it is not an http(s) URL)."""
    parts = _split(url)
    if parts is None:
        return None
    host = _ascii_host(parts.hostname or "")
    if host.endswith(_AMP_CACHE) or host == _AMP_CACHE[1:]:
        inner = _unwrap_amp_cache(parts)
        if inner is not None and urlsplit(inner).hostname not in (None, host):
            return url_key(inner)
    host = _fold_host(host)
    if not host:
        return None
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if _keep_param(k, v)]
    query.sort()
    # http and https serve the same article: the key ignores the scheme.
    return urlunsplit(("https", _netloc(host, parts.port), _fold_path(parts.path), urlencode(query, doseq=True), ""))


# ---------------------------------------------------------------------------------------------
# rel=canonical
# ---------------------------------------------------------------------------------------------

_SECOND_LEVEL = frozenset({
    "co", "com", "net", "org", "gov", "edu", "ac", "gob", "or", "ne", "go", "mil", "nic", "info", "biz",
    "sch", "med", "news", "press", "tv", "name", "web",
})
_PLACEHOLDER_HOSTS = frozenset({
    "example.com", "example.org", "example.net", "domain.com", "yourdomain.com", "yoursite.com", "mysite.com",
    "website.com", "site.com", "test.com", "localhost", "127.0.0.1",
})
_PLACEHOLDER_TLDS = frozenset({"local", "localhost", "test", "invalid", "example", "internal", "lan", "home"})


def registrable_domain(host: str) -> str:
    """The registrable part of ``host`` (``news.bbc.co.uk`` -> ``bbc.co.uk``), by a heuristic.

    No public-suffix list: the last two labels, or three when the second-to-last is a common
    second-level label under a two-letter country code (``co.uk``, ``com.eg``, ``gov.sa``,
    ``org.lb``). IP literals are returned as they are.
    """
    host = _ascii_host(host.strip("[]"))
    if _is_ip(host):
        return host
    labels = [label for label in host.split(".") if label]
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _plausible_host(host: str) -> bool:
    host = _ascii_host(host)
    if _is_ip(host) or host in _PLACEHOLDER_HOSTS or registrable_domain(host) in _PLACEHOLDER_HOSTS:
        return False
    labels = host.split(".")
    if len(labels) < 2 or not all(labels):
        return False
    tld = labels[-1]
    if tld in _PLACEHOLDER_TLDS:
        return False
    return (tld.isalpha() and len(tld) >= 2) or tld.startswith("xn--")


def _clean(parts: SplitResult) -> str:
    """A fetchable URL without fragment, tracking parameters or default port (AMP left as is)."""
    host = _ascii_host(parts.hostname or "")
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in TRACKING_PARAMS and not k.lower().startswith(TRACKING_PREFIXES)
    ]
    path = quote(parts.path, safe=_PATH_SAFE + "%") or "/"
    return urlunsplit((parts.scheme.lower(), _netloc(host, parts.port), path, urlencode(query, doseq=True), ""))


def canonical_url(url: str, *, canonical: str | None = None) -> str | None:
    """The URL to keep for a page fetched from ``url`` that declares ``canonical`` (rel=canonical / og:url).

    The canonical (resolved against ``url`` when relative) wins when it is an http(s) URL on the
    same registrable domain as ``url``, or on another plausible public host (syndicated copies
    name the original). It is ignored when it is not http(s), names a placeholder or local host
    (``example.com``, ``localhost``, an IP), or is a site's home page while ``url`` is not (a
    common CMS template bug). Otherwise ``url`` is returned, cleaned of fragment and tracking
    parameters; None when neither is an http(s) URL.
    """
    base = _split(url) if url else None
    if canonical and canonical.strip() and len(canonical) <= 4096:
        candidate = canonical.strip()
        if base is not None:
            try:
                candidate = urljoin(urlunsplit(base), candidate)
            except ValueError:
                candidate = ""
        parts = _split(candidate) if candidate else None
        if parts is not None and _believable(parts, base):
            return _clean(parts)
    return _clean(base) if base is not None else None


def _believable(canon: SplitResult, base: SplitResult | None) -> bool:
    chost = _ascii_host(canon.hostname or "")
    if base is not None:
        bhost = _ascii_host(base.hostname or "")
        if (canon.path in ("", "/") and not canon.query) and base.path not in ("", "/"):
            return False                     # every page "canonical" to the home page
        if registrable_domain(chost) == registrable_domain(bhost):
            return True
    return _plausible_host(chost)
