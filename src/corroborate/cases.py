"""Case files: a caseworker's evidence for one claim, collected from search, ask and the reader.

A case has a name, a language (es | en: the language of its exports) and an owner: the user,
once the database has users; the database itself otherwise (the command line, open mode). An
item quotes a report verbatim and traceably: report id + paragraph id (stable across
re-ingest) + an optional character span (a sentence or more), the footnote numbers of that span,
a note and a position. The text shown is always read from the stored paragraph; the text
quoted when the item was added is kept only to check the paragraph still says it and to show
what an item quoted once its paragraph is gone. Such an item is shown as lost, never dropped.

Every read goes through the caller's redaction (`corroborate.redaction`): a confidential source
is never named to a caller who may not see it, in the page, the JSON or an export. Offsets a
reader sends are offsets into the paragraph as they read it; they are mapped back to the
stored text before anything is kept.

    lib.cases.create("Claim 2026/118", "es")
    lib.cases.add(case, report_id, paragraph_id, start, end, note="…")
    lib.cases.export(case, "docx", "case.docx")
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from corroborate.i18n import N_, gettext, translate
from corroborate.models import Footnote, Paragraph, Report
from corroborate.redaction import redact
from corroborate.search.sentences import sentence_footnotes, split_sentences

if TYPE_CHECKING:
    from corroborate.library import Library
    from corroborate.redaction import Redactor

LANGUAGES = ("en", "es")
MAX_NAME = 200
MAX_NOTE = 10_000


class CaseSummary(BaseModel):
    id: int
    name: str
    language: str
    owner: str | None = None  # the user; None: the database's own case (no users)
    created_at: str
    updated_at: str
    items: int = 0


class CaseItem(BaseModel):
    """One quote of a case as this caller may read it."""

    id: int
    position: int
    report_id: str
    paragraph_id: str
    start: int | None = None  # the span in the paragraph as this caller reads it; None: all of it
    end: int | None = None
    footnotes: list[int] = Field(default_factory=list)  # the report's own numbers
    note: str = ""
    added_at: str
    status: str = "ok"  # ok | lost
    lost: str | None = None  # why the quote can no longer be read from the library
    text: str  # verbatim: the stored paragraph's span (a lost item: the text quoted when added)
    report_title: str | None = None
    section: str | None = None
    page: int | None = None
    reference: str | None = None  # report, section, page, permalink (citations.format)
    citation: str | None = None  # the quote with its reference and footnotes, ready to paste
    notes: list[Footnote] = Field(default_factory=list)  # the footnotes as this caller may read them


class Case(CaseSummary):
    entries: list[CaseItem] = Field(default_factory=list)


def span_footnotes(p: Paragraph, start: int | None, end: int | None) -> list[int]:
    """The footnotes of a span, by ask's rule: a marker belongs to the sentence it sits in or
    right after, so a sentence's footnotes are those up to the next sentence."""
    markers = [{"n": m.n, "offset": m.offset} for m in p.markers]
    if start is None or end is None:
        return list(dict.fromkeys(m.n for m in sorted(p.markers, key=lambda m: m.offset)))
    spans = split_sentences(p.text)
    out: list[int] = []
    for (s, e), notes in zip(spans, sentence_footnotes(spans, markers), strict=True):
        if s < end and e > start:
            out += [n for n in notes if n not in out]
    return out


def _unredacted_span(red: Redactor | None, stored: str, start: int, end: int) -> tuple[int, int]:
    """A span of the paragraph as a redacted caller reads it, as offsets into the stored text."""
    if red is None or red.pattern is None:
        return start, end
    shown, move = redact(stored, red.pattern)
    if shown == stored:
        return start, end
    first = next((o for o in range(len(stored) + 1) if move(o) == start), None)
    last = next((o for o in range(len(stored), -1, -1) if move(o) == end), None)
    if first is None or last is None or last <= first:
        raise ValueError(f"span {start}-{end}: begins or ends inside a redacted name; quote whole sentences")
    return first, last


class Cases:
    """The cases of whoever `lib` acts for (`lib.cases`)."""

    def __init__(self, lib: Library):
        self.lib = lib
        self.store = lib.store
        # The calling user's name when they are a user of this database; None (the database's
        # own cases) for the command line and a server with no users. Asked once: `lib.cases`
        # is made per use.
        self.owner: str | None = lib.owner()

    def resolve(self, case: int | str) -> int:
        """A case id from an id or the exact name of one of this caller's cases."""
        owner = self.owner
        text = str(case).strip()
        if text.isdigit() and self.store.get_case(int(text), owner) is not None:
            return int(text)
        found = self.store.case_id_by_name(text, owner)
        if found is None:
            names = [c["name"] for c in self.store.list_cases(owner)]
            hint = gettext("; your cases: %(names)s", names=", ".join(repr(n) for n in names[:5])) if names else ""
            raise _not_found(gettext("no case %(case)s", case=repr(text)) + hint)
        return found

    # --- writing ----------------------------------------------------------------------------

    def create(self, name: str, language: str = "en") -> Case:
        name, language = _name(name), _language(language)
        if self.store.case_id_by_name(name, self.owner) is not None:
            raise ValueError(gettext("a case named %(name)s exists already", name=repr(name)))
        case_id = self.store.create_case(name, language, self.owner)
        self.lib._log("case.new", str(case_id), name)
        return self.get(case_id)

    def update(self, case: int | str, name: str | None = None, language: str | None = None) -> Case:
        case_id = self.resolve(case)
        values = {}
        if name is not None:
            values["name"] = _name(name)
        if language is not None:
            values["language"] = _language(language)
        if values:
            self.store.update_case(case_id, self.owner, values)
            self.lib._log("case.edit", str(case_id), ", ".join(f"{k}={v!r}" for k, v in values.items()))
        return self.get(case_id)

    def delete(self, case: int | str) -> None:
        case_id = self.resolve(case)
        self.store.delete_case(case_id, self.owner)
        self.lib._log("case.delete", str(case_id))

    def add(self, case: int | str, report_id: str, paragraph_id: str, start: int | None = None,
            end: int | None = None, note: str = "") -> int:
        """Quote the paragraph (or its span start:end, offsets as this caller reads it) in the
        case; the item's id. Adding the same quote again returns the item already there."""
        case_id = self.resolve(case)
        report_id = self.lib.resolve(report_id)
        excerpt = self.store.load_excerpt(report_id, [paragraph_id])
        para = next(iter(excerpt.paragraphs()), None) if excerpt else None
        if para is None:
            raise _not_found(gettext("report %(report)s has no paragraph %(paragraph)s", report=repr(report_id),
                                     paragraph=repr(paragraph_id)))
        if (start is None) != (end is None):
            raise ValueError("give both ends of the span (start and end) or neither")
        if start is not None and end is not None:
            red = self.lib._redactor()
            shown = red.paragraph(para).text if red else para.text
            if not 0 <= start < end <= len(shown):
                raise ValueError(gettext("span %(start)s-%(end)s: outside the paragraph (0-%(length)s)",
                                         start=start, end=end, length=len(shown)))
            start, end = _unredacted_span(red, para.text, start, end)
            if start == 0 and end == len(para.text):
                start = end = None
        quote = para.text[start:end] if start is not None else para.text
        if not quote.strip():
            raise ValueError(f"span {start}-{end}: quotes only blank space")
        for item in self.store.case_items(case_id):
            if (item["report_id"], item["paragraph_id"], item["start"], item["end"]) == \
                    (report_id, paragraph_id, start, end):
                return item["id"]
        item_id = self.store.add_case_item(case_id, report_id, paragraph_id, start, end, quote,
                                           span_footnotes(para, start, end), _note(note))
        self.lib._log("case.add", str(case_id), f"{report_id} {paragraph_id}"
                      + (f" {start}-{end}" if start is not None else ""))
        return item_id

    def remove(self, case: int | str, item_id: int) -> None:
        case_id = self.resolve(case)
        if not self.store.remove_case_item(case_id, item_id):
            raise _not_found(gettext("case %(case)s has no item %(item)s", case=case_id, item=item_id))
        self.lib._log("case.remove", str(case_id), str(item_id))

    def annotate(self, case: int | str, item_id: int, note: str) -> None:
        case_id = self.resolve(case)
        if not self.store.set_case_item_note(case_id, item_id, _note(note)):
            raise _not_found(gettext("case %(case)s has no item %(item)s", case=case_id, item=item_id))

    def reorder(self, case: int | str, item_ids: list[int]) -> None:
        """Put every item of the case in this order."""
        case_id = self.resolve(case)
        if not self.store.reorder_case_items(case_id, list(item_ids)):
            have = [i["id"] for i in self.store.case_items(case_id)]
            raise ValueError(f"order {list(item_ids)}: give each of the case's items {have} once")
        self.lib._log("case.reorder", str(case_id))

    def move(self, case: int | str, item_id: int, position: int) -> None:
        """Move one item to `position` (1 = first; beyond the end = last)."""
        case_id = self.resolve(case)
        ids = [i["id"] for i in self.store.case_items(case_id)]
        if item_id not in ids:
            raise _not_found(gettext("case %(case)s has no item %(item)s", case=case_id, item=item_id))
        if position < 1:
            raise ValueError(f"position {position}: the first position is 1")
        ids.remove(item_id)
        ids.insert(min(position, len(ids) + 1) - 1, item_id)
        self.reorder(case_id, ids)

    # --- reading ----------------------------------------------------------------------------

    def summary(self, case: int | str) -> CaseSummary:
        row = self.store.get_case(self.resolve(case), self.owner)
        if row is None:  # deleted meanwhile
            raise _not_found(gettext("no case %(case)s", case=repr(str(case))))
        return CaseSummary(**row)

    def list(self) -> list[CaseSummary]:
        return [CaseSummary(**row) for row in self.store.list_cases(self.owner)]

    def get(self, case: int | str, style: str = "euaa", base_url: str | None = None) -> Case:
        """The case with each item read from its stored paragraph, as this caller may see it."""
        from corroborate.citations.format import passage_citation, passage_reference

        case_id = self.resolve(case)
        row = self.store.get_case(case_id, self.owner)
        if row is None:  # deleted meanwhile
            raise _not_found(f"no case {case_id}")
        items = self.store.case_items(case_id)
        red = self.lib._redactor()
        reports = self._reports([i["report_id"] for i in items], red)
        notes = {rid: self.lib.shown_notes(shown) for rid, (_, shown) in reports.items() if shown}
        base = base_url if base_url is not None else self.lib.settings.base_url
        entries = []
        for item in items:
            stored, shown = reports[item["report_id"]]
            fields = {k: item[k] for k in ("id", "position", "report_id", "paragraph_id", "footnotes",
                                           "note", "added_at")}
            found = self._read(item, stored, shown, red)
            if isinstance(found, str):
                entries.append(CaseItem(**fields, status="lost", lost=lost_reason(found, item),
                                        text=_lost_text(item, red), report_title=shown.title if shown else None))
                continue
            para, start, end = found
            span = (start, end) if start is not None else None
            shown_notes = notes[item["report_id"]]
            entries.append(CaseItem(
                **{**fields, "start": start, "end": end}, text=para.text[start:end] if span else para.text,
                report_title=shown.title, section=para.section, page=para.page,
                reference=passage_reference(shown, para, style, base),
                citation=passage_citation(shown, para, shown_notes, span, style, base),
                notes=[shown_notes[n] if n in shown_notes else Footnote(n=n) for n in item["footnotes"]],
            ))
        return Case(**row, entries=entries)

    def _reports(self, report_ids: list[str], red: Redactor | None) -> dict[str, tuple[Report | None, Report | None]]:
        """Each report as stored and as this caller is shown it (None when it is gone). Whole
        reports, not excerpts: an unnumbered heading's section number is its ancestor's."""
        out = {}
        for rid in dict.fromkeys(report_ids):
            stored = self.store.load_report(rid)
            out[rid] = (stored, red.report(stored) if red and stored else stored)
        return out

    @staticmethod
    def _read(item: dict, stored: Report | None, shown: Report | None,
              red: Redactor | None) -> tuple[Paragraph, int | None, int | None] | str:
        """The item's paragraph as shown and its span there (None: the whole paragraph), or
        why it is lost (a LOST_REASONS key). A span is found in the stored text, then moved to
        where it is in the shown one (redacted names change lengths)."""
        found = locate(item, stored)
        if isinstance(found, str):
            return found
        start, end = found
        para = next(p for p in shown.paragraphs() if p.id == item["paragraph_id"])
        if start is not None and red is not None:
            _, move = redact(next(p for p in stored.paragraphs() if p.id == para.id).text, red.pattern)
            start, end = move(start), move(end)
        return para, start, end

    def export(self, case: int | str, fmt: str, path: str | Path, name_confidential: bool = False,
               style: str = "euaa") -> Path:
        """The case as a footnoted document (md, html, docx, pdf) in the case's language: each
        quote verbatim with its original footnotes renumbered continuously, the notes, the
        methodology and disclaimer, the reports quoted and the sources cited."""
        from corroborate.export import DOCUMENT_FORMATS, check_format, write_document

        fmt = check_format(fmt, DOCUMENT_FORMATS)
        doc = self.document(case, name_confidential, style)
        return write_document(doc, fmt, path)

    def document(self, case: int | str, name_confidential: bool = False, style: str = "euaa"):
        from corroborate.export.case import CaseQuote, case_document

        summary = self.summary(case)
        red = self.lib._redactor(name_confidential)
        items = self.store.case_items(summary.id)
        loaded = self._reports([i["report_id"] for i in items], red)
        quotes = []
        for item in items:
            stored, shown = loaded[item["report_id"]]
            found = self._read(item, stored, shown, red)
            if isinstance(found, str):
                quotes.append(CaseQuote(item=item["id"], report_id=item["report_id"],
                                        paragraph_id=item["paragraph_id"], text=_lost_text(item, red),
                                        lost=lost_reason(found, item, summary.language), note=item["note"]))
                continue
            para, start, end = found
            start, end = (start, end) if start is not None else (0, len(para.text))
            quotes.append(CaseQuote(item=item["id"], report_id=shown.id, paragraph_id=para.id, start=start,
                                    end=end, text=para.text[start:end], footnotes=item["footnotes"],
                                    note=item["note"]))

        def load(rid: str) -> Report:
            return loaded[rid][1]

        sources = self.lib._cited_sources([r for _, r in loaded.values() if r], red)
        return case_document(summary.name, summary.language, quotes, load, sources, name_confidential,
                             style=style, base_url=self.lib.settings.base_url)


# Why an item can no longer be read (`locate`), in the reader's language on pages and the API,
# in the case's language in exports.
LOST_REASONS = {
    "report": N_("report %(report_id)s is no longer in the library"),
    "paragraph": N_("paragraph %(paragraph_id)s is no longer in report %(report_id)s: the report was "
                    "re-ingested and this passage changed or was removed"),
    "text": N_("paragraph %(paragraph_id)s of report %(report_id)s no longer reads the quoted text"),
}


def lost_reason(code: str, item: dict, language: str | None = None) -> str:
    """In `language`, else in the current request's."""
    values = {"report_id": item["report_id"], "paragraph_id": item["paragraph_id"]}
    if language:
        return translate(LOST_REASONS[code], language, **values)
    return gettext(LOST_REASONS[code], **values)


def locate(item: dict, stored: Report | None) -> tuple[int | None, int | None] | str:
    """Where the item's quote is in its stored paragraph, or why it is lost (a LOST_REASONS
    key). A paragraph keeps its id while its text is unchanged, so a kept id reads the same
    quote; if the span no longer does, the quote is looked for once in the paragraph before it
    is declared lost."""
    if stored is None:
        return "report"
    para = next((p for p in stored.paragraphs() if p.id == item["paragraph_id"]), None)
    if para is None:
        return "paragraph"
    start, end = item["start"], item["end"]
    if (para.text[start:end] if start is not None else para.text) == item["quote"]:
        return start, end
    if para.text.count(item["quote"]) == 1:
        at = para.text.index(item["quote"])
        return at, at + len(item["quote"])
    return "text"


def _lost_text(item: dict, red: Redactor | None) -> str:
    """What a lost item quoted when it was added, as this caller may read it."""
    return (red.text(item["quote"]) if red else item["quote"]) or ""


def _not_found(message: str) -> Exception:
    from corroborate.library import NotFound

    return NotFound(message)


def _name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValueError(gettext("a case needs a name"))
    if len(name) > MAX_NAME:
        raise ValueError(f"case name: at most {MAX_NAME} characters")
    return name


def _language(language: str) -> str:
    value = (language or "").strip().lower()
    if value not in LANGUAGES:
        raise ValueError(f"language {language!r}: use one of {', '.join(LANGUAGES)}")
    return value


def _note(note: str | None) -> str:
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValueError(f"note: at most {MAX_NOTE} characters")
    return note
