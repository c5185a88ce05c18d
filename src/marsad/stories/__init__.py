"""Near-duplicates and stories: one card per event, across outlets and spellings.

``features`` (per-article shingles/MinHash, TF-IDF terms, embedding, entities), ``dedupe`` (MinHash LSH
near-duplicates with a changed-fact guard), ``engine`` (online story clustering with merges and ageing),
``bcubed`` (evaluation). Pure logic: the pipeline persists what these decide.
"""
