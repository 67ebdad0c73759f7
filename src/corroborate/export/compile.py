"""Compiled query responses in the shape of the EUAA COI methodology.

For each question: the evidence as verbatim quotes from the library (`Library.ask`), each with
the original footnotes of the passage renumbered 1…N across the response; or a plain statement
that the sources consulted hold nothing on it. Then a methodology and disclaimer block and a
bibliography of the sources the quoted footnotes cite.

A quote is re-checked against the stored paragraph before it is used: text that is not an exact
substring of a stored paragraph is never presented as a quotation. Confidential sources are not
named (neither in footnotes, the bibliography, nor inside a quote, where the name is replaced by
an editorial "[confidential source]") unless the caller asks for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

from pydantic import BaseModel, Field

from corroborate.citations.format import DEFAULT_STYLE, check_style, passage_reference, report_reference
from corroborate.export.bibliography import collect_entries, group_entries
from corroborate.export.document import (
    BibGroup,
    BibItem,
    Block,
    BlockKind,
    FootnotedDocument,
    Note,
    Run,
    Segment,
    shown_note,
    split_at_markers,
)
from corroborate.i18n import LOCALES, N_, format_iso_date, question_language, use_locale
from corroborate.i18n import gettext as _
from corroborate.models import Footnote, Paragraph, Report, Source, TorItem
from corroborate.redaction import REDACTED, redact, secret_names, shown_footnote

NOT_FOUND = N_("Information on {topic} could not be found among the sources consulted within the time "
               "constraints of this query.")

DISCLAIMER = N_(
    "This response was compiled from the reports held in the library consulted, within a limited "
    "time frame. It does not claim to be exhaustive: if a particular event, person or organisation "
    "is not mentioned, this does not mean that the event has not taken place or that the person or "
    "organisation does not exist. It is not conclusive as to the determination or merit of any "
    "particular application for international protection, and its terminology should not be "
    "regarded as indicative of a particular legal position."
)


class Quote(BaseModel):
    """A verified verbatim passage: `text == paragraph.text[start:end]` of a stored report."""

    report_id: str
    paragraph_id: str
    section: str | None = None
    start: int
    end: int
    text: str
    footnotes: list[int] = Field(default_factory=list)  # the passage's footnotes, source numbers
    score: float | None = None


class QuestionEvidence(BaseModel):
    question: str
    quotes: list[Quote] = Field(default_factory=list)


# --- questions ----------------------------------------------------------------------------------

def tor_questions(items: Iterable[TorItem]) -> list[str]:
    """Terms of Reference as questions: each leaf item, prefixed by its heading when it has one."""
    out: list[str] = []

    def walk(item: TorItem, trail: list[str]) -> None:
        text = " ".join(item.text.split()).strip(" •▪-")
        if item.items:
            for child in item.items:
                walk(child, trail + [text])
        elif text:
            out.append(" – ".join(trail + [text]) if trail else text)

    for item in items:
        walk(item, [])
    return out


def read_questions_file(path: str | Path) -> list[str]:
    """One question a line (blank lines and '#' comments skipped), or JSON lines with "q"."""
    import json

    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: no such questions file")
    questions = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("{"):
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}: line {i}: not valid JSON ({exc.msg})") from None
            q = obj.get("q") or obj.get("question") if isinstance(obj, dict) else None
            if not isinstance(q, str) or not q.strip():
                raise ValueError(f"{path}: line {i}: JSON line without a \"q\" or \"question\" text")
            questions.append(q.strip())
        else:
            questions.append(line)
    if not questions:
        raise ValueError(f"{path}: holds no questions")
    return questions


# --- evidence -----------------------------------------------------------------------------------

AskFn = Callable[[str, str | None], dict]


def verified_quote(raw: dict, report: Report) -> Quote | None:
    """The `Library.ask` quote checked against the stored paragraph, or None if it is not there."""
    para = next((p for p in report.paragraphs() if p.id == raw.get("paragraph_id")), None)
    text = raw.get("text") or ""
    if para is None or not text.strip():
        return None
    start, end = raw.get("start"), raw.get("end")
    if not (isinstance(start, int) and isinstance(end, int) and para.text[start:end] == text):
        start = para.text.find(text)
        if start < 0:
            return None
        end = start + len(text)
    notes = [f["n"] if isinstance(f, dict) else int(f) for f in raw.get("footnotes", [])]
    return Quote(report_id=report.id, paragraph_id=para.id, section=para.section, start=start, end=end,
                 text=text, footnotes=notes, score=raw.get("score"))


def gather(question: str, ask: AskFn, load_report: Callable[[str], Report],
           reports: list[str] | None = None, k: int = 5) -> QuestionEvidence:
    quotes: list[Quote] = []
    for rid in reports or [None]:
        result = ask(question, rid)
        if not result.get("found", bool(result.get("quotes"))):
            continue
        for raw in result.get("quotes", []):
            q = verified_quote(raw, load_report(raw["report_id"]))
            if q is not None:
                quotes.append(q)
    quotes.sort(key=lambda q: -(q.score or 0.0))
    seen, unique = set(), []
    for q in quotes:
        key = (q.report_id, q.paragraph_id, q.start, q.end)
        if key not in seen:
            seen.add(key)
            unique.append(q)
    return QuestionEvidence(question=question, quotes=unique[:k])


# --- the response document ---------------------------------------------------------------------

class Numbering:
    """Continuous footnote numbers for (report, source footnote) pairs, in order of first call."""

    def __init__(self) -> None:
        self.by_origin: dict[tuple[str, int | None, str | None], int] = {}

    def number(self, key: tuple[str, int | None, str | None]) -> tuple[int, bool]:
        if key in self.by_origin:
            return self.by_origin[key], False
        self.by_origin[key] = len(self.by_origin) + 1
        return self.by_origin[key], True


def place_notes(doc: FootnotedDocument, numbering: Numbering, report: Report, para: Paragraph, q: Quote,
                sources: dict[str, Source], name_confidential: bool, label: str, reference: str,
                cited: list[Footnote]) -> list[tuple[int, int]]:
    """The footnote calls of quote `q` of `para`, at their places in the quote as printed between
    quotation marks. A footnote new to the document is numbered next, added to `doc.notes`
    saying where it comes from (`label`, the report's own number) and to `cited`; one cited
    again keeps its number. A passage with no footnote of its own is the report's statement:
    it cites `reference` (the passage's reference)."""
    placed = _quote_inlines(q, para, q.text)
    marks = []
    for n, offset in placed:
        shown_n, new = numbering.number((report.id, n, None))
        if new:
            fn = report.footnote(n) or Footnote(n=n, text=None)
            note = shown_note(shown_n, shown_footnote(fn, sources, name_confidential))
            doc.notes[shown_n] = note.model_copy(update={"origin": label, "origin_n": n})
            cited.append(fn)
        # +1 for the opening quotation mark; a call at the end goes after the closing one
        marks.append((shown_n, offset + 1 if offset < len(q.text) else len(q.text) + 2))
    if not placed:
        shown_n, new = numbering.number((report.id, None, q.paragraph_id))
        if new:
            doc.notes[shown_n] = Note(n=shown_n, text=reference)
        marks.append((shown_n, len(q.text) + 2))
    return marks


def _quote_inlines(q: Quote, para: Paragraph, text: str) -> list[tuple[int | None, int]]:
    """Source markers inside the quote, at their offsets relative to the quote; footnotes of the
    sentence whose marker falls after it (markers follow punctuation) go at its end."""
    inside = [(m.n, m.offset - q.start) for m in para.markers
              if q.start <= m.offset <= q.end and m.n in q.footnotes]
    placed = {n for n, _ in inside}
    inside += [(n, len(text)) for n in q.footnotes if n not in placed]
    return inside


def compile_document(
    evidence: list[QuestionEvidence],
    load_report: Callable[[str], Report],
    source: Callable[[str], Source | None],
    name_confidential: bool = False,
    consulted: list[str] | None = None,
    today: date | None = None,
    style: str = DEFAULT_STYLE,
    base_url: str | None = None,
    lang: str | None = None,
) -> FootnotedDocument:
    """`style` (euaa | oscola) cites the quoted reports; `base_url`, when the library is served,
    adds each passage's permalink. `lang` (en | es; default: the language most questions are
    asked in) is the language of the response's own texts: headings, notices, disclaimer."""
    lang = lang if lang in LOCALES else response_language([ev.question for ev in evidence])
    with use_locale(lang):
        doc = _compile(evidence, load_report, source, name_confidential, consulted, today, style, base_url)
    doc.locale = lang
    return doc


def response_language(questions: list[str]) -> str:
    """The language most of the questions are asked in (English on a tie)."""
    spanish = sum(question_language(q) == "es" for q in questions)
    return "es" if spanish * 2 > len(questions) else "en"


def _compile(evidence, load_report, source, name_confidential, consulted, today, style, base_url):
    today = today or date.today()
    style = check_style(style)
    doc = FootnotedDocument(title=_("COI query response"),
                            subtitle=[_("Compiled on %(date)s", date=format_iso_date(today.isoformat()))],
                            bibliography_title=_("Sources cited"))
    numbering = Numbering()
    cited_footnotes: list[Footnote] = []
    quoted_reports: dict[str, Report] = {}
    sources: dict[str, Source] = {}

    def sources_of(report: Report) -> dict[str, Source]:
        for f in report.footnotes:
            for c in f.citations:
                if c.source_id and c.source_id not in sources:
                    s = source(c.source_id)
                    if s is not None:
                        sources[c.source_id] = s
        return sources

    doc.blocks.append(Block(kind=BlockKind.HEADING, level=1, inlines=[Run(text=_("Questions"))]))
    for i, ev in enumerate(evidence, 1):
        doc.blocks.append(Block(kind=BlockKind.PARAGRAPH, inlines=[Run(text=f"{i}. {ev.question}")]))
    _methodology(doc, consulted or [], name_confidential)

    for i, ev in enumerate(evidence, 1):
        doc.blocks.append(Block(kind=BlockKind.HEADING, level=1, inlines=[Run(text=f"{i}. {ev.question}")]))
        if not ev.quotes:
            topic = "‘" + ev.question.strip().rstrip("?").strip() + "’"
            doc.blocks.append(Block(kind=BlockKind.NOTICE, inlines=[Run(text=_(NOT_FOUND).format(topic=topic))]))
            continue
        for q in ev.quotes:
            report = load_report(q.report_id)
            quoted_reports[report.id] = report
            srcs = sources_of(report)
            para = next(p for p in report.paragraphs() if p.id == q.paragraph_id)
            label = report_reference(report, style)
            secret = [] if name_confidential else [s for s in srcs.values() if s.confidential]
            cited = passage_reference(report, para, style, base_url)
            doc.blocks.append(Block(kind=BlockKind.LEAD, inlines=[Run(text=f"{cited}:")]))
            marks = place_notes(doc, numbering, report, para, q, srcs, name_confidential, label, cited,
                                cited_footnotes)
            shown_text, move = redact(q.text, secret_names(secret, report))
            body = "“" + shown_text + "”"
            marks = [(n, move(off - 1) + 1 if off <= len(q.text) else len(body)) for n, off in marks]
            inlines = split_at_markers(body, marks)
            doc.blocks.append(Block(kind=BlockKind.QUOTE, inlines=inlines, anchor=q.paragraph_id))

    entries = collect_entries(cited_footnotes, sources)
    doc.bibliography = (reports_group(list(quoted_reports.values()), style)
                        + group_entries(entries, name_confidential))
    return doc


def _methodology(doc: FootnotedDocument, consulted: list[str], name_confidential: bool) -> None:
    """`consulted`: how to name each report searched ("Peru – Country Focus, September 2023")."""
    doc.blocks.append(Block(kind=BlockKind.HEADING, level=1, inlines=[Run(text=_("Methodology and disclaimer"))]))
    names = "; ".join(consulted) or _("the reports in the library")
    doc.blocks += [
        Block(kind=BlockKind.NOTICE, inlines=[Run(text=_(
            "Sources consulted: %(names)s. The evidence is quoted verbatim from these reports, each "
            "quotation an exact passage of the stored text, followed by the footnotes the report "
            "gives for it, renumbered continuously in this response; each footnote states the "
            "report and the footnote number it comes from. Footnotes whose text was lost in the "
            "source document are marked as such, never reconstructed.", names=names))]),
    ]
    if not name_confidential:
        doc.blocks.append(Block(kind=BlockKind.NOTICE, inlines=[Run(text=_(
            "Sources marked confidential are not named: they are cited as a confidential (oral) "
            "source with the date of the interview, and their names in quotations read %(redacted)s.",
            redacted=REDACTED))]))
    doc.blocks.append(Block(kind=BlockKind.NOTICE, inlines=[Run(text=_(DISCLAIMER))]))


def reports_group(reports: list[Report], style: str) -> list[BibGroup]:
    if not reports:
        return []
    items = []
    for label in sorted(report_reference(r, style) for r in reports):
        items.append(BibItem(segments=[Segment(text=label)]))
    return [BibGroup(title=_("Reports quoted"), items=items)]
