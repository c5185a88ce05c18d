"""Input sources: read files, folders, stdin and WARC archives into ``RawDocument`` units."""
