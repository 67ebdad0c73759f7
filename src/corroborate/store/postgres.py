"""PostgreSQL store: the same evidence base as `sqlite.py` in a server database that many
processes write and read at once (`--db postgresql://user@host:port/name`).

Connections come from one psycopg_pool per database node (`store/replicas.py`: writes on the
primary, other reads on a replica of CORROBORATE_DB_REPLICAS), shared by every thread of the process
(the web app hands the same `PostgresStore` to all its requests). Each read borrows a connection for
one statement (autocommit); `transaction()` pins one connection to the calling thread until it
commits, so the writes inside it, and the reads between them, see one snapshot of their own.

Schema as in SQLite (a MIGRATIONS list and `meta.schema_version`), with these differences:
- text columns use the "C" collation: ids, dates and names sort and compare byte-wise as in
  SQLite, whatever the database's locale, so both backends order results alike;
- `paragraphs.tsv` (tsvector, GIN index) replaces FTS5: built with `corroborate_en` or
  `corroborate_es` (unaccent, then the English or Spanish Snowball stemmer) after the
  paragraph's language (`ts_lang`, from its report's language; Spanish only when it is Spanish);
- `meta.generation` counts committed report writes: the index fingerprint that keys the
  in-process vector and vocabulary caches costs one row read instead of a scan of `reports`.
Embeddings are float32 `bytea`, one per paragraph, searched in process as with SQLite.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from corroborate.models import (
    Footnote,
    GlossaryEntry,
    Report,
    Source,
)
from corroborate.store import rows
from corroborate.store.base import EDITABLE_METADATA, StoreError
from corroborate.store.postgres_cases import PostgresCases
from corroborate.store.postgres_schema import migrate
from corroborate.store.postgres_search import PostgresSearch
from corroborate.store.postgres_users import PostgresUsers
from corroborate.store.postgres_write import PostgresWriter

POOL_SIZE = 16  # connections per process; the web app bounds concurrent requests below this
CONNECT_TIMEOUT_S = 10


def public_url(url: str) -> str:
    """The URL without its password: what messages and cache keys may show."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}@{netloc[1]}"))


class PostgresStore(PostgresWriter, PostgresSearch, PostgresUsers, PostgresCases):
    """The library's evidence base in a PostgreSQL database (implements `store.base.Store`)."""

    def __init__(self, url: str, pool_size: int = POOL_SIZE, replicas: list[str] | None = None):
        """`replicas`: hot standbys reads may go to (default: CORROBORATE_DB_REPLICAS)."""
        import psycopg
        from psycopg.rows import dict_row

        from corroborate.store.replicas import ReplicaRouter, replica_urls_from_env

        self.url = url
        self.path = public_url(url)
        self._local = threading.local()
        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S) as conn:
                migrate(conn, self.path)
        except psycopg.Error as exc:
            raise StoreError(f"{self.path}: {str(exc).strip()}") from exc
        # Writes and transactions on the primary, other reads on a replica (store/replicas.py).
        self._router = ReplicaRouter(
            url, replica_urls_from_env() if replicas is None else replicas, max_size=pool_size,
            connect_kwargs={"autocommit": True, "row_factory": dict_row, "connect_timeout": CONNECT_TIMEOUT_S},
        )

    def close(self) -> None:
        self._router.close()

    def derived_path(self, name: str) -> Path | None:
        """A file in the user's cache folder, named after the database: there is no folder
        beside a server database to keep it in."""
        from corroborate.search.model_cache import cache_dir

        folder = cache_dir()
        if folder is None:
            return None
        folder.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256(self.path.encode()).hexdigest()[:16]
        return folder / f"pg-{digest}.{name}"

    # --- connections -----------------------------------------------------------------------

    @contextmanager
    def _conn(self) -> Iterator:
        """The thread's transaction connection if it is in one, else a primary one (writes)."""
        pinned = getattr(self._local, "conn", None)
        if pinned is not None:
            yield pinned
            return
        with self._router.primary() as conn:
            yield conn

    def _read(self, work):
        """`work(conn)` in the thread's transaction if it is in one, else on a replica that has
        this process's writes (or the primary). Outside a transaction, `_all` and `_one` only read."""
        pinned = getattr(self._local, "conn", None)
        if pinned is not None:
            return work(pinned)
        return self._router.read(work)

    def _all(self, sql: str, args=()) -> list[dict]:
        return self._read(lambda conn: conn.execute(sql, args).fetchall())

    def _one(self, sql: str, args=()) -> dict | None:
        return self._read(lambda conn: conn.execute(sql, args).fetchone())

    def _run(self, sql: str, args=()) -> int:
        """Execute a write; the number of rows it touched."""
        with self._conn() as conn:
            return conn.execute(sql, args).rowcount

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if getattr(self._local, "conn", None) is not None:
            yield  # joins the thread's open transaction
            return
        with self._router.primary() as conn, conn.transaction():
            self._local.conn = conn
            try:
                yield
            finally:
                self._local.conn = None

    def _bump_generation(self) -> None:
        # Last statement of a report write: the row lock is held only until the commit, so
        # concurrent ingests serialise on it for an instant, not for their whole transaction.
        self._run("UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'generation'")

    # --- reports ---------------------------------------------------------------------------

    def find_by_hash(self, source_hash: str) -> str | None:
        row = self._one("SELECT id FROM reports WHERE source_hash = %s ORDER BY pk LIMIT 1", (source_hash,))
        return row["id"] if row else None

    def family_ids(self, family: str) -> list[str]:
        return [r["id"] for r in self._all("SELECT id FROM reports WHERE family = %s ORDER BY version", (family,))]

    def next_version(self, family: str) -> int:
        row = self._one("SELECT COALESCE(MAX(version), 0) AS v FROM reports WHERE family = %s", (family,))
        return int(row["v"]) + 1

    def save_report(self, report: Report, family: str, sources: list[Source],
                    embeddings: list[bytes] | None = None, replace_ids: list[str] | None = None,
                    e5: list[bytes] | None = None) -> None:
        """Write `report` (and the index) in one transaction; first drop `replace_ids`."""
        with self.transaction():
            for rid in replace_ids or []:
                self._delete(rid)
            self._insert(report, family, sources, embeddings, e5)
            # Purged only now, so a replaced report's sources (and their confidential flag)
            # are kept when the new version still cites them.
            self._purge_orphan_sources()
            self._bump_generation()

    def delete_report(self, report_id: str) -> bool:
        with self.transaction():
            found = self._delete(report_id)
            self._purge_orphan_sources()
            self._bump_generation()
            return found

    def _delete(self, report_id: str) -> bool:
        return self._run("DELETE FROM reports WHERE id = %s", (report_id,)) > 0

    def _purge_orphan_sources(self) -> None:
        self._run(
            "DELETE FROM sources s WHERE NOT EXISTS (SELECT 1 FROM citations c WHERE c.source_id = s.id) "
            "AND NOT EXISTS (SELECT 1 FROM bibliography b WHERE b.source_id = s.id)"
        )

    def list_reports(self, report_id: str | None = None) -> list[dict]:
        """Reports with their counts; all of them, or only `report_id`."""
        return self._all(
            """SELECT r.id, r.title, r.version, r.family, r.published, r.cut_off, r.format,
                      r.source_path, r.ingested_at, r.country, r.publisher, r.document_type,
                      r.language,
                      (SELECT COUNT(*) FROM sections s WHERE s.report_pk = r.pk) AS sections,
                      (SELECT COUNT(*) FROM paragraphs p WHERE p.report_pk = r.pk) AS paragraphs,
                      (SELECT COUNT(*) FROM footnotes f WHERE f.report_pk = r.pk) AS footnotes,
                      (SELECT COUNT(*) FROM warnings w WHERE w.report_pk = r.pk) AS warnings
               FROM reports r WHERE %s::text IS NULL OR r.id = %s ORDER BY r.family, r.version""",
            (report_id, report_id),
        )

    def report_ids(self) -> list[str]:
        return [r["id"] for r in self._all("SELECT id FROM reports ORDER BY id")]

    def report_exists(self, report_id: str) -> bool:
        return self.report_pk(report_id) is not None

    def report_pk(self, report_id: str) -> int | None:
        row = self._one("SELECT pk FROM reports WHERE id = %s", (report_id,))
        return row["pk"] if row else None

    def set_report_metadata(self, report_id: str, values: dict[str, str | None]) -> bool:
        """Overwrite some of a report's EDITABLE_METADATA; False when there is no such report."""
        unknown = set(values) - set(EDITABLE_METADATA)
        if unknown:
            raise ValueError(f"not editable report metadata: {', '.join(sorted(unknown))}")
        with self.transaction():
            if not values:
                return self.report_pk(report_id) is not None
            sets = ", ".join(f"{k} = %s" for k in values)  # keys checked against EDITABLE_METADATA
            return self._run(f"UPDATE reports SET {sets} WHERE id = %s", [*values.values(), report_id]) > 0

    def _footnotes(self, rpk: int, numbers: list[int] | None = None) -> list[Footnote]:
        """The report's footnotes with their citations: all, or only `numbers`."""
        only = "" if numbers is None else " AND {n} = ANY(%s)"
        args: list = [rpk] if numbers is None else [rpk, numbers]
        return rows.footnotes(
            self._all("SELECT * FROM footnotes WHERE report_pk = %s" + only.format(n="n") + " ORDER BY n", args),
            self._all("SELECT * FROM citations WHERE report_pk = %s" + only.format(n="footnote_n")
                      + " ORDER BY footnote_n, ord", args),
        )

    def load_excerpt(self, report_id: str, paragraph_ids: list[str]) -> Report | None:
        """The report's header with only `paragraph_ids`, each in a copy of its section, and
        only the footnotes they cite (see `SqliteStore.load_excerpt`)."""
        r = self._one("SELECT * FROM reports WHERE id = %s", (report_id,))
        if not r:
            return None
        report = rows.report_header(r)
        report.sections, numbers = rows.excerpt_sections(self._all(
            """SELECT p.*, s.number AS s_number, s.title AS s_title, s.level AS s_level,
                      s.page AS s_page, s.ord AS s_ord
               FROM paragraphs p JOIN sections s ON s.pk = p.section_pk
               WHERE p.report_pk = %s AND p.id = ANY(%s)""",
            (r["pk"], list(dict.fromkeys(paragraph_ids))),
        ), self._all("SELECT pk, parent_pk, number FROM sections WHERE report_pk = %s", (r["pk"],)))
        report.footnotes = self._footnotes(r["pk"], numbers)
        return report

    def load_report(self, report_id: str) -> Report | None:
        r = self._one("SELECT * FROM reports WHERE id = %s", (report_id,))
        if not r:
            return None
        rpk = r["pk"]

        def ordered(table: str, by: str = "ord", columns: str = "*"):
            return self._all(f"SELECT {columns} FROM {table} WHERE report_pk = %s ORDER BY {by}", (rpk,))

        return rows.fill_report(
            rows.report_header(r), section_rows=ordered("sections"),
            paragraph_rows=ordered("paragraphs", columns="id, section_pk, ord, kind, text, page, markers, links"),
            notes=self._footnotes(rpk), bibliography_rows=ordered("bibliography"),
            glossary_rows=ordered("glossary", columns="term, definition"), tor_rows=ordered("tor_items", by="pk"),
            warning_rows=ordered("warnings"),
        )

    def paragraph_text(self, report_id: str, paragraph_id: str) -> str | None:
        row = self._one("SELECT p.text FROM paragraphs p JOIN reports r ON r.pk = p.report_pk "
                        "WHERE r.id = %s AND p.id = %s", (report_id, paragraph_id))
        return row["text"] if row else None

    def contents_key(self) -> str:
        """Changes whenever a report is added, replaced or deleted (ids and content hashes)."""
        row = self._one("SELECT string_agg(id || ':' || source_hash, ',' ORDER BY pk) AS k FROM reports")
        return row["k"] or ""

    def texts_naming(self, names: list[str]) -> tuple[list[str], list[GlossaryEntry]]:
        """Paragraphs and glossary entries that contain any of `names` (case-sensitive)."""
        texts: dict[str, None] = {}
        glossary: list[GlossaryEntry] = []
        for name in names:
            for r in self._all("SELECT text FROM paragraphs WHERE strpos(text, %s) > 0 ORDER BY pk", (name,)):
                texts[r["text"]] = None
            for g in self._all("SELECT term, definition FROM glossary WHERE term = %s OR strpos(definition, %s) > 0",
                               (name, name)):
                glossary.append(GlossaryEntry(term=g["term"], definition=g["definition"]))
        return list(texts), glossary

    # --- sources ---------------------------------------------------------------------------

    # A source is cited when a note cites it or a bibliography lists it as cited (as in SQLite).
    _CITED = """(EXISTS (SELECT 1 FROM citations c2 JOIN reports r2 ON r2.pk = c2.report_pk
                         WHERE c2.source_id = s.id AND (%(report)s::text IS NULL OR r2.id = %(report)s))
                 OR EXISTS (SELECT 1 FROM bibliography b2 JOIN reports r3 ON r3.pk = b2.report_pk
                            WHERE b2.source_id = s.id AND b2.cited = 1
                              AND (%(report)s::text IS NULL OR r3.id = %(report)s)))"""

    def list_sources(self, report_id: str | None = None, source_type: str | None = None) -> list[dict]:
        """Each source once, with how many footnotes and paragraphs cite it (see SqliteStore)."""
        sql = f"""
            SELECT s.*, {self._CITED} AS cited,
                   COUNT(DISTINCT ct.report_pk || ':' || ct.footnote_n) AS footnotes,
                   COUNT(DISTINCT m.paragraph_pk) AS paragraphs,
                   COUNT(DISTINCT ct.pk) AS citations
            FROM sources s
            LEFT JOIN citations ct ON ct.source_id = s.id
                 AND (%(report)s::text IS NULL OR ct.report_pk = (SELECT pk FROM reports WHERE id = %(report)s))
            LEFT JOIN markers m ON m.report_pk = ct.report_pk AND m.n = ct.footnote_n
            WHERE s.id IN (SELECT c3.source_id FROM citations c3 JOIN reports r4 ON r4.pk = c3.report_pk
                           WHERE %(report)s::text IS NULL OR r4.id = %(report)s
                           UNION SELECT b4.source_id FROM bibliography b4 JOIN reports r5 ON r5.pk = b4.report_pk
                           WHERE %(report)s::text IS NULL OR r5.id = %(report)s)
              AND (%(type)s::text IS NULL OR s.type = %(type)s)
            GROUP BY s.id ORDER BY footnotes DESC, s.author, s.title
        """
        out = []
        for row in self._all(sql, {"report": report_id, "type": source_type}):
            d = rows.source(row).model_dump(mode="json")
            d.update(footnotes=row["footnotes"], paragraphs=row["paragraphs"], citations=row["citations"])
            out.append(d)
        return out

    def get_source(self, source_id: str) -> Source | None:
        return self.get_sources([source_id]).get(source_id)

    def get_sources(self, source_ids: list[str]) -> dict[str, Source]:
        """The sources with these ids (unknown ids are left out)."""
        ids = list(dict.fromkeys(source_ids))
        if not ids:
            return {}
        found = {row["id"]: rows.source(row) for row in self._all(
            f"SELECT s.*, {self._CITED} AS cited FROM sources s WHERE s.id = ANY(%(ids)s)",
            {"report": None, "ids": ids})}
        return {sid: found[sid] for sid in ids if sid in found}

    def source_citations(self, source_id: str) -> list[dict]:
        """Every citation of a source with its footnote and the paragraphs carrying the marker."""
        out = []
        for row in self._all(
            """SELECT r.id AS report_id, ct.footnote_n, ct.locator, ct.date, ct.raw, ct.url,
                      f.text AS footnote_text
               FROM citations ct JOIN reports r ON r.pk = ct.report_pk
               LEFT JOIN footnotes f ON f.report_pk = ct.report_pk AND f.n = ct.footnote_n
               WHERE ct.source_id = %s ORDER BY r.id, ct.footnote_n, ct.ord""",
            (source_id,),
        ):
            pars = self._all(
                """SELECT p.id, p.text, s.number, s.title FROM markers m
                   JOIN paragraphs p ON p.pk = m.paragraph_pk
                   JOIN sections s ON s.pk = p.section_pk
                   JOIN reports r ON r.pk = m.report_pk
                   WHERE r.id = %s AND m.n = %s ORDER BY p.ord""",
                (row["report_id"], row["footnote_n"]),
            )
            d = dict(row)
            d["paragraphs"] = [{"id": p["id"], "text": p["text"], "section": p["number"] or p["title"],
                                "section_title": p["title"]} for p in pars]
            out.append(d)
        return out

    def set_confidential(self, source_id: str, confidential: bool) -> bool:
        return self._run("UPDATE sources SET confidential = %s WHERE id = %s", (int(confidential), source_id)) > 0

    def confidential_sources(self) -> list[Source]:
        return [rows.source(r) for r in self._all("SELECT * FROM sources WHERE confidential = 1 ORDER BY id")]


class PostgresPool:
    """The web app's stores over PostgreSQL: one `PostgresStore`, whose connection pool the
    request threads share (it is thread-safe; SQLite needs a store per request instead)."""

    def __init__(self, url: str):
        self._store = PostgresStore(url)

    @contextmanager
    def store(self) -> Iterator[PostgresStore]:
        yield self._store

    def close(self) -> None:
        self._store.close()
