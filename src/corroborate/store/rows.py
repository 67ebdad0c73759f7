"""Stored rows (mappings of column name to value, from either backend) back into models."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from corroborate.models import (
    BibliographyEntry,
    Citation,
    Footnote,
    GlossaryEntry,
    IngestWarning,
    Link,
    Marker,
    Paragraph,
    ReferencePeriod,
    Report,
    Section,
    Source,
    TorItem,
)


def now() -> str:
    """A row's timestamp: UTC, ISO 8601 to the second (the same text on every backend)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def vector_pairs(embeddings, e5) -> list[tuple[bytes, bytes | None]]:
    """Each paragraph's (USE vector, E5 vector or None), in reading order, for the writers."""
    use = list(embeddings)
    second = list(e5) if e5 is not None else []
    if e5 is not None and len(second) != len(use):
        raise ValueError("as many E5 vectors as embeddings are needed")
    return [(v, second[i] if e5 is not None else None) for i, v in enumerate(use)]


def split_sql(script: str) -> list[str]:
    """A migration's statements (each ends with a semicolon at the end of a line)."""
    return [s.strip() for s in script.split(";\n") if s.strip()]


def links_json(links: list[Link]) -> str:
    return json.dumps([k.model_dump() for k in links])


def report_header(r) -> Report:
    return Report(
        id=r["id"], title=r["title"], publisher=r["publisher"], published=r["published"],
        cut_off=r["cut_off"],
        reference_period=ReferencePeriod(start=r["ref_start"], end=r["ref_end"]),
        language=r["language"] or "en", source_hash=r["source_hash"],
        source_path=r["source_path"], format=r["format"] or "text", version=r["version"],
        edition=r["edition"], reference=r["reference"],
        country=r["country"], document_type=r["document_type"],
    )


def paragraph(p, section: Section) -> Paragraph:
    return Paragraph(
        id=p["id"], section=section.key, order=p["ord"], kind=p["kind"],
        text=p["text"], page=p["page"],
        markers=[Marker(**m) for m in json.loads(p["markers"])],
        links=[Link(**k) for k in json.loads(p["links"])],
    )


def source(s) -> Source:
    return Source(
        id=s["id"], author=s["author"], title=s["title"], type=s["type"],
        language=s["language"], date=s["date"], urls=json.loads(s["urls"]),
        confidential=bool(s["confidential"]), kind=s["kind"],
        cited=bool(s["cited"]) if "cited" in s.keys() else True,  # only where the query asked
        aliases=json.loads(s["aliases"]),
    )


# --- assembling a report from its rows (the same on every backend; only the queries differ) ---


def citation(ct) -> Citation:
    return Citation(
        author=ct["author"], title=ct["title"], container=ct["container"], date=ct["date"],
        url=ct["url"], locator=ct["locator"], kind=ct["kind"], note=ct["note"], raw=ct["raw"],
        source_id=ct["source_id"],
    )


def footnotes(note_rows, citation_rows) -> list[Footnote]:
    """Footnotes (rows ordered by n) with their citations (rows ordered by footnote_n, ord)."""
    by_note: dict[int, list[Citation]] = {}
    for ct in citation_rows:
        by_note.setdefault(ct["footnote_n"], []).append(citation(ct))
    return [
        Footnote(n=f["n"], text=f["text"], page=f["page"], urls=json.loads(f["urls"]),
                 links=[Link(**k) for k in json.loads(f["links"])], citations=by_note.get(f["n"], []))
        for f in note_rows
    ]


def excerpt_sections(paragraph_rows, section_tree) -> tuple[list[Section], list[int]]:
    """Paragraph rows joined with their section's columns (s_number, s_title, s_level, s_page,
    s_ord), in any order: each paragraph in a copy of its section (no other paragraphs, no
    subsections), sections in report order, and the footnote numbers the paragraphs cite.

    `section_tree`: the report's (pk, parent_pk, number) rows. An unnumbered heading's copy
    carries the number of its nearest numbered ancestor, which the excerpt leaves out: a
    passage under 3.5.1 › 'La Dinastía Alayón' is cited 'section 3.5.1 ‘La Dinastía Alayón’'
    from an excerpt (search page, case export, CLI) exactly as from the whole report."""
    parent = {t["pk"]: t["parent_pk"] for t in section_tree}
    own = {t["pk"]: t["number"] for t in section_tree}

    def inherited(pk):
        seen = set()
        while pk is not None and pk not in seen and not own.get(pk):
            seen.add(pk)
            pk = parent.get(pk)
        return own.get(pk) if pk is not None else None

    sections: dict[int, Section] = {}
    section_ord: dict[int, int] = {}
    numbers: set[int] = set()
    for p in paragraph_rows:
        section = sections.get(p["section_pk"])
        if section is None:
            section = sections[p["section_pk"]] = Section(
                number=p["s_number"] or inherited(p["section_pk"]), title=p["s_title"], level=p["s_level"],
                page=p["s_page"])
            section_ord[p["section_pk"]] = p["s_ord"]
        para = paragraph(p, section)
        section.paragraphs.append(para)
        numbers.update(m.n for m in para.markers)
    for section in sections.values():
        section.paragraphs.sort(key=lambda x: x.order)
    return [sections[pk] for pk in sorted(sections, key=section_ord.__getitem__)], sorted(numbers)


def fill_report(report: Report, *, section_rows, paragraph_rows, notes: list[Footnote], bibliography_rows,
                glossary_rows, tor_rows, warning_rows) -> Report:
    """`report` (a header) with its whole content: section rows ordered by `ord` (parents
    first), paragraph rows by `ord`, bibliography, glossary and warning rows by `ord`, ToR
    rows by pk (parents first)."""
    by_pk: dict[int, Section] = {}
    for s in section_rows:
        section = by_pk[s["pk"]] = Section(number=s["number"], title=s["title"], level=s["level"], page=s["page"])
        (report.sections if s["parent_pk"] is None else by_pk[s["parent_pk"]].sections).append(section)
    for p in paragraph_rows:
        section = by_pk[p["section_pk"]]
        section.paragraphs.append(paragraph(p, section))
    report.footnotes = notes
    report.bibliography = [
        BibliographyEntry(
            text=b["text"], urls=json.loads(b["urls"]), links=[Link(**k) for k in json.loads(b["links"])],
            heading=b["heading"], cited=bool(b["cited"]),
            citation=Citation(author=b["author"], title=b["title"], container=b["container"], date=b["date"],
                              url=b["url"], kind=b["kind"], raw=b["raw"], source_id=b["source_id"]),
        )
        for b in bibliography_rows
    ]
    report.glossary = [GlossaryEntry(term=g["term"], definition=g["definition"]) for g in glossary_rows]
    tor_by_pk: dict[int, TorItem] = {}
    for t in tor_rows:
        item = tor_by_pk[t["pk"]] = TorItem(text=t["text"])
        (report.terms_of_reference if t["parent_pk"] is None else tor_by_pk[t["parent_pk"]].items).append(item)
    report.warnings = [
        IngestWarning(code=w["code"], message=w["message"], line=w["line"], footnote=w["footnote"])
        for w in warning_rows
    ]
    return report


# --- search results' footnotes and facets (the public contract shapes) -------------------------

CITATION_FIELDS = ("author", "title", "container", "date", "url", "locator", "kind", "note")


def contract_footnotes(wanted: set[tuple[int, int]], fetch) -> dict[tuple[int, int], dict]:
    """Footnotes with their citations keyed by (report_pk, n). `fetch(report_pk, numbers)` gives
    that report's footnote rows (n, text, urls) and citation rows (footnote_n and
    CITATION_FIELDS, ordered by footnote_n, ord). A marker whose footnote text was lost in
    extraction still appears, with text None."""
    out: dict[tuple[int, int], dict] = {}
    by_report: dict[int, list[int]] = {}
    for rpk, n in wanted:
        by_report.setdefault(rpk, []).append(n)
    for rpk, ns in by_report.items():
        note_rows, citation_rows = fetch(rpk, ns)
        for f in note_rows:
            out[(rpk, f["n"])] = {"n": f["n"], "text": f["text"], "urls": json.loads(f["urls"]), "citations": []}
        for ct in citation_rows:
            fn = out.setdefault((rpk, ct["footnote_n"]), {"n": ct["footnote_n"], "text": None, "urls": [],
                                                          "citations": []})
            fn["citations"].append({k: ct[k] for k in CITATION_FIELDS})
    for key in wanted:
        out.setdefault(key, {"n": key[1], "text": None, "urls": [], "citations": []})
    return out


def facets(section_rows, source_rows, year_rows) -> dict[str, list[dict]]:
    """Facet counts from three queries over a set of paragraphs: paragraphs per (report,
    section) with the report's metadata (`n`); each (paragraph, cited source) once; each
    paragraph's most recent cited year. Each facet is a list of {value, label, count}, largest
    first."""
    counters: dict[str, dict[str, list]] = {}

    def add(facet: str, value, label, n: int = 1) -> None:
        if value is None or value == "":
            return
        entry = counters.setdefault(facet, {}).setdefault(str(value), [label or str(value), 0])
        entry[1] += n

    for r in section_rows:
        n = r["n"]
        add("report", r["id"], r["title"], n)
        for facet in ("country", "publisher", "document_type", "language"):
            add(facet, r[facet], None, n)
        key = r["number"] or r["section_title"]
        add("section", key, f"{r['number']} {r['section_title']}" if r["number"] else r["section_title"], n)
    seen: set[tuple[str, str, int]] = set()
    for c in source_rows:
        pk = c["paragraph_pk"]
        for facet, value, label in (("source", c["id"], c["author"] or c["title"]),
                                    ("source_type", c["type"], None),
                                    ("source_language", c["language"], None)):
            if value is not None and (facet, value, pk) not in seen:
                seen.add((facet, value, pk))
                add(facet, value, label)
    for y in year_rows:
        if y["year"] and y["year"].isdigit():
            add("cited_year", y["year"], None)
    return {
        facet: [{"value": v, "label": label, "count": n}
                for v, (label, n) in sorted(values.items(), key=lambda kv: (-kv[1][1], kv[0]))]
        for facet, values in counters.items()
    }
