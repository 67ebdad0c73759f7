"""The bibliography: every source the reports cite, and for one source every citing paragraph."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from corroborate.library import NotFound
from corroborate.models import fold
from corroborate.web.views_common import error_page, get_library, not_found, page

router = APIRouter()

BIBLIOGRAPHY_EXPORTS = [("ris", "RIS"), ("csl-json", "CSL-JSON"), ("bibtex", "BibTeX")]


@dataclass
class CitingReport:
    report_id: str
    title: str
    citations: list[dict] = field(default_factory=list)


@router.get("/sources", response_class=HTMLResponse, name="sources")
def sources(request: Request) -> HTMLResponse:
    params = {k: v.strip() for k, v in request.query_params.items() if v and v.strip()}
    lib = get_library(request)
    reports = lib.reports()
    report_id = params.get("report")
    try:
        rows = lib.sources(report_id=report_id, source_type=params.get("type"))
    except NotFound:
        return error_page(request, 404, "Not found", f"There is no report “{report_id}” in this library.")
    # Offer only filter values that exist, counted over the rows the other filters leave.
    all_rows = lib.sources(report_id=report_id)
    types = sorted({r["type"] for r in all_rows if r.get("type")})
    languages = sorted({r["language"] for r in all_rows if r.get("language")})
    if params.get("lang"):
        rows = [r for r in rows if r.get("language") == params["lang"]]
    if params.get("name"):
        needle = fold(params["name"])
        rows = [r for r in rows if needle in fold(f"{r.get('author') or ''} {r.get('title') or ''}")]
    return page(
        request, "sources.html", rows=rows, reports=reports, types=types, languages=languages,
        params=params, total=len(all_rows), exports=BIBLIOGRAPHY_EXPORTS,
        report_title=next((r["title"] for r in reports if r["id"] == report_id), None),
    )


@router.get("/sources/{source_id}", response_class=HTMLResponse, name="source")
def source(request: Request, source_id: str) -> HTMLResponse:
    lib = get_library(request)
    try:
        src = lib.source(source_id)
    except NotFound:
        return not_found(request, f"There is no source “{source_id}” in this library.")
    titles = {r["id"]: r["title"] for r in lib.reports()}
    by_report: dict[str, CitingReport] = {}
    for c in src.get("cited_by") or []:
        rid = c["report_id"]
        by_report.setdefault(rid, CitingReport(rid, titles.get(rid, rid))).citations.append(c)
    paragraphs = {p["id"] for c in src.get("cited_by") or [] for p in c.get("paragraphs") or []}
    return page(request, "source.html", src=src, citing=list(by_report.values()),
                paragraph_count=len(paragraphs))
