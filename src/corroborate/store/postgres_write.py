"""How `PostgresStore` writes a report: a fixed number of statements per report, whatever its size.

One statement per row cost a round trip and a plan each (300 reports of 100 paragraphs took five
times SQLite's time). Here the keys of sections, paragraphs and terms-of-reference items are
drawn from their sequences first, in reading order, so children can name their parents before
anything is written; then each table is filled by one statement: COPY for rows PostgreSQL stores
as given (sections, markers, footnotes, citations, ...; embeddings in binary), one INSERT over
arrays (`unnest`) for paragraphs, whose `tsv` the server computes with the paragraph's language
(and `tfv`, the word counts BM25 reads: `postgres_schema`, migration 3).
All of it inside the caller's transaction: a write killed half-way leaves nothing behind.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from corroborate.models import Citation, Report, Source
from corroborate.store import rows


def ts_lang(language: str | None) -> str:
    """The text-search configuration of a paragraph in `language`: Spanish or English (the
    English stemmer leaves other languages' words nearly as typed)."""
    return "es" if (language or "").lower().startswith("es") else "en"


def _in_order(nodes: list, children: Callable[[Any], list]) -> list[tuple[Any, int | None, int]]:
    """(node, index of its parent, position among its siblings) in pre-order, the order the
    reader met them: sections (`.sections`) and ToR items (`.items`) alike."""
    out: list[tuple[Any, int | None, int]] = []

    def walk(node, parent: int | None, position: int) -> None:
        out.append((node, parent, position))
        here = len(out) - 1
        for i, child in enumerate(children(node)):
            walk(child, here, i)

    for i, node in enumerate(nodes):
        walk(node, None, i)
    return out


def merged_sources(sources: list[Source]) -> list[Source]:
    """One entry per id, in id order (two ingests sharing sources lock them in the same order);
    a repeated id merges as two upserts in a row would (`_merged`)."""
    by_id: dict[str, Source] = {}
    for src in sources:
        old = by_id.get(src.id)
        if old is not None:
            date, urls, aliases = _merged(old.date, old.urls, old.aliases, src)
            src = src.model_copy(update={"date": date, "urls": urls, "aliases": aliases})
        by_id[src.id] = src
    return [by_id[k] for k in sorted(by_id)]


def _merged(date: str | None, urls: list[str], aliases: list[str], src: Source
            ) -> tuple[str | None, list[str], list[str]]:
    """A stored source's date, URLs and aliases with `src` merged in as SqliteStore's upsert
    merges them: the later date (a missing one never wins), every URL and alias, first seen first."""
    later = src.date if date is None or (src.date is not None and src.date > date) else date
    return later, list(dict.fromkeys([*urls, *src.urls])), list(dict.fromkeys([*aliases, *src.aliases]))


class PostgresWriter:
    """`_insert` of `PostgresStore` (a mixin over its `_conn`)."""

    def _insert(self, report: Report, family: str, sources: list[Source], embeddings, e5=None) -> None:
        from psycopg.rows import tuple_row

        with self._conn() as conn, conn.cursor(row_factory=tuple_row) as cur:
            cur.execute(
                """INSERT INTO reports(id, family, version, title, publisher, published, cut_off,
                       ref_start, ref_end, language, source_hash, source_path, format, ingested_at,
                       edition, reference, country, document_type)
                   VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s) RETURNING pk""",
                (report.id, family, report.version, report.title, report.publisher,
                 report.published, report.cut_off, report.reference_period.start,
                 report.reference_period.end, report.language, report.source_hash,
                 report.source_path, report.format, rows.now(), report.edition, report.reference,
                 report.country, report.document_type),
            )
            rpk = cur.fetchone()[0]
            _upsert_sources(cur, merged_sources(sources))
            _write_body(cur, rpk, report, embeddings, e5)


def _new_pks(cur, table: str, n: int) -> list[int]:
    """`n` fresh keys of `table`, ascending (concurrent writers may interleave theirs)."""
    if n == 0:
        return []
    cur.execute("SELECT nextval(pg_get_serial_sequence(%s, 'pk')) FROM generate_series(1, %s)", (table, n))
    return sorted(r[0] for r in cur.fetchall())


def _copy(cur, table: str, columns: str, data) -> None:
    data = list(data)
    if not data:  # a report without a glossary (say) costs no round trip for it
        return
    with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in data:
            copy.write_row(row)


def _upsert_sources(cur, sources: list[Source]) -> None:
    """Insert, or merge into the stored source as SQLite's upsert does: never overwrite
    `confidential` (a reviewer's decision outlives re-ingest), keep the latest date and every
    URL and alias (first seen first), so one report does not erase another's."""
    if not sources:
        return
    ids = [s.id for s in sources]
    cur.execute("INSERT INTO sources(id, type) SELECT * FROM unnest(%s::text[], %s::text[]) "
                "ON CONFLICT (id) DO NOTHING", (ids, [s.type.value for s in sources]))
    cur.execute("SELECT id, date, urls, aliases FROM sources WHERE id = ANY(%s) ORDER BY id FOR UPDATE", (ids,))
    stored = {r[0]: r[1:] for r in cur.fetchall()}
    values = []
    for src in sources:
        date, urls, aliases = stored[src.id]
        date, urls, aliases = _merged(date, json.loads(urls), json.loads(aliases), src)
        values.append((src.id, src.author, src.title, src.type.value, src.language, date, json.dumps(urls),
                       src.kind.value, json.dumps(aliases)))
    cur.execute(
        """UPDATE sources s SET author = u.author, title = u.title, type = u.type, language = u.language,
               date = u.date, urls = u.urls, kind = u.kind, aliases = u.aliases
           FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[],
                       %s::text[], %s::text[]) AS u(id, author, title, type, language, date, urls, kind, aliases)
           WHERE s.id = u.id""",
        [list(col) for col in zip(*values, strict=True)],
    )


def _write_body(cur, rpk: int, report: Report, embeddings, e5=None) -> None:
    """Sections, paragraphs (with their index entry, markers and embeddings), notes and the
    rest of `report`, under the report's key `rpk`."""
    sections = _in_order(report.sections, lambda s: s.sections)
    spks = _new_pks(cur, "sections", len(sections))
    _copy(cur, "sections", "pk, report_pk, parent_pk, ord, number, title, level, page",
          ((spks[i], rpk, None if parent is None else spks[parent], i, s.number, s.title, s.level, s.page)
           for i, (s, parent, _) in enumerate(sections)))

    paragraphs = [(spk, p) for spk, (s, _, _) in zip(spks, sections, strict=True) for p in s.paragraphs]
    ppks = _new_pks(cur, "paragraphs", len(paragraphs))
    searchable = {id(p) for p in report.searchable_paragraphs()}
    searched = [id(p) in searchable for _, p in paragraphs]
    if paragraphs:
        lang = ts_lang(report.language)
        columns = list(zip(*[(pk, spk, p.id, p.order, p.kind.value, p.text, p.page,
                              json.dumps([m.model_dump() for m in p.markers]), rows.links_json(p.links), found)
                             for pk, (spk, p), found in zip(ppks, paragraphs, searched, strict=True)], strict=True))
        cur.execute(
            """INSERT INTO paragraphs(pk, report_pk, section_pk, id, ord, kind, text, page, markers, links,
                   searched, ts_lang, tsv, tfv)
               SELECT u.pk, %s, u.section_pk, u.id, u.ord, u.kind, u.text, u.page, u.markers, u.links, u.searched,
                      %s, CASE WHEN u.searched THEN to_tsvector(%s::regconfig, u.text) ELSE ''::tsvector END,
                      CASE WHEN u.searched THEN corroborate_tf(to_tsvector('corroborate_words', u.text))
                           ELSE ''::tsvector END
               FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::int[], %s::text[], %s::text[],
                           %s::int[], %s::text[], %s::text[], %s::boolean[])
                    AS u(pk, section_pk, id, ord, kind, text, page, markers, links, searched)""",
            [rpk, lang, f"corroborate_{lang}", *(list(c) for c in columns)],
        )
    _copy(cur, "markers", 'paragraph_pk, report_pk, n, "offset"',
          ((ppk, rpk, m.n, m.offset) for ppk, (_, p) in zip(ppks, paragraphs, strict=True) for m in p.markers))
    if embeddings is not None:
        indexed = [pk for pk, found in zip(ppks, searched, strict=True) if found]
        vectors = rows.vector_pairs(embeddings, e5)[:len(indexed)]
        if len(vectors) < len(indexed):
            raise ValueError("fewer embeddings than paragraphs")  # as SqliteStore
        with cur.copy("COPY embeddings (paragraph_pk, vector, e5) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(["int8", "bytea", "bytea"])
            for pk, (vector, e5_vector) in zip(indexed, vectors, strict=True):
                copy.write_row((pk, vector, e5_vector))

    _copy(cur, "footnotes", "report_pk, n, text, page, urls, links",
          ((rpk, fn.n, fn.text, fn.page, json.dumps(fn.urls), rows.links_json(fn.links)) for fn in report.footnotes))
    _copy(cur, "citations", "report_pk, footnote_n, ord, author, title, container, date, url, locator, kind, "
          "note, raw, source_id",
          ((rpk, fn.n, i, c.author, c.title, c.container, c.date, c.url, c.locator, c.kind.value, c.note, c.raw,
            c.source_id) for fn in report.footnotes for i, c in enumerate(fn.citations)))
    bibliography = []
    for i, entry in enumerate(report.bibliography):
        cit = entry.citation or Citation(raw=entry.text)
        bibliography.append((rpk, i, entry.heading, entry.text, json.dumps(entry.urls), rows.links_json(entry.links),
                             int(entry.cited), cit.author, cit.title, cit.container, cit.date, cit.url,
                             cit.kind.value, cit.raw, cit.source_id))
    _copy(cur, "bibliography", "report_pk, ord, heading, text, urls, links, cited, author, title, container, date, "
          "url, kind, raw, source_id", bibliography)
    _copy(cur, "glossary", "report_pk, ord, term, definition",
          ((rpk, i, g.term, g.definition) for i, g in enumerate(report.glossary)))
    _copy(cur, "warnings", "report_pk, ord, code, message, line, footnote",
          ((rpk, i, w.code, w.message, w.line, w.footnote) for i, w in enumerate(report.warnings)))
    items = _in_order(report.terms_of_reference, lambda item: item.items)
    tpks = _new_pks(cur, "tor_items", len(items))
    _copy(cur, "tor_items", "pk, report_pk, parent_pk, ord, text",
          ((tpks[i], rpk, None if parent is None else tpks[parent], position, item.text)
           for i, (item, parent, position) in enumerate(items)))
