"""Every reader is linear in its input: a 1 MB word, a 5 MB URL, 10,000 levels of nesting and a
list numbered from 10^12 each finish well inside a generous limit (LIMIT seconds; today each
takes a second or a few on one core). Before the fixes these took hours or never finished."""

from __future__ import annotations

import pytest
from inputs import HTML, TEXT, deadline, docx_bytes, docx_parts, pdf_bytes

from corroborate import Library
from corroborate.readers import ReaderError, read_document

LIMIT = 90
MB = 1024 * 1024
WORD = "a" * MB
URL = "https://example.org/" + "a" * (5 * MB)


@pytest.fixture(autouse=True)
def no_embeddings(monkeypatch):
    monkeypatch.setenv("CORROBORATE_EMBEDDINGS", "0")


def ingest(tmp_path, name: str, data: bytes | str):
    """The whole ingest (reader, citations, store), under the limit."""
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    with deadline(LIMIT), Library(tmp_path / "c.db") as lib:
        return lib.report(lib.ingest(path).id)


def test_text_with_a_1_mb_word(tmp_path):
    report = ingest(tmp_path, "word.txt", TEXT.replace("Curfews were", f"Curfews {WORD} were"))
    assert any(WORD in p.text for p in report.paragraphs())


def test_text_with_a_5_mb_url_in_a_footnote(tmp_path):
    report = ingest(tmp_path, "url.txt", TEXT.replace("https://www.amnesty.org/en/documents/amr46/6761/2023/en/", URL))
    assert report.footnote(1).urls == [URL]


def test_text_of_one_10_mb_line_without_spaces(tmp_path):
    with pytest.raises(ReaderError, match="no body text"), deadline(LIMIT):
        path = tmp_path / "line.txt"
        path.write_bytes(b"x" * (10 * MB))
        read_document(path)  # one "word" is not a report body, but it is read and refused at once


def test_html_with_a_1_mb_word_and_a_5_mb_url(tmp_path):
    html = HTML.replace("Roads were blocked.", f"Roads {WORD} were blocked.").replace(
        "https://www.amnesty.org/en/documents/amr46/6761/2023/en/", URL)
    report = ingest(tmp_path, "big.html", html)
    assert any(WORD in p.text for p in report.paragraphs())
    assert report.footnote(1).urls == [URL]


def test_html_nested_10000_deep(tmp_path):
    deep = "<div>" * 10_000 + "<p>Lost text.</p>" + "</div>" * 10_000
    report = ingest(tmp_path, "deep.html", HTML.replace("<h2>2. Human", deep + "<h2>2. Human"))
    assert any(w.code == "html-depth" for w in report.warnings)
    assert any(p.text.startswith("Protests spread") for p in report.paragraphs())


def test_docx_with_a_1_mb_word_and_a_5_mb_url_field(tmp_path):
    parts = docx_parts()
    document = parts["word/document.xml"].replace("We were shot at", f"We {WORD} were shot at")
    footnotes = parts["word/footnotes.xml"].replace(
        "https://www.amnesty.org/en/documents/amr46/6761/2023/en/", URL)
    report = ingest(tmp_path, "big.docx", docx_bytes(document=document, footnotes=footnotes))
    assert any(WORD in p.text for p in report.paragraphs())
    assert report.footnote(1).urls == [URL]


@pytest.mark.parametrize("fmt", ["lowerRoman", "upperRoman", "lowerLetter", "decimal"])
def test_docx_numbering_from_10_to_the_12(tmp_path, fmt):
    numbering = docx_parts()["word/numbering.xml"].replace(
        '<w:start w:val="1"/><w:numFmt w:val="lowerRoman"/>', f'<w:start w:val="{10**12}"/><w:numFmt w:val="{fmt}"/>')
    report = ingest(tmp_path, "num.docx", docx_bytes(numbering=numbering))
    assert report.sections[0].sections[0].title.endswith("Lima")


def test_pdf_with_a_5_mb_link_annotation(tmp_path):
    report = ingest(tmp_path, "link.pdf", pdf_bytes(link=URL))
    assert report.footnote(1).urls == [URL]
