"""Small hand-built Reports for the audit rule tests: `P("Claim.[1] Other.[2]")` puts footnote
markers at the offsets where `[n]` stood, the way readers record them."""

from __future__ import annotations

import re

from corroborate.audit import audit_report
from corroborate.models import (
    Citation,
    CitationKind,
    Footnote,
    GlossaryEntry,
    Marker,
    Paragraph,
    ParagraphKind,
    ReferencePeriod,
    Report,
    Section,
    Source,
    assign_paragraph_ids,
)


def P(text: str, kind: ParagraphKind = ParagraphKind.BODY) -> Paragraph:
    markers, clean, pos = [], [], 0
    for m in re.finditer(r"\[(\d+)\]", text):
        clean.append(text[pos: m.start()])
        markers.append(Marker(n=int(m.group(1)), offset=len("".join(clean))))
        pos = m.end()
    clean.append(text[pos:])
    return Paragraph(text="".join(clean), markers=markers, kind=kind)


def S(number: str | None, title: str, *paragraphs: Paragraph, sections: list[Section] | None = None) -> Section:
    return Section(number=number, title=title, paragraphs=list(paragraphs), sections=sections or [])


def C(raw: str, author: str | None = None, date: str | None = None, url: str | None = None,
      kind: CitationKind = CitationKind.DOCUMENT, source_id: str | None = None, title: str | None = None) -> Citation:
    return Citation(raw=raw, author=author, date=date, url=url, kind=kind, title=title,
                    source_id=source_id or (f"src-{author.lower().replace(' ', '-')}" if author else None))


def F(n: int, *citations: Citation, text: str | None = "") -> Footnote:
    if text == "":
        text = "; ".join(c.raw for c in citations) or None
    return Footnote(n=n, text=text, citations=list(citations))


def R(*sections: Section, footnotes=(), glossary=(), start="2021-01", cut="2023-09-19") -> Report:
    report = Report(
        id="t", title="Test report", sections=list(sections), footnotes=list(footnotes),
        glossary=[GlossaryEntry(term=t, definition=d) for t, d in glossary],
        reference_period=ReferencePeriod(start=start, end=cut), cut_off=cut,
    )
    assign_paragraph_ids(report, "t")
    return report


def findings(report: Report, rule: str, sources: list[Source] | None = None) -> list[dict]:
    return audit_report(report, sources=sources, rules=[rule])["findings"]


def doc(n: int, author: str = "HRW", date: str = "2023-04") -> Citation:
    """A well-formed documentary citation."""
    return C(f"{author}, Report {n}, {date}, url", author=author, date=date, url=f"https://x.org/{n}")
