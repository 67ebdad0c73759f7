"""The evidence model every pipeline stage reads and writes.

A Report is a tree of Sections holding Paragraphs; paragraphs carry footnote markers
(number + character offset into the cleaned text); Footnotes carry their raw text, URLs and
parsed Citations; Citations point at deduplicated Sources. Readers (text, PDF, HTML, DOCX)
produce a Report; the store persists it; search, audit and export read it back.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from enum import StrEnum

from pydantic import BaseModel, Field


class ParagraphKind(StrEnum):
    BODY = "body"
    LIST_ITEM = "list_item"
    QUOTE = "quote"
    CAPTION = "caption"
    HEADING = "heading"


class CitationKind(StrEnum):
    DOCUMENT = "document"
    ORAL = "oral"  # interview with the report's authors
    ANALYSIS = "analysis"  # the report's own analysis ("Analysis by EUAA")
    LEGISLATION = "legislation"
    BOOK = "book"
    DATASET = "dataset"
    EMPTY = "empty"  # e.g. a trailing ';' in the footnote
    UNPARSED = "unparsed"  # kept verbatim, with a warning


class SourceType(StrEnum):
    GOVERNMENT = "government"
    IGO = "igo"  # UN and other intergovernmental organisations
    NGO = "ngo"
    MEDIA = "media"
    ACADEMIC = "academic"  # academia and think tanks
    ORAL = "oral"
    LEGISLATION = "legislation"
    OTHER = "other"


class Marker(BaseModel):
    """A footnote reference inside a paragraph: footnote `n` sits at `offset` in the clean text."""

    n: int
    offset: int


class Link(BaseModel):
    """An inline hyperlink: `text[start:end]` of its paragraph or footnote links to `url`."""

    start: int
    end: int
    url: str


class Paragraph(BaseModel):
    id: str = ""  # stable: see paragraph_id()
    section: str | None = None  # the number (or title, for unnumbered sections) of its section
    order: int = 0  # position in the report, 0-based
    kind: ParagraphKind = ParagraphKind.BODY
    text: str
    markers: list[Marker] = Field(default_factory=list)
    links: list[Link] = Field(default_factory=list)
    page: int | None = None

    @property
    def footnote_numbers(self) -> list[int]:
        seen: list[int] = []
        for m in self.markers:
            if m.n not in seen:
                seen.append(m.n)
        return seen


# The title of a report's own list of sources ("Sources cited", "Sources consulted but not
# cited", "Bibliography", "Referencias bibliográficas" …), matched whole: "Public sources" and
# "Sources of information" are methodology text, not lists.
LIST_OF_SOURCES = re.compile(
    r"^(?:\d+(?:\.\d+)*\.?\s+)?(?:annex\s+\w+\s*[:.–-]\s*)?"
    r"(?:bibliograph(?:y|ie)|bibliograf[ií]a|references?(?:\s+list)?|referencias"
    r"(?:\s+bibliogr[aá]ficas)?|(?:list\s+of\s+)?sources(?:\s+(?:cited|used|consulted)(?:\s+but\s+not\s+cited)?)?"
    r"|works\s+cited|fuentes(?:\s+(?:citadas|consultadas)(?:\s+(?:pero\s+)?no\s+citadas)?)?"
    r"|further\s+reading|additional\s+sources|lecturas\s+adicionales)$", re.I)


class Section(BaseModel):
    number: str | None = None  # "3.5.1"; None for unnumbered parts (Introduction, Annex 2 …)
    title: str
    level: int = 1
    page: int | None = None
    paragraphs: list[Paragraph] = Field(default_factory=list)
    sections: list[Section] = Field(default_factory=list)

    @property
    def key(self) -> str:
        """How paragraphs and users refer to this section: its number, else its title."""
        return self.number or self.title

    @property
    def lists_sources(self) -> bool:
        """Whether this is the report's own list of sources (`LIST_OF_SOURCES`)."""
        return bool(LIST_OF_SOURCES.match(self.title.strip()))

    def walk(self) -> Iterator[Section]:
        yield self
        for child in self.sections:
            yield from child.walk()


class Citation(BaseModel):
    author: str | None = None
    title: str | None = None
    container: str | None = None
    date: str | None = None  # ISO with the precision written: 2023, 2023-04, 2023-03-20
    url: str | None = None
    locator: str | None = None
    kind: CitationKind = CitationKind.DOCUMENT
    note: str | None = None
    raw: str = ""
    source_id: str | None = None

    def json_contract(self) -> dict:
        """The public `footnotes[].citations[]` shape (issue 3)."""
        return self.model_dump(
            include={"author", "title", "container", "date", "url", "locator", "kind", "note"},
            mode="json",
        )


class Footnote(BaseModel):
    n: int
    text: str | None = None  # None: referenced in the body but its text is lost
    page: int | None = None
    urls: list[str] = Field(default_factory=list)
    links: list[Link] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)


class Source(BaseModel):
    id: str
    author: str | None = None
    title: str | None = None
    type: SourceType = SourceType.OTHER
    language: str | None = None  # "es" | "en"
    date: str | None = None
    urls: list[str] = Field(default_factory=list)
    confidential: bool = False
    kind: CitationKind = CitationKind.DOCUMENT
    cited: bool = True  # False: only listed in a bibliography as consulted, never cited in a note
    aliases: list[str] = Field(default_factory=list)  # abbreviations a report's key gives it (`JS7`)


class BibliographyEntry(BaseModel):
    """One entry of the report's own list of sources ("Sources cited", "Bibliography")."""

    text: str
    urls: list[str] = Field(default_factory=list)
    links: list[Link] = Field(default_factory=list)
    heading: str | None = None  # the (sub)section it is listed under
    cited: bool = True  # False: listed under "consulted but not cited"
    citation: Citation | None = None  # parsed; `citation.source_id` places it in the registry


class GlossaryEntry(BaseModel):
    term: str
    definition: str


class TorItem(BaseModel):
    text: str
    items: list[TorItem] = Field(default_factory=list)

    def walk(self) -> Iterator[TorItem]:
        yield self
        for child in self.items:
            yield from child.walk()


class IngestWarning(BaseModel):
    code: str  # footnote-missing | orphan-fragment | url-unassigned | citation-unparsed | …
    message: str
    line: int | None = None  # 1-based line of the input, where known
    footnote: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{self.code}: {where}{self.message}"


class ReferencePeriod(BaseModel):
    start: str | None = None  # ISO date or month
    end: str | None = None


class Report(BaseModel):
    id: str = ""
    title: str = ""
    publisher: str | None = None
    published: str | None = None
    cut_off: str | None = None  # drafting finalised / information cut-off
    edition: str | None = None  # the report's own version label: "2.0"
    reference: str | None = None  # the publisher's document reference, as written
    reference_period: ReferencePeriod = Field(default_factory=ReferencePeriod)
    language: str = "en"
    country: str | None = None  # ISO 3166-1 alpha-2 of the country the report is about
    document_type: str | None = None  # see corroborate.metadata.DOCUMENT_TYPES
    source_hash: str = ""
    source_path: str | None = None
    format: str = "text"
    version: int = 1
    sections: list[Section] = Field(default_factory=list)
    footnotes: list[Footnote] = Field(default_factory=list)
    glossary: list[GlossaryEntry] = Field(default_factory=list)
    bibliography: list[BibliographyEntry] = Field(default_factory=list)
    terms_of_reference: list[TorItem] = Field(default_factory=list)
    warnings: list[IngestWarning] = Field(default_factory=list)

    def walk_sections(self) -> Iterator[Section]:
        for s in self.sections:
            yield from s.walk()

    def paragraphs(self) -> Iterator[Paragraph]:
        for s in self.walk_sections():
            yield from s.paragraphs

    def searchable_paragraphs(self) -> Iterator[Paragraph]:
        """The paragraphs the search index holds, in reading order: all but the entries of the
        report's own lists of sources and their subsections. An entry names a document ('Gender
        Equality in Colombia, 28 September 2023'), it states nothing: as a search hit or a quote
        it crowded out the statements on the same topic. The entries stay in the report (its
        view and exports) and in its bibliography, matched to the sources."""

        def visit(section: Section) -> Iterator[Paragraph]:
            if section.lists_sources:
                return
            yield from section.paragraphs
            for child in section.sections:
                yield from visit(child)

        for top in self.sections:
            yield from visit(top)

    def footnote(self, n: int) -> Footnote | None:
        for f in self.footnotes:
            if f.n == n:
                return f
        return None

    def section(self, key: str) -> Section | None:
        for s in self.walk_sections():
            if s.number == key or s.title == key or (s.number and s.number.rstrip(".") == key.rstrip(".")):
                return s
        return None


_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


def _strip_marks(run: re.Match) -> str:
    return "".join(c for c in run.group() if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lower-case, strip accents and collapse spaces: how texts are compared and ids are made."""
    if text.isascii():  # most of an English library: NFKD and the marks leave ASCII as it is
        return " ".join(text.lower().split())
    # Only non-ASCII runs can hold combining marks; a 10 KB paragraph with a few accents is
    # otherwise walked character by character in Python (search folds every candidate's text).
    stripped = _NON_ASCII_RUN.sub(_strip_marks, unicodedata.normalize("NFKD", text))
    return " ".join(stripped.casefold().split())


def paragraph_id(report_family: str, section_key: str | None, text: str, occurrence: int = 0) -> str:
    """A paragraph id that survives re-ingest: derived from content, not from position.

    Editing one paragraph changes only that paragraph's id; inserting paragraphs elsewhere
    changes none. `occurrence` separates identical texts within one section.
    """
    basis = f"{report_family}\x1f{section_key or ''}\x1f{fold(text)}\x1f{occurrence}"
    return hashlib.blake2b(basis.encode(), digest_size=6).hexdigest()


def assign_paragraph_ids(report: Report, family: str) -> None:
    seen: dict[tuple[str | None, str], int] = {}
    order = 0
    for section in report.walk_sections():
        for p in section.paragraphs:
            key = (section.key, fold(p.text))
            occurrence = seen.get(key, 0)
            seen[key] = occurrence + 1
            p.section = section.key
            p.order = order
            p.id = paragraph_id(family, section.key, p.text, occurrence)
            order += 1
