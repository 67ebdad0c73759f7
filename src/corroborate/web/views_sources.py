"""The bibliography: every source the reports cite, and for one source every citing paragraph."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from corroborate.i18n import gettext as _
from corroborate.library import Library, NotFound
from corroborate.models import Paragraph, fold
from corroborate.web import render
from corroborate.web.views_common import error_page, get_library, not_found, page

router = APIRouter()

BIBLIOGRAPHY_EXPORTS = [("ris", "RIS"), ("csl-json", "CSL-JSON"), ("bibtex", "BibTeX")]


@dataclass
class Claim:
    """What one footnote citing the source supports inside a paragraph."""

    footnote: int
    text: str
    locator: str | None


@dataclass
class CitingParagraph:
    id: str
    section: str
    page: int | None
    text: str
    claims: list[Claim] = field(default_factory=list)


@dataclass
class CitingReport:
    report_id: str
    title: str
    paragraphs: list[CitingParagraph] = field(default_factory=list)
    unplaced: list[dict] = field(default_factory=list)  # citing footnotes no paragraph refers to


def citing_reports(lib: Library, cited_by: list[dict]) -> list[CitingReport]:
    """Group a source's citations by report and paragraph, each paragraph once, with the claim
    every citing footnote supports."""
    titles = {r["id"]: r["title"] for r in lib.reports()}
    out: dict[str, CitingReport] = {}
    for rid in dict.fromkeys(c["report_id"] for c in cited_by):
        try:
            report = lib.report(rid)
        except NotFound:
            continue
        paragraphs: dict[str, Paragraph] = {p.id: p for p in report.paragraphs()}
        group = out[rid] = CitingReport(rid, titles.get(rid, rid))
        views: dict[str, CitingParagraph] = {}
        for c in (c for c in cited_by if c["report_id"] == rid):
            placed = [paragraphs[p["id"]] for p in c.get("paragraphs") or [] if p["id"] in paragraphs]
            if not placed:
                group.unplaced.append(c)
            for p in placed:
                view = views.setdefault(p.id, CitingParagraph(p.id, p.section or "", p.page, p.text))
                for m in p.markers:
                    if m.n == c["footnote_n"] and not any(cl.footnote == m.n for cl in view.claims):
                        view.claims.append(Claim(m.n, render.supported_claim(p, m.offset), c.get("locator")))
        order = {pid: i for i, pid in enumerate(paragraphs)}
        group.paragraphs = sorted(views.values(), key=lambda v: order[v.id])
        for v in group.paragraphs:
            v.claims.sort(key=lambda cl: cl.footnote)
    return list(out.values())


def _by_name(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda r: (fold(r.get("author") or r.get("title") or ""), fold(r.get("title") or "")))


# Citation counts first (the list's natural order); newest first for dates, undated last.
SORTS = {
    "cited": lambda rows: rows,
    "name": _by_name,
    "type": lambda rows: sorted(_by_name(rows), key=lambda r: r.get("type") or ""),
    "language": lambda rows: sorted(_by_name(rows), key=lambda r: r.get("language") or "~"),
    "date": lambda rows: sorted(_by_name(rows), key=lambda r: r.get("date") or "", reverse=True),
}


def _sort_href(params: dict[str, str], key: str) -> str:
    return "/sources?" + urlencode({**{k: v for k, v in params.items() if k != "sort"}, "sort": key})


@router.get("/sources", response_class=HTMLResponse, name="sources")
def sources(request: Request) -> HTMLResponse:
    params = {k: v.strip() for k, v in request.query_params.items() if v and v.strip()}
    lib = get_library(request)
    reports = lib.reports()
    report_id = params.get("report")
    try:
        rows = lib.sources(report_id=report_id, source_type=params.get("type"))
    except NotFound:
        return error_page(request, 404, _("Not found"), _("There is no report “%(report)s” in this library.", report=report_id))
    # Offer only filter values that exist, counted over the rows the other filters leave.
    all_rows = lib.sources(report_id=report_id)
    types = sorted({r["type"] for r in all_rows if r.get("type")})
    languages = sorted({r["language"] for r in all_rows if r.get("language")})
    if params.get("lang"):
        rows = [r for r in rows if r.get("language") == params["lang"]]
    if params.get("name"):
        needle = fold(params["name"])
        rows = [r for r in rows if needle in fold(f"{r.get('author') or ''} {r.get('title') or ''}")]
    sort = params.get("sort", "cited")
    if sort not in SORTS:
        return error_page(request, 400, _("This list cannot be sorted that way"),
                          _("sort=%(sort)s: use one of %(choices)s", sort=repr(sort), choices=", ".join(SORTS)))
    rows = SORTS[sort](rows)
    return page(
        request, "sources.html", rows=rows, sort=sort, sort_href=lambda key: _sort_href(params, key), reports=reports, types=types, languages=languages,
        params=params, total=len(all_rows), exports=BIBLIOGRAPHY_EXPORTS,
        report_title=next((r["title"] for r in reports if r["id"] == report_id), None),
    )


@router.get("/sources/{source_id}", response_class=HTMLResponse, name="source")
def source(request: Request, source_id: str) -> HTMLResponse:
    lib = get_library(request)
    try:
        src = lib.source(source_id)
    except NotFound:
        return not_found(request, _("There is no source “%(source)s” in this library.", source=source_id))
    citing = citing_reports(lib, src.get("cited_by") or [])
    return page(request, "source.html", src=src, citing=citing,
                paragraph_count=sum(len(r.paragraphs) for r in citing))
