"""REST API under /api: a thin layer over `Library`, returning exactly the JSON the CLI's
`--json` prints (the contracts live in `corroborate.contract` and `corroborate.search`).

Errors: a bad parameter answers 400 (422 for a wrongly typed one, from FastAPI) and an unknown
id 404, always as `{"detail": "<message>"}`.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request, Response

from corroborate.library import Library, LibraryPool, NotFound
from corroborate.search.query import QueryError
from corroborate.settings import Settings
from corroborate.store import StoreError, is_postgres
from corroborate.users import Caller
from corroborate.web.auth import current_caller

router = APIRouter(prefix="/api", tags=["api"])

_pool_lock = threading.Lock()
# Requests holding a database connection at once (the others wait here, costing nothing): at
# least the server's worker threads, so none idles, and few enough to bound memory however many
# clients connect (each connection has its own page cache).
CONNECTIONS = 16
_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()


def library_pool(app: FastAPI) -> LibraryPool:
    """The app's pool of read-only libraries, opened on first use (a bad path answers 503)."""
    pool = getattr(app.state, "libraries", None)
    if pool is None:
        with _pool_lock:
            pool = getattr(app.state, "libraries", None)
            if pool is None:
                settings: Settings = getattr(app.state, "settings", None) or Settings()
                pool = app.state.libraries = LibraryPool(settings)
    return pool


async def library(request: Request) -> AsyncIterator[Library]:
    """This request's own Library, over a pooled read-only connection given back afterwards.

    FastAPI may run a dependency and its endpoint on different worker threads, so nothing here
    is tied to a thread: the request owns the connection for its duration, and no other request
    can use it meanwhile. Async, so checking a store out costs no trip through the thread pool.
    """
    loop = asyncio.get_running_loop()
    slots = _slots.get(loop) or _slots.setdefault(loop, asyncio.Semaphore(CONNECTIONS))
    async with slots:
        with ExitStack() as stack:
            try:
                lib = stack.enter_context(library_pool(request.app).library())
            except StoreError as exc:
                raise HTTPException(503, str(exc)) from exc
            request.state.library = lib
            yield lib


async def caller_library(request: Request, lib: Library = Depends(library)) -> Library:
    """The library acting for whoever is calling (`web/auth.py`): their role decides what they
    read and may write. Async and without sync sub-dependencies: FastAPI runs each sync
    dependency on the worker-thread pool, a queued trip per request under load."""
    return lib.as_caller(current_caller(request))


def writer_library(request: Request, caller: Caller = Depends(current_caller)) -> Iterator[Library]:
    """A read-write Library for one write request. On SQLite a connection of its own (the
    pooled ones are read-only), closed afterwards: SQLite serialises writers, WAL and the busy
    timeout make others wait. On PostgreSQL the pool's one store, whose thread-safe connection
    pool writes too (a store per request would connect and check the schema every time)."""
    settings: Settings = getattr(request.app.state, "settings", None) or Settings()
    if is_postgres(settings.db):
        try:
            stores = library_pool(request.app).stores
        except StoreError as exc:
            raise HTTPException(503, str(exc)) from exc
        with stores.store() as store:
            yield Library(settings=settings, store=store, caller=caller)  # not closed: the pool's
        return
    try:
        lib = Library(settings=settings, caller=caller)
    except StoreError as exc:
        raise HTTPException(503, str(exc)) from exc
    try:
        yield lib
    finally:
        lib.close()


class JSONBytes(Response):
    """An answer the library already serialised (`Library.search_json` …): sent as it is, with
    no second pass through FastAPI's encoder."""

    media_type = "application/json"


def _not_found(exc: NotFound) -> HTTPException:
    return HTTPException(404, exc.args[0] if exc.args else "not found")


@router.get("/health", summary="Liveness and database status (needs no sign-in)")
def health(lib: Library = Depends(library)) -> dict:
    return {"status": "ok", "reports": len(lib.reports()), "embeddings": lib.settings.embeddings}


@router.get("/reports", summary="The reports in the library")
def reports(lib: Library = Depends(caller_library)) -> dict:
    return {"reports": lib.reports()}


@router.get("/reports/{report_id}", summary="One report: the `show --json` contract")
def report(report_id: str, section: str | None = None, lib: Library = Depends(caller_library)) -> Response:
    try:
        return JSONBytes(lib.report_json(report_id, section))
    except NotFound as exc:
        raise _not_found(exc) from exc
    except KeyError:
        raise HTTPException(404, f"report {report_id!r} has no section {section!r}") from None


@router.get("/search", summary="Hybrid, lexical or semantic search over paragraphs")
def search(
    q: str = Query(..., description='Words, "phrases", OR, -exclusion, prefix*'),
    k: int = Query(10, description="Number of results per page (1–100)"),
    mode: str = Query("hybrid", description="hybrid | lexical | semantic"),
    offset: int = Query(0, description="Skip this many results (paging); see `total` in the answer"),
    page: int | None = Query(None, ge=1, description="Page number of `k` results; sets `offset`"),
    facets: bool = Query(False, description="Also count every ranked result by report, metadata and source"),
    report: str | None = Query(None, description="Only this report id"),
    section: str | None = Query(None, description="Only this section and its subsections, e.g. 3.5"),
    country: str | None = Query(None, description="Only reports about this country (ISO 3166-1 alpha-2)"),
    publisher: str | None = Query(None, description="Only reports by this publisher"),
    document_type: str | None = Query(None, description="Only reports of this type (country-focus, cpin …)"),
    language: str | None = Query(None, description="Only reports in this language (en, es …)"),
    published_from: str | None = Query(None, description="Only reports dated on/after this"),
    published_to: str | None = Query(None, description="Only reports dated on/before this"),
    source_type: str | None = Query(None, description="Only paragraphs citing this type of source"),
    source: str | None = Query(None, description="Only paragraphs citing this source id"),
    source_language: str | None = Query(None, description="Only paragraphs citing a source in this language"),
    since: str | None = Query(None, description="Only paragraphs citing sources dated on/after this"),
    lib: Library = Depends(caller_library),
) -> Response:
    if page is not None:
        offset = (page - 1) * k
    try:
        return JSONBytes(lib.search_json(q, k=k, mode=mode, offset=offset, facets=facets, report=report,
                                         section=section, country=country, publisher=publisher,
                                         document_type=document_type, language=language,
                                         published_from=published_from, published_to=published_to,
                                         source_type=source_type, source=source,
                                         source_language=source_language, since=since))
    except NotFound as exc:
        raise _not_found(exc) from exc
    except QueryError as exc:
        raise HTTPException(400, str(exc)) from exc


@router.get("/ask", summary="Verbatim, cited sentences answering a question")
def ask(
    q: str = Query(..., description="The question, in English or Spanish"),
    k: int = Query(5, description="At most this many quotes (1–10)"),
    report: str | None = Query(None, description="Only this report id"),
    lib: Library = Depends(caller_library),
) -> Response:
    try:
        return JSONBytes(lib.ask_json(q, k=k, report=report))
    except NotFound as exc:
        raise _not_found(exc) from exc
    except QueryError as exc:
        raise HTTPException(400, str(exc)) from exc


@router.get("/sources", summary="The bibliography: each source once, with citation counts")
def sources(report: str | None = None, type: str | None = None, lib: Library = Depends(caller_library)) -> dict:
    from corroborate.models import SourceType

    allowed = [t.value for t in SourceType]
    if type is not None and type not in allowed:
        raise HTTPException(400, f"type={type!r}: use one of {', '.join(allowed)}")
    try:
        return {"sources": lib.sources(report, type)}
    except NotFound as exc:
        raise _not_found(exc) from exc


@router.get("/sources/{source_id}", summary="One source and every footnote and paragraph citing it")
def source(source_id: str, lib: Library = Depends(caller_library)) -> dict:
    try:
        return lib.source(source_id)
    except NotFound as exc:
        raise _not_found(exc) from exc
