"""PostgreSQL schema: the same tables, columns and versions as ``marsad.store.sqlite.MIGRATIONS``.

Versions 1-8 here hold what SQLite's versions 1-8 hold. From then on each backend numbers its own migrations:
version 9 here is PostgreSQL's search head (SQLite has none), version 10 here is SQLite's version 9 (watchlists),
version 11 here is SQLite's version 10 (the UTC key of the publication time).
Differences in kind, not in content:

* text columns are ``text COLLATE "C"``: comparisons and ``ORDER BY`` are by code point, as in SQLite;
* JSON columns stay ``text`` holding the exact ``json.dumps`` string SQLite stores (a ``jsonb`` column would
  re-serialize it: ``RelatedRow.terms`` and the export must be byte for byte what was written); queries read
  a field with ``col::jsonb ->> 'label'``;
* blobs are ``bytea``; ids are ``bigint`` primary keys given as ``max(id) + 1`` by the store (SQLite's rowid
  rule), which is safe because write transactions are serialized (``marsad_changes``, see ``store.py``);
* v5 (lexical search) is a weighted ``tsvector`` column with a GIN index instead of an FTS5 table: the store
  fills it from ``marsad.text.analyzer.index_fields`` in Python (PostgreSQL cannot call the analyzer).
"""

from __future__ import annotations

from marsad.store.postgres.common import Conn, id_batches
from marsad.times import utc_iso

T = 'text COLLATE "C"'

# Each migration takes the schema from version i to i+1. Never edit a released one: add another.
MIGRATIONS: list[str] = [
    f"""
    CREATE TABLE raw_inputs (
        sha256      {T} PRIMARY KEY,
        kind        {T} NOT NULL,
        media_type  {T},
        size        bigint NOT NULL,
        first_ref   {T} NOT NULL,
        url         {T},
        fetched_at  {T},
        first_seen  {T} NOT NULL,
        data        bytea NOT NULL
    );
    CREATE TABLE articles (
        id                bigint PRIMARY KEY,
        identity          {T} NOT NULL UNIQUE,
        external_id       {T},
        url               {T},
        canonical_url     {T},
        source            {T},
        site_name         {T},
        author            {T},
        title             {T} NOT NULL DEFAULT '',
        display_title     {T} NOT NULL DEFAULT '',
        title_derived     integer NOT NULL DEFAULT 0,
        text              {T} NOT NULL,
        published_at      {T},
        updated_at        {T},
        language          {T},
        tags              {T} NOT NULL DEFAULT '[]',
        related_headlines {T} NOT NULL DEFAULT '[]',
        origin            {T} NOT NULL DEFAULT '{{}}',
        raw_sha256        {T} REFERENCES raw_inputs(sha256),
        content_hash      {T} NOT NULL,
        duplicate_of      bigint REFERENCES articles(id),
        version           integer NOT NULL DEFAULT 1,
        created_at        {T} NOT NULL,
        modified_at       {T} NOT NULL
    );
    CREATE INDEX articles_content_hash ON articles(content_hash);
    CREATE INDEX articles_source ON articles(source);
    CREATE INDEX articles_published ON articles(published_at);
    CREATE TABLE article_history (
        article_id    bigint NOT NULL REFERENCES articles(id),
        version       integer NOT NULL,
        title         {T} NOT NULL,
        text          {T} NOT NULL,
        raw_sha256    {T} REFERENCES raw_inputs(sha256),
        content_hash  {T} NOT NULL,
        replaced_at   {T} NOT NULL,
        PRIMARY KEY (article_id, version)
    );
    CREATE TABLE runs (
        id          bigint PRIMARY KEY,
        started_at  {T} NOT NULL,
        finished_at {T},
        status      {T} NOT NULL DEFAULT 'running',
        args        {T} NOT NULL DEFAULT '{{}}',
        counts      {T} NOT NULL DEFAULT '{{}}'
    );
    CREATE TABLE outcomes (
        id            bigint PRIMARY KEY,
        run_id        bigint NOT NULL REFERENCES runs(id),
        ref           {T} NOT NULL,
        outcome       {T} NOT NULL CHECK (outcome IN ('stored', 'updated', 'duplicate', 'rejected')),
        article_id    bigint REFERENCES articles(id),
        duplicate_of  bigint REFERENCES articles(id),
        reason_code   {T},
        message       {T},
        raw_sha256    {T},
        at            {T} NOT NULL
    );
    CREATE INDEX outcomes_run ON outcomes(run_id, outcome);
    """,
    # 2: live sources.
    f"""
    CREATE TABLE feeds (
        url             {T} PRIMARY KEY,
        title           {T},
        source          {T},
        language        {T},
        interval        double precision NOT NULL,
        etag            {T},
        last_modified   {T},
        last_polled     {T},
        last_success    {T},
        next_poll       {T},
        error_count     integer NOT NULL DEFAULT 0,
        last_error      {T},
        polls           integer NOT NULL DEFAULT 0,
        not_modified    integer NOT NULL DEFAULT 0,
        items_seen      integer NOT NULL DEFAULT 0,
        items_new       integer NOT NULL DEFAULT 0,
        last_new_items  integer NOT NULL DEFAULT 0,
        added_at        {T} NOT NULL
    );
    CREATE TABLE feed_items (
        url_key      {T} PRIMARY KEY,
        feed_url     {T} NOT NULL,
        article_id   bigint REFERENCES articles(id),
        status       {T} NOT NULL,
        attempts     integer NOT NULL DEFAULT 1,
        last_error   {T},
        first_seen   {T} NOT NULL,
        last_seen    {T} NOT NULL
    );
    CREATE INDEX feed_items_feed ON feed_items(feed_url);
    """,
    # 3: enrichment.
    f"""
    ALTER TABLE articles ADD COLUMN entities {T} NOT NULL DEFAULT '[]';
    ALTER TABLE articles ADD COLUMN keyphrases {T} NOT NULL DEFAULT '[]';
    ALTER TABLE articles ADD COLUMN category {T};
    CREATE TABLE entities (
        id          bigint PRIMARY KEY,
        cid         {T} NOT NULL UNIQUE,
        type        {T} NOT NULL,
        key         {T} NOT NULL,
        latin       {T},
        created_at  {T} NOT NULL
    );
    CREATE TABLE entity_aliases (
        alias      {T} NOT NULL,
        type       {T} NOT NULL,
        entity_id  bigint NOT NULL REFERENCES entities(id),
        PRIMARY KEY (alias, type, entity_id)
    );
    CREATE TABLE article_entities (
        article_id  bigint NOT NULL REFERENCES articles(id),
        entity_id   bigint NOT NULL REFERENCES entities(id),
        form        {T} NOT NULL,
        mentions    integer NOT NULL,
        PRIMARY KEY (article_id, entity_id, form)
    );
    CREATE INDEX article_entities_entity ON article_entities(entity_id);
    """,
    # 4: near-duplicates and stories.
    f"""
    ALTER TABLE articles ADD COLUMN story_id bigint;
    ALTER TABLE articles ADD COLUMN duplicate_reason {T};
    ALTER TABLE articles ADD COLUMN canonical_reason {T};
    CREATE INDEX articles_story ON articles(story_id);
    CREATE INDEX articles_duplicate_of ON articles(duplicate_of);
    CREATE TABLE stories (
        id              bigint PRIMARY KEY,
        headline        {T} NOT NULL DEFAULT '',
        summary         {T} NOT NULL DEFAULT '',
        central_article bigint,
        first_seen      {T},
        last_updated    {T},
        size            integer NOT NULL DEFAULT 0,
        outlets         {T} NOT NULL DEFAULT '[]',
        entities        {T} NOT NULL DEFAULT '[]',
        keyphrases      {T} NOT NULL DEFAULT '[]',
        timeline        {T} NOT NULL DEFAULT '[]',
        merged_into     bigint,
        status          {T} NOT NULL DEFAULT 'active',
        modified_at     {T} NOT NULL
    );
    CREATE INDEX stories_last_updated ON stories(last_updated);
    CREATE TABLE article_features (
        article_id  bigint PRIMARY KEY REFERENCES articles(id),
        minhash     bytea,
        embedding   bytea,
        embedder    {T},
        terms       {T}
    );
    """,
    # 5: lexical search. One tsvector per article: title exact keys (weight A), title stems (B), body exact keys (C),
    # body stems (D), each to_tsvector('simple', ...) of marsad.text.analyzer.index_fields, filled by the store.
    """
    ALTER TABLE articles ADD COLUMN search tsvector;
    CREATE INDEX articles_search ON articles USING gin (search);
    """,
    # 6: the covering indexes related articles read.
    """
    CREATE INDEX IF NOT EXISTS article_entities_postings ON article_entities(entity_id, article_id, mentions, form);
    CREATE INDEX IF NOT EXISTS article_entities_article ON article_entities(article_id, entity_id, mentions, form);
    """,
    # 7: feed leases (several watchers share the feed list).
    f"""
    ALTER TABLE feeds ADD COLUMN lease_owner {T};
    ALTER TABLE feeds ADD COLUMN lease_until {T};
    """,
    # 8: feeds never lose an item (articles stored from a feed's text, their pages retried and upgraded in place).
    f"""
    ALTER TABLE articles ADD COLUMN text_source {T} NOT NULL DEFAULT 'page';
    ALTER TABLE feed_items ADD COLUMN url {T};
    """,
    # 9: the ranking bound of search: a small vector of the title and the lead that most matches are ranked by
    # (marsad.store.postgres.search). Filled for the rows already there when the store is next opened for writing
    # (until then search ranks by the whole vector); PostgreSQL only.
    """
    ALTER TABLE articles ADD COLUMN search_head tsvector;
    """,
    # 10: watchlists and their alerts: SQLite's version 9 (matches recorded inside the ingest transaction, an
    # outbox that `marsad deliver` sends, every delivery attempt kept).
    f"""
    CREATE TABLE watchlists (
        name         {T} PRIMARY KEY,
        query        {T},
        entity       {T},
        sources      {T} NOT NULL DEFAULT '[]',
        category     {T},
        min_outlets  integer,
        webhook      {T},
        email        {T},
        digest       {T},
        secret       {T} NOT NULL,
        created_at   {T} NOT NULL
    );
    CREATE TABLE watch_matches (
        watchlist    {T} NOT NULL REFERENCES watchlists(name),
        article_id   bigint NOT NULL REFERENCES articles(id),
        matched_at   {T} NOT NULL,
        digest_window {T},
        digest_key   {T},
        PRIMARY KEY (watchlist, article_id)
    );
    CREATE INDEX watch_matches_digest ON watch_matches(watchlist, digest_key, digest_window);
    CREATE TABLE alert_outbox (
        id               bigint PRIMARY KEY,
        key              {T} NOT NULL,
        channel          {T} NOT NULL,
        watchlist        {T} NOT NULL REFERENCES watchlists(name),
        target           {T} NOT NULL,
        body             {T} NOT NULL,
        article_id       bigint,
        story_id         bigint,
        status           {T} NOT NULL DEFAULT 'pending',
        attempts         integer NOT NULL DEFAULT 0,
        next_attempt_at  {T} NOT NULL,
        last_error       {T},
        created_at       {T} NOT NULL,
        sent_at          {T},
        UNIQUE (key, channel)
    );
    CREATE INDEX alert_outbox_due ON alert_outbox(status, next_attempt_at);
    CREATE INDEX alert_outbox_watchlist ON alert_outbox(watchlist, id);
    CREATE TABLE delivery_attempts (
        id          bigint PRIMARY KEY,
        alert_id    bigint NOT NULL REFERENCES alert_outbox(id),
        at          {T} NOT NULL,
        ok          integer NOT NULL,
        status      integer,
        error       {T},
        seconds     double precision NOT NULL
    );
    CREATE INDEX delivery_attempts_alert ON delivery_attempts(alert_id);
    """,
    # 11: the UTC sort key of the publication time: SQLite's version 10 (published_at keeps the page's offset and
    # does not sort as text; every ordering and filter by publication time reads published_utc). The rows already
    # there are filled by ``fill_published_utc`` in the same transaction (the key is marsad.times.utc_iso).
    f"""
    ALTER TABLE articles ADD COLUMN published_utc {T};
    DROP INDEX IF EXISTS articles_published;
    CREATE INDEX articles_published_utc ON articles(published_utc);
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


def fill_published_utc(conn: Conn, batch: int = 5000) -> None:
    """Write ``published_utc`` for every row with a ``published_at`` (migration 11), ``batch`` rows at a time."""
    for rows in id_batches(conn, "published_at", "published_at IS NOT NULL", batch):
        with conn.cursor() as cur:
            cur.executemany("UPDATE articles SET published_utc = %s WHERE id = %s",
                            [(utc_iso(r["published_at"]), r["id"]) for r in rows])

BOOKKEEPING = """
CREATE TABLE IF NOT EXISTS marsad_schema (id integer PRIMARY KEY CHECK (id = 1), version integer NOT NULL);
CREATE TABLE IF NOT EXISTS marsad_changes (id integer PRIMARY KEY CHECK (id = 1), counter bigint NOT NULL);
INSERT INTO marsad_schema(id, version) VALUES (1, 0) ON CONFLICT DO NOTHING;
INSERT INTO marsad_changes(id, counter) VALUES (1, 0) ON CONFLICT DO NOTHING;
"""
"""Not versioned: the schema version itself, and the write counter every write transaction bumps first (it
serializes writers like SQLite's ``BEGIN IMMEDIATE`` and gives ``change_marker``)."""
