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
    check_style,
    passage_reference,
    report_reference,
)
from corroborate.export.bibliography import collect_entries, group_entries
from corroborate.export.compile import Numbering, place_notes, reports_group
from corroborate.export.document import (
    Block,
    BlockKind,
    FootnotedDocument,
    Run,
    split_at_markers,
)
from corroborate.i18n import N_, format_iso_date, ngettext, use_locale
from corroborate.i18n import gettext as _
from corroborate.models import Footnote, Report, Source
from corroborate.redaction import REDACTED

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


def case_document(name: str, language: str, quotes: list[CaseQuote], load_report: Callable[[str], Report],
                  sources: dict[str, Source], name_confidential: bool = False, today: date | None = None,
                  style: str = DEFAULT_STYLE, base_url: str | None = None) -> FootnotedDocument:
    """The case as a document whose own texts (headings, notices, where each footnote comes
    from) are in `language`, whatever the reader's interface speaks."""
    with use_locale(language):
        doc = _case_document(name, quotes, load_report, sources, name_confidential, today or date.today(),
                             check_style(style), base_url)
    doc.language = doc.locale = language
    return doc


def _case_document(name, quotes, load_report, sources, name_confidential, today, style, base_url):
    doc = FootnotedDocument(title=name, bibliography_title=_(SOURCES), subtitle=[
        _(SUBTITLE, date=format_iso_date(today.isoformat())),
        ngettext("%(num)d quotation", "%(num)d quotations", len(quotes))])
    numbering = Numbering()
    cited: list[Footnote] = []
    quoted: dict[str, Report] = {}
    doc.blocks.append(Block(kind=BlockKind.HEADING, level=1, inlines=[Run(text=_(EVIDENCE))]))
    if not quotes:
        doc.blocks.append(Block(kind=BlockKind.NOTICE, inlines=[Run(text=_(EMPTY))]))
    for i, q in enumerate(quotes, 1):
        if q.lost:
            doc.blocks.append(Block(kind=BlockKind.LEAD, inlines=[Run(text=_(LOST, i=i, reason=q.lost))]))
            doc.blocks.append(Block(kind=BlockKind.QUOTE, inlines=[Run(text=f"“{q.text}”")]))
        else:
            report = quoted[q.report_id] = load_report(q.report_id)
            para = next(p for p in report.paragraphs() if p.id == q.paragraph_id)
            reference = passage_reference(report, para, style, base_url)
            doc.blocks.append(Block(kind=BlockKind.LEAD, inlines=[Run(text=f"{i}. {reference}:")]))
            marks = place_notes(doc, numbering, report, para, q, sources, name_confidential,
                                report_reference(report, style), reference, cited)
            doc.blocks.append(Block(kind=BlockKind.QUOTE, inlines=split_at_markers(f"“{q.text}”", marks),
                                    anchor=q.paragraph_id))
        if q.note:
            doc.blocks.append(Block(kind=BlockKind.PARAGRAPH, inlines=[Run(text=_(NOTE, note=q.note))]))

    doc.blocks.append(Block(kind=BlockKind.HEADING, level=1, inlines=[Run(text=_(METHOD_TITLE))]))
    doc.blocks.append(Block(kind=BlockKind.NOTICE, inlines=[Run(text=_(METHOD))]))
    if not name_confidential:
        doc.blocks.append(Block(kind=BlockKind.NOTICE, inlines=[Run(text=_(CONFIDENTIAL, redacted=REDACTED))]))
    doc.blocks.append(Block(kind=BlockKind.NOTICE, inlines=[Run(text=_(DISCLAIMER))]))
    doc.bibliography = (reports_group(list(quoted.values()), style)
                        + group_entries(collect_entries(cited, sources), name_confidential))
    return doc
