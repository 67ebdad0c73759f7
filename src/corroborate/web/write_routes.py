"""Writes through the web and the API (researchers), and the audit log (admins).

    POST   /api/reports                      multipart `file` (repeatable) -> 202 {"job": …}
    GET    /api/jobs/{job}                   progress of an upload: one entry per file
    PATCH  /api/reports/{id}                 JSON {"title", "publisher", "published"}
    DELETE /api/reports/{id}
    PUT    /api/sources/{id}/confidential    JSON {"confidential": true|false}
    GET    /api/log?limit=&user=             the audit log, newest first (admin)

and the same as HTML forms (`/upload`, `/reports/{id}/delete`, `/reports/{id}/metadata`,
`/sources/{id}/confidential`), each carrying the CSRF token `web/auth.py` checks.

An upload is checked before anything is stored (size, and content sniffed: a PDF, DOCX, HTML or
text file, never arbitrary binary data), then ingested in a background thread, one transaction
per file, so a file that fails leaves nothing behind and the others still go in. The page polls
the job (`static/upload.js`), or reloads itself without JavaScript. Jobs live in this process's
memory: a restart forgets finished ones (the reports stay, and the audit log has them).
"""

from __future__ import annotations

import queue
import tempfile
import threading
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from fastapi import APIRouter, Body, Depends, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from corroborate.i18n import gettext
from corroborate.library import Library, NotFound
from corroborate.readers import ReaderError, detect_format
from corroborate.store import StoreError
from corroborate.users import AccessDenied, Caller
from corroborate.web.api import caller_library, writer_library
from corroborate.web.auth import MAX_UPLOAD, current_caller, require

router = APIRouter()

ACCEPTED = {"pdf", "docx", "html", "text"}
MAX_FILES = 20
JOBS_KEPT = 200


@dataclass
class FileStatus:
    name: str
    status: str = "waiting"  # waiting | ingesting | added | unchanged | new-version | replaced | failed
    report_id: str | None = None
    error: str | None = None


@dataclass
class Job:
    id: str
    user: str
    files: list[FileStatus] = field(default_factory=list)
    done: bool = False

    def json(self) -> dict:
        finished = sum(1 for f in self.files if f.status not in ("waiting", "ingesting"))
        return {**asdict(self), "finished": finished, "total": len(self.files)}


class Jobs:
    """Upload jobs of this process, newest kept. One worker ingests them in turn, on its own
    connection: ingesting is CPU-bound, and two uploads of the same bytes must not race."""

    def __init__(self):
        self.lock = threading.Lock()
        self.jobs: dict[str, Job] = {}
        self.queue: queue.Queue = queue.Queue()
        self.worker: threading.Thread | None = None

    def get(self, job_id: str, caller: Caller) -> Job:
        job = self.jobs.get(job_id)
        if job is None or (job.user != caller.name and not caller.at_least("admin")):
            raise HTTPException(404, f"no upload job {job_id!r}")
        return job

    def start(self, lib: Library, staged: list[tuple[str, Path]], folder: tempfile.TemporaryDirectory) -> Job:
        job = Job(id=uuid.uuid4().hex[:12], user=lib.caller.name, files=[FileStatus(n) for n, _ in staged])
        with self.lock:
            self.jobs[job.id] = job
            for old in list(self.jobs)[:-JOBS_KEPT]:
                del self.jobs[old]
            self.queue.put((job, staged, folder, lib.settings, lib.caller))
            if self.worker is None or not self.worker.is_alive():
                self.worker = threading.Thread(target=self._work, name="corroborate-ingest", daemon=True)
                self.worker.start()
        return job

    def _work(self) -> None:
        while True:
            job, staged, folder, settings, caller = self.queue.get()
            try:
                with Library(settings=settings, caller=caller) as own:
                    for status, (_, path) in zip(job.files, staged, strict=True):
                        _ingest_one(own, status, path)
            except StoreError as exc:
                for status in job.files:
                    if status.status == "waiting":
                        status.status, status.error = "failed", str(exc)
            finally:
                job.done = True
                folder.cleanup()
                self.queue.task_done()


def _ingest_one(lib: Library, status: FileStatus, path: Path) -> None:
    status.status = "ingesting"
    try:
        result = lib.ingest(path, report_id=_stem(status.name))
        status.status, status.report_id = result.status, result.id
    except (ReaderError, StoreError, ValueError, AccessDenied) as exc:
        status.status = "failed"
        status.error = str(exc).replace(str(path), status.name)
    except Exception as exc:  # one bad file must not stop the others
        status.status, status.error = "failed", f"{status.name}: internal error ({exc})"


JOBS = Jobs()


def _stem(name: str) -> str:
    from corroborate.library import slugify

    return slugify(Path(name).stem)


async def _stage(files: list[UploadFile]) -> tuple[list[tuple[str, Path]], tempfile.TemporaryDirectory]:
    """Copy the uploads to a private folder, refusing the whole request on any bad file."""
    if not files:
        raise HTTPException(400, "no file: send one or more documents as multipart field 'file'")
    if len(files) > MAX_FILES:
        raise HTTPException(400, f"{len(files)} files: at most {MAX_FILES} per upload")
    folder = tempfile.TemporaryDirectory(prefix="corroborate-upload-")
    staged: list[tuple[str, Path]] = []
    try:
        for i, f in enumerate(files):
            name = Path(f.filename or f"upload-{i + 1}").name or f"upload-{i + 1}"
            data = await f.read(MAX_UPLOAD + 1)
            if len(data) > MAX_UPLOAD:
                raise HTTPException(413, f"{name}: larger than {MAX_UPLOAD / 1e6:.0f} MB")
            if not data:
                raise HTTPException(400, f"{name}: the file is empty")
            kind = detect_format(Path(name), data[:65536])
            if kind not in ACCEPTED:
                raise HTTPException(415, f"{name}: not a document (binary data, not PDF, DOCX, HTML or text)")
            path = Path(folder.name) / f"{i:02d}-{_stem(name)}{Path(name).suffix[:8]}"
            path.write_bytes(data)
            staged.append((name, path))
    except BaseException:
        folder.cleanup()
        raise
    return staged, folder


# --- API -----------------------------------------------------------------------------------
# Async routes here touch no database connection (they belong to worker threads): they stage the
# upload and hand it to a job, which opens its own.


def _denied(exc: AccessDenied) -> HTTPException:
    return HTTPException(403, str(exc))


@router.post("/api/reports", status_code=202, tags=["api"], summary="Upload documents to ingest (researcher)")
async def upload_api(file: list[UploadFile], lib: Library = Depends(caller_library),
                     _: Caller = Depends(require("researcher"))) -> dict:
    staged, folder = await _stage(file)
    job = JOBS.start(lib, staged, folder)
    return {"job": job.id, "status_url": f"/api/jobs/{job.id}", **job.json()}


@router.get("/api/jobs/{job_id}", tags=["api"], summary="Progress of an upload")
def job_api(job_id: str, caller: Caller = Depends(current_caller)) -> dict:
    return JOBS.get(job_id, caller).json()


@router.patch("/api/reports/{report_id}", tags=["api"], summary="Edit a report's metadata (researcher)")
def edit_api(report_id: str, title: str | None = Body(None), publisher: str | None = Body(None),
             published: str | None = Body(None), lib: Library = Depends(writer_library)) -> dict:
    try:
        return lib.set_report_metadata(report_id, title=title, publisher=publisher, published=published)
    except AccessDenied as exc:
        raise _denied(exc) from exc
    except NotFound as exc:
        raise HTTPException(404, str(exc.args[0])) from exc
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from exc


@router.delete("/api/reports/{report_id}", tags=["api"], summary="Delete a report (researcher)")
def delete_api(report_id: str, lib: Library = Depends(writer_library)) -> dict:
    try:
        lib.delete(report_id)
    except AccessDenied as exc:
        raise _denied(exc) from exc
    except NotFound as exc:
        raise HTTPException(404, str(exc.args[0])) from exc
    return {"deleted": report_id}


@router.put("/api/sources/{source_id}/confidential", tags=["api"],
            summary="Mark a source confidential or citable again (researcher)")
def confidential_api(source_id: str, confidential: bool = Body(True, embed=True),
                     lib: Library = Depends(writer_library)) -> dict:
    try:
        lib.set_confidential(source_id, confidential)
    except AccessDenied as exc:
        raise _denied(exc) from exc
    except NotFound as exc:
        raise HTTPException(404, str(exc.args[0])) from exc
    return {"id": source_id, "confidential": confidential}


@router.get("/api/log", tags=["api"], summary="The audit log of writes, newest first (admin)")
def log_api(limit: int = Query(100, ge=1, le=1000), user: str | None = None,
            lib: Library = Depends(caller_library)) -> dict:
    try:
        return {"log": lib.audit_log(limit, user)}
    except AccessDenied as exc:
        raise _denied(exc) from exc


# --- HTML forms ----------------------------------------------------------------------------


def _page(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
    from corroborate.web.views_common import page

    return page(request, name, status_code=status, **context)


def _error(request: Request, exc: HTTPException) -> HTMLResponse:
    from corroborate.web.views_common import error_page

    return error_page(request, exc.status_code, gettext("This could not be done"), str(exc.detail))


@router.get("/upload", response_class=HTMLResponse, include_in_schema=False)
def upload_form(request: Request, _: Caller = Depends(require("researcher"))) -> HTMLResponse:
    return _page(request, "upload.html", max_mb=int(MAX_UPLOAD / 1e6))


@router.post("/upload", include_in_schema=False)
async def upload_page(request: Request, file: list[UploadFile] | None = None,
                      lib: Library = Depends(caller_library),
                      _: Caller = Depends(require("researcher"))) -> Response:
    try:
        staged, folder = await _stage([f for f in file or [] if f.filename])
    except HTTPException as exc:
        return _page(request, "upload.html", exc.status_code, error=str(exc.detail), max_mb=int(MAX_UPLOAD / 1e6))
    job = JOBS.start(lib, staged, folder)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/jobs/{job_id}", response_class=HTMLResponse, include_in_schema=False)
def job_page(request: Request, job_id: str, caller: Caller = Depends(current_caller)) -> HTMLResponse:
    try:
        job = JOBS.get(job_id, caller)
    except HTTPException as exc:
        return _error(request, exc)
    return _page(request, "job.html", job=job.json())


def _form_write(request: Request, action, done: str) -> Response:
    try:
        action()
    except AccessDenied as exc:
        return _error(request, _denied(exc))
    except NotFound as exc:
        return _error(request, HTTPException(404, str(exc.args[0])))
    except ValueError as exc:
        return _error(request, HTTPException(400, str(exc)))
    return RedirectResponse(done, status_code=303)


@router.post("/reports/{report_id}/delete", include_in_schema=False)
def delete_page(request: Request, report_id: str, lib: Library = Depends(writer_library)) -> Response:
    return _form_write(request, lambda: lib.delete(report_id), "/")


@router.post("/reports/{report_id}/metadata", include_in_schema=False)
def metadata_page(request: Request, report_id: str, title: str | None = Form(None),
                  publisher: str | None = Form(None), published: str | None = Form(None),
                  lib: Library = Depends(writer_library)) -> Response:
    return _form_write(request, lambda: lib.set_report_metadata(report_id, title=title, publisher=publisher, published=published),
                       f"/reports/{report_id}")


@router.post("/sources/{source_id}/confidential", include_in_schema=False)
def confidential_page(request: Request, source_id: str, confidential: str = Form("1"),
                      lib: Library = Depends(writer_library)) -> Response:
    flag = confidential not in ("0", "false", "no")
    return _form_write(request, lambda: lib.set_confidential(source_id, flag), f"/sources/{source_id}")
