"""Ingestion: ``pipeline`` (read -> per-article work -> decide -> write, with the run report), ``clustering``
(the decision step: near-duplicates and stories, stream and backfill) and ``watch`` (live feeds)."""
