"""Confidential sources are never named to a reader: every read route of the web app (found by
walking the app) and every export format, after the sample's DPLF interview is marked
confidential, as a `reader`; a `researcher` reads the names, and exports them on request.

The sample names the organisation three ways: the citation "DPLF, interview with EUAA, 6
September 2023" (six footnotes), the acronym in running text ("According to the DPLF's Executive
Director") and its long form ("Due Process of Law Foundation (DPLF)")."""

from __future__ import annotations

import io
import re
import shutil
import zipfile

import pytest
from fastapi.testclient import TestClient

from conftest import SAMPLE_ID
from corroborate import Library
from corroborate.contract import report_json
from corroborate.settings import Settings
from corroborate.users import Caller, Users
from corroborate.web.app import create_app
from route_walk import app_routes

NAMED = re.compile(r"(?i:dplf)|Due Process of Law")
QUESTION = "What did the Executive Director say about the judicial system collapse?"
SEARCH = "Executive Director judicial system limitations"
# Values for path parameters and the query every route needs to show something worth checking.
PATH_VALUES = {"report_id": SAMPLE_ID, "job_id": "no-such-job", "search_id": "1"}  # saved searches: test_alerts.py
QUERIES = {
    "/api/search": {"q": SEARCH}, "/search": {"q": SEARCH}, "/api/ask": {"q": QUESTION},
    "/ask": {"q": QUESTION}, "/api/compile": {"q": QUESTION}, "/sources": {"report": SAMPLE_ID},
}
REPORT_FORMATS = ["md", "html", "docx", "pdf", "csl-json", "ris", "bibtex"]
COMPILE_FORMATS = ["md", "html", "docx", "pdf"]
REGISTRY_FORMATS = ["csl-json", "ris", "bibtex"]


def text_of(response) -> str:
    """What a person or program can read in a response, whatever its format."""
    kind = response.headers.get("content-type", "")
    data = response.content
    if data[:4] == b"PK\x03\x04":  # docx: every XML part, tags removed so split runs rejoin
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "".join(re.sub(r"<[^>]+>", "", z.read(n).decode("utf-8", "replace"))
                           for n in z.namelist() if n.endswith((".xml", ".rels")))
    if data[:5] == b"%PDF-":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(data)
        texts = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
        pdf.close()
        return "\n".join(texts)
    assert "text" in kind or "json" in kind or "x-" in kind or "ris" in kind, kind
    return response.text


@pytest.fixture(scope="module")
def world(sample_db_master, tmp_path_factory):
    db = tmp_path_factory.mktemp("redaction") / "sample.db"
    shutil.copy(sample_db_master, db)
    with Library(db) as lib:
        dplf = next(s for s in lib.sources() if s["author"] == "DPLF")
        lib.set_confidential(dplf["id"])
        users = Users(lib.store)
        admin = Caller("setup", "admin")
        tokens = {role: users.add(f"{role}1", role, admin)["token"] for role in ("reader", "researcher", "admin")}
        # the reader's case file quotes the paragraph naming the source and a footnote citing it
        cases = lib.as_caller(Caller("reader1", "reader")).cases
        case = cases.create("Reader's case", "en")
        named = next(p for p in lib.report(SAMPLE_ID).paragraphs() if "According to the DPLF" in p.text)
        cases.add(case.id, SAMPLE_ID, named.id)
    client = TestClient(create_app(Settings(db=str(db))))
    return {"client": client, "tokens": tokens, "dplf": dplf["id"], "db": db, "case_id": str(case.id)}


def get(world, role: str, url: str, **params):
    return world["client"].get(url, params=params,
                               headers={"Authorization": f"Bearer {world['tokens'][role]}"})


def read_urls(world) -> list[tuple[str, dict]]:
    """Every GET route of the app with its parameters filled in, and every export format."""
    values = {**PATH_VALUES, "source_id": world["dplf"], "case_id": world["case_id"]}
    urls: list[tuple[str, dict]] = []
    for method, path in app_routes(world["client"].app):
        if method != "GET":
            continue
        missing = [p for p in re.findall(r"{(\w+)}", path) if p not in values]
        assert not missing, f"{path}: give this test a value for {missing}"
        url = re.sub(r"{(\w+)}", lambda m: values[m.group(1)], path)
        params = QUERIES.get(path, {})
        if path.endswith("/export") and "reports" in path:
            urls += [(url, {**params, "format": f}) for f in REPORT_FORMATS]
        elif path == "/api/export/sources":
            urls += [(url, {**params, "format": f}) for f in REGISTRY_FORMATS]
        elif path == "/api/cases/{case_id}/export":
            urls += [(url, {**params, "format": f}) for f in COMPILE_FORMATS]
        elif path == "/api/compile":
            urls += [(url, {**params, "format": f}) for f in COMPILE_FORMATS]
        else:
            urls.append((url, params))
    return urls


def test_a_reader_never_sees_the_confidential_name_on_any_route_or_export(world):
    urls = read_urls(world)
    requested = {u for u, _ in urls}
    # every GET route was requested (sanity: the walk found the app's routes)
    assert {"/api/search", f"/reports/{SAMPLE_ID}", "/api/compile", f"/sources/{world['dplf']}",
            f"/cases/{world['case_id']}", f"/api/cases/{world['case_id']}/export"} <= requested
    seen_redacted = 0
    for url, params in urls:
        r = get(world, "reader", url, **params)
        assert r.status_code in (200, 403, 404), (url, params, r.status_code, r.text[:300])
        body = text_of(r)
        found = NAMED.search(body)
        assert found is None, f"{url} {params}: names the confidential source: …{body[max(0, found.start() - 80):found.end() + 80]}…"
        seen_redacted += ("confidential source" in body) or ("Confidential oral source" in body)
    # the redacted passages were really served, not merely absent
    assert seen_redacted >= 12


def test_reader_json_keeps_the_structure_and_labels_the_source(world):
    rep = get(world, "reader", f"/api/reports/{SAMPLE_ID}").json()
    notes = [f for f in rep["footnotes"] if f["text"] and "Confidential oral source" in f["text"]]
    assert len(notes) == 6
    assert notes[0]["text"] == "Confidential oral source, interview with EUAA, 6 September 2023"
    assert notes[0]["citations"][0]["author"] is None
    paras = [p["text"] for s in rep["sections"] for p in _paragraphs(s)]
    assert any("According to [confidential source]’s Executive Director" in t for t in paras)
    assert any("Executive Director of [confidential source] ([confidential source])" in t for t in paras)
    src = get(world, "reader", f"/api/sources/{world['dplf']}").json()
    assert src["author"] is None and src["title"] == "Confidential oral source" and src["confidential"]
    assert src["cited_by"] and all(c["raw"] == "Confidential oral source" for c in src["cited_by"])


def _paragraphs(section: dict):
    yield from section["paragraphs"]
    for c in section["sections"]:
        yield from _paragraphs(c)


def test_reader_ask_quotes_stay_verifiable_against_what_the_reader_reads(world):
    """A redacted quote is `text[start:end]` of the paragraph as the reader gets it, and differs
    from the stored verbatim text only inside the editorial brackets."""
    answer = get(world, "reader", "/api/ask", q=QUESTION).json()
    rep = get(world, "reader", f"/api/reports/{SAMPLE_ID}").json()
    paragraphs = {p["id"]: p["text"] for s in rep["sections"] for p in _paragraphs(s)}
    redacted = [q for q in answer["quotes"] if "[confidential source]" in q["text"]]
    assert redacted, answer["quotes"]
    with Library(world["db"]) as lib:  # the stored text, as a researcher reads it
        stored = {p.id: p.text for p in lib.report(SAMPLE_ID).paragraphs()}
    for q in answer["quotes"]:
        assert paragraphs[q["paragraph_id"]][q["start"]:q["end"]] == q["text"]
    q = redacted[0]
    pattern = re.escape(q["text"]).replace(re.escape("[confidential source]"), "(.+?)")
    m = re.search(pattern, stored[q["paragraph_id"]])
    assert m and set(m.groups()) <= {"DPLF", "Due Process of Law Foundation"}


def test_a_researcher_reads_the_names_and_exports_them_on_request(world):
    rep = get(world, "researcher", f"/api/reports/{SAMPLE_ID}").json()
    assert sum("DPLF, interview with EUAA, 6 September 2023" == f["text"] for f in rep["footnotes"]) == 5
    assert NAMED.search(get(world, "researcher", "/api/search", q=SEARCH).text)
    assert get(world, "researcher", f"/api/sources/{world['dplf']}").json()["author"] == "DPLF"
    # exports hide the name unless a researcher asks for it
    for fmt in REPORT_FORMATS:
        url = f"/api/reports/{SAMPLE_ID}/export"
        hidden = get(world, "researcher", url, format=fmt)
        assert hidden.status_code == 200 and not NAMED.search(text_of(hidden)), fmt
        named = get(world, "researcher", url, format=fmt, name_confidential="true")
        assert named.status_code == 200 and "DPLF" in text_of(named), fmt
    named = get(world, "researcher", "/api/compile", q=QUESTION, format="md", name_confidential="true")
    assert "DPLF" in named.text
    assert "DPLF" in get(world, "admin", "/api/export/sources", format="ris", name_confidential="true").text


@pytest.mark.parametrize("url, params", [
    (f"/api/reports/{SAMPLE_ID}/export", {"format": "md"}),
    ("/api/export/sources", {"format": "csl-json"}),
    ("/api/compile", {"q": QUESTION, "format": "md"}),
])
def test_a_reader_asking_for_names_is_refused(world, url, params):
    r = get(world, "reader", url, **params, name_confidential="true")
    assert r.status_code == 403 and "researcher" in r.json()["detail"]


def test_library_reads_take_the_caller(world):
    """The Python API: the same object, read as a reader, is redacted; as the default local
    researcher it is not."""
    with Library(world["db"]) as lib:
        reader = lib.as_caller(Caller("judge", "reader"))
        shown = report_json(reader.report(SAMPLE_ID))
        assert not NAMED.search(str(shown))
        assert NAMED.search(str(report_json(lib.report(SAMPLE_ID))))
        assert not NAMED.search(str(reader.source(world["dplf"])))
        assert not NAMED.search(str(reader.sources(SAMPLE_ID)))
        assert not NAMED.search(str(reader.audit(SAMPLE_ID)))
        with pytest.raises(PermissionError):
            reader.export_report(SAMPLE_ID, "md", world["db"].parent / "x.md", name_confidential=True)
        assert not (world["db"].parent / "x.md").exists()


def test_a_readers_query_cannot_confirm_who_the_source_is(world):
    """Searching the name must not single out the passages that name it."""
    for q in ("DPLF", '"Due Process of Law Foundation"', "-DPLF"):
        assert get(world, "reader", "/api/search", q=q, mode="lexical").json()["results"] == []
    assert get(world, "reader", "/api/ask", q="DPLF").json()["found"] is False
    named = get(world, "reader", "/api/search", q="DPLF Executive Director", mode="lexical").json()
    plain = get(world, "reader", "/api/search", q="Executive Director", mode="lexical").json()
    assert named["results"] == plain["results"] and named["query"] == "Executive Director"
    assert get(world, "researcher", "/api/search", q="DPLF", mode="lexical").json()["results"]
