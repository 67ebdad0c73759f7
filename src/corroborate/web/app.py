"""The web application: REST API, HTML pages, audit and export routes, static files.

    uvicorn --factory corroborate.web.app:create_app     (or: corroborate serve)

JSON and HTML come from the same library calls; each kind of page lives in its own module.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles

from corroborate import __version__
from corroborate.settings import Settings
from corroborate.web import api, audit_routes, auth, export_routes, pages, write_routes

STATIC = Path(__file__).resolve().parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    app = FastAPI(
        title="Corroborate",
        version=__version__,
        description="Citation-traceable country-of-origin information: search reports in English "
        "or Spanish and quote passages with their footnotes and sources.",
    )
    app.state.settings = settings or Settings()
    # The reader page carries every footnote and a ready-to-copy citation per paragraph
    # (so copying works without JavaScript): ~850 KB of HTML that compresses ~10x.
    app.add_middleware(GZipMiddleware, minimum_size=2048)
    # Outermost: who is calling, CSRF, size limits and security headers, before any route runs.
    app.add_middleware(auth.AuthMiddleware)
    for module in (api, audit_routes, export_routes, write_routes, auth, pages):
        app.include_router(module.router)
    pages.install_error_pages(app)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    return app
