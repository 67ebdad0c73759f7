"""Citation layer: footnote texts parsed into citations, citations deduplicated into sources."""

from __future__ import annotations

from corroborate.models import Citation, CitationKind, Report, Source


def link_citations(report: Report) -> list[Source]:
    """Fill `footnote.citations` and return the report's sources (each once).

    Interim: one unparsed citation per footnote until the parser lands (issue 3).
    """
    for fn in report.footnotes:
        if fn.text and not fn.citations:
            fn.citations = [Citation(raw=fn.text, kind=CitationKind.UNPARSED)]
    return []
