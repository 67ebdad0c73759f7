"""SQLite store: one file holds reports, their structure, footnotes, citations, sources and the
search index (FTS5 + embeddings). A report is written in one transaction: a crash or a kill
mid-way leaves the file as it was (SQLite's rollback journal), and the index is always in step.
"""

from __future__ import annotations

import json
import logging
import sqlite3 as _stdlib_sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:  # pysqlite3 ships a recent SQLite that can load sqlite-vec; the stdlib one cannot here
    import pysqlite3.dbapi2 as sqlite3
except ImportError:  # pragma: no cover - exercised only where pysqlite3-binary is missing
    sqlite3 = _stdlib_sqlite3  # type: ignore[no-redef]

from corroborate.models import (
    Citation,
    Footnote,
    GlossaryEntry,
    Report,
    Section,
    Source,
    TorItem,
)
from corroborate.store import rows
from corroborate.store.base import EDITABLE_METADATA, StoreError
from corroborate.store.sidecar import sidecar_path
from corroborate.store.sqlite_alerts import SqliteAlerts
from corroborate.store.sqlite_cases import SqliteCases
from corroborate.store.sqlite_search import SqliteSearch
from corroborate.store.sqlite_users import SqliteUsers

# Each entry migrates from version i to i+1. Never edit a released entry; append a new one.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
    CREATE TABLE reports (
        pk INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        family TEXT NOT NULL,
        version INTEGER NOT NULL DEFAULT 1,
        title TEXT NOT NULL,
        publisher TEXT, published TEXT, cut_off TEXT,
        ref_start TEXT, ref_end TEXT,
        language TEXT, source_hash TEXT NOT NULL, source_path TEXT, format TEXT,
        ingested_at TEXT NOT NULL
    );
    CREATE INDEX reports_hash ON reports(source_hash);
    CREATE TABLE sections (
        pk INTEGER PRIMARY KEY,
        report_pk INTEGER NOT NULL REFERENCES reports(pk) ON DELETE CASCADE,
        parent_pk INTEGER REFERENCES sections(pk) ON DELETE CASCADE,
        ord INTEGER NOT NULL, number TEXT, title TEXT NOT NULL, level INTEGER NOT NULL, page INTEGER
    );
    CREATE INDEX sections_report ON sections(report_pk);
    CREATE TABLE paragraphs (
        pk INTEGER PRIMARY KEY,
        report_pk INTEGER NOT NULL REFERENCES reports(pk) ON DELETE CASCADE,
        section_pk INTEGER NOT NULL REFERENCES sections(pk) ON DELETE CASCADE,
        id TEXT NOT NULL, ord INTEGER NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL,
        page INTEGER, markers TEXT NOT NULL DEFAULT '[]',
        UNIQUE (report_pk, id)
    );
    CREATE INDEX paragraphs_section ON paragraphs(section_pk);
    CREATE TABLE markers (
        paragraph_pk INTEGER NOT NULL REFERENCES paragraphs(pk) ON DELETE CASCADE,
        report_pk INTEGER NOT NULL REFERENCES reports(pk) ON DELETE CASCADE,
        n INTEGER NOT NULL, offset INTEGER NOT NULL
    );
    CREATE INDEX markers_fn ON markers(report_pk, n);
    CREATE INDEX markers_par ON markers(paragraph_pk);
    CREATE TABLE footnotes (
        pk INTEGER PRIMARY KEY,
        report_pk INTEGER NOT NULL REFERENCES reports(pk) ON DELETE CASCADE,
        n INTEGER NOT NULL, text TEXT, page INTEGER, urls TEXT NOT NULL DEFAULT '[]',
        UNIQUE (report_pk, n)
    );
    CREATE TABLE sources (
        id TEXT PRIMARY KEY,
        author TEXT, title TEXT, type TEXT NOT NULL, language TEXT, date TEXT,
        urls TEXT NOT NULL DEFAULT '[]', confidential INTEGER NOT NULL DEFAULT 0,
        kind TEXT NOT NULL DEFAULT 'document'
    );
    CREATE TABLE citations (
        pk INTEGER PRIMARY KEY,
        report_pk INTEGER NOT NULL REFERENCES reports(pk) ON DELETE CASCADE,
        footnote_n INTEGER NOT NULL, ord INTEGER NOT NULL,
        author TEXT, title TEXT, container TEXT, date TEXT, url TEXT, locator TEXT,
        kind TEXT NOT NULL, note TEXT, raw TEXT NOT NULL,
        source_id TEXT REFERENCES sources(id)
    );
    CREATE INDEX citations_fn ON citations(report_pk, footnote_n);
    CREATE INDEX citations_source ON citations(source_id);
    CREATE TABLE glossary (
        report_pk INTEGER NOT NULL REFERENCES reports(pk) ON DELETE CASCADE,
        ord INTEGER NOT NULL, term TEXT NOT NULL, definition TEXT NOT NULL
    );
    CREATE TABLE tor_items (
        pk INTEGER PRIMARY KEY,
        report_pk INTEGER NOT NULL REFERENCES reports(pk) ON DELETE CASCADE,
        parent_pk INTEGER REFERENCES tor_items(pk) ON DELETE CASCADE,
        ord INTEGER NOT NULL, text TEXT NOT NULL
    );
    CREATE TABLE warnings (
        report_pk INTEGER NOT NULL REFERENCES reports(pk) ON DELETE CASCADE,
        ord INTEGER NOT NULL, code TEXT NOT NULL, message TEXT NOT NULL,
        line INTEGER, footnote INTEGER
    );
    CREATE VIRTUAL TABLE paragraphs_fts USING fts5(
        text, content='paragraphs', content_rowid='pk',
        tokenize = "unicode61 remove_diacritics 2"
    );
    CREATE TABLE embeddings (
        paragraph_pk INTEGER PRIMARY KEY REFERENCES paragraphs(pk) ON DELETE CASCADE,
        vector BLOB NOT NULL
    );
    """,
    """
    -- html: inline link spans of paragraphs and notes, the report's own version label and
    -- reference, and its bibliography (so a source consulted but never cited is kept as such)
    ALTER TABLE paragraphs ADD COLUMN links TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE footnotes ADD COLUMN links TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE reports ADD COLUMN edition TEXT;
    ALTER TABLE reports ADD COLUMN reference TEXT;
    CREATE TABLE bibliography (
        report_pk INTEGER NOT NULL REFERENCES reports(pk) ON DELETE CASCADE,
        ord INTEGER NOT NULL, heading TEXT, text TEXT NOT NULL,
        urls TEXT NOT NULL DEFAULT '[]', links TEXT NOT NULL DEFAULT '[]',
        cited INTEGER NOT NULL DEFAULT 1,
        author TEXT, title TEXT, container TEXT, date TEXT, url TEXT,
        kind TEXT NOT NULL DEFAULT 'document', raw TEXT NOT NULL DEFAULT '',
        source_id TEXT REFERENCES sources(id)
    );
    CREATE INDEX bibliography_source ON bibliography(source_id);
    """,
    """
    -- pdf: sources.aliases, the abbreviations (`JS7`, `AI`) a report's key resolves to the source
    ALTER TABLE sources ADD COLUMN aliases TEXT NOT NULL DEFAULT '[]';
    """,
    """
    -- meta: report metadata for library filters (country, document type; publisher, published
    -- and language exist already) and indexes for filtering reports by them
    ALTER TABLE reports ADD COLUMN country TEXT;
    ALTER TABLE reports ADD COLUMN document_type TEXT;
    CREATE INDEX reports_country ON reports(country);
    CREATE INDEX reports_document_type ON reports(document_type)
    """,
    """
    -- auth: users and roles (argon2 password, sha256 of the API token), web sessions, and the
    -- audit log of every write (issue 14). The log keeps the user's name, so it outlives the user.
    CREATE TABLE users (
        pk INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL CHECK (role IN ('admin', 'researcher', 'reader')),
        password_hash TEXT,
        token_hash TEXT UNIQUE,
        token_expires TEXT,
        created_at TEXT NOT NULL
    );
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        user_pk INTEGER NOT NULL REFERENCES users(pk) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        expires TEXT NOT NULL
    );
    CREATE TABLE audit_log (
        pk INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        user TEXT NOT NULL,
        role TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT,
        detail TEXT
    );
    """,
    """
    -- cases (issue 16): a caseworker's file of evidence for one claim. An item points at a
    -- paragraph by report and paragraph id (stable across re-ingest) and a span of it; no foreign
    -- key, so an item whose paragraph disappears is kept and shown as lost. `quote` is the text
    -- quoted when it was added: what shows a lost item, and what checks a kept one still says it.
    -- `owner`: the user's name once users exist; NULL for the database's own (no users).
    CREATE TABLE cases (
        pk INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        language TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'es')),
        owner TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE UNIQUE INDEX cases_owner_name ON cases(COALESCE(owner, ''), name);
    CREATE TABLE case_items (
        pk INTEGER PRIMARY KEY,
        case_pk INTEGER NOT NULL REFERENCES cases(pk) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        report_id TEXT NOT NULL,
        paragraph_id TEXT NOT NULL,
        span_start INTEGER,
        span_end INTEGER,
        quote TEXT NOT NULL,
        footnotes TEXT NOT NULL DEFAULT '[]',
        note TEXT NOT NULL DEFAULT '',
        added_at TEXT NOT NULL
    );
    CREATE INDEX case_items_case ON case_items(case_pk, position);
    """,
    """
    -- alerts: saved searches (a query with its mode, filters and interface language; owned by a
    -- user once users exist, else by the database) and the passages each one has matched, one
    -- row per paragraph id: a paragraph is "new" for a search until a row says it was seen.
    CREATE TABLE saved_searches (
        pk INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        query TEXT NOT NULL,
        mode TEXT NOT NULL DEFAULT 'hybrid',
        filters TEXT NOT NULL DEFAULT '{}',
        language TEXT NOT NULL DEFAULT 'en',
        owner_pk INTEGER REFERENCES users(pk) ON DELETE CASCADE,
        feed_token TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
    );
    CREATE UNIQUE INDEX saved_searches_name ON saved_searches(COALESCE(owner_pk, 0), name);
    CREATE TABLE saved_search_hits (
        search_pk INTEGER NOT NULL REFERENCES saved_searches(pk) ON DELETE CASCADE,
        paragraph_id TEXT NOT NULL,
        report_id TEXT NOT NULL,
        rank INTEGER NOT NULL,
        found_at TEXT NOT NULL,
        PRIMARY KEY (search_pk, paragraph_id)
    );
    CREATE INDEX saved_search_hits_found ON saved_search_hits(found_at);
    """,
    """
    -- the second encoder's vector of a paragraph (search/e5.py), NULL when ingested without it
    ALTER TABLE embeddings ADD COLUMN e5 BLOB;
    """,
    """
    -- whether a paragraph is in the search index (FTS5, embeddings): not the entries of a
    -- report's own list of sources (`Report.searchable_paragraphs`). The index's content is the
    -- view of the searched paragraphs, so FTS5's 'rebuild' and 'integrity-check' read what it
    -- holds; rebuilt here from the same rows (every stored paragraph was searched until now)
    ALTER TABLE paragraphs ADD COLUMN searched INTEGER NOT NULL DEFAULT 1;
    CREATE VIEW searched_paragraphs AS SELECT pk, text FROM paragraphs WHERE searched;
    DROP TABLE paragraphs_fts;
    CREATE VIRTUAL TABLE paragraphs_fts USING fts5(
        text, content='searched_paragraphs', content_rowid='pk',
        tokenize = "unicode61 remove_diacritics 2"
    );
    INSERT INTO paragraphs_fts(paragraphs_fts) VALUES ('rebuild');
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)

BUSY_TIMEOUT_MS = 30_000  # a reader or writer waits this long for a lock before failing
# A writer waits for another process's write transaction in rounds of WRITE_ROUND_MS, saying it
# is waiting after the first round, and gives up (StoreError) after WRITE_WAIT_S in all.
WRITE_ROUND_MS = 2_000
WRITE_WAIT_S = 600
log = logging.getLogger(__name__)


def connect(path: str | Path, readonly: bool = False) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the database at `path`.

    `readonly` opens an existing, migrated file for reading only (the web app's pooled
    connections): SQLite itself refuses any write through it. It may be handed from thread to
    thread, but must be used by one thread at a time (the pool checks it out exclusively).
    """
    path = str(path)
    if path != ":memory:":
        p = Path(path)
        if p.is_dir():
            raise StoreError(f"{path}: is a directory, not a database file")
        if p.exists() and p.stat().st_size > 0:
            with open(p, "rb") as fh:
                if fh.read(16) != b"SQLite format 3\x00":
                    raise StoreError(f"{path}: not a SQLite database")
        if not p.parent.exists():
            raise StoreError(f"{path}: folder {p.parent} does not exist")
        if readonly and not p.exists():
            raise StoreError(f"{path}: no such database")
    try:
        if readonly:
            uri = Path(path).resolve().as_uri() + "?mode=ro"
            conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        else:
            # Not tied to its thread either: a web request's writer is opened by a dependency and
            # used by the endpoint, which FastAPI may run on another worker thread. One owner at
            # a time (a request, a CLI command) is what keeps it safe.
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if readonly:
            _check_version(conn, path)
            return conn
        conn.execute("PRAGMA foreign_keys = ON")
        # WAL: readers never block the writer nor each other, and see a consistent snapshot.
        conn.execute("PRAGMA journal_mode = WAL")
        _migrate(conn)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: {exc}") from exc
    return conn


def _check_version(conn: sqlite3.Connection, path: str) -> None:
    row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    if row is None or int(row[0]) != len(MIGRATIONS):
        raise StoreError(f"{path}: schema version {row[0] if row else 0} is not this corroborate's "
                         f"({len(MIGRATIONS)}); open it read-write once to migrate it")


def _migrate(conn: sqlite3.Connection) -> None:
    has_meta = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'"
    ).fetchone()
    current = 0
    if has_meta:
        row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        current = int(row[0]) if row else 0
    if current > len(MIGRATIONS):
        raise StoreError(
            f"database schema version {current} is newer than this corroborate ({len(MIGRATIONS)})"
        )
    for version in range(current, len(MIGRATIONS)):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for stmt in rows.split_sql(MIGRATIONS[version]):
                conn.execute(stmt)
            conn.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)",
                (str(version + 1),),
            )
            conn.execute("COMMIT")
        except Exception:
            conn.execute("ROLLBACK")
            raise


class SqliteStore(SqliteSearch, SqliteUsers, SqliteCases, SqliteAlerts):
    """The library's evidence base in one SQLite file (implements `store.base.Store`)."""

    def __init__(self, path: str | Path, readonly: bool = False):
        self.path = str(path)
        self.readonly = readonly
        self.conn = connect(self.path, readonly)
        self._depth = 0  # transactions opened and not yet closed: inner ones join the outer

    def close(self) -> None:
        self.conn.close()

    def derived_path(self, name: str) -> Path | None:
        return sidecar_path(self.path, name)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._write():
            yield

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        if self._depth:
            self._depth += 1
            try:
                yield self.conn
            finally:
                self._depth -= 1
            return
        self._begin_write()
        self._depth = 1
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")
        finally:
            self._depth = 0

    def _begin_write(self) -> None:
        """Take the file's one write lock. Several processes may write (four ingests, the web
        app): each waits its turn, telling the user so, instead of failing on a busy file."""
        started = time.monotonic()
        said = False
        self.conn.execute(f"PRAGMA busy_timeout = {WRITE_ROUND_MS}")
        try:
            while True:
                try:
                    self.conn.execute("BEGIN IMMEDIATE")
                    break
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc) and "busy" not in str(exc):
                        raise
                    waited = time.monotonic() - started
                    if waited >= WRITE_WAIT_S:
                        raise StoreError(f"{self.path}: database is busy: another process has been "
                                         f"writing for over {waited:.0f} s; try again later") from None
                    if not said:
                        log.warning("%s: database is busy (another process is writing), retrying", self.path)
                        said = True
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if said:
            log.warning("%s: database free after %.1f s, writing", self.path, time.monotonic() - started)

    # --- reports -------------------------------------------------------------------------

    def find_by_hash(self, source_hash: str) -> str | None:
        row = self.conn.execute(
            "SELECT id FROM reports WHERE source_hash = ?", (source_hash,)
        ).fetchone()
        return row["id"] if row else None

    def family_ids(self, family: str) -> list[str]:
        rows = self.conn.execute(
            "SELECT id FROM reports WHERE family = ? ORDER BY version", (family,)
        ).fetchall()
        return [r["id"] for r in rows]

    def next_version(self, family: str) -> int:
        row = self.conn.execute(
            "SELECT COALESCE(MAX(version), 0) FROM reports WHERE family = ?", (family,)
        ).fetchone()
        return int(row[0]) + 1

    def save_report(
        self,
        report: Report,
        family: str,
        sources: list[Source],
        embeddings: list[bytes] | None = None,
        replace_ids: list[str] | None = None,
        e5: list[bytes] | None = None,
    ) -> None:
        """Write `report` (and the index) in one transaction; first drop `replace_ids`.

        `embeddings`, when given, holds one float32 vector (as bytes) per paragraph the search
        index holds, in `report.searchable_paragraphs()` order; `e5` the second encoder's vectors
        in the same order.
        """
        with self._write() as c:
            for rid in replace_ids or []:
                self._delete(c, rid)
            self._insert(c, report, family, sources, embeddings, e5)
            # Purged only now, so a replaced report's sources (and their confidential flag)
            # are kept when the new version still cites them.
            self._purge_orphan_sources(c)

    def _insert(self, c, report: Report, family: str, sources: list[Source], embeddings, e5=None) -> None:
        cur = c.execute(
            """INSERT INTO reports(id, family, version, title, publisher, published, cut_off,
                   ref_start, ref_end, language, source_hash, source_path, format, ingested_at,
                   edition, reference, country, document_type)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
            (
                report.id, family, report.version, report.title, report.publisher,
                report.published, report.cut_off, report.reference_period.start,
                report.reference_period.end, report.language, report.source_hash,
                report.source_path, report.format, rows.now(), report.edition, report.reference,
                report.country, report.document_type,
            ),
        )
        rpk = cur.lastrowid
        for src in sources:
            # Upsert but never overwrite `confidential`: a reviewer's decision outlives re-ingest.
            # A source shared by several reports keeps the latest date and every URL (first
            # seen first), so ingesting one report does not erase what another contributed.
            c.execute(
                """INSERT INTO sources(id, author, title, type, language, date, urls, kind, aliases)
                   VALUES (?,?,?,?,?,?,?,?,?)
                   ON CONFLICT(id) DO UPDATE SET author=excluded.author, title=excluded.title,
                     type=excluded.type, language=excluded.language,
                     date=CASE WHEN sources.date IS NULL OR excluded.date > sources.date
                               THEN excluded.date ELSE sources.date END,
                     urls=(SELECT json_group_array(value) FROM (
                             SELECT value, MIN(o) AS o FROM (
                               SELECT value, key AS o FROM json_each(sources.urls)
                               UNION ALL SELECT value, 100000 + key FROM json_each(excluded.urls))
                             GROUP BY value ORDER BY o)),
                     kind=excluded.kind,
                     aliases=(SELECT json_group_array(value) FROM (
                             SELECT DISTINCT value FROM (
                               SELECT value FROM json_each(sources.aliases)
                               UNION ALL SELECT value FROM json_each(excluded.aliases))))""",
                (src.id, src.author, src.title, src.type.value, src.language, src.date,
                 json.dumps(src.urls), src.kind.value, json.dumps(src.aliases)),
            )
        vectors = iter(rows.vector_pairs(embeddings, e5)) if embeddings is not None else None
        searchable = {id(p) for p in report.searchable_paragraphs()}
        ord_ = 0
        for top in report.sections:
            ord_ = self._insert_section(c, rpk, None, top, ord_, vectors, searchable)
        for fn in report.footnotes:
            c.execute(
                "INSERT INTO footnotes(report_pk, n, text, page, urls, links) VALUES (?,?,?,?,?,?)",
                (rpk, fn.n, fn.text, fn.page, json.dumps(fn.urls), rows.links_json(fn.links)),
            )
            for i, cit in enumerate(fn.citations):
                c.execute(
                    """INSERT INTO citations(report_pk, footnote_n, ord, author, title, container,
                           date, url, locator, kind, note, raw, source_id)
                       VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)""",
                    (rpk, fn.n, i, cit.author, cit.title, cit.container, cit.date, cit.url,
                     cit.locator, cit.kind.value, cit.note, cit.raw, cit.source_id),
                )
        for i, entry in enumerate(report.bibliography):
            cit = entry.citation or Citation(raw=entry.text)
            c.execute(
                """INSERT INTO bibliography(report_pk, ord, heading, text, urls, links, cited, author,
                       title, container, date, url, kind, raw, source_id)
                   VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
                (rpk, i, entry.heading, entry.text, json.dumps(entry.urls), rows.links_json(entry.links),
                 int(entry.cited), cit.author, cit.title, cit.container, cit.date, cit.url,
                 cit.kind.value, cit.raw, cit.source_id),
            )
        for i, g in enumerate(report.glossary):
            c.execute(
                "INSERT INTO glossary(report_pk, ord, term, definition) VALUES (?,?,?,?)",
                (rpk, i, g.term, g.definition),
            )
        for i, item in enumerate(report.terms_of_reference):
            self._insert_tor(c, rpk, None, item, i)
        for i, w in enumerate(report.warnings):
            c.execute(
                "INSERT INTO warnings(report_pk, ord, code, message, line, footnote) VALUES (?,?,?,?,?,?)",
                (rpk, i, w.code, w.message, w.line, w.footnote),
            )

    def _insert_section(self, c, rpk, parent_pk, section: Section, ord_: int, vectors,
                        searchable: set[int]) -> int:
        """`searchable`: the paragraphs (by object id) that enter the search index, FTS5 and
        embeddings: `Report.searchable_paragraphs`, whose order `vectors` follows."""
        cur = c.execute(
            """INSERT INTO sections(report_pk, parent_pk, ord, number, title, level, page)
               VALUES (?,?,?,?,?,?,?)""",
            (rpk, parent_pk, ord_, section.number, section.title, section.level, section.page),
        )
        spk = cur.lastrowid
        ord_ += 1
        for p in section.paragraphs:
            searched = id(p) in searchable
            cur = c.execute(
                """INSERT INTO paragraphs(report_pk, section_pk, id, ord, kind, text, page, markers, links, searched)
                   VALUES (?,?,?,?,?,?,?,?,?,?)""",
                (rpk, spk, p.id, p.order, p.kind.value, p.text, p.page,
                 json.dumps([m.model_dump() for m in p.markers]), rows.links_json(p.links), int(searched)),
            )
            ppk = cur.lastrowid
            if searched:
                c.execute("INSERT INTO paragraphs_fts(rowid, text) VALUES (?, ?)", (ppk, p.text))
            for m in p.markers:
                c.execute(
                    "INSERT INTO markers(paragraph_pk, report_pk, n, offset) VALUES (?,?,?,?)",
                    (ppk, rpk, m.n, m.offset),
                )
            if vectors is not None and searched:
                vector, e5_vector = next(vectors, (None, None))
                if vector is None:
                    raise ValueError("fewer embeddings than paragraphs")
                c.execute("INSERT INTO embeddings(paragraph_pk, vector, e5) VALUES (?, ?, ?)",
                          (ppk, vector, e5_vector))
        for child in section.sections:
            ord_ = self._insert_section(c, rpk, spk, child, ord_, vectors, searchable)
        return ord_

    def _insert_tor(self, c, rpk, parent_pk, item: TorItem, ord_: int) -> None:
        cur = c.execute(
            "INSERT INTO tor_items(report_pk, parent_pk, ord, text) VALUES (?,?,?,?)",
            (rpk, parent_pk, ord_, item.text),
        )
        for i, child in enumerate(item.items):
            self._insert_tor(c, rpk, cur.lastrowid, child, i)

    def delete_report(self, report_id: str) -> bool:
        with self._write() as c:
            found = self._delete(c, report_id)
            self._purge_orphan_sources(c)
            return found

    def _delete(self, c, report_id: str) -> bool:
        row = c.execute("SELECT pk FROM reports WHERE id = ?", (report_id,)).fetchone()
        if not row:
            return False
        rpk = row["pk"]
        # FTS5 external-content tables must be told what is removed, row by row.
        c.execute(
            """INSERT INTO paragraphs_fts(paragraphs_fts, rowid, text)
               SELECT 'delete', pk, text FROM paragraphs WHERE report_pk = ? AND searched""",
            (rpk,),
        )
        c.execute("DELETE FROM reports WHERE pk = ?", (rpk,))
        return True

    def _purge_orphan_sources(self, c) -> None:
        c.execute(
            "DELETE FROM sources WHERE id NOT IN (SELECT source_id FROM citations "
            "WHERE source_id IS NOT NULL UNION SELECT source_id FROM bibliography "
            "WHERE source_id IS NOT NULL)"
        )

    def list_reports(self, report_id: str | None = None) -> list[dict]:
        """Reports with their counts; all of them, or only `report_id`."""
        rows = self.conn.execute(
            """SELECT r.id, r.title, r.version, r.family, r.published, r.cut_off, r.format,
                      r.source_path, r.ingested_at, r.country, r.publisher, r.document_type,
                      r.language,
                      (SELECT COUNT(*) FROM sections s WHERE s.report_pk = r.pk) AS sections,
                      (SELECT COUNT(*) FROM paragraphs p WHERE p.report_pk = r.pk) AS paragraphs,
                      (SELECT COUNT(*) FROM footnotes f WHERE f.report_pk = r.pk) AS footnotes,
                      (SELECT COUNT(*) FROM warnings w WHERE w.report_pk = r.pk) AS warnings
               FROM reports r WHERE ? IS NULL OR r.id = ? ORDER BY r.family, r.version""",
            (report_id, report_id),
        ).fetchall()
        return [dict(r) for r in rows]

    def report_ids(self) -> list[str]:
        return [r["id"] for r in self.conn.execute("SELECT id FROM reports ORDER BY id")]

    def set_report_metadata(self, report_id: str, values: dict[str, str | None]) -> bool:
        """Overwrite some of a report's EDITABLE_METADATA; False when there is no such report."""
        unknown = set(values) - set(EDITABLE_METADATA)
        if unknown:
            raise ValueError(f"not editable report metadata: {', '.join(sorted(unknown))}")
        with self._write() as c:
            if not values:
                return c.execute("SELECT 1 FROM reports WHERE id = ?", (report_id,)).fetchone() is not None
            sets = ", ".join(f"{k} = ?" for k in values)  # keys checked against EDITABLE_METADATA
            cur = c.execute(f"UPDATE reports SET {sets} WHERE id = ?", [*values.values(), report_id])
            return cur.rowcount > 0

    def report_pk(self, report_id: str) -> int | None:
        row = self.conn.execute("SELECT pk FROM reports WHERE id = ?", (report_id,)).fetchone()
        return row["pk"] if row else None

    _report_header = staticmethod(rows.report_header)
    _paragraph = staticmethod(rows.paragraph)
    _source_from_row = staticmethod(rows.source)

    def _footnotes(self, rpk: int, numbers: list[int] | None = None) -> list[Footnote]:
        """The report's footnotes with their citations: all, or only `numbers`."""
        c = self.conn
        only, args = "", [rpk]
        if numbers is not None:
            only = f" AND {{n}} IN ({','.join('?' * len(numbers))})"
            args += numbers
        return rows.footnotes(
            c.execute("SELECT * FROM footnotes WHERE report_pk = ?" + only.format(n="n") + " ORDER BY n", args).fetchall(),
            c.execute("SELECT * FROM citations WHERE report_pk = ?" + only.format(n="footnote_n")
                      + " ORDER BY footnote_n, ord", args).fetchall(),
        )

    def load_excerpt(self, report_id: str, paragraph_ids: list[str]) -> Report | None:
        """The report's header with only `paragraph_ids`, each in a copy of its section (no other
        paragraphs, no subsections), and only the footnotes they cite: what a page needs to
        quote and cite a few paragraphs, at a small fraction of `load_report`'s cost."""
        c = self.conn
        r = c.execute("SELECT * FROM reports WHERE id = ?", (report_id,)).fetchone()
        if not r:
            return None
        report = self._report_header(r)
        ids = list(dict.fromkeys(paragraph_ids))
        found = []
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            found += c.execute(
                f"""SELECT p.*, s.number AS s_number, s.title AS s_title, s.level AS s_level,
                           s.page AS s_page, s.ord AS s_ord
                    FROM paragraphs p JOIN sections s ON s.pk = p.section_pk
                    WHERE p.report_pk = ? AND p.id IN ({','.join('?' * len(chunk))})""",
                [r["pk"], *chunk],
            ).fetchall()
        tree = c.execute("SELECT pk, parent_pk, number FROM sections WHERE report_pk = ?", (r["pk"],)).fetchall()
        report.sections, numbers = rows.excerpt_sections(found, tree)
        report.footnotes = self._footnotes(r["pk"], numbers)
        return report

    def load_report(self, report_id: str) -> Report | None:
        c = self.conn
        r = c.execute("SELECT * FROM reports WHERE id = ?", (report_id,)).fetchone()
        if not r:
            return None
        rpk = r["pk"]

        def ordered(table: str, by: str = "ord", columns: str = "*"):
            return c.execute(f"SELECT {columns} FROM {table} WHERE report_pk = ? ORDER BY {by}", (rpk,)).fetchall()

        return rows.fill_report(
            self._report_header(r), section_rows=ordered("sections"), paragraph_rows=ordered("paragraphs"),
            notes=self._footnotes(rpk), bibliography_rows=ordered("bibliography"),
            glossary_rows=ordered("glossary", columns="term, definition"), tor_rows=ordered("tor_items", by="pk"),
            warning_rows=ordered("warnings"),
        )

    # --- sources -------------------------------------------------------------------------

    # A source is cited when a note cites it or a bibliography lists it as cited; a source only
    # listed as consulted is not. `?` twice: a report id, or NULL for the whole library.
    _CITED = """(EXISTS (SELECT 1 FROM citations c2 JOIN reports r2 ON r2.pk = c2.report_pk
                         WHERE c2.source_id = s.id AND (? IS NULL OR r2.id = ?))
                 OR EXISTS (SELECT 1 FROM bibliography b2 JOIN reports r3 ON r3.pk = b2.report_pk
                            WHERE b2.source_id = s.id AND b2.cited = 1 AND (? IS NULL OR r3.id = ?)))"""

    def list_sources(self, report_id: str | None = None, source_type: str | None = None) -> list[dict]:
        """Each source once, with how many footnotes and paragraphs cite it; sources a report
        only lists in its bibliography are included with zero counts (`cited` false when it
        lists them as consulted but not cited)."""
        r = (report_id, report_id)
        sql = f"""
            SELECT s.*, {self._CITED} AS cited,
                   COUNT(DISTINCT ct.report_pk || ':' || ct.footnote_n) AS footnotes,
                   COUNT(DISTINCT m.paragraph_pk) AS paragraphs,
                   COUNT(DISTINCT ct.pk) AS citations
            FROM sources s
            LEFT JOIN citations ct ON ct.source_id = s.id
                 AND (? IS NULL OR ct.report_pk = (SELECT pk FROM reports WHERE id = ?))
            LEFT JOIN markers m ON m.report_pk = ct.report_pk AND m.n = ct.footnote_n
            WHERE s.id IN (SELECT c3.source_id FROM citations c3 JOIN reports r4 ON r4.pk = c3.report_pk
                           WHERE ? IS NULL OR r4.id = ?
                           UNION SELECT b4.source_id FROM bibliography b4 JOIN reports r5 ON r5.pk = b4.report_pk
                           WHERE ? IS NULL OR r5.id = ?)
              AND (? IS NULL OR s.type = ?)
            GROUP BY s.id ORDER BY footnotes DESC, s.author, s.title
        """
        out = []
        for row in self.conn.execute(sql, [*r, *r, *r, *r, *r, source_type, source_type]).fetchall():
            d = self._source_from_row(row).model_dump(mode="json")
            d.update(footnotes=row["footnotes"], paragraphs=row["paragraphs"],
                     citations=row["citations"])
            out.append(d)
        return out

    def get_source(self, source_id: str) -> Source | None:
        row = self.conn.execute(f"SELECT s.*, {self._CITED} AS cited FROM sources s WHERE s.id = ?",
                                (None, None, None, None, source_id)).fetchone()
        return self._source_from_row(row) if row else None

    def get_sources(self, source_ids: list[str]) -> dict[str, Source]:
        """The sources with these ids (unknown ids are left out), in one query per 500."""
        ids = list(dict.fromkeys(source_ids))
        out: dict[str, Source] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            for row in self.conn.execute(
                f"SELECT s.*, {self._CITED} AS cited FROM sources s"
                f" WHERE s.id IN ({','.join('?' * len(chunk))})", [None, None, None, None, *chunk]
            ).fetchall():
                out[row["id"]] = self._source_from_row(row)
        return out

    def source_citations(self, source_id: str) -> list[dict]:
        """Every citation of a source with its footnote and the paragraphs carrying the marker."""
        rows = self.conn.execute(
            """SELECT r.id AS report_id, ct.footnote_n, ct.locator, ct.date, ct.raw, ct.url,
                      f.text AS footnote_text
               FROM citations ct JOIN reports r ON r.pk = ct.report_pk
               LEFT JOIN footnotes f ON f.report_pk = ct.report_pk AND f.n = ct.footnote_n
               WHERE ct.source_id = ? ORDER BY r.id, ct.footnote_n, ct.ord""",
            (source_id,),
        ).fetchall()
        out = []
        for row in rows:
            pars = self.conn.execute(
                """SELECT p.id, p.text, s.number, s.title FROM markers m
                   JOIN paragraphs p ON p.pk = m.paragraph_pk
                   JOIN sections s ON s.pk = p.section_pk
                   JOIN reports r ON r.pk = m.report_pk
                   WHERE r.id = ? AND m.n = ? ORDER BY p.ord""",
                (row["report_id"], row["footnote_n"]),
            ).fetchall()
            d = dict(row)
            d["paragraphs"] = [
                {"id": p["id"], "text": p["text"], "section": p["number"] or p["title"],
                 "section_title": p["title"]}
                for p in pars
            ]
            out.append(d)
        return out

    def set_confidential(self, source_id: str, confidential: bool) -> bool:
        with self._write() as c:
            cur = c.execute(
                "UPDATE sources SET confidential = ? WHERE id = ?", (int(confidential), source_id)
            )
            return cur.rowcount > 0

    def confidential_sources(self) -> list[Source]:
        rows = self.conn.execute("SELECT * FROM sources WHERE confidential = 1 ORDER BY id").fetchall()
        return [self._source_from_row(r) for r in rows]

    def contents_key(self) -> str:
        """Changes whenever a report is added, replaced or deleted (ids and content hashes)."""
        row = self.conn.execute("SELECT group_concat(id || ':' || source_hash, ',') FROM reports").fetchone()
        return row[0] or ""

    def texts_naming(self, names: list[str]) -> tuple[list[str], list[GlossaryEntry]]:
        """Paragraphs and glossary entries of the whole library that contain any of `names`
        (where a confidential source's long form or acronym is spelled out)."""
        texts: dict[str, None] = {}
        glossary: list[GlossaryEntry] = []
        for name in names:
            for r in self.conn.execute("SELECT text FROM paragraphs WHERE instr(text, ?) > 0", (name,)):
                texts[r["text"]] = None
            for g in self.conn.execute(
                "SELECT term, definition FROM glossary WHERE term = ? OR instr(definition, ?) > 0", (name, name)
            ):
                glossary.append(GlossaryEntry(term=g["term"], definition=g["definition"]))
        return list(texts), glossary

    def paragraph_text(self, report_id: str, paragraph_id: str) -> str | None:
        row = self.conn.execute(
            "SELECT p.text FROM paragraphs p JOIN reports r ON r.pk = p.report_pk WHERE r.id = ? AND p.id = ?",
            (report_id, paragraph_id),
        ).fetchone()
        return row["text"] if row else None
