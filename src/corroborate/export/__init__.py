"""Exports: a report re-rendered with its footnotes, the source registry for reference
managers, and compiled query responses. Every file is written atomically (a temp file beside the
target, then a rename), so a failure never leaves half a file where the user expects one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from corroborate.export.document import FootnotedDocument

DOCUMENT_FORMATS = ("md", "html", "docx", "pdf")
REGISTRY_FORMATS = ("csl-json", "ris", "bibtex")

MEDIA_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "csl-json": "application/vnd.citationstyles.csl+json",
    "ris": "application/x-research-info-systems",
    "bibtex": "application/x-bibtex; charset=utf-8",
}
EXTENSIONS = {"md": ".md", "html": ".html", "docx": ".docx", "pdf": ".pdf", "csl-json": ".json",
              "ris": ".ris", "bibtex": ".bib"}


class ExportError(ValueError):
    """An export that cannot be made: names the file or parameter and the problem."""


def check_format(fmt: str, allowed: tuple[str, ...]) -> str:
    fmt = (fmt or "").lower()
    if fmt not in allowed:
        raise ExportError(f"unknown format {fmt!r}: choose one of {', '.join(allowed)}")
    return fmt


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call `write(tmp)` for a temp file in the target's folder, then rename it over `path`."""
    path = Path(path)
    if path.is_dir():
        raise ExportError(f"{path}: is a directory; give a file name")
    if not path.parent.exists():
        raise ExportError(f"{path}: folder {path.parent} does not exist")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        # mkstemp makes the file private (0600); give it the mode a plain open() would have
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(path: str | Path, text: str) -> Path:
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_document(doc: FootnotedDocument, fmt: str, path: str | Path) -> Path:
    """Render `doc` as md, html, docx or pdf into `path`, its own texts in `doc.locale`."""
    from corroborate.i18n import use_locale

    fmt = check_format(fmt, DOCUMENT_FORMATS)
    with use_locale(doc.locale):
        return _write_document(doc, fmt, path)


def _write_document(doc: FootnotedDocument, fmt: str, path: str | Path) -> Path:
    if fmt == "md":
        from corroborate.export.markdown import render_markdown

        return write_text(path, render_markdown(doc))
    if fmt == "html":
        from corroborate.export.html import render_html

        return write_text(path, render_html(doc))
    if fmt == "docx":
        from corroborate.export.docx import write_docx

        return atomic_write(path, lambda tmp: write_docx(doc, tmp))
    from corroborate.export.pdf import write_pdf

    return atomic_write(path, lambda tmp: write_pdf(doc, tmp))
