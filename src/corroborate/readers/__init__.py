"""Readers turn one input file into a Report. The format is detected from the content, not
only from the extension; each reader lives in its own module and registers here."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

from corroborate.models import IngestWarning, ParagraphKind, Report
from corroborate.urls import link_urls

MAX_BYTES = 200 * 1024 * 1024  # larger inputs are refused before they are read


class ReaderError(Exception):
    """Input that cannot be read: the message names the file and the problem."""

    def __init__(self, path: str | Path, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path = str(path)
        self.problem = problem


# The first thing in the file, after a BOM, blanks, an XML declaration, comments and a doctype,
# is a tag: an HTML document or a fragment of one (`<div class="govspeak">…`, a CMS export).
_PROLOGUE = re.compile(rb"(?:\s+|<\?xml[^>]{0,512}\?>|<!--.{0,4096}?-->|<!doctype[^>]{0,512}>)*", re.S | re.I)
_OPENING_TAG = re.compile(rb"<[a-z][a-z0-9-]{0,30}(?:[\s/>]|$)", re.I)


def detect_format(path: Path, head: bytes) -> str:
    """Sniff the first bytes: the content decides, never the file name."""
    if head.startswith(b"%PDF-") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx"  # the docx reader checks for word/document.xml and says so if absent
    probe = head[:4096].removeprefix(b"\xef\xbb\xbf")
    start = _PROLOGUE.match(probe).end()
    if b"<!doctype html" in probe[:start].lower() or _OPENING_TAG.match(probe, start) or re.search(
            rb"<(html|body|head)[\s>]", probe.lower()):
        return "html"
    if b"\x00" in head[:8192]:
        return "binary"
    return "text"


FORMAT_NAMES = {"text": "plain text", "pdf": "PDF", "html": "HTML", "docx": "DOCX", "binary": "binary data"}
_EXTENSIONS = {".pdf": "pdf", ".docx": "docx", ".docm": "docx", ".html": "html", ".htm": "html",
               ".xhtml": "html", ".txt": "text", ".text": "text"}


def format_mismatch(path: Path, fmt: str) -> str | None:
    """`content is plain text, not PDF` when the extension promises another format than the
    content has; None when they agree or the extension promises nothing."""
    claimed = _EXTENSIONS.get(path.suffix.lower())
    if claimed is None or claimed == fmt:
        return None
    return f"content is {FORMAT_NAMES[fmt]}, not {FORMAT_NAMES[claimed]}"


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
    """Read any supported file into a Report (not yet stored, no citations parsed).

    Every failure is a ReaderError naming the file: a reader's own, or any other exception a
    reader raises on input nobody foresaw (that one is a bug, but it must not stop a batch)."""
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
    mismatch = format_mismatch(path, fmt)
    if fmt == "binary":
        raise ReaderError(path, "unsupported file type: binary data, not text, PDF, HTML or DOCX")
    try:
        reader = _reader(fmt)
    except (KeyError, ImportError) as exc:
        raise ReaderError(path, f"{fmt} files are not supported yet ({exc})") from exc
    try:
        report = reader(path, data)
    except ReaderError as exc:
        if mismatch and exc.path == str(path):
            raise ReaderError(path, f"{mismatch}; {exc.problem}") from exc
        raise
    except Exception as exc:  # noqa: BLE001 - any reader bug becomes this file's error
        problem = f"the {FORMAT_NAMES[fmt]} reader failed ({type(exc).__name__}: {str(exc)[:200]})"
        raise ReaderError(path, f"{mismatch}; {problem}" if mismatch else problem) from exc
    refusal = body_problem(report)
    if refusal:
        if report.warnings:  # what the reader lost may be why there is nothing left
            refusal += f" ({report.warnings[0]})"
        raise ReaderError(path, f"{mismatch}; {refusal}" if mismatch else refusal)
    if mismatch:
        report.warnings.insert(0, IngestWarning(code="format-mismatch", message=mismatch))
    for fn in report.footnotes:
        fn.urls = link_urls(fn.urls)
    report.format = fmt
    report.source_hash = hashlib.sha256(data).hexdigest()
    report.source_path = str(path)
    return report


MIN_BODY_WORDS = 2
_WORD = re.compile(r"[^\W\d_]{2,}")
_REASON = (r"(?:forbidden|not found|access denied|unauthori[sz]ed|bad request|bad gateway|gone|"
           r"service (?:temporarily )?unavailable|internal server error|too many requests|gateway time-?out)")
# "403 Forbidden", "Error 404", "404 - Not Found", "Access denied": an HTTP status, nothing more
_ERROR_TITLE = re.compile(
    rf"^\W*(?:(?:(?:http\s+)?error\s*)?[45]\d\d\b\W*(?:{_REASON}|error)?|{_REASON})\W*$", re.I)
ERROR_PAGE_MAX_WORDS = 150


def body_problem(report: Report) -> str | None:
    """Why a read document is not a report, or None.

    A report has body text: outside its headings, at least MIN_BODY_WORDS words (of two letters
    or more), the least that states anything ("Protests spread."). One word is a label or a
    stray, so an empty or failed export, a file holding one word, and an HTML page whose content
    the reader could not reach are refused. A web server's error page saved in place of the
    report is refused too: its title or one of its first headings is an HTTP status and nothing
    else ("403 Forbidden", "Error 404", "Access denied") and it says no more than a few lines
    (ERROR_PAGE_MAX_WORDS, footnotes included); a report that happens to carry such a heading
    is longer than any error page."""
    words = sum(len(_WORD.findall(p.text)) for p in report.paragraphs() if p.kind != ParagraphKind.HEADING)
    heads = [report.title, *(s.title for s in report.walk_sections())][:3]
    status = next((h for h in heads if h and len(h) < 100 and _ERROR_TITLE.match(h.strip())), None)
    footnote_words = sum(len(_WORD.findall(f.text or "")) for f in report.footnotes)
    if status and words + footnote_words <= ERROR_PAGE_MAX_WORDS:
        return f"a web server's error page ({status.strip()!r}), not a report"
    if words < MIN_BODY_WORDS:
        return "no body text: nothing to ingest (an empty or failed export, or an error page?)"
    return None
