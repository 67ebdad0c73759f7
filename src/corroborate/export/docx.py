"""DOCX with real Word footnotes (`word/footnotes.xml`, one `w:footnote` per footnote with text,
called by `w:footnoteReference` from the body) and clickable URLs (hyperlink relationships).

Footnote numbers are the source's, not Word's running count: a report that lost footnotes
139–239 still shows footnote 298 as 298, so a caseworker can trace it back. When the source
numbers are not 1…N in reading order, each call is a `customMarkFollows` reference carrying the
number as text (as Word itself writes custom marks); otherwise Word numbers them, which every
consumer renders the same way. (LibreOffice 7.4 shows a custom mark twice in the body text.)
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from corroborate.export.document import BlockKind, FootnotedDocument, Link, Note, NoteRef, Segment


def _superscript(run) -> None:
    run.font.superscript = True


def _add_segments(paragraph, segs: list[Segment]) -> None:
    for s in segs:
        if s.href:
            paragraph.add_hyperlink(s.text, s.href)
        elif s.text:
            paragraph.add_run(s.text)


def _styles(document) -> None:
    styles = document.styles
    names = {s.name for s in styles}
    if "Footnote Text" not in names:
        st = styles.add_style("Footnote Text", WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = styles["Normal"]
        st.font.size = Pt(8.5)
        st.paragraph_format.space_after = Pt(0)
    if "Footnote Reference" not in names:
        st = styles.add_style("Footnote Reference", WD_STYLE_TYPE.CHARACTER)
        st.font.superscript = True


def _custom_mark_reference(paragraph, footnote, n: int) -> None:
    """A body call showing the source's number `n` for `footnote`."""
    run = paragraph.add_run()
    run.style = "Footnote Reference"
    run.add_footnote_reference(footnote)
    ref = run._r.find(qn("w:footnoteReference"))
    ref.set(qn("w:customMarkFollows"), "1")
    t = OxmlElement("w:t")
    t.text = str(n)
    run._r.append(t)


def _custom_mark_in_note(footnote, n: int) -> None:
    """Replace the auto-number mark inside the note with the same custom number."""
    first = footnote.paragraphs[0]
    for r in first._p.findall(qn("w:r")):
        mark = r.find(qn("w:footnoteRef"))
        if mark is not None:
            t = OxmlElement("w:t")
            t.text = str(n)
            r.replace(mark, t)
            rpr = r.get_or_add_rPr()
            va = OxmlElement("w:vertAlign")
            va.set(qn("w:val"), "superscript")
            rpr.append(va)
            break
    first.add_run(" ")


def _wordable(note: Note) -> bool:
    """A report's lost footnote is said inline where it was called; in a compiled response the
    statement that the source lost it is the response's own footnote, so it stays one."""
    return not note.missing or note.origin is not None


def write_docx(doc: FootnotedDocument, path: Path) -> None:
    document = Document()
    _styles(document)
    document.core_properties.title = doc.title
    document.add_heading(doc.title, level=0)
    for sub in doc.subtitle:
        document.add_paragraph(sub, style="Subtitle")
    made: dict[int, object] = {}
    texted = [n for n in dict.fromkeys(doc.note_calls()) if n in doc.notes and _wordable(doc.notes[n])]
    custom = texted != list(range(1, len(texted) + 1))
    for block in doc.blocks:
        if block.kind == BlockKind.HEADING:
            document.add_heading(block.text, level=min(block.level, 9))
            continue
        style = {BlockKind.QUOTE: "Quote", BlockKind.CAPTION: "Caption",
                 BlockKind.LIST_ITEM: "List Paragraph"}.get(block.kind)
        para = document.add_paragraph(style=style)
        if block.kind == BlockKind.LEAD:
            para.paragraph_format.keep_with_next = True
        for i in block.inlines:
            if isinstance(i, Link):
                para.add_hyperlink(i.text, i.href)
                continue
            if not isinstance(i, NoteRef):
                para.add_run(i.text)
                continue
            note = doc.notes.get(i.n)
            if note is None or not _wordable(note):
                # A lost footnote is not a footnote Word could show: say so where it was called.
                text = note.segments()[0].text if note is not None else f"[footnote {i.n}]"
                run = para.add_run(f" {text}")
                run.font.size = Pt(8)
                run.font.color.rgb = RGBColor(0x8A, 0x1C, 0x1C)
            elif i.n in made:
                run = para.add_run(str(i.n))
                _superscript(run)
            else:
                footnote = document.footnotes.add_footnote()
                if custom:
                    _custom_mark_in_note(footnote, i.n)
                else:
                    footnote.paragraphs[0].runs[0].font.superscript = True
                    footnote.paragraphs[0].add_run(" ")
                _add_segments(footnote.paragraphs[0], note.segments())
                if custom:
                    _custom_mark_reference(para, footnote, i.n)
                else:
                    run = para.add_run()
                    run.style = "Footnote Reference"
                    run.add_footnote_reference(footnote)
                made[i.n] = footnote
    if doc.bibliography:
        document.add_heading(doc.bibliography_title, level=1)
        for group in doc.bibliography:
            document.add_heading(group.title, level=2)
            for item in group.items:
                p = document.add_paragraph()
                p.paragraph_format.left_indent = Pt(18)
                p.paragraph_format.first_line_indent = Pt(-18)
                _add_segments(p, item.segments)
    document.save(str(path))
