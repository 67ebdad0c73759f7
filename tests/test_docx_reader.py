"""The DOCX reader on Word documents generated here with python-docx-ng (real w:footnote parts)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest

from corroborate import Library
from corroborate.readers import ReaderError, read_document


def make_docx(path: Path) -> Path:
    d = docx.Document()
    d.core_properties.title = "Peru: Security situation (draft)"
    d.add_heading("1. Political context", level=1)
    p = d.add_paragraph("Protests spread across the southern regions in December 2022.")
    fn1 = d.footnotes.add_footnote("Amnesty International, Lethal repression, 2023, ")
    fn1.paragraphs[0].add_hyperlink("amnesty.org", address="https://www.amnesty.org/en/documents/amr46/6761/2023/en/")
    p.add_run().add_footnote_reference(fn1)
    p.add_run(" Police used lethal force in Ayacucho.")
    fn2 = d.footnotes.add_footnote("Human Rights Watch, Deadly Decline, 2023.")
    p.add_run().add_footnote_reference(fn2)
    d.add_heading("1.1 Lima", level=2)
    d.add_paragraph("Curfews were declared in Lima.", style="List Bullet")
    q = d.add_paragraph("“We were shot at as we ran.”", style="Quote")
    fn3 = d.footnotes.add_footnote("Interview with a witness, Juliaca, 2023.")
    q.add_run().add_footnote_reference(fn3)
    d.add_heading("2. Human rights defenders", level=1)
    d.add_paragraph("See the monitoring at ").add_hyperlink("the OHCHR site", address="https://www.ohchr.org/en")
    d.save(path)
    return path


@pytest.fixture
def report(tmp_path):
    return read_document(make_docx(tmp_path / "draft.docx"))


def test_headings_become_the_section_tree(report):
    assert report.title == "Peru: Security situation (draft)"
    top = report.sections
    assert [(s.number, s.title, s.level) for s in top] == [
        ("1", "Political context", 1), ("2", "Human rights defenders", 1)]
    assert [(s.number, s.title, s.level) for s in top[0].sections] == [("1.1", "Lima", 2)]
    assert report.format == "docx"


def test_real_footnotes_linked_at_their_reference_runs(report):
    para = report.sections[0].paragraphs[0]
    assert para.text == ("Protests spread across the southern regions in December 2022. "
                         "Police used lethal force in Ayacucho.")
    first = len("Protests spread across the southern regions in December 2022.")
    assert [(m.n, m.offset) for m in para.markers] == [(1, first), (2, len(para.text))]
    assert [f.n for f in report.footnotes] == [1, 2, 3]
    f1 = report.footnote(1)
    assert f1.text.startswith("Amnesty International, Lethal repression, 2023, amnesty.org")
    assert f1.urls == ["https://www.amnesty.org/en/documents/amr46/6761/2023/en/"]
    assert report.footnote(3).text == "Interview with a witness, Juliaca, 2023."


def test_list_and_quote_kinds(report):
    lima = report.sections[0].sections[0]
    kinds = [(p.kind.value, p.text) for p in lima.paragraphs]
    assert kinds[0] == ("list_item", "Curfews were declared in Lima.")
    assert kinds[1][0] == "quote"
    assert lima.paragraphs[1].markers[0].n == 3


def test_zip_that_is_not_docx(tmp_path):
    bad = tmp_path / "notes.docx"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(ReaderError, match="not a Word document"):
        read_document(bad)


def test_corrupt_docx(tmp_path):
    good = make_docx(tmp_path / "good.docx").read_bytes()
    bad = tmp_path / "broken.docx"
    bad.write_bytes(good[: len(good) // 2])
    with pytest.raises(ReaderError, match="corrupt DOCX"):
        read_document(bad)


def test_ingest_docx_into_sqlite(tmp_path, monkeypatch):
    monkeypatch.setenv("CORROBORATE_EMBEDDINGS", "0")
    path = make_docx(tmp_path / "draft.docx")
    with Library(tmp_path / "lib.db") as lib:
        result = lib.ingest(path)
        stored = lib.report(result.id)
    assert result.footnotes == 3
    assert stored.footnote(1).urls == ["https://www.amnesty.org/en/documents/amr46/6761/2023/en/"]
    assert {m.n for p in stored.paragraphs() for m in p.markers} == {1, 2, 3}


def test_auto_numbered_headings_get_their_numbers(tmp_path):
    """EUAA drafts number headings through a multi-level list tied to the heading styles: the
    numbers are not in the text, Word computes them."""
    from docx.oxml import parse_xml

    d = docx.Document()
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    numbering = d.part.numbering_part.element
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {ns} w:abstractNumId="90"><w:multiLevelType w:val="multilevel"/>'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2."/></w:lvl>'
        '</w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {ns} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    for level, style in ((0, "Heading 1"), (1, "Heading 2")):
        ppr = d.styles[style].element.get_or_add_pPr()
        ppr.append(parse_xml(f'<w:numPr {ns}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'))
    d.add_heading("Political context", level=1)
    d.add_paragraph("Protests spread.")
    d.add_heading("Lima", level=2)
    d.add_heading("Puno", level=2)
    d.add_heading("Human rights defenders", level=1)
    d.add_heading("Threats", level=2)
    path = tmp_path / "numbered.docx"
    d.save(path)
    report = read_document(path)
    assert [(s.number, s.title) for s in report.walk_sections()] == [
        ("1", "Political context"), ("1.1", "Lima"), ("1.2", "Puno"),
        ("2", "Human rights defenders"), ("2.1", "Threats")]


def test_table_of_contents_and_hidden_text_left_out(tmp_path):
    from docx.enum.style import WD_STYLE_TYPE

    d = docx.Document()
    d.styles.add_style("toc 1", WD_STYLE_TYPE.PARAGRAPH)
    d.add_paragraph("1. Political context\t3", style="toc 1")
    d.add_heading("1. Political context", level=1)
    p = d.add_paragraph("Protests spread.")
    p.add_run(" [drafting note: check numbers]").font.hidden = True
    path = tmp_path / "toc.docx"
    d.save(path)
    report = read_document(path)
    assert [p.text for p in report.paragraphs()] == ["Protests spread."]
    assert [s.title for s in report.sections] == ["Political context"]


def test_inline_body_hyperlinks_become_link_spans(report):
    (para,) = report.sections[1].paragraphs
    assert [(para.text[k.start:k.end], k.url) for k in para.links] == [("the OHCHR site", "https://www.ohchr.org/en")]


def test_a_note_link_showing_its_address_is_the_url_not_the_title(tmp_path, monkeypatch):
    monkeypatch.setenv("CORROBORATE_EMBEDDINGS", "0")
    with Library(tmp_path / "lib.db") as lib:
        rid = lib.ingest(make_docx(tmp_path / "draft.docx")).id
        (c,) = lib.report(rid).footnote(1).citations
    assert (c.author, c.title, c.date) == ("Amnesty International", "Lethal repression", "2023")
    assert c.url == "https://www.amnesty.org/en/documents/amr46/6761/2023/en/"


def test_the_bibliography_is_read_into_the_registry_and_not_searched(tmp_path, monkeypatch):
    """A Word report's own list of sources (a 'Bibliography' heading, one entry per paragraph):
    each entry joins the source registry, matched to the source its notes cite, or new and
    marked consulted-only under 'Sources consulted but not cited'; no entry is a search hit."""
    monkeypatch.setenv("CORROBORATE_EMBEDDINGS", "0")
    path = make_docx(tmp_path / "draft.docx")
    d = docx.Document(str(path))
    d.add_heading("Bibliography", level=1)
    d.add_paragraph("Human Rights Watch, Deadly Decline, 2023")
    d.add_paragraph("Defensoría del Pueblo, Reporte de conflictos sociales N.° 234, August 2023")
    d.add_heading("Sources consulted but not cited", level=2)
    d.add_paragraph("InSight Crime, Peru's Extortion Economy Targets Transport Workers, 12 May 2023")
    d.save(path)
    report = read_document(path)
    assert [(e.text[:20], e.cited) for e in report.bibliography] == [
        ("Human Rights Watch, ", True), ("Defensoría del Puebl", True), ("InSight Crime, Peru'", False)]
    with Library(tmp_path / "lib.db") as lib:
        rid = lib.ingest(path).id
        sources = {s["title"]: s for s in lib.sources(rid)}
        assert sources["Deadly Decline"]["footnotes"] == 1  # the entry met the note that cites it
        assert "Reporte de conflictos sociales N.° 234" in sources
        assert not lib.search("Extortion Economy Transport Workers", mode="lexical")["results"]
        assert lib.search("Ayacucho", mode="lexical")["results"]
