"""The HTML reader on what footnote generators really emit (issue 12): kramdown / GOV.UK govspeak,
markdown-it, pandoc, DPUB-ARIA roles, Word `_ftn`, Wikipedia `cite_note`; numbered headings with
runs of spaces; metadata from the content; inline links; bibliography sections.

Every fixture is a complete `<html><body>` document, so these tests do not depend on the format
sniffing of `readers/__init__.py`; the reader is called directly where only reading is tested.
"""

from __future__ import annotations

from pathlib import Path

from corroborate.citations import link_citations
from corroborate.models import Report
from corroborate.readers.html import read_html_file


def read(html: str, name: str = "doc.html") -> Report:
    return read_html_file(Path(name), html.encode("utf-8"))


def linked(report: Report) -> set[int]:
    return {m.n for p in report.paragraphs() for m in p.markers}


def all_text(report: Report) -> str:
    return " ".join(p.text for p in report.paragraphs())


# --- kramdown / GOV.UK govspeak ---------------------------------------------------------------

GOVSPEAK = """<html><body><div class="govspeak">
<div role="note" aria-label="Information" class="application-notice info-notice">
  <p>Version 3.0, July 2026</p>
</div>
<h2 id="executive-summary">Executive summary</h2>
<p>Relocation is possible, see the <a href="#country-information">country information</a>.</p>
<h2 id="assessment">Assessment</h2>
<h3 id="legal">1.\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0Legal context</h3>
<h4 id="law">1.1            The law</h4>
<p>1.1.1       Same-sex relations are legal.<sup id="fnref:1"><a href="#fn:1" class="footnote" rel="footnote" role="doc-noteref">[footnote 1]</a></sup> Courts agree.<sup id="fnref:2"><a href="#fn:2" class="footnote" rel="footnote" role="doc-noteref">[footnote 2]</a></sup></p>
<h3 id="state">1.2   State treatment</h3>
<h5 id="deep">2.1.3   Deep heading</h5>
<p>Police rarely act.<sup id="fnref:1:1"><a href="#fn:1" class="footnote" rel="footnote" role="doc-noteref">[footnote 1]</a></sup></p>
<h2 id="country-information">Country information</h2>
<p>The COI included was published or made publicly available on or before 17 February 2026.</p>
<div class="footnotes" role="doc-endnotes">
  <ol>
    <li id="fn:1">
      <p>HRW, <a rel="external" href="https://www.hrw.org/report/2025/x">World Report 2025</a> (page 4), 16 January 2025\u00a0<a href="#fnref:1" class="reversefootnote" role="doc-backlink" aria-label="go to where this is referenced">↩</a></p>
    </li>
    <li id="fn:2">
      <p>UN Committee on Economic, Social and Cultural Rights, <a rel="external" href="https://docs.un.org/E/C.12/ALB/CO/4">Concluding observations</a>, 17 October 2024\u00a0<a href="#fnref:2" class="reversefootnote" role="doc-backlink" aria-label="go to where this is referenced">↩</a></p>
    </li>
  </ol>
</div>
</div></body></html>"""


def test_kramdown_govspeak_footnotes_markers_and_backlinks():
    report = read(GOVSPEAK)
    assert [f.n for f in report.footnotes] == [1, 2]
    f1 = report.footnote(1)
    assert f1.text == "HRW, World Report 2025 (page 4), 16 January 2025"  # no ↩, no &nbsp;
    assert f1.urls == ["https://www.hrw.org/report/2025/x"]
    para = next(p for p in report.paragraphs() if p.text.startswith("1.1.1"))
    assert "[footnote" not in all_text(report)
    assert para.text == "1.1.1 Same-sex relations are legal. Courts agree."
    assert [(m.n, para.text[:m.offset]) for m in para.markers] == [
        (1, "1.1.1 Same-sex relations are legal."), (2, para.text)]
    assert linked(report) == {1, 2}  # a second marker of note 1 (fnref:1:1) too


def test_numbered_headings_with_runs_of_spaces_and_misplaced_levels():
    report = read(GOVSPEAK)
    assessment = next(s for s in report.sections if s.title == "Assessment")
    (legal,) = assessment.sections
    assert (legal.number, legal.title) == ("1", "Legal context")
    # `1.2` written as <h3> like `1` still belongs under `1`, after `1.1`
    assert [(s.number, s.title) for s in legal.sections] == [("1.1", "The law"), ("1.2", "State treatment")]
    assert (legal.sections[1].sections[0].number, legal.sections[1].sections[0].title) == ("2.1.3", "Deep heading")


def test_metadata_from_the_content_not_the_file_name():
    report = read(GOVSPEAK, "cpin-albania-sogi-2026-07.html")
    assert report.edition == "3.0"
    assert report.published == "2026-07"
    assert report.cut_off == "2026-02-17"
    # the fragment has no <title>/<h1>, and "Executive summary" is no title: said, not invented
    assert report.title == "Cpin Albania Sogi 2026 07"
    assert any(w.code == "title-missing" for w in report.warnings)


def test_govuk_citation_read_around_its_title_link():
    report = read(GOVSPEAK)
    link_citations(report)
    (c1,) = report.footnote(1).citations
    assert (c1.author, c1.title, c1.locator, c1.date, c1.url) == (
        "HRW", "World Report 2025", "page 4", "2025-01-16", "https://www.hrw.org/report/2025/x")
    (c2,) = report.footnote(2).citations  # an author with a comma in its name
    assert (c2.author, c2.title, c2.date) == (
        "UN Committee on Economic, Social and Cultural Rights", "Concluding observations", "2024-10-17")
    assert c2.url == "https://docs.un.org/E/C.12/ALB/CO/4"


def test_inline_links_kept_as_spans_and_in_page_links_are_not_markers():
    report = read(GOVSPEAK)
    para = next(p for p in report.paragraphs() if p.text.startswith("Relocation"))
    assert para.markers == []  # `#country-information` points at a heading, not a note
    assert para.links == []  # an in-page link is navigation, not a citation
    html = """<html><body><p>See the <a href="https://www.gov.uk/x">CPINs on Colombia</a> and
    <b><a href="mailto:cipu@homeoffice.gov.uk">the team</a></b>.</p></body></html>"""
    (p,) = read(html).paragraphs()
    assert [(p.text[k.start:k.end], k.url) for k in p.links] == [
        ("CPINs on Colombia", "https://www.gov.uk/x"), ("the team", "mailto:cipu@homeoffice.gov.uk")]


# --- markdown-it, pandoc, DPUB-ARIA, Word, Wikipedia --------------------------------------------

MARKDOWN_IT = """<html><body><h1>Report on Lima</h1>
<p>Extortion grew<sup class="footnote-ref"><a href="#fn1" id="fnref1">[1]</a></sup>. Shops closed<sup class="footnote-ref"><a href="#fn2" id="fnref2">[2]</a></sup>.</p>
<hr class="footnotes-sep">
<section class="footnotes"><ol class="footnotes-list">
<li id="fn1" class="footnote-item"><p>InSight Crime, Extortion in Lima, 2023. <a href="#fnref1" class="footnote-backref">↩︎</a></p></li>
<li id="fn2" class="footnote-item"><p>El Comercio, Bodegas cierran, 2023. <a href="#fnref2" class="footnote-backref">↩︎</a></p></li>
</ol></section></body></html>"""

PANDOC3 = """<html><body><h1>Peru</h1>
<p>Protests spread.<a href="#fn1" class="footnote-ref" id="fnref1" role="doc-noteref"><sup>1</sup></a></p>
<aside id="footnotes" class="footnotes footnotes-end-of-document" role="doc-endnotes"><hr><ol>
<li id="fn1"><p>Amnesty International, Lethal repression, 2023.<a href="#fnref1" class="footnote-back" role="doc-backlink">↩︎</a></p></li>
</ol></aside></body></html>"""

DPUB = """<html><body><h1>Annual report</h1>
<p>Arrests rose<a role="doc-noteref" href="#n7">7</a> and fell.<a role="doc-noteref" href="#e1">*</a></p>
<aside role="doc-footnote" id="n7"><p>7. Ministry of Interior, Statistics 2024, 2024.</p></aside>
<section role="doc-endnotes"><h2>Notes</h2><ol>
<li role="doc-endnote" id="e1"><p>Estimate by the authors. <a role="doc-backlink" href="#top">Back</a></p></li>
</ol></section></body></html>"""


def test_markdown_it_notes():
    report = read(MARKDOWN_IT)
    assert [(f.n, f.text) for f in report.footnotes] == [
        (1, "InSight Crime, Extortion in Lima, 2023."), (2, "El Comercio, Bodegas cierran, 2023.")]
    (p,) = report.paragraphs()
    assert p.text == "Extortion grew. Shops closed."
    assert [m.n for m in p.markers] == [1, 2]


def test_pandoc3_aside_endnotes():
    report = read(PANDOC3)
    assert report.footnote(1).text == "Amnesty International, Lethal repression, 2023."
    assert linked(report) == {1}


def test_dpub_aria_roles_footnote_endnote_and_symbol_marker():
    report = read(DPUB)
    (p,) = report.paragraphs()
    assert p.text == "Arrests rose and fell."
    assert report.footnote(7).text == "Ministry of Interior, Statistics 2024, 2024."
    # `*` has no number: it gets the next free one, and its note keeps its text without "Back"
    starred = [f for f in report.footnotes if f.n != 7]
    assert [(f.n, f.text) for f in starred] == [(8, "Estimate by the authors.")]
    assert linked(report) == {7, 8}
    assert "Ministry" not in all_text(report) and "Estimate" not in all_text(report)


def test_body_links_with_numbers_are_not_notes():
    """A table of contents and a numbered in-page cross-reference are not footnotes."""
    html = """<html><body><h1>Report</h1><ol><li><a href="#s2">2</a> Security</li></ol>
    <p>As shown in section <a href="#s2">2</a>, the army patrols.</p>
    <h2 id="s2">2. Security</h2><p>Patrols continue.</p></body></html>"""
    report = read(html)
    assert report.footnotes == []
    assert "the army patrols" in all_text(report)


def test_two_note_series_reusing_numbers_are_both_kept():
    html = """<html><body><p>Text<sup><a href="#fn1">1</a></sup>.</p>
    <table><tr><td>Data<sup><a href="#tn1">1</a></sup></td></tr></table>
    <ol><li id="fn1">Source A, Report, 2020.</li></ol><ol><li id="tn1">Source B, Table, 2021.</li></ol>
    </body></html>"""
    report = read(html)
    assert sorted((f.n, f.text) for f in report.footnotes) == [
        (1, "Source A, Report, 2020."), (2, "Source B, Table, 2021.")]
    assert linked(report) == {1, 2}
    assert any(w.code == "footnote-renumbered" for w in report.warnings)


# --- bibliography -------------------------------------------------------------------------------

BIBLIOGRAPHY = """<html><body><h1>Honduras: gangs</h1>
<p>Gangs extort.<sup id="fnref:1"><a href="#fn:1" role="doc-noteref">[footnote 1]</a></sup>
Police act.<sup id="fnref:2"><a href="#fn:2" role="doc-noteref">[footnote 2]</a></sup></p>
<h2>Bibliography</h2>
<h3>Sources cited</h3>
<p>InSight Crime:</p>
<ul>
  <li><p><a rel="external" href="https://insightcrime.org/honduras-profile/">Honduras profile</a>, 3 May 2024. Accessed: 1 June 2025</p></li>
</ul>
<p>United States Department of State (USSD), <a rel="external" href="https://www.state.gov/reports/2024-hn/">2024 Country Reports on Human Rights Practices: Honduras</a>, 12 August 2025. Accessed: 20 August 2025</p>
<h3>Sources consulted but not cited</h3>
<p>Reuters, <a rel="external" href="https://www.reuters.com/world/hn-1">Honduras extends state of exception</a>, 23 September 2024. Accessed: 25 July 2025</p>
<div class="footnotes" role="doc-endnotes"><ol>
<li id="fn:1"><p>InSight Crime, <a href="https://insightcrime.org/honduras-profile">Honduras profile</a>, 3 May 2024 <a href="#fnref:1" role="doc-backlink">↩</a></p></li>
<li id="fn:2"><p>USSD, <a href="https://www.state.gov/reports/2024-hn/">2024 Country Reports…</a> (Section 1), 12 August 2025 <a href="#fnref:2" role="doc-backlink">↩</a></p></li>
</ol></div></body></html>"""


def test_bibliography_entries_groups_and_consulted_not_cited():
    report = read(BIBLIOGRAPHY)
    entries = [(e.text, e.cited) for e in report.bibliography]
    assert entries == [
        ("InSight Crime, Honduras profile, 3 May 2024. Accessed: 1 June 2025", True),
        ("United States Department of State (USSD), 2024 Country Reports on Human Rights Practices: "
         "Honduras, 12 August 2025. Accessed: 20 August 2025", True),
        ("Reuters, Honduras extends state of exception, 23 September 2024. Accessed: 25 July 2025", False),
    ]
    assert report.bibliography[0].urls == ["https://insightcrime.org/honduras-profile/"]


def test_bibliography_matched_to_the_notes_sources():
    report = read(BIBLIOGRAPHY)
    sources = link_citations(report)
    note_ids = [f.citations[0].source_id for f in report.footnotes]
    bib_ids = [e.citation.source_id for e in report.bibliography]
    # the same link: the note's short author (`USSD`) and shortened title are the same source
    assert bib_ids[:2] == note_ids
    by_id = {s.id: s for s in sources}
    reuters = by_id[bib_ids[2]]
    assert (reuters.author, reuters.title, reuters.cited) == ("Reuters", "Honduras extends state of exception", False)
    assert all(by_id[i].cited for i in note_ids)
    assert len(sources) == 3


def test_bare_number_link_is_a_marker_when_its_note_links_back():
    """No <sup>, no note-like class or id: the note's link back to the marker is the evidence."""
    html = """<html><body><h1>Briefing</h1><p>Killings rose <a href="#n1" id="r1">1</a> in 2024.</p>
    <p>See chapter <a href="#c2">2</a>.</p><h2 id="c2">2. Context</h2><p>Context text.</p>
    <ol><li id="n1"><a href="#r1">1</a> Observatorio, Informe anual, 2024.</li></ol></body></html>"""
    report = read(html)
    assert [(f.n, f.text) for f in report.footnotes] == [(1, "Observatorio, Informe anual, 2024.")]
    assert linked(report) == {1}
    assert "Context text." in all_text(report)


def test_a_marker_like_link_into_a_chapter_never_swallows_it():
    html = """<html><body><p>As set out in <sup><a href="#ch1">1</a></sup>.</p>
    <div id="ch1"><h2>1. Law</h2><p>The law says much.</p></div></body></html>"""
    report = read(html)
    assert report.footnotes == []
    assert "The law says much." in all_text(report)


def test_page_title_loses_the_site_name_only():
    head = '<head><title>{}</title><meta property="og:site_name" content="Human Rights Watch"></head>'
    report = read(f"<html>{head.format('Peru: Events of 2023 | Human Rights Watch')}<body><p>x</p></body></html>")
    assert report.title == "Peru: Events of 2023"
    report = read("<html><head><title>Peru - World Report 2024</title></head><body><p>x</p></body></html>")
    assert report.title == "Peru - World Report 2024"


def test_govuk_variant_role_on_sup_numbered_span_heading_and_word_endnotes_in_roman():
    html = """<html><body><div class="govspeak">
    <h3 id="justice"><span class="number">8. </span> Justice and the rule of law</h3>
    <p>8.1.1 Courts were suspended.<sup id="fnref:9" role="doc-noteref"><a href="#fn:9" class="govuk-link"
    rel="footnote">[footnote 9]</a></sup> Judges were removed.<a href="#_edn1" name="_ednref1">[i]</a></p>
    <div class="footnotes" role="doc-endnotes"><ol start="9"><li id="fn:9"><p>UNAMA, <a href="https://unama.org/r">Update</a>,
    1 May 2024 <a href="#fnref:9" class="govuk-link" role="doc-backlink">↩</a></p></li></ol></div>
    <div id="edn1"><p><a href="#_ednref1" name="_edn1">[i]</a> AAN, Decrees, 2023.</p></div>
    </div></body></html>"""
    report = read(html)
    (section,) = report.sections
    assert (section.number, section.title) == ("8", "Justice and the rule of law")
    (p,) = section.paragraphs
    assert p.text == "8.1.1 Courts were suspended. Judges were removed."
    assert [(f.n, f.text) for f in report.footnotes] == [(9, "UNAMA, Update, 1 May 2024"), (10, "AAN, Decrees, 2023.")]
    assert [m.n for m in p.markers] == [9, 10]


def test_bibliography_publisher_as_subheading_and_entries_with_their_own_author():
    html = """<html><body><h2>Bibliography</h2><h3>Sources cited</h3>
    <h4 id="ilga-europe">ILGA-Europe,</h4>
    <ul><li><p><a href="https://www.ilga-europe.org/about-us/">About Us</a>, no date. Accessed: 14 July 2025</p></li>
    <li><p>ILGA-World, <a href="https://ilga.org/upr.pdf">UPR Outcomes Albania</a>, no date. Accessed: 20 August 2025</p></li></ul>
    <h4 id="cia">United States Central Intelligence Agency (US CIA), The World Factbook,</h4>
    <p><a href="https://www.cia.gov/the-world-factbook/countries/albania/">Albania</a> (People and Society), updated regularly. Accessed: 6 August 2025</p>
    <h3>Sources consulted but not cited</h3>
    <p>Global Gayz, <a href="https://www.globalgayz.com/gay-life-in-albania/2236/">Gay Life in Albania</a>, no date. Accessed: 9 July 2025</p>
    </body></html>"""
    report = read(html)
    assert [e.text.split(",")[0] for e in report.bibliography] == [
        "ILGA-Europe", "ILGA-World", "United States Central Intelligence Agency (US CIA)", "Global Gayz"]
    assert [e.cited for e in report.bibliography] == [True, True, True, False]
    sources = link_citations(report)
    c = report.bibliography[0].citation
    assert (c.author, c.title, c.url) == ("ILGA-Europe", "About Us", "https://www.ilga-europe.org/about-us/")
    assert len(sources) == 4 and [s.cited for s in sources] == [True, True, True, False]


def test_title_reference_date_and_cut_off_statements():
    html = """<html><body><h1>Sudan: Security situation</h1>
    <p>Reference: EUAA-COI-SD-2026-07, July 2026</p><p>Updated 3 August 2026</p>
    <p>COI cut-off: 30 June 2026</p><h2>1. Overview</h2><p>Fighting continued.</p></body></html>"""
    report = read(html, "whatever-file-name.html")
    assert report.title == "Sudan: Security situation"
    assert report.reference == "EUAA-COI-SD-2026-07"
    assert report.published == "2026-07"  # the reference's date before a later update
    assert report.cut_off == "2026-06-30"
    assert not any(w.code == "title-missing" for w in report.warnings)


def test_spanish_report_language_and_bibliografia():
    html = """<html><body><h1>Perú: situación de seguridad</h1>
    <p>La policía informó que los ataques de las bandas aumentaron en los distritos de Lima y del
    Callao durante el año, según los datos que se publicaron.</p>
    <h2>Bibliografía</h2><p>Defensoría del Pueblo, <a href="https://www.defensoria.gob.pe/r">Reporte de conflictos sociales</a>, marzo de 2024.</p>
    </body></html>"""
    report = read(html)
    assert report.language == "es"
    (entry,) = report.bibliography
    link_citations(report)
    assert (entry.citation.author, entry.citation.title, entry.citation.date) == (
        "Defensoría del Pueblo", "Reporte de conflictos sociales", "2024-03")


def test_several_notes_in_one_block_are_cut_at_their_anchors():
    html = """<html><body><p>Arrests<sup><a href="#n1">1</a></sup> and trials<sup><a href="#n2">2</a></sup>.</p>
    <hr><p class="notes"><a name="n1"></a>1 Police, <a href="https://police.example/r">Annual report</a>, 2024.<br>
    <a name="n2"></a>2 Courts, Statistics, 2025.</p></body></html>"""
    report = read(html)
    assert [(f.n, f.text) for f in report.footnotes] == [
        (1, "Police, Annual report, 2024."), (2, "Courts, Statistics, 2025.")]
    assert report.footnote(1).urls == ["https://police.example/r"]
    f1 = report.footnote(1)
    assert [(f1.text[k.start:k.end], k.url) for k in f1.links] == [("Annual report", "https://police.example/r")]
    assert [p.text for p in report.paragraphs()] == ["Arrests and trials."]


def test_a_word_file_name_in_title_gives_way_to_the_first_heading():
    html = """<html><head><title>Microsoft Word - A_HRC_55_23_AEV.docx</title></head><body>
    <h1>Situation of human rights in Haiti</h1><p>Report of the High Commissioner.</p></body></html>"""
    assert read(html).title == "Situation of human rights in Haiti"


def test_numbered_heading_written_as_a_paragraph_under_its_numbered_parent():
    """Older GOV.UK notes write sub-headings as plain paragraphs: `<p>3.2 Contemporary …</p>`."""
    html = """<html><body><h3>3. History of blood feuds</h3><p>3.1.1 The Kanun is old.</p>
    <p>3.2 Contemporary attitudes to customary law</p><p id="x">3.2.1 The Cedoca report 2017 stated:</p>
    <p>3.3 Million people moved.</p><p>4.1 Not under an open section</p>
    <h3>4. Protection</h3><p>4.1.1 Police act.</p></body></html>"""
    report = read(html)
    three, four = report.sections
    assert [(s.number, s.title) for s in three.sections] == [("3.2", "Contemporary attitudes to customary law")]
    assert [p.text for p in three.sections[0].paragraphs] == [
        "3.2.1 The Cedoca report 2017 stated:", "3.3 Million people moved.", "4.1 Not under an open section"]
    assert (four.number, four.title, [p.text for p in four.paragraphs]) == ("4", "Protection", ["4.1.1 Police act."])
