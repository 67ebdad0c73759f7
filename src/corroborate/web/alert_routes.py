"""Saved searches and alerts on the web: `/api/searches` (REST), the "New for your searches"
page at `/searches`, the save form's target, and each search's Atom feed.

A feed reader has no session: `/searches/{id}/feed.atom?token=…` is let through by the auth
middleware (`auth.FEED_PATH`) and authenticates by the search's secret token, reading as a
reader (confidential sources unnamed, see `Library.search_feed`); without a token it needs the
owner's session or API token like any page.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from corroborate.alerts import FILTERS, NewPassage, SavedSearch, SavedSearchIn
from corroborate.i18n import current_locale
from corroborate.i18n import gettext as _
from corroborate.library import Library, NotFound
from corroborate.search.query import QueryError
from corroborate.web.api import _not_found, caller_library, library, writer_library
from corroborate.web.views_common import citation_options, error_page, page

router = APIRouter()
api = APIRouter(prefix="/api/searches", tags=["saved searches"])


class SavedSearches(BaseModel):
    searches: list[SavedSearch]


class NewPassages(BaseModel):
    passages: list[NewPassage]


def _base(request: Request) -> str:
    return citation_options(request)[1]


@api.get("", summary="Your saved searches, with how many new passages each has")
def list_searches(lib: Library = Depends(caller_library)) -> SavedSearches:
    return SavedSearches(searches=lib.saved_searches())


@api.post("", status_code=201, summary="Save a search (query, mode, filters)")
def save_search(spec: SavedSearchIn, lib: Library = Depends(writer_library)) -> SavedSearch:
    try:
        return lib.save_search(spec)
    except NotFound as exc:
        raise _not_found(exc) from exc
    except ValueError as exc:  # QueryError, a taken name
        raise HTTPException(400, str(exc)) from exc


@api.get("/new", summary="Passages your saved searches matched in newly ingested reports")
def new_passages(request: Request, search: int | None = Query(None, description="Only this saved search"),
                 limit: int = Query(200, ge=1, le=1000), lib: Library = Depends(caller_library)) -> NewPassages:
    try:
        return NewPassages(passages=lib.new_passages(search, limit, _base(request)))
    except NotFound as exc:
        raise _not_found(exc) from exc


@api.get("/{search_id}", summary="One saved search")
def get_search(search_id: int, lib: Library = Depends(caller_library)) -> SavedSearch:
    try:
        return lib.saved_search(search_id)
    except NotFound as exc:
        raise _not_found(exc) from exc


@api.delete("/{search_id}", status_code=204, summary="Delete a saved search and what it found")
def delete_search(search_id: int, lib: Library = Depends(writer_library)) -> Response:
    try:
        lib.delete_search(search_id)
    except NotFound as exc:
        raise _not_found(exc) from exc
    return Response(status_code=204)


# --- pages ------------------------------------------------------------------------------------


@router.get("/searches", response_class=HTMLResponse, name="searches")
def searches_page(request: Request, lib: Library = Depends(caller_library)) -> HTMLResponse:
    searches = lib.saved_searches()
    return page(request, "searches.html", searches=searches, hrefs={s.id: _search_href(s) for s in searches},
                passages=lib.new_passages(None, 200, _base(request)))


def _search_href(search: SavedSearch) -> str:
    """The search page running this saved search (its URL calls source_language `lang`)."""
    from urllib.parse import urlencode

    params = {"q": search.query, "mode": "" if search.mode == "hybrid" else search.mode}
    params |= {("lang" if k == "source_language" else k): v for k, v in search.filters.items()}
    return "/search?" + urlencode({k: v for k, v in params.items() if v})


@router.post("/searches", response_class=HTMLResponse)
async def save_search_form(request: Request, lib: Library = Depends(writer_library)) -> Response:
    from fastapi.concurrency import run_in_threadpool

    form = await request.form()  # read already by the CSRF check: no second read of the body
    fields = {k: str(v) for k, v in form.items()}
    filters = {k: fields[k] for k in FILTERS if fields.get(k)}
    if fields.get("lang"):  # the search page calls the cited sources' language `lang`
        filters["source_language"] = fields["lang"]
    try:
        spec = SavedSearchIn(name=fields.get("name") or fields.get("q", ""), query=fields.get("q", ""),
                             mode=fields.get("mode") or "hybrid", filters=filters,
                             language=fields.get("ui_language") or current_locale())
        await run_in_threadpool(lib.save_search, spec)
    except ValidationError as exc:
        first = exc.errors()[0]
        return error_page(request, 400, _("This search could not be saved"), f"{first['loc'][-1]}: {first['msg']}")
    except (QueryError, NotFound, ValueError) as exc:
        return error_page(request, 400, _("This search could not be saved"), str(exc))
    return RedirectResponse("/searches", status_code=303)


@router.post("/searches/{search_id}/delete")
def delete_search_form(search_id: int, lib: Library = Depends(writer_library)) -> Response:
    try:
        lib.delete_search(search_id)
    except NotFound as exc:
        raise _not_found(exc) from exc
    return RedirectResponse("/searches", status_code=303)


@router.get("/searches/{search_id}/feed.atom", name="search_feed")
def feed(request: Request, search_id: int, token: str | None = None, lib: Library = Depends(library)) -> Response:
    caller = getattr(request.state, "caller", None)
    if token is None and caller is None:
        raise HTTPException(401, "add the feed's token (?token=…) or sign in")
    if caller is not None:
        lib = lib.as_caller(caller)
    try:
        body = lib.search_feed(search_id, token, _base(request))
    except NotFound as exc:
        raise _not_found(exc) from exc
    return Response(body, media_type="application/atom+xml; charset=utf-8",
                    headers={"Cache-Control": "private, no-store"})
