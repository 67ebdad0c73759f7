"""Everything the rules share about one report, computed once: which sections are the report's
own apparatus (methodology, disclaimer …), sentences and the footnotes that cover each of them,
where every footnote marker stands, and each citation's source."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from corroborate.audit.text import Sentence, ends_open, split_sentences
from corroborate.models import (
    Citation,
    CitationKind,
    Footnote,
    Paragraph,
    ParagraphKind,
    Report,
    Section,
    Source,
    SourceType,
    fold,
)

# Parts of a report that describe the report itself, or summarise what later chapters reference:
# EUAA practice does not footnote them (disclaimer, methodology, introduction-summary, annexes).
APPARATUS_TITLE = re.compile(
    r"\b(disclaimer|methodology|glossary|abbreviations?|acronyms|terms of reference|annex\w*|"
    r"bibliography|references|sources consulted|contents|introduction|summary|map|maps|preface|"
    r"foreword|acknowledg\w*|about this report|structure and use|defining the terms|"
    r"collecting information|quality control|oral sources|public sources|abstract|keywords|"
    # a Home Office note's own apparatus
    r"about th(?:is|e) (?:note|information|assessment)|clearance|version control|feedback to|"
    r"changes from (?:the )?last version|independent advisory group)\b"
)

# Citations that point at no outside source: they neither corroborate nor need a date or URL.
NON_SOURCE_KINDS = {CitationKind.EMPTY, CitationKind.ANALYSIS}


# A quoted law with its articles and lettered items, or a bullet list, is one passage.
_PASSAGE_KINDS = (ParagraphKind.LIST_ITEM, ParagraphKind.QUOTE)
_OPENING_QUOTES = ("‘", "“", "'", '"')


def _in_passage(p: Paragraph) -> bool:
    """A list item or quotation: what a lead-in ending in ':' introduces. A Home Office CPIN
    quotes its sources paragraph by paragraph in body text ('5.4.1 TimeCamp … noted that average
    salaries in Colombia:' then ‘…can vary widely …’ ‘… the average monthly salary …’), and
    footnotes the quoted passage where it ends."""
    return p.kind in _PASSAGE_KINDS or p.text.lstrip().startswith(_OPENING_QUOTES)


@dataclass
class SentenceSupport:
    paragraph: Paragraph
    sentence: Sentence
    footnotes: list[int]  # markers in the sentence, else the next marker of its block
    own_marker: bool


@dataclass
class AuditContext:
    report: Report
    sources: dict[str, Source] = field(default_factory=dict)

    # --- structure -----------------------------------------------------------------------

    @cached_property
    def section_titles(self) -> dict[str, str]:
        return {s.key: s.title for s in self.report.walk_sections()}

    @cached_property
    def apparatus_sections(self) -> set[str]:
        """Keys of sections that are the report's apparatus, including their subsections."""
        out: set[str] = set()

        def visit(section: Section, inherited: bool) -> None:
            mine = inherited or section.lists_sources or bool(APPARATUS_TITLE.search(fold(section.title)))
            if mine:
                out.add(section.key)
            for child in section.sections:
                visit(child, mine)

        for top in self.report.sections:
            visit(top, False)
        return out

    @cached_property
    def paragraphs(self) -> list[Paragraph]:
        return list(self.report.paragraphs())

    @cached_property
    def body_paragraphs(self) -> list[Paragraph]:
        """Substantive text: not headings or captions, not in the report's apparatus."""
        return [
            p for p in self.paragraphs
            if p.kind not in (ParagraphKind.HEADING, ParagraphKind.CAPTION)
            and p.section not in self.apparatus_sections
        ]

    # --- footnotes -----------------------------------------------------------------------

    @cached_property
    def footnotes(self) -> dict[int, Footnote]:
        return {f.n: f for f in self.report.footnotes}

    @cached_property
    def marker_sites(self) -> dict[int, list[Paragraph]]:
        """Footnote number -> paragraphs carrying its marker, in reading order."""
        sites: dict[int, list[Paragraph]] = {}
        for p in self.paragraphs:
            for m in p.markers:
                sites.setdefault(m.n, [])
                if p not in sites[m.n]:
                    sites[m.n].append(p)
        return sites

    def first_site(self, n: int) -> Paragraph | None:
        sites = self.marker_sites.get(n)
        return sites[0] if sites else None

    @cached_property
    def cut_footnotes(self) -> set[int]:
        """Footnotes the reader found cut short in this copy (a citation without date or URL at
        a page end): their incompleteness is the document's loss, reported once as such."""
        return {w.footnote for w in self.report.warnings
                if w.code == "citation-incomplete" and w.footnote is not None}

    def citations(self, n: int) -> list[Citation]:
        fn = self.footnotes.get(n)
        return list(fn.citations) if fn else []

    def source_key(self, c: Citation) -> str:
        """The source a citation points at: the registry id, else its folded author/title."""
        if c.source_id:
            return c.source_id
        who = fold(c.author or "") or fold(c.title or "") or fold(c.raw)[:60]
        return f"~{who}"

    def source_label(self, key: str) -> str:
        src = self.sources.get(key)
        if src is not None:
            return ", ".join(x for x in (src.author, src.title) if x) or key
        return key.lstrip("~")

    def source_type(self, c: Citation) -> SourceType:
        if c.kind == CitationKind.ORAL:
            return SourceType.ORAL
        src = self.sources.get(c.source_id or "")
        if src is not None:
            return src.type
        if c.kind == CitationKind.LEGISLATION:
            return SourceType.LEGISLATION
        return SourceType.OTHER

    def source_citations(self, numbers: list[int]) -> list[Citation]:
        """Citations of outside sources in these footnotes (not empty, not the report's analysis)."""
        return [c for n in numbers for c in self.citations(n) if c.kind not in NON_SOURCE_KINDS]

    # --- sentences and their support -----------------------------------------------------

    @cached_property
    def blocks(self) -> list[list[Paragraph]]:
        """Runs of paragraphs one footnote can cover: a paragraph cut mid-sentence (page break)
        with its continuation, a lead-in ending in ':' with its list items or quotation."""
        out: list[list[Paragraph]] = []
        for p in self.paragraphs:
            prev = out[-1][-1] if out else None
            joins = (
                prev is not None
                and prev.section == p.section
                and p.kind not in (ParagraphKind.HEADING, ParagraphKind.CAPTION)
                and prev.kind not in (ParagraphKind.HEADING, ParagraphKind.CAPTION)
                and (
                    ends_open(prev.text)
                    or (_in_passage(p) and (_in_passage(prev) or prev.text.rstrip().endswith(":")))
                )
            )
            if joins:
                out[-1].append(p)
            else:
                out.append([p])
        return out

    @cached_property
    def support(self) -> dict[str, list[SentenceSupport]]:
        """Paragraph id -> its sentences, each with the footnotes that support it."""
        out: dict[str, list[SentenceSupport]] = {}
        for block in self.blocks:
            pending: list[SentenceSupport] = []
            for p in block:
                rows = out.setdefault(p.id, [])
                sentences = split_sentences(p.text)
                for i, s in enumerate(sentences):
                    own = [m.n for m in sorted(p.markers, key=lambda m: m.offset)
                           if s.holds_offset(m.offset, first=i == 0)]
                    row = SentenceSupport(p, s, own, bool(own))
                    rows.append(row)
                    if own:
                        for waiting in pending:
                            waiting.footnotes = [own[0]]
                        pending = []
                    else:
                        pending.append(row)
        return out

    def sentences(self, p: Paragraph) -> list[SentenceSupport]:
        return self.support.get(p.id, [])

    def marker_sentence(self, n: int) -> str | None:
        """The sentence carrying footnote marker `n` (its first occurrence): what the footnote supports."""
        p = self.first_site(n)
        if p is None:
            return None
        for s in self.sentences(p):
            if s.own_marker and n in s.footnotes:
                return s.sentence.text
        return p.text
