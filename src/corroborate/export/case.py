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

from corroborate.citations.dates import human_date
from corroborate.citations.format import (
    DEFAULT_STYLE,
    Segment,
    check_style,
    passage_reference,
    report_reference,
)
from corroborate.export.bibliography import GROUP_TITLES, collect_entries, group_entries
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
from corroborate.models import Footnote, Report, Source
from corroborate.redaction import REDACTED, shown_footnote

# The fixed texts of a case file, in each language a case may have.
TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "subtitle": "Case file compiled on {date}",
        "count": "{n} quotations",
        "evidence": "Evidence",
        "empty": "This case file holds no quotations yet.",
        "note": "Note: ",
        "lost": "Quotation {i} can no longer be read from the library: {reason}. Text quoted when it was added:",
        "method_title": "Methodology and disclaimer",
        "method": ("Each quotation is an exact passage of a report stored in the library, read again from "
                   "the stored text when this file was compiled, followed by the footnotes the report gives "
                   "for it, renumbered continuously in this file; each footnote states the report and the "
                   "footnote number it comes from. Footnotes whose text was lost in the source document are "
                   "marked as such, never reconstructed. The notes under the quotations are the "
                   "caseworker's own, not part of the sources."),
        "confidential": ("Sources marked confidential are not named: they are cited as a confidential (oral) "
                         "source with the date of the interview, and their names in quotations read {redacted}."),
        "disclaimer": (
            "This case file was compiled from the reports held in the library consulted, within a limited "
            "time frame. It does not claim to be exhaustive: if a particular event, person or organisation "
            "is not mentioned, this does not mean that the event has not taken place or that the person or "
            "organisation does not exist. It is not conclusive as to the determination or merit of any "
            "particular application for international protection, and its terminology should not be "
            "regarded as indicative of a particular legal position."),
        "sources": "Sources cited",
        "reports": "Reports quoted",
        "cited_in": " (cited in {origin}, footnote {n})",
        "missing": "[footnote {n} of {origin}: text missing in the source document]",
    },
    "es": {
        "subtitle": "Expediente elaborado el {date}",
        "count": "{n} citas",
        "evidence": "Citas",
        "empty": "Este expediente aún no contiene citas.",
        "note": "Nota: ",
        "lost": "La cita {i} ya no puede leerse en la biblioteca: {reason}. Texto citado cuando se añadió:",
        "method_title": "Metodología y advertencia",
        "method": ("Cada cita es un pasaje literal de un informe almacenado en la biblioteca, leído de nuevo "
                   "del texto almacenado al elaborar este expediente, seguido de las notas a pie de página "
                   "que el informe da para él, renumeradas de forma continua en este expediente; cada nota "
                   "indica el informe y el número de nota del que procede. Las notas cuyo texto se perdió en "
                   "el documento original se señalan como tales, nunca se reconstruyen. Las notas bajo las "
                   "citas son de quien elaboró el expediente y no forman parte de las fuentes."),
        "confidential": ("Las fuentes marcadas como confidenciales no se nombran: se citan como fuente (oral) "
                         "confidencial con la fecha de la entrevista, y en las citas su nombre se sustituye "
                         "por {redacted}."),
        "disclaimer": (
            "Este expediente se ha elaborado a partir de los informes disponibles en la biblioteca "
            "consultada, en un plazo limitado. No pretende ser exhaustivo: que no se mencione un "
            "acontecimiento, una persona o una organización concretos no significa que el acontecimiento no "
            "haya tenido lugar o que la persona o la organización no existan. No es concluyente en cuanto a "
            "la determinación o el fundamento de ninguna solicitud concreta de protección internacional, y "
            "su terminología no debe considerarse indicativa de una posición jurídica concreta."),
        "sources": "Fuentes citadas",
        "reports": "Informes citados",
        "cited_in": " (citada en {origin}, nota {n})",
        "missing": "[nota {n} de {origin}: texto perdido en el documento original]",
    },
}

GROUP_TITLES_ES = {
    "Oral sources": "Fuentes orales",
    "Government sources": "Fuentes gubernamentales",
    "International organisations": "Organizaciones internacionales",
    "Non-governmental organisations": "Organizaciones no gubernamentales",
    "Academia and think tanks": "Mundo académico y centros de estudios",
    "Media": "Medios de comunicación",
    "Legislation": "Legislación",
    "Other sources": "Otras fuentes",
}
assert set(GROUP_TITLES_ES) == set(GROUP_TITLES.values()), "a bibliography group without its Spanish title"

_MESES = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
          "octubre", "noviembre", "diciembre")


def long_date(day: date, language: str) -> str:
    if language == "es":
        return f"{day.day} de {_MESES[day.month - 1]} de {day.year}"
    return human_date(day.isoformat())


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
        texts = TEXTS[self.language]
        if self.text is None and self.origin:
            return [Segment(text=texts["missing"].format(n=self.origin_n, origin=self.origin))]
        segs = super().segments()
        if self.origin and self.origin_n is not None and segs and self.text is not None:
            english = f" (cited in {self.origin}, footnote {self.origin_n})"
            if segs[-1].text == english:
                segs[-1] = Segment(text=texts["cited_in"].format(origin=self.origin, n=self.origin_n))
        return segs


def case_document(name: str, language: str, quotes: list[CaseQuote], load_report: Callable[[str], Report],
                  sources: dict[str, Source], name_confidential: bool = False, today: date | None = None,
                  style: str = DEFAULT_STYLE, base_url: str | None = None) -> FootnotedDocument:
    texts = TEXTS[language]
    style = check_style(style)
    today = today or date.today()
    doc = FootnotedDocument(title=name, language=language, bibliography_title=texts["sources"],
                            subtitle=[texts["subtitle"].format(date=long_date(today, language)),
                                      texts["count"].format(n=len(quotes))])
    numbering = _Numbering()
    cited: list[Footnote] = []
    quoted: dict[str, Report] = {}
    doc.blocks.append(Block(kind=BlockKind.HEADING, level=1, inlines=[Run(text=texts["evidence"])]))
    if not quotes:
        doc.blocks.append(Block(kind=BlockKind.NOTICE, inlines=[Run(text=texts["empty"])]))
    for i, q in enumerate(quotes, 1):
        if q.lost:
            doc.blocks.append(Block(kind=BlockKind.LEAD, inlines=[Run(
                text=texts["lost"].format(i=i, reason=q.lost))]))
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
            doc.blocks.append(Block(kind=BlockKind.PARAGRAPH, inlines=[Run(text=texts["note"] + q.note)]))

    doc.blocks.append(Block(kind=BlockKind.HEADING, level=1, inlines=[Run(text=texts["method_title"])]))
    doc.blocks.append(Block(kind=BlockKind.NOTICE, inlines=[Run(text=texts["method"])]))
    if not name_confidential:
        doc.blocks.append(Block(kind=BlockKind.NOTICE, inlines=[Run(
            text=texts["confidential"].format(redacted=REDACTED))]))
    doc.blocks.append(Block(kind=BlockKind.NOTICE, inlines=[Run(text=texts["disclaimer"])]))

    groups = _reports_group(list(quoted.values()), style) + group_entries(collect_entries(cited, sources),
                                                                          name_confidential)
    if language == "es":
        groups = [g.model_copy(update={"title": GROUP_TITLES_ES.get(g.title, texts["reports"])}) for g in groups]
    doc.bibliography = groups
    return doc
