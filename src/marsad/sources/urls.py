"""URL keys: one article reached through different URL spellings gets one identity.

A first, conservative canonicalization (scheme/host case, default ports, fragments, tracking
parameters, trailing slashes, percent-encoding). The live-sources stage extends it (AMP and
mobile variants, rel=canonical).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "yclid", "_ga", "ref", "ref_src",
    "cmpid", "ocid", "spm", "share", "from", "via",
})
TRACKING_PREFIXES = ("utm_", "at_", "pk_", "piwik_", "mtm_")


def url_key(url: str) -> str | None:
    """A canonical key for ``url`` (None when it is not an http(s) URL)."""
    url = url.strip()
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        return None
    if host.startswith("www."):
        host = host[4:]
    port = parts.port
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    path = quote(unquote(parts.path), safe="/:@!$&'()*+,;=-._~") or "/"
    if len(path) > 1:
        path = path.rstrip("/")
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in TRACKING_PARAMS and not k.lower().startswith(TRACKING_PREFIXES)
    ]
    query.sort()
    # http and https serve the same article: the key ignores the scheme.
    return urlunsplit(("https", netloc, path, urlencode(query, doseq=True), ""))
