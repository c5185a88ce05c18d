"""The one exception tree of Marsad.

Every error a user can cause says what was wrong and what to do about it::

    MarsadError                       base of everything Marsad raises on purpose
    ├── ConfigError                   a bad option or environment variable
    ├── InputError                    one input cannot be used; the run goes on (it is *rejected*)
    │   ├── EmptyInputError           nothing but whitespace / zero bytes
    │   ├── BinaryInputError          not text (NUL bytes, an image, a PDF, ...)
    │   ├── OversizedInputError       larger than the configured limit
    │   ├── MalformedInputError       broken JSON / JSONL / WARC / gzip, truncated data
    │   ├── EncodingError             bytes that no plausible Arabic/Latin encoding decodes
    │   ├── NoContentError            decoded fine but no article text could be found
    │   ├── FetchError                a URL could not be fetched (.reason, .status, .retry_after)
    │   └── QueryError                a search query or filter that cannot be understood (code bad_query)
    ├── DateParseError                a string is not a date Marsad understands
    └── StoreError                    the store cannot be opened / written: the run stops
        └── SchemaError               the database schema is newer than this Marsad, or damaged
            └── SchemaUpgradeNeeded   an older store opened read-only: open it once writable to migrate

``InputError`` subclasses carry a stable machine ``code`` (kept in the store's rejection log)
and a human ``message``.
"""

from __future__ import annotations


class MarsadError(Exception):
    """Base class of every error Marsad raises on purpose."""


class ConfigError(MarsadError):
    """An option or environment variable has an invalid value."""


class InputError(MarsadError):
    """One input cannot be used. The input is rejected with ``code`` and the run goes on."""

    code = "invalid_input"

    def __init__(self, message: str, *, ref: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.ref = ref

    def __str__(self) -> str:
        return f"{self.ref}: {self.message}" if self.ref else self.message


class EmptyInputError(InputError):
    """The input holds no bytes or only whitespace."""

    code = "empty"


class BinaryInputError(InputError):
    """The input is not text (NUL bytes or a known binary signature)."""

    code = "binary"


class OversizedInputError(InputError):
    """The input is larger than ``Options.max_input_bytes``."""

    code = "oversized"


class MalformedInputError(InputError):
    """Broken JSON, JSONL, WARC or gzip; truncated data; a record missing required fields."""

    code = "malformed"


class EncodingError(InputError):
    """The bytes decode to nothing readable in any plausible encoding."""

    code = "encoding"


class NoContentError(InputError):
    """The page decoded but holds no article text."""

    code = "no_content"


class FetchError(InputError):
    """A URL could not be fetched (network error, HTTP error status, refused address or type).

    ``reason`` is a short stable word for logs and feed health: ``http_status``, ``timeout``,
    ``network``, ``refused_address``, ``robots``, ``redirects``, ``oversized``, ``content_type``,
    ``bad_url``. ``status`` is the HTTP status when there was one; ``retry_after`` the seconds
    the server asked to wait (429/503), if it said.
    """

    code = "fetch_failed"

    def __init__(self, message: str, *, ref: str | None = None, reason: str = "network",
                 status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message, ref=ref)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


class QueryError(InputError):
    """A search query (or one of its filters) has nothing to search for or cannot be understood."""

    code = "bad_query"


class DateParseError(MarsadError, ValueError):
    """A string is not a date that Marsad understands."""


class StoreError(MarsadError):
    """The store cannot be opened or written. The run stops; committed data stays intact."""


class SchemaError(StoreError):
    """The database was written by a newer Marsad, or its schema is damaged."""


class SchemaUpgradeNeeded(SchemaError):
    """A store of an older schema was opened read-only; opening it once writable migrates it."""
