"""A report's abbreviation key resolves citations by abbreviation (`JS7, p.8`) to named sources,
whichever reader built the report and wherever the key stands: a note, an "Abbreviations"
section, a "the following abbreviations are used" list, the glossary."""

from __future__ import annotations

import pytest

from corroborate import Library
from corroborate.citations import link_citations
from corroborate.citations.abbreviations import abbreviates, abbreviation_key, scan
from corroborate.models import Footnote, GlossaryEntry, Marker, Paragraph, Report, Section
from corroborate.readers import read_document


def _report(key_section: Section | None = None, key_note: str | None = None,
            glossary: list[GlossaryEntry] | None = None) -> Report:
    notes = [Footnote(n=1, text="HRW, p. 3; MSF, paras. 4-6."), Footnote(n=2, text="See also HRW, p. 9.")]
    if key_note:
        notes.insert(0, Footnote(n=0, text=key_note))
    body = Section(title="Security", number="1", level=1, paragraphs=[
        Paragraph(text="Killings rose in 2023.", markers=[Marker(n=1, offset=22), Marker(n=2, offset=22)])])
    return Report(sections=[body] + ([key_section] if key_section else []), footnotes=notes,
                  glossary=glossary or [])


def _named(report: Report) -> list[tuple[str | None, str | None]]:
    link_citations(report)
    return [(c.author, c.locator) for f in report.footnotes if f.n for c in f.citations]


EXPECTED = [("Human Rights Watch", "p. 3"), ("Médecins Sans Frontières", "paras. 4-6"), ("Human Rights Watch", "p. 9")]


@pytest.mark.parametrize("where", ["section", "sentence", "note", "glossary"])
def test_key_wherever_it_stands_names_the_sources(where):
    if where == "section":
        report = _report(Section(title="Abbreviations and acronyms", level=1, paragraphs=[
            Paragraph(text="HRW Human Rights Watch"), Paragraph(text="MSF Médecins Sans Frontières")]))
    elif where == "sentence":
        report = _report(Section(title="Annex", level=1, paragraphs=[
            Paragraph(text="The following abbreviations are used in this report: HRW – Human Rights Watch; "
                           "MSF – Médecins Sans Frontières.")]))
    elif where == "note":
        report = _report(key_note="Submissions: HRW Human Rights Watch, New York (United States of America); "
                                  "MSF Médecins Sans Frontières, Geneva (Switzerland).")
    else:
        report = _report(glossary=[GlossaryEntry(term="HRW", definition="Human Rights Watch"),
                                   GlossaryEntry(term="MSF", definition="Médecins Sans Frontières (Doctors "
                                                                        "Without Borders)")])
    assert _named(report) == EXPECTED
    assert not [w for w in report.warnings if w.code == "citation-incomplete"]


def test_without_a_key_short_forms_stay_as_they_were():
    report = _report()
    link_citations(report)
    assert [c.author for c in report.footnotes[0].citations] == ["HRW", "MSF"]
    assert [w.code for w in report.warnings].count("citation-incomplete") == 3


def test_an_entry_is_believed_only_when_the_abbreviation_fits_the_name():
    assert abbreviates("JS7", "Joint submission 7 submitted by: Red Peruana TLGBI")
    assert abbreviates("DdP", "Defensoría del Pueblo del Perú")
    assert abbreviates("IACHR", "Inter-American Commission on Human Rights")
    assert not abbreviates("JS7", "Joint submission 8")
    assert not abbreviates("UN", "Human Rights Council")
    assert not abbreviates("NGO", "Asociación")
    assert scan("the UN Human Rights Council and the OAS General Assembly met") == {}
    assert scan("ADF International ADF International, Geneva (Switzerland); AI Amnesty International, London "
                "(United Kingdom); JS1 Joint submission 1 submitted by: Asociación Pro Derechos Humanos, Lima "
                "(Peru); Red Peruana TLGBI, Lima (Peru). National human rights institution: DdP Defensoría del "
                "Pueblo, Lima (Peru).") == {
        "ADF International": "ADF International",  # a name that is its own key
        "AI": "Amnesty International",
        "JS1": "Joint submission 1 submitted by: Asociación Pro Derechos Humanos; Red Peruana TLGBI",
        "DdP": "Defensoría del Pueblo"}


def test_text_report_with_a_key_note_ingests_aliases(tmp_path, monkeypatch):
    """Through the text reader and the store: `source ID --json` shows the alias."""
    monkeypatch.setenv("CORROBORATE_EMBEDDINGS", "0")
    path = tmp_path / "upr-summary.txt"
    path.write_text(
        " 1. Background \n\nStakeholders reported attacks on defenders.1 Protesters were killed.2 \n\n \n"
        "1 The stakeholders listed below contributed information: AI Amnesty International, London (United "
        "Kingdom); JS7 Joint submission 7 submitted by: Coordinadora Nacional de Derechos Humanos, Lima (Peru). \n"
        "2 JS7, p.8; AI, pp.3-6. \n", encoding="utf-8")
    report = read_document(path)
    assert [f.n for f in report.footnotes] == [1, 2]
    assert abbreviation_key(report) == {
        "AI": "Amnesty International", "JS7": "Joint submission 7 submitted by: Coordinadora Nacional de Derechos Humanos"}
    with Library(tmp_path / "lib.db") as lib:
        lib.ingest(path)
        rid = lib.reports()[0]["id"]
        cits = lib.report(rid).footnote(2).citations
        assert [(c.author, c.locator) for c in cits] == [
            ("Joint submission 7 submitted by: Coordinadora Nacional de Derechos Humanos", "p.8"),
            ("Amnesty International", "pp.3-6")]
        ai = lib.source(cits[1].source_id)
        assert ai["aliases"] == ["AI"] and ai["author"] == "Amnesty International"


def test_un_document_symbols_are_complete_references():
    report = Report(footnotes=[Footnote(n=1, text="CCPR/C/PER/CO/6, para. 5; E/C.12/PER/CO/4, paras. 2-3.")])
    link_citations(report)
    assert [(c.title, c.locator) for c in report.footnotes[0].citations] == [
        ("CCPR/C/PER/CO/6", "para. 5"), ("E/C.12/PER/CO/4", "paras. 2-3")]
    assert report.warnings == []
