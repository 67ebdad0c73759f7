"""The PDF reader on real, born-digital, footnote-heavy PDFs (see tests/data/corpus/pdf/PROVENANCE.md)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import DATA
from corroborate import Library
from corroborate.contract import report_json
from corroborate.models import Report, fold
from corroborate.readers import read_document

PDFS = DATA / "corpus" / "pdf"
IACHR = PDFS / "iachr-merits-report-146-18.pdf"
KLIMA = PDFS / "mpilhlt_klimaseniorinnen_10.25364_01.11-2024.1.5.pdf"
MOLLOY = PDFS / "mpilhlt_molloy_police_human_rights_10.19164_ijple.v6i1.1295.pdf"

pytestmark = pytest.mark.skipif(not IACHR.exists(), reason=f"PDF corpus absent: {PDFS}")

_cache: dict[Path, Report] = {}


def read(path: Path) -> Report:
    if path not in _cache:
        _cache[path] = read_document(path)
    return _cache[path]


def marker_numbers(report: Report) -> list[int]:
    return [m.n for p in report.paragraphs() for m in p.markers]


@pytest.mark.parametrize("path,expected,pages", [(IACHR, 154, 23), (KLIMA, 103, 17), (MOLLOY, 55, 28)])
def test_every_footnote_recovered_in_sequence_and_linked(path, expected, pages):
    report = read(path)
    numbers = [f.n for f in report.footnotes]
    assert numbers == list(range(1, expected + 1))
    assert all(f.text and len(f.text) > 3 for f in report.footnotes)
    assert all(1 <= f.page <= pages for f in report.footnotes)
    assert [f.page for f in report.footnotes] == sorted(f.page for f in report.footnotes)
    linked = set(marker_numbers(report))
    assert linked == set(numbers), f"unlinked: {sorted(set(numbers) - linked)}"
    assert not [w for w in report.warnings if w.code in ("footnote-missing", "footnote-unreferenced")]
    assert all(p.page is not None for p in report.paragraphs())


@pytest.mark.parametrize("path", [IACHR, KLIMA, MOLLOY])
def test_no_footnote_text_inside_body_paragraphs(path):
    report = read(path)
    body = [fold(p.text) for p in report.paragraphs()]
    for f in report.footnotes:
        probe = fold(f.text)[-60:]  # the end: a note's opening words may quote the running text
        if len(probe) < 40:
            continue  # "Ibid." and "Para 419." also occur in running text
        assert not any(probe in b for b in body), f"footnote {f.n} leaked into the body"


def test_iachr_footnote_texts_pages_and_markers():
    report = read(IACHR)
    f1 = report.footnote(1)
    assert f1.page == 1
    assert f1.text == ("In a communication received on May 9, 2006, Mr. Ángel Acosta Martínez, a brother of "
                       "the alleged victim, reported that COFAVI would no longer sponsor the petition.")
    assert report.footnote(130).text.startswith("Special Rapporteur on contemporary forms of racism")
    assert report.footnote(130).text.endswith("para. 63.")
    assert report.footnote(132).text.endswith("Series C No. 170, par. 73.")
    # the marker sits right after the word it annotates, not in the text
    para = next(p for p in report.paragraphs() if p.text.startswith("1. On June 6, 2002"))
    assert para.page == 1
    m = para.markers[0]
    assert m.n == 1 and para.text[:m.offset].endswith("(COFAVI)")
    # two notes set side by side ("58" "59") and a marker right after a digit ("Article 7^115")
    assert {58, 59} <= set(marker_numbers(report))
    assert 115 in set(marker_numbers(report))


def test_iachr_marker_after_closing_quote():
    report = read(IACHR)
    para = next(p for p in report.paragraphs() if "Positive." in p.text and 68 in p.footnote_numbers)
    m = next(m for m in para.markers if m.n == 68)
    assert para.text[:m.offset].endswith("Positive.”")


def test_iachr_headings_and_outline():
    report = read(IACHR)
    top = [(s.number, s.title) for s in report.sections if s.number]
    assert top[:3] == [("I", "SUMMARY"), ("II", "POSITION OF THE PARTIES"), ("III", "DETERMINATIONS OF FACT")]
    assert report.section("II.A").title == "Petitioners"
    assert report.section("III.C").title == "Domestic proceedings"  # "C" after "B" is a letter
    assert report.section("III.B.1").level == 3
    numbered = [p for p in report.paragraphs() if re.match(r"\d+\. ", p.text)]
    assert len(numbered) >= 100  # the report's numbered paragraphs survive as paragraphs


def test_paragraph_joined_across_pages():
    report = read(IACHR)
    # paragraph 5 starts on page 1 and ends on page 2
    para = next(p for p in report.paragraphs() if p.text.startswith("5. Based on its determinations"))
    assert para.page == 1
    assert "the corresponding recommendations." in para.text


def test_running_headers_dropped_and_links_kept():
    report = read(KLIMA)
    body = " ".join(p.text for p in report.paragraphs())
    assert "(Weber)" not in body  # the running header of every page
    f1 = report.footnote(1)
    assert "https://www.ejiltalk.org/climate-change-and-the-echr-the-results-are-in/" in f1.urls
    f3 = report.footnote(3)  # URL broken over two lines: whole from its link annotation and text
    assert ("https://www.ejiltalk.org/victim-status-before-the-ecthr-in-cases-of-alleged-omissions-the-swiss"
            "-climate-case/") in f3.urls
    assert f3.text.startswith("Cf Schmid, Victim Status before the ECtHR")
    titles = [s.title for s in report.walk_sections()]
    assert "Introduction and Scope of the Essay" in titles
    assert "Standing for Associations" in titles


def test_molloy_title_notes_and_quote():
    report = read(MOLLOY)
    assert report.footnote(1).text.startswith("The author wishes to think Professor Colin Murray")
    assert "Introduction" in [s.title for s in report.walk_sections()]
    # the article's title carries footnote 1; it stays linked
    assert 1 in marker_numbers(report)
    assert any(p.kind.value == "quote" for p in report.paragraphs())


def _tei_titles(tei: Path) -> dict[int, list[str]]:
    ns = {"t": "http://www.tei-c.org/ns/1.0"}
    out: dict[int, list[str]] = {}
    for bibl in ET.parse(tei).getroot().iterfind(".//t:biblStruct", ns):
        n = int(bibl.get("source", "fn0")[2:])
        title = bibl.find(".//t:title", ns)
        if title is not None and title.text:
            out.setdefault(n, []).append(title.text)
    return out


@pytest.mark.parametrize("path", [KLIMA, MOLLOY])
def test_silver_tei_references_found_in_their_footnotes(path):
    """The silver labels tie each reference to footnote N: its title must be in footnote N."""
    report = read(path)
    labels = _tei_titles(path.with_suffix(".tei.xml"))
    checked = hits = 0
    for n, titles in labels.items():
        note = fold(report.footnote(n).text or "") if report.footnote(n) else ""
        for title in titles:
            checked += 1
            hits += fold(title)[:40] in note
    assert checked >= 30
    assert hits / checked >= 0.85, f"{hits}/{checked}"


def test_ingest_and_show_json(tmp_path, monkeypatch):
    monkeypatch.setenv("CORROBORATE_EMBEDDINGS", "0")
    with Library(tmp_path / "pdf.db") as lib:
        result = lib.ingest(IACHR)
        assert result.footnotes == 154
        stored = lib.report(result.id)
    out = report_json(stored)
    assert out["format"] == "pdf"
    assert len(out["footnotes"]) == 154
    assert out["footnotes"][0]["page"] == 1
    json.dumps(out)


def test_iachr_indented_testimony_is_one_quote_with_its_marker():
    report = read(IACHR)
    quote = next(p for p in report.paragraphs() if p.text.startswith('"a man aged about 30'))
    assert quote.kind.value == "quote"
    assert quote.page == 5
    assert quote.text.endswith('on a stretcher, who she saw "trembling".')
    assert [m.n for m in quote.markers] == [13] and quote.markers[0].offset == len(quote.text)
