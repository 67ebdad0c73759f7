"""Search and cited-answer queries of `PostgresStore` (tsvector ranking, stored embeddings,
filters and facets), as a mixin over its `_all`/`_one` helpers.

Lexical scores are BM25 as FTS5 computes it (`store.bm25`), so that a question gets the same
paragraphs on both backends and the second-stage ranker's lexical feature (`bm25_rel`, fitted on
FTS5's scores) means the same. Every match is scored, in one statement, from two GIN indexes:
`tsv` (stemmed, per language) finds the matches and each term's paragraph count; `tfv` (words as
FTS5 indexes them, each with the bucket of its count, migration 3) gives each word's count in
each match. No paragraph's `tsv` or text is read, so a query costs what its terms' postings
cost, as in FTS5, not what reading every matching paragraph costs. The differences left: a
term's paragraph count follows PostgreSQL's stemmed match (FTS5 counts the exact token); a word
counted over 6 times counts as the lower bound of its bucket (7, 10, 15, 25); a prefix counts as
the sum of the buckets its words fall in (two words of one prefix in one bucket count once); a
phrase counts once per match; lengths are in bytes (tests/test_store_backends.py compares recall
and rankings on the dev questions).
"""

from __future__ import annotations

import json

import numpy as np

from corroborate.store import bm25, postgres_fts, rows
from corroborate.store.base import ParagraphFilter
from corroborate.store.sql_filter import JOINS, filter_sql

# A paragraph is matched with its own language's configuration, one language per statement
# (joined by UNION ALL): so the GIN index's bitmap alone answers it. An OR of the two (Spanish
# and this tsquery, or not Spanish and that one) is evaluated again on every matching row, and a
# sequential scan on every row, reading each row's out-of-line `tsv` (~10 KB for a long
# paragraph): that was most of a query's cost at 100 k paragraphs. to_tsquery(regconfig, text)
# is immutable, so each call is evaluated once per statement.
_BY_LANGUAGE = ("p.ts_lang <> 'es' AND p.tsv @@ to_tsquery('corroborate_en', %s)",
                "p.ts_lang = 'es' AND p.tsv @@ to_tsquery('corroborate_es', %s)")
# Term-count buckets of `tfv` (migration 3's corroborate_tf): exact to 6, then a lower bound;
# BM25 saturates there (tf / (tf + 1.2) is 0.85 at 7 and 0.95 at 25).
BUCKETS = (1, 2, 3, 4, 5, 6, 7, 10, 15, 25)


def _tf_word(bucket: int, word: str, prefix: bool) -> str:
    """tsquery text for `tfv`'s entry of `word` occurring `bucket` times (cast, not parsed)."""
    return "'" + f"{bucket}/{word}".replace("\\", "\\\\").replace("'", "''") + "'" + (":*" if prefix else "")


class PostgresSearch:
    """Search queries (the same results as `SqliteSearch`, scored by the same BM25)."""

    def lexical_search(self, q, limit: int, f: ParagraphFilter | None = None,
                       relaxed: bool = False) -> list[tuple[int, float]]:
        """(paragraph pk, BM25) best first, scored as FTS5 scores (`store.bm25`), in one statement.

        The GIN index on `tsv` finds the matches; each word's or prefix's count in each match
        comes from the GIN index on `tfv` (one lookup per term, language and count bucket), so
        no paragraph's `tsv` or text is read: the cost follows the terms' postings, as FTS5's
        does, not the size of the matching paragraphs. A phrase counts once per match."""
        dialect = postgres_fts.TSQUERY
        expr = dialect.relaxed(q) if relaxed else dialect.strict(q)
        atoms = dialect.atoms(q, relaxed)
        terms = [dialect.words(a.tokens, a.prefix) for a in atoms]
        rows_total, average_length = self._bm25_library()
        holding = self._holding(terms)
        # A term no paragraph holds for PostgreSQL (a stop word) adds nothing, as in FTS5.
        idfs = [bm25.idf(rows_total, n) if n else 0.0 for n in holding]
        phrase_weight = sum(w for a, w in zip(atoms, idfs, strict=True) if len(a.tokens) > 1)
        lookups = [(i, b, _tf_word(b, a.tokens[0], a.prefix))  # (atom, count, tsquery on tfv)
                   for i, a in enumerate(atoms) if len(a.tokens) == 1 and idfs[i] for b in BUCKETS]
        where, args = filter_sql(f, "%s") if f is not None and f.active else ([], [])
        joins = JOINS if where else ""
        norm = f"{bm25.K1} * (1 - {bm25.B} + {bm25.B} * octet_length(p.text) / %s::float8)"
        columns = [list(c) for c in zip(*lookups, strict=True)] if lookups else [[], [], []]
        matches = " UNION ALL ".join(f"SELECT p.pk, {norm} AS norm FROM paragraphs p {joins} "
                                     f"WHERE {' AND '.join([match, *where])}" for match in _BY_LANGUAGE)
        rows = self._indexed(
            f"""WITH m AS MATERIALIZED ({matches}),
                t AS MATERIALIZED (
                    SELECT x.pk, q.atom, q.tf FROM unnest(%s::int[], %s::int[], %s::tsquery[]) AS q(atom, tf, query)
                    CROSS JOIN LATERAL (SELECT p.pk FROM paragraphs p WHERE p.tfv @@ q.query) AS x)
                SELECT m.pk, %s::float8 * {bm25.K1 + 1} / (1 + m.norm)
                       + COALESCE(SUM((%s::float8[])[t.atom + 1] * t.tf * {bm25.K1 + 1} / (t.tf + m.norm)), 0)
                       AS score
                FROM m LEFT JOIN t ON t.pk = m.pk
                GROUP BY m.pk, m.norm ORDER BY score DESC, m.pk LIMIT %s""",
            [*[max(average_length, 1.0), expr, *args] * len(_BY_LANGUAGE), *columns, phrase_weight, idfs, limit],
        )
        return [(int(r["pk"]), float(r["score"])) for r in rows]

    def _indexed(self, sql: str, args) -> list[dict]:
        """`sql`'s rows, planned without sequential scans. The planner does not count the cost of
        reading a matching row's out-of-line `tsv`, so for a common word it prefers scanning the
        table and testing every row's `tsv` (each detoasted) to the GIN index's bitmap: ten times
        the time at 100 k paragraphs. SET LOCAL, in a transaction of its own (or a savepoint of
        the caller's, set back after)."""
        def work(conn):
            with conn.transaction():
                conn.execute("SET LOCAL enable_seqscan = off")
                found = conn.execute(sql, args).fetchall()
                conn.execute("SET LOCAL enable_seqscan TO DEFAULT")
            return found

        return self._read(work)

    def _bm25_cache(self) -> dict:
        """Library statistics for BM25, kept until the next committed report write."""
        key = self.index_fingerprint()
        cache = getattr(self, "_bm25_stats", None)
        if cache is None or cache.get("") != key:
            cache = self._bm25_stats = {"": key}
        return cache

    def _bm25_library(self) -> tuple[int, float]:
        """(paragraphs, their average length in bytes: what `octet_length` reads from a stored
        text's header without fetching it)."""
        cache = self._bm25_cache()
        if "library" not in cache:
            row = self._one("SELECT COUNT(*) AS n, COALESCE(AVG(octet_length(text)), 0)::float AS avg "
                            "FROM paragraphs WHERE searched")
            cache["library"] = (int(row["n"]), float(row["avg"]))
        return cache["library"]

    def _holding(self, terms: list[str]) -> list[int]:
        """How many paragraphs hold each tsquery term (remembered per library state). One count
        per term, each answered from the GIN index's bitmap, never reading a paragraph's `tsv`."""
        cache = self._bm25_cache()
        missing = [t for t in dict.fromkeys(terms) if ("df", t) not in cache]
        if missing:
            count = " + ".join(f"(SELECT COUNT(*) FROM paragraphs p WHERE {match})" for match in _BY_LANGUAGE)
            (row,) = self._indexed("SELECT " + ", ".join(f"{count} AS c{i}" for i in range(len(missing))),
                                   [t for t in missing for _ in _BY_LANGUAGE])
            cache.update({("df", t): int(row[f"c{i}"]) for i, t in enumerate(missing)})
        return [cache[("df", t)] for t in terms]

    def term_in_index(self, token: str, stem: bool = True, stem_length: int | None = None) -> bool:
        from corroborate.search.query import STEM_LENGTH

        if not token.isalnum():
            return False
        expr = postgres_fts.TSQUERY.term(token, stem, stem_length or STEM_LENGTH)
        found = " OR ".join(f"EXISTS (SELECT 1 FROM paragraphs p WHERE {match})" for match in _BY_LANGUAGE)
        return bool(self._indexed(f"SELECT {found} AS found", [expr] * len(_BY_LANGUAGE))[0]["found"])

    def paragraphs_holding(self, token: str, cap: int) -> int:
        from corroborate.search.query import STEM_LENGTH

        if not token.isalnum():
            return 0
        expr = postgres_fts.TSQUERY.term(token, True, STEM_LENGTH)
        hits = " UNION ALL ".join(f"SELECT 1 FROM paragraphs p WHERE {match}" for match in _BY_LANGUAGE)
        (row,) = self._indexed(f"SELECT COUNT(*) AS n FROM ({hits} LIMIT %s) AS hits",
                               [*[expr] * len(_BY_LANGUAGE), cap + 1])
        return int(row["n"])

    def report_countries(self, report_ids: list[str]) -> dict[str, str | None]:
        ids = sorted(set(report_ids))
        if not ids:
            return {}
        rows = self._all("SELECT id, country FROM reports WHERE id = ANY(%s)", (ids,))
        return {r["id"]: r["country"] for r in rows}

    def term_document_counts(self) -> tuple[list[str], np.ndarray, int]:
        """The library's words as typed (unaccented, lower-cased, unstemmed: the vocabulary
        embeds them) with their paragraph counts, in code-point order. One scan of every
        paragraph's `tfv` (its words once each, prefixed by a count bucket: a word's paragraphs
        are the sum over its buckets), not a parse of every text: 11 s at 100 k paragraphs here
        where parsing took 91 s. Remembered per library state (term statistics and the expansion
        vocabulary both ask for it)."""
        cache = self._bm25_cache()
        if "terms" not in cache:
            holding: dict[str, int] = {}
            for r in self._all("SELECT word, ndoc FROM ts_stat('SELECT tfv FROM paragraphs')"):
                word = r["word"].split("/", 1)[1]
                holding[word] = holding.get(word, 0) + int(r["ndoc"])
            words = sorted(holding)  # code-point order, as COLLATE "C" orders UTF-8
            counts = np.array([0, *(holding[w] for w in words)], dtype=np.int64)
            cache["terms"] = (words, np.cumsum(counts), self._bm25_library()[0])
        return cache["terms"]

    def filtered_pks(self, f: ParagraphFilter) -> np.ndarray:
        where, args = filter_sql(f, "%s")
        rows = self._all(f"SELECT p.pk FROM paragraphs p {JOINS} WHERE {' AND '.join(where)} ORDER BY p.pk", args)
        return np.fromiter((r["pk"] for r in rows), dtype=np.int64, count=len(rows))

    def section_exists(self, section: str, report: str | None) -> bool:
        where, args = filter_sql(ParagraphFilter(report=report, section=section), "%s")
        return self._one(f"SELECT 1 AS found FROM sections s JOIN reports r ON r.pk = s.report_pk "
                         f"WHERE {' AND '.join(where)} LIMIT 1", args) is not None

    def paragraphs_by_pk(self, pks: list[int]) -> dict[int, dict]:
        out: dict[int, dict] = {}
        for r in self._all(
            f"""SELECT p.pk, p.id, p.report_pk, p.kind, p.text, p.markers, p.page, p.ord,
                       r.id AS report_id, r.title AS report_title,
                       s.number AS section_number, s.title AS section_title
                FROM paragraphs p {JOINS} WHERE p.pk = ANY(%s)""",
            ([int(pk) for pk in pks],),
        ):
            r["markers"] = json.loads(r["markers"])
            out[int(r["pk"])] = r
        return out

    def paragraph_texts(self, pks: list[int]) -> dict[int, str]:
        rows = self._all("SELECT pk, text FROM paragraphs WHERE pk = ANY(%s)", ([int(pk) for pk in pks],))
        return {int(r["pk"]): r["text"] for r in rows}

    def e5_vectors(self, pks: list[int]) -> dict[int, bytes]:
        rows = self._all("SELECT paragraph_pk, e5 FROM embeddings WHERE paragraph_pk = ANY(%s) AND e5 IS NOT NULL",
                         ([int(pk) for pk in pks],))
        return {int(r["paragraph_pk"]): bytes(r["e5"]) for r in rows}

    def footnotes_for(self, wanted: set[tuple[int, int]]) -> dict[tuple[int, int], dict]:
        """Footnotes (with citations in the public contract shape) keyed by (report_pk, n)."""

        def fetch(rpk: int, ns: list[int]):
            return (self._all("SELECT n, text, urls FROM footnotes WHERE report_pk = %s AND n = ANY(%s)", (rpk, ns)),
                    self._all(f"""SELECT footnote_n, {', '.join(rows.CITATION_FIELDS)} FROM citations
                                  WHERE report_pk = %s AND footnote_n = ANY(%s) ORDER BY footnote_n, ord""",
                              (rpk, ns)))

        return rows.contract_footnotes(wanted, fetch)

    def facet_counts(self, pks: list[int]) -> dict[str, list[dict]]:
        """The same facets as `SqliteSearch.facet_counts` (`rows.facets`)."""
        pool = ([int(pk) for pk in pks],)
        return rows.facets(
            self._all(
                f"""SELECT r.id, r.title, r.country, r.publisher, r.document_type, r.language,
                           s.number, s.title AS section_title, COUNT(*) AS n
                    FROM paragraphs p {JOINS}
                    WHERE p.pk = ANY(%s) GROUP BY p.report_pk, p.section_pk, r.pk, s.pk""", pool),
            self._all(
                """SELECT DISTINCT m.paragraph_pk, so.id, so.type, so.language, so.author, so.title
                   FROM markers m JOIN citations ct ON ct.report_pk = m.report_pk AND ct.footnote_n = m.n
                   JOIN sources so ON so.id = ct.source_id WHERE m.paragraph_pk = ANY(%s)""", pool),
            self._all(
                """SELECT MAX(substr(COALESCE(ct.date, so.date), 1, 4)) AS year
                   FROM markers m JOIN citations ct ON ct.report_pk = m.report_pk AND ct.footnote_n = m.n
                   LEFT JOIN sources so ON so.id = ct.source_id
                   WHERE m.paragraph_pk = ANY(%s) GROUP BY m.paragraph_pk""", pool),
        )

    def change_marker(self) -> object:
        # Every commit that writes moves the primary's write-ahead log. Asked of the primary
        # only: replicas replaying at different positions would move the marker back and forth
        # and empty the read cache on every request. (The log also moves for checkpoints: that
        # only costs remembered answers, never serves a stale one.)
        row = self._router.read(lambda conn: conn.execute("SELECT pg_current_wal_lsn()::text AS lsn").fetchone(),
                                fresh=True)
        return row["lsn"]

    def index_fingerprint(self) -> str:
        """The database's identity and its count of committed report writes (one row each)."""
        rows = self._all("SELECT key, value FROM meta WHERE key IN ('instance', 'generation') ORDER BY key")
        return "#".join(r["value"] for r in rows)

    def approximate_size(self) -> int:
        """Paragraph count from the planner's statistics (a count until they exist)."""
        row = self._one("SELECT reltuples::bigint AS n FROM pg_class WHERE oid = 'paragraphs'::regclass")
        if row["n"] > 0:
            return int(row["n"])
        return int(self._one("SELECT COUNT(*) AS n FROM paragraphs")["n"])

    def load_vectors(self, dim: int) -> tuple[np.ndarray, np.ndarray]:
        """(pks, float32 matrix) of every stored embedding, ordered by pk, streamed through a
        server-side cursor into one preallocated matrix."""
        from psycopg.rows import tuple_row

        def stream(conn) -> tuple[np.ndarray, np.ndarray]:
            with conn.transaction():
                count = conn.execute("SELECT COUNT(*) AS n FROM embeddings").fetchone()["n"]
                pks = np.empty(count, dtype=np.int64)
                mat = np.empty((count, dim), dtype=np.float32)
                i = 0
                with conn.cursor(name="corroborate_vectors", row_factory=tuple_row) as cur:
                    cur.itersize = 5000
                    cur.execute("SELECT paragraph_pk, vector FROM embeddings ORDER BY paragraph_pk")
                    for pk, blob in cur:
                        if i >= count:
                            break
                        pks[i] = pk
                        mat[i] = np.frombuffer(blob, dtype=np.float32, count=dim)
                        i += 1
            return pks[:i], mat[:i]

        return self._read(stream)

    def report_paragraph_vectors(self, report_id: str, dim: int) -> tuple[list[str], np.ndarray]:
        """(paragraph ids, float32 matrix) of one report's stored embeddings, in reading order."""
        rows = self._all(
            """SELECT p.id, e.vector FROM embeddings e JOIN paragraphs p ON p.pk = e.paragraph_pk
               JOIN reports r ON r.pk = p.report_pk WHERE r.id = %s ORDER BY p.ord""",
            (report_id,),
        )
        if not rows:
            return [], np.zeros((0, dim), dtype=np.float32)
        mat = np.frombuffer(b"".join(bytes(r["vector"]) for r in rows), dtype=np.float32).reshape(len(rows), dim)
        return [r["id"] for r in rows], mat
