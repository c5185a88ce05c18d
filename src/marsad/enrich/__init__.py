"""Enrichment: labels computed from an article's text (category, ...)."""
