"""Download routes for exports (issue 7): a report as a footnoted document or source registry, and
compiled query responses. Each returns the file with its media type and an attachment
`Content-Disposition`, so a plain link or button downloads it.

    GET /api/reports/{id}/export?format=md|html|docx|pdf|csl-json|ris|bibtex
    GET /api/export/sources?format=csl-json|ris|bibtex            (the whole library)
    GET /api/compile?q=…&q=…&format=md|html|docx|pdf[&report=ID…][&tor=REPORT][&k=5]
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import Response

from corroborate.export import DOCUMENT_FORMATS, EXTENSIONS, MEDIA_TYPES, REGISTRY_FORMATS, ExportError
from corroborate.library import Library, NotFound
from corroborate.web.api import caller_library

router = APIRouter(tags=["export"])

FORMAT_HELP = "md, html, docx, pdf (document) or csl-json, ris, bibtex (source registry)"


def _download(build, fmt: str, stem: str) -> Response:
    """Run `build(path)` into a private temp folder and return the file as a download."""
    try:
        with tempfile.TemporaryDirectory(prefix="corroborate-export-") as tmp:
            path = Path(tmp) / f"export{EXTENSIONS[fmt]}"
            build(path)
            data = path.read_bytes()
    except NotFound as exc:
        raise HTTPException(404, exc.args[0] if exc.args else "not found") from exc
    except ValueError as exc:  # ExportError, QueryError, bad questions
        raise HTTPException(400, str(exc)) from exc
    name = f"{stem}{EXTENSIONS[fmt]}"
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "-", name)
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return Response(content=data, media_type=MEDIA_TYPES[fmt], headers={"Content-Disposition": disposition})


def _format(fmt: str, allowed: tuple[str, ...]) -> str:
    fmt = (fmt or "").lower()
    if fmt not in allowed:
        raise HTTPException(400, f"format={fmt!r}: choose one of {', '.join(allowed)}")
    return fmt


@router.get("/api/reports/{report_id}/export", summary="Download a report or its sources")
def export_report(
    report_id: str,
    format: str = Query("md", description=FORMAT_HELP),
    name_confidential: bool = Query(False, description="Name sources marked confidential."),
    lib: Library = Depends(caller_library),
) -> Response:
    fmt = _format(format, DOCUMENT_FORMATS + REGISTRY_FORMATS)
    return _download(lambda path: lib.export_report(report_id, fmt, path, name_confidential), fmt, report_id)


@router.get("/api/export/sources", summary="Download the whole library's source registry")
def export_all_sources(
    format: str = Query("csl-json", description="csl-json, ris or bibtex"),
    name_confidential: bool = Query(False, description="Name sources marked confidential."),
    lib: Library = Depends(caller_library),
) -> Response:
    fmt = _format(format, REGISTRY_FORMATS)
    return _download(lambda path: lib.export_sources(None, fmt, path, name_confidential), fmt,
                     "corroborate-sources")


@router.get("/api/compile", summary="Download a compiled, footnoted query response")
def compile_response(
    q: list[str] = Query(default_factory=list, description="A question (repeat for several)."),
    format: str = Query("md", description="md, html, docx or pdf"),
    report: list[str] = Query(default_factory=list, description="Only quote these reports."),
    tor: str | None = Query(None, description="Use this report's Terms of Reference as questions."),
    k: int = Query(5, ge=1, le=20, description="At most this many quotes per question."),
    name_confidential: bool = Query(False, description="Name sources marked confidential."),
    lib: Library = Depends(caller_library),
) -> Response:
    fmt = _format(format, DOCUMENT_FORMATS)

    def build(path: Path) -> None:
        questions = [x for x in q if x.strip()]
        if tor:
            questions += lib.tor_questions(tor)
        if not questions:
            raise ExportError("no question: pass q=… (repeatable) or tor=REPORT")
        lib.compile(questions, fmt, path, reports=report or None, name_confidential=name_confidential, k=k)

    return _download(build, fmt, "query-response")
