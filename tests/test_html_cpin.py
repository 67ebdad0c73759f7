"""The real UK Home Office CPIN (GOV.UK govspeak body, OGL; see tests/data/corpus/cpin/PROVENANCE.md)
read, cited, stored in a real SQLite file, shown in the reader and exported.

The file is the bare `<div class="govspeak">` fragment GOV.UK's content API serves. Until the
content sniffing of `readers/__init__.py` reads a file that opens with a tag as HTML (another
branch), the ingest tests store a copy wrapped in `<html><body>`; the reader tests call the HTML
reader on the fragment itself.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from corroborate.citations.bibliography import url_key
from corroborate.library import Library
from corroborate.models import Report
from corroborate.readers.html import read_html_file
from corroborate.settings import Settings
from corroborate.web.app import create_app

CPIN = Path(__file__).parent / "data" / "corpus" / "cpin" / "cpin-colombia-internal-relocation-2026-03.html"


@pytest.fixture(scope="module")
def cpin() -> Report:
    return read_html_file(CPIN, CPIN.read_bytes())


@pytest.fixture(scope="module")
def cpin_lib(tmp_path_factory):
    monkey = pytest.MonkeyPatch()
    monkey.setenv("CORROBORATE_EMBEDDINGS", "0")
    folder = tmp_path_factory.mktemp("cpin")
    wrapped = folder / CPIN.name  # see the module docstring: needed only until sniffing lands
    wrapped.write_bytes(b"<html><body>" + CPIN.read_bytes() + b"</body></html>")
    lib = Library(folder / "lib.db")
    result = lib.ingest(wrapped)
    yield lib, result.id
    lib.close()
    monkey.undo()


def test_all_200_footnotes_with_text_and_linked_to_their_markers(cpin):
    assert [f.n for f in cpin.footnotes] == list(range(1, 201))
    assert all(f.text and "↩" not in f.text and not f.text.endswith("\u00a0") for f in cpin.footnotes)
    cited = {m.n for p in cpin.paragraphs() for m in p.markers}
    assert cited == set(range(1, 201))
    text = " ".join(p.text for p in cpin.paragraphs())
    assert "[footnote" not in text
    assert "UN Data, Colombia, no date" not in text  # no note read as body text
    p = next(p for p in cpin.paragraphs() if p.text.startswith("3.1.1"))
    assert p.text == ("3.1.1 Colombia’s surface area is 1,141,748 square kilometres. This is more than 4.5 "
                      "times the area of the UK. The capital is Bogotá.")
    assert [(m.n, p.text[m.offset - 1]) for m in p.markers] == [(1, "."), (2, "."), (3, ".")]
    assert cpin.footnote(1).text == "UN Data, Colombia, no date"


def test_heading_tree_with_numbers(cpin):
    tops = [s.title for s in cpin.sections]
    assert tops == ["Executive summary", "Assessment", "Country information", "Research methodology",
                    "Terms of reference", "Bibliography", "Version control and feedback"]
    info = cpin.sections[2]
    numbered = [(s.number, s.title) for s in info.sections if s.number]
    assert numbered[0] == ("3", "Geography") and numbered[-1] == ("17", "Returnees")
    assert [s.number for s in numbered_children(cpin, "8")] == ["8.1", "8.2", "8.3", "8.4", "8.5"]
    # `1.2 Exclusion` is an <h3> like `1.`, yet it is the sibling of `1.1`, under `1`
    assert [s.number for s in numbered_children(cpin, "1")] == ["1.1", "1.2"]


def numbered_children(report: Report, number: str):
    return report.section(number).sections


def test_metadata_from_the_content(cpin):
    assert cpin.published == "2026-03-12"  # "valid from 12 March 2026" in the clearance list
    assert cpin.edition == "2.0"
    assert cpin.cut_off == "2026-02-17"  # "published … on or before 17 February 2026"
    assert cpin.publisher == "Home Office"  # "Feedback to the Home Office"
    # The fragment names no title anywhere; the reader says so instead of taking a section name.
    assert cpin.title == "Cpin Colombia Internal Relocation 2026 03"
    assert [w.code for w in cpin.warnings] == ["title-missing"]


def test_citations_parsed_with_their_urls(cpin_lib):
    lib, rid = cpin_lib
    report = lib.report(rid)
    cits = [c for f in report.footnotes for c in f.citations]
    assert len(cits) == 200
    assert all(c.url and c.author and c.title for c in cits)
    c = report.footnote(171).citations[0]
    assert (c.author, c.title, c.locator, c.date) == (
        "USSD", "2023 Country Reports on Human Rights Practices: Colombia", "Section 2", "2024-04-23")
    assert c.url == "https://www.state.gov/reports/2023-country-reports-on-human-rights-practices/colombia/"
    assert not [w for w in report.warnings if w.code.startswith("citation")]


def test_bibliography_read_into_the_registry(cpin_lib):
    lib, rid = cpin_lib
    report = lib.report(rid)
    assert len(report.bibliography) == 161
    consulted = [e for e in report.bibliography if not e.cited]
    assert [e.citation.author for e in consulted] == [
        "Amazon Coorporation Treaty Organization (ACTO)", "Bloomberg UK", "European Union Agency for Asylum (EUAA)",
        "Government of the Netherlands", "Reuters"]
    note_sources = {c.source_id for f in report.footnotes for c in f.citations}
    matched = [e for e in report.bibliography if e.citation.source_id in note_sources]
    assert len(matched) == 141
    # every other entry under "Sources cited" is cited by a hyperlink in the running text
    body_links = {url_key(k.url) for p in report.paragraphs() for k in p.links}
    rest = [e for e in report.bibliography if e.cited and e not in matched]
    assert len(rest) == 15 and all(url_key(e.citation.url) in body_links for e in rest)
    sources = {s["id"]: s for s in lib.store.list_sources(rid)}
    assert all(e.citation.source_id in sources for e in report.bibliography)
    assert sum(1 for s in sources.values() if not s["cited"]) == 5
    reuters = lib.store.get_source(consulted[-1].citation.source_id)
    assert reuters is not None and not reuters.cited and reuters.date == "2024-09-23"


def test_inline_links_stored_shown_and_exported(cpin_lib, tmp_path):
    lib, rid = cpin_lib
    report = lib.report(rid)
    p = next(p for p in report.paragraphs() if p.text.startswith("In general, a person fearing"))
    assert [(p.text[k.start:k.end], k.url) for k in p.links] == [
        ("CPINs on Colombia", "https://www.gov.uk/government/publications/colombia-country-policy-and-information-notes")]
    client = TestClient(create_app(Settings(db=lib.store.path, embeddings=False)))
    page = client.get(f"/reports/{rid}", headers={"accept": "text/html"}).text
    assert re.search(r'<a class="doc-link" href="https://www\.gov\.uk/government/publications/'
                     r'colombia-country-policy-and-information-notes" rel="noopener nofollow">CPINs on Colombia</a>', page)
    md = lib.export_report(rid, "md", tmp_path / "cpin.md").read_text(encoding="utf-8")
    assert "[CPINs on Colombia](https://www.gov.uk/government/publications/colombia-country-policy-and-information-notes)" in md
    html = lib.export_report(rid, "html", tmp_path / "cpin.html").read_text(encoding="utf-8")
    assert 'href="https://www.gov.uk/government/publications/colombia-country-policy-and-information-notes"' in html
    docx = lib.export_report(rid, "docx", tmp_path / "cpin.docx")
    with zipfile.ZipFile(docx) as z:
        rels = z.read("word/_rels/document.xml.rels").decode()
    assert "https://www.gov.uk/government/publications/colombia-country-policy-and-information-notes" in rels


def test_consulted_only_source_in_sources_page_and_api(cpin_lib):
    lib, rid = cpin_lib
    reuters = next(e for e in lib.report(rid).bibliography if not e.cited and e.citation.author == "Reuters").citation.source_id
    client = TestClient(create_app(Settings(db=lib.store.path, embeddings=False)))
    page = client.get(f"/sources/{reuters}", headers={"accept": "text/html"})
    assert page.status_code == 200 and "consulted, not cited" in page.text
    listing = client.get(f"/sources?report={rid}", headers={"accept": "text/html"}).text
    assert listing.count("consulted, not cited</span>") == 5
    api = client.get(f"/api/sources/{reuters}").json()
    assert api["cited"] is False and api["cited_by"] == []
    shown = client.get(f"/api/reports/{rid}").json()
    assert sum(1 for e in shown["bibliography"] if not e["cited"]) == 5
    assert shown["edition"] == "2.0"


def test_a_database_of_the_previous_schema_is_migrated_in_place(tmp_path):
    """Links, edition/reference and the bibliography arrive by one migration; what was stored
    before reads back with no links and no bibliography."""
    import sqlite3

    from corroborate.store import SqliteStore
    from corroborate.store.rows import split_sql as _split_sql
    from corroborate.store.sqlite import MIGRATIONS

    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    for stmt in _split_sql(MIGRATIONS[0]):
        old.execute(stmt)
    old.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    old.execute("INSERT INTO reports(pk, id, family, title, source_hash, ingested_at) "
                "VALUES (1, 'r', 'r', 'Old report', 'h', '2026-01-01')")
    old.execute("INSERT INTO sections(pk, report_pk, ord, title, level) VALUES (1, 1, 0, 'Intro', 1)")
    old.execute("INSERT INTO paragraphs(report_pk, section_pk, id, ord, kind, text) "
                "VALUES (1, 1, 'p1', 0, 'body', 'Old text.')")
    old.execute("INSERT INTO footnotes(report_pk, n, text) VALUES (1, 1, 'A note.')")
    old.commit()
    old.close()
    store = SqliteStore(path)
    try:
        report = store.load_report("r")
        assert next(report.paragraphs()).links == []
        assert report.footnote(1).links == [] and report.bibliography == [] and report.edition is None
    finally:
        store.close()


def test_a_quoted_source_under_its_lead_in_is_one_referenced_passage(cpin):
    """A CPIN quotes its sources paragraph by paragraph in body text, under a lead-in that names
    the source ('5.4.1 TimeCamp … noted that average salaries in Colombia:'), and footnotes the
    quotation where it ends: the quoted paragraphs are not unreferenced statements."""
    from corroborate.audit import audit_report
    from corroborate.models import assign_paragraph_ids

    report = cpin.model_copy(deep=True)
    assign_paragraph_ids(report, "cpin")
    lead = next(p for p in report.paragraphs() if p.text.startswith("5.4.1 TimeCamp"))
    paragraphs = list(report.paragraphs())
    at = paragraphs.index(lead)
    quoted = paragraphs[at + 1:at + 5]
    assert all(p.text.startswith("‘") for p in quoted) and not quoted[0].markers and quoted[1].markers
    findings = audit_report(report, [], None, ["statement-unreferenced"])["findings"]
    flagged = {f["paragraph_id"] for f in findings}
    assert not flagged & {p.id for p in [lead, *quoted]}
    # nor is the note's own apparatus ('About the information', 'Clearance' …); what it states in
    # its own words with no footnote (its assessment, section 2) still is
    apparatus = {"About the information", "About the assessment", "Clearance", "Feedback to the Home Office",
                 "Independent Advisory Group on Country Information"}
    assert not apparatus & {f["section"] for f in findings}
    assert len(findings) < 200 and any(f["section"] == "2" for f in findings)
