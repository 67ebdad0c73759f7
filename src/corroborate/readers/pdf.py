"""Born-digital PDF -> Report, with every footnote marker linked to its footnote.

Pipeline: character geometry from pdfium (`pdf_chars`) -> page layout: running headers and
footers, columns, footnote area (`pdf_layout`) -> footnotes numbered in sequence, continued
across pages -> running text as paragraphs joined across lines, columns and pages, superscript
markers kept as offsets (`pdf_text`) -> headings by weight, size and numbering -> Section tree.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from corroborate.models import (
    Footnote,
    IngestWarning,
    Marker,
    Paragraph,
    ParagraphKind,
    Report,
    Section,
    fold,
)
from corroborate.readers import ReaderError
from corroborate.readers.pdf_chars import Line, Link, read_pages
from corroborate.readers.pdf_layout import PageLayout, layout_pages, line_pitch
from corroborate.readers.pdf_text import (
    URL_RE,
    LineText,
    Vocabulary,
    clean,
    hyphen_default,
    join_texts,
    line_text,
)
from corroborate.readers.text_metadata import MONTHS

_CAPTION = re.compile(r"^(?i:figure|fig\.|table|map|chart|graph|photo|image|sources?)\s*"
                      r"(?:\d+[a-z]?\b|[IVX]+\b|:)")
_ENDNOTES = re.compile(r"(?i)^(?:end\s*notes|notes|foot\s*notes|notas(?: finales)?|notes de fin)"
                       r"(?:\s+(?:to|for|del?|al)\s+(?:chapter|cap[ií]tulo|part|parte)\s+\w+)?:?$")
_DOTTED_HEADING = re.compile(r"^\d{1,2}(?:\.\d{1,2}){1,4}\.?\s+[^\W\d_]")
_URL_END = re.compile(r"(?:https?://|www\.)\S+$")
_TOC_LINE = re.compile(r"(?:\.\s?){4,}\s*\d+\s*$|…{2,}\s*\d+\s*$")
_BULLET = re.compile(r"^[\u2022\u00b7\u25aa\u25cf\u25e6\u2023\u2043\u25a0\uf0b7\uf0a7\uf0d8\uf076\u2013\u2014\-*]\s+")
_LABEL = re.compile(r"^(?:\(?(?:\d{1,3}|[a-zA-Z]|[ivxIVX]{1,4})[.)]|[\u2022\u00b7\u25aa\u25cf\u25e6\uf0b7\uf0a7\u2013*-])\s+")
_GLUED = re.compile(r"(\d{1,3})(?=[^\W\d])")  # "1Source …"
_ITEM = re.compile(r"^\s*\(?\d{1,3}[.)]\s")  # "1. To adopt …", "(2) To publish …"
_ENUM = re.compile(r"^\(?(?:[a-z]|[ivx]{1,4})\)\s+")
_HEADING_NUMBER = re.compile(
    r"^(?P<num>(?:[IVXLC]{1,6}|[A-Za-z])[.)]|\d{1,2}(?:\.\d{1,2}){0,4}(?:[.)]|(?=\s)))\s+(?P<title>\S.*)$"
)


@dataclass
class _Note:
    n: int  # as printed
    page: int
    lines: list[Line] = field(default_factory=list)
    texts: list[LineText] = field(default_factory=list)
    epoch: int = 0  # which run of numbering (a report whose chapters restart their notes at 1)


@dataclass
class _Block:
    heading: bool
    lines: list[Line]
    texts: list[LineText]
    page: int
    kind: ParagraphKind = ParagraphKind.BODY


def read_pdf_file(path: Path, data: bytes) -> Report:
    with _cyclic_gc_paused():
        doc = _open(path, data)
        try:
            pages = read_pages(doc)
            title_meta = _meta_title(doc)
        except pdfium.PdfiumError as exc:
            raise ReaderError(path, f"corrupt PDF: {exc}") from exc
        finally:
            doc.close()
        if not any(p.chars for p in pages):
            raise ReaderError(path, "scanned PDF: no text layer; OCR is not supported")
        return PdfAssembler(pages, title_meta).report()


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Reading creates some 10^5 small objects (characters, lines) that hold no cycles; the
    cyclic collector would scan them again and again as they pile up (a tenth of the read time,
    more in a process already holding many objects). Paused for the read, restored after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _open(path: Path, data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = raw.FPDF_GetLastError()
        if code == raw.FPDF_ERR_PASSWORD or "password" in str(exc).lower():
            raise ReaderError(path, "encrypted PDF: it needs a password; decrypt it and try again") from exc
        if code == raw.FPDF_ERR_SECURITY:
            raise ReaderError(path, "PDF uses an unsupported security handler") from exc
        raise ReaderError(path, f"corrupt or unreadable PDF ({exc})") from exc


def _meta_title(doc: pdfium.PdfDocument) -> str:
    try:
        title = (doc.get_metadata_value("Title") or "").strip()
    except Exception:  # noqa: BLE001 - metadata is optional; a broken info dict must not stop ingest
        return ""
    if len(title) < 4 or re.match(r"(?i)(microsoft word|untitled|document\d*$|\S+\.(docx?|pdf)$)", title):
        return ""
    return title


class PdfAssembler:
    def __init__(self, pages, title_meta: str = ""):
        self.pages = pages
        self.title_meta = title_meta
        self.layouts, self.size = layout_pages(pages)
        self.pitch = line_pitch(self.layouts, self.size)
        self.warnings: list[IngestWarning] = [
            IngestWarning(code="page-no-text", message=f"page {p.index + 1} has no text layer (a scan?): "
                          "its content is missing; OCR is not supported")
            for p in pages if not p.chars
        ]
        all_texts = [ln.text for lay in self.layouts for ln in (*lay.body, *lay.notes)]
        self.vocab = Vocabulary([clean(t) for t in all_texts])
        self.dehyphenate = hyphen_default(self.vocab, all_texts)
        self._texts: dict[int, LineText] = {}
        self._chapter_starts: set[int] = set()  # ids of the lines opening a run of endnotes

    # --- footnotes -----------------------------------------------------------------------

    def _endnote_lines(self) -> None:
        """Endnotes join the notes, so the markers in the text link to them as to footnotes: the
        numbered lines under each "Notes"/"Endnotes"/"Notas" label (one per chapter, maybe), or
        else a numbered list closing the document that the raised markers of the text count
        up to. The label itself is dropped."""
        flow = [(lay, ln) for lay in self.layouts for ln in lay.body]
        # only a line opening with a digit can open a note: the rest need no reading here
        leads = [_lead(ln) if ln.text[:1].isdigit() else None for _, ln in flow]
        labels: list[int] = []
        for i, (_, ln) in enumerate(flow):
            if _ENDNOTES.match(ln.text.strip()) and i + 1 < len(flow) and leads[i + 1] == 1:
                # the text before the label (since the last one) points to note 1 with a marker
                since = labels[-1] if labels else 0
                if any(1 in self._body_text(x).markers_n for _, x in flow[since:i]):
                    labels.append(i)
        runs = [(i, self._numbered_run(flow, leads, i + 1, set(labels))) for i in labels]
        for i, (lay, ln) in enumerate(flow):
            if i not in labels and _ENDNOTES.match(ln.text.strip()):
                below = [x for x in lay.notes if x.base < ln.base]
                if below and line_text(below[0]).lead_number == 1:  # notes set small: found already
                    lay.body.remove(ln)
                    lay.dropped.append(ln)
        footnoted = sum(1 for lay in self.layouts for ln in lay.notes if ln.text[:1].isdigit())
        if not runs and footnoted < 3:
            last_one = next((i for i in range(len(flow) - 1, -1, -1) if leads[i] == 1), None)
            if last_one is not None:
                run = self._numbered_run(flow, leads, last_one, set())
                count = sum(1 for j in run if leads[j] is not None)
                marks = {n for j in range(last_one) for n in self._body_text(flow[j][1]).markers_n}
                # only the list the text's markers count up to is a list of notes
                if count >= 3 and marks and max(marks) <= count + 1 and (
                        len(marks & set(range(1, count + 1))) >= 0.8 * count):
                    runs = [(None, run)]
        for label, run in runs:
            if not run:
                continue
            self._chapter_starts.add(id(flow[run[0]][1]))
            if label is not None:
                lay, ln = flow[label]
                lay.body.remove(ln)
                lay.dropped.append(ln)
            by_page: dict[int, list[Line]] = {}
            for j in run:
                lay, ln = flow[j]
                lay.body.remove(ln)
                by_page.setdefault(lay.page.index, []).append(ln)
            for lay in self.layouts:
                if lay.page.index in by_page:
                    lay.notes[:0] = by_page[lay.page.index]

    def _numbered_run(self, flow, leads: list[int | None], i: int, stops: set[int]) -> list[int]:
        """Flow indexes of the notes numbered 1, 2, 3 … from `i`, their lines in between, up to a
        heading (bold or large) or the next endnotes label."""
        run: list[int] = []
        expect = 1
        for j in range(i, len(flow)):
            ln = flow[j][1]
            if j in stops or ln.bold >= 0.9 or ln.size >= self.size * 1.12:
                break
            if leads[j] == expect:
                expect += 1
            elif j == i:
                break
            run.append(j)
        return run

    def _body_text(self, ln: Line) -> LineText:
        """A running-text line's text and raised markers, read once (notes and blocks ask)."""
        lt = self._texts.get(id(ln))
        if lt is None:
            lt = self._texts[id(ln)] = line_text(ln, keep_lead=True)
        return lt

    def _body_restarts(self) -> list[int]:
        """Pages (0-based) where the raised markers of the text start again at 1: the evidence
        that a note numbered 1 after higher ones is a new run of notes, not a numbered item."""
        pages: list[int] = []
        last = 0
        for lay in self.layouts:
            for ln in lay.body:
                for n in self._body_text(ln).markers_n:
                    if _restarts(n, last):
                        pages.append(lay.page.index)
                        last = 0
                    last = max(last, n)
        return pages

    def _marks_so_far(self) -> dict[int, set[int]]:
        """page -> the numbers of the raised markers of the text up to the end of that page; empty
        when the text has too few markers to say which numbers are notes."""
        seen: set[int] = set()
        out: dict[int, set[int]] = {}
        for lay in self.layouts:
            for ln in lay.body:
                seen.update(self._body_text(ln).markers_n)
            out[lay.page.index] = set(seen)
        return out if len(seen) >= 3 else {}

    def footnotes(self) -> list[_Note]:
        self._endnote_lines()
        restarts = self._body_restarts()
        marks = self._marks_so_far()
        # raised digits inside a note's text are content (m², 1er), not markers: restored
        items = [(lay, ln, _filter_markers(line_text(ln), set(), [0])) for lay in self.layouts for ln in lay.notes]
        # do this document's notes open with a raised number? then only raised numbers open notes
        candidates = [lt for _, _, lt in items if lt.lead_number is not None]
        raised_style = bool(candidates) and sum(lt.lead_raised for lt in candidates) >= 0.7 * len(candidates)
        notes: list[_Note] = []
        orphans: dict[int, list[Line]] = {}
        in_text = -1  # page whose note area, from a numbered item on, holds running text
        for lay, ln, lt in items:
            n = lt.lead_number
            last = notes[-1].n if notes else 0
            glued = _GLUED.match(ln.text)
            if n is None and glued and int(glued.group(1)) == last + 1:
                # "1Source …": the note's number set flush against its text, in the text size
                lt = line_text(ln, keep_lead=True)
                cut = len(glued.group(1))
                lt = LineText(text=lt.text[cut:], markers=[], lead_number=last + 1, lead_raised=True)
                n = last + 1
            opens = n is not None and (lt.lead_raised or not raised_style) and (
                last < n <= last + 3 if notes else n <= 3 or lt.lead_raised)
            restart = not opens and n == 1 and bool(notes) and (lt.lead_raised or not raised_style) and (
                id(ln) in self._chapter_starts
                or bool(restarts) and restarts[0] <= lay.page.index and last >= 2)
            if restart:
                opens = True  # a new chapter numbers its notes from 1 again, and so do its markers
                if id(ln) not in self._chapter_starts:
                    restarts.pop(0)
            if opens and not lt.lead_raised and notes and lay.page.index == notes[-1].lines[-1].page and (
                    not (n == last + 1 and (_ITEM.match(ln.text) or not _continues_note(ln.text)))):
                # a plain number opening a line may be a date going on from the line before
                # ("… published on" / "13 July 2023"): a note before a new one has ended. A
                # number with a full stop ("2. USDOS …") or before a capitalised word that is no
                # month ("2 USDOS …") opens the next note even after one ending without a stop,
                # as EUAA's do ("…, url, p. 14")
                ended = notes[-1].texts[-1].text.rstrip()
                opens = not ended or ended[-1] in ".)]}\"'’”;" or bool(_URL_END.search(ended))
            if opens and not lt.lead_raised and not restart and marks and _ITEM.match(ln.text) and (
                    n not in marks.get(lay.page.index, ())):
                opens = False  # "2. …" like a list item, and the text has no marker 2 (yet)
            if not opens and n is not None and not lt.lead_raised and _ITEM.match(ln.text) and not (
                    last < n <= last + 3 and n in marks.get(lay.page.index, {n})):
                # "1. To adopt the measures …" where no note can open: a numbered item of the
                # text (a quotation set small), and so are the lines after it up to a note
                in_text = lay.page.index
            elif opens:
                in_text = -1
            if opens:
                epoch = notes[-1].epoch + (1 if restart else 0) if notes else 0
                notes.append(_Note(n, lay.page.index + 1, [ln], [lt], epoch))
            elif in_text != lay.page.index and notes and notes[-1].lines[-1].page >= lay.page.index - 1:
                # no number: the previous note goes on (also from the previous page)
                note = notes[-1]
                note.lines.append(ln)
                note.texts.append(_filter_markers(line_text(ln, keep_lead=True), set(), [0]))
            else:
                orphans.setdefault(lay.page.index, []).append(ln)
        for lay in self.layouts:
            # small print that is not a note (a caption, a source line): keep it as running text
            extra = orphans.get(lay.page.index)
            if extra:
                lay.body.extend(extra)
                if not lay.two_columns:
                    lay.body.sort(key=lambda x: (-round(x.base), x.x0))
        return notes

    def note_text(self, note: _Note) -> str:
        text = ""
        for lt in note.texts:
            text = join_texts(text, lt.text, self.vocab, self.dehyphenate)
        return " ".join(text.replace("\x02", "-").replace("\u00ad", "").split())

    def note_urls(self, note: _Note, text: str, links: list[Link]) -> list[str]:
        urls: list[str] = []
        for link in links:
            if any(link.page == ln.page and _overlaps(link.rect, ln) for ln in note.lines):
                urls.append(link.url)
        for m in URL_RE.finditer(text):
            url = m.group(0).rstrip(".,;:)]}'’”»")
            if not any(_same_url(url, u) for u in urls):
                urls.append(url)
        out: list[str] = []
        for u in urls:
            if u not in out:
                out.append(u)
        return out

    # --- running text --------------------------------------------------------------------

    def blocks(self, known: list[set[int]], offsets: list[int]) -> list[_Block]:
        """Running text in blocks. `known[e]` are the printed note numbers of numbering run e,
        `offsets[e]` what turns them into the report's own numbering."""
        flow: list[tuple[PageLayout, Line]] = [
            (lay, ln) for lay in self.layouts for ln in lay.body if not _TOC_LINE.search(ln.text)
        ]
        heading_style = [self._heading_style(ln) for _, ln in flow]
        blocks: list[_Block] = []
        prev: tuple[PageLayout, Line] | None = None
        last_marker = [0]
        epoch = 0
        for i, (lay, ln) in enumerate(flow):
            lt = self._body_text(ln)
            if blocks and prev is not None and self._lone_marker(prev, (lay, ln), last_marker[0]):
                # a marker that wrapped onto a line of its own: it belongs to the line before
                lt = LineText(text="", markers=[(0, int(ln.text.strip()))])
            if lt.markers and epoch + 1 < len(known) and _restarts(lt.markers[0][1], last_marker[0]):
                epoch += 1  # the markers start again at 1: the next run of numbering
                last_marker[0] = 0
            lt = _filter_markers(lt, known[epoch], last_marker)
            if offsets[epoch]:
                lt.markers = [(o, n + offsets[epoch]) for o, n in lt.markers]
            if not lt.text and lt.markers and blocks:
                blocks[-1].texts.append(lt)  # (the line ends its paragraph: the next one starts anew)
                prev = (lay, ln)
                continue
            is_head = heading_style[i] and self._standalone(flow, heading_style, i)
            cur = blocks[-1] if blocks else None
            if cur is not None and prev is not None and cur.heading == is_head and (
                self._same_heading(prev, (lay, ln)) if is_head else self._continues(prev, (lay, ln), cur)
            ):
                cur.lines.append(ln)
                cur.texts.append(lt)
            else:
                blocks.append(_Block(is_head, [ln], [lt], lay.page.index + 1))
            prev = (lay, ln)
        return blocks

    def _lone_marker(self, a: tuple[PageLayout, Line], b: tuple[PageLayout, Line], last: int) -> bool:
        """A small number alone at the start of the line under a text line, next in the run of
        markers (not a table cell: those do not follow the notes' sequence)."""
        (la, prev), (lb, ln) = a, b
        text = ln.text.strip()
        return (la is lb and text.isdigit() and last < int(text) <= last + 3 and ln.size <= prev.size * 0.85
                and 0 < prev.base - ln.base <= max(self.pitch, prev.size) * 1.5)

    def _heading_style(self, ln: Line) -> bool:
        text = ln.text.strip()
        if not re.search(r"[^\W\d_]", text) or len(text) > 200:
            return False
        if ln.bold >= 0.9 or ln.size >= self.size * 1.12:
            return True
        # "2.3 Security situation" in the text face: a multi-level number opens a short line
        return len(text) <= 120 and bool(_DOTTED_HEADING.match(text)) and not text.endswith((".", ",", ";", ":"))

    def _standalone(self, flow, style: list[bool], i: int) -> bool:
        """A bold line inside a paragraph is emphasis, not a heading."""
        lay, ln = flow[i]
        j = i
        while j + 1 < len(flow) and style[j + 1] and flow[j + 1][0] is lay:
            j += 1
        last_lay, last = flow[j]
        if j + 1 < len(flow):
            nlay, nxt = flow[j + 1]
            full = self._full(last_lay, last, nxt)
            close = nlay is last_lay and 0 < last.base - nxt.base <= self.pitch * 1.3
            same_size = abs(last.size - nxt.size) <= nxt.size * 0.1
            if full and close and same_size and not style[j + 1]:
                return False
        if i > 0 and not style[i - 1]:
            play, pln = flow[i - 1]
            if play is lay and 0 < pln.base - ln.base <= self.pitch * 1.3 and self._full(play, pln, ln) and (
                abs(pln.size - ln.size) <= ln.size * 0.1
            ):
                return False
        return True

    def _full(self, lay: PageLayout, prev: Line, nxt: Line) -> bool:
        """Did `prev` end only because the next line's first word did not fit? (Ragged or
        justified, a paragraph's last line leaves room for that word; inner lines do not.)"""
        right = lay.margins(prev)[1]
        first = nxt.chars[0].x0
        end = first
        for c in nxt.chars:
            if c.ch.isspace():
                break
            end = c.x1
        word = end - first
        return prev.x1 + prev.size * 0.3 + word > right - prev.size * 0.2

    def _same_heading(self, a: tuple[PageLayout, Line], b: tuple[PageLayout, Line]) -> bool:
        (la, x), (lb, y) = a, b
        return la is lb and abs(x.size - y.size) < 0.6 and 0 < x.base - y.base <= max(self.pitch, y.size) * 1.6

    def _continues(self, a: tuple[PageLayout, Line], b: tuple[PageLayout, Line], block: _Block) -> bool:
        (la, prev), (lb, cur) = a, b
        text = cur.text.lstrip()
        if _BULLET.match(text) or _ENUM.match(text):
            return False
        size = max(prev.size, cur.size)
        broken_word = prev.text.rstrip().endswith(("-", "\x02", "\u00ad")) and text[:1].islower()
        full = self._full(la, prev, cur) or broken_word or _justified_to(block, prev)
        # indentation is judged against the block itself: quotes are indented throughout, a
        # numbered item hangs its lines under the text after the number
        hang = _hanging_x(block.lines[0])
        aligned = hang is not None and abs(cur.x0 - hang) < size * 0.6
        ref_x0 = min(ln.x0 for ln in block.lines)
        indented = cur.x0 > ref_x0 + size * 0.8 and not aligned
        if la is not lb or cur.base > prev.base + 1:
            # a new page or column: the paragraph goes on if it filled its last line
            return full and not indented
        if abs(prev.size - cur.size) > size * 0.12:
            return False
        if prev.base - cur.base > self.pitch * 1.35 * (cur.size / self.size):
            return False
        return full and not indented

    # --- assembly ------------------------------------------------------------------------

    def report(self) -> Report:
        notes = self.footnotes()
        links = [lk for p in self.pages for lk in p.links]
        epochs = (notes[-1].epoch + 1) if notes else 1
        known: list[set[int]] = [set() for _ in range(epochs)]
        for note in notes:
            known[note.epoch].add(note.n)
        offsets = [0] * epochs
        for e in range(1, epochs):
            offsets[e] = offsets[e - 1] + max(known[e - 1])
            first = next(nt for nt in notes if nt.epoch == e)
            self.warnings.append(IngestWarning(
                code="footnote-renumbered", footnote=offsets[e] + 1,
                message=f"note numbering starts again at 1 on page {first.page}; those notes are "
                        f"numbered on through the report from {offsets[e] + 1}"))
        footnotes: list[Footnote] = []
        for note in notes:
            text = self.note_text(note)
            footnotes.append(Footnote(n=note.n + offsets[note.epoch], text=text or None, page=note.page,
                                      urls=self.note_urls(note, text, links)))
        blocks = self.blocks(known, offsets)
        sections = self.sections(blocks)
        self._check_links(sections, footnotes)
        title = self._title(blocks, sections)
        return Report(title=title, sections=sections, footnotes=footnotes, warnings=self.warnings)

    def _title(self, blocks: list[_Block], sections: list[Section]) -> str:
        """The metadata title when the first pages bear it out (not a file name, not a template's
        leftover), else the largest unnumbered heading of the first page, else the first
        unnumbered heading."""
        opening = fold(" ".join(ln.text for lay in self.layouts[:2] for ln in (*lay.body, *lay.notes)))
        words = [w for w in re.findall(r"[^\W\d_]{3,}", fold(self.title_meta))]
        if words and sum(w in opening for w in words) >= 0.6 * len(words):
            return self.title_meta
        # a chapter heading ("I. SUMMARY") is not the title; a title is set larger than the text
        heads = [b for b in blocks if b.heading and b.page == blocks[0].page
                 and not _HEADING_NUMBER.match(b.texts[0].text.strip())
                 and max(ln.size for ln in b.lines) >= self.size * 1.12] if blocks else []
        if heads:
            top = max(heads, key=lambda b: max(ln.size for ln in b.lines))
            text = self.paragraph(top).text.strip().rstrip("*† ").strip()
            if len(text) >= 4:
                return text
        return next((s.title for s in sections if s.number is None and s.title), "")

    def paragraph(self, block: _Block) -> Paragraph:
        text = ""
        markers: list[tuple[int, int]] = []
        for lt in block.texts:
            joined = join_texts(text, lt.text, self.vocab, self.dehyphenate)
            head = lt.text.lstrip()
            start = len(joined) - len(head)
            lead = len(lt.text) - len(head)
            # a marker opening a line belongs to the word that ended the line before
            hug = 1 if start > 0 and joined[start - 1] == " " else 0
            markers.extend((start + (o - lead if o > lead else -hug), n) for o, n in lt.markers)
            text = joined
        kind = ParagraphKind.BODY
        bullet = _BULLET.match(text) or _ENUM.match(text)
        hang = _hanging_x(block.lines[0])
        hanging = hang is not None and len(block.lines) > 1 and all(
            abs(ln.x0 - hang) < ln.size * 0.6 for ln in block.lines[1:])
        if (bullet or hanging) and not block.heading:
            kind = ParagraphKind.LIST_ITEM
            if _BULLET.match(text):
                cut = bullet.end()
                text = text[cut:]
                markers = [(max(0, o - cut), n) for o, n in markers]
        elif not block.heading and len(text) <= 300 and _CAPTION.match(text):
            kind = ParagraphKind.CAPTION
        elif not block.heading and self._quoted(block):
            kind = ParagraphKind.QUOTE
        text, markers = _squeeze(text.replace("\x02", "-").replace("\u00ad", ""), markers)
        return Paragraph(kind=kind, text=text, page=block.page,
                         markers=[Marker(n=n, offset=o) for o, n in markers])

    def _quoted(self, block: _Block) -> bool:
        lay = self.layouts[block.lines[0].page]
        indent = self.size * 1.5
        return len(block.lines) >= 2 and all(ln.x0 >= lay.margins(ln)[0] + indent for ln in block.lines)

    def sections(self, blocks: list[_Block]) -> list[Section]:
        roots: list[Section] = []
        stack: list[tuple[tuple, Section]] = []
        front: Section | None = None
        for block in blocks:
            if not block.heading:
                para = self.paragraph(block)
                if not para.text:
                    continue
                if stack:
                    stack[-1][1].paragraphs.append(para)
                else:
                    if front is None:
                        front = Section(title="Front matter", level=1, page=block.page)
                        roots.append(front)
                    front.paragraphs.append(para)
                continue
            para = self.paragraph(block)
            title = para.text.strip()
            if not title:
                continue
            m = _HEADING_NUMBER.match(title)
            number = None
            if m and len(m.group("title")) > 1:
                number = m.group("num").rstrip(".)")
                title = m.group("title").strip()
            scheme = _scheme(number, block.lines[0], self.size, [sec for _, sec in stack])
            if number and stack and all(sec.number is None and sec.page == 1 for _, sec in stack):
                stack.clear()  # title-page blocks do not parent the numbered outline
            keys = [k for k, _ in stack]
            if scheme in keys:
                del stack[keys.index(scheme):]
            level = len(stack) + 1
            if number and not re.fullmatch(r"\d+(\.\d+)+", number) and stack and stack[-1][1].number:
                number = f"{stack[-1][1].number}.{number}"
            section = Section(number=number, title=title, level=level, page=block.page)
            if para.markers:
                # a note on a heading (author, title) is kept so that its marker stays linked
                section.paragraphs.append(para.model_copy(update={"kind": ParagraphKind.HEADING}))
            (stack[-1][1].sections if stack else roots).append(section)
            stack.append((scheme, section))
        return roots

    def _check_links(self, sections: list[Section], footnotes: list[Footnote]) -> None:
        cited = {m.n for s in sections for sec in s.walk() for p in sec.paragraphs for m in p.markers}
        for f in footnotes:
            if f.n not in cited:
                self.warnings.append(IngestWarning(
                    code="footnote-unreferenced", footnote=f.n,
                    message=f"footnote {f.n} (page {f.page}) has no marker in the text"))
        for n in sorted(cited - {f.n for f in footnotes}):
            self.warnings.append(IngestWarning(
                code="footnote-missing", footnote=n, message=f"marker {n} has no footnote text"))


def _lead(ln: Line) -> int | None:
    """The number opening a line: "1 Text", "1. Text", a raised "¹Text" or "1Text" set flush
    against its text in the text size (a word processor's note number without its style)."""
    n = line_text(ln).lead_number
    if n is None and (glued := _GLUED.match(ln.text)):
        n = int(glued.group(1))
    return n


def _continues_note(text: str) -> bool:
    """Whether a line opening with a plain number reads as the rest of a note rather than the
    next one: a date ("2 February 2023"), a lower-case word ("2 and 3"), more figures ("12, pp.")."""
    rest = text.lstrip().lstrip("0123456789").lstrip()
    word = re.match(r"[^\W\d_]+", rest)
    return not word or rest[:1].islower() or word.group().lower() in MONTHS


def _restarts(n: int, last: int) -> bool:
    """Does marker `n` after `last` open a new run of numbering?"""
    return (n == 1 and last >= 2) or (n == 2 and last >= 3)


def _justified_to(block: _Block, prev: Line) -> bool:
    """A block set justified to its own measure (an indented quotation) goes on while its lines
    end on that measure."""
    if len(block.lines) < 2:
        return False
    edge = max(ln.x1 for ln in block.lines)
    on_edge = sum(1 for ln in block.lines if edge - ln.x1 < 1.0)
    return on_edge >= 2 and edge - prev.x1 < 1.0


def _hanging_x(line: Line) -> float | None:
    """Where the text of a numbered or bulleted line starts, after its label."""
    m = _LABEL.match(line.text)
    if not m or m.end() >= len(line.chars):
        return None
    return line.chars[m.end()].x0


def _scheme(number: str | None, line: Line, size: float, open_sections: list[Section]) -> tuple:
    if number is None:
        return ("style", round(line.size), line.bold >= 0.9, line.text.strip().isupper())
    if re.fullmatch(r"\d+(\.\d+)+", number):
        return ("decimal", number.count(".") + 1)
    if number.isdigit():
        return ("decimal", 1)
    if re.fullmatch(r"[IVXLC]+", number):
        # "C." after "B." is a letter, not the roman hundred
        prev_letters = {(sec.number or "").rsplit(".", 1)[-1] for sec in open_sections}
        if len(number) == 1 and chr(ord(number) - 1) in prev_letters:
            return ("upper",)
        return ("roman",)
    if number.isupper():
        return ("upper",)
    return ("lower",)


def _filter_markers(lt: LineText, known: set[int], state: list[int]) -> LineText:
    """Raised numbers that cannot be notes go back into the text: no such footnote, or a
    number glued to a digit far from the running sequence of markers (an exponent).
    `state` holds the last accepted marker number."""
    if not lt.markers:
        return lt
    lo, hi = (min(known), max(known)) if known else (1, 0)
    keep: list[tuple[int, int]] = []
    text = lt.text
    restored = 0
    markers: list[tuple[int, int]] = []
    for off, n in lt.markers:
        markers.extend((off, part) for part in _split_run(n, known, state[0]))
    for off, n in markers:
        plausible = n in known or lo <= n <= hi
        if off in lt.glued and plausible:
            plausible = state[0] - 3 <= n <= state[0] + 12
        if plausible:
            keep.append((off + restored, n))
            state[0] = max(state[0], n)
        else:
            digits = str(n)
            pos = off + restored
            text = text[:pos] + digits + text[pos:]
            restored += len(digits)
    return LineText(text=text, markers=keep, lead_number=lt.lead_number, lead_raised=lt.lead_raised)


def _split_run(n: int, known: set[int], last: int) -> list[int]:
    """Two notes set side by side ("58" "59" read as 5859): split where every part is a known
    footnote following the last marker."""
    if n in known and (not last or last - 3 <= n <= last + 12):
        return [n]
    digits = str(n)
    for cut in range(1, len(digits)):
        a, b = digits[:cut], digits[cut:]
        if b.startswith("0"):
            continue
        ia, ib = int(a), int(b)
        if ia in known and ib in known and ia < ib <= ia + 3 and (not last or last - 3 <= ia <= last + 12):
            return [ia, ib]
    return [n]


_SPACES = re.compile(r"\s+")  # \s is str.isspace() for str patterns


def _squeeze(text: str, markers: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """Collapse runs of spaces and strip, keeping marker offsets on the same characters."""
    clean_text = " ".join(text.split())

    def moved(o: int) -> int:
        # what the text before the marker squeezes to (a run of spaces there counts as one)
        return min(len(_SPACES.sub(" ", text[:o].lstrip())), len(clean_text))

    return clean_text, sorted(((moved(o), n) for o, n in markers), key=lambda m: m[0])


def _overlaps(rect: tuple[float, float, float, float], ln: Line) -> bool:
    left, bottom, right, top = rect
    if right <= ln.x0 or left >= ln.x1:
        return False
    overlap = min(top, ln.top) - max(bottom, ln.bottom)
    return overlap >= 0.5 * min(top - bottom, ln.top - ln.bottom)


def _same_url(a: str, b: str) -> bool:
    a, b = a.rstrip("/.").lower(), b.rstrip("/.").lower()
    return a == b or (len(a) > 12 and b.startswith(a)) or (len(b) > 12 and a.startswith(b))
