"""A stored report as an exportable document: its text with footnotes re-inserted at their
offsets, confidential citations redacted, and its bibliography grouped by source type."""

from __future__ import annotations

from corroborate.export.bibliography import BibEntry, collect_entries, group_entries
from corroborate.export.document import FootnotedDocument, report_document
from corroborate.models import Report, Source
from corroborate.redaction import redact, secret_names, shown_footnotes


def cited_source_ids(report: Report) -> set[str]:
    return {c.source_id for f in report.footnotes for c in f.citations if c.source_id}


def report_entries(report: Report, sources: dict[str, Source]) -> list[BibEntry]:
    return collect_entries(report.footnotes, sources)


def report_export_document(report: Report, sources: dict[str, Source],
                           name_confidential: bool = False) -> FootnotedDocument:
    shown = shown_footnotes(report.footnotes, sources, name_confidential)
    bibliography = group_entries(report_entries(report, sources), name_confidential)
    secret = [] if name_confidential else [s for s in sources.values() if s.confidential]
    names = secret_names(secret, report)
    return report_document(report, shown, bibliography,
                           redactor=(lambda text: redact(text, names)) if names else None)
