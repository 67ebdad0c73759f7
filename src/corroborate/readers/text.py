"""The plain-text reader: a text extraction of a footnoted report (EUAA COI reports and the
like) into a faithful Report — sections, paragraphs with footnote markers, footnotes with their
link targets, glossary, terms of reference, metadata — and a warning for every loss.

The work is split by layer:
  text_layout     lines -> body lines, footnote blocks, URL lists, orphans, page furniture
  footnotes       marker detection by numbering sequence, url placeholders, host/publisher fit
  text_structure  body lines -> sections, paragraphs, terms of reference
  text_glossary   the glossary table
  text_metadata   title, publisher, cut-off date, reference period, language

Warning codes: footnote-missing (a marker whose footnote text is lost), footnote-unreferenced,
footnote-truncated, orphan-fragment, url-unassigned, url-missing, section-numbering-gap,
glossary-row, encoding.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from corroborate.models import Footnote, IngestWarning, Report
from corroborate.readers import ReaderError
from corroborate.readers.footnotes import MarkerSequence, align_urls, url_slots
from corroborate.readers.text_layout import Layout, join_wrapped, run_together_start, split_layout
from corroborate.readers.text_metadata import read_metadata, title_from_filename
from corroborate.readers.text_structure import BodyLine, StructureBuilder

_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_WORDS = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def decode(path: Path | str, data: bytes) -> tuple[str, list[IngestWarning]]:
    """UTF-8 (BOM stripped), else cp1252 with a warning; refuse binary-looking text."""
    warnings: list[IngestWarning] = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        try:
            text, used = data.decode("cp1252"), "Windows-1252"
        except UnicodeDecodeError:  # bytes Windows-1252 leaves undefined: Latin-1 maps every byte
            text, used = data.decode("latin-1"), "Latin-1"
        warnings.append(IngestWarning(
            code="encoding",
            message=f"not valid UTF-8 (first bad byte at offset {exc.start}); decoded as {used}"))
    sample = text[:200_000]
    if sample:
        control = len(_CONTROL.findall(sample))
        if control / len(sample) > 0.3:
            raise ReaderError(path, "mostly control characters: this is not a text report")
    if not text.strip():
        raise ReaderError(path, "contains no text")
    return text.replace("\r\n", "\n").replace("\r", "\n"), warnings


def read_text_file(path: Path, data: bytes) -> Report:
    text, warnings = decode(path, data)
    report = read_text(text, name=Path(path).name)
    report.warnings[:0] = warnings
    return report


def read_text(text: str, name: str = "") -> Report:
    """Parse the text of one report. `name` (a file name) is the title of last resort."""
    lines, numbers = physical_lines(text)
    layout = split_layout(lines, numbers)
    vocabulary = hyphen_vocabulary(text)

    known = {note.n for block in layout.blocks for note in block.notes}
    body = _take_markers(layout, known)
    layout.body = []  # the body lines live on in `body`; a 50 MB input should not be held twice
    meta = read_metadata(text, layout)
    default_title = meta.title or title_from_filename(name) or "Text"

    structure = StructureBuilder(body, vocabulary, default_title).build()
    glossary = {g.term: g.definition for g in structure.glossary}
    footnotes, fn_warnings = _footnotes(layout, structure.marker_lines, glossary, vocabulary)

    report = Report(
        title=default_title,
        publisher=meta.publisher,
        published=meta.published,
        cut_off=meta.cut_off,
        reference_period=meta.reference_period,
        language=meta.language,
        format="text",
        sections=structure.sections,
        footnotes=footnotes,
        glossary=structure.glossary,
        terms_of_reference=structure.terms_of_reference,
        warnings=layout.warnings + structure.warnings + fn_warnings,
    )
    report.warnings.sort(key=lambda w: (w.line or 0))
    return report


# anchored at a word start: unanchored, a long run of letters without a hyphen is rescanned
# from every one of its letters (quadratic; a 1 MB "word" took hours)
_LINE_END_HYPHEN = re.compile(r"(?<![^\W\d_])([^\W\d_]+)-[ \t]*\n\s*([^\W\d_]+)")


def hyphen_vocabulary(text: str) -> Counter:
    """How often the report writes each word that a line-end hyphen could stand for, joined
    (`organisation`) or hyphenated (`anti-government`): the evidence `drop_hyphen` weighs.
    Only those words are counted, so a large input costs no word list."""
    targets: set[str] = set()
    for m in _LINE_END_HYPHEN.finditer(text):
        left, right = m.group(1).lower(), m.group(2).lower()
        targets.update((left + right, f"{left}-{right}"))
    if not targets:
        return Counter()
    return Counter(w for m in _WORDS.finditer(text) if (w := m.group().lower()) in targets)


def physical_lines(text: str) -> tuple[list[str], list[int]]:
    """The input's lines, with the input line number of each. A form feed (pdftotext's page
    break) always opens a line, which the layout reads as a page start."""
    lines: list[str] = []
    numbers: list[int] = []
    for no, line in enumerate(text.split("\n"), start=1):
        if "\f" in line:
            head, *pages = line.split("\f")
            if head.strip():
                lines.append(head)
                numbers.append(no)
            for page in pages:
                lines.append("\f" + page)
                numbers.append(no)
        else:
            lines.append(line)
            numbers.append(no)
    return lines, numbers


def _take_markers(layout: Layout, known: set[int]) -> list[BodyLine]:
    """Markers exist only when footnotes do: a text without footnote blocks keeps its numbers."""
    sequence = MarkerSequence(known) if layout.blocks and known else None
    # the glued numbers of the whole body in reading order, to look ahead from any line
    glued = [(k, c.value) for k, raw in enumerate(layout.body) for c in raw.candidates if c.form == "glued"]
    first_after = 0  # index in `glued` of the first number on a later line
    out: list[BodyLine] = []
    for k, raw in enumerate(layout.body):
        if sequence is not None:
            while first_after < len(glued) and glued[first_after][0] <= k:
                first_after += 1
            ahead = tuple(v for _, v in glued[first_after:first_after + MarkerSequence.LOOKAHEAD])
            text, markers = sequence.take(raw.text, raw.candidates, ahead)
        else:
            text, markers = raw.text, []
        stripped = text.rstrip()
        markers = [(min(off, len(stripped)), n) for off, n in markers]
        out.append(BodyLine(no=raw.no, raw=raw.text, text=stripped, markers=markers, lead=raw.lead,
                            page=layout.page(raw.page_idx), trailing=raw.trailing))
    return out


_URL_WORD = re.compile(r"\burl\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:1[89]|20)\d{2}\b|\bn\.\s?d\b")


def _looks_cut(text: str) -> bool:
    """A citation footnote whose last citation has neither date nor link: cut at the page end."""
    if not _URL_WORD.search(text):
        return False  # an explanatory note, not a list of citations
    tail = re.split(r";|\.\s+See(?: also)?:", text)[-1].strip()
    return bool(tail) and "," in tail and not _URL_WORD.search(tail) and not _YEAR.search(tail)


def split_run_together(n: int, text: str, taken: set[int]) -> list[tuple[int, str]]:
    """`… Intech Open, 2020. 4 Peter Neyroud, …`: footnotes the extraction ran into one line.
    Split where the next footnote number follows a finished citation and starts a capitalised
    one, and only for numbers no other line of the block claims."""
    out: list[tuple[int, str]] = []
    while True:
        nxt = n + 1
        m = None if nxt in taken else run_together_start(nxt, text)
        if m is None:
            out.append((n, text))
            return out
        out.append((n, text[:m.start()].rstrip()))
        n, text = nxt, text[m.end():]


def _footnotes(layout: Layout, marker_lines: dict[int, int], glossary: dict[str, str],
               vocabulary: Counter) -> tuple[list[Footnote], list[IngestWarning]]:
    warnings: list[IngestWarning] = []
    notes: dict[int, Footnote] = {}
    note_lines: dict[int, int] = {}
    for block in layout.blocks:
        slots: list[tuple[int, str]] = []  # (footnote n, citation text before its url)
        following = {d.n for d in block.notes}
        for draft in block.notes:
            for n, text in split_run_together(draft.n, join_wrapped(draft.parts, vocabulary), following):
                if n in notes:
                    continue
                notes[n] = Footnote(n=n, text=text, page=layout.page(draft.page_idx))
                note_lines[n] = draft.line
                slots.extend((n, citation) for citation in url_slots(text))
        if block.notes:
            last = notes.get(block.notes[-1].n)
            if last is not None and last.text and _looks_cut(last.text):
                warnings.append(IngestWarning(
                    code="footnote-truncated", line=block.notes[-1].line, footnote=last.n,
                    message=f"footnote {last.n} ends in the middle of a citation: the rest of the page "
                            f"is lost ({last.text[-50:]!r})"))
        urls = [u for _, u in block.urls]
        assignment = align_urls(urls, [c for _, c in slots], glossary)
        per_note: dict[int, list[tuple[int, str]]] = {}
        for (line, url), slot in zip(block.urls, assignment, strict=True):
            if slot is None:
                warnings.append(IngestWarning(
                    code="url-unassigned", line=line,
                    message=f"link target with no footnote placeholder left to take it: {url}"))
                continue
            per_note.setdefault(slots[slot][0], []).append((slot, url))
        for n, pairs in per_note.items():
            notes[n].urls = [u for _, u in sorted(pairs)]
        filled = {slots[s][0] for s in assignment if s is not None}
        missing_links = len(slots) - sum(1 for s in assignment if s is not None)
        if missing_links > 0 and block.notes:
            lacking = sorted({n for n, _ in slots} - filled) or sorted({n for n, _ in slots})
            warnings.append(IngestWarning(
                code="url-missing", line=block.line, footnote=lacking[0],
                message=f"{missing_links} of {len(slots)} url placeholders in footnotes "
                        f"{block.notes[0].n}–{block.notes[-1].n} have no link target in the text"))

    referenced = set(marker_lines)
    for n in sorted(referenced - set(notes)):
        notes[n] = Footnote(n=n, text=None)
        warnings.append(IngestWarning(
            code="footnote-missing", line=marker_lines[n], footnote=n,
            message=f"footnote {n} is referenced in the body but its text is lost in the extraction"))
    for n in sorted(set(notes) - referenced):
        warnings.append(IngestWarning(
            code="footnote-unreferenced", line=note_lines.get(n), footnote=n,
            message=f"footnote {n} has text but no marker was found in the body"))
    return [notes[n] for n in sorted(notes)], warnings
