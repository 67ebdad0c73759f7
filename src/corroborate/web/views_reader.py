"""The report reader: table of contents, paragraphs with their footnote markers, footnote panel."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from corroborate.i18n import N_
from corroborate.i18n import gettext as _
from corroborate.library import NotFound
from corroborate.models import Footnote, Report, Section, Source
from corroborate.web import render
from corroborate.web.views_common import citation_options, get_library, not_found, page, registry_sources

router = APIRouter()

# Offered on the reader; the export routes decide what they support and say so.
REPORT_EXPORTS = [("docx", N_("Word (.docx)")), ("pdf", "PDF"), ("md", "Markdown"), ("html", "HTML")]


@dataclass
class ParagraphView:
    id: str
    kind: str
    html: Markup
    citation: str
    page: int | None
    footnotes: list[int]


@dataclass
class SectionView:
    anchor: str
    number: str | None
    title: str
    level: int
    paragraphs: list[ParagraphView] = field(default_factory=list)
    children: list[SectionView] = field(default_factory=list)


@dataclass
class FootnoteView:
    n: int
    footnote: Footnote | None
    missing: bool
    cited_in: list[tuple[str, str]]  # (paragraph id, section label)


def build_sections(report: Report, footnotes: dict[int, Footnote], sources: dict[str, Source],
                   style: str = "euaa", base_url: str | None = None) -> list[SectionView]:
    glossary = render.Glossary.build(report.glossary)
    counter = iter(range(1, 1_000_000))

    def view(s: Section) -> SectionView:
        sv = SectionView(anchor=f"s-{next(counter)}", number=s.number, title=s.title, level=s.level)
        for p in s.paragraphs:
            sv.paragraphs.append(ParagraphView(
                id=p.id, kind=p.kind.value, page=p.page, footnotes=p.footnote_numbers,
                html=render.paragraph_html(p, footnotes, glossary),
                citation=render.paragraph_citation(report, p, footnotes, sources, None, style, base_url),
            ))
        sv.children = [view(c) for c in s.sections]
        return sv

    return [view(s) for s in report.sections]


def build_footnotes(report: Report, footnotes: dict[int, Footnote]) -> list[FootnoteView]:
    """Every footnote of the report, plus any number a marker refers to but the text lost."""
    cited_in: dict[int, list[tuple[str, str]]] = {}
    for p in report.paragraphs():
        for n in p.footnote_numbers:
            cited_in.setdefault(n, []).append((p.id, p.section or ""))
    numbers = sorted(set(footnotes) | set(cited_in))
    return [
        FootnoteView(n=n, footnote=footnotes.get(n), missing=render.footnote_is_missing(footnotes.get(n)),
                     cited_in=cited_in.get(n, []))
        for n in numbers
    ]


@router.get("/reports/{report_id}", response_class=HTMLResponse, name="reader")
def reader(request: Request, report_id: str) -> HTMLResponse:
    lib = get_library(request)
    try:
        report = lib.report(report_id)
    except NotFound as exc:
        hint = (" " + _("Did you mean %(names)s?", names=_(" or ").join(exc.suggestions))) if exc.suggestions else ""
        return not_found(request, _("There is no report “%(report)s” in this library.", report=report_id) + hint)
    footnotes = {f.n: f for f in report.footnotes}
    fviews = build_footnotes(report, footnotes)
    # A caseworker must not quote a superseded version without knowing it.
    rows = lib.reports()
    family = next((r["family"] for r in rows if r["id"] == report_id), None)
    versions = sorted((r for r in rows if r["family"] == family), key=lambda r: r["version"])
    latest = versions[-1] if versions and versions[-1]["id"] != report_id else None
    sources = registry_sources(lib, report_id)
    return page(
        request, "reader.html", report=report,
        sections=build_sections(report, footnotes, sources, *citation_options(request)),
        confidential_ids={sid for sid, src in sources.items() if src.confidential},
        footnotes=fviews, missing_count=sum(1 for f in fviews if f.missing),
        exports=REPORT_EXPORTS, latest=latest,
    )
