"""Extraction: raw bytes of a page or record in, clean articles out (``extract``)."""

from marsad.extraction.page import extract

__all__ = ["extract"]
