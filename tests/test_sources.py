"""The source registry on the real ingested sample: ties, counts, types, CLI and confidentiality."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import SAMPLE, SAMPLE_ID
from corroborate import Library
from corroborate.cli import main
from corroborate.models import CitationKind, Footnote, Report

NO_SOURCE = {CitationKind.EMPTY, CitationKind.UNPARSED}
USDOS_CR = "USDOS, 2022 Country Reports on Human Rights Practices: Peru"
FH = "Freedom House, Freedom in the World 2023: Peru"


def cli(db, *args: str):
    return CliRunner().invoke(main, ["--db", str(db), *args], catch_exceptions=False)


def by_title(rows: list[dict], author: str, title_start: str) -> dict:
    hits = [s for s in rows if s["author"] == author and (s["title"] or "").startswith(title_start)]
    assert len(hits) == 1, hits
    return hits[0]


@pytest.fixture(scope="module")
def listed(sample_lib) -> list[dict]:
    return sample_lib.sources(SAMPLE_ID)


def test_every_citation_is_tied_to_exactly_one_listed_source(sample_report, listed):
    ids = {s["id"] for s in listed}
    assert len(ids) == len(listed)  # each source once
    cited = set()
    n = 0
    for fn in sample_report.footnotes:
        for c in fn.citations:
            n += 1
            if c.kind in NO_SOURCE:
                assert c.source_id is None, (fn.n, c)
            else:
                assert c.source_id in ids, (fn.n, c.raw)
                cited.add(c.source_id)
    assert n > 350
    assert cited == ids  # no source without a citation


def test_counts_match_the_footnote_texts(sample_report, listed):
    """Cross-check the registry against plain string containment in the footnotes."""
    for needle, author, title in [(USDOS_CR, "USDOS", "2022 Country Reports"), (FH, "Freedom House", "Freedom in")]:
        expected = {f.n for f in sample_report.footnotes if f.text and needle in f.text}
        row = by_title(listed, author, title)
        assert row["footnotes"] == len(expected), (author, sorted(expected))
    assert by_title(listed, "USDOS", "2022 Country Reports")["footnotes"] == 27
    fh = by_title(listed, "Freedom House", "Freedom in")
    assert (fh["footnotes"], fh["citations"]) == (19, 20)  # footnote 120 cites it twice
    assert listed[0]["author"] == "USDOS"  # the most cited source comes first


def test_source_detail_lists_citing_footnotes_and_paragraphs(sample_lib, listed):
    tren = by_title(listed, "InSight Crime", "Tren de Aragua")
    detail = sample_lib.source(tren["id"])
    assert sorted({c["footnote_n"] for c in detail["cited_by"]}) == [297, 299, 301, 302, 303, 304]
    assert any(p["text"] for c in detail["cited_by"] for p in c["paragraphs"])


def test_footnote_298_cites_transparencia_venezuela(sample_report):
    fn = sample_report.footnote(298)
    assert [c.author for c in fn.citations] == ["Transparencia Venezuela", "Infobae"]
    assert fn.citations[0].locator == "p. 104"


@pytest.mark.parametrize("author, title_start, type_", [
    ("USDOS", "2022 Country Reports", "government"),
    ("Freedom House", "Freedom in", "ngo"),
    ("DPLF", "interview with EUAA", "oral"),
    ("Peru, INEI", "VI Censo Nacional de Comisarías 2012-2017: Principales", "government"),
    ("OAS, IACHR", "Situación de Derechos Humanos", "igo"),
    ("Peru", "Código Penal", "legislation"),
    ("Reuters", "Peru slashes growth", "media"),
    ("UN Human Rights Committee", "Concluding observations", "igo"),
    ("Valdés, Ricardo et al.", "Las economías criminales", "academic"),
])
def test_source_types(listed, author, title_start, type_):
    assert by_title(listed, author, title_start)["type"] == type_


def test_languages(listed):
    assert by_title(listed, "Freedom House", "Freedom in")["language"] == "en"
    assert by_title(listed, "Infobae", "Mafias sangrientas de la extorsión siembran")["language"] == "es"


def test_editions_are_one_source_dated_by_the_latest(listed):
    cia = [s for s in listed if s["author"] == "US, CIA"]
    assert len(cia) == 1  # cited as of 1 and of 23 August 2023
    assert cia[0]["date"] == "2023-08-23"


def test_sources_cli_json_and_type_filter(sample_db_master):
    res = cli(sample_db_master, "sources", SAMPLE_ID, "--json")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)["sources"]
    assert len({r["id"] for r in rows}) == len(rows)
    res = cli(sample_db_master, "sources", "--type", "oral", "--json")
    oral = json.loads(res.output)["sources"]
    assert [(s["author"], s["footnotes"]) for s in oral] == [("DPLF", 6)]
    res = cli(sample_db_master, "sources", "no-such-report")
    assert res.exit_code == 1 and "no-such-report" in res.output
    res = cli(sample_db_master, "sources", "--type", "medias")
    assert res.exit_code == 2 and "'medias' is not one of" in res.output
    human = cli(sample_db_master, "sources", SAMPLE_ID).output.splitlines()
    assert human[0].split()[1:4] == ["27", "fn", "[government/en]"] and "USDOS" in human[0]


def test_source_ids_are_stable_across_reingest(sample_lib, tmp_path):
    with Library(tmp_path / "again.db") as lib:
        lib.settings = lib.settings.model_copy(update={"embeddings": False})
        lib.ingest(SAMPLE)
        again = {s["id"] for s in lib.sources()}
    assert again == {s["id"] for s in sample_lib.sources(SAMPLE_ID)}


def test_oral_source_marked_confidential_end_to_end(sample_db, tmp_path):
    res = cli(sample_db, "sources", "--type", "oral", "--json")
    (dplf,) = json.loads(res.output)["sources"]
    assert dplf["confidential"] is False
    res = cli(sample_db, "confidential", dplf["id"])
    assert res.exit_code == 0 and "confidential" in res.output
    detail = json.loads(cli(sample_db, "source", dplf["id"], "--json").output)
    assert detail["confidential"] is True and detail["type"] == "oral"
    assert "CONFIDENTIAL" in cli(sample_db, "source", dplf["id"]).output
    assert "CONFIDENTIAL" in cli(sample_db, "sources", "--type", "oral").output
    # the reviewer's decision survives a changed re-ingest of the report
    changed = tmp_path / SAMPLE.name
    changed.write_text(SAMPLE.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    res = cli(sample_db, "ingest", str(changed), "--replace", "--no-embeddings")
    assert res.exit_code == 0, res.output
    listed = json.loads(cli(sample_db, "sources", "--type", "oral", "--json").output)["sources"]
    assert [(s["id"], s["confidential"]) for s in listed] == [(dplf["id"], True)]
    res = cli(sample_db, "confidential", dplf["id"], "--off")
    assert res.exit_code == 0
    assert json.loads(cli(sample_db, "source", dplf["id"], "--json").output)["confidential"] is False
    res = cli(sample_db, "confidential", "nope")
    assert res.exit_code == 1 and "nope" in res.output


def test_malformed_footnotes_are_stored_verbatim_with_warnings(empty_db):
    garbage = ["%%%% ####", "url; url, url", ";;;", "(((", "Peru,"]
    report = Report(id="fuzz", title="Fuzz", source_hash="f" * 64,
                    footnotes=[Footnote(n=i + 1, text=t, urls=["https://example.org/x"]) for i, t in enumerate(garbage)])
    with Library(empty_db) as lib:
        sources = lib.prepare(report, "fuzz")
        lib.store.save_report(report, "fuzz", sources)
        back = lib.report("fuzz")
    assert [f.text for f in back.footnotes] == garbage
    first = back.footnote(1).citations
    assert [(c.kind, c.raw) for c in first] == [(CitationKind.UNPARSED, "%%%% ####")]
    assert any(w.code == "citation-unparsed" and w.footnote == 1 for w in back.warnings)


def test_a_source_shared_by_two_reports_is_one_source(empty_db):
    fh = "Freedom House, Freedom in the World 2023: Peru, 2023, url"
    with Library(empty_db) as lib:
        for rid, url in [("a", "https://freedomhouse.org/a"), ("b", "https://freedomhouse.org/b")]:
            report = Report(id=rid, title=rid, source_hash=rid * 64,
                            footnotes=[Footnote(n=1, text=fh, urls=[url]), Footnote(n=2, text=f"{fh}; {fh}",
                                                                                      urls=[url, url])])
            lib.store.save_report(report, rid, lib.prepare(report, rid))
        (both,) = lib.sources()
        assert (both["footnotes"], both["citations"]) == (4, 6)
        assert both["urls"] == ["https://freedomhouse.org/a", "https://freedomhouse.org/b"]
        (only_a,) = lib.sources("a")
        assert (only_a["id"], only_a["footnotes"], only_a["citations"]) == (both["id"], 2, 3)
        lib.delete("a")
        assert lib.sources()[0]["footnotes"] == 2
        lib.delete("b")
        assert lib.sources() == []  # no source outlives its last citation
