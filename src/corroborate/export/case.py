"""A case file as a footnoted document, in the case's language (es | en).

The shape of a compiled query response (`export/compile.py`, whose numbering and marker
placement it reuses): each quote verbatim, introduced by its passage reference (the one
formatter, `citations.format`), its original footnotes renumbered 1…N across the file, each
saying which report and footnote it comes from; the caseworker's note under it; a quote whose
paragraph is gone is said to be lost, with the text it quoted. Then the methodology and
disclaimer, the reports quoted and the sources cited.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from pydantic import BaseModel, Field

from corroborate.citations.format import (
    DEFAULT_STYLE,
    Segment,
    check_style,
    passage_reference,
    report_reference,
)
from corroborate.export.bibliography import collect_entries, group_entries
from corroborate.export.compile import _Numbering, _quote_inlines, _reports_group
from corroborate.export.document import (
    Block,
    BlockKind,
    FootnotedDocument,
    Note,
    Run,
    shown_note,
    split_at_markers,
)
from corroborate.i18n import N_, format_iso_date, ngettext, translate, use_locale
from corroborate.models import Footnote, Report, Source
from corroborate.redaction import REDACTED, shown_footnote

# The fixed texts of a case file, translated into the case's language (`i18n.translate`).
SUBTITLE = N_("Case file compiled on %(date)s")
EVIDENCE = N_("Evidence")
EMPTY = N_("This case file holds no quotations yet.")
NOTE = N_("Note: %(note)s")
LOST = N_("Quotation %(i)s can no longer be read from the library: %(reason)s. Text quoted when it was added:")
METHOD_TITLE = N_("Methodology and disclaimer")
METHOD = N_(
    "Each quotation is an exact passage of a report stored in the library, read again from the stored "
    "text when this file was compiled, followed by the footnotes the report gives for it, renumbered "
    "continuously in this file; each footnote states the report and the footnote number it comes from. "
    "Footnotes whose text was lost in the source document are marked as such, never reconstructed. The "
    "notes under the quotations are the caseworker's own, not part of the sources.")
CONFIDENTIAL = N_(
    "Sources marked confidential are not named: they are cited as a confidential (oral) source with the "
    "date of the interview, and their names in quotations read %(redacted)s.")
DISCLAIMER = N_(
    "This case file was compiled from the reports held in the library consulted, within a limited time "
    "frame. It does not claim to be exhaustive: if a particular event, person or organisation is not "
    "mentioned, this does not mean that the event has not taken place or that the person or organisation "
    "does not exist. It is not conclusive as to the determination or merit of any particular application "
    "for international protection, and its terminology should not be regarded as indicative of a "
    "particular legal position.")
SOURCES = N_("Sources cited")
REPORTS = N_("Reports quoted")
CITED_IN = N_(" (cited in %(origin)s, footnote %(n)s)")
MISSING = N_("[footnote %(n)s of %(origin)s: text missing in the source document]")


class CaseQuote(BaseModel):
    """An item ready to print: `text == paragraph.text[start:end]` of the report as shown (names
    of confidential sources already replaced), or a lost item with the text it quoted."""

    item: int
    report_id: str
    paragraph_id: str
    start: int = 0
    end: int = 0
    text: str
    footnotes: list[int] = Field(default_factory=list)
    note: str = ""
    lost: str | None = None


class CaseNote(Note):
    """A footnote of the file, saying in the case's language where it comes from."""

    language: str = "en"

    def segments(self) -> list[Segment]:
        if self.text is None and self.origin:
            return [Segment(text=translate(MISSING, self.language, n=self.origin_n, origin=self.origin))]
        if not self.origin or self.origin_n is None:
            return super().segments()
        segs = Note(n=self.n, text=self.text, urls=self.urls, citations=self.citations).segments()
        return segs + [Segment(text=translate(CITED_IN, self.language, origin=self.origin, n=self.origin_n))]


def case_document(name: str, language: str, quotes: list[CaseQuote], load_report: Callable[[str], Report],
                  sources: dict[str, Source], name_confidential: bool = False, today: date | None = None,
                  style: str = DEFAULT_STYLE, base_url: str | None = None) -> FootnotedDocument:
    def t(message: str, **variables: object) -> str:
        return translate(message, language, **variables)

    style = check_style(style)
    today = today or date.today()
    with use_locale(language):
        count = ngettext("%(num)d quotation", "%(num)d quotations", len(quotes))
    doc = FootnotedDocument(title=name, language=language, bibliography_title=t(SOURCES),
                            subtitle=[t(SUBTITLE, date=format_iso_date(today.isoformat(), language)), count])
    numbering = _Numbering()
    cited: list[Footnote] = []
    quoted: dict[str, Report] = {}
    doc.blocks.append(Block(kind=BlockKind.HEADING, level=1, inlines=[Run(text=t(EVIDENCE))]))
    if not quotes:
        doc.blocks.append(Block(kind=BlockKind.NOTICE, inlines=[Run(text=t(EMPTY))]))
    for i, q in enumerate(quotes, 1):
        if q.lost:
            doc.blocks.append(Block(kind=BlockKind.LEAD, inlines=[Run(text=t(LOST, i=i, reason=q.lost))]))
            doc.blocks.append(Block(kind=BlockKind.QUOTE, inlines=[Run(text=f"“{q.text}”")]))
        else:
            report = quoted[q.report_id] = load_report(q.report_id)
            para = next(p for p in report.paragraphs() if p.id == q.paragraph_id)
            reference = passage_reference(report, para, style, base_url)
            label = report_reference(report, style)
            doc.blocks.append(Block(kind=BlockKind.LEAD, inlines=[Run(text=f"{i}. {reference}:")]))
            marks = []
            placed = _quote_inlines(q, para, q.text)
            for n, offset in placed:
                shown_n, new = numbering.number((report.id, n, None))
                if new:
                    fn = report.footnote(n) or Footnote(n=n, text=None)
                    note = shown_note(shown_n, shown_footnote(fn, sources, name_confidential))
                    doc.notes[shown_n] = CaseNote(**{**note.model_dump(), "origin": label, "origin_n": n},
                                                  language=language)
                    cited.append(fn)
                # +1 for the opening quotation mark; a call at the end goes after the closing one
                marks.append((shown_n, offset + 1 if offset < len(q.text) else len(q.text) + 2))
            if not placed:  # a passage with no footnote of its own is the report's statement
                shown_n, new = numbering.number((report.id, None, q.paragraph_id))
                if new:
                    doc.notes[shown_n] = CaseNote(n=shown_n, text=reference, language=language)
                marks.append((shown_n, len(q.text) + 2))
            doc.blocks.append(Block(kind=BlockKind.QUOTE, inlines=split_at_markers(f"“{q.text}”", marks),
                                    anchor=q.paragraph_id))
        if q.note:
            doc.blocks.append(Block(kind=BlockKind.PARAGRAPH, inlines=[Run(text=t(NOTE, note=q.note))]))

    doc.blocks.append(Block(kind=BlockKind.HEADING, level=1, inlines=[Run(text=t(METHOD_TITLE))]))
    doc.blocks.append(Block(kind=BlockKind.NOTICE, inlines=[Run(text=t(METHOD))]))
    if not name_confidential:
        doc.blocks.append(Block(kind=BlockKind.NOTICE, inlines=[Run(text=t(CONFIDENTIAL, redacted=REDACTED))]))
    doc.blocks.append(Block(kind=BlockKind.NOTICE, inlines=[Run(text=t(DISCLAIMER))]))

    reports = _reports_group(list(quoted.values()), style)
    groups = [g.model_copy(update={"title": t(REPORTS)}) for g in reports]
    groups += [g.model_copy(update={"title": t(g.title)})  # GROUP_TITLES are marked for translation
               for g in group_entries(collect_entries(cited, sources), name_confidential)]
    doc.bibliography = groups
    return doc
