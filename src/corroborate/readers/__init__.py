"""Readers turn one input file into a Report. The format is detected from the content, not
only from the extension; each reader lives in its own module and registers here."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

from corroborate.models import Report

MAX_BYTES = 200 * 1024 * 1024  # larger inputs are refused before they are read


class ReaderError(Exception):
    """Input that cannot be read: the message names the file and the problem."""

    def __init__(self, path: str | Path, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path = str(path)
        self.problem = problem


def detect_format(path: Path, head: bytes) -> str:
    """Sniff the first bytes; fall back on the extension only for plain text."""
    if head.startswith(b"%PDF-") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx"  # the docx reader checks for word/document.xml and says so if absent
    probe = head[:4096].lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if probe.startswith((b"<!doctype html", b"<html")) or re.search(rb"<(html|body|head)[\s>]", probe):
        return "html"
    if b"\x00" in head[:8192]:
        return "binary"
    return "text"


Reader = Callable[[Path, bytes], Report]


def _reader(fmt: str) -> Reader:
    if fmt == "text":
        from corroborate.readers.text import read_text_file

        return read_text_file
    if fmt == "pdf":
        from corroborate.readers.pdf import read_pdf_file

        return read_pdf_file
    if fmt == "html":
        from corroborate.readers.html import read_html_file

        return read_html_file
    if fmt == "docx":
        from corroborate.readers.docx import read_docx_file

        return read_docx_file
    raise KeyError(fmt)


def read_document(path: str | Path) -> Report:
    """Read any supported file into a Report (not yet stored, no citations parsed)."""
    path = Path(path)
    if not path.exists():
        raise ReaderError(path, "no such file")
    if path.is_dir():
        raise ReaderError(path, "is a directory, not a report file")
    size = path.stat().st_size
    if size == 0:
        raise ReaderError(path, "file is empty")
    if size > MAX_BYTES:
        raise ReaderError(path, f"file is {size / 1e6:.0f} MB; the limit is {MAX_BYTES / 1e6:.0f} MB")
    data = path.read_bytes()
    fmt = detect_format(path, data[:65536])
    if fmt == "binary":
        raise ReaderError(path, "unsupported file type: binary data, not text, PDF, HTML or DOCX")
    try:
        reader = _reader(fmt)
    except (KeyError, ImportError) as exc:
        raise ReaderError(path, f"{fmt} files are not supported yet ({exc})") from exc
    report = reader(path, data)
    report.format = fmt
    report.source_hash = hashlib.sha256(data).hexdigest()
    report.source_path = str(path)
    return report
