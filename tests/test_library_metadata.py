"""Library metadata (country, publisher, document type, date, language) read from content and
editable, and search over a library of several reports: filters applied before the top-k cut,
facets counted over every ranked result, paging. On a real database file holding the sample, the
UK Home Office CPIN (tests/data/corpus) and a small Spanish report written here."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from conftest import DATA, ROOT, SAMPLE_ID
from corroborate import Library
from corroborate.cli import main
from corroborate.readers.html import read_html_file
from corroborate.search.query import QueryError
from corroborate.settings import Settings
from corroborate.web.app import create_app

CPIN = DATA / "corpus" / "cpin" / "cpin-colombia-internal-relocation-2026-03.html"
VE_ID = "venezuela-informe-2024"
VE_TEXT = """VENEZUELA – INFORME DE SITUACIÓN

Este informe fue publicado el 15 de marzo de 2024 por la organización Observatorio Andino.

1. Situación general

Venezuela atraviesa una crisis económica prolongada. Los venezolanos que emigran hacia Colombia y Perú describen la escasez de alimentos y medicinas en Caracas y en las ciudades del interior del país.1

2. Seguridad

Los colectivos armados controlan barrios de Caracas y cobran cuotas a los comerciantes. Las autoridades venezolanas rara vez investigan estas extorsiones, según los testimonios recogidos en Maracaibo y Valencia.2

3. Pueblos indígenas

Las comunidades warao del delta del Orinoco denuncian el abandono sanitario y la minería ilegal en sus territorios, con una violencia esporádica de grupos armados que rara vez llega a los tribunales venezolanos.3

1 Observatorio Andino, Informe anual sobre migración, 2024, https://example.org/migracion
2 Provea, Colectivos y extorsión en Caracas, 12 de febrero de 2024, https://example.org/colectivos
3 Kapé Kapé, Pueblo warao y minería, 2023, https://example.org/warao
"""


def cpin_html(folder: Path) -> Path:
    """The CPIN is a GOV.UK body fragment; wrapped so that its format is sniffed as HTML."""
    path = folder / "cpin-colombia-internal-relocation.html"
    path.write_text("<html><body>" + CPIN.read_text(encoding="utf-8") + "</body></html>", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def library_db(sample_db_master, tmp_path_factory) -> Path:
    """Sample (with embeddings) + CPIN (lexical only, to keep the suite fast) + a Spanish report."""
    folder = tmp_path_factory.mktemp("library")
    db = folder / "library.db"
    shutil.copy(sample_db_master, db)
    with Library(db, settings=Settings(db=str(db), embeddings=False)) as lib:
        lib.ingest(cpin_html(folder), report_id="cpin-colombia")
    ve = folder / f"{VE_ID}.txt"
    ve.write_text(VE_TEXT, encoding="utf-8")
    with Library(db) as lib:
        lib.ingest(ve)
    return db


@pytest.fixture(scope="module")
def lib(library_db):
    with Library(library_db) as library:
        yield library


def ve_paragraph(lib: Library, starts: str) -> str:
    return next(p.id for p in lib.report(VE_ID).paragraphs() if p.text.startswith(starts))


# --- metadata from content ----------------------------------------------------------------------


def test_sample_metadata_is_read_from_its_content(sample_lib):
    (row,) = sample_lib.reports()
    assert (row["country"], row["publisher"], row["document_type"], row["language"]) == (
        "PE", "EUAA", "country-focus", "en")
    report = sample_lib.report(SAMPLE_ID)
    assert report.country == "PE" and report.document_type == "country-focus"


def test_cpin_metadata_is_read_from_its_content(tmp_path):
    from corroborate.metadata import infer_metadata

    path = cpin_html(tmp_path)
    report = read_html_file(path, path.read_bytes())
    infer_metadata(report)
    assert report.country == "CO"  # the note has no title of its own: the body names Colombia most
    assert report.publisher == "Home Office"  # as the note names itself ("Feedback to the Home Office")
    assert report.document_type == "cpin"
    assert report.published == "2026-03-12"  # "valid from 12 March 2026"
    assert report.language == "en"


def test_spanish_report_metadata(lib):
    row = next(r for r in lib.reports() if r["id"] == VE_ID)
    assert (row["country"], row["language"], row["published"]) == ("VE", "es", "2024-03-15")
    cpin = next(r for r in lib.reports() if r["id"] == "cpin-colombia")
    assert (cpin["country"], cpin["publisher"], cpin["document_type"]) == ("CO", "Home Office", "cpin")


def test_country_needs_a_clear_majority():
    from corroborate.metadata import detect_country

    assert detect_country("Peru – Country Focus", "Colombia " * 50) == "PE"  # the title wins
    assert detect_country("Regional overview", "Peru Chile " * 10) is None  # no country dominates
    assert detect_country("Overview", "Los peruanos y las peruanas. Perú.") == "PE"  # demonyms count
    assert detect_country("Overview", "Papua New Guinea. Papua New Guinea. Papua New Guinea.") == "PG"


# --- editing ------------------------------------------------------------------------------------


def run(db: Path, *args: str):
    return CliRunner().invoke(main, ["--db", str(db), *args])


def test_report_set_round_trip(sample_db):
    r = run(sample_db, "report", "set", SAMPLE_ID, "--country", "co", "--publisher", "EUAA Unit",
            "--type", "query-response", "--date", "2023-09", "--language", "es", "--json")
    assert r.exit_code == 0, r.output
    row = json.loads(r.output)
    assert (row["country"], row["publisher"], row["document_type"], row["published"], row["language"]) == (
        "CO", "EUAA Unit", "query-response", "2023-09", "es")
    shown = json.loads(run(sample_db, "show", SAMPLE_ID, "--json").output)
    assert (shown["country"], shown["document_type"], shown["publisher"], shown["published"]) == (
        "CO", "query-response", "EUAA Unit", "2023-09")
    listed = run(sample_db, "reports").output
    assert "country: CO" in listed and "type: query-response" in listed
    # only what is given changes; an empty value clears
    row = json.loads(run(sample_db, "report", "set", SAMPLE_ID, "--publisher", "", "--json").output)
    assert row["publisher"] is None and row["country"] == "CO"
    with Library(sample_db) as lib:
        assert lib.set_report_metadata(SAMPLE_ID, country="PE")["country"] == "PE"
        assert lib.search("extortion", country="PE", mode="lexical")["total"] > 0


@pytest.mark.parametrize("args, message", [
    (["--country", "XX"], "country='XX'"),
    (["--type", "novel"], "type='novel'"),
    (["--date", "last spring"], "date='last spring'"),
    (["--language", "english"], "language='english'"),
])
def test_report_set_refuses_bad_values(sample_db, args, message):
    r = run(sample_db, "report", "set", SAMPLE_ID, *args)
    assert r.exit_code == 1 and message in r.output
    with Library(sample_db) as lib:
        assert lib.reports()[0]["country"] == "PE"  # nothing written


def test_report_set_unknown_report(sample_db):
    r = run(sample_db, "report", "set", "no-such-report", "--country", "PE")
    assert r.exit_code == 1 and "no report 'no-such-report'" in r.output


# --- filters before the cut ---------------------------------------------------------------------


@pytest.mark.parametrize("mode, query", [("lexical", "Colombia"), ("hybrid", "freedom of movement")])
def test_filter_returns_a_paragraph_outside_the_unfiltered_top_50(lib, mode, query):
    target = ve_paragraph(lib, "Venezuela atraviesa")
    unfiltered = lib.search(query, k=50, mode=mode)
    assert target not in [r["paragraph_id"] for r in unfiltered["results"]]  # the premise
    for filters in ({"country": "VE"}, {"language": "es"}, {"published_from": "2024-03", "published_to": "2024"},
                    {"report": VE_ID}):
        got = lib.search(query, k=50, mode=mode, **filters)
        assert target in [r["paragraph_id"] for r in got["results"]], filters
        assert {r["report_id"] for r in got["results"]} == {VE_ID}


def test_source_filter_is_applied_by_the_engine(lib):
    target = ve_paragraph(lib, "Venezuela atraviesa")
    source = next(s["id"] for s in lib.sources(VE_ID) if (s["author"] or "").startswith("Observatorio"))
    got = lib.search("Colombia", k=50, mode="lexical", source=source)
    assert [r["paragraph_id"] for r in got["results"]] == [target]


def test_metadata_filters_combine_and_validate(lib):
    cpin = lib.search("internal relocation", k=20, mode="lexical", country="CO", document_type="cpin",
                      publisher="home office")
    assert cpin["total"] > 0 and {r["report_id"] for r in cpin["results"]} == {"cpin-colombia"}
    assert lib.search("internal relocation", mode="lexical", country="CO", language="es")["total"] == 0
    old = lib.search("extortion", k=50, mode="lexical", published_to="2023")  # the sample: cut-off 2023-09
    assert old["total"] > 0 and {r["report_id"] for r in old["results"]} == {SAMPLE_ID}
    for bad in ({"country": "Peru"}, {"document_type": "novel"}, {"published_from": "soon"}, {"offset": -1}):
        with pytest.raises(QueryError):
            lib.search("extortion", **bad)


# --- facets and paging --------------------------------------------------------------------------


def all_pages(lib: Library, query: str, k: int, **kw) -> list[list[dict]]:
    pages, offset = [], 0
    while True:
        page = lib.search(query, k=k, offset=offset, **kw)
        if not page["results"]:
            return pages
        pages.append(page["results"])
        offset += k


@pytest.mark.parametrize("mode", ["lexical", "hybrid"])
def test_pages_are_disjoint_and_consecutive(lib, mode):
    first = lib.search("armed groups violence", k=10, mode=mode)
    pages = all_pages(lib, "armed groups violence", 10, mode=mode)
    ids = [r["paragraph_id"] for page in pages for r in page]
    assert len(pages) >= 3 and len(ids) == len(set(ids))
    if mode == "hybrid":  # the fused list is complete; a lexical one goes as deep as the page asks
        assert len(ids) == first["total"] and not first["more"]
    else:
        assert first["more"] and len(ids) > first["total"]
    assert [r["paragraph_id"] for r in pages[0]] == [r["paragraph_id"] for r in first["results"]]
    if mode == "lexical":  # its ranking does not depend on depth: a page is a slice of a longer list
        longer = lib.search("armed groups violence", k=30, mode=mode)["results"]
        assert ids[10:30] == [r["paragraph_id"] for r in longer[10:30]]


def test_facets_count_every_ranked_result_not_only_the_page(lib):
    res = lib.search("Colombia", k=5, mode="hybrid", facets=True)
    assert len(res["results"]) == 5 and res["total"] > 50
    facets = res["facets"]
    assert sum(f["count"] for f in facets["report"]) == res["total"]
    pages = all_pages(lib, "Colombia", 5, mode="hybrid")
    by_country: dict[str, int] = {}
    rows = {r["id"]: r for r in lib.reports()}
    for page in pages:
        for r in page:
            c = rows[r["report_id"]]["country"]
            by_country[c] = by_country.get(c, 0) + 1
    assert {f["value"]: f["count"] for f in facets["country"]} == by_country
    assert {"CO", "PE"} <= set(by_country)
    filtered = lib.search("Colombia", k=5, mode="hybrid", facets=True, country="VE")
    assert [f["value"] for f in filtered["facets"]["country"]] == ["VE"]


# --- REST API and web ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(library_db):
    with TestClient(create_app(Settings(db=str(library_db)))) as c:
        yield c


def test_api_reports_and_search_filters(client):
    reports = {r["id"]: r for r in client.get("/api/reports").json()["reports"]}
    assert reports["cpin-colombia"]["country"] == "CO" and reports[VE_ID]["language"] == "es"
    assert client.get(f"/api/reports/{VE_ID}").json()["country"] == "VE"
    r = client.get("/api/search", params={"q": "Colombia", "country": "VE", "facets": "true"}).json()
    assert {x["report_id"] for x in r["results"]} == {VE_ID} and r["facets"]["language"][0]["value"] == "es"
    p1 = client.get("/api/search", params={"q": "Colombia", "k": 10, "mode": "lexical"}).json()
    p2 = client.get("/api/search", params={"q": "Colombia", "k": 10, "mode": "lexical", "page": 2}).json()
    assert p2["offset"] == 10 and not {x["paragraph_id"] for x in p1["results"]} & {
        x["paragraph_id"] for x in p2["results"]}
    bad = client.get("/api/search", params={"q": "Colombia", "document_type": "novel"})
    assert bad.status_code == 400 and "type='novel'" in bad.json()["detail"]


def test_home_cards_show_metadata(client):
    page = client.get("/").text
    assert "Colombia" in page and "Home Office" in page and "CPIN" in page and "Spanish" in page


def test_web_facets_filters_and_next_page(client, lib):
    page = client.get("/search", params={"q": "Colombia"}).text
    links = dict((label, href) for href, label in re.findall(
        r'<a href="([^"]+)" class="facet__link[^"]*"[^>]*>.*?<span class="facet__label">(.*?)</span>', page, re.S))
    assert "Venezuela" in links and "Colombia" in links and "Spanish" in links
    ve = client.get(links["Venezuela"]).text
    assert f"/reports/{VE_ID}#p-{ve_paragraph(lib, 'Venezuela atraviesa')}" in ve
    nxt = re.search(r'<a rel="next" href="([^"]+)"', page)
    assert nxt and parse_qs(urlparse(nxt.group(1).replace("&amp;", "&")).query)["page"] == ["2"]
    page2 = client.get(nxt.group(1).replace("&amp;", "&")).text
    first_ids = set(re.findall(r'class="hit__link" href="/reports/[^#]+#p-([0-9a-f]+)"', page))
    second_ids = set(re.findall(r'class="hit__link" href="/reports/[^#]+#p-([0-9a-f]+)"', page2))
    assert len(first_ids) == 50 and second_ids and not first_ids & second_ids
    assert 'rel="prev"' in page2


def test_web_source_filter_reaches_past_the_first_50(client, lib):
    source = next(s["id"] for s in lib.sources(VE_ID) if (s["author"] or "").startswith("Observatorio"))
    page = client.get("/search", params={"q": "Colombia", "source": source}).text
    assert f"#p-{ve_paragraph(lib, 'Venezuela atraviesa')}" in page


def test_web_ask_honours_report(client):
    page = client.get("/search", params={"q": "¿Quién controla barrios de Caracas?", "mode": "ask",
                                         "report": SAMPLE_ID}).text
    assert f"/reports/{VE_ID}" not in page
    unknown = client.get("/search", params={"q": "colectivos", "mode": "ask", "report": "nope"})
    assert unknown.status_code == 400 and "no report" in unknown.text


# --- persisted vector codes -----------------------------------------------------------------------

PROBE = """
import json, sys
from corroborate import Library
from corroborate.search import vectors
with Library(sys.argv[1]) as lib:
    lib.search("extortion of shop owners", k=3)
print(json.dumps(dict(vectors.counters)))
"""


def probe(db: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE, str(db)], capture_output=True, text=True, check=True,
                         cwd=ROOT, timeout=300)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_vector_codes_are_persisted_and_reused_by_a_new_process(sample_db, tmp_path):
    sidecar = Path(str(sample_db) + ".vectors")
    assert not sidecar.exists()
    assert probe(sample_db) == {"built": 1}
    assert sidecar.exists()
    assert probe(sample_db) == {"mapped": 1}  # a new process maps the file, no rebuild
    # a change to the library makes the file stale: rebuilt once, then reused again
    extra = tmp_path / f"{VE_ID}.txt"
    extra.write_text(VE_TEXT, encoding="utf-8")
    with Library(sample_db) as lib:
        lib.ingest(extra)
    assert probe(sample_db) == {"built": 1}
    assert probe(sample_db) == {"mapped": 1}
    # a damaged file is ignored and rewritten, never served
    sidecar.write_bytes(sidecar.read_bytes()[:-100])
    assert probe(sample_db) == {"built": 1}
    assert probe(sample_db) == {"mapped": 1}


def test_an_emptied_library_is_persisted_and_searched(sample_db):
    with Library(sample_db) as lib:
        assert lib.search("extortion", k=3)["results"]
        lib.delete(SAMPLE_ID)
        assert lib.search("extortion", k=3)["results"] == []  # empty arrays written, nothing served
    assert probe(sample_db) == {"mapped": 1}


def test_metadata_is_read_from_the_statements_not_the_list_of_sources():
    from corroborate.metadata import infer_metadata
    from corroborate.models import Paragraph, Report, Section

    statements = [Paragraph(text="Gangs extort bus drivers in the capital, according to the transport union.")]
    cited = [Paragraph(text=f"UNHCR, International Protection Considerations with Regard to People Fleeing "
                            f"Honduras, {year}") for year in range(2010, 2022)]
    report = Report(title="Security situation", sections=[
        Section(number="1", title="Extortion", paragraphs=statements),
        Section(title="Bibliography", paragraphs=cited)])
    infer_metadata(report)
    assert report.country is None and report.publisher is None
    report.sections[1].title = "Annex"  # the same entries read as the report's text
    report.country = report.publisher = None
    infer_metadata(report)
    assert (report.country, report.publisher) == ("HN", "UNHCR")
