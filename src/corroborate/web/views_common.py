"""What every HTML page shares: the template environment, access to the Library, error pages."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from corroborate.library import Library
from corroborate.settings import Settings
from corroborate.web import render

WEB = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(WEB / "templates"))
templates.env.globals.update(
    human_date=render.human_date,
    snippet_html=render.snippet_html,
    MISSING_FOOTNOTE=render.MISSING_FOOTNOTE,
)
templates.env.filters["human_date"] = render.human_date
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True

SOURCE_TYPE_LABELS = {
    "government": "Government",
    "igo": "Intergovernmental (UN …)",
    "ngo": "NGO",
    "media": "Media",
    "academic": "Academia / think tank",
    "oral": "Oral source",
    "legislation": "Legislation",
    "other": "Other",
}
LANGUAGE_LABELS = {"en": "English", "es": "Spanish", "fr": "French", "pt": "Portuguese", "de": "German"}
templates.env.globals.update(SOURCE_TYPE_LABELS=SOURCE_TYPE_LABELS, LANGUAGE_LABELS=LANGUAGE_LABELS)

_local = threading.local()


def get_library(request: Request) -> Library:
    """The app's Library; a per-thread one when the app only gives settings.

    SQLite connections belong to the thread that opened them and sync endpoints run in a
    thread pool, so without an app-provided library each worker thread opens its own.
    """
    lib = getattr(request.app.state, "library", None)
    if lib is not None:
        return lib
    settings: Settings = getattr(request.app.state, "settings", None) or Settings()
    libs: dict[str, Library] = getattr(_local, "libraries", None) or {}
    _local.libraries = libs
    key = f"{id(request.app)}:{settings.db}"
    if key not in libs:
        libs[key] = Library(settings=settings)
    return libs[key]


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("q", "")
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def error_page(request: Request, status_code: int, title: str, message: str, **context: Any) -> HTMLResponse:
    return page(request, "error.html", status_code=status_code, status=status_code, title=title,
                message=message, **context)


def not_found(request: Request, message: str) -> HTMLResponse:
    return error_page(request, 404, "Not found", message)
