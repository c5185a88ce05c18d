"""Marsad (مرصد): an Arabic-first news intelligence engine.

Public API: ``extract`` (a page or record into clean articles), ``ingest`` (files into a store),
``open_store``, the normalization profiles and the shared types and errors.
"""

__version__ = "0.1.0"

from marsad.errors import (
    DateParseError,
    InputError,
    MarsadError,
    StoreError,
)
from marsad.models import Article, RawDocument

__all__ = [
    "Article",
    "DateParseError",
    "InputError",
    "MarsadError",
    "RawDocument",
    "StoreError",
    "__version__",
]
