"""robots.txt (RFC 9309): matching by protego, and what an unreadable robots.txt means.

Matching (groups, ``Allow``/``Disallow`` precedence, ``*`` and ``$`` wildcards, ``Crawl-delay``,
``Sitemap``) is protego's, the parser Scrapy uses. What stays here is the policy around it:

* the file is read up to :data:`ROBOTS_MAX_BYTES` (RFC 9309 §2.5: at least 500 KiB) and decoded
  as UTF-8, a byte-order mark dropped;
* an answer that is not a robots.txt decides by its status (:func:`unavailable_entry`): 4xx (not
  429) and unfollowable redirects allow everything, 5xx / 429 / timeouts / network errors
  disallow the whole origin for a while (RFC 9309 §2.3.1.3-4).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from protego import Protego

from marsad.errors import FetchError

__all__ = ["ROBOTS_MAX_BYTES", "ROBOTS_TOKEN", "RobotsEntry", "RobotsRules", "unavailable_entry"]

ROBOTS_TOKEN = "Marsad"
"""The product token robots.txt groups are matched against (case-insensitively)."""

ROBOTS_MAX_BYTES = 512_000  # RFC 9309: parse at least 500 KiB; the rest is ignored

_ORIGIN = "http://robots.invalid"  # protego matches URLs; a bare "//path" would read as a host
_AGENT_LINE = re.compile(r"(?im)^[ \t]*user[- ]?agent[ \t]*:([^\n#]*)")
_OTHER = "x-other-agent"  # what a group naming some other crawler is rewritten to: it can never match ours


class RobotsRules:
    """The robots.txt rules that apply to one user-agent token (RFC 9309 matching, by protego).

    The groups naming the token (case-insensitively; "Marsad/1.0" is read as "Marsad") apply,
    else the ``*`` groups, else nothing is disallowed. The longest matching pattern wins,
    ``Allow`` wins a tie; ``*`` and a final ``$`` are wildcards. (``urllib.robotparser`` is not
    used: it ignores wildcards and takes the first matching rule instead of the longest.)
    """

    __slots__ = ("_parser", "_token", "crawl_delay", "sitemaps")

    def __init__(self, parser: Protego, token: str) -> None:
        self._parser = parser
        self._token = token
        self.crawl_delay: float | None = parser.crawl_delay(token)
        """Seconds between requests the matching group asks for, if any."""
        self.sitemaps: tuple[str, ...] = tuple(parser.sitemaps)

    @classmethod
    def parse(cls, text: str, agent: str = ROBOTS_TOKEN) -> RobotsRules:
        """The rules of ``text`` for ``agent`` (a product token, with or without "/version")."""
        # Hand-written: protego reads a leading byte-order mark as part of the first field name,
        # which would drop the first "User-agent" line of a file saved by Windows tools.
        text = "\n".join(text.lstrip("\ufeff").splitlines())   # CR-only files: one line per rule, as before
        # Hand-written: each group line is reduced to an exact product token match (RFC 9309 §2.2.1:
        # "Marsad/1.0" is Marsad; "Mars", "Marsad2" or "Marsad Bot" are other crawlers), because protego would
        # skip "Marsad/1.0" and would apply a group whose name merely starts like ours.
        token = agent.split("/")[0].strip()
        text = _AGENT_LINE.sub(lambda m: "User-agent: " + _group_token(m.group(1), token), text)
        return cls(Protego.parse(text), token)

    def allowed(self, path: str) -> bool:
        """May ``path`` (path and query of a URL, percent-encoded or not) be fetched?"""
        if not path.startswith("/"):
            path = "/" + path
        return bool(self._parser.can_fetch(_ORIGIN + path, self._token))


def _group_token(value: str, token: str) -> str:
    """The group name protego should see: ``token`` when the line names exactly our product, ``*``, or a name
    that matches nobody."""
    product = re.split(r"[/\s]", value.strip(), maxsplit=1)[0]
    if product == "*":
        return "*"
    return token if product.lower() == token.lower() else _OTHER


@dataclass(slots=True)
class RobotsEntry:
    """What one origin's robots.txt says, and until when that is trusted."""

    rules: RobotsRules | None          # None: no usable file (allow_all decides)
    allow_all: bool
    expires: float
    note: str

    def allowed(self, path: str) -> bool:
        """May ``path`` be fetched under this entry?"""
        return self.allow_all if self.rules is None else self.rules.allowed(path)


def unavailable_entry(exc: FetchError, *, ok_until: float, retry_at: float) -> RobotsEntry:
    """The entry for a robots.txt that could not be read (RFC 9309 §2.3.1: decided by the failure)."""
    if exc.reason == "http_status" and exc.status is not None and 400 <= exc.status < 500 and exc.status != 429:
        return RobotsEntry(None, True, ok_until, f"robots.txt HTTP {exc.status}: allow all")
    if exc.reason in ("redirects", "refused_address", "bad_url"):
        # RFC 9309: an unreachable-by-redirect robots.txt counts as unavailable (allow all).
        return RobotsEntry(None, True, ok_until, f"robots.txt unavailable ({exc.reason}): allow all")
    return RobotsEntry(None, False, retry_at, f"robots.txt unreachable ({exc.reason}): disallow")
