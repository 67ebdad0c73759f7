"""The HTML reader on the common footnote patterns: pandoc, Word-exported HTML, Wikipedia."""

from __future__ import annotations

from pathlib import Path

import pytest

from corroborate import Library
from corroborate.models import Report
from corroborate.readers import ReaderError, read_document

PANDOC = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Peru: Security situation</title>
<style>p { color: red }</style><script>document.write("<p>injected</p>")</script></head><body>
<nav><a href="/">Home</a> <a href="#s2">2</a></nav>
<h1>Peru: Security situation</h1>
<h2>1. Political context</h2>
<p>Protests spread in December 2022.<a href="#fn1" class="footnote-ref" id="fnref1" role="doc-noteref"><sup>1</sup></a>
Police used “lethal force”.<a href="#fn2" class="footnote-ref" id="fnref2" role="doc-noteref"><sup>2</sup></a></p>
<ul><li>Curfews in Puno<ul><li>and in Cusco</li></ul></li><li>States of emergency</li></ul>
<blockquote><p>We were shot at as we ran.</p></blockquote>
<figure><img src="map.png" alt=""><figcaption>Map of the southern regions</figcaption></figure>
<h3>1.1 Lima</h3>
<p>See <a href="https://www.gob.pe/">the government portal</a> and <b>bold <script>evil()</script>text</b>.
<img src=x onerror="alert(1)"></p>
<h2>2. Defenders</h2><p>Attacks rose.</p>
<section id="footnotes" class="footnotes" role="doc-endnotes"><hr><ol>
<li id="fn1"><p>Amnesty International, <a href="https://www.amnesty.org/en/documents/amr46/6761/2023/en/">Lethal
repression</a>, 2023. <a href="#fnref1" class="footnote-back" role="doc-backlink">↩︎</a></p></li>
<li id="fn2"><p>Human Rights Watch, Deadly Decline, 2023, https://www.hrw.org/report/2023/04/26/deadly-decline.
<a href="#fnref2" class="footnote-back" role="doc-backlink">↩︎</a></p></li></ol></section>
</body></html>"""

WORD = """<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>
<meta http-equiv=Content-Type content="text/html; charset=windows-1252"><title>Informe</title></head>
<body lang=ES><div class=WordSection1>
<h1>Situaci\xf3n de seguridad</h1>
<p class=MsoNormal>La polic\xeda detuvo a 20 personas.<a href="#_ftn1" name="_ftnref1" title=""><span
class=MsoFootnoteReference><span class=MsoFootnoteReference>[1]</span></span></a> Otra frase.<a
href="#_ftn2" name="_ftnref2" title=""><span class=MsoFootnoteReference>[2]</span></a></p>
</div><div style='mso-element:footnote-list'><br clear=all><hr align=left size=1 width="33%">
<div style='mso-element:footnote' id=ftn1><p class=MsoFootnoteText><a href="#_ftnref1" name="_ftn1"
title=""><span class=MsoFootnoteReference>[1]</span></a> Defensor\xeda del Pueblo, Reporte mensual,
2023.</p><p class=MsoFootnoteText>Segundo p\xe1rrafo de la nota.</p></div>
<div style='mso-element:footnote' id=ftn2><p class=MsoFootnoteText><a href="#_ftnref2" name="_ftn2"
title="">[2]</a> <a href="https://www.gob.pe/x">https://www.gob.pe/x</a></p></div></div></body></html>"""

WIKI = """<!DOCTYPE html><html><head><title>Wiki</title></head><body><div id="content">
<h1 id="firstHeading">Human rights in Peru</h1>
<div class="mw-parser-output"><p>Peru ratified the convention in 1978.<sup id="cite_ref-oas_1-0"
class="reference"><a href="#cite_note-oas-1">[1]</a></sup> Courts cited it.<sup id="cite_ref-2"
class="reference"><a href="#cite_note-2">[2]</a></sup><sup id="cite_ref-oas_1-1" class="reference"><a
href="#cite_note-oas-1">[1]</a></sup></p>
<h2><span class="mw-headline" id="References">References</span></h2>
<div class="reflist"><ol class="references">
<li id="cite_note-oas-1"><span class="mw-cite-backlink">^ <a href="#cite_ref-oas_1-0"><sup><i><b>a</b></i></sup></a>
<a href="#cite_ref-oas_1-1"><sup><i><b>b</b></i></sup></a></span> <span class="reference-text"><a rel="nofollow"
class="external text" href="https://www.oas.org/dil/treaties">"American Convention"</a>. OAS.</span></li>
<li id="cite_note-2"><span class="mw-cite-backlink"><b><a href="#cite_ref-2">^</a></b></span>
<span class="reference-text">Tribunal Constitucional, 2005.</span></li></ol></div></div></div></body></html>"""


def read_html(tmp_path: Path, name: str, html: str, encoding: str = "utf-8") -> Report:
    path = tmp_path / name
    path.write_bytes(html.encode(encoding))
    return read_document(path)


def all_text(report: Report) -> str:
    return " ".join(p.text for p in report.paragraphs())


def test_pandoc_sections_paragraphs_and_notes(tmp_path):
    report = read_html(tmp_path, "pandoc.html", PANDOC)
    assert report.format == "html"
    assert report.title == "Peru: Security situation"
    h1 = report.sections[0]
    assert [(s.number, s.title) for s in h1.sections] == [("1", "Political context"), ("2", "Defenders")]
    assert h1.sections[0].sections[0].number == "1.1"
    para = h1.sections[0].paragraphs[0]
    assert para.text == "Protests spread in December 2022. Police used “lethal force”."
    assert [(m.n, para.text[:m.offset]) for m in para.markers] == [
        (1, "Protests spread in December 2022."), (2, para.text)]
    kinds = [(p.kind.value, p.text) for p in h1.sections[0].paragraphs[1:]]
    assert kinds == [("list_item", "Curfews in Puno"), ("list_item", "and in Cusco"),
                     ("list_item", "States of emergency"), ("quote", "We were shot at as we ran."),
                     ("caption", "Map of the southern regions")]
    f1, f2 = report.footnotes
    assert f1.text == "Amnesty International, Lethal repression, 2023."
    assert f1.urls == ["https://www.amnesty.org/en/documents/amr46/6761/2023/en/"]
    assert f2.urls == ["https://www.hrw.org/report/2023/04/26/deadly-decline"]


def test_scripts_styles_nav_and_markup_never_stored(tmp_path):
    report = read_html(tmp_path, "pandoc.html", PANDOC)
    text = all_text(report)
    assert "injected" not in text and "evil" not in text and "color: red" not in text
    assert "Home" not in text
    assert "<" not in text and "onerror" not in text
    assert "bold text" in text
    assert "Amnesty" not in text  # notes are not running text


def test_word_exported_html_ftn_notes(tmp_path):
    report = read_html(tmp_path, "word.htm", WORD, encoding="cp1252")
    assert report.sections[0].title == "Situación de seguridad"
    para = report.sections[0].paragraphs[0]
    assert para.text == "La policía detuvo a 20 personas. Otra frase."
    assert [m.n for m in para.markers] == [1, 2]
    assert report.footnote(1).text == "Defensoría del Pueblo, Reporte mensual, 2023. Segundo párrafo de la nota."
    assert report.footnote(2).urls == ["https://www.gob.pe/x"]


def test_wikipedia_cite_notes(tmp_path):
    report = read_html(tmp_path, "wiki.html", WIKI)
    para = report.sections[0].paragraphs[0]
    assert para.text == "Peru ratified the convention in 1978. Courts cited it."
    assert [m.n for m in para.markers] == [1, 2, 1]
    assert report.footnote(1).text == '"American Convention". OAS.'
    assert report.footnote(1).urls == ["https://www.oas.org/dil/treaties"]
    assert report.footnote(2).text == "Tribunal Constitucional, 2005."


def test_ingest_html_and_search_index(tmp_path, monkeypatch):
    monkeypatch.setenv("CORROBORATE_EMBEDDINGS", "0")
    path = tmp_path / "peru.html"
    path.write_text(PANDOC, encoding="utf-8")
    with Library(tmp_path / "lib.db") as lib:
        result = lib.ingest(path)
        stored = lib.report(result.id)
    assert result.footnotes == 2
    assert stored.format == "html"
    assert stored.footnote(2).text.startswith("Human Rights Watch")


def test_html_without_notes(tmp_path):
    report = read_html(tmp_path, "plain.html", "<html><body><p>Only text.</p></body></html>")
    assert report.footnotes == []


def test_html_without_body_text_is_refused(tmp_path):
    """Issue 12: a page with nothing in it is not "added" empty (it used to be)."""
    with pytest.raises(ReaderError, match="plain.html: no body text"):
        read_html(tmp_path, "plain.html", "<html><body></body></html>")


def test_usdos_style_outline_with_lettered_subsections(tmp_path):
    html = """<html><body><h1>Peru 2023 Human Rights Report</h1>
    <h2>Section 1. Respect for the Integrity of the Person</h2>
    <h3>a. Arbitrary Deprivation of Life</h3><p>There were reports of killings.</p>
    <h3>b. Disappearance</h3><p>There were no reports.</p>
    <h2>Section 2. Respect for Civil Liberties</h2><h3>A Note on Sources</h3><p>Text.</p></body></html>"""
    report = read_html(tmp_path, "usdos.html", html)
    (top,) = report.sections
    s1, s2 = top.sections
    assert [(s.number, s.title, s.level) for s in s1.sections] == [
        ("a", "Arbitrary Deprivation of Life", 3), ("b", "Disappearance", 3)]
    assert (s2.sections[0].number, s2.sections[0].title) == (None, "A Note on Sources")
    assert s1.sections[1].paragraphs[0].text == "There were no reports."


def test_site_chrome_around_the_report_is_left_out(tmp_path):
    html = """<html><body><header><p>Skip to content</p><p>EUAA home | Search</p></header>
    <main><h1>Peru: Country Focus</h1><p>Main text.<sup><a href="#fn1" id="r1">1</a></sup></p></main>
    <footer><p>© Privacy policy</p><ol><li id="fn1">EUAA, COI Report Methodology, 2023.</li></ol></footer>
    </body></html>"""
    report = read_html(tmp_path, "site.html", html)
    assert [p.text for p in report.paragraphs()] == ["Main text."]
    assert report.footnote(1).text == "EUAA, COI Report Methodology, 2023."
