"""Compiled query responses on the real sample: verbatim quotes (each an exact substring of a
stored paragraph), the original footnotes renumbered 1…N, a plain statement where nothing was
found, the methodology/disclaimer block and the sources cited; confidential sources unnamed
unless asked. The DOCX and PDF are read back by LibreOffice and pypdf."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DATA, SAMPLE_ID
from corroborate import Library
from corroborate.citations.format import link_segments, plain
from corroborate.cli import main
from corroborate.export import write_document
from corroborate.export.compile import NOT_FOUND, read_questions_file, tor_questions
from corroborate.export.document import BlockKind, NoteRef, Run
from corroborate.export.markdown import render_markdown
from corroborate.models import Report, TorItem
from test_export import pdf_pages, shows, soffice_to_pdf, squash

OFF_TOPIC = "What is the breeding season of emperor penguins in Antarctica?"


def dev_questions(*ids: str) -> list[str]:
    rows = [json.loads(line) for line in (DATA / "eval" / "dev-questions.jsonl").read_text().splitlines()
            if line.strip()]
    by_id = {r["id"]: r["q"] for r in rows}
    return [by_id[i] for i in ids]


@pytest.fixture(scope="module")
def lib(module_sample_lib):
    return module_sample_lib


@pytest.fixture(scope="module")
def report(lib) -> Report:
    return lib.report(SAMPLE_ID)


@pytest.fixture(scope="module")
def questions() -> list[str]:
    # unemployment in Q1 2023, how Congress is elected: both answered by the sample
    return dev_questions("d01", "d03")


@pytest.fixture(scope="module")
def response(lib, questions):
    return lib.compile_document(questions + [OFF_TOPIC])


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("compiled")


def quotes(doc) -> list:
    return [b for b in doc.blocks if b.kind == BlockKind.QUOTE]


def quote_text(block) -> str:
    text = "".join(i.text for i in block.inlines if isinstance(i, Run))
    assert text[0] == "“" and text[-1] == "”"
    return text[1:-1]


def test_each_question_is_answered_with_verbatim_quotes(response, report, questions):
    paragraphs = {p.id: p for p in report.paragraphs()}
    headings = [b.text for b in response.blocks if b.kind == BlockKind.HEADING]
    for i, q in enumerate(questions, 1):
        assert f"{i}. {q}" in headings
    qs = quotes(response)
    assert len(qs) >= 2
    for block in qs:
        assert quote_text(block) in paragraphs[block.anchor].text
    # every question got its own evidence (which passages is the search's business)
    per_question, current = {}, None
    for b in response.blocks:
        if b.kind == BlockKind.HEADING:
            current = b.text
        elif b.kind == BlockKind.QUOTE:
            per_question[current] = per_question.get(current, 0) + 1
    assert all(per_question.get(f"{i}. {q}") for i, q in enumerate(questions, 1))


def test_footnotes_are_the_original_citations_renumbered(response, report):
    calls = list(dict.fromkeys(response.note_calls()))
    assert calls == list(range(1, len(calls) + 1)), "footnotes must run 1…N in reading order"
    assert sorted(response.notes) == calls
    originals = 0
    for note in response.notes.values():
        if note.origin_n is None:  # a passage without footnotes: cites the report itself
            assert report.title in note.text
            continue
        fn = report.footnote(note.origin_n)
        if fn is None or fn.text is None:
            assert note.text is None
            continue
        assert note.text == fn.text and note.urls == fn.urls
        assert report.title in note.origin
        originals += 1
    assert originals >= 1
    # each original footnote sits where the report put it: inside or right after the passage
    paragraphs = {p.id: p for p in report.paragraphs()}
    for block in quotes(response):
        para = paragraphs[block.anchor]
        cited = {response.notes[i.n].origin_n for i in block.inlines if isinstance(i, NoteRef)}
        start = para.text.index(quote_text(block))
        end = start + len(quote_text(block))
        within = {m.n for m in para.markers if start <= m.offset <= end}
        assert within <= cited


def test_nothing_found_is_said_plainly(response):
    text = " ".join(b.text for b in response.blocks if b.kind == BlockKind.NOTICE)
    topic = "‘" + OFF_TOPIC.rstrip("?") + "’"
    assert NOT_FOUND.format(topic=topic) in text


def test_markdown_response_has_methodology_disclaimer_and_bibliography(lib, questions, out, response):
    path = lib.compile(questions, "md", out / "response.md")
    md = path.read_text(encoding="utf-8")
    assert "## Methodology and disclaimer" in md
    assert "not conclusive as to the determination or merit" in md
    assert "## Sources cited" in md and "### Reports quoted" in md
    assert re.search(r"^> “.+\[\^1\]", md, re.M)
    for n in range(1, len(re.findall(r"^\[\^\d+\]: ", md, re.M)) + 1):
        assert f"[^{n}]: " in md
    # the sources the quoted footnotes cite are in the bibliography
    bib = md[md.index("## Sources cited"):]
    cited = {c.author for note in response.notes.values() if note.origin_n
             for c in lib.report(SAMPLE_ID).footnote(note.origin_n).citations
             if c.author and c.source_id}
    assert cited and all(a in bib for a in cited)


def test_docx_and_pdf_responses_read_back(response, out):
    docx = write_document(response, "docx", out / "response.docx")
    (out / "lo").mkdir()
    with zipfile.ZipFile(docx) as z:
        body = z.read("word/document.xml").decode()
        notes = z.read("word/footnotes.xml").decode()
    # every footnote of the response is a Word footnote, Word-numbered 1…N (no custom marks)
    assert body.count("<w:footnoteReference") == len(response.notes)
    assert len(re.findall(r'<w:footnote w:id="\d+">', notes)) == len(response.notes)
    assert "customMarkFollows" not in body
    texted = [n for n in response.notes.values() if n.text is not None]
    rendered = squash("".join(pdf_pages(soffice_to_pdf(docx, out / "lo"))))
    pdf = squash("".join(pdf_pages(write_document(response, "pdf", out / "response.pdf"))))
    for note in texted:
        text = plain(link_segments(note.text, note.urls, note.citations))  # lost links left out
        assert shows(text, rendered)
        assert shows(text, pdf)
    for block in quotes(response):
        # the quote's text up to its first footnote call (the call's number follows in the PDF)
        assert squash(block.inlines[0].text)[:80] in pdf


# --- confidential oral sources ------------------------------------------------------------------


def dplf_question(report: Report, lib: Library) -> tuple[str, str]:
    """A sentence of the sample whose footnote cites the DPLF interview, used as the question."""
    src = next(s for s in lib.sources(SAMPLE_ID) if s["author"] and "DPLF" in s["author"])
    for p in report.paragraphs():
        for m in p.markers:
            fn = report.footnote(m.n)
            if fn and any(c.source_id == src["id"] for c in fn.citations):
                sentence = p.text[:m.offset].split(". ")[-1]
                if len(sentence.split()) >= 8:
                    return sentence, src["id"]
    raise AssertionError("no sentence of the sample cites DPLF")


def test_confidential_source_hidden_unless_asked(sample_db, report, tmp_path):
    with Library(sample_db) as lib:
        question, source_id = dplf_question(report, lib)
        lib.set_confidential(source_id)
        hidden = render_markdown(lib.compile_document([question]))
        named = render_markdown(lib.compile_document([question], name_confidential=True))
    assert "DPLF, interview with EUAA" in named
    # the question is the user's own words; everything the library adds must not name the source
    body_hidden = "\n".join(line for line in hidden[hidden.index("## 1. "):].splitlines()
                            if not line.startswith("## 1. "))
    assert "\\[confidential source\\]" in body_hidden  # Markdown-escaped brackets
    assert "DPLF" not in body_hidden and "Due Process of Law Foundation" not in body_hidden
    assert "Confidential oral source, interview with EUAA, 6 September 2023" in body_hidden


# --- questions ----------------------------------------------------------------------------------


def test_tor_items_become_questions(lib):
    qs = lib.tor_questions(SAMPLE_ID)
    assert any("Freedom of movement" in q for q in qs)
    assert any(q.endswith("Protection mechanisms and measures by police, judiciary, other bodies, including "
                          "effectiveness") for q in qs)
    nested = [TorItem(text="Organised crime", items=[TorItem(text="• Presence/Areas of operation")])]
    assert tor_questions(nested) == ["Organised crime – Presence/Areas of operation"]


def test_questions_file(tmp_path):
    f = tmp_path / "q.txt"
    f.write_text("# our questions\nWhat is the unemployment rate?\n\n{\"q\": \"¿Cómo se elige el Congreso?\"}\n")
    assert read_questions_file(f) == ["What is the unemployment rate?", "¿Cómo se elige el Congreso?"]
    f.write_text("{\"id\": 3}\n")
    with pytest.raises(ValueError, match="line 1"):
        read_questions_file(f)
    with pytest.raises(ValueError, match="no such questions file"):
        read_questions_file(tmp_path / "absent.txt")


def test_cli_compile(lib, questions, tmp_path):
    runner = CliRunner()
    db = lib.settings.db
    qfile = tmp_path / "qs.txt"
    qfile.write_text(questions[0] + "\n")
    res = runner.invoke(main, ["--db", db, "compile", "--questions", str(qfile), "-q", questions[1],
                               "--report", SAMPLE_ID, "--format", "html", "-o", str(tmp_path / "r.html")])
    assert res.exit_code == 0, res.output
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert 'role="doc-endnotes"' in html and html.count("<blockquote") >= 2
    res = runner.invoke(main, ["--db", db, "compile", "--format", "md", "-o", str(tmp_path / "x.md")])
    assert res.exit_code == 2 and "give --question" in res.output
    res = runner.invoke(main, ["--db", db, "compile", "-q", "x", "--report", "nope", "--format", "md",
                               "-o", str(tmp_path / "x.md")])
    assert res.exit_code == 1 and "no report 'nope'" in res.output


def test_cli_compile_from_the_terms_of_reference(lib, tmp_path):
    res = CliRunner().invoke(main, ["--db", lib.settings.db, "compile", "--tor", SAMPLE_ID, "--format", "md",
                                    "-o", str(tmp_path / "tor.md")])
    assert res.exit_code == 0, res.output
    md = (tmp_path / "tor.md").read_text(encoding="utf-8")
    asked = lib.tor_questions(SAMPLE_ID)
    headings = re.findall(r"^## \d+\. (.+)$", md, re.M)
    assert len(headings) == len(asked) and headings[0].endswith(asked[0].split(" – ")[-1][:40])
    # each item is either answered with quotes or stated as not found, never silently skipped
    sections = re.split(r"^## \d+\. .+$", md, flags=re.M)[1:]
    for body in sections:
        assert "> “" in body or "could not be found among the sources consulted" in body


def test_web_compile_download(lib, questions):
    from fastapi.testclient import TestClient

    from corroborate.settings import Settings
    from corroborate.web.app import create_app

    client = TestClient(create_app(Settings(db=lib.settings.db)))
    r = client.get("/api/compile", params=[("q", questions[0]), ("q", questions[1]), ("format", "docx")])
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"].startswith('attachment; filename="query-response.docx"')
    assert r.content[:2] == b"PK"
    r = client.get("/api/compile", params=[("q", questions[0]), ("format", "md"), ("report", SAMPLE_ID)])
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/markdown")
    assert "[^1]: " in r.text and "## Sources cited" in r.text
    assert client.get("/api/compile", params=[("q", "x"), ("format", "md"), ("report", "nope")]).status_code == 404
    assert client.get("/api/compile", params=[("q", "x"), ("format", "bibtex")]).status_code == 400
