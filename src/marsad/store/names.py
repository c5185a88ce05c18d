"""How a store is named where a person reads it (messages, summaries, ``stats``): never with a password."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit


def store_name(target: str | os.PathLike[str]) -> str:
    """``target`` as it may be shown: a URL's password left out (``postgresql://user@host/db``)."""
    where = str(target)
    if "://" not in where:
        return where
    parts = urlsplit(where)
    if parts.password is None:
        return where
    netloc = f"{parts.username or ''}@{parts.hostname or ''}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
