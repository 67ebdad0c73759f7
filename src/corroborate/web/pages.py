"""The HTML pages for researchers and caseworkers: home, search and ask, the report reader and
the bibliography. Plain server-rendered HTML that works without JavaScript; `static/app.js`
adds footnote popovers and one-click copying on top.

`web/app.py` includes `router`; `install_error_pages(app)` makes unknown addresses answer with
the same readable 404 page instead of JSON.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from corroborate.i18n import gettext as _
from corroborate.i18n import use_locale
from corroborate.users import AccessDenied
from corroborate.web import views_reader, views_search, views_sources
from corroborate.web.locale import request_locale
from corroborate.web.views_common import error_page, get_library, page

router = APIRouter()


@router.get("/", response_class=HTMLResponse, name="home")
def home(request: Request) -> HTMLResponse:
    return page(request, "home.html", reports=get_library(request).reports())


router.include_router(views_search.router)
router.include_router(views_reader.router)
router.include_router(views_sources.router)


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def install_error_pages(app: FastAPI) -> None:
    """HTML error pages for browsers; API clients keep getting JSON errors."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if not _wants_html(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        with use_locale(request_locale(request)):
            if exc.status_code == 404:
                return error_page(request, 404, _("Page not found"),
                                  _("There is no page at %(path)s.", path=request.url.path))
            return error_page(request, exc.status_code, _("Something went wrong"), str(exc.detail))

    @app.exception_handler(AccessDenied)
    async def access_denied(request: Request, exc: AccessDenied) -> Response:
        # the library refuses a caller whose role does not allow a write or naming sources
        if not _wants_html(request):
            return JSONResponse({"detail": str(exc)}, status_code=403)
        with use_locale(request_locale(request)):
            return error_page(request, 403, _("Not allowed"), str(exc))

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> Response:
        # Starlette still logs the traceback; the user gets a page, never a stack trace.
        if not _wants_html(request):
            return PlainTextResponse("Internal Server Error", status_code=500)
        with use_locale(request_locale(request)):  # rendered outside every middleware
            return error_page(request, 500, _("Something went wrong"),
                              _("The page could not be shown because of an internal error. It has been logged."))
