"""All SQL behind search and cited answers (SQLite). The search package composes these; a
PostgreSQL backend would provide the same functions over tsvector/pgvector.

FTS expressions passed here are built by `corroborate.search.query` (quoted tokens only),
never raw user text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ParagraphFilter:
    """Which paragraphs a search may return. `since`, `published_from` and `published_to` are
    full ISO dates (YYYY-MM-DD); the others match exactly (publisher ignoring case).

    Report metadata: country, publisher, document_type, language, published_from/_to (the
    report's publication date, else its information cut-off). Citations: source_type, since,
    source (a source id), source_language; one citation of the paragraph must match them all.
    """

    report: str | None = None
    section: str | None = None
    source_type: str | None = None
    since: str | None = None
    country: str | None = None
    publisher: str | None = None
    document_type: str | None = None
    language: str | None = None
    published_from: str | None = None
    published_to: str | None = None
    source: str | None = None
    source_language: str | None = None

    @property
    def active(self) -> bool:
        return any(v is not None for v in vars(self).values())


# A citation dated "2023" or "2023-04" is taken at the END of its period, so that `since
# 2023-06-01` keeps a source dated only "2023" (it may be from June) rather than silently dropping it.
_CITATION_END_DATE = """CASE length(COALESCE(ct.date, so.date))
    WHEN 4 THEN COALESCE(ct.date, so.date) || '-12-31'
    WHEN 7 THEN COALESCE(ct.date, so.date) || '-31'
    ELSE COALESCE(ct.date, so.date) END"""


_REPORT_END_DATE = """CASE length(COALESCE(r.published, r.cut_off))
    WHEN 4 THEN COALESCE(r.published, r.cut_off) || '-12-31'
    WHEN 7 THEN COALESCE(r.published, r.cut_off) || '-31'
    ELSE COALESCE(r.published, r.cut_off) END"""


def _filter_sql(f: ParagraphFilter) -> tuple[list[str], list]:
    where: list[str] = []
    args: list = []
    if f.report is not None:
        where.append("r.id = ?")
        args.append(f.report)
    if f.section is not None:
        key = f.section.rstrip(".")
        # A section number includes its subsections: 3.5 keeps 3.5, 3.5.1, 3.5.2.1 …
        where.append("(rtrim(s.number, '.') = ? OR s.number LIKE ? ESCAPE '\\' "
                     "OR (s.number IS NULL AND s.title = ?))")
        args += [key, like_prefix(key + "."), f.section]
    for column, value in (("r.country", f.country), ("r.document_type", f.document_type),
                          ("r.language", f.language)):
        if value is not None:
            where.append(f"{column} = ?")
            args.append(value)
    if f.publisher is not None:
        where.append("r.publisher = ? COLLATE NOCASE")
        args.append(f.publisher)
    if f.published_from is not None:  # a report dated "2023" may be from June: its period's end counts
        where.append(f"({_REPORT_END_DATE}) >= ?")
        args.append(f.published_from)
    if f.published_to is not None:
        where.append("COALESCE(r.published, r.cut_off) <= ?")
        args.append(f.published_to)
    if any(v is not None for v in (f.source_type, f.since, f.source, f.source_language)):
        conds = ["m.paragraph_pk = p.pk"]
        if f.source_type is not None:
            conds.append("so.type = ?")
            args.append(f.source_type)
        if f.since is not None:
            conds.append(f"({_CITATION_END_DATE}) >= ?")
            args.append(f.since)
        if f.source is not None:
            conds.append("ct.source_id = ?")
            args.append(f.source)
        if f.source_language is not None:
            conds.append("so.language = ?")
            args.append(f.source_language)
        where.append(
            "EXISTS (SELECT 1 FROM markers m JOIN citations ct ON ct.report_pk = m.report_pk "
            "AND ct.footnote_n = m.n LEFT JOIN sources so ON so.id = ct.source_id WHERE "
            + " AND ".join(conds) + ")"
        )
    return where, args


def like_prefix(text: str) -> str:
    """A LIKE pattern (with `ESCAPE '\\'`) matching strings that start with `text` literally:
    a user's `%` or `_` is a character to find, never a wildcard."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


_JOINS = "JOIN sections s ON s.pk = p.section_pk JOIN reports r ON r.pk = p.report_pk"


def fts_search(conn, expr: str, limit: int, f: ParagraphFilter | None = None) -> list[tuple[int, float]]:
    """(paragraph pk, bm25) best first; bm25 is negated so that larger is better."""
    f = f or ParagraphFilter()
    if not f.active:
        rows = conn.execute(
            "SELECT rowid, bm25(paragraphs_fts) FROM paragraphs_fts WHERE paragraphs_fts MATCH ? "
            "ORDER BY rank LIMIT ?",
            (expr, limit),
        ).fetchall()
    else:
        where, args = _filter_sql(f)
        rows = conn.execute(
            f"SELECT p.pk, bm25(paragraphs_fts) AS score FROM paragraphs_fts "
            f"JOIN paragraphs p ON p.pk = paragraphs_fts.rowid {_JOINS} "
            f"WHERE paragraphs_fts MATCH ? AND {' AND '.join(where)} ORDER BY score LIMIT ?",
            [expr, *args, limit],
        ).fetchall()
    return [(int(r[0]), -float(r[1])) for r in rows]


def filtered_pks(conn, f: ParagraphFilter) -> np.ndarray:
    """Sorted pks of the paragraphs a filter allows (for masking vector scores)."""
    where, args = _filter_sql(f)
    rows = conn.execute(
        f"SELECT p.pk FROM paragraphs p {_JOINS} WHERE {' AND '.join(where)} ORDER BY p.pk", args
    ).fetchall()
    return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))


def section_exists(conn, section: str, report: str | None) -> bool:
    where, args = _filter_sql(ParagraphFilter(report=report, section=section))
    row = conn.execute(
        f"SELECT 1 FROM sections s JOIN reports r ON r.pk = s.report_pk WHERE {' AND '.join(where)} LIMIT 1",
        args,
    ).fetchone()
    return row is not None


def report_exists(conn, report_id: str) -> bool:
    return conn.execute("SELECT 1 FROM reports WHERE id = ?", (report_id,)).fetchone() is not None


def paragraphs_by_pk(conn, pks: list[int]) -> dict[int, dict]:
    """Paragraph rows with their report and section, keyed by pk."""
    out: dict[int, dict] = {}
    for i in range(0, len(pks), 500):
        chunk = pks[i : i + 500]
        marks = ",".join("?" * len(chunk))
        for r in conn.execute(
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


def paragraphs_holding(conn, token: str, cap: int) -> int:
    """How many paragraphs hold a folded token or a word sharing its first five letters, counted
    up to `cap` + 1 (a rare word's postings are short; a common one stops at the cap)."""
    if not token.isalnum():
        return 0
    expr = f'"{token}"' + (f' OR "{token[:5]}"*' if len(token) > 5 else "")
    return int(conn.execute(
        "SELECT COUNT(*) FROM (SELECT 1 FROM paragraphs_fts WHERE paragraphs_fts MATCH ? LIMIT ?)",
        (expr, cap + 1)).fetchone()[0])


def report_countries(conn, report_ids: list[str]) -> dict[str, str | None]:
    """ISO country of each report (None when unknown), keyed by report id."""
    ids = sorted(set(report_ids))
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    return dict(conn.execute(f"SELECT id, country FROM reports WHERE id IN ({marks})", ids).fetchall())


def footnotes_for(conn, wanted: set[tuple[int, int]]) -> dict[tuple[int, int], dict]:
    """Footnotes (with citations in the public contract shape) keyed by (report_pk, n).

    A marker whose footnote text was lost in extraction still appears, with text None.
    """
    out: dict[tuple[int, int], dict] = {}
    if not wanted:
        return out
    by_report: dict[int, list[int]] = {}
    for rpk, n in wanted:
        by_report.setdefault(rpk, []).append(n)
    for rpk, ns in by_report.items():
        marks = ",".join("?" * len(ns))
        for f in conn.execute(
            f"SELECT n, text, urls FROM footnotes WHERE report_pk = ? AND n IN ({marks})", [rpk, *ns]
        ):
            out[(rpk, f["n"])] = {"n": f["n"], "text": f["text"], "urls": json.loads(f["urls"]),
                                  "citations": []}
        for ct in conn.execute(
            f"""SELECT footnote_n, author, title, container, date, url, locator, kind, note
                FROM citations WHERE report_pk = ? AND footnote_n IN ({marks})
                ORDER BY footnote_n, ord""",
            [rpk, *ns],
        ):
            fn = out.setdefault((rpk, ct["footnote_n"]), {"n": ct["footnote_n"], "text": None,
                                                          "urls": [], "citations": []})
            fn["citations"].append({k: ct[k] for k in ("author", "title", "container", "date", "url",
                                                         "locator", "kind", "note")})
    for key in wanted:
        out.setdefault(key, {"n": key[1], "text": None, "urls": [], "citations": []})
    return out


def change_counter(conn) -> tuple[int, int]:
    """O(1): changes when another connection commits (data_version) or this one writes."""
    return conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes


def index_fingerprint(conn) -> str:
    """Changes whenever a report is added, replaced or deleted, or its embeddings change.

    Paragraph pks can be reused after a delete, so the fingerprint names each report's content
    hash and ingest time as well as the embeddings' pk range. Index lookups only: no scan of
    the (large) embeddings table.
    """
    row = conn.execute(
        """SELECT (SELECT group_concat(pk || ':' || id || ':' || source_hash || ':' || ingested_at, '|')
                   FROM (SELECT * FROM reports ORDER BY pk)),
                  (SELECT MIN(paragraph_pk) FROM embeddings), (SELECT MAX(paragraph_pk) FROM embeddings),
                  (SELECT MAX(pk) FROM paragraphs)"""
    ).fetchone()
    return "#".join(str(v) for v in row)


def load_vectors(conn, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """(pks, float32 matrix) of every stored paragraph embedding, ordered by pk.

    Filled row by row into one preallocated matrix: no second full-size copy at 1 M rows.
    """
    count = conn.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]
    pks = np.empty(count, dtype=np.int64)
    mat = np.empty((count, dim), dtype=np.float32)
    i = 0
    for pk, blob in conn.execute("SELECT paragraph_pk, vector FROM embeddings ORDER BY paragraph_pk"):
        if i >= count:  # rows added since the count: the fingerprint will differ next time
            break
        pks[i] = pk
        mat[i] = np.frombuffer(blob, dtype=np.float32, count=dim)
        i += 1
    return pks[:i], mat[:i]


def fts_size_bytes(conn) -> int:
    """Bytes of the FTS5 index: its segment blocks and per-document sizes (shadow tables)."""
    data = conn.execute("SELECT COALESCE(SUM(length(block)), 0) FROM paragraphs_fts_data").fetchone()[0]
    sizes = conn.execute("SELECT COALESCE(SUM(length(sz)), 0) FROM paragraphs_fts_docsize").fetchone()[0]
    idx = conn.execute("SELECT COUNT(*) * 16 FROM paragraphs_fts_idx").fetchone()[0]
    return int(data + sizes + idx)


def vectors_size_bytes(conn) -> int:
    row = conn.execute("SELECT COALESCE(SUM(length(vector)), 0) FROM embeddings").fetchone()
    return int(row[0])


def term_in_index(conn, token: str, stem: bool = True) -> bool:
    """Whether a folded token (or, with `stem`, a word sharing its first five letters) occurs in
    any paragraph."""
    if not token.isalnum():
        return False
    expr = f'"{token}"' + (f' OR "{token[:5]}"*' if stem and len(token) > 5 else "")
    return conn.execute(
        "SELECT 1 FROM paragraphs_fts WHERE paragraphs_fts MATCH ? LIMIT 1", (expr,)
    ).fetchone() is not None


def term_document_counts(conn) -> tuple[list[str], np.ndarray, int]:
    """(terms in index order, cumulative document counts, paragraph count) of the FTS5 index.

    One scan of the whole index (seconds at 1 M paragraphs): callers cache it per fingerprint.
    The fts5vocab table lives in the connection's temp schema, so the file is not changed.
    """
    conn.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.paragraphs_fts_vocab USING fts5vocab(main, paragraphs_fts, row)"
    )
    terms: list[str] = []
    counts: list[int] = []
    for term, doc in conn.execute("SELECT term, doc FROM temp.paragraphs_fts_vocab"):
        terms.append(term)
        counts.append(doc)
    n = conn.execute("SELECT COUNT(*) FROM paragraphs").fetchone()[0]
    return terms, np.cumsum(np.array([0, *counts], dtype=np.int64)), int(n)


def approximate_size(conn) -> int:
    """Paragraph count upper bound in O(log n): the largest pk."""
    return int(conn.execute("SELECT COALESCE(MAX(pk), 0) FROM paragraphs").fetchone()[0])


def paragraph_texts(conn, pks: list[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for i in range(0, len(pks), 500):
        chunk = pks[i : i + 500]
        marks = ",".join("?" * len(chunk))
        out.update((int(r[0]), r[1]) for r in conn.execute(
            f"SELECT pk, text FROM paragraphs WHERE pk IN ({marks})", chunk))
    return out


def facet_counts(conn, pks: list[int]) -> dict[str, list[dict]]:
    """How many of these paragraphs fall in each report, section, report country, publisher,
    document type and language, and cite each source, source type and source language; and
    `cited_year`: paragraphs by the year of their most recent cited source. Each facet is a
    list of {value, label, count}, largest first."""
    pool = json.dumps([int(pk) for pk in pks])
    counters: dict[str, dict[str, list]] = {}

    def add(facet: str, value, label, n: int = 1) -> None:
        if value is None or value == "":
            return
        entry = counters.setdefault(facet, {}).setdefault(str(value), [label or str(value), 0])
        entry[1] += n

    for r in conn.execute(
        f"""SELECT r.id, r.title, r.country, r.publisher, r.document_type, r.language,
                   s.number, s.title AS section_title, COUNT(*) AS n
            FROM paragraphs p {_JOINS}
            WHERE p.pk IN (SELECT value FROM json_each(?)) GROUP BY p.report_pk, p.section_pk""",
        (pool,),
    ):
        n = r["n"]
        add("report", r["id"], r["title"], n)
        for facet in ("country", "publisher", "document_type", "language"):
            add(facet, r[facet], None, n)
        key = r["number"] or r["section_title"]
        add("section", key, f"{r['number']} {r['section_title']}" if r["number"] else r["section_title"], n)
    seen: set[tuple[str, str, int]] = set()
    for c in conn.execute(
        """SELECT DISTINCT m.paragraph_pk, so.id, so.type, so.language, so.author, so.title
           FROM markers m JOIN citations ct ON ct.report_pk = m.report_pk AND ct.footnote_n = m.n
           JOIN sources so ON so.id = ct.source_id
           WHERE m.paragraph_pk IN (SELECT value FROM json_each(?))""",
        (pool,),
    ):
        pk = c["paragraph_pk"]
        for facet, value, label in (("source", c["id"], c["author"] or c["title"]),
                                    ("source_type", c["type"], None),
                                    ("source_language", c["language"], None)):
            if value is not None and (facet, value, pk) not in seen:
                seen.add((facet, value, pk))
                add(facet, value, label)
    for y in conn.execute(
        """SELECT MAX(substr(COALESCE(ct.date, so.date), 1, 4)) AS year
           FROM markers m JOIN citations ct ON ct.report_pk = m.report_pk AND ct.footnote_n = m.n
           LEFT JOIN sources so ON so.id = ct.source_id
           WHERE m.paragraph_pk IN (SELECT value FROM json_each(?)) GROUP BY m.paragraph_pk""",
        (pool,),
    ):
        if y["year"] and y["year"].isdigit():
            add("cited_year", y["year"], None)
    return {
        facet: [{"value": v, "label": label, "count": n}
                for v, (label, n) in sorted(values.items(), key=lambda kv: (-kv[1][1], kv[0]))]
        for facet, values in counters.items()
    }
