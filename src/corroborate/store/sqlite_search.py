"""Search and cited-answer queries of `SqliteStore` (FTS5 BM25, stored embeddings, filters
and facets), as a mixin over its connection `self.conn`. Lexical queries arrive parsed and are
compiled by `sqlite_fts`: raw user text never reaches MATCH.
"""

from __future__ import annotations

import json

import numpy as np

from corroborate.store import rows, sqlite_fts
from corroborate.store.base import ParagraphFilter
from corroborate.store.sql_filter import JOINS as _JOINS
from corroborate.store.sql_filter import filter_sql


class SqliteSearch:
    """Search queries over `self.conn` (set by `SqliteStore`)."""


    def lexical_search(self, q, limit: int, f: ParagraphFilter | None = None,
                       relaxed: bool = False) -> list[tuple[int, float]]:
        """(paragraph pk, bm25) best first; bm25 is negated so that larger is better."""
        return self._fts_search(sqlite_fts.FTS5.relaxed(q) if relaxed else sqlite_fts.FTS5.strict(q), limit, f)

    def _fts_search(self, expr: str, limit: int, f: ParagraphFilter | None = None) -> list[tuple[int, float]]:
        f = f or ParagraphFilter()
        if not f.active:
            rows = self.conn.execute(
                "SELECT rowid, bm25(paragraphs_fts) FROM paragraphs_fts WHERE paragraphs_fts MATCH ? "
                "ORDER BY rank LIMIT ?",
                (expr, limit),
            ).fetchall()
        else:
            where, args = filter_sql(f, "?")
            rows = self.conn.execute(
                f"SELECT p.pk, bm25(paragraphs_fts) AS score FROM paragraphs_fts "
                f"JOIN paragraphs p ON p.pk = paragraphs_fts.rowid {_JOINS} "
                f"WHERE paragraphs_fts MATCH ? AND {' AND '.join(where)} ORDER BY score LIMIT ?",
                [expr, *args, limit],
            ).fetchall()
        return [(int(r[0]), -float(r[1])) for r in rows]

    def filtered_pks(self, f: ParagraphFilter) -> np.ndarray:
        """Sorted pks of the paragraphs a filter allows (for masking vector scores)."""
        where, args = filter_sql(f, "?")
        rows = self.conn.execute(
            f"SELECT p.pk FROM paragraphs p {_JOINS} WHERE {' AND '.join(where)} ORDER BY p.pk", args
        ).fetchall()
        return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))

    def section_exists(self, section: str, report: str | None) -> bool:
        where, args = filter_sql(ParagraphFilter(report=report, section=section), "?")
        row = self.conn.execute(
            f"SELECT 1 FROM sections s JOIN reports r ON r.pk = s.report_pk WHERE {' AND '.join(where)} LIMIT 1",
            args,
        ).fetchone()
        return row is not None

    def report_exists(self, report_id: str) -> bool:
        return self.conn.execute("SELECT 1 FROM reports WHERE id = ?", (report_id,)).fetchone() is not None

    def paragraphs_by_pk(self, pks: list[int]) -> dict[int, dict]:
        """Paragraph rows with their report and section, keyed by pk."""
        out: dict[int, dict] = {}
        for i in range(0, len(pks), 500):
            chunk = pks[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for r in self.conn.execute(
                f"""SELECT p.pk, p.id, p.report_pk, p.kind, p.text, p.markers, p.page, p.ord,
                           r.id AS report_id, r.title AS report_title,
                           s.number AS section_number, s.title AS section_title
                    FROM paragraphs p {_JOINS} WHERE p.pk IN ({marks})""",
                chunk,
            ):
                d = dict(r)
                d["markers"] = json.loads(d["markers"])
                out[int(r["pk"])] = d
        return out

    def footnotes_for(self, wanted: set[tuple[int, int]]) -> dict[tuple[int, int], dict]:
        """Footnotes (with citations in the public contract shape) keyed by (report_pk, n)."""

        def fetch(rpk: int, ns: list[int]):
            marks = ",".join("?" * len(ns))
            return (self.conn.execute(f"SELECT n, text, urls FROM footnotes WHERE report_pk = ? AND n IN ({marks})",
                                      [rpk, *ns]).fetchall(),
                    self.conn.execute(f"""SELECT footnote_n, {', '.join(rows.CITATION_FIELDS)}
                                          FROM citations WHERE report_pk = ? AND footnote_n IN ({marks})
                                          ORDER BY footnote_n, ord""", [rpk, *ns]).fetchall())

        return rows.contract_footnotes(wanted, fetch)

    def change_marker(self) -> object:
        # data_version moves when another connection commits; total_changes when this one writes.
        return (self.conn.execute("PRAGMA data_version").fetchone()[0], self.conn.total_changes)

    def index_fingerprint(self) -> str:
        # Recomputed only when the database changed since this connection last looked
        # (data_version: another connection committed; total_changes: this one wrote), so a
        # search on an unchanged library costs one PRAGMA.
        counter = self.change_marker()
        state = getattr(self, "_index_state", None)
        if state is None or state[0] != counter:
            state = self._index_state = (counter, self._index_fingerprint())
        return state[1]

    def _index_fingerprint(self) -> str:
        """Changes whenever a report is added, replaced or deleted, or its embeddings change.

        Paragraph pks can be reused after a delete, so the fingerprint names each report's content
        hash and ingest time as well as the embeddings' pk range. Index lookups only: no scan of
        the (large) embeddings table.
        """
        row = self.conn.execute(
            """SELECT (SELECT group_concat(pk || ':' || id || ':' || source_hash || ':' || ingested_at, '|')
                       FROM (SELECT * FROM reports ORDER BY pk)),
                      (SELECT MIN(paragraph_pk) FROM embeddings), (SELECT MAX(paragraph_pk) FROM embeddings),
                      (SELECT MAX(pk) FROM paragraphs)"""
        ).fetchone()
        return "#".join(str(v) for v in row)

    def load_vectors(self, dim: int) -> tuple[np.ndarray, np.ndarray]:
        """(pks, float32 matrix) of every stored paragraph embedding, ordered by pk.

        Filled row by row into one preallocated matrix: no second full-size copy at 1 M rows.
        """
        count = self.conn.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]
        pks = np.empty(count, dtype=np.int64)
        mat = np.empty((count, dim), dtype=np.float32)
        i = 0
        for pk, blob in self.conn.execute("SELECT paragraph_pk, vector FROM embeddings ORDER BY paragraph_pk"):
            if i >= count:  # rows added since the count: the fingerprint will differ next time
                break
            pks[i] = pk
            mat[i] = np.frombuffer(blob, dtype=np.float32, count=dim)
            i += 1
        return pks[:i], mat[:i]

    def fts_size_bytes(self) -> int:
        """Bytes of the FTS5 index: its segment blocks and per-document sizes (shadow tables)."""
        data = self.conn.execute("SELECT COALESCE(SUM(length(block)), 0) FROM paragraphs_fts_data").fetchone()[0]
        sizes = self.conn.execute("SELECT COALESCE(SUM(length(sz)), 0) FROM paragraphs_fts_docsize").fetchone()[0]
        idx = self.conn.execute("SELECT COUNT(*) * 16 FROM paragraphs_fts_idx").fetchone()[0]
        return int(data + sizes + idx)

    def vectors_size_bytes(self) -> int:
        row = self.conn.execute("SELECT COALESCE(SUM(length(vector)), 0) FROM embeddings").fetchone()
        return int(row[0])

    def term_in_index(self, token: str, stem: bool = True, stem_length: int | None = None) -> bool:
        """Whether a folded token (or, with `stem`, a word sharing its first `stem_length` letters,
        five by default) occurs in any paragraph."""
        from corroborate.search.query import STEM_LENGTH

        if not token.isalnum():
            return False
        return self.conn.execute(
            "SELECT 1 FROM paragraphs_fts WHERE paragraphs_fts MATCH ? LIMIT 1",
            (sqlite_fts.FTS5.term(token, stem, stem_length or STEM_LENGTH),),
        ).fetchone() is not None

    def paragraphs_holding(self, token: str, cap: int) -> int:
        """How many paragraphs hold a folded token or a word sharing its first five letters, counted
        up to `cap` + 1 (a rare word's postings are short; a common one stops at the cap)."""
        from corroborate.search.query import STEM_LENGTH

        if not token.isalnum():
            return 0
        return int(self.conn.execute(
            "SELECT COUNT(*) FROM (SELECT 1 FROM paragraphs_fts WHERE paragraphs_fts MATCH ? LIMIT ?)",
            (sqlite_fts.FTS5.term(token, True, STEM_LENGTH), cap + 1)).fetchone()[0])

    def report_countries(self, report_ids: list[str]) -> dict[str, str | None]:
        """ISO country of each report (None when unknown), keyed by report id."""
        ids = sorted(set(report_ids))
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        return dict(self.conn.execute(f"SELECT id, country FROM reports WHERE id IN ({marks})", ids).fetchall())

    def term_document_counts(self) -> tuple[list[str], np.ndarray, int]:
        """(terms in index order, cumulative document counts, paragraph count) of the FTS5 index.

        One scan of the whole index (seconds at 1 M paragraphs): callers cache it per fingerprint.
        The fts5vocab table lives in the connection's temp schema, so the file is not changed.
        """
        self.conn.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.paragraphs_fts_vocab USING fts5vocab(main, paragraphs_fts, row)"
        )
        terms: list[str] = []
        counts: list[int] = []
        for term, doc in self.conn.execute("SELECT term, doc FROM temp.paragraphs_fts_vocab"):
            terms.append(term)
            counts.append(doc)
        n = self.conn.execute("SELECT COUNT(*) FROM paragraphs").fetchone()[0]
        return terms, np.cumsum(np.array([0, *counts], dtype=np.int64)), int(n)

    def approximate_size(self) -> int:
        """Paragraph count upper bound in O(log n): the largest pk."""
        return int(self.conn.execute("SELECT COALESCE(MAX(pk), 0) FROM paragraphs").fetchone()[0])

    def paragraph_texts(self, pks: list[int]) -> dict[int, str]:
        return self._by_pk("SELECT pk, text FROM paragraphs WHERE pk IN ({})", pks)

    def e5_vectors(self, pks: list[int]) -> dict[int, bytes]:
        return self._by_pk("SELECT paragraph_pk, e5 FROM embeddings WHERE paragraph_pk IN ({}) AND e5 IS NOT NULL", pks)

    def _by_pk(self, sql: str, pks: list[int]) -> dict:
        """{pk: value} from `sql` (selecting pk, value; its `{}` takes the keys), 500 keys a
        statement: SQLite limits the parameters of one."""
        out: dict = {}
        for i in range(0, len(pks), 500):
            chunk = pks[i : i + 500]
            out.update((int(r[0]), r[1]) for r in self.conn.execute(sql.format(",".join("?" * len(chunk))), chunk))
        return out

    def facet_counts(self, pks: list[int]) -> dict[str, list[dict]]:
        """How many of these paragraphs fall in each report, section, report country, publisher,
        document type and language, and cite each source, source type and source language; and
        `cited_year`: paragraphs by the year of their most recent cited source (`rows.facets`)."""
        pool = (json.dumps([int(pk) for pk in pks]),)
        return rows.facets(
            self.conn.execute(
                f"""SELECT r.id, r.title, r.country, r.publisher, r.document_type, r.language,
                           s.number, s.title AS section_title, COUNT(*) AS n
                    FROM paragraphs p {_JOINS}
                    WHERE p.pk IN (SELECT value FROM json_each(?)) GROUP BY p.report_pk, p.section_pk""", pool),
            self.conn.execute(
                """SELECT DISTINCT m.paragraph_pk, so.id, so.type, so.language, so.author, so.title
                   FROM markers m JOIN citations ct ON ct.report_pk = m.report_pk AND ct.footnote_n = m.n
                   JOIN sources so ON so.id = ct.source_id
                   WHERE m.paragraph_pk IN (SELECT value FROM json_each(?))""", pool),
            self.conn.execute(
                """SELECT MAX(substr(COALESCE(ct.date, so.date), 1, 4)) AS year
                   FROM markers m JOIN citations ct ON ct.report_pk = m.report_pk AND ct.footnote_n = m.n
                   LEFT JOIN sources so ON so.id = ct.source_id
                   WHERE m.paragraph_pk IN (SELECT value FROM json_each(?)) GROUP BY m.paragraph_pk""", pool),
        )

    def report_paragraph_vectors(self, report_id: str, dim: int) -> tuple[list[str], np.ndarray]:
        """(paragraph ids, float32 matrix) of one report's stored embeddings, in reading order
        (the audit's and the ToR matrix's); empty when it was ingested without embeddings."""
        rows = self.conn.execute(
            """SELECT p.id, e.vector FROM embeddings e
               JOIN paragraphs p ON p.pk = e.paragraph_pk
               JOIN reports r ON r.pk = p.report_pk
               WHERE r.id = ? ORDER BY p.ord""",
            (report_id,),
        ).fetchall()
        if not rows:
            return [], np.zeros((0, dim), dtype=np.float32)
        ids = [r[0] for r in rows]
        mat = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), dim)
        return ids, mat
