"""The web application: REST API, HTML pages, audit and export routes, static files.

    uvicorn --factory corroborate.web.app:create_app     (or: corroborate serve)

Routers written in other modules are included when present, so the app runs whichever parts
are installed.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from corroborate import __version__
from corroborate.settings import Settings
from corroborate.web import api

try:
    from corroborate.web import pages
except ImportError:  # the HTML UI is optional
    pages = None
try:
    from corroborate.web import audit_routes
except ImportError:
    audit_routes = None
try:
    from corroborate.web import export_routes
except ImportError:
    export_routes = None

STATIC = Path(__file__).resolve().parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    app = FastAPI(
        title="Corroborate",
        version=__version__,
        description="Citation-traceable country-of-origin information: search reports in English "
        "or Spanish and quote passages with their footnotes and sources.",
    )
    app.state.settings = settings or Settings()
    app.include_router(api.router)
    for module in (audit_routes, export_routes, pages):
        if module is not None and hasattr(module, "router"):
            app.include_router(module.router)
    if pages is not None and hasattr(pages, "install_error_pages"):
        pages.install_error_pages(app)
    if STATIC.is_dir():
        app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    return app
