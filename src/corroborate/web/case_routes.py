"""Case files on the web and the API (`corroborate.cases`).

    GET    /api/cases                          this caller's cases
    POST   /api/cases                          {"name", "language": "en"|"es"} -> the case (201)
    GET    /api/cases/{id}                     the case with its quotes as this caller may read them
    PATCH  /api/cases/{id}                     {"name"?, "language"?}
    DELETE /api/cases/{id}
    POST   /api/cases/{id}/items               {"report_id", "paragraph_id", "start"?, "end"?, "note"?} (201)
    PATCH  /api/cases/{id}/items               {"order": [item ids]} or {"item", "note"?, "position"?}
    DELETE /api/cases/{id}/items?item=ID
    GET    /api/cases/{id}/export?format=docx|pdf|md|html[&name_confidential=true]

and the pages: `/cases` (list, new), `/cases/{id}` (quotes with their citations, move up/down,
remove, note, export), `/cases/add?report=&paragraph=[&start=&end=][&back=]` (the "Add to
case" form that search hits, ask quotes and reader paragraphs link to; it works without
JavaScript and from the keyboard). Every form carries the CSRF token `web/auth.py` checks.

Any signed-in user has cases of their own (caseworkers are readers); with no users the cases
are the database's, as on the command line. Reads are redacted for the caller like every other
read, and so are exports unless a researcher asks for names.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from corroborate.cases import Case, CaseSummary
from corroborate.i18n import N_, gettext
from corroborate.library import Library, NotFound
from corroborate.users import AccessDenied
from corroborate.web.api import caller_library, writer_library
from corroborate.web.auth import _safe_next
from corroborate.web.locale import request_locale
from corroborate.web.views_common import citation_options, error_page, page, templates

router = APIRouter()

CASE_EXPORTS = [("docx", N_("Word (.docx)")), ("pdf", N_("PDF")), ("md", N_("Markdown"))]
Language = Literal["en", "es"]


class CaseNew(BaseModel):
    name: str = Field(description="The case's name, unique among your cases")
    language: Language = Field("en", description="Language of the case's exports")


class CaseEdit(BaseModel):
    name: str | None = None
    language: Language | None = None


class ItemNew(BaseModel):
    report_id: str
    paragraph_id: str
    start: int | None = Field(None, description="Span start in the paragraph as you read it (with end)")
    end: int | None = None
    note: str = ""


class ItemsEdit(BaseModel):
    order: list[int] | None = Field(None, description="Every item id of the case, in the new order")
    item: int | None = Field(None, description="The item whose note or position to change")
    note: str | None = None
    position: int | None = Field(None, description="Move `item` here (1 = first)")


class CaseList(BaseModel):
    cases: list[CaseSummary]


def _http(exc: Exception) -> HTTPException:
    if isinstance(exc, NotFound):
        return HTTPException(404, exc.args[0] if exc.args else "not found")
    if isinstance(exc, AccessDenied):
        return HTTPException(403, str(exc))
    return HTTPException(400, str(exc))


def _run(action):
    try:
        return action()
    except (NotFound, AccessDenied, ValueError) as exc:
        raise _http(exc) from exc


# --- API -----------------------------------------------------------------------------------


@router.get("/api/cases", tags=["cases"], summary="Your cases, most recently changed first")
def list_api(lib: Library = Depends(caller_library)) -> CaseList:
    return CaseList(cases=lib.cases.list())


@router.post("/api/cases", status_code=201, tags=["cases"], summary="Create a case")
def create_api(body: CaseNew, lib: Library = Depends(writer_library)) -> Case:
    return _run(lambda: lib.cases.create(body.name, body.language))


@router.get("/api/cases/{case_id}", tags=["cases"], summary="A case with its quotes, citations and footnotes")
def get_api(case_id: int, lib: Library = Depends(caller_library)) -> Case:
    return _run(lambda: lib.cases.get(case_id))


@router.patch("/api/cases/{case_id}", tags=["cases"], summary="Rename a case or change its language")
def edit_api(case_id: int, body: CaseEdit, lib: Library = Depends(writer_library)) -> Case:
    return _run(lambda: lib.cases.update(case_id, name=body.name, language=body.language))


@router.delete("/api/cases/{case_id}", tags=["cases"], summary="Delete a case and its items")
def delete_api(case_id: int, lib: Library = Depends(writer_library)) -> dict:
    _run(lambda: lib.cases.delete(case_id))
    return {"deleted": case_id}


@router.post("/api/cases/{case_id}/items", status_code=201, tags=["cases"], summary="Quote a passage in a case")
def add_api(case_id: int, body: ItemNew, lib: Library = Depends(writer_library)) -> Case:
    def add() -> Case:
        lib.cases.add(case_id, body.report_id, body.paragraph_id, body.start, body.end, body.note)
        return lib.cases.get(case_id)

    return _run(add)


@router.patch("/api/cases/{case_id}/items", tags=["cases"], summary="Reorder a case's items, or annotate or move one")
def edit_items_api(case_id: int, body: ItemsEdit, lib: Library = Depends(writer_library)) -> Case:
    def edit() -> Case:
        if body.order is None and body.item is None:
            raise ValueError("give `order` (every item id) or `item` with `note` and/or `position`")
        if body.order is not None:
            lib.cases.reorder(case_id, body.order)
        if body.item is not None:
            if body.note is None and body.position is None:
                raise ValueError("with `item`, give `note` and/or `position`")
            if body.note is not None:
                lib.cases.annotate(case_id, body.item, body.note)
            if body.position is not None:
                lib.cases.move(case_id, body.item, body.position)
        return lib.cases.get(case_id)

    return _run(edit)


@router.delete("/api/cases/{case_id}/items", tags=["cases"], summary="Remove an item from a case")
def remove_api(case_id: int, item: int = Query(..., description="The item's id"),
               lib: Library = Depends(writer_library)) -> Case:
    def remove() -> Case:
        lib.cases.remove(case_id, item)
        return lib.cases.get(case_id)

    return _run(remove)


@router.get("/api/cases/{case_id}/export", tags=["cases"], summary="Download a case as DOCX, PDF or Markdown")
def export_api(case_id: int, format: str = Query("docx", description="docx, pdf, md or html"),
               name_confidential: bool = Query(False, description="Name sources marked confidential (researchers)."),
               style: str = Query("euaa", description="euaa or oscola"),
               lib: Library = Depends(caller_library)) -> Response:
    from corroborate.export import DOCUMENT_FORMATS
    from corroborate.web.export_routes import _download, _format

    fmt = _format(format, DOCUMENT_FORMATS)
    name = _run(lambda: lib.cases.summary(case_id)).name
    try:
        return _download(lambda path: lib.cases.export(case_id, fmt, path, name_confidential, style), fmt,
                         name)
    except AccessDenied as exc:
        raise _http(exc) from exc


# --- pages ---------------------------------------------------------------------------------




def _failed(request: Request, exc: Exception) -> HTMLResponse:
    err = _http(exc) if not isinstance(exc, HTTPException) else exc
    return error_page(request, err.status_code, gettext("This could not be done"), str(err.detail))


@router.get("/cases", response_class=HTMLResponse, include_in_schema=False)
def cases_page(request: Request, lib: Library = Depends(caller_library)) -> HTMLResponse:
    return page(request, "cases.html", cases=lib.cases.list(), language=request_locale(request))


@router.post("/cases", include_in_schema=False)
def create_page(request: Request, name: str = Form(""), language: str = Form("en"),
                lib: Library = Depends(writer_library)) -> Response:
    try:
        created = lib.cases.create(name, language)
    except (ValueError, AccessDenied) as exc:
        return _failed(request, exc)
    return RedirectResponse(f"/cases/{created.id}", status_code=303)


@router.get("/cases/add", response_class=HTMLResponse, include_in_schema=False)
def add_form(request: Request, report: str = "", paragraph: str = "", start: int | None = None,
             end: int | None = None, back: str = "", lib: Library = Depends(caller_library)) -> HTMLResponse:
    """What is about to be quoted, and in which case (the most recently changed one first)."""
    try:
        excerpt = lib.excerpt(report, [paragraph])
        para = next(iter(excerpt.paragraphs()), None)
        if para is None:
            raise NotFound(f"report {report!r} has no paragraph {paragraph!r}")
        if start is not None and end is not None and not 0 <= start < end <= len(para.text):
            raise ValueError(f"span {start}-{end}: outside the paragraph")
    except (NotFound, ValueError) as exc:
        return _failed(request, exc)
    text = para.text[start:end] if start is not None and end is not None else para.text
    back = _safe_next(back) if back else f"/reports/{quote(excerpt.id)}#p-{para.id}"
    return page(request, "case_add.html", report=excerpt, paragraph=para, text=text, start=start, end=end,
                back=back, cases=lib.cases.list(),
                language=request_locale(request))


@router.post("/cases/add", include_in_schema=False)
def add_page(request: Request, report: str = Form(...), paragraph: str = Form(...),
             start: int | None = Form(None), end: int | None = Form(None), case: str = Form(""),
             new_name: str = Form(""), language: str = Form("en"), note: str = Form(""),
             back: str = Form(""), lib: Library = Depends(writer_library)) -> Response:
    try:
        if case in ("", "new"):
            case = str(lib.cases.create(new_name, language).id)
        item = lib.cases.add(int(case) if case.isdigit() else case, report, paragraph, start, end, note)
        case_id = lib.cases.resolve(case)
    except (NotFound, ValueError, AccessDenied) as exc:
        return _failed(request, exc)
    query = {"added": item, **({"back": _safe_next(back)} if back else {})}
    return RedirectResponse(f"/cases/{case_id}?{urlencode(query)}#item-{item}", status_code=303)


@router.get("/cases/{case_id}", response_class=HTMLResponse, include_in_schema=False)
def case_page(request: Request, case_id: int, added: int | None = None, back: str = "",
              lib: Library = Depends(caller_library)) -> HTMLResponse:
    try:
        shown = lib.cases.get(case_id, *citation_options(request))
    except NotFound as exc:
        return _failed(request, exc)
    return page(request, "case.html", case=shown, added=added, back=_safe_next(back) if back else "",
                exports=CASE_EXPORTS)


def _then(case_id: int, item: int | None = None) -> RedirectResponse:
    return RedirectResponse(f"/cases/{case_id}" + (f"#item-{item}" if item else ""), status_code=303)


def _form_write(request: Request, action, case_id: int, item: int | None = None) -> Response:
    try:
        action()
    except (NotFound, ValueError, AccessDenied) as exc:
        return _failed(request, exc)
    return _then(case_id, item)


@router.post("/cases/{case_id}/edit", include_in_schema=False)
def edit_page(request: Request, case_id: int, name: str = Form(""), language: str = Form("en"),
              lib: Library = Depends(writer_library)) -> Response:
    return _form_write(request, lambda: lib.cases.update(case_id, name=name, language=language), case_id)


@router.post("/cases/{case_id}/delete", include_in_schema=False)
def delete_page(request: Request, case_id: int, lib: Library = Depends(writer_library)) -> Response:
    try:
        lib.cases.delete(case_id)
    except NotFound as exc:
        return _failed(request, exc)
    return RedirectResponse("/cases", status_code=303)


@router.post("/cases/{case_id}/items/{item}/move", include_in_schema=False)
def move_page(request: Request, case_id: int, item: int, direction: str = Form("up"),
              lib: Library = Depends(writer_library)) -> Response:
    def move() -> None:
        entries = [e.id for e in lib.cases.get(case_id).entries]
        if item not in entries:
            raise NotFound(f"case {case_id} has no item {item}")
        position = entries.index(item) + 1 + (1 if direction == "down" else -1)
        lib.cases.move(case_id, item, max(1, position))

    return _form_write(request, move, case_id, item)


@router.post("/cases/{case_id}/items/{item}/remove", include_in_schema=False)
def remove_page(request: Request, case_id: int, item: int, lib: Library = Depends(writer_library)) -> Response:
    return _form_write(request, lambda: lib.cases.remove(case_id, item), case_id)


@router.post("/cases/{case_id}/items/{item}/note", include_in_schema=False)
def note_page(request: Request, case_id: int, item: int, note: str = Form(""),
              lib: Library = Depends(writer_library)) -> Response:
    return _form_write(request, lambda: lib.cases.annotate(case_id, item, note), case_id, item)


def here_url(request: Request) -> str:
    """This page's address, to come back to after adding a quote."""
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def add_to_case_href(report_id: str, paragraph_id: str, start: int | None = None, end: int | None = None,
                     back: str = "") -> str:
    """The "Add to case" link of a hit, quote or paragraph."""
    query: dict[str, str | int] = {"report": report_id, "paragraph": paragraph_id}
    if isinstance(start, int) and isinstance(end, int):
        query.update(start=start, end=end)
    if back:
        query["back"] = back
    return "/cases/add?" + urlencode(query, quote_via=quote)


templates.env.globals.update(add_to_case_href=add_to_case_href, here_url=here_url)
