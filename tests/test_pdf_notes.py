"""Which numbers are notes, on generated PDFs of the families COI users read: court opinions
with numbered operative points among real footnotes, a separate opinion whose quoted points
restart at 1 after the notes have, UN and NGO reports with endnotes (under a heading, or a bare
numbered list after the body in the body size) and a UN compilation citing by abbreviation."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from corroborate import Library
from corroborate.citations import link_citations
from corroborate.models import Report
from corroborate.readers import read_document
from test_pdf_fixtures import BODY, LEFT, Segment, bold, line, note, paragraph

SMALL = 9  # quoted operative points, set smaller than the body


def small(text: str) -> Segment:
    return (text, "Helvetica", SMALL, 0)


def markers(report: Report) -> list[int]:
    return [m.n for p in report.paragraphs() for m in p.markers]


def separator(c: canvas.Canvas, y: float) -> None:
    c.line(LEFT, y, LEFT + 150, y)


def body_lines(report: Report) -> str:
    return " ".join(p.text for p in report.paragraphs())


# --- a judgment: numbered operative points in the body, real footnotes on the same page -------

def judgment_pdf(path: Path) -> Path:
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setTitle("judgment_final_v3.docx")  # a file name as metadata title: not a title
    line(c, LEFT, 780, bold("CASE OF ACOSTA MARTÍNEZ ET AL. v. ARGENTINA", 14))
    line(c, LEFT, 755, bold("JUDGMENT OF AUGUST 31, 2020", 11))
    y, _ = paragraph(c, 725, "The Court found that the detention was arbitrary.{1} The State accepted "
                             "its international responsibility in part.{2}")
    line(c, LEFT, y - 10, bold("DECLARES,", 10))
    y -= 30
    for n, text in ((1, "The State is responsible for the violation of the right to personal liberty."),
                    (2, "The State is responsible for the violation of the right to life."),
                    (3, "This Judgment constitutes, per se, a form of reparation.")):
        line(c, LEFT, y, (f"{n}. {text}", "Helvetica", BODY, 0))
        y -= 14
    line(c, LEFT, y - 6, bold("AND ORDERS,", 10))
    y -= 26
    for n, text in ((4, "To adopt the measures necessary to investigate the facts."),
                    (5, "To publish this Judgment within six months.")):
        line(c, LEFT, y, (f"{n}. {text}", "Helvetica", BODY, 0))
        y -= 14
    separator(c, 130)
    note(c, 115, 1, "Cf. Case of Bulacio v. Argentina. Judgment of September 18, 2003. Series C No. 100, para. 126.")
    note(c, 105, 2, "Brief of the State of March 3, 2019, p. 4.")
    c.showPage()
    c.save()
    return path


def test_numbered_operative_points_stay_body_beside_real_footnotes(tmp_path):
    report = read_document(judgment_pdf(tmp_path / "judgment.pdf"))
    assert [f.n for f in report.footnotes] == [1, 2]
    assert markers(report) == [1, 2]
    texts = [p.text for p in report.paragraphs()]
    assert "1. The State is responsible for the violation of the right to personal liberty." in texts
    assert "5. To publish this Judgment within six months." in texts
    assert report.title == "CASE OF ACOSTA MARTÍNEZ ET AL. v. ARGENTINA"


# --- a separate opinion: quoted operative points restart at 1 after the notes have -----------

def opinion_pdf(path: Path, rule: bool = True) -> Path:
    """Three pages (with or without footnote separator rules). Notes 1-4 on pages 1-2. On page 3 the judge quotes the operative points,
    set smaller than the body and numbered from 1, at the foot of the text right above the
    notes 5 and 6; on page 2 a quoted point also sits just above the separator."""
    c = canvas.Canvas(str(path), pagesize=A4)
    line(c, LEFT, 780, bold("CONCURRING OPINION OF JUDGE EDUARDO FERRER MAC-GREGOR POISOT", 12))
    y, _ = paragraph(c, 750, "1. I concur with the Judgment.{1} The Court rightly applied its case law on "
                             "forced disappearance{2} and on the duty to investigate.")
    if rule:
        separator(c, 130)
    note(c, 115, 1, "Case of Acosta Martínez et al. v. Argentina, Judgment of August 31, 2020, Series C No. 410.")
    note(c, 105, 2, "Case of Radilla Pacheco v. Mexico, Judgment of November 23, 2009, Series C No. 209.")
    c.showPage()
    y, _ = paragraph(c, 780, "2. The duty to adopt domestic measures{3} follows from Article 2 of the "
                             "American Convention,{4} and the Court ordered the State, in its operative "
                             "paragraph 9, as follows:")
    line(c, LEFT + 30, 160, small("9. To adopt, within a reasonable time, the legislative measures necessary"))
    line(c, LEFT + 30, 149, small("to define the crime of forced disappearance."))
    if rule:
        separator(c, 130)
    note(c, 115, 3, "Case of Garrido and Baigorria v. Argentina, Reparations, Series C No. 39, para. 68.")
    note(c, 105, 4, "American Convention on Human Rights, Article 2.")
    c.showPage()
    y, _ = paragraph(c, 780, "3. Among the reparations,{5} the Court ordered the State to comply with the "
                             "following points of the judgment of first instance, which I recall in full:{6}")
    y -= 20
    for n, text in ((1, "To adopt the measures necessary to guarantee the right to truth."),
                    (2, "To continue the investigations with due diligence."),
                    (3, "To pay the amounts established for pecuniary damage."),
                    (4, "To publish the official summary of this Judgment.")):
        line(c, LEFT + 30, y, small(f"{n}. {text}"))
        y -= 11
    if rule:
        separator(c, 130)
    note(c, 115, 5, "Cf. Case of Velásquez Rodríguez v. Honduras, Reparations, Series C No. 7, para. 25.")
    note(c, 105, 6, "Judgment of the Federal Court of First Instance No. 3 of Mendoza, 2019.")
    c.showPage()
    c.save()
    return path


@pytest.mark.parametrize("rule", [True, False])
def test_quoted_points_restarting_at_one_are_not_footnotes(tmp_path, rule):
    report = read_document(opinion_pdf(tmp_path / "opinion.pdf", rule))
    assert [(f.n, f.page) for f in report.footnotes] == [(1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (6, 3)]
    assert report.footnote(5).text.startswith("Cf. Case of Velásquez Rodríguez")
    assert report.footnote(6).text == "Judgment of the Federal Court of First Instance No. 3 of Mendoza, 2019."
    assert report.footnote(4).text == "American Convention on Human Rights, Article 2."
    assert markers(report) == [1, 2, 3, 4, 5, 6]
    text = body_lines(report)
    assert "1. To adopt the measures necessary to guarantee the right to truth." in text
    assert "4. To publish the official summary of this Judgment." in text
    assert "9. To adopt, within a reasonable time, the legislative measures necessary to define" in text
    assert not [w for w in report.warnings if w.code.startswith("footnote-")]
    assert report.title == "CONCURRING OPINION OF JUDGE EDUARDO FERRER MAC-GREGOR POISOT"


# --- endnotes: UN compilation with an abbreviation key in note 1 -----------------------------

UN_KEY = [
    "The stakeholders listed below have contributed information for this summary; the original",
    "submissions are available at: www.ohchr.org. Civil society Individual submissions:",
    "AI Amnesty International, London (United Kingdom); HRW Human Rights Watch, Geneva",
    "(Switzerland). Joint submissions: JS7 Joint submission 7 submitted by: Coordinadora",
    "Nacional de Derechos Humanos, Lima (Peru); Red Peruana TLGBI, Lima (Peru). National",
    "human rights institution: DdP Defensoría del Pueblo del Perú, Lima (Peru).",
]


def un_compilation_pdf(path: Path, heading: str | None = "Notes", note_face: float = BODY) -> Path:
    """A UN summary of stakeholders' submissions: endnotes gathered after the body, numbered
    on the baseline, in `note_face` (the body size by default), under `heading` (or none)."""
    c = canvas.Canvas(str(path), pagesize=A4)
    line(c, LEFT, 790, ("A/HRC/WG.6/42/PER/3", "Helvetica", 8, 0))
    line(c, LEFT, 760, bold("Summary of Stakeholders' submissions on Peru*", 14))
    line(c, LEFT, 735, bold("I. Background", 11))
    y, _ = paragraph(c, 715, "1. The present report was prepared for the universal periodic review, taking "
                             "into account the outcome of the previous review.{1} It is a summary of "
                             "23 stakeholders' submissions.{2}")
    line(c, LEFT, y - 10, bold("II. Information provided by stakeholders", 11))
    y, _ = paragraph(c, y - 30, "2. JS7 reported attacks on human rights defenders in the southern regions{3} "
                                "and AI recommended that the police be held to account.{4} HRW noted that "
                                "protesters had been killed in 2023.{5}")
    y, _ = paragraph(c, y - 8, "3. The Ombudsman documented 1,200 social conflicts.{6}")
    c.showPage()
    y = 780
    if heading:
        line(c, LEFT, y, (heading, "Helvetica", BODY, 0))
        y -= 20
    notes = [(1, UN_KEY), (2, ["For relevant recommendations, see A/HRC/37/8, paras. 111.1-111.5."]),
             (3, ["JS7, p.8; AI, pp.3-6."]), (4, ["AI, p. 4. See also JS7, paras. 10-12."]),
             (5, ["HRW, p. 2."]), (6, ["DdP, para. 4."])]
    for n, lines in notes:
        for i, text in enumerate(lines):
            lead = f"{n} " if i == 0 else ""
            line(c, LEFT + (0 if i == 0 else 12), y, (lead + text, "Helvetica", note_face, 0))
            y -= note_face * 1.3
        y -= 3
    c.showPage()
    c.save()
    return path


@pytest.mark.parametrize("heading,face", [("Notes", BODY), (None, BODY), ("Notes", 8)])
def test_endnotes_of_a_un_compilation_are_linked(tmp_path, heading, face):
    report = read_document(un_compilation_pdf(tmp_path / "upr.pdf", heading, face))
    assert [(f.n, f.page) for f in report.footnotes] == [(n, 2) for n in range(1, 7)]
    assert report.footnote(1).text.startswith("The stakeholders listed below")
    assert report.footnote(1).text.endswith("DdP Defensoría del Pueblo del Perú, Lima (Peru).")
    assert report.footnote(3).text == "JS7, p.8; AI, pp.3-6."
    assert markers(report) == [1, 2, 3, 4, 5, 6]
    assert "stakeholders listed below" not in body_lines(report)
    assert "Notes" not in [s.title for s in report.walk_sections()] + [p.text for p in report.paragraphs()]
    assert report.title == "Summary of Stakeholders' submissions on Peru"


def test_abbreviation_key_in_endnote_one_names_the_sources(tmp_path, monkeypatch):
    monkeypatch.setenv("CORROBORATE_EMBEDDINGS", "0")
    path = un_compilation_pdf(tmp_path / "upr.pdf")
    report = read_document(path)
    sources = {s.id: s for s in link_citations(report)}
    cited = [(c.author, c.locator) for n in (3, 4, 5, 6) for c in report.footnote(n).citations]
    assert cited == [
        ("Joint submission 7 submitted by: Coordinadora Nacional de Derechos Humanos; Red Peruana TLGBI", "p.8"),
        ("Amnesty International", "pp.3-6"), ("Amnesty International", "p. 4"),
        ("Joint submission 7 submitted by: Coordinadora Nacional de Derechos Humanos; Red Peruana TLGBI",
         "paras. 10-12"),
        ("Human Rights Watch", "p. 2"), ("Defensoría del Pueblo del Perú", "para. 4")]
    assert not [w for w in report.warnings if w.code == "citation-incomplete" and w.footnote in (3, 4, 5, 6)]
    ai = report.footnote(3).citations[1].source_id
    assert report.footnote(4).citations[0].source_id == ai
    assert sources[ai].aliases == ["AI"]
    with Library(tmp_path / "lib.db") as lib:
        result = lib.ingest(path)
        stored = lib.source(ai)
        assert stored["author"] == "Amnesty International"
        assert stored["aliases"] == ["AI"]
        assert {c["footnote_n"] for c in stored["cited_by"]} == {3, 4}
        assert result.footnotes == 6


# --- endnotes at the end of each chapter ------------------------------------------------------

def chapter_endnotes_pdf(path: Path) -> Path:
    c = canvas.Canvas(str(path), pagesize=A4)
    for chapter, (title, claims) in enumerate([
        ("1. Security situation", ["Clashes left 49 dead in Puno.", "Curfews followed in Juliaca."]),
        ("2. Human rights defenders", ["Defenders were threatened.", "Two were killed in 2023.",
                                       "None of the cases was solved."]),
    ], start=1):
        line(c, LEFT, 780, bold(title))
        text = " ".join(f"{claim}{{{i}}}" for i, claim in enumerate(claims, start=1))
        y, _ = paragraph(c, 755, text)
        line(c, LEFT, y - 20, bold("Endnotes", 10))
        y -= 40
        for i, _ in enumerate(claims, start=1):
            line(c, LEFT, y, (f"{i}. Source {chapter}.{i}: Defensoría del Pueblo, report {chapter}{i}, 2023.",
                              "Helvetica", BODY, 0))
            y -= 14
        c.showPage()
    c.save()
    return path


def test_endnotes_closing_each_chapter(tmp_path):
    report = read_document(chapter_endnotes_pdf(tmp_path / "chapters.pdf"))
    assert [f.text for f in report.footnotes] == [
        "Source 1.1: Defensoría del Pueblo, report 11, 2023.", "Source 1.2: Defensoría del Pueblo, report 12, 2023.",
        "Source 2.1: Defensoría del Pueblo, report 21, 2023.", "Source 2.2: Defensoría del Pueblo, report 22, 2023.",
        "Source 2.3: Defensoría del Pueblo, report 23, 2023."]
    assert markers(report) == [1, 2, 3, 4, 5]
    assert "Source 1.1" not in body_lines(report)
    assert [s.number for s in report.walk_sections()] == ["1", "2"]


# --- a numbered list after the body that is not endnotes -------------------------------------

def test_a_closing_numbered_list_without_markers_stays_body(tmp_path):
    path = tmp_path / "recs.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    line(c, LEFT, 780, bold("Recommendations"))
    paragraph(c, 755, "The mission makes the following recommendations to the authorities:")
    for i, text in enumerate(["Investigate every death in custody.", "Protect defenders at risk.",
                              "Publish the data on detentions."], start=1):
        line(c, LEFT, 730 - i * 14, (f"{i} {text}", "Helvetica", BODY, 0))
    c.showPage()
    c.save()
    report = read_document(path)
    assert report.footnotes == []
    assert "Protect defenders at risk." in body_lines(report)


def test_a_closing_numbered_list_after_footnoted_text_stays_body(tmp_path):
    """The text's markers count up to 3 and so does the closing list; the notes are footnotes."""
    path = tmp_path / "footnoted-recs.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    paragraph(c, 760, "Killings rose in 2023.{1} Curfews followed.{2} Courts were slow.{3}")
    separator(c, 130)
    for i, text in enumerate(["Defensoría del Pueblo, Reporte 227, 2023.", "Amnesty International, Peru, 2023.",
                              "Human Rights Watch, Deadly Decline, 2023."], start=1):
        note(c, 125 - i * 10, i, text)
    c.showPage()
    line(c, LEFT, 780, bold("Recommendations"))
    for i, text in enumerate(["Investigate every death in custody.", "Protect defenders at risk.",
                              "Publish the data on detentions."], start=1):
        line(c, LEFT, 760 - i * 14, (f"{i} {text}", "Helvetica", BODY, 0))
    line(c, LEFT, 690, bold("Annex"))
    paragraph(c, 670, "Methodology of the mission.")
    c.showPage()
    c.save()
    report = read_document(path)
    assert [(f.n, f.text) for f in report.footnotes] == [
        (1, "Defensoría del Pueblo, Reporte 227, 2023."), (2, "Amnesty International, Peru, 2023."),
        (3, "Human Rights Watch, Deadly Decline, 2023.")]
    assert "2 Protect defenders at risk." in body_lines(report)
    assert markers(report) == [1, 2, 3]


def test_endnote_list_without_a_label_before_an_annex(tmp_path):
    path = tmp_path / "ngo.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    line(c, LEFT, 780, bold("Peru: Lethal repression", 16))
    paragraph(c, 750, "Security forces killed 49 people.{1} Curfews followed in Puno.{2} Courts were slow.{3}")
    c.showPage()
    for i, text in enumerate(["Defensoría del Pueblo, Reporte 227, 2023.", "Amnesty International, Peru, 2023.",
                              "Human Rights Watch, Deadly Decline, 2023."], start=1):
        line(c, LEFT, 780 - i * 14, (f"{i} {text}", "Helvetica", BODY, 0))
    line(c, LEFT, 700, bold("Annex: methodology"))
    paragraph(c, 680, "The mission met 40 people in Lima and Puno.")
    c.showPage()
    c.save()
    report = read_document(path)
    assert [f.n for f in report.footnotes] == [1, 2, 3]
    assert report.footnote(3).text == "Human Rights Watch, Deadly Decline, 2023."
    assert markers(report) == [1, 2, 3]
    assert "The mission met 40 people in Lima and Puno." in body_lines(report)
    assert report.title == "Peru: Lethal repression"


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_opinion_printed_by_writer_keeps_quoted_points_out_of_its_notes(tmp_path):
    """Another producer: a DOCX opinion (notes in the text size, numbered paragraphs, operative
    points quoted smaller and numbered from 1) printed to PDF by LibreOffice."""
    import random

    import docx
    from docx.shared import Cm, Pt

    rng = random.Random(3)
    words = "the court state measures victims reparation investigation rights convention duty judgment".split()
    d = docx.Document()
    d.add_heading("SEPARATE OPINION OF JUDGE X", level=1)
    n = 0
    for i in range(14):
        p = d.add_paragraph(f"{i + 1}. ")
        for _ in range(5):
            p.add_run(" ".join(rng.choice(words) for _ in range(rng.randint(8, 16))).capitalize() + ". ")
            if rng.random() < 0.4:
                n += 1
                p.add_run().add_footnote_reference(
                    d.footnotes.add_footnote(f"Case {n} v. State, Judgment, Series C No. {100 + n}, para. {n}."))
        if i in (4, 9):
            for k in range(1, 5):
                q = d.add_paragraph(f"{k}. To adopt the measures necessary to "
                                    + " ".join(rng.choice(words) for _ in range(12)) + ".")
                q.paragraph_format.left_indent = Cm(1.5)
                for r in q.runs:
                    r.font.size = Pt(9)
    source = tmp_path / "opinion.docx"
    d.save(source)
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(source)], check=True, timeout=180, capture_output=True)
    report = read_document(tmp_path / "opinion.pdf")
    assert n > 20
    assert [f.n for f in report.footnotes] == list(range(1, n + 1))
    assert [f.text for f in report.footnotes] == [f"Case {k} v. State, Judgment, Series C No. {100 + k}, para. {k}."
                                                  for k in range(1, n + 1)]
    assert markers(report) == list(range(1, n + 1))
    assert sum(p.text.startswith(("1. To adopt", "2. To adopt", "3. To adopt", "4. To adopt"))
               for p in report.paragraphs()) == 8


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_word_endnotes_printed_by_writer_are_linked_and_resolve_their_key(tmp_path):
    """A DOCX with real endnotes (arabic numbering, as UN documents set them), printed by
    LibreOffice: the notes come after the body with no label, their numbers set flush against
    the text in the text size; some markers wrap onto a line of their own."""
    import random

    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    rng = random.Random(5)
    words = "the police protesters regions security forces detained investigation human rights defenders".split()
    d = docx.Document()
    d.add_heading("Summary of Stakeholders' submissions on Peru", level=1)
    n = 0
    for i in range(16):
        p = d.add_paragraph(f"{i + 1}. ")
        for _ in range(4):
            p.add_run(" ".join(rng.choice(words) for _ in range(rng.randint(8, 16))).capitalize() + ". ")
            if rng.random() < 0.5:
                n += 1
                text = ("The stakeholders listed below contributed: AI Amnesty International, London (United Kingdom); "
                        "JS7 Joint submission 7 submitted by: Coordinadora Nacional de Derechos Humanos, Lima (Peru)."
                        if n == 1 else rng.choice(["JS7, p.8; AI, pp.3-6.", "AI, p. 4.", "JS7, paras. 3-5."]))
                p.add_run().add_endnote_reference(d.endnotes.add_endnote(text))
    d.sections[0]._sectPr.append(parse_xml(f'<w:endnotePr {nsdecls("w")}><w:numFmt w:val="decimal"/></w:endnotePr>'))
    source = tmp_path / "upr.docx"
    d.save(source)
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(source)], check=True, timeout=180, capture_output=True)
    pdf = tmp_path / "upr.pdf"
    report = read_document(pdf)
    assert n > 20
    assert [f.n for f in report.footnotes] == list(range(1, n + 1))
    assert markers(report) == list(range(1, n + 1))
    assert not any("JS7, p.8" in p.text or "stakeholders listed" in p.text for p in report.paragraphs())
    assert report.title == "Summary of Stakeholders' submissions on Peru"
    sources = link_citations(report)
    named = {s.author: s.aliases for s in sources}
    assert named["Amnesty International"] == ["AI"]
    assert not [w for w in report.warnings if w.code == "citation-incomplete"]


def test_abbreviations_table_of_a_pdf_names_footnoted_short_forms(tmp_path):
    """An "Abbreviations" table (abbreviation and name in two columns) resolves footnotes that
    cite by abbreviation."""
    path = tmp_path / "ngo-abbrev.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    line(c, LEFT, 780, bold("Abbreviations"))
    for i, (abbr, name) in enumerate([("CNDDHH", "Coordinadora Nacional de Derechos Humanos"),
                                      ("HRW", "Human Rights Watch"), ("MSF", "Médecins Sans Frontières")]):
        line(c, LEFT, 755 - i * 14, (abbr, "Helvetica", BODY, 0))
        line(c, LEFT + 120, 755 - i * 14, (name, "Helvetica", BODY, 0))
    line(c, LEFT, 690, bold("1. Security situation"))
    paragraph(c, 665, "Killings rose in 2023.{1} Clinics closed in Puno.{2}")
    separator(c, 130)
    note(c, 115, 1, "CNDDHH, p. 12; HRW, pp. 3-4.")
    note(c, 105, 2, "MSF, para. 8.")
    c.showPage()
    c.save()
    report = read_document(path)
    link_citations(report)
    assert [(c.author, c.locator) for f in report.footnotes for c in f.citations] == [
        ("Coordinadora Nacional de Derechos Humanos", "p. 12"), ("Human Rights Watch", "pp. 3-4"),
        ("Médecins Sans Frontières", "para. 8")]
