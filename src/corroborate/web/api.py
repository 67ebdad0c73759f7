"""REST API under /api: a thin layer over `Library`, returning exactly the JSON the CLI's
`--json` prints (the contracts live in `corroborate.contract` and `corroborate.search`).

Errors: a bad parameter answers 400 (422 for a wrongly typed one, from FastAPI) and an unknown
id 404, always as `{"detail": "<message>"}`.
"""

from __future__ import annotations

import threading

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from corroborate.contract import report_json
from corroborate.library import Library, NotFound
from corroborate.search.query import QueryError
from corroborate.settings import Settings
from corroborate.store import StoreError
from corroborate.users import Caller
from corroborate.web.auth import current_caller

router = APIRouter(prefix="/api", tags=["api"])

_local = threading.local()


def library(request: Request) -> Library:
    """One Library per worker thread and database.

    SQLite connections belong to the thread that opened them, and FastAPI runs sync endpoints
    in a thread pool; a per-thread Library reuses its connection (and the process-wide vector
    cache) across requests without ever sharing a connection between threads.
    """
    lib = getattr(request.app.state, "library", None)
    if lib is not None:
        return lib
    settings: Settings = getattr(request.app.state, "settings", None) or Settings()
    libs: dict[str, Library] = getattr(_local, "libraries", None) or {}
    _local.libraries = libs
    key = f"{id(request.app)}:{settings.db}"
    if key not in libs:
        try:
            libs[key] = Library(settings=settings)
        except StoreError as exc:
            raise HTTPException(503, str(exc)) from exc
    return libs[key]


def caller_library(lib: Library = Depends(library), caller: Caller = Depends(current_caller)) -> Library:
    """The library acting for whoever is calling (`web/auth.py`): their role decides what they
    read and may write."""
    return lib.as_caller(caller)


def _not_found(exc: NotFound) -> HTTPException:
    return HTTPException(404, exc.args[0] if exc.args else "not found")


@router.get("/health", summary="Liveness and database status (needs no sign-in)")
def health(lib: Library = Depends(library)) -> dict:
    return {"status": "ok", "reports": len(lib.reports()), "embeddings": lib.settings.embeddings}


@router.get("/reports", summary="The reports in the library")
def reports(lib: Library = Depends(caller_library)) -> dict:
    return {"reports": lib.reports()}


@router.get("/reports/{report_id}", summary="One report: the `show --json` contract")
def report(report_id: str, section: str | None = None, lib: Library = Depends(caller_library)) -> dict:
    try:
        rep = lib.report(report_id)
    except NotFound as exc:
        raise _not_found(exc) from exc
    try:
        return report_json(rep, section)
    except KeyError:
        raise HTTPException(404, f"report {report_id!r} has no section {section!r}") from None


@router.get("/search", summary="Hybrid, lexical or semantic search over paragraphs")
def search(
    q: str = Query(..., description='Words, "phrases", OR, -exclusion, prefix*'),
    k: int = Query(10, description="Number of results (1–100)"),
    mode: str = Query("hybrid", description="hybrid | lexical | semantic"),
    report: str | None = Query(None, description="Only this report id"),
    section: str | None = Query(None, description="Only this section and its subsections, e.g. 3.5"),
    source_type: str | None = Query(None, description="Only paragraphs citing this type of source"),
    since: str | None = Query(None, description="Only paragraphs citing sources dated on/after this"),
    lib: Library = Depends(caller_library),
) -> dict:
    try:
        return lib.search(q, k=k, mode=mode, report=report, section=section, source_type=source_type,
                          since=since)
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
) -> dict:
    try:
        return lib.ask(q, k=k, report=report)
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
