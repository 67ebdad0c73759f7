"""Audit and terms-of-reference routes: the JSON API (`/api/reports/{id}/audit`, `/tor`, the
same as `corroborate audit|tor --json`) and the reviewer's HTML pages (`/reports/{id}/audit`,
`/reports/{id}/tor`), whose findings link into the reader (`#p-<paragraph id>`, `#fn-<n>`)."""

from __future__ import annotations

from fastapi import APIRouter, Body, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from corroborate.i18n import gettext
from corroborate.library import Library, NotFound
from corroborate.web.api import caller_library

router = APIRouter()

SEVERITY_HELP = "Only findings at or above this severity: info | warning | error"


def _audit(lib: Library, report_id: str, severity: str | None, rule: list[str] | None) -> dict:
    try:
        return lib.audit(report_id, severity=severity or None, rules=[r for r in rule or [] if r] or None)
    except NotFound as exc:
        raise HTTPException(404, exc.args[0] if exc.args else "not found") from exc
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from exc


def _tor(lib: Library, report_id: str, terms=None) -> dict:
    try:
        return lib.tor(report_id, terms)
    except NotFound as exc:
        raise HTTPException(404, exc.args[0] if exc.args else "not found") from exc


def _tor_given(lib: Library, report_id: str, text: str, where: str) -> dict:
    """The matrix against a ToR given as text (`where` names it in an error), for the API and the page."""
    from corroborate.readers import ReaderError
    from corroborate.readers.tor_file import parse_terms_of_reference

    try:
        terms = parse_terms_of_reference(text, where)
    except ReaderError as exc:
        raise HTTPException(400, str(exc)) from exc
    return _tor(lib, report_id, terms)


@router.get("/api/reports/{report_id}/audit", tags=["api"],
            summary="Methodology audit: findings with their locations and a summary")
def audit_api(report_id: str, severity: str | None = Query(None, description=SEVERITY_HELP),
              rule: list[str] | None = Query(None, description="Only these rules (repeatable)"),
              lib: Library = Depends(caller_library)) -> dict:
    return _audit(lib, report_id, severity, rule)


@router.get("/api/reports/{report_id}/tor", tags=["api"],
            summary="Terms-of-reference coverage matrix: verdict, score and evidence per item")
def tor_api(report_id: str, lib: Library = Depends(caller_library)) -> dict:
    return _tor(lib, report_id)


TOR_BODY_HELP = ("The ToR as text: one topic per line, nested by indentation, list markers optional "
                 "(the format of `corroborate tor --terms FILE`); English or Spanish.")


@router.post("/api/reports/{report_id}/tor", tags=["api"],
             summary="Coverage matrix of the report against a ToR given in the request body")
def tor_given_api(report_id: str, body: bytes = Body(..., media_type="text/plain", description=TOR_BODY_HELP),
                  lib: Library = Depends(caller_library)) -> dict:
    from corroborate.readers.tor_file import MAX_TOR_BYTES

    if len(body) > MAX_TOR_BYTES:
        raise HTTPException(413, f"request body: {len(body) // 1024} KB; a ToR may be at most {MAX_TOR_BYTES // 1024} KB")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise HTTPException(400, f"request body: not UTF-8 text (byte {exc.start})") from exc
    return _tor_given(lib, report_id, text, "request body")


def _section_anchors(lib: Library, report_id: str) -> dict[str, str]:
    """Section key -> the reader anchor of its first paragraph (itself or its first subsection's)."""
    anchors: dict[str, str] = {}
    for section in lib.report(report_id).walk_sections():
        first = next((p for s in section.walk() for p in s.paragraphs), None)
        if first is not None:
            anchors[section.key] = f"p-{first.id}"
    return anchors


def _page_or_error(request: Request, lib: Library, report_id: str, fn, template: str, **context) -> HTMLResponse:
    from corroborate.web.views_common import error_page, page

    try:
        data = fn()
    except HTTPException as exc:
        title = gettext("Not found") if exc.status_code == 404 else gettext("Bad request")
        return error_page(request, exc.status_code, title, str(exc.detail))
    return page(request, template, data=data, report_id=report_id,
                section_anchors=_section_anchors(lib, report_id), **context)


@router.get("/reports/{report_id}/audit", response_class=HTMLResponse, include_in_schema=False)
def audit_page(request: Request, report_id: str, severity: str | None = None, rule: str | None = None,
               lib: Library = Depends(caller_library)) -> HTMLResponse:
    from corroborate.audit import RULES

    return _page_or_error(
        request, lib, report_id, lambda: _audit(lib, report_id, severity, [rule] if rule else None), "audit.html",
        severity=severity or "", rule=rule or "", all_rules=RULES,
    )


@router.get("/reports/{report_id}/tor", response_class=HTMLResponse, include_in_schema=False)
def tor_page(request: Request, report_id: str, lib: Library = Depends(caller_library)) -> HTMLResponse:
    return _page_or_error(request, lib, report_id, lambda: _tor(lib, report_id), "tor.html", terms="")


@router.post("/reports/{report_id}/tor", response_class=HTMLResponse, include_in_schema=False)
def tor_given_page(request: Request, report_id: str, terms: str = Form(""),
                   lib: Library = Depends(caller_library)) -> HTMLResponse:
    """The ToR page for a ToR pasted into its form (the API's POST, read from a form field)."""
    from corroborate.readers.tor_file import MAX_TOR_BYTES

    def matrix() -> dict:
        if len(terms.encode()) > MAX_TOR_BYTES:
            raise HTTPException(413, gettext("A ToR may be at most %(kb)s KB.", kb=MAX_TOR_BYTES // 1024))
        return _tor_given(lib, report_id, terms, gettext("the ToR given"))

    return _page_or_error(request, lib, report_id, matrix, "tor.html", terms=terms)
