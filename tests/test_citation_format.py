"""Citations fit for a decision, on the real sample: publisher, title, date, section number and
heading, page, permalink and the footnotes with their links; EUAA and OSCOLA styles; never the
word "url" for a lost link, never a stored id or offset in what a person reads."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from conftest import SAMPLE_ID
from corroborate.citations.format import (
    check_style,
    citation_text,
    footnote_line,
    paragraph_section,
    passage_reference,
)
from corroborate.cli import main
from corroborate.export.compile import QuestionEvidence, Quote, compile_document
from corroborate.export.document import BlockKind

BASE = "https://coi.example.org"
PLACEHOLDER = re.compile(r"(?<![\w/.])url(?![\w/])")


@pytest.fixture(scope="module")
def tren(sample_report):
    return next(p for p in sample_report.paragraphs() if p.text.startswith("Tren de Aragua is Venezuela"))


def test_passage_reference_names_date_section_number_heading_page_and_permalink(sample_report, tren):
    assert paragraph_section(sample_report, tren.id) == ("3.5.1", "Tren de Aragua")
    assert passage_reference(sample_report, tren, "euaa", BASE) == (
        "EUAA, Peru – Country Focus, September 2023, section 3.5.1 ‘Tren de Aragua’, p. 43, "
        f"{BASE}/reports/{SAMPLE_ID}#p-{tren.id}")
    assert passage_reference(sample_report, tren, "oscola", BASE) == (
        "EUAA, Peru – Country Focus (September 2023) section 3.5.1 ‘Tren de Aragua’, 43 "
        f"<{BASE}/reports/{SAMPLE_ID}#p-{tren.id}>")
    # without a known address there is no permalink, and nothing made up in its place
    assert passage_reference(sample_report, tren) == (
        "EUAA, Peru – Country Focus, September 2023, section 3.5.1 ‘Tren de Aragua’, p. 43")


def test_copied_citation_of_a_sentence(sample_lib, tren):
    text = sample_lib.cite(SAMPLE_ID, tren.id, 0, tren.text.index(".") + 1, base_url=BASE)
    lines = text.splitlines()
    assert lines[0] == "“Tren de Aragua is Venezuela’s most powerful and largest criminal organisation.[297]”"
    assert lines[1].startswith("EUAA, Peru – Country Focus, September 2023, section 3.5.1")
    # footnote 297 kept only Infobae's link: InSight Crime's lost link is left out, not "url"
    assert lines[2].startswith("[297] InSight Crime, Tren de Aragua, 14 February 2023; Transparencia Venezuela")
    assert lines[2].endswith("1 April 2023, https://www.infobae.com/venezuela/2023/04/01/extorsion-prostitucion-"
                             "asesinatos-robos-y-narcotrafico-la-banda-venezolana-tren-de-aragua-se-convirtio-en-"
                             "una-multinacional-del-crimen/")
    oscola = sample_lib.cite("euaa-peru", tren.id, 0, tren.text.index(".") + 1, style="oscola").splitlines()
    assert oscola[2].startswith("[297] InSight Crime, ‘Tren de Aragua’ (14 February 2023); Transparencia "
                                "Venezuela, ‘Economías ilícitas: Al amparo de la corrupción’ (June 2022) 104; ")
    with pytest.raises(ValueError, match="oscola"):
        check_style("apa")


def test_no_footnote_of_the_sample_prints_the_word_url(sample_report):
    lines = [footnote_line(f, f.n, style) for f in sample_report.footnotes for style in ("euaa", "oscola")]
    assert len(lines) > 800
    assert not [line for line in lines if PLACEHOLDER.search(line)]
    # …while the sample really writes "url" where links were lost
    assert sum(1 for f in sample_report.footnotes if f.text and PLACEHOLDER.search(f.text)) > 200


def test_citation_styles_of_one_source(sample_report):
    (c,) = [c for c in sample_report.footnote(298).citations if c.author == "Transparencia Venezuela"]
    assert citation_text(c, "euaa") == ("Transparencia Venezuela, Economías ilícitas: Al amparo de la corrupción, "
                                        f"June 2022, {c.url}, p. 104")
    assert re.fullmatch(r"Transparencia Venezuela, ‘Economías ilícitas: Al amparo de la corrupción’ \(June 2022\) "
                        rf"104 <{re.escape(c.url)}> accessed \d{{1,2}} \w+ \d{{4}}", citation_text(c, "oscola"))


def test_compiled_response_cites_passages_without_stored_ids(sample_lib, sample_report):
    no_notes = next(p for p in sample_report.paragraphs() if not p.markers and p.section and p.section[0].isdigit())
    with_notes = next(p for p in sample_report.paragraphs() if p.markers)
    quotes = [Quote(report_id=SAMPLE_ID, paragraph_id=p.id, section=p.section, start=0, end=len(p.text),
                    text=p.text, footnotes=p.footnote_numbers) for p in (no_notes, with_notes)]
    doc = compile_document([QuestionEvidence(question="q", quotes=quotes)], lambda rid: sample_report,
                           sample_lib.store.get_source, base_url=BASE)
    leads = [b.text for b in doc.blocks if b.kind == BlockKind.LEAD]
    number, heading = paragraph_section(sample_report, no_notes.id)
    assert leads[0].startswith(f"EUAA, Peru – Country Focus, September 2023, section {number} ‘{heading}’")
    # the passage without footnotes is cited as the report itself, with its permalink
    own = [n.text for n in doc.notes.values() if n.origin is None]
    assert own == [passage_reference(sample_report, no_notes, "euaa", BASE)]
    assert not any(re.search(rf"paragraph {no_notes.id}\b", t) for t in own)


def test_cli_search_and_ask_show_page_and_section_not_ids(sample_db_master, sample_report, tren):
    runner = CliRunner()
    out = runner.invoke(main, ["--db", str(sample_db_master), "ask", "Who leads Tren de Aragua?", "--k", "2",
                               "--style", "oscola"], env={"CORROBORATE_BASE_URL": BASE})
    assert out.exit_code == 0, out.output
    assert "EUAA, Peru – Country Focus (September 2023) section 3.5.1 ‘Tren de Aragua’, 4" in out.output
    assert f"<{BASE}/reports/{SAMPLE_ID}#p-" in out.output
    without_links = re.sub(r"<https?://[^>]+>|https?://\S+", "", out.output)
    assert not re.search(r"\b[0-9a-f]{12}\b|\(\w+ \d+-\d+\)", without_links)
    assert not PLACEHOLDER.search(out.output)
