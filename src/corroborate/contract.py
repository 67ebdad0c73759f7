"""The JSON shapes other tools read (`show --json`, `/api/reports/{id}`). One place, so the CLI
and the REST API cannot drift apart."""

from __future__ import annotations

from corroborate.models import BibliographyEntry, Footnote, Paragraph, Report, Section, TorItem


def paragraph_json(p: Paragraph) -> dict:
    return {"id": p.id, "kind": p.kind.value, "text": p.text, "footnotes": p.footnote_numbers,
            "page": p.page, "links": [k.model_dump() for k in p.links]}


def section_json(s: Section) -> dict:
    return {
        "number": s.number,
        "title": s.title,
        "level": s.level,
        "paragraphs": [paragraph_json(p) for p in s.paragraphs],
        "sections": [section_json(c) for c in s.sections],
    }


def footnote_json(f: Footnote) -> dict:
    return {
        "n": f.n,
        "text": f.text,
        "page": f.page,
        "urls": f.urls,
        "citations": [c.json_contract() for c in f.citations],
    }


def bibliography_json(e: BibliographyEntry) -> dict:
    """An entry of the report's own source list; `cited` false: consulted but not cited."""
    return {"text": e.text, "heading": e.heading, "cited": e.cited, "urls": e.urls,
            "citation": e.citation.json_contract() | {"source_id": e.citation.source_id} if e.citation else None}


def tor_json(item: TorItem) -> dict:
    return {"text": item.text, "items": [tor_json(c) for c in item.items]}


def report_json(report: Report, section: str | None = None) -> dict:
    """`show --json`. With `section`, only that subtree and the footnotes it references."""
    sections = report.sections
    footnotes = report.footnotes
    if section is not None:
        found = report.section(section)
        if found is None:
            raise KeyError(section)
        sections = [found]
        wanted = {n for s in found.walk() for p in s.paragraphs for n in p.footnote_numbers}
        footnotes = [f for f in report.footnotes if f.n in wanted]
    return {
        "id": report.id,
        "title": report.title,
        "publisher": report.publisher,
        "published": report.published,
        "cut_off": report.cut_off,
        "edition": report.edition,
        "reference": report.reference,
        "reference_period": report.reference_period.model_dump(),
        "language": report.language,
        "country": report.country,
        "document_type": report.document_type,
        "version": report.version,
        "format": report.format,
        "source_hash": report.source_hash,
        "sections": [section_json(s) for s in sections],
        "footnotes": [footnote_json(f) for f in footnotes],
        "glossary": [g.model_dump() for g in report.glossary],
        "bibliography": [bibliography_json(e) for e in report.bibliography] if section is None else [],
        "terms_of_reference": [tor_json(t) for t in report.terms_of_reference],
        "warnings": [str(w) for w in report.warnings],
    }
