"""The footnoted document every export format renders.

A report re-rendered and a compiled query response are both a `FootnotedDocument`: headings and
paragraphs whose text is interrupted by footnote references, the footnotes themselves (text, or
lost), and a bibliography grouped by source type. Building it once keeps Markdown, HTML, DOCX
and PDF from drifting apart in what they show; each renderer only decides how.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from enum import StrEnum

from pydantic import BaseModel, Field, field_validator

from corroborate.citations.dates import human_date
from corroborate.citations.format import Segment, link_segments
from corroborate.i18n import gettext
from corroborate.models import Citation, Footnote, ParagraphKind, Report, Section, Source, TorItem, fold
from corroborate.models import Link as TextLink
from corroborate.urls import safe_url


class BlockKind(StrEnum):
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list_item"
    QUOTE = "quote"
    CAPTION = "caption"
    NOTICE = "notice"  # disclaimer, methodology, "could not be found" statements
    LEAD = "lead"  # the line introducing a quotation: kept on the page of the quotation


class Run(BaseModel):
    text: str


class NoteRef(BaseModel):
    """A footnote call: `n` is the number shown, which is the key into `FootnotedDocument.notes`."""

    n: int


class Link(BaseModel):
    text: str
    href: str

    @field_validator("href")
    @classmethod
    def _only_safe(cls, href: str) -> str:
        if safe_url(href) is None:  # built from Segments, which already dropped it: a bug
            raise ValueError(f"not a link target an export may contain: {href[:80]!r}")
        return href


Inline = Run | NoteRef | Link


class Block(BaseModel):
    kind: BlockKind = BlockKind.PARAGRAPH
    level: int = 1  # headings only: 1 = the document's top-level sections
    inlines: list[Inline] = Field(default_factory=list)
    anchor: str | None = None  # the paragraph id, so a reader can find the stored passage

    @property
    def text(self) -> str:
        return "".join(i.text for i in self.inlines if not isinstance(i, NoteRef))


class Note(BaseModel):
    n: int
    text: str | None  # None: the report references it but its text was lost
    urls: list[str] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)  # they place the links (citations.format)
    # Compiled responses: the report quoted ("EUAA, Peru – Country Focus, September 2023") and
    # the footnote's number there, since the response renumbers footnotes 1…N.
    origin: str | None = None
    origin_n: int | None = None

    @property
    def missing(self) -> bool:
        return self.text is None

    def segments(self) -> list[Segment]:
        if self.text is None:
            if self.origin:
                return [Segment(text=gettext("[footnote %(n)s of %(origin)s: text missing in the source document]",
                                             n=self.origin_n, origin=self.origin))]
            return [Segment(text=missing_note_text(self.n))]
        segs = link_segments(self.text, self.urls, self.citations)
        if self.origin and self.origin_n is not None:
            segs.append(Segment(text=" " + gettext("(cited in %(origin)s, footnote %(n)s)", origin=self.origin,
                                                   n=self.origin_n)))
        return segs

    def plain(self) -> str:
        return "".join(s.text if not s.href or s.text == s.href else f"{s.text} <{s.href}>"
                       for s in self.segments())


class BibItem(BaseModel):
    segments: list[Segment]

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments)


class BibGroup(BaseModel):
    title: str
    items: list[BibItem]


class FootnotedDocument(BaseModel):
    title: str
    subtitle: list[str] = Field(default_factory=list)  # publisher, dates, reference period
    language: str = "en"
    locale: str = "en"  # the language of the document's own texts (headings, notices), not its quotes
    blocks: list[Block] = Field(default_factory=list)
    notes: dict[int, Note] = Field(default_factory=dict)
    bibliography_title: str = "Bibliography"
    bibliography: list[BibGroup] = Field(default_factory=list)

    def note_calls(self) -> list[int]:
        """Every footnote call in reading order (a note may be called more than once)."""
        return [i.n for b in self.blocks for i in b.inlines if isinstance(i, NoteRef)]


def segment_inlines(segments: list[Segment]) -> list[Inline]:
    return [Link(text=s.text, href=s.href) if s.href else Run(text=s.text) for s in segments]


def missing_note_text(n: int) -> str:
    return gettext("[footnote %(n)s: text missing in the source document]", n=n)


# --- a report re-rendered ------------------------------------------------------------------

_KIND = {
    ParagraphKind.BODY: BlockKind.PARAGRAPH,
    ParagraphKind.LIST_ITEM: BlockKind.LIST_ITEM,
    ParagraphKind.QUOTE: BlockKind.QUOTE,
    ParagraphKind.CAPTION: BlockKind.CAPTION,
    ParagraphKind.HEADING: BlockKind.HEADING,
}

LOST_MARKS_TITLE = "Footnotes whose reference mark was lost in the source document"


def split_at_markers(text: str, markers: list[tuple[int, int]], start: int = 0,
                     end: int | None = None) -> list[Run | NoteRef]:
    """`text[start:end]` with a NoteRef at each (n, offset) marker inside [start, end]."""
    end = len(text) if end is None else end
    inlines: list[Run | NoteRef] = []
    pos = start
    for n, offset in sorted(markers, key=lambda m: m[1]):
        if offset < start or offset > end:
            continue
        if offset > pos:
            inlines.append(Run(text=text[pos:offset]))
            pos = offset
        inlines.append(NoteRef(n=n))
    if pos < end:
        inlines.append(Run(text=text[pos:end]))
    return inlines


_SAFE_SCHEME = re.compile(r"^(?:https?://|mailto:)", re.IGNORECASE)


def safe_links(links: Iterable[TextLink], length: int, markers: Iterable[int] = ()) -> list[tuple[int, int, str]]:
    """(start, end, url) of the links that can be shown: web or mail addresses only (never
    `javascript:`), inside the text, not overlapping each other or holding a footnote marker."""
    out: list[tuple[int, int, str]] = []
    offsets = list(markers)
    for k in sorted(links, key=lambda k: k.start):
        start, end = max(0, k.start), min(k.end, length)
        if end <= start or not _SAFE_SCHEME.match(k.url.strip()):
            continue
        if (out and start < out[-1][1]) or any(start < off < end for off in offsets):
            continue
        out.append((start, end, k.url.strip()))
    return out


def link_inlines(inlines: list[Run | NoteRef], links: list[tuple[int, int, str]], start: int = 0) -> list[Inline]:
    """Cut the runs of `split_at_markers` (which began at `start`) at the (start, end, url) link
    spans: the linked words become Links, so every format shows the report's own hyperlinks."""
    if not links:
        return list(inlines)
    out: list[Inline] = []
    pos = start
    for inline in inlines:
        if isinstance(inline, NoteRef):
            out.append(inline)
            continue
        text, base = inline.text, pos
        cuts = sorted({0, len(text), *(max(0, min(len(text), x - base)) for a, b, _ in links for x in (a, b))})
        for a, b in zip(cuts, cuts[1:], strict=False):
            piece = text[a:b]
            href = next((url for la, lb, url in links if la <= base + a and base + b <= lb), None)
            out.append(Link(text=piece, href=href) if href else Run(text=piece))
        pos += len(text)
    return out


def report_subtitle(report: Report) -> list[str]:
    lines = []
    if report.publisher:
        lines.append(report.publisher)
    if report.published:
        lines.append(f"Published: {human_date(report.published)}")
    if report.cut_off:
        lines.append(f"Information cut-off: {human_date(report.cut_off)}")
    rp = report.reference_period
    if rp.start or rp.end:
        lines.append(f"Reference period: {human_date(rp.start) if rp.start else '?'} – "
                     f"{human_date(rp.end) if rp.end else '?'}")
    return lines


Redactor = Callable[[str], tuple[str, Callable[[int], int]]]


def shown_note(n: int, fn: Footnote | None) -> Note:
    if fn is None or fn.text is None:
        return Note(n=n, text=None)
    return Note(n=n, text=fn.text, urls=fn.urls, citations=fn.citations)


def report_document(report: Report, shown: dict[int, Footnote],
                    bibliography: list[BibGroup], redactor: Redactor | None = None) -> FootnotedDocument:
    """The report as published: every paragraph, its markers where the reader found them.

    `shown` maps footnote numbers to the footnotes to show, already redacted for
    confidential sources; numbers referenced in the body but absent from it are shown as lost.
    `redactor` replaces confidential sources' names in the running text (markers follow).
    """
    doc = FootnotedDocument(title=report.title or report.id, subtitle=report_subtitle(report),
                            language=report.language, bibliography=bibliography)

    def walk(section: Section, depth: int) -> None:
        head = f"{section.number} {section.title}" if section.number else section.title
        doc.blocks.append(Block(kind=BlockKind.HEADING, level=min(depth, 6), inlines=[Run(text=head)]))
        for p in section.paragraphs:
            text, move = redactor(p.text) if redactor else (p.text, lambda off: off)
            inlines: list[Inline] = split_at_markers(
                text, [(m.n, move(min(max(m.offset, 0), len(p.text)))) for m in p.markers])
            if p.links and text == p.text:  # a redacted paragraph keeps no link that could name a source
                inlines = link_inlines(inlines, safe_links(p.links, len(text)))
            kind = _KIND.get(p.kind, BlockKind.PARAGRAPH)
            doc.blocks.append(Block(kind=kind, level=min(depth + 1, 6), inlines=inlines, anchor=p.id))
            for m in p.markers:
                if m.n not in doc.notes:
                    doc.notes[m.n] = shown_note(m.n, shown.get(m.n))
        # The reader keeps the glossary and the ToR as data, not paragraphs: put them back where
        # the report has them.
        if report.glossary and section is glossary_home:
            doc.blocks += glossary_blocks(report)
            done["glossary"] = True
        if report.terms_of_reference and section is tor_home:
            doc.blocks += tor_blocks(report.terms_of_reference)
            done["tor"] = True
        for child in section.sections:
            walk(child, depth + 1)

    done = {"glossary": False, "tor": False}
    sections = list(report.walk_sections())
    glossary_home = next((s for s in sections if fold(s.title).startswith("glossary")), None)
    # the annex, not "Defining the terms of reference" in the methodology: annexes come last
    tor_home = next((s for s in reversed(sections) if "terms of reference" in fold(s.title)), None)
    for top in report.sections:
        walk(top, 1)
    if report.glossary and not done["glossary"]:
        doc.blocks.insert(0, Block(kind=BlockKind.HEADING, level=1, inlines=[Run(text="Glossary")]))
        doc.blocks[1:1] = glossary_blocks(report)
    if report.terms_of_reference and not done["tor"]:
        doc.blocks.append(Block(kind=BlockKind.HEADING, level=1, inlines=[Run(text="Terms of Reference")]))
        doc.blocks += tor_blocks(report.terms_of_reference)
    lost_marks = [n for n, fn in shown.items() if n not in doc.notes and fn.text is not None]
    if lost_marks:
        doc.blocks.append(Block(kind=BlockKind.HEADING, level=1, inlines=[Run(text=LOST_MARKS_TITLE)]))
        for n in sorted(lost_marks):
            inlines: list[Inline] = [Run(text=f"{n}. ")]
            inlines += segment_inlines(shown_note(n, shown[n]).segments())
            doc.blocks.append(Block(kind=BlockKind.NOTICE, inlines=inlines))
    return doc


def glossary_blocks(report: Report) -> list[Block]:
    return [Block(kind=BlockKind.PARAGRAPH, inlines=[Run(text=f"{g.term} – {g.definition}")])
            for g in report.glossary]


def tor_blocks(items: list[TorItem], depth: int = 0) -> list[Block]:
    out = []
    for item in items:
        kind = BlockKind.PARAGRAPH if depth == 0 and item.items else BlockKind.LIST_ITEM
        out.append(Block(kind=kind, level=depth + 1, inlines=[Run(text=item.text)]))
        out += tor_blocks(item.items, depth + 1)
    return out




def sources_by_id(sources: list[Source]) -> dict[str, Source]:
    return {s.id: s for s in sources}
