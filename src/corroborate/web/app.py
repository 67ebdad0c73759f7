"""The web application: REST API, HTML pages, audit and export routes, static files.

    uvicorn --factory corroborate.web.app:create_app     (or: corroborate serve)

JSON and HTML come from the same library calls; each kind of page lives in its own module.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from fastapi import Depends, FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles

from corroborate import __version__
from corroborate.settings import Settings
from corroborate.web import (
    alert_routes,
    api,
    audit_routes,
    auth,
    case_routes,
    export_routes,
    pages,
    write_routes,
)
from corroborate.web.locale import LocaleMiddleware

STATIC = Path(__file__).resolve().parent / "static"


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    threads = getattr(app.state, "worker_threads", None)
    if threads:  # how many sync endpoints run at once (anyio's default is 40)
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
    yield
    pool = getattr(app.state, "libraries", None)
    if pool is not None:
        pool.close()


def create_app(settings: Settings | None = None) -> FastAPI:
    app = FastAPI(
        lifespan=_lifespan,
        title="Corroborate",
        version=__version__,
        description="Citation-traceable country-of-origin information: search reports in English "
        "or Spanish and quote passages with their footnotes and sources.",
    )
    app.state.settings = settings or Settings()
    # The reader page carries every footnote and a ready-to-copy citation per paragraph
    # (so copying works without JavaScript): ~850 KB of HTML that compresses ~10x.
    # Level 1: a third of level 9's CPU for ~25 % more bytes (a 360 KB results page: 6 ms vs 22 ms,
    # 50 KB vs 39 KB); CPU, not bandwidth, is what a busy server runs out of.
    app.add_middleware(GZipMiddleware, minimum_size=2048, compresslevel=1)
    # Outermost: who is calling, CSRF, size limits and security headers, before any route runs.
    app.add_middleware(auth.AuthMiddleware)
    # Outside that: the reader's language (`?locale=`, cookie, Accept-Language) for everything within.
    app.add_middleware(LocaleMiddleware)
    for module in (api, audit_routes, export_routes, write_routes, auth, case_routes, alert_routes):
        app.include_router(module.router)
    app.include_router(alert_routes.api)
    # Pages call `get_library(request)`; this checks out the request's Library for them.
    app.include_router(pages.router, dependencies=[Depends(api.library)])
    pages.install_error_pages(app)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    return app
