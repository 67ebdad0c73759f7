"""The PostgreSQL store's schema: MIGRATIONS as for SQLite (append, never edit a released entry),
the version in `meta.schema_version`. See `postgres.py` for how it differs from SQLite's.
"""

from __future__ import annotations

import uuid

from corroborate.store.base import StoreError
from corroborate.store.rows import split_sql

_T = 'TEXT COLLATE "C"'
MIGRATIONS: list[str] = [
    f"""
    CREATE EXTENSION IF NOT EXISTS unaccent;
    CREATE TEXT SEARCH CONFIGURATION corroborate_en (COPY = english);
    ALTER TEXT SEARCH CONFIGURATION corroborate_en
        ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
    CREATE TEXT SEARCH CONFIGURATION corroborate_es (COPY = spanish);
    ALTER TEXT SEARCH CONFIGURATION corroborate_es
        ALTER MAPPING FOR hword, hword_part, word WITH unaccent, spanish_stem;
    CREATE TABLE reports (
        pk BIGSERIAL PRIMARY KEY,
        id {_T} NOT NULL UNIQUE,
        family {_T} NOT NULL,
        version INTEGER NOT NULL DEFAULT 1,
        title {_T} NOT NULL,
        publisher {_T}, published {_T}, cut_off {_T},
        ref_start {_T}, ref_end {_T},
        language {_T}, source_hash {_T} NOT NULL, source_path {_T}, format {_T},
        ingested_at {_T} NOT NULL,
        edition {_T}, reference {_T}, country {_T}, document_type {_T}
    );
    CREATE INDEX reports_hash ON reports(source_hash);
    CREATE INDEX reports_family ON reports(family);
    CREATE INDEX reports_country ON reports(country);
    CREATE INDEX reports_document_type ON reports(document_type);
    CREATE TABLE sections (
        pk BIGSERIAL PRIMARY KEY,
        report_pk BIGINT NOT NULL REFERENCES reports(pk) ON DELETE CASCADE,
        parent_pk BIGINT REFERENCES sections(pk) ON DELETE CASCADE,
        ord INTEGER NOT NULL, number {_T}, title {_T} NOT NULL, level INTEGER NOT NULL, page INTEGER
    );
    CREATE INDEX sections_report ON sections(report_pk);
    CREATE INDEX sections_parent ON sections(parent_pk);
    CREATE TABLE paragraphs (
        pk BIGSERIAL PRIMARY KEY,
        report_pk BIGINT NOT NULL REFERENCES reports(pk) ON DELETE CASCADE,
        section_pk BIGINT NOT NULL REFERENCES sections(pk) ON DELETE CASCADE,
        id {_T} NOT NULL, ord INTEGER NOT NULL, kind {_T} NOT NULL, text {_T} NOT NULL,
        page INTEGER, markers TEXT NOT NULL DEFAULT '[]', links TEXT NOT NULL DEFAULT '[]',
        ts_lang {_T} NOT NULL DEFAULT 'en', tsv TSVECTOR NOT NULL,
        UNIQUE (report_pk, id)
    );
    CREATE INDEX paragraphs_section ON paragraphs(section_pk);
    CREATE INDEX paragraphs_tsv ON paragraphs USING GIN (tsv);
    CREATE TABLE markers (
        paragraph_pk BIGINT NOT NULL REFERENCES paragraphs(pk) ON DELETE CASCADE,
        report_pk BIGINT NOT NULL REFERENCES reports(pk) ON DELETE CASCADE,
        n INTEGER NOT NULL, "offset" INTEGER NOT NULL
    );
    CREATE INDEX markers_fn ON markers(report_pk, n);
    CREATE INDEX markers_par ON markers(paragraph_pk);
    CREATE TABLE footnotes (
        pk BIGSERIAL PRIMARY KEY,
        report_pk BIGINT NOT NULL REFERENCES reports(pk) ON DELETE CASCADE,
        n INTEGER NOT NULL, text {_T}, page INTEGER, urls TEXT NOT NULL DEFAULT '[]',
        links TEXT NOT NULL DEFAULT '[]',
        UNIQUE (report_pk, n)
    );
    CREATE TABLE sources (
        id {_T} PRIMARY KEY,
        author {_T}, title {_T}, type {_T} NOT NULL, language {_T}, date {_T},
        urls TEXT NOT NULL DEFAULT '[]', confidential INTEGER NOT NULL DEFAULT 0,
        kind {_T} NOT NULL DEFAULT 'document', aliases TEXT NOT NULL DEFAULT '[]'
    );
    CREATE TABLE citations (
        pk BIGSERIAL PRIMARY KEY,
        report_pk BIGINT NOT NULL REFERENCES reports(pk) ON DELETE CASCADE,
        footnote_n INTEGER NOT NULL, ord INTEGER NOT NULL,
        author {_T}, title {_T}, container {_T}, date {_T}, url {_T}, locator {_T},
        kind {_T} NOT NULL, note {_T}, raw {_T} NOT NULL,
        source_id {_T} REFERENCES sources(id)
    );
    CREATE INDEX citations_fn ON citations(report_pk, footnote_n);
    CREATE INDEX citations_source ON citations(source_id);
    CREATE TABLE glossary (
        report_pk BIGINT NOT NULL REFERENCES reports(pk) ON DELETE CASCADE,
        ord INTEGER NOT NULL, term {_T} NOT NULL, definition {_T} NOT NULL
    );
    CREATE INDEX glossary_report ON glossary(report_pk);
    CREATE TABLE tor_items (
        pk BIGSERIAL PRIMARY KEY,
        report_pk BIGINT NOT NULL REFERENCES reports(pk) ON DELETE CASCADE,
        parent_pk BIGINT REFERENCES tor_items(pk) ON DELETE CASCADE,
        ord INTEGER NOT NULL, text {_T} NOT NULL
    );
    CREATE INDEX tor_items_report ON tor_items(report_pk);
    CREATE TABLE warnings (
        report_pk BIGINT NOT NULL REFERENCES reports(pk) ON DELETE CASCADE,
        ord INTEGER NOT NULL, code {_T} NOT NULL, message {_T} NOT NULL,
        line INTEGER, footnote INTEGER
    );
    CREATE INDEX warnings_report ON warnings(report_pk);
    CREATE TABLE embeddings (
        paragraph_pk BIGINT PRIMARY KEY REFERENCES paragraphs(pk) ON DELETE CASCADE,
        vector BYTEA NOT NULL
    );
    CREATE TABLE bibliography (
        report_pk BIGINT NOT NULL REFERENCES reports(pk) ON DELETE CASCADE,
        ord INTEGER NOT NULL, heading {_T}, text {_T} NOT NULL,
        urls TEXT NOT NULL DEFAULT '[]', links TEXT NOT NULL DEFAULT '[]',
        cited INTEGER NOT NULL DEFAULT 1,
        author {_T}, title {_T}, container {_T}, date {_T}, url {_T},
        kind {_T} NOT NULL DEFAULT 'document', raw {_T} NOT NULL DEFAULT '',
        source_id {_T} REFERENCES sources(id)
    );
    CREATE INDEX bibliography_report ON bibliography(report_pk);
    CREATE INDEX bibliography_source ON bibliography(source_id);
    CREATE TABLE users (
        pk BIGSERIAL PRIMARY KEY,
        name {_T} NOT NULL UNIQUE,
        role {_T} NOT NULL CHECK (role IN ('admin', 'researcher', 'reader')),
        password_hash TEXT,
        token_hash TEXT UNIQUE,
        token_expires {_T},
        created_at {_T} NOT NULL
    );
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        user_pk BIGINT NOT NULL REFERENCES users(pk) ON DELETE CASCADE,
        created_at {_T} NOT NULL,
        expires {_T} NOT NULL
    );
    CREATE TABLE audit_log (
        pk BIGSERIAL PRIMARY KEY,
        at {_T} NOT NULL,
        "user" {_T} NOT NULL,
        role {_T} NOT NULL,
        action {_T} NOT NULL,
        target {_T},
        detail {_T}
    );
    INSERT INTO meta(key, value) VALUES ('generation', '0')
    """,
    f"""
    -- cases and saved searches (SQLite's migrations 6 and 7)
    CREATE TABLE cases (
        pk BIGSERIAL PRIMARY KEY,
        name {_T} NOT NULL,
        language {_T} NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'es')),
        owner {_T},
        created_at {_T} NOT NULL,
        updated_at {_T} NOT NULL
    );
    CREATE UNIQUE INDEX cases_owner_name ON cases(COALESCE(owner, ''), name);
    CREATE TABLE case_items (
        pk BIGSERIAL PRIMARY KEY,
        case_pk BIGINT NOT NULL REFERENCES cases(pk) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        report_id {_T} NOT NULL,
        paragraph_id {_T} NOT NULL,
        span_start INTEGER,
        span_end INTEGER,
        quote {_T} NOT NULL,
        footnotes TEXT NOT NULL DEFAULT '[]',
        note {_T} NOT NULL DEFAULT '',
        added_at {_T} NOT NULL
    );
    CREATE INDEX case_items_case ON case_items(case_pk, position);
    CREATE TABLE saved_searches (
        pk BIGSERIAL PRIMARY KEY,
        name {_T} NOT NULL,
        query {_T} NOT NULL,
        mode {_T} NOT NULL DEFAULT 'hybrid',
        filters TEXT NOT NULL DEFAULT '{{}}',
        language {_T} NOT NULL DEFAULT 'en',
        owner_pk BIGINT REFERENCES users(pk) ON DELETE CASCADE,
        feed_token TEXT NOT NULL UNIQUE,
        created_at {_T} NOT NULL
    );
    CREATE UNIQUE INDEX saved_searches_name ON saved_searches(COALESCE(owner_pk, 0), name);
    CREATE TABLE saved_search_hits (
        search_pk BIGINT NOT NULL REFERENCES saved_searches(pk) ON DELETE CASCADE,
        paragraph_id {_T} NOT NULL,
        report_id {_T} NOT NULL,
        rank INTEGER NOT NULL,
        found_at {_T} NOT NULL,
        PRIMARY KEY (search_pk, paragraph_id)
    );
    CREATE INDEX saved_search_hits_found ON saved_search_hits(found_at);
    CREATE INDEX saved_search_hits_report ON saved_search_hits(report_id)
    """,
    """
    -- BM25's term frequencies from an index (postgres_search.py). `tfv` holds each word of the
    -- paragraph as FTS5 indexes it (unaccented, lower-cased, not stemmed) once, prefixed by the
    -- bucket of its count ('3/police': "police" occurs 3 times), so a GIN lookup finds the
    -- paragraphs where a word occurs n times without reading them
    CREATE TEXT SEARCH CONFIGURATION corroborate_words (COPY = simple);
    ALTER TEXT SEARCH CONFIGURATION corroborate_words
        ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
    CREATE FUNCTION corroborate_tf(v tsvector) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT COALESCE(array_to_tsvector(array_agg(
            (CASE WHEN n < 7 THEN n WHEN n < 10 THEN 7 WHEN n < 15 THEN 10 WHEN n < 25 THEN 15 ELSE 25 END)
            || '/' || lexeme)), ''::tsvector)
        FROM (SELECT lexeme, COALESCE(array_length(positions, 1), 1) AS n FROM unnest(v)) AS t
    $$;
    ALTER TABLE paragraphs ADD COLUMN tfv TSVECTOR;
    UPDATE paragraphs SET tfv = corroborate_tf(to_tsvector('corroborate_words', text));
    ALTER TABLE paragraphs ALTER COLUMN tfv SET NOT NULL;
    CREATE INDEX paragraphs_tfv ON paragraphs USING GIN (tfv)
    """,
    """
    ALTER TABLE embeddings ADD COLUMN e5 BYTEA
    """,
    """
    -- whether a paragraph is in the search index: not the entries of a report's own list of
    -- sources (`Report.searchable_paragraphs`; their tsv and tfv are empty)
    ALTER TABLE paragraphs ADD COLUMN searched BOOLEAN NOT NULL DEFAULT true
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)
_MIGRATION_LOCK = 0x636F7272  # pg_advisory_xact_lock key: one process migrates at a time


def migrate(conn, name: str) -> None:
    """Bring the schema to SCHEMA_VERSION, in one transaction, one process at a time."""
    import psycopg

    try:  # the usual case, an opened database already current, takes one read and no lock
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row and int(row[0]) == len(MIGRATIONS):
            return
    except psycopg.errors.UndefinedTable:
        pass
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        conn.execute("INSERT INTO meta(key, value) VALUES ('instance', %s) ON CONFLICT (key) DO NOTHING",
                     (uuid.uuid4().hex,))
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        current = int(row[0]) if row else 0
        if current > len(MIGRATIONS):
            raise StoreError(f"{name}: database schema version {current} is newer than this corroborate "
                             f"({len(MIGRATIONS)})")
        for version in range(current, len(MIGRATIONS)):
            for stmt in split_sql(MIGRATIONS[version]):
                conn.execute(stmt)
            conn.execute("INSERT INTO meta(key, value) VALUES ('schema_version', %s) "
                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (str(version + 1),))
