"""Case files (issue 16): quotes collected from ask, search and the reader into a named case,
reordered, annotated and exported with continuous footnotes, on a real copy of the ingested
sample (SQLite file). The library, the command line, the REST API and the pages."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from conftest import SAMPLE, SAMPLE_ID
from corroborate import Library
from corroborate.citations.format import footnote_segments
from corroborate.cli import main
from corroborate.export import write_document
from corroborate.export.case import METHOD_TITLE, SOURCES
from corroborate.i18n import translate
from corroborate.library import NotFound
from corroborate.search.sentences import split_sentences
from corroborate.settings import Settings
from corroborate.users import AccessDenied, Caller, Users
from corroborate.web.app import create_app
from corroborate.web.auth import CSRF_COOKIE

QUESTION_ES = "¿Cuántas comisarías había en el Perú en 2017?"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


@pytest.fixture
def lib(sample_db):
    with Library(sample_db) as opened:
        yield opened


def paragraph(lib: Library, starts: str):
    return next(p for p in lib.report(SAMPLE_ID).paragraphs() if p.text.startswith(starts))


def docx_footnotes(data: bytes) -> list[tuple[str, list[str]]]:
    """(text, link targets) of each real footnote of a DOCX (Word's separators left out)."""
    from xml.etree import ElementTree as ET

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        notes = ET.fromstring(z.read("word/footnotes.xml"))
        names = z.namelist()  # no links in any footnote: no relationships part
        rels = ET.fromstring(z.read("word/_rels/footnotes.xml.rels")) if "word/_rels/footnotes.xml.rels" in names else []
    targets = {r.get("Id"): r.get("Target") for r in rels}
    out = []
    for fn in notes.findall(f"{W}footnote"):
        if fn.get(f"{W}type") is not None:
            continue
        text = "".join(t.text or "" for t in fn.iter(f"{W}t"))
        links = [targets[h.get(f"{R}id")] for h in fn.iter(f"{W}hyperlink")]
        out.append((text, links))
    return out


def docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return re.sub(r"<[^>]+>", "", z.read("word/document.xml").decode())


# --- the library -------------------------------------------------------------------------------


def test_quotes_from_ask_stay_verbatim_with_their_footnotes(lib):
    answer = lib.ask(QUESTION_ES)
    quotes = answer["quotes"][:3]
    assert len(quotes) == 3
    case = lib.cases.create("Solicitud 2026/118", "es")
    ids = [lib.cases.add(case.id, q["report_id"], q["paragraph_id"], q["start"], q["end"], note=f"nota {i}")
           for i, q in enumerate(quotes, 1)]
    got = lib.cases.get(case.id)
    assert [e.id for e in got.entries] == ids and [e.position for e in got.entries] == [1, 2, 3]
    report = lib.report(SAMPLE_ID)
    for entry, q in zip(got.entries, quotes, strict=True):
        stored = next(p for p in report.paragraphs() if p.id == q["paragraph_id"])
        assert entry.status == "ok" and entry.lost is None
        assert entry.text == q["text"] == stored.text[q["start"]:q["end"]]
        assert entry.footnotes == [f["n"] for f in q["footnotes"]]
        assert [f.n for f in entry.notes] == entry.footnotes and all(f.text for f in entry.notes)
        assert entry.reference.startswith("EUAA, Peru – Country Focus, September 2023, section ")
        assert entry.citation.startswith("“") and all(f"[{n}]" in entry.citation for n in entry.footnotes)
    assert got.entries[0].note == "nota 1"
    # the same quote again is the item already there
    assert lib.cases.add(case.id, quotes[0]["report_id"], quotes[0]["paragraph_id"],
                         quotes[0]["start"], quotes[0]["end"]) == ids[0]
    # a whole paragraph carries all its footnotes, in reading order
    whole = paragraph(lib, "Tren de Aragua is Venezuela’s most powerful")
    item = lib.cases.add("Solicitud 2026/118", SAMPLE_ID, whole.id)
    entry = next(e for e in lib.cases.get(case.id).entries if e.id == item)
    assert entry.text == whole.text and entry.start is None
    assert entry.footnotes == whole.footnote_numbers and 297 in entry.footnotes
    assert [c.items for c in lib.cases.list()] == [4]


def test_bad_spans_reports_and_names_are_refused_and_store_nothing(lib):
    case = lib.cases.create("Claim", "en")
    police = paragraph(lib, "Peru had 1 470 police stations")
    with pytest.raises(ValueError, match="outside the paragraph"):
        lib.cases.add(case.id, SAMPLE_ID, police.id, 0, len(police.text) + 1)
    with pytest.raises(ValueError, match="both ends"):
        lib.cases.add(case.id, SAMPLE_ID, police.id, 0, None)
    with pytest.raises(NotFound, match="no paragraph"):
        lib.cases.add(case.id, SAMPLE_ID, "000000000000")
    with pytest.raises(NotFound, match="did you mean"):
        lib.cases.add(case.id, "euaa-pero-country-focus-2023", police.id)
    with pytest.raises(NotFound, match="no case"):
        lib.cases.add("no such case", SAMPLE_ID, police.id)
    with pytest.raises(ValueError, match="exists already"):
        lib.cases.create("Claim", "es")
    with pytest.raises(ValueError, match="language"):
        lib.cases.create("Other", "fr")
    with pytest.raises(ValueError, match="name"):
        lib.cases.create("   ", "en")
    assert lib.cases.get(case.id).entries == []


def test_reorder_move_remove_annotate_rename(sample_backend_db):
    with Library(sample_backend_db) as lib:
        _reorder_move_remove_annotate_rename(lib)


def _reorder_move_remove_annotate_rename(lib):
    case = lib.cases.create("Order", "en")
    starts = ["Peru had 1 470 police stations", "Tren de Aragua is Venezuela’s most powerful",
              "The Armed Forces of Peru"]
    a, b, c = (lib.cases.add(case.id, SAMPLE_ID, paragraph(lib, s).id) for s in starts)

    def order() -> list[int]:
        return [e.id for e in lib.cases.get(case.id).entries]

    lib.cases.reorder(case.id, [c, a, b])
    assert order() == [c, a, b]
    lib.cases.move(case.id, b, 1)
    assert order() == [b, c, a]
    lib.cases.move(case.id, b, 99)  # beyond the end: last
    assert order() == [c, a, b]
    with pytest.raises(ValueError, match="once"):
        lib.cases.reorder(case.id, [a, b])
    with pytest.raises(ValueError, match="once"):
        lib.cases.reorder(case.id, [a, a, b])
    assert order() == [c, a, b]
    lib.cases.annotate(case.id, a, "  supports the claim's fear of the police  ")
    lib.cases.remove(case.id, c)
    got = lib.cases.get(case.id)
    assert [(e.id, e.position) for e in got.entries] == [(a, 1), (b, 2)]
    assert got.entries[0].note == "supports the claim's fear of the police"
    with pytest.raises(NotFound):
        lib.cases.remove(case.id, c)
    renamed = lib.cases.update(case.id, name="Order 2", language="es")
    assert (renamed.name, renamed.language) == ("Order 2", "es")
    lib.cases.delete("Order 2")
    assert lib.cases.list() == []
    assert lib.store.case_items(case.id) == []
    log = [e["action"] for e in lib.as_caller(Caller("test", "admin")).audit_log(50)]
    assert {"case.new", "case.add", "case.reorder", "case.remove", "case.edit", "case.delete"} <= set(log)


def test_a_quote_whose_paragraph_changed_on_reingest_is_shown_lost_never_dropped(sample_db, tmp_path):
    changed = tmp_path / SAMPLE.name
    text = SAMPLE.read_text(encoding="utf-8")
    assert text.count("1 470 police stations") == 1
    changed.write_text(text.replace("1 470 police stations", "1 471 police stations"), encoding="utf-8")
    with Library(sample_db) as lib:
        case = lib.cases.create("Reingest", "es")
        police = paragraph(lib, "Peru had 1 470 police stations")
        gang = paragraph(lib, "Tren de Aragua is Venezuela’s most powerful")
        end = police.text.index(".") + 1
        lost_id = lib.cases.add(case.id, SAMPLE_ID, police.id, 0, end, note="numbers")
        kept_id = lib.cases.add(case.id, SAMPLE_ID, gang.id, 0, gang.text.index(".") + 1)
    with Library(sample_db, settings=Settings(db=str(sample_db), embeddings=False)) as lib:
        assert lib.ingest(changed, replace=True).status == "replaced"
        got = lib.cases.get(case.id)
        lost, kept = got.entries
        assert (lost.id, lost.status, kept.id, kept.status) == (lost_id, "lost", kept_id, "ok")
        assert police.id in lost.lost and "re-ingested" in lost.lost
        assert lost.text == police.text[:end] and lost.note == "numbers"  # what it quoted, kept
        assert kept.text == "Tren de Aragua is Venezuela’s most powerful and largest criminal organisation."
        assert kept.footnotes == [297]
        md = tmp_path / "case.md"
        lib.cases.export(case.id, "md", md)
        out = md.read_text(encoding="utf-8")
        assert "La cita 1 ya no puede leerse en la biblioteca: el párrafo" in out
        assert "“Peru had 1 470 police stations in 2015" in out  # the lost text, quoted as it was
        assert "[^1]" in out and "nota 297)" in out and "Nota: numbers" in out
        lib.delete(SAMPLE_ID)
        assert [e.status for e in lib.cases.get(case.id).entries] == ["lost", "lost"]
        assert "is no longer in the library" in lib.cases.get(case.id).entries[1].lost


def test_docx_export_has_continuous_word_footnotes_with_the_readers_links(lib, tmp_path):
    answer = lib.ask(QUESTION_ES)
    quotes = answer["quotes"][:3]
    case = lib.cases.create("Comisarías", "es")
    ids = [lib.cases.add(case.id, q["report_id"], q["paragraph_id"], q["start"], q["end"]) for q in quotes]
    lib.cases.reorder(case.id, [ids[2], ids[0], ids[1]])
    lib.cases.annotate(case.id, ids[0], "Cifras oficiales")
    out = tmp_path / "case.docx"
    lib.cases.export(case.id, "docx", out)
    data = out.read_bytes()
    notes = docx_footnotes(data)
    order = [quotes[2], quotes[0], quotes[1]]
    expected = list(dict.fromkeys(f["n"] for q in order for f in q["footnotes"]))
    assert len(notes) == len(expected) >= 3
    report = lib.report(SAMPLE_ID)
    for (text, links), n in zip(notes, expected, strict=True):
        fn = report.footnote(n)
        reader_links = [s.href for s in footnote_segments(fn) or [] if s.href]
        assert links == reader_links, n
        assert text.endswith(f"(citada en EUAA, Peru – Country Focus, September 2023, nota {n})")
    assert any(links for _, links in notes)
    body = docx_text(data)
    assert body.index(order[0]["text"][:40]) < body.index(order[1]["text"][:40]) < body.index(order[2]["text"][:40])
    spanish = [translate(t, "es") for t in (METHOD_TITLE, SOURCES, "Reports quoted")]
    assert spanish[0].startswith("Metodología") and spanish[1:] == ["Fuentes citadas", "Informes citados"]
    for heading in ("Citas", *spanish, "Nota: Cifras oficiales", "No pretende ser exhaustivo"):
        assert heading in body, heading
    # the same case in English, and as Markdown and PDF
    lib.cases.update(case.id, language="en")
    md = tmp_path / "case.md"
    lib.cases.export(case.id, "md", md)
    text = md.read_text(encoding="utf-8")
    assert "## Methodology and disclaimer" in text and "Note: Cifras oficiales" in text
    assert [int(n) for n in re.findall(r"^\[\^(\d+)\]:", text, re.M)] == list(range(1, len(expected) + 1))
    pdf = tmp_path / "case.pdf"
    lib.cases.export(case.id, "pdf", pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-"


def _dplf_world(lib: Library):
    dplf = next(s for s in lib.sources() if s["author"] == "DPLF")
    lib.set_confidential(dplf["id"])
    users = Users(lib.store)
    admin = Caller("setup", "admin")
    tokens = {role: users.add(f"{role}1", role, admin)["token"] for role in ("reader", "researcher")}
    return tokens


def test_confidential_sources_stay_unnamed_in_a_readers_case_and_its_exports(lib, tmp_path):
    _dplf_world(lib)
    reader = lib.as_caller(Caller("reader1", "reader"))
    researcher = lib.as_caller(Caller("researcher1", "researcher"))
    # the paragraph as the reader reads it: the name replaced, offsets moved
    para = next(p for p in reader.report(SAMPLE_ID).paragraphs()
                if "According to [confidential source]’s Executive Director" in p.text)
    stored = lib.store.paragraph_text(SAMPLE_ID, para.id)
    assert "DPLF" in stored
    start, end = next((s, e) for s, e in split_sentences(para.text) if "[confidential source]" in para.text[s:e])
    case = reader.cases.create("Reader's case", "en")
    item = reader.cases.add(case.id, SAMPLE_ID, para.id, start, end)
    # kept as offsets into the stored text, which names the source
    row = lib.store.case_items(case.id)[0]
    assert "DPLF" in row["quote"] and stored[row["start"]:row["end"]] == row["quote"]
    got = reader.cases.get(case.id)
    assert got.entries[0].id == item and got.entries[0].text == para.text[start:end]
    dumped = json.dumps(got.model_dump(mode="json"), ensure_ascii=False)
    assert "DPLF" not in dumped and "Due Process of Law" not in dumped
    assert "[confidential source]" in dumped and "Confidential oral source" in dumped
    for fmt in ("md", "docx"):
        path = tmp_path / f"reader.{fmt}"
        reader.cases.export(case.id, fmt, path)
        text = path.read_text(encoding="utf-8") if fmt == "md" else docx_text(path.read_bytes()) + str(
            docx_footnotes(path.read_bytes()))
        assert "DPLF" not in text and "Due Process of Law" not in text, fmt
        assert "[confidential source]" in text.replace("\\", "") and "Confidential oral source" in text
    with pytest.raises(AccessDenied):
        reader.cases.export(case.id, "md", tmp_path / "named.md", name_confidential=True)
    # cases are their owner's: neither another user nor the command line sees this one
    with pytest.raises(NotFound):
        researcher.cases.get(case.id)
    with pytest.raises(NotFound):
        lib.cases.remove(case.id, item)
    assert lib.cases.list() == [] and [c.name for c in reader.cases.list()] == ["Reader's case"]
    # a researcher names the source only when asking for it
    own = researcher.cases.create("Researcher's case", "en")
    full = next(p for p in researcher.report(SAMPLE_ID).paragraphs() if p.id == para.id)
    s, e = next((s, e) for s, e in split_sentences(full.text) if "DPLF" in full.text[s:e])
    researcher.cases.add(own.id, SAMPLE_ID, para.id, s, e)
    researcher.cases.export(own.id, "md", tmp_path / "unnamed.md")
    researcher.cases.export(own.id, "md", tmp_path / "named.md", name_confidential=True)
    assert "DPLF" not in (tmp_path / "unnamed.md").read_text(encoding="utf-8")
    assert "DPLF" in (tmp_path / "named.md").read_text(encoding="utf-8")


# --- the command line ------------------------------------------------------------------------


def test_cli_case_commands(sample_db, tmp_path):
    runner = CliRunner()

    def run(*args: str, code: int = 0):
        res = runner.invoke(main, ["--db", str(sample_db), *args])
        assert res.exit_code == code, f"{args}: {res.output}"
        return res.output

    with Library(sample_db) as lib:
        police = paragraph(lib, "Peru had 1 470 police stations")
        gang = paragraph(lib, "Tren de Aragua is Venezuela’s most powerful")
    created = json.loads(run("case", "new", "Claim 2026/118", "--lang", "es", "--json"))
    assert created["language"] == "es" and created["entries"] == []
    out = run("case", "add", "Claim 2026/118", "euaa-peru", police.id, "--span", "0-73", "--note", "police")
    assert "position 1" in out and "section 1.4" in out
    shown = json.loads(run("case", "add", str(created["id"]), SAMPLE_ID, gang.id, "--json"))
    first, second = shown["entries"]
    assert first["text"] == police.text[:73] and first["footnotes"] == [102] and first["note"] == "police"
    assert second["footnotes"] == gang.footnote_numbers
    assert "now at position 1" in run("case", "move", "Claim 2026/118", str(second["id"]), "1")
    run("case", "note", "Claim 2026/118", str(first["id"]), "official figures")
    human = run("case", "show", "Claim 2026/118")
    assert human.index("Tren de Aragua is") < human.index("Peru had 1 470") and "Note: official figures" in human
    assert "[102] Peru, INEI, VI Censo Nacional de Comisarías" in human
    docx = tmp_path / "case.docx"
    assert "wrote" in run("case", "export", "Claim 2026/118", "--format", "docx", "-o", str(docx))
    assert len(docx_footnotes(docx.read_bytes())) == len(gang.footnote_numbers) + 1
    listed = json.loads(run("case", "list", "--json"))["cases"]
    assert [(c["name"], c["items"]) for c in listed] == [("Claim 2026/118", 2)]
    after = json.loads(run("case", "remove", "Claim 2026/118", str(first["id"]), "--json"))
    assert [e["id"] for e in after["entries"]] == [second["id"]]
    run("case", "set", "Claim 2026/118", "--name", "Claim B", "--lang", "en")
    assert "Claim B  (case" in run("case", "show", "Claim B")
    # errors: a clear message, status 1, nothing written
    assert "no case 'nope'" in run("case", "show", "nope", code=1)
    assert "START-END" in run("case", "add", "Claim B", SAMPLE_ID, police.id, "--span", "7", code=2)
    assert "no paragraph" in run("case", "add", "Claim B", SAMPLE_ID, "ffffffffffff", code=1)
    assert "--user ghost: no such user" in run("case", "--user", "ghost", "list", code=1)
    assert not (tmp_path / "no" / "x.md").exists()
    run("case", "export", "Claim B", "--format", "md", "-o", str(tmp_path / "no" / "x.md"), code=1)
    run("case", "delete", "Claim B")
    assert "no cases yet" in run("case", "list")


# --- the REST API and the pages ------------------------------------------------------------


def test_api_cases_per_user_with_roles_and_redaction(sample_db):
    with Library(sample_db) as lib:
        tokens = _dplf_world(lib)
        police = paragraph(lib, "Peru had 1 470 police stations")
        dplf_para = next(p for p in lib.report(SAMPLE_ID).paragraphs() if "According to the DPLF" in p.text)
    client = TestClient(create_app(Settings(db=str(sample_db), embeddings=False)))
    reader = {"Authorization": f"Bearer {tokens['reader']}"}
    other = {"Authorization": f"Bearer {tokens['researcher']}"}
    assert client.get("/api/cases").status_code == 401
    r = client.post("/api/cases", json={"name": "Caso", "language": "es"}, headers=reader)
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    assert r.json()["owner"] == "reader1"
    assert client.post("/api/cases", json={"name": "X", "language": "fr"}, headers=reader).status_code == 422
    assert client.post("/api/cases", json={"name": "Caso"}, headers=reader).status_code == 400
    r = client.post(f"/api/cases/{cid}/items", headers=reader,
                    json={"report_id": SAMPLE_ID, "paragraph_id": police.id, "start": 0, "end": 73, "note": "a"})
    assert r.status_code == 201 and r.json()["entries"][0]["footnotes"] == [102]
    r = client.post(f"/api/cases/{cid}/items", headers=reader,
                    json={"report_id": SAMPLE_ID, "paragraph_id": dplf_para.id})
    a, b = (e["id"] for e in r.json()["entries"])
    assert "DPLF" not in r.text and "[confidential source]" in r.text
    assert client.post(f"/api/cases/{cid}/items", headers=reader,
                       json={"report_id": "nope", "paragraph_id": police.id}).status_code == 404
    r = client.patch(f"/api/cases/{cid}/items", json={"order": [b, a]}, headers=reader)
    assert [e["id"] for e in r.json()["entries"]] == [b, a]
    assert client.patch(f"/api/cases/{cid}/items", json={"order": [b]}, headers=reader).status_code == 400
    r = client.patch(f"/api/cases/{cid}/items", json={"item": a, "note": "nueva", "position": 1}, headers=reader)
    assert [(e["id"], e["note"]) for e in r.json()["entries"]] == [(a, "nueva"), (b, "")]
    r = client.get(f"/api/cases/{cid}/export", params={"format": "docx"}, headers=reader)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert 'filename="Caso.docx"' in r.headers["content-disposition"]
    assert "DPLF" not in docx_text(r.content) + str(docx_footnotes(r.content))
    assert client.get(f"/api/cases/{cid}/export", params={"format": "md", "name_confidential": True},
                      headers=reader).status_code == 403
    assert client.get(f"/api/cases/{cid}/export", params={"format": "odt"}, headers=reader).status_code == 400
    # another user's case does not exist for you
    assert client.get(f"/api/cases/{cid}", headers=other).status_code == 404
    assert client.delete(f"/api/cases/{cid}", headers=other).status_code == 404
    assert client.get("/api/cases", headers=other).json() == {"cases": []}
    r = client.patch(f"/api/cases/{cid}", json={"name": "Caso 2"}, headers=reader)
    assert r.json()["name"] == "Caso 2" and r.json()["language"] == "es"
    r = client.delete(f"/api/cases/{cid}/items", params={"item": b}, headers=reader)
    assert [e["id"] for e in r.json()["entries"]] == [a]
    assert client.delete(f"/api/cases/{cid}", headers=reader).json() == {"deleted": cid}
    assert client.get(f"/api/cases/{cid}", headers=reader).status_code == 404


def test_pages_add_from_ask_move_note_remove_without_javascript(sample_db):
    """The forms alone (CSRF included) do everything; Spanish interface by Accept-Language."""
    client = TestClient(create_app(Settings(db=str(sample_db))))
    es = {"Accept-Language": "es-ES,es;q=0.9", "Accept": "text/html"}
    page = client.get("/search", params={"q": QUESTION_ES, "mode": "ask"}, headers=es)
    links = [h.replace("&amp;", "&") for h in re.findall(r'class="add-to-case" href="([^"]+)"', page.text)]
    assert len(links) >= 3 and "Añadir al expediente" in page.text
    csrf = client.cookies.get("corroborate_csrf")
    added = []
    for i, href in enumerate(links[:3]):
        form = client.get(href, headers=es)
        assert form.status_code == 200 and "Añadir a un expediente" in form.text
        fields = dict(re.findall(r'name="(report|paragraph|start|end|back)" value="([^"]*)"', form.text))
        fields = {k: v.replace("&amp;", "&") for k, v in fields.items()}
        assert fields["back"].startswith("/search?q=")
        choice = {"case": "new", "new_name": "Expediente web", "language": "es"} if i == 0 else {}
        if i:
            choice["case"] = re.search(r'name="case" id="case-(\d+)" value="\d+" checked', form.text).group(1)
        r = client.post("/cases/add", data={**fields, **choice, "csrf": csrf, "note": f"n{i}"},
                        headers=es, follow_redirects=False)
        assert r.status_code == 303, r.text[:300]
        added.append(int(re.search(r"added=(\d+)", r.headers["location"]).group(1)))
        case_url = r.headers["location"].split("?")[0]
    shown = client.get(case_url, params={"added": added[-1], "back": fields["back"]}, headers=es)
    assert "La cita se ha añadido a este expediente." in shown.text and "Volver a donde estaba" in shown.text
    assert [int(x) for x in re.findall(r'data-item="(\d+)"', shown.text)] == added
    cid = int(case_url.rsplit("/", 1)[1])
    client.post(f"{case_url}/items/{added[2]}/move", data={"direction": "up", "csrf": csrf})
    client.post(f"{case_url}/items/{added[0]}/note", data={"note": "revisar", "csrf": csrf})
    client.post(f"{case_url}/items/{added[1]}/remove", data={"csrf": csrf})
    with Library(sample_db) as lib:
        entries = lib.cases.get(cid).entries
    assert [(e.id, e.note) for e in entries] == [(added[0], "revisar"), (added[2], "n2")]
    # without the CSRF token a form write is refused and changes nothing
    r = client.post(f"{case_url}/items/{added[0]}/remove", data={}, headers=es)
    assert r.status_code == 403
    page = client.get(case_url, headers=es)
    assert "Subir" in page.text and "Quitar" in page.text and f"/api/cases/{cid}/export?format=docx" in page.text
    reader_page = client.get(f"/reports/{SAMPLE_ID}", headers=es)
    assert reader_page.text.count('class="add-to-case"') == len(list(lib_paragraph_ids(sample_db)))


def lib_paragraph_ids(db: Path) -> list[str]:
    with Library(db) as lib:
        return [p.id for p in lib.report(SAMPLE_ID).paragraphs()]


def test_a_spanish_case_exported_to_html_has_no_english_fixed_texts(lib, tmp_path):
    """The document's own texts (footnotes heading, back links) follow the case's language, not
    the process's: they are rendered after the case is built."""
    answer = lib.ask(QUESTION_ES)
    case = lib.cases.create("Notas", "es")
    for q in answer["quotes"][:2]:
        lib.cases.add(case.id, q["report_id"], q["paragraph_id"], q["start"], q["end"])
    out = tmp_path / "case.html"
    write_document(lib.cases.document(case.id), "html", out)
    html = out.read_text(encoding="utf-8")
    assert "Notas al pie" in html and "Volver al texto" in html
    assert "Footnotes" not in html and "Back to the text" not in html


def test_web_writes_on_either_backend(sample_backend_db):
    """Write routes on SQLite (a connection per request) and on PostgreSQL (the pool's store):
    a case made, a quote added, read back by a later request."""
    with Library(sample_backend_db) as lib:
        police = paragraph(lib, "Peru had 1 470 police stations")
    with TestClient(create_app(Settings(db=sample_backend_db, embeddings=False))) as client:
        client.get("/api/health")  # the CSRF cookie a browser would hold; the header repeats it
        client.headers["x-csrf-token"] = client.cookies[CSRF_COOKIE]
        r = client.post("/api/cases", json={"name": "Comisarías", "language": "es"})
        assert r.status_code == 201, r.text
        cid = r.json()["id"]
        r = client.post(f"/api/cases/{cid}/items", json={"report_id": SAMPLE_ID, "paragraph_id": police.id})
        assert r.status_code == 201, r.text
        assert [e["paragraph_id"] for e in client.get(f"/api/cases/{cid}").json()["entries"]] == [police.id]
