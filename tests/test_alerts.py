"""Saved searches and alerts (issue 16, item 4) on a real database file: what counts as new after
an ingest, the "New for your searches" page and API, the CLI, the Atom feed (structure checked
with lxml, authenticated by its own token), and confidential sources unnamed in all of them."""

from __future__ import annotations

import json
import re
from datetime import datetime

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from lxml import etree

from conftest import DATA, SAMPLE, SAMPLE_ID
from corroborate import Library
from corroborate.alerts import SavedSearchIn
from corroborate.cli import main
from corroborate.settings import Settings
from corroborate.users import Caller, Users
from corroborate.web.app import create_app

ATOM = "{http://www.w3.org/2005/Atom}"
QUERY = "Tren de Aragua extortion"
# A sentence put into the sample's Tren de Aragua section to make a new version of the report;
# another one into its section on extortion methods for a third version.
ADDED = "In 2024 the Tren de Aragua extended its extortion of transport workers in Lima."
ADDED_DPLF = "According to DPLF, Tren de Aragua extortion of market traders in Lima grew in 2024."
ADDED_LATER = "Tren de Aragua extortion rings also charged street vendors a weekly fee in Callao."
SETUP = Caller("test setup", "admin")
CPIN = DATA / "corpus" / "cpin" / "cpin-colombia-internal-relocation-2026-03.html"


def version_of_sample(tmp_path, *inserts: tuple[str, str]):
    """The sample with each sentence put before the line that starts with its anchor, saved
    under the sample's own name (so it becomes a new version of the same report)."""
    text = SAMPLE.read_text(encoding="utf-8")
    for anchor, sentence in inserts:
        at = text.index(anchor)
        text = text[:at] + sentence + " " + text[at:]
    folder = tmp_path / f"v{len(list(tmp_path.glob('v*'))) + 2}"
    folder.mkdir()
    path = folder / SAMPLE.name
    path.write_text(text, encoding="utf-8")
    return path


TDA = "Tren de Aragua is Venezuela’s most powerful"
METHODS = "The following are, among others, the extortion methods"


@pytest.fixture
def lib(backend_db):
    """The sample in a fresh database (SQLite, PostgreSQL), without embeddings (lexical and
    hybrid-as-lexical)."""
    with Library(settings=Settings(db=backend_db, embeddings=False)) as lib:
        lib.ingest(SAMPLE)
        yield lib


def _save(lib, name, query=QUERY, mode="lexical", **filters):
    return lib.save_search(SavedSearchIn(name=name, query=query, mode=mode, filters=filters))


def test_only_paragraphs_new_to_the_library_that_the_search_finds_are_new(lib, tmp_path):
    tda = _save(lib, "TdA")
    colombia = _save(lib, "Colombia only", country="CO")
    unrelated = _save(lib, "Dialysis", "dialysis")
    # saving does not report what the library already held; re-ingesting the same bytes adds nothing
    assert lib.new_passages() == []
    assert lib.ingest(SAMPLE).status == "unchanged"
    assert lib.new_passages() == []

    v1_ids = {p.id for p in lib.report(SAMPLE_ID).paragraphs()}
    result = lib.ingest(version_of_sample(tmp_path, (TDA, ADDED)))
    assert result.status == "new-version" and result.id == f"{SAMPLE_ID}-v2"
    v2 = lib.report(result.id)
    changed = [p for p in v2.paragraphs() if p.id not in v1_ids]
    assert 1 <= len(changed) <= 3  # the paragraph the sentence went into (and a split, if any)
    found = lib.new_passages()
    assert [p.search_name for p in found] == ["TdA"]
    (hit,) = found
    assert ADDED in hit.text and hit.paragraph_id not in v1_ids and hit.report_id == result.id
    # unchanged paragraphs of the new version match the query too, but the library had them
    assert len(lib.search(QUERY, mode="lexical", report=result.id, k=10)["results"]) > 1
    # the one citation formatter: quote, report, section number and page, footnotes
    assert hit.citation.startswith(f"“{ADDED}")
    assert "EUAA, Peru – Country Focus, September 2023, section 3.5.1 ‘Tren de Aragua’, p. 43" in hit.citation
    assert re.search(r"^\[297\] InSight Crime", hit.citation, re.M)
    assert hit.reader == f"/reports/{result.id}#p-{hit.paragraph_id}"
    assert hit.reference.startswith("EUAA, Peru – Country Focus")
    counts = {s.name: s.passages for s in lib.saved_searches()}
    assert counts == {"TdA": 1, "Colombia only": 0, "Dialysis": 0}
    assert {tda.id, colombia.id, unrelated.id} == {s.id for s in lib.saved_searches()}

    # a third version: the first addition is no longer new, only the paragraph changed since
    v3 = lib.ingest(version_of_sample(tmp_path, (TDA, ADDED), (METHODS, ADDED_LATER)))
    found = lib.new_passages(tda.id)
    assert len(found) == 2 and sum(ADDED in p.text for p in found) == 1
    assert found[0].report_id == v3.id and ADDED_LATER in found[0].text  # newest first
    # what a deleted report said is no longer listed
    lib.delete(v3.id)
    assert [p.report_id for p in lib.new_passages(tda.id)] == [result.id]


def test_a_filter_the_new_report_lacks_is_no_match_and_a_bad_search_is_refused(lib, tmp_path):
    _save(lib, "In its section", section="Tren de Aragua")
    with pytest.raises(ValueError, match="exists already"):
        _save(lib, "In its section")
    with pytest.raises(ValueError, match="no such section"):
        _save(lib, "Nowhere", section="99.9")
    with pytest.raises(ValueError, match="NOT must be followed"):
        _save(lib, "Bad", "extortion NOT")
    with pytest.raises(ValueError, match="unknown filter"):
        SavedSearchIn(name="x", query="y", filters={"colour": "red"})
    cpin = lib.ingest(CPIN)  # no section of that name: no match, and no complaint either
    assert cpin.status == "added" and cpin.notices == []
    lib.ingest(version_of_sample(tmp_path, (TDA, ADDED)))
    assert [ADDED in p.text for p in lib.new_passages()] == [True]


@pytest.fixture
def site(tmp_path):
    """Users (a reader and a researcher) over the sample, DPLF's interview confidential."""
    db = tmp_path / "site.db"
    with Library(settings=Settings(db=str(db), embeddings=False)) as lib:
        lib.ingest(SAMPLE)
        lib.set_confidential(next(s["id"] for s in lib.sources() if s["author"] == "DPLF"))
        users = Users(lib.store)
        tokens = {name: users.add(name, role, SETUP)["token"] for name, role in
                  (("rosa", "reader"), ("rita", "researcher"))}
    client = TestClient(create_app(Settings(db=str(db), embeddings=False)))
    return {"db": db, "client": client, "tokens": tokens}


def _as(site, who: str) -> dict:
    return {"Authorization": f"Bearer {site['tokens'][who]}"}


def _ingest_dplf_version(site, tmp_path):
    with Library(settings=Settings(db=str(site["db"]), embeddings=False)) as lib:
        return lib.ingest(version_of_sample(tmp_path, (TDA, ADDED_DPLF)))


def test_each_user_has_their_own_searches_and_a_reader_never_reads_the_confidential_name(site, tmp_path):
    client = site["client"]
    spec = {"name": "Extortion", "query": QUERY, "mode": "lexical"}
    rosa = client.post("/api/searches", json=spec, headers=_as(site, "rosa"))
    assert rosa.status_code == 201, rosa.text
    assert rosa.json()["owner"] == "rosa" and rosa.json()["passages"] == 0
    rita = client.post("/api/searches", json=spec, headers=_as(site, "rita")).json()
    assert rita["owner"] == "rita" and rita["id"] != rosa.json()["id"]  # the same name, each their own
    assert [s["owner"] for s in client.get("/api/searches", headers=_as(site, "rosa")).json()["searches"]] == ["rosa"]
    assert client.get(f"/api/searches/{rita['id']}", headers=_as(site, "rosa")).status_code == 404
    assert client.delete(f"/api/searches/{rita['id']}", headers=_as(site, "rosa")).status_code == 404

    _ingest_dplf_version(site, tmp_path)
    new = client.get("/api/searches/new", headers=_as(site, "rosa")).json()["passages"]
    assert len(new) == 1 and new[0]["search_name"] == "Extortion"
    assert "DPLF" not in json.dumps(new) and "[confidential source]" in new[0]["text"]
    page = client.get("/searches", headers={**_as(site, "rosa"), "Accept": "text/html"})
    assert page.status_code == 200 and "Tren de Aragua extortion of market traders" in page.text
    assert "DPLF" not in page.text
    # the researcher reads the name in running text; the copied citation hides it for everyone
    mine = client.get("/api/searches/new", headers=_as(site, "rita")).json()["passages"]
    assert [p["search_id"] for p in mine] == [rita["id"]] and "According to DPLF" in mine[0]["text"]


def test_the_feed_is_atom_and_its_token_is_its_only_key(site, tmp_path):
    client = site["client"]
    saved = client.post("/api/searches", json={"name": "Extortion", "query": QUERY, "mode": "lexical"},
                        headers=_as(site, "rita")).json()
    _ingest_dplf_version(site, tmp_path)
    feed_url = saved["feed"]
    path, token = feed_url.split("?token=")
    assert path == f"/searches/{saved['id']}/feed.atom" and len(token) >= 32

    anonymous = TestClient(client.app)  # a feed reader: no session, no API token
    r = anonymous.get(feed_url)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    assert "DPLF" not in r.text  # a researcher's feed, fetched by its URL, still hides the name
    assert anonymous.get(path).status_code == 401
    wrong = token[:-1] + ("y" if token.endswith("x") else "x")  # a token ending in 'x' was left intact (1 run in ~60)
    assert anonymous.get(path + "?token=" + wrong).status_code == 404
    assert anonymous.get(f"/searches/{saved['id'] + 1}/feed.atom?token={token}").status_code == 404
    # the owner signed in reads it without the token (names included, as everywhere for her)
    own = client.get(path, headers=_as(site, "rita"))
    assert own.status_code == 200 and "According to DPLF" in own.text
    assert client.get(path, headers=_as(site, "rosa")).status_code == 404  # not hers

    root = etree.fromstring(r.content)
    assert root.tag == f"{ATOM}feed"

    def one(parent, tag):
        found = parent.findall(f"{ATOM}{tag}")
        assert len(found) == 1, (tag, found)
        return found[0]

    assert one(root, "id").text == f"http://testserver/searches/{saved['id']}"
    assert one(root, "title").text == "Corroborate: Extortion"
    assert one(one(root, "author"), "name").text == "rita"
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 1
    updated = [one(root, "updated").text] + [one(e, "updated").text for e in entries]
    for stamp in updated:  # RFC 3339 with a time zone
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", stamp)
        assert datetime.fromisoformat(stamp).tzinfo is not None
    entry = entries[0]
    link = one(entry, "link")
    assert link.get("rel") == "alternate"
    assert re.fullmatch(rf"http://testserver/reports/{SAMPLE_ID}-v2#p-[0-9a-f]+", link.get("href"))
    assert one(entry, "id").text.startswith("http://testserver/searches/")
    assert one(one(entry, "author"), "name").text == "EUAA"
    assert one(entry, "title").text.startswith("EUAA, Peru – Country Focus, September 2023, section 3.5.1")
    summary = one(entry, "summary")
    assert summary.get("type") == "text"
    assert summary.text.startswith("“According to [confidential source], Tren de Aragua extortion")
    # the reader's address in the feed opens the paragraph
    reader = client.get(link.get("href").replace("http://testserver", ""),
                        headers={**_as(site, "rita"), "Accept": "text/html"})
    assert reader.status_code == 200 and f'id="p-{link.get("href").split("#p-")[1]}"' in reader.text


def test_save_this_search_from_the_results_page(tmp_path):
    db = tmp_path / "open.db"
    with Library(settings=Settings(db=str(db), embeddings=False)) as lib:
        lib.ingest(SAMPLE)
    client = TestClient(create_app(Settings(db=str(db), embeddings=False)))
    html = {"Accept": "text/html"}
    results = client.get("/search", params={"q": QUERY, "mode": "lexical", "country": "PE"}, headers=html)
    assert 'action="/searches"' in results.text and "Save this search" in results.text
    form = {"name": "TdA in Peru", "q": QUERY, "mode": "lexical", "country": "PE"}
    assert client.post("/searches", data=form, headers=html).status_code == 403  # no CSRF token
    form["csrf"] = client.cookies.get("corroborate_csrf")
    r = client.post("/searches", data=form, headers=html, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/searches"
    (saved,) = client.get("/api/searches").json()["searches"]
    assert (saved["name"], saved["query"], saved["mode"], saved["filters"]) == (
        "TdA in Peru", QUERY, "lexical", {"country": "PE"})
    assert saved["owner"] is None  # no users: the database's own
    page = client.get("/searches", headers=html).text
    assert "TdA in Peru" in page and "/search?q=Tren+de+Aragua+extortion&amp;mode=lexical&amp;country=PE" in page
    with Library(settings=Settings(db=str(db), embeddings=False)) as lib:
        lib.ingest(version_of_sample(tmp_path, (TDA, ADDED)))
    page = client.get("/searches", headers=html).text
    assert ADDED in page and f"/reports/{SAMPLE_ID}-v2#p-" in page
    delete = client.post(f"/searches/{saved['id']}/delete", data={"csrf": form["csrf"]}, headers=html,
                         follow_redirects=False)
    assert delete.status_code == 303 and client.get("/api/searches").json()["searches"] == []


def test_cli_saves_lists_shows_and_removes(tmp_path):
    db = str(tmp_path / "cli.db")
    runner = CliRunner()

    def run(*args):
        return runner.invoke(main, ["--db", db, *args])

    assert run("ingest", "--no-embeddings", str(SAMPLE)).exit_code == 0
    saved = run("searches", "save", "TdA", QUERY, "--mode", "lexical", "--country", "PE", "--json")
    assert saved.exit_code == 0, saved.output
    data = json.loads(saved.output)
    assert data["filters"] == {"country": "PE"} and data["feed"].startswith(f"/searches/{data['id']}/feed.atom?token=")
    listed = run("searches", "list")
    assert listed.output.strip() == f"{data['id']}  'TdA': {QUERY} (lexical --country PE), 0 new passages"
    assert run("searches", "new").output.strip() == "Nothing new for your searches."
    assert run("ingest", "--no-embeddings", str(version_of_sample(tmp_path, (TDA, ADDED)))).exit_code == 0
    new = run("searches", "new")
    assert new.exit_code == 0
    lines = new.output.strip().splitlines()
    assert lines[0].startswith("TdA · found ") and lines[1] == f"  “{ADDED} Tren de Aragua is Venezuela’s most powerful and largest criminal organisation.[297] It has between 4 000 and 5 000 members, under a solid hierarchy,[298] and has branches in several countries in the Americas, including Peru, Colombia, Ecuador, Bolivia, Chile, Brazil,[299] and Costa Rica.[300] The main leader is Héctor Guerrero, also known as ‘Niño Guerrero’, imprisoned in Aragua state, Venezuela, and he has lieutenants also in jail who control criminal activities carried out by the organisation within Venezuela and abroad.[301] Tren de Aragua’s main criminal activities in Peru include kidnapping, extortion, sexual exploitation, drug trafficking,[302] migrant smuggling, contraband, and arms trafficking.[303] Despite efforts by authorities to combat this criminal organisation, Tren de Aragua’s adaptability and economic power have contributed to its strengthening.[304] In Lima, Tren de Aragua operates in districts including Comas, San Martín de Porres, Los Olivos, Independencia, San Juan de Miraflores, Chorrillos, Ate, and Villa El Salvador.[305]”"
    assert lines[2] == "  EUAA, Peru – Country Focus, September 2023, section 3.5.1 ‘Tren de Aragua’, p. 43"
    as_json = json.loads(run("searches", "new", str(data["id"]), "--json").output)["passages"]
    assert len(as_json) == 1 and as_json[0]["report_id"] == f"{SAMPLE_ID}-v2"
    assert "1 new passage" in run("searches", "list").output
    # errors: named, exit 1, nothing saved
    dup = run("searches", "save", "TdA", "anything")
    assert dup.exit_code == 1 and "a saved search named 'TdA' exists already" in dup.output
    bad = run("searches", "save", "Bad", "extortion NOT", "--mode", "lexical")
    assert bad.exit_code == 1 and "NOT must be followed" in bad.output
    assert run("searches", "new", "99").exit_code == 1
    assert run("searches", "remove", str(data["id"])).output.strip() == f"removed saved search {data['id']}"
    gone = run("searches", "remove", str(data["id"]))
    assert gone.exit_code == 1 and f"no saved search {data['id']}" in gone.output


def test_a_hybrid_spanish_search_is_told_of_an_english_report(sample_db, tmp_path):
    """With embeddings, the default mode: a Spanish question saved over the sample is matched
    against a newly ingested English page by meaning and words together."""
    page = tmp_path / "peru-overview.txt"
    page.write_bytes((DATA.parent / "fixtures" / "text" / "page-with-footnotes.txt").read_bytes())
    with Library(sample_db) as lib:
        saved = lib.save_search(SavedSearchIn(name="Distritos", query="¿En cuántos distritos se divide el Perú?",
                                              language="es"))
        assert saved.mode == "hybrid" and saved.language == "es"
        lib.ingest(page)
        (hit,) = lib.new_passages()
    assert hit.report_id == "peru-overview" and "1 874 districts" in hit.text
    assert "[16] US, CIA, The World Factbook: Peru, 23 August 2023, https://www.cia.gov/" in hit.citation


def test_a_spanish_session_saves_a_spanish_search_and_gets_a_spanish_feed(tmp_path):
    db = tmp_path / "es.db"
    with Library(settings=Settings(db=str(db), embeddings=False)) as lib:
        lib.ingest(SAMPLE)
    client = TestClient(create_app(Settings(db=str(db), embeddings=False)))
    html = {"Accept": "text/html"}
    results = client.get("/search", params={"q": QUERY, "mode": "lexical", "locale": "es"}, headers=html)
    assert "Guardar esta búsqueda" in results.text
    form = {"name": "Extorsión", "q": QUERY, "mode": "lexical", "csrf": client.cookies.get("corroborate_csrf")}
    assert client.post("/searches", data=form, headers=html, follow_redirects=False).status_code == 303
    (saved,) = client.get("/api/searches").json()["searches"]
    assert saved["language"] == "es"
    with Library(settings=Settings(db=str(db), embeddings=False)) as lib:
        lib.ingest(version_of_sample(tmp_path, (TDA, ADDED)))
    page = client.get("/searches", headers=html).text
    assert "Novedades de sus búsquedas" in page and "1 pasaje nuevo" in page and ADDED in page
    feed = etree.fromstring(TestClient(client.app).get(saved["feed"]).content)
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "es"
    assert feed.find(f"{ATOM}subtitle").text == f"Pasajes nuevos para la búsqueda guardada «{QUERY}»"
